//! The web UI: server-rendered pages over the database (axum + askama).
//!
//! Each submodule owns its routes; [`app`] assembles them with the Host check
//! ([`host`]), the security headers (on every response, error pages included), one log
//! line per request and its metrics ([`telemetry`]), the server's notices
//! ([`status`]), a timeout and a body limit. Tests drive [`app`] directly; `/metrics`
//! is its own app ([`metrics::app`]) for its own listen address.
//!
//! Invariant: handlers never build SQL (they call `db`), templates receive view structs,
//! and every string from a document reaches HTML either escaped by askama or as a
//! [`crate::render::SafeHtml`]. No error page shows internal details.

mod actions;
mod api;
mod assets;
pub mod cache;
mod error;
mod feeds;
mod format;
mod forms;
mod health;
mod home;
pub mod host;
pub mod identity;
mod incidents;
mod insights;
mod links;
mod login;
pub mod metrics;
mod milestones;
mod query;
mod recurrences;
mod search;
pub mod status;
mod telemetry;
pub mod throttle;
mod timeline;
mod topics;
mod views;

pub use cache::warm_up;
pub use error::AppError;
pub use insights::precompute as precompute_insights;

use crate::config::TicketLink;
use axum::Router;
use axum::http::{HeaderValue, header};
use sqlx::SqlitePool;
use std::sync::Arc;
use std::time::Duration;
use tower_http::set_header::SetResponseHeaderLayer;

/// What every handler can reach: one shared [`Shared`], so a clone is one reference
/// count. Axum clones the state for each layer a request passes through; with the
/// fields cloned one by one that was a fifth of a cached page's CPU under load (six
/// reference counts per clone, bounced between cores).
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// The state's parts.
pub struct Shared {
    pub pool: SqlitePool,
    pub site: Arc<Site>,
    /// Whole pages for anonymous visitors; invalidated by every write.
    pub cache: Arc<cache::PageCache>,
    /// Recent failed sign-ins, per name and per client address.
    pub login_throttle: Arc<throttle::LoginThrottle>,
    /// The server's background work (start-up import, start-up check), as `serve`
    /// reports it.
    pub status: Arc<status::Status>,
    /// Request, import and database metrics; `None` unless `/metrics` is served.
    pub metrics: Option<Arc<metrics::Metrics>>,
}

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// State over a database with the given site settings.
    pub fn new(pool: SqlitePool, site: Site) -> AppState {
        AppState::with_metrics(pool, site, None)
    }

    /// State that also keeps request, import and database metrics.
    pub fn with_metrics(
        pool: SqlitePool,
        site: Site,
        metrics: Option<Arc<metrics::Metrics>>,
    ) -> AppState {
        AppState(Arc::new(Shared {
            pool,
            site: Arc::new(site),
            cache: Arc::default(),
            login_throttle: Arc::default(),
            status: Arc::default(),
            metrics,
        }))
    }
}

/// Settings the pages need.
#[derive(Debug, Clone, Default)]
pub struct Site {
    /// Ticket systems whose IDs become links.
    pub tickets: Vec<TicketLink>,
    /// Open actions unchanged this long are stale.
    pub stale_days: u32,
    /// Header a trusted reverse proxy sets to the user's name.
    pub user_header: Option<axum::http::HeaderName>,
    /// Proxies whose user header is believed.
    pub trusted_proxies: Vec<crate::identity::TrustedProxy>,
    /// The name every write is recorded under when single-user mode is on (loopback
    /// servers only).
    pub single_user: Option<String>,
    /// Always mark cookies Secure (the site is served over TLS).
    pub secure_cookies: bool,
    /// Host names the server answers to besides `localhost` and IP addresses (see
    /// [`host`]).
    pub public_hosts: Vec<String>,
    /// Let documents show images from other sites. Off by default: a remote image
    /// tells its owner who read the document, and when.
    pub remote_images: bool,
}

impl Site {
    /// The Content-Security-Policy of every response: no script at all, styles and
    /// images from this site (and `data:` images), remote https images only when
    /// [`Site::remote_images`] allows them.
    pub fn content_security_policy(&self) -> String {
        format!(
            "default-src 'none'; style-src 'self'; img-src 'self' data:{}; \
             form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
            if self.remote_images { " https:" } else { "" }
        )
    }
}

/// The whole application as one router.
pub fn app(state: AppState) -> Router {
    let csp =
        HeaderValue::from_str(&state.site.content_security_policy()).expect("the policy is ASCII");
    let security = [
        (header::CONTENT_SECURITY_POLICY, csp),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
    ];
    let telemetry = axum::middleware::from_fn_with_state(state.clone(), telemetry::layer);
    let mut router = Router::new()
        .merge(health::routes())
        .merge(home::routes())
        .merge(incidents::routes())
        .merge(insights::routes())
        .merge(recurrences::routes())
        .merge(feeds::routes())
        .merge(search::routes())
        .merge(topics::routes())
        .merge(actions::routes())
        .merge(login::routes())
        .merge(api::routes())
        .merge(assets::routes())
        .fallback(error::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), front))
        .with_state(state)
        .layer(tower_http::limit::RequestBodyLimitLayer::new(256 * 1024))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(
            error::panic_response,
        ));
    // Outside every layer that can answer by itself (a panic, a timeout, a body over
    // the limit), so error responses carry the headers too.
    for (name, value) in security {
        router = router.layer(SetResponseHeaderLayer::if_not_present(name, value));
    }
    // Outermost, so every answer is logged and counted, refusals and panics included.
    router.layer(telemetry)
}

/// In front of every handler, in this order: the Host check ([`host`]), then the
/// page cache ([`cache`]), then the status notices, added outside the cache so cached
/// pages are kept without the notices of the moment ([`status`]). One middleware, not
/// three: each layer costs every request a clone of the state and of the routes
/// inside it, and a boxed future.
async fn front(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if let Some(refused) = host::refusal(&state, &request) {
        return refused;
    }
    let response = cache::answer(&state, request, next).await;
    status::with_notices(&state, response).await
}

/// Renders a template into an HTML response.
fn page(template: &impl askama::Template) -> Result<axum::response::Html<String>, AppError> {
    Ok(axum::response::Html(template.render()?))
}
