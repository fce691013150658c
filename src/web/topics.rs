//! System and tag pages: every incident touching a system (or carrying a tag) and its
//! open actions.

use super::views::{ActionLine, IncidentItem, incident_items};
use super::{AppError, AppState, page};
use crate::db::browse::{self, Topic};
use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::response::Html;
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

async fn show(
    state: &AppState,
    kind: &'static str,
    name: String,
) -> Result<Html<String>, AppError> {
    if name.is_empty() || name.len() > 200 {
        return Err(AppError::NotFound);
    }
    let topic = if kind == "system" {
        Topic::System(&name)
    } else {
        Topic::Tag(&name)
    };
    let (incidents, actions) = browse::topic(&state.pool, topic).await?;
    if incidents.is_empty() {
        return Err(AppError::NotFound);
    }
    page(&TopicPage {
        title: format!("{} {name}", if kind == "system" { "System" } else { "Tag" }),
        kind,
        name,
        incidents: incident_items(incidents),
        actions: actions.into_iter().map(ActionLine::from).collect(),
    })
}

async fn system(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Html<String>, AppError> {
    show(&state, "system", name).await
}

async fn tag(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Html<String>, AppError> {
    show(&state, "tag", name).await
}

async fn systems(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let facets = browse::facets(&state.pool).await?;
    let enc = |v: Vec<(String, i64)>| {
        v.into_iter()
            .map(|(s, n)| (super::format::path_segment(&s), s, n))
            .collect()
    };
    page(&SystemsPage {
        title: "Systems and tags".into(),
        systems: enc(facets.systems),
        tags: enc(facets.tags),
    })
}
