//! The web boundary's one error type and the error pages.

use crate::db::WriteProblem;
use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No such page or incident.
    #[error("not found")]
    NotFound,
    /// The request was understood but a value is wrong; the message is for the user.
    #[error("{0}")]
    BadRequest(String),
    /// The request is not allowed (a CSRF failure, a refused identity).
    #[error("{0}")]
    Forbidden(String),
    /// Writing needs an identity and the visitor has none.
    #[error("sign in required")]
    SignInRequired,
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A template failed to render.
    #[error("template error: {0}")]
    Template(#[from] askama::Error),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    title: String,
    status: u16,
    message: String,
    path: String,
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = match &self {
            AppError::NotFound => (
                StatusCode::NOT_FOUND,
                "There is no page here. The incident may have been renamed, or the link is mistyped."
                    .to_string(),
            ),
            AppError::BadRequest(m) => (StatusCode::BAD_REQUEST, m.clone()),
            AppError::Forbidden(m) => (StatusCode::FORBIDDEN, m.clone()),
            // Writes the storage refuses: the visitor is told why, and pages still work.
            AppError::Database(e) if WriteProblem::of(e) == Some(WriteProblem::ReadOnly) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "This database is read-only: pages can be read, but changes cannot be saved."
                    .to_string(),
            ),
            AppError::Database(e) if WriteProblem::of(e) == Some(WriteProblem::DiskFull) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "The disk holding the database is full: the change was not saved.".to_string(),
            ),
            // A damaged file: the page says so instead of a bare server error, and
            // other pages keep working (serve's start-up check names the damaged parts).
            AppError::Database(e) if crate::db::maintenance::is_damage(e) => {
                tracing::error!(error = %self, "the database is damaged");
                (
                    StatusCode::SERVICE_UNAVAILABLE,
                    "Part of the database behind this page is damaged, so it cannot be shown. Other pages may still work. An administrator should run `aftermath check` and restore the last backup."
                        .to_string(),
                )
            }
            AppError::SignInRequired => (
                StatusCode::UNAUTHORIZED,
                "Changing actions needs an identity: sign in at /login, or ask your administrator to configure the reverse proxy's user header."
                    .to_string(),
            ),
            AppError::Database(_) | AppError::Template(_) => {
                tracing::error!(error = %self, "request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong on our side. It has been logged.".to_string(),
                )
            }
        };
        error_page(status, message, String::new())
    }
}

fn error_page(status: StatusCode, message: String, path: String) -> Response {
    let page = ErrorPage {
        title: status.canonical_reason().unwrap_or("Error").to_string(),
        status: status.as_u16(),
        message,
        path,
    };
    match page.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, page.message).into_response(),
    }
}

/// The fallback route: a 404 page that helps find what was meant.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    let path = uri.path().to_string();
    error_page(
        StatusCode::NOT_FOUND,
        "There is no page here. Search for what you were looking for, or browse the incidents."
            .to_string(),
        path,
    )
}

/// A panic in a handler becomes a plain 500 page; the details go to the log only.
pub fn panic_response(err: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let detail = err
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| err.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!(panic = detail, "handler panicked");
    error_page(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side. It has been logged.".to_string(),
        String::new(),
    )
}
