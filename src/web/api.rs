//! The JSON API: incidents and actions for scripts, and action updates with the same
//! identity rules as the browser (a bearer token, a trusted proxy, or single-user mode).
//!
//! Lists come in pages: `limit` (default [`DEFAULT_LIMIT`], at most [`MAX_LIMIT`]) and
//! an opaque `cursor` naming where the next page starts, given in the response and in a
//! `Link: <...>; rel="next"` header. Pages follow an order no change moves a row in
//! (the action id; the incident's first import), so a client walking every page sees
//! each row exactly once while people change actions between its requests.

use super::forms::{ActionParams, filter_from};
use super::identity::{Via, Visitor};
use super::views::cursor;
use super::{AppError, AppState};
use crate::db::actions as db_actions;
use crate::db::browse::{self, ListFilter};
use crate::tracking::{self, ActionUpdate, Origin};
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/incidents", get(incidents))
        .route("/api/incidents/{slug}", get(incident))
        .route("/api/actions", get(actions))
        .route("/api/actions/{id}", get(action).post(update))
}

/// A JSON error body: `{"error": "..."}` with the right status.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// Rows in a page when the client does not say.
pub const DEFAULT_LIMIT: i64 = 100;
/// Rows in a page at most.
pub const MAX_LIMIT: i64 = 1000;

/// The paging parameters of a list, beside its filters.
#[derive(Debug, Default, Deserialize)]
struct PageParams {
    limit: Option<String>,
    cursor: Option<String>,
}

impl PageParams {
    /// The page size asked for, within 1..=[`MAX_LIMIT`]; an error message for a value
    /// that is not a number.
    fn limit(&self) -> Result<i64, String> {
        match self.limit.as_deref().map(str::trim) {
            None | Some("") => Ok(DEFAULT_LIMIT),
            Some(v) => v
                .parse::<i64>()
                .map(|n| n.clamp(1, MAX_LIMIT))
                .map_err(|_| format!("limit must be a number from 1 to {MAX_LIMIT}")),
        }
    }
}

/// The address of the next page: this request's path and query with `cursor` set to
/// `next` (and any `offset` dropped).
fn next_link(path: &str, query: Option<&str>, next: &str) -> String {
    let mut parts: Vec<&str> = query
        .unwrap_or("")
        .split('&')
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("");
            !p.is_empty() && key != "cursor" && key != "offset"
        })
        .collect();
    let cursor = format!("cursor={next}");
    parts.push(&cursor);
    format!("{path}?{}", parts.join("&"))
}

/// A JSON page, with the `Link` header when there is a next page.
fn paged(body: serde_json::Value, next: Option<String>) -> Response {
    let mut response = Json(body).into_response();
    if let Some(next) = next
        && let Ok(value) = HeaderValue::from_str(&format!("<{next}>; rel=\"next\""))
    {
        response.headers_mut().insert(header::LINK, value);
    }
    response
}

#[derive(Debug, Default, Deserialize)]
struct IncidentParams {
    year: Option<i32>,
    system: Option<String>,
    tag: Option<String>,
    open: Option<bool>,
    /// Read for scripts written before cursors: a page in the incidents list's order
    /// (newest first) from this position. A `cursor` takes precedence.
    offset: Option<i64>,
}

#[derive(Serialize)]
struct IncidentItem {
    slug: String,
    title: String,
    started: Option<String>,
    severity: Option<String>,
    systems: Vec<String>,
    open_actions: i64,
    missing: bool,
}

async fn incidents(
    State(state): State<AppState>,
    params: Result<Query<IncidentParams>, axum::extract::rejection::QueryRejection>,
    Query(page): Query<PageParams>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let Ok(Query(p)) = params else {
        return Ok(error(
            StatusCode::BAD_REQUEST,
            "bad query parameters: year and limit are numbers, open is true or false",
        ));
    };
    let limit = match page.limit() {
        Ok(l) => l,
        Err(e) => return Ok(error(StatusCode::BAD_REQUEST, e)),
    };
    let after = match page.cursor.as_deref() {
        Some(c) => match cursor::decode("incidents", c).and_then(|k| k.parse::<i64>().ok()) {
            Some(id) => Some(id),
            None => return Ok(error(StatusCode::BAD_REQUEST, "the cursor is not valid")),
        },
        None => None,
    };
    let filter = ListFilter {
        year: p.year,
        system: p.system,
        tag: p.tag,
        open_actions: p.open.unwrap_or(false),
        // One more than asked, to know whether a next page exists.
        limit: limit + 1,
        offset: p.offset.unwrap_or(0).max(0),
        ..ListFilter::default()
    };
    let mut next_cursor = None;
    let (mut rows, total, next_href) = if after.is_none() && p.offset.is_some() {
        // The old way: a page by position in the newest-first list.
        let (rows, total) = browse::list(&state.pool, &filter).await?;
        let more = rows.len() as i64 > limit;
        let rest: Vec<&str> = query
            .as_deref()
            .unwrap_or("")
            .split('&')
            .filter(|p| !p.is_empty() && !p.starts_with("offset="))
            .collect();
        let next = more.then(|| {
            let mut parts = rest.clone();
            let offset = format!("offset={}", filter.offset + limit);
            parts.push(&offset);
            format!("/api/incidents?{}", parts.join("&"))
        });
        (rows, total, next)
    } else {
        let rows = browse::list_after(&state.pool, &filter, after).await?;
        let counted = ListFilter {
            limit: 0,
            ..filter.clone()
        };
        let total = browse::list(&state.pool, &counted).await?.1;
        if rows.len() as i64 > limit {
            next_cursor = rows
                .get(limit as usize - 1)
                .map(|last| cursor::encode("incidents", &last.id.to_string()));
        }
        let next = next_cursor
            .as_ref()
            .map(|c| next_link("/api/incidents", query.as_deref(), c));
        (rows, total, next)
    };
    rows.truncate(limit as usize);
    let items: Vec<IncidentItem> = rows
        .into_iter()
        .map(|r| IncidentItem {
            slug: r.slug,
            title: r.title,
            started: r.started,
            severity: r.severity,
            systems: r.systems,
            open_actions: r.open_actions,
            missing: r.missing,
        })
        .collect();
    Ok(paged(
        json!({ "total": total, "incidents": items, "next_cursor": next_cursor }),
        next_href,
    ))
}

async fn incident(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let Some(i) = browse::incident(&state.pool, &slug).await? else {
        return Ok(error(
            StatusCode::NOT_FOUND,
            format!("no incident \"{slug}\""),
        ));
    };
    let related = browse::related(&state.pool, i.id).await?;
    let mut filter = db_actions::ActionFilter::new(tracking::today(), state.site.stale_days);
    filter.incident = Some(i.slug.clone());
    filter.include_removed = true;
    filter.sort = db_actions::ActionSort::Incident;
    let actions = db_actions::list(&state.pool, &filter).await?;
    Ok(Json(json!({
        "slug": i.slug,
        "title": i.title,
        "source": i.source_path,
        "format": i.format,
        "started": i.started,
        "timezone": i.timezone,
        "summary": i.summary,
        "impact": i.impact,
        "detection": i.detection,
        "resolution": i.resolution,
        "severity": i.severity,
        "timeline": i.timeline.iter().map(|t| json!({
            "utc": t.utc_seconds.map(super::format::utc),
            "wall_time": t.wall_time,
            "utc_offset_seconds": t.utc_offset,
            "precision": t.precision,
            "source_text": t.source_text,
            "text": t.text,
            "line": t.line,
        })).collect::<Vec<_>>(),
        "root_causes": i.causes.iter().map(|(t, l)| json!({"text": t, "line": l})).collect::<Vec<_>>(),
        "actions": actions,
        "systems": i.systems,
        "tags": i.tags,
        "references": i.references,
        "related": related.iter().map(|r| json!({"slug": r.slug, "title": r.title, "reason": r.reason})).collect::<Vec<_>>(),
        "warnings": i.warnings.iter().map(|w| json!({"line": w.line, "message": w.message})).collect::<Vec<_>>(),
        "missing_since": i.missing_since,
    }))
    .into_response())
}

/// A page of actions. The body stays the JSON array of actions that scripts read
/// before paging existed; the next page's cursor is in the `Link` header and in
/// `X-Next-Cursor`. Pages are in action id order whatever `sort` says: an order by due
/// date or status would move an action changed between two requests across the page
/// boundary, and the client would see it twice or never.
async fn actions(
    State(state): State<AppState>,
    Query(params): Query<ActionParams>,
    Query(page): Query<PageParams>,
    RawQuery(query): RawQuery,
) -> Result<Response, AppError> {
    let (mut filter, notes) = filter_from(&params, state.site.stale_days);
    if !notes.is_empty() {
        return Ok(error(StatusCode::BAD_REQUEST, notes.join(" ")));
    }
    let limit = match page.limit() {
        Ok(l) => l,
        Err(e) => return Ok(error(StatusCode::BAD_REQUEST, e)),
    };
    filter.sort = db_actions::ActionSort::Id;
    filter.limit = Some(limit + 1);
    if let Some(c) = page.cursor.as_deref() {
        match cursor::decode("id", c) {
            Some(key) => filter.after = Some(key),
            None => return Ok(error(StatusCode::BAD_REQUEST, "the cursor is not valid")),
        }
    }
    let mut rows = db_actions::list(&state.pool, &filter).await?;
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next = more
        .then(|| rows.last())
        .flatten()
        .map(|last| cursor::encode("id", &last.sort_key));
    let mut response = paged(
        serde_json::to_value(&rows).unwrap_or_default(),
        next.as_ref()
            .map(|c| next_link("/api/actions", query.as_deref(), c)),
    );
    if let Some(c) = next
        && let Ok(value) = HeaderValue::from_str(&c)
    {
        response.headers_mut().insert("x-next-cursor", value);
    }
    Ok(response)
}

async fn action(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Some(a) =
        db_actions::get(&state.pool, &id, tracking::today(), state.site.stale_days).await?
    else {
        return Ok(error(StatusCode::NOT_FOUND, format!("no action \"{id}\"")));
    };
    let history = db_actions::history(&state.pool, &id).await?;
    Ok(Json(json!({ "action": a, "history": history })).into_response())
}

/// The body of `POST /api/actions/{id}`: any of the fields; an empty string clears.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    status: Option<String>,
    owner: Option<String>,
    due: Option<String>,
    ticket: Option<String>,
    note: Option<String>,
}

async fn update(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    body: Result<Json<UpdateBody>, axum::extract::rejection::JsonRejection>,
) -> Result<Response, AppError> {
    // Browsers cannot send a bearer token or a JSON body cross-site without CORS, but
    // a session cookie alone is not accepted here: scripts use tokens.
    if visitor.via == Via::Session || visitor.via == Via::Anonymous {
        return Ok(error(
            StatusCode::UNAUTHORIZED,
            "an API token is required: Authorization: Bearer TOKEN (create one with `aftermath user token NAME`)",
        ));
    }
    let Some(actor) = visitor.user.clone() else {
        return Ok(error(
            StatusCode::UNAUTHORIZED,
            "the API token is not valid",
        ));
    };
    let body = match body {
        Ok(Json(b)) => b,
        Err(e) => {
            return Ok(error(
                StatusCode::BAD_REQUEST,
                format!(
                    "the body must be a JSON object with status, owner, due, ticket or note: {}",
                    e.body_text()
                ),
            ));
        }
    };
    let change = match ActionUpdate::from_raw(
        body.status.as_deref(),
        body.owner.as_deref(),
        body.due.as_deref(),
        body.ticket.as_deref(),
        body.note.as_deref(),
    ) {
        Ok(c) => c,
        Err(e) => return Ok(error(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())),
    };
    let write = db_actions::update(&state.pool, &id, &change, &actor, Origin::Api);
    match super::cache::changing_actions(&state, std::slice::from_ref(&id), write).await {
        Ok(outcome) => Ok(Json(outcome).into_response()),
        Err(db_actions::UpdateError::NotFound(_)) => {
            Ok(error(StatusCode::NOT_FOUND, format!("no action \"{id}\"")))
        }
        Err(db_actions::UpdateError::NothingToChange) => {
            Ok(error(StatusCode::UNPROCESSABLE_ENTITY, "nothing to change"))
        }
        Err(e) => {
            tracing::error!(error = %e, "api update failed");
            Ok(error(StatusCode::SERVICE_UNAVAILABLE, e.to_string()))
        }
    }
}
