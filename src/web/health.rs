//! `/healthz` and `/readyz`, for load balancers and orchestrators: JSON, no identity
//! needed, never cached.
//!
//! * `/healthz`: the process is up and answering (200, always).
//! * `/readyz`: 200 when the database answers a read and the start-up check found no
//!   damage, the last import did not fail, and no weekly digest is failing; otherwise
//!   503. Each check is listed with what it found.
//!
//! Invariant: neither touches anything a page shows, and neither writes.

use super::AppState;
use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use std::time::Duration;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
}

/// How long `/readyz` waits for the database before calling it unreadable.
const DATABASE_WAIT: Duration = Duration::from_secs(2);

/// One check of `/readyz`.
#[derive(Debug, Serialize)]
struct Check {
    ok: bool,
    detail: String,
}

#[derive(Debug, Serialize)]
struct Ready {
    /// "ready" or "not ready".
    status: &'static str,
    database: Check,
    import: Check,
    digest: Check,
}

fn uncached(status: StatusCode, body: impl Serialize) -> Response {
    (
        status,
        [(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        Json(body),
    )
        .into_response()
}

async fn healthz() -> Response {
    uncached(StatusCode::OK, serde_json::json!({ "status": "up" }))
}

async fn readyz(State(state): State<AppState>) -> Response {
    let read =
        tokio::time::timeout(DATABASE_WAIT, crate::db::maintenance::readable(&state.pool)).await;
    let database = match (read, state.status.damage()) {
        (Err(_), _) => Check {
            ok: false,
            detail: format!("no answer within {} s", DATABASE_WAIT.as_secs()),
        },
        (Ok(Err(e)), _) => Check {
            ok: false,
            detail: format!("cannot read: {e}"),
        },
        (Ok(Ok(())), Some(damage)) if !damage.is_empty() => Check {
            ok: false,
            detail: format!(
                "readable, but the start-up check found damage: {}",
                damage.join("; ")
            ),
        },
        (Ok(Ok(())), None) => Check {
            ok: true,
            detail: "readable (start-up check still running)".into(),
        },
        (Ok(Ok(())), Some(_)) => Check {
            ok: true,
            detail: "readable; the start-up check found no damage".into(),
        },
    };
    let import = match (state.status.importing(), state.status.last_import()) {
        (true, _) => Check {
            ok: true,
            detail: "importing".into(),
        },
        (false, None) => Check {
            ok: true,
            detail: "no import has run".into(),
        },
        (false, Some(last)) => Check {
            ok: last.ok,
            detail: format!(
                "{} at {}: {}",
                if last.ok {
                    "last import ok"
                } else {
                    "last import failed"
                },
                last.at,
                last.summary
            ),
        },
    };
    let digest = match crate::db::digest::last_failure(&state.pool).await {
        Ok(None) => Check {
            ok: true,
            detail: "no failing send".into(),
        },
        Ok(Some(f)) => Check {
            ok: false,
            detail: format!(
                "the {} digest to {} failed {} times, last at {}: {}",
                f.week, f.recipient, f.attempts, f.at, f.error
            ),
        },
        Err(e) => Check {
            ok: false,
            detail: format!("cannot read the digest's sends: {e}"),
        },
    };
    let ok = database.ok && import.ok && digest.ok;
    let ready = Ready {
        status: if ok { "ready" } else { "not ready" },
        database,
        import,
        digest,
    };
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    uncached(status, ready)
}
