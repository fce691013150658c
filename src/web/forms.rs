//! What several pages share: the action filter read from a query string (the actions
//! page, its CSV and the API), the status choices of the action form (the actions page,
//! an action's page, an incident's page), and the CSRF cookie of pages with forms.
//!
//! Handler modules never import each other; what two of them need lives here.

use super::identity::Visitor;
use crate::db::actions::{ActionFilter, ActionSort};
use crate::model::ActionStatus;
use crate::tracking;
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

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
    /// How many actions the last bulk change changed (the page says so).
    pub changed: Option<String>,
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

/// Status choices for forms: value and label.
pub fn status_choices() -> Vec<(&'static str, &'static str)> {
    ActionStatus::ALL
        .iter()
        .map(|s| (s.as_str(), s.label()))
        .collect()
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

pub fn with_csrf_cookie(cookie: Option<String>, html: Html<String>) -> Response {
    match cookie {
        Some(c) => ([(header::SET_COOKIE, c)], html).into_response(),
        None => html.into_response(),
    }
}
