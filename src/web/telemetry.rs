//! One log line per request, at info: method, route pattern, status and duration, as
//! fields (so `--log-format json` gives them as JSON keys); and the request metrics
//! when `/metrics` is on.
//!
//! Invariant: the route is the pattern that matched (`/actions/{id}`), never the path
//! asked for, so neither log fields nor metric labels carry what a visitor typed; the
//! path is logged only at debug.

use super::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::time::Instant;

/// Middleware: times the request and reports it once answered.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    tracing::debug!(target: "aftermath::request", %method, path = %request.uri().path(), "request");
    let response = next.run(request).await;
    let took = started.elapsed();
    let status = response.status();
    tracing::info!(
        target: "aftermath::request",
        %method,
        route = %route,
        status = status.as_u16(),
        duration_ms = (took.as_secs_f64() * 1e6).round() / 1e3,
        "request"
    );
    if let Some(metrics) = &state.metrics {
        metrics.request(&route, &method, status, took);
    }
    response
}
