//! Follow-up actions as tracked items: the actions page (filters, counts, per-owner
//! view, CSV), one action with its history and its form, the form post, and sign-in.

use super::identity::{ClientAddr, SESSION_COOKIE, Visitor};
use super::{AppError, AppState, format, page, throttle};
use crate::db::accounts;
use crate::db::actions::{
    self as db_actions, ActionCounts, ActionEvent, ActionFilter, ActionRow, ActionSort, OwnerLoad,
};
use crate::model::ActionStatus;
use crate::tracking::{self, ActionUpdate, Origin};
use askama::Template;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use std::time::Instant;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/actions", get(list))
        .route("/actions.csv", get(csv))
        .route("/actions/{id}", get(show).post(change))
        .route("/login", get(login_form).post(login))
        .route("/logout", post(logout))
}

/// Filters of the actions page and the API, as query parameters (all optional, parsed
/// leniently: a bad value becomes a note, never an error page).
#[derive(Debug, Default, Deserialize, Clone)]
pub struct ActionParams {
    pub status: Option<String>,
    pub owner: Option<String>,
    pub incident: Option<String>,
    pub system: Option<String>,
    pub overdue: Option<String>,
    pub stale: Option<String>,
    pub no_owner: Option<String>,
    pub sort: Option<String>,
    pub view: Option<String>,
    pub removed: Option<String>,
}

fn flag(v: &Option<String>) -> bool {
    v.as_deref()
        .is_some_and(|v| matches!(v, "1" | "true" | "on" | "yes"))
}

/// Builds the database filter from the parameters; problems become notes.
pub fn filter_from(params: &ActionParams, stale_days: u32) -> (ActionFilter, Vec<String>) {
    let mut notes = Vec::new();
    let mut f = ActionFilter::new(tracking::today(), stale_days);
    let clean = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 200)
            .map(str::to_string)
    };
    if let Some(s) = clean(&params.status) {
        if s != "all" {
            match tracking::parse_status_filter(&s) {
                Ok(statuses) => f.statuses = statuses,
                Err(e) => notes.push(e.to_string()),
            }
        }
    } else {
        f = f.open();
    }
    f.owner = clean(&params.owner);
    f.incident = clean(&params.incident);
    f.system = clean(&params.system);
    f.overdue = flag(&params.overdue);
    f.stale = flag(&params.stale);
    f.no_owner = flag(&params.no_owner);
    f.include_removed = flag(&params.removed);
    f.sort = match params.sort.as_deref() {
        None | Some("") | Some("due") => ActionSort::Due,
        Some("age") => ActionSort::Age,
        Some("incident") => ActionSort::Incident,
        Some(other) => {
            notes.push(format!(
                "\"{other}\" is not a sort order; sorted by due date."
            ));
            ActionSort::Due
        }
    };
    (f, notes)
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
    actions: Vec<ActionRow>,
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

/// Status choices for forms: value and label.
pub fn status_choices() -> Vec<(&'static str, &'static str)> {
    ActionStatus::ALL
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect()
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
        actions,
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

/// Adds the CSRF cookie to a page response when the page has forms (the visitor has an
/// identity) and the visitor has no token yet. Pages without forms set no cookie, so
/// they stay identical for every anonymous visitor.
pub fn with_cookie(visitor: &Visitor, html: Html<String>) -> Response {
    let cookie = if visitor.user.is_some() {
        visitor.csrf_set_cookie()
    } else {
        None
    };
    with_csrf_cookie(cookie, html)
}

fn with_csrf_cookie(cookie: Option<String>, html: Html<String>) -> Response {
    match cookie {
        Some(c) => ([(header::SET_COOKIE, c)], html).into_response(),
        None => html.into_response(),
    }
}

/// A CSV field: quoted, quotes doubled, and a leading formula character neutralised so
/// a spreadsheet never evaluates text from a document.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

async fn csv(
    State(state): State<AppState>,
    Query(params): Query<ActionParams>,
) -> Result<Response, AppError> {
    let (filter, _) = filter_from(&params, state.site.stale_days);
    let actions = db_actions::list(&state.pool, &filter).await?;
    let mut out = String::from(
        "id,incident,text,status,owner,due,ticket,priority,type,overdue,stale,updated_at\r\n",
    );
    for a in actions {
        let fields = [
            a.id.clone(),
            a.incident.clone(),
            a.text.clone(),
            a.status.as_str().to_string(),
            a.owner.clone().unwrap_or_default(),
            a.due.clone().unwrap_or_default(),
            a.ticket.clone().unwrap_or_default(),
            a.priority.clone().unwrap_or_default(),
            a.kind.clone().unwrap_or_default(),
            a.overdue.to_string(),
            a.stale.to_string(),
            a.updated_at.clone(),
        ];
        out.push_str(
            &fields
                .iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push_str("\r\n");
    }
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
    a: ActionRow,
    history: Vec<ActionEvent>,
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
        a,
        history,
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

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    title: String,
    visitor: Visitor,
    error: Option<String>,
    name: String,
}

async fn login_form(
    State(_state): State<AppState>,
    visitor: Visitor,
) -> Result<Response, AppError> {
    let html = page(&LoginPage {
        title: "Sign in".into(),
        visitor: visitor.clone(),
        error: None,
        name: String::new(),
    })?;
    Ok(with_csrf_cookie(visitor.csrf_set_cookie(), html))
}

#[derive(Debug, Default, Deserialize)]
pub struct LoginForm {
    csrf: Option<String>,
    name: Option<String>,
    password: Option<String>,
}

/// The sign-in page again, with `message` above the form and the name kept.
fn login_refused(
    visitor: &Visitor,
    name: &str,
    status: StatusCode,
    message: String,
) -> Result<Response, AppError> {
    let html = page(&LoginPage {
        title: "Sign in".into(),
        visitor: visitor.clone(),
        error: Some(message),
        name: name.chars().take(100).collect(),
    })?;
    let mut r = with_csrf_cookie(visitor.csrf_set_cookie(), html);
    *r.status_mut() = status;
    Ok(r)
}

async fn login(
    State(state): State<AppState>,
    visitor: Visitor,
    ClientAddr(client): ClientAddr,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Result<Response, AppError> {
    visitor.check_form(form.csrf.as_deref().unwrap_or(""), &headers)?;
    let name = form.name.unwrap_or_default();
    let password = form.password.unwrap_or_default();
    // Refused before the password is looked at, so a locked name cannot be guessed at
    // and costs no argon2 time.
    let attempt = match state.login_throttle.attempt(&name, client, Instant::now()) {
        Ok(attempt) => attempt,
        Err(wait) => {
            let shown: String = name.chars().take(100).collect();
            tracing::warn!(name = ?shown, client = ?client, "sign-in refused after too many failures");
            let mut r = login_refused(
                &visitor,
                &name,
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "Too many failed sign-in attempts; try again in {}.",
                    throttle::wait_in_minutes(wait)
                ),
            )?;
            r.headers_mut().insert(
                header::RETRY_AFTER,
                HeaderValue::from(wait.as_secs().max(1)),
            );
            return Ok(r);
        }
    };
    let user = if name.len() <= 200 && password.len() <= 1000 {
        accounts::verify_password(&state.pool, name.trim(), &password).await?
    } else {
        None
    };
    let Some(user) = user else {
        return login_refused(
            &visitor,
            &name,
            StatusCode::UNAUTHORIZED,
            "That name and password do not match.".into(),
        );
    };
    state.login_throttle.succeeded(attempt);
    let (token, _csrf) = accounts::create_session(&state.pool, &user).await?;
    let cookie = format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        accounts::SESSION_DAYS * 86400,
        if visitor.secure { "; Secure" } else { "" }
    );
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/actions")).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub struct LogoutForm {
    csrf: Option<String>,
}

async fn logout(
    State(state): State<AppState>,
    visitor: Visitor,
    headers: HeaderMap,
    Form(form): Form<LogoutForm>,
) -> Result<Response, AppError> {
    visitor.check_form(form.csrf.as_deref().unwrap_or(""), &headers)?;
    if let Some(token) = &visitor.session_token {
        accounts::delete_session(&state.pool, token).await?;
    }
    let cookie = format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    Ok(([(header::SET_COOKIE, cookie)], Redirect::to("/")).into_response())
}
