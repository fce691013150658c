//! `/recurrences`: incidents that happened again after every follow-up action of an
//! earlier, similar incident was closed, with the reason the two are alike (as related
//! incidents show it) and when the earlier one's last action was closed.
//!
//! Invariant: what counts as a recurrence is decided once, in `db::recurrence`.

use super::{AppError, AppState, page};
use crate::db::recurrence;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new().route("/recurrences", get(list))
}

#[derive(Template)]
#[template(path = "recurrences.html")]
struct RecurrencesPage {
    title: String,
    recurrences: Vec<recurrence::Recurrence>,
    high_score: f64,
}

async fn list(State(state): State<AppState>) -> Result<Html<String>, AppError> {
    let recurrences = recurrence::all(&state.pool).await?;
    page(&RecurrencesPage {
        title: "Recurrences".into(),
        recurrences,
        high_score: recurrence::HIGH_SCORE,
    })
}
