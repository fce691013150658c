//! Follow-up actions as tracked items: the actions page (filters, counts, per-owner
//! view, CSV), one action with its history and its form, and the form post.

use super::forms::{ActionParams, filter_from, status_choices, with_cookie};
use super::identity::Visitor;
use super::{AppError, AppState, format, page};
use crate::db::actions::{self as db_actions, ActionCounts, ActionEvent, ActionRow, OwnerLoad};
use crate::model::ActionStatus;
use crate::tracking::{self, ActionUpdate, Origin};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;
use std::borrow::Cow;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/actions", get(list))
        .route("/actions.csv", get(csv))
        .route("/actions/{id}", get(show).post(change))
}

/// A tracked action as the actions page and its own page show it.
struct ActionItem {
    id: String,
    /// The incident's slug.
    incident: String,
    incident_title: String,
    text: String,
    details: Option<String>,
    status: ActionStatus,
    owner: Option<String>,
    due: Option<String>,
    ticket: Option<String>,
    priority: Option<String>,
    kind: Option<String>,
    created_at: String,
    updated_at: String,
    updated_by: Option<String>,
    completed_at: Option<String>,
    removed: bool,
    overdue: bool,
    stale: bool,
    no_owner: bool,
}

impl From<ActionRow> for ActionItem {
    fn from(row: ActionRow) -> ActionItem {
        ActionItem {
            id: row.id,
            incident: row.incident,
            incident_title: row.incident_title,
            text: row.text,
            details: row.details,
            status: row.status,
            owner: row.owner,
            due: row.due,
            ticket: row.ticket,
            priority: row.priority,
            kind: row.kind,
            created_at: row.created_at,
            updated_at: row.updated_at,
            updated_by: row.updated_by,
            completed_at: row.completed_at,
            removed: row.removed,
            overdue: row.overdue,
            stale: row.stale,
            no_owner: row.no_owner,
        }
    }
}

/// One change in an action's history.
struct HistoryEntry {
    at: String,
    actor: String,
    /// web | cli | api | document
    origin: String,
    /// What changed: status, owner, due, ticket, note, text, created, removed, restored.
    field: String,
    old_value: Option<String>,
    new_value: Option<String>,
}

impl From<ActionEvent> for HistoryEntry {
    fn from(row: ActionEvent) -> HistoryEntry {
        HistoryEntry {
            at: row.at,
            actor: row.actor,
            origin: row.origin,
            field: row.field,
            old_value: row.old_value,
            new_value: row.new_value,
        }
    }
}

/// Actions shown on one page; the CSV and the API return all.
const PAGE_LIMIT: i64 = 300;

/// A filter link: label, href, whether active.
pub struct FilterLink {
    pub label: String,
    pub href: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "actions.html")]
struct ActionsPage {
    title: String,
    actions: Vec<ActionItem>,
    counts: ActionCounts,
    owners: Vec<OwnerLoad>,
    by_owner: bool,
    notes: Vec<String>,
    status_links: Vec<FilterLink>,
    flag_links: Vec<FilterLink>,
    sort_links: Vec<FilterLink>,
    csv_href: String,
    owners_href: String,
    visitor: Visitor,
    statuses: Vec<(&'static str, &'static str)>,
    back: String,
    current_status: String,
    owner: String,
    incident: String,
    system: String,
}

/// The query string of `params` with `f` applied.
fn href(path: &str, params: &ActionParams, f: impl FnOnce(&mut ActionParams)) -> String {
    let mut p = params.clone();
    f(&mut p);
    let mut parts = Vec::new();
    for (k, v) in [
        ("status", &p.status),
        ("owner", &p.owner),
        ("incident", &p.incident),
        ("system", &p.system),
        ("overdue", &p.overdue),
        ("stale", &p.stale),
        ("no_owner", &p.no_owner),
        ("sort", &p.sort),
        ("view", &p.view),
        ("removed", &p.removed),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            parts.push(format!("{k}={}", format::query_value(v)));
        }
    }
    if parts.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", parts.join("&"))
    }
}

async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(params): Query<ActionParams>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let stale_days = state.site.stale_days;
    let (mut filter, mut notes) = filter_from(&params, stale_days);
    filter.limit = Some(PAGE_LIMIT + 1);
    let mut actions = db_actions::list(&state.pool, &filter).await?;
    if actions.len() as i64 > PAGE_LIMIT {
        actions.truncate(PAGE_LIMIT as usize);
        notes.push(format!(
            "Showing the first {PAGE_LIMIT} actions; narrow the filters or download the CSV for all."
        ));
    }
    let counts = db_actions::counts(&state.pool, tracking::today(), stale_days).await?;
    let owners = db_actions::per_owner(&state.pool, tracking::today()).await?;
    let current_status = params.status.clone().unwrap_or_else(|| "open".into());
    let status_links = ["open", "in_progress", "done", "wontfix", "all"]
        .iter()
        .map(|s| FilterLink {
            label: s.replace('_', " "),
            href: href("/actions", &params, |p| p.status = Some(s.to_string())),
            active: current_status == *s,
        })
        .collect();
    let flag_links = [
        ("overdue", "overdue"),
        ("stale", "stale"),
        ("no_owner", "no owner"),
    ]
    .iter()
    .map(|(key, label)| {
        let active = match *key {
            "overdue" => filter.overdue,
            "stale" => filter.stale,
            _ => filter.no_owner,
        };
        let value = if active { None } else { Some("1".to_string()) };
        FilterLink {
            label: label.to_string(),
            href: href("/actions", &params, |p| match *key {
                "overdue" => p.overdue = value,
                "stale" => p.stale = value,
                _ => p.no_owner = value,
            }),
            active,
        }
    })
    .collect();
    let sort_links = [
        ("due", "due date"),
        ("age", "age"),
        ("incident", "incident"),
    ]
    .iter()
    .map(|(key, label)| FilterLink {
        label: label.to_string(),
        href: href("/actions", &params, |p| p.sort = Some(key.to_string())),
        active: params.sort.as_deref().unwrap_or("due") == *key,
    })
    .collect();
    let back = href("/actions", &params, |_| {});
    let html = page(&ActionsPage {
        title: "Actions".into(),
        actions: actions.into_iter().map(ActionItem::from).collect(),
        counts,
        owners,
        by_owner: params.view.as_deref() == Some("owners"),
        notes,
        status_links,
        flag_links,
        sort_links,
        csv_href: href("/actions.csv", &params, |p| p.view = None),
        owners_href: href("/actions", &params, |p| {
            p.view = if p.view.as_deref() == Some("owners") {
                None
            } else {
                Some("owners".into())
            }
        }),
        statuses: status_choices(),
        back,
        current_status: current_status.clone(),
        owner: params.owner.clone().unwrap_or_default(),
        incident: params.incident.clone().unwrap_or_default(),
        system: params.system.clone().unwrap_or_default(),
        visitor: visitor.clone(),
    })?;
    let _ = headers;
    Ok(with_cookie(&visitor, html))
}

/// A field with a leading formula character neutralised, so a spreadsheet never
/// evaluates text from a document (the `csv` crate quotes, but cannot know this).
fn neutralised(s: &str) -> Cow<'_, str> {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

async fn csv(
    State(state): State<AppState>,
    Query(params): Query<ActionParams>,
) -> Result<Response, AppError> {
    let (filter, _) = filter_from(&params, state.site.stale_days);
    let actions = db_actions::list(&state.pool, &filter).await?;
    // The header row as it always was, then every field quoted.
    let columns =
        "id,incident,text,status,owner,due,ticket,priority,type,overdue,stale,updated_at\r\n";
    let mut out = csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::Always)
        .terminator(csv::Terminator::CRLF)
        .from_writer(columns.as_bytes().to_vec());
    for a in actions {
        let overdue = a.overdue.to_string();
        let stale = a.stale.to_string();
        let fields = [
            a.id.as_str(),
            &a.incident,
            &a.text,
            a.status.as_str(),
            a.owner.as_deref().unwrap_or_default(),
            a.due.as_deref().unwrap_or_default(),
            a.ticket.as_deref().unwrap_or_default(),
            a.priority.as_deref().unwrap_or_default(),
            a.kind.as_deref().unwrap_or_default(),
            &overdue,
            &stale,
            &a.updated_at,
        ];
        out.write_record(fields.map(neutralised).iter().map(|f| f.as_bytes()))
            .expect("a record of twelve fields written to memory");
    }
    let out = out.into_inner().expect("writing to memory does not fail");
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"actions.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

/// The values last typed into the form, shown again with the error.
#[derive(Debug, Default, Deserialize, Clone)]
pub struct ChangeForm {
    pub csrf: Option<String>,
    pub status: Option<String>,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub ticket: Option<String>,
    pub note: Option<String>,
    pub back: Option<String>,
}

#[derive(Template)]
#[template(path = "action.html")]
struct ActionPage {
    title: String,
    a: ActionItem,
    history: Vec<HistoryEntry>,
    visitor: Visitor,
    statuses: Vec<(&'static str, &'static str)>,
    error: Option<String>,
    error_field: String,
    form: ChangeForm,
    ticket_url: Option<String>,
    saved: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct ShowParams {
    saved: Option<String>,
}

async fn render_action(
    state: &AppState,
    visitor: Visitor,
    id: &str,
    error: Option<(String, String)>,
    form: Option<ChangeForm>,
    saved: bool,
) -> Result<Response, AppError> {
    let Some(a) =
        db_actions::get(&state.pool, id, tracking::today(), state.site.stale_days).await?
    else {
        return Err(AppError::NotFound);
    };
    let history = db_actions::history(&state.pool, id).await?;
    let ticket_url = a.ticket.as_deref().and_then(|t| {
        match super::links::resolve(t, &[], &state.site.tickets) {
            super::links::Target::External { url } => Some(url),
            _ => None,
        }
    });
    let form = form.unwrap_or_else(|| ChangeForm {
        status: Some(a.status.as_str().to_string()),
        owner: a.owner.clone(),
        due: a.due.clone(),
        ticket: a.ticket.clone(),
        ..ChangeForm::default()
    });
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let (error, error_field) = match error {
        Some((m, f)) => (Some(m), f),
        None => (None, String::new()),
    };
    let html = page(&ActionPage {
        title: a.text.chars().take(80).collect(),
        a: a.into(),
        history: history.into_iter().map(HistoryEntry::from).collect(),
        visitor: visitor.clone(),
        statuses: status_choices(),
        error,
        error_field,
        form,
        ticket_url,
        saved,
    })?;
    let mut response = with_cookie(&visitor, html);
    *response.status_mut() = status;
    Ok(response)
}

async fn show(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    Query(params): Query<ShowParams>,
) -> Result<Response, AppError> {
    render_action(&state, visitor, &id, None, None, params.saved.is_some()).await
}

/// Only same-site paths are followed after a post: a `/` and then printable ASCII (the
/// pages write `back` percent-encoded). Browsers drop tabs and newlines from a URL and
/// read `\\` as `/`, so `/\t/host` or `/\\host` would leave the site; control
/// characters would not even make a header. Anything else goes to the action's page.
fn safe_back(back: Option<&str>, fallback: String) -> String {
    match back {
        Some(b)
            if b.len() < 2000
                && b.starts_with('/')
                && !b.starts_with("//")
                && b.bytes().all(|c| c.is_ascii_graphic() && c != b'\\') =>
        {
            b.to_string()
        }
        _ => fallback,
    }
}

async fn change(
    State(state): State<AppState>,
    visitor: Visitor,
    Path(id): Path<String>,
    headers: HeaderMap,
    Form(form): Form<ChangeForm>,
) -> Result<Response, AppError> {
    visitor.check_form(form.csrf.as_deref().unwrap_or(""), &headers)?;
    let actor = visitor.writer()?.to_string();
    let Some(current) =
        db_actions::get(&state.pool, &id, tracking::today(), state.site.stale_days).await?
    else {
        return Err(AppError::NotFound);
    };
    // A form field that still shows the current value is not a change.
    let same = |new: &Option<String>, old: &Option<String>| {
        new.as_deref().map(str::trim).unwrap_or("") == old.as_deref().unwrap_or("")
    };
    let pick = |new: &Option<String>, old: &Option<String>| -> Option<String> {
        if new.is_none() || same(new, old) {
            None
        } else {
            new.clone()
        }
    };
    let status = form
        .status
        .as_deref()
        .filter(|s| *s != current.status.as_str())
        .map(str::to_string);
    let update = ActionUpdate::from_raw(
        status.as_deref(),
        pick(&form.owner, &current.owner).as_deref(),
        pick(&form.due, &current.due).as_deref(),
        pick(&form.ticket, &current.ticket).as_deref(),
        form.note.as_deref(),
    );
    let update = match update {
        Ok(u) => u,
        Err(e) => {
            let field = e.field().unwrap_or("").to_string();
            return render_action(
                &state,
                visitor,
                &id,
                Some((e.to_string(), field)),
                Some(form),
                false,
            )
            .await;
        }
    };
    let fallback = format!("/actions/{}?saved=1", format::path_segment(&id));
    if update.is_empty() {
        return Ok(Redirect::to(&safe_back(form.back.as_deref(), fallback)).into_response());
    }
    match db_actions::update(&state.pool, &id, &update, &actor, Origin::Web).await {
        Ok(_) => {
            state.cache.invalidate();
            Ok(Redirect::to(&safe_back(form.back.as_deref(), fallback)).into_response())
        }
        Err(db_actions::UpdateError::NotFound(_)) => Err(AppError::NotFound),
        Err(e) => {
            tracing::error!(error = %e, "action update failed");
            render_action(
                &state,
                visitor,
                &id,
                Some((e.to_string(), String::new())),
                Some(form),
                false,
            )
            .await
        }
    }
}
