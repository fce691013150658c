//! System and tag pages: every incident touching a system (or carrying a tag) and its
//! open actions.

use super::views::{ActionLine, IncidentItem, incident_items};
use super::{AppError, AppState, page};
use crate::db::browse::{self, Topic};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/systems", get(systems))
        .route("/systems/{name}", get(system))
        .route("/tags/{name}", get(tag))
}

#[derive(Template)]
#[template(path = "topic.html")]
struct TopicPage {
    title: String,
    kind: &'static str,
    name: String,
    incidents: Vec<IncidentItem>,
    actions: Vec<ActionLine>,
}

#[derive(Template)]
#[template(path = "systems.html")]
struct SystemsPage {
    title: String,
    systems: Vec<(String, String, i64)>,
    tags: Vec<(String, String, i64)>,
}

async fn show(state: &AppState, kind: &'static str, name: String) -> Result<Response, AppError> {
    if name.is_empty() || name.len() > 200 {
        return Err(AppError::NotFound);
    }
    // A system is found by any of its names (`k8s` is Kubernetes).
    let name = if kind == "system" {
        crate::search::system_name(&name)
    } else {
        name
    };
    let topic = if kind == "system" {
        Topic::System(&name)
    } else {
        Topic::Tag(&name)
    };
    let (incidents, actions) = browse::topic(&state.pool, topic).await?;
    // A system or tag no incident has gets a page saying so (and a 404 status), not
    // the generic "not found" page.
    let status = if incidents.is_empty() {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::OK
    };
    let html = page(&TopicPage {
        title: format!("{} {name}", if kind == "system" { "System" } else { "Tag" }),
        kind,
        name,
        incidents: incident_items(incidents),
        actions: actions.into_iter().map(ActionLine::from).collect(),
    })?;
    Ok((status, html).into_response())
}

async fn system(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    show(&state, "system", name).await
}

async fn tag(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    show(&state, "tag", name).await
}

async fn systems(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let facets = state.cache.facets(&state.pool).await?;
    let enc = |v: &[(String, i64)]| {
        v.iter()
            .map(|(s, n)| (super::format::path_segment(s), s.clone(), *n))
            .collect()
    };
    page(&SystemsPage {
        title: "Systems and tags".into(),
        systems: enc(&facets.systems),
        tags: enc(&facets.tags),
    })
}
