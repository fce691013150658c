//! The JSON API: incidents and actions for scripts, and action updates with the same
//! identity rules as the browser (a bearer token, a trusted proxy, or single-user mode).

use super::forms::{ActionParams, filter_from};
use super::identity::{Via, Visitor};
use super::{AppError, AppState};
use crate::db::actions as db_actions;
use crate::db::browse::{self, ListFilter};
use crate::tracking::{self, ActionUpdate, Origin};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
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

#[derive(Debug, Default, Deserialize)]
struct IncidentParams {
    year: Option<i32>,
    system: Option<String>,
    tag: Option<String>,
    open: Option<bool>,
    limit: Option<i64>,
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
) -> Result<Response, AppError> {
    let Ok(Query(p)) = params else {
        return Ok(error(
            StatusCode::BAD_REQUEST,
            "bad query parameters: year and limit are numbers, open is true or false",
        ));
    };
    let filter = ListFilter {
        year: p.year,
        system: p.system,
        tag: p.tag,
        open_actions: p.open.unwrap_or(false),
        limit: p.limit.unwrap_or(100).clamp(1, 1000),
        offset: p.offset.unwrap_or(0).max(0),
        ..ListFilter::default()
    };
    let (rows, total) = browse::list(&state.pool, &filter).await?;
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
    Ok(Json(json!({ "total": total, "incidents": items })).into_response())
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

async fn actions(
    State(state): State<AppState>,
    Query(params): Query<ActionParams>,
) -> Result<Response, AppError> {
    let (filter, notes) = filter_from(&params, state.site.stale_days);
    if !notes.is_empty() {
        return Ok(error(StatusCode::BAD_REQUEST, notes.join(" ")));
    }
    let rows = db_actions::list(&state.pool, &filter).await?;
    Ok(Json(rows).into_response())
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
    match db_actions::update(&state.pool, &id, &change, &actor, Origin::Api).await {
        Ok(outcome) => {
            state.cache.invalidate();
            Ok(Json(outcome).into_response())
        }
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
