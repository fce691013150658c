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
use axum::routing::{get, post};
use serde::Deserialize;
use std::borrow::Cow;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/actions", get(list))
        .route("/actions.csv", get(csv))
        .route("/actions/bulk", post(bulk))
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

/// Actions shown on one page; a link leads to the next. The CSV returns all.
const PAGE_LIMIT: i64 = 100;

/// The page's position in the list, beside the filters ([`ActionParams`]).
#[derive(Debug, Default, Deserialize)]
struct PageParams {
    /// Where the page starts: the cursor of the previous page's "next" link.
    cursor: Option<String>,
}

/// The name of a sort order in cursors.
fn order_name(sort: db_actions::ActionSort) -> &'static str {
    match sort {
        db_actions::ActionSort::Due => "due",
        db_actions::ActionSort::Age => "age",
        db_actions::ActionSort::Incident => "incident",
        db_actions::ActionSort::Id => "id",
    }
}

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
    /// More actions match than the page shows.
    more: bool,
    /// The next page of the same list, when there is one.
    next_href: Option<String>,
    /// The first page, when this is a later one.
    first_href: Option<String>,
    counts: ActionCounts,
    owners: Vec<OwnerLoad>,
    by_owner: bool,
    notes: Vec<String>,
    /// A bulk change that could not be made, and why.
    error: Option<String>,
    /// What the last bulk change did.
    changed: Option<String>,
    /// The active filters, each a link that removes it.
    chips: Vec<FilterLink>,
    clear_href: Option<String>,
    status_links: Vec<FilterLink>,
    flag_links: Vec<FilterLink>,
    sort_links: Vec<FilterLink>,
    csv_href: String,
    owners_href: String,
    visitor: Visitor,
    statuses: Vec<(&'static str, &'static str)>,
    /// The query string of the current filters, carried by the bulk form.
    filter_query: String,
    current_status: String,
    owner: String,
    incident: String,
    system: String,
    sort: String,
}

/// The query string of `params` (without `?`).
fn query_string(params: &ActionParams) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("status", &params.status),
        ("owner", &params.owner),
        ("incident", &params.incident),
        ("system", &params.system),
        ("overdue", &params.overdue),
        ("stale", &params.stale),
        ("no_owner", &params.no_owner),
        ("sort", &params.sort),
        ("view", &params.view),
        ("removed", &params.removed),
        ("changed", &params.changed),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.trim().is_empty()) {
            parts.push(format!("{k}={}", format::query_value(v)));
        }
    }
    parts.join("&")
}

/// The address of `path` with `params` changed by `f`.
fn href(path: &str, params: &ActionParams, f: impl FnOnce(&mut ActionParams)) -> String {
    let mut p = params.clone();
    p.changed = None;
    f(&mut p);
    let query = query_string(&p);
    if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{query}")
    }
}

/// The active filters as removable chips.
fn chips(params: &ActionParams) -> Vec<FilterLink> {
    let set = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let on = |v: &Option<String>| {
        v.as_deref()
            .is_some_and(|v| matches!(v, "1" | "true" | "on" | "yes"))
    };
    let mut chips = Vec::new();
    let mut chip = |label: String, f: &dyn Fn(&mut ActionParams)| {
        chips.push(FilterLink {
            label,
            href: href("/actions", params, f),
            active: true,
        })
    };
    match set(&params.status).as_deref() {
        None | Some("open") => {}
        Some("all") => chip("all statuses".into(), &|p| p.status = None),
        Some(s) => chip(format!("status: {}", s.replace('_', " ")), &|p| {
            p.status = None
        }),
    }
    if let Some(o) = set(&params.owner) {
        chip(format!("owner: {o}"), &|p| p.owner = None);
    }
    if let Some(i) = set(&params.incident) {
        chip(format!("incident: {i}"), &|p| p.incident = None);
    }
    if let Some(v) = set(&params.system) {
        chip(format!("system: {v}"), &|p| p.system = None);
    }
    if on(&params.overdue) {
        chip("overdue".into(), &|p| p.overdue = None);
    }
    if on(&params.stale) {
        chip("stale".into(), &|p| p.stale = None);
    }
    if on(&params.no_owner) {
        chip("no owner".into(), &|p| p.no_owner = None);
    }
    if on(&params.removed) {
        chip("with removed actions".into(), &|p| p.removed = None);
    }
    chips
}

async fn list(
    State(state): State<AppState>,
    visitor: Visitor,
    Query(params): Query<ActionParams>,
    Query(position): Query<PageParams>,
) -> Result<Response, AppError> {
    render_list(&state, visitor, params, position.cursor, None).await
}

/// The actions page for `params`; `error` is a bulk change that was refused (the page
/// then answers 422).
async fn render_list(
    state: &AppState,
    visitor: Visitor,
    params: ActionParams,
    cursor: Option<String>,
    error: Option<String>,
) -> Result<Response, AppError> {
    let stale_days = state.site.stale_days;
    let (mut filter, notes) = filter_from(&params, stale_days);
    let order = order_name(filter.sort);
    filter.limit = Some(PAGE_LIMIT + 1);
    filter.after = cursor
        .as_deref()
        .and_then(|c| super::views::cursor::decode(order, c));
    let later_page = filter.after.is_some();
    let by_owner = params.view.as_deref() == Some("owners");
    let mut actions = if by_owner {
        Vec::new()
    } else {
        db_actions::list(&state.pool, &filter).await?
    };
    let more = actions.len() as i64 > PAGE_LIMIT;
    actions.truncate(PAGE_LIMIT as usize);
    let next_href = more.then(|| actions.last()).flatten().map(|last| {
        let next = super::views::cursor::encode(order, &last.sort_key);
        let base = href("/actions", &params, |_| {});
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}cursor={next}")
    });
    let first_href = later_page.then(|| href("/actions", &params, |_| {}));
    let counts = *super::cache::action_counts(state).await?;
    let owners = if by_owner {
        super::cache::owner_loads(state).await?.as_ref().clone()
    } else {
        Vec::new()
    };
    let current_status = params.status.clone().unwrap_or_else(|| "open".into());
    let status_links = [
        ("open", "needs work"),
        ("in_progress", "in progress"),
        ("unknown", "unknown"),
        ("done", "done"),
        ("wontfix", "won't fix"),
        ("all", "all"),
    ]
    .iter()
    .map(|(s, label)| FilterLink {
        label: label.to_string(),
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
    let chips = chips(&params);
    let clear_href = (chips.len() > 1).then(|| {
        href("/actions", &params, |p| {
            *p = ActionParams {
                sort: p.sort.clone(),
                view: p.view.clone(),
                ..ActionParams::default()
            }
        })
    });
    let changed = params
        .changed
        .as_deref()
        .and_then(|c| c.parse::<usize>().ok())
        .map(|n| match n {
            0 => "Nothing changed: the selected actions already had those values.".to_string(),
            1 => "Changed 1 action; its history records the change.".to_string(),
            n => format!("Changed {n} actions; each one's history records its change."),
        });
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let html = page(&ActionsPage {
        title: "Actions".into(),
        actions: actions.into_iter().map(ActionItem::from).collect(),
        more,
        next_href,
        first_href,
        counts,
        owners,
        by_owner,
        notes,
        error,
        changed,
        chips,
        clear_href,
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
        filter_query: query_string(&ActionParams {
            view: None,
            changed: None,
            ..params.clone()
        }),
        current_status: current_status.clone(),
        owner: params.owner.clone().unwrap_or_default(),
        incident: params.incident.clone().unwrap_or_default(),
        system: params.system.clone().unwrap_or_default(),
        sort: params.sort.clone().unwrap_or_default(),
        visitor: visitor.clone(),
    })?;
    let mut response = with_cookie(&visitor, html);
    *response.status_mut() = status;
    Ok(response)
}

/// A bulk change: the same status and/or owner (and note) for the selected actions,
/// or for every action the page's filters match. One form, one CSRF token; each
/// action's history records its change exactly as a single change would.
async fn bulk(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    body: String,
) -> Result<Response, AppError> {
    // Repeated `id` fields: read as pairs, which the typed form reader cannot do.
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    };
    visitor.check_form(field("csrf").unwrap_or(""), &headers)?;
    let actor = visitor.writer()?.to_string();
    let params: ActionParams =
        serde_urlencoded::from_str(field("filter").unwrap_or("")).unwrap_or_default();
    let refuse =
        |message: String| render_list(&state, visitor.clone(), params.clone(), None, Some(message));
    let owner = if field("clear_owner").is_some() {
        Some("")
    } else {
        field("owner")
    };
    let update = match ActionUpdate::from_raw(field("status"), owner, None, None, field("note")) {
        Ok(u) if u.status.is_none() && u.owner.is_none() => {
            return refuse("Choose a status or an owner to set.".into()).await;
        }
        Ok(u) => u,
        Err(e) => return refuse(e.to_string()).await,
    };
    let ids: Vec<String> = if field("scope") == Some("matching") {
        let (filter, _) = filter_from(&params, state.site.stale_days);
        let rows = db_actions::list(&state.pool, &filter).await?;
        if rows.len() > db_actions::BULK_LIMIT {
            return refuse(format!(
                "{} actions match; a bulk change takes at most {}. Narrow the filters.",
                rows.len(),
                db_actions::BULK_LIMIT
            ))
            .await;
        }
        rows.into_iter().map(|a| a.id).collect()
    } else {
        let mut ids: Vec<String> = pairs
            .iter()
            .filter(|(k, v)| k == "id" && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect();
        ids.dedup();
        ids
    };
    if ids.is_empty() {
        return refuse(
            "Select at least one action, or choose every action matching the filters.".into(),
        )
        .await;
    }
    if ids.len() > db_actions::BULK_LIMIT {
        return refuse(format!(
            "A bulk change takes at most {} actions.",
            db_actions::BULK_LIMIT
        ))
        .await;
    }
    let write = db_actions::update_many(&state.pool, &ids, &update, &actor, Origin::Web);
    match super::cache::changing_actions(&state, &ids, write).await {
        Ok((outcomes, _missing)) => {
            let changed = outcomes.iter().filter(|o| !o.changes.is_empty()).count();
            let back = href("/actions", &params, |p| {
                p.changed = Some(changed.to_string())
            });
            Ok(Redirect::to(&back).into_response())
        }
        Err(e) => refuse(e.to_string()).await,
    }
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
    let write = db_actions::update(&state.pool, &id, &update, &actor, Origin::Web);
    match super::cache::changing_actions(&state, std::slice::from_ref(&id), write).await {
        Ok(_) => Ok(Redirect::to(&safe_back(form.back.as_deref(), fallback)).into_response()),
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
