//! `/metrics` in the Prometheus text format (OpenMetrics, as `prometheus-client`
//! writes it): requests by route and status, request and write latency, imports (files
//! by outcome, duration, the last success), the digest's state and the database's size.
//!
//! Served only on its own listen address (`--metrics-listen`), never on the site's:
//! off by default, and a scrape needs no identity. Counters live in one registry per
//! server, so tests that build several apps in one process each see their own.
//!
//! Invariant: label values are bounded: the route is the matched pattern
//! (`/incidents/{slug}`, never the path asked for) or `unmatched`, the method one of a
//! fixed few, the status a number.

use super::AppState;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

/// A request's route, method and status.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: String,
}

/// A request's route and method.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
    method: String,
}

/// One label: what happened (a file's import outcome, an import's result, a digest
/// send's state).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: String,
}

/// One label: which file of the database.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct FileLabels {
    file: String,
}

type Latency = Family<RouteLabels, Histogram, fn() -> Histogram>;

/// Request latencies from 0.5 ms to about 16 s.
fn latency_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// Import durations from 50 ms to about 27 minutes.
fn import_buckets() -> Histogram {
    Histogram::new(exponential_buckets(0.05, 2.0, 16))
}

/// The server's metrics and the registry they are written from.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Latency,
    writes: Latency,
    import_files: Family<OutcomeLabels, Counter>,
    imports: Family<OutcomeLabels, Counter>,
    import_duration: Histogram,
    import_running: Gauge,
    import_last_success: Gauge<f64, AtomicU64>,
    digest_failing: Gauge,
    digest_sends: Family<OutcomeLabels, Gauge>,
    database_bytes: Family<FileLabels, Gauge>,
    database_damaged: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("aftermath");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route pattern, method and status",
            requests.clone(),
        );
        let latency: Latency = Family::new_with_constructor(latency_buckets);
        registry.register(
            "http_request_duration_seconds",
            "Time to answer a request, by route pattern and method",
            latency.clone(),
        );
        let writes: Latency = Family::new_with_constructor(latency_buckets);
        registry.register(
            "write_duration_seconds",
            "Time to answer a request that writes (an action change, a sign-in), by route",
            writes.clone(),
        );
        let import_files = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "import_files",
            "Files seen by imports, by outcome: imported, unchanged, failed",
            import_files.clone(),
        );
        let imports = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "imports",
            "Imports run (start-up and --watch), by result: ok or failed",
            imports.clone(),
        );
        let import_duration = import_buckets();
        registry.register(
            "import_duration_seconds",
            "How long each import took",
            import_duration.clone(),
        );
        let import_running = Gauge::default();
        registry.register(
            "import_running",
            "1 while an import runs",
            import_running.clone(),
        );
        let import_last_success = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "import_last_success_timestamp_seconds",
            "When the last import that did not fail ended (Unix time)",
            import_last_success.clone(),
        );
        let digest_failing = Gauge::default();
        registry.register(
            "digest_failing",
            "1 when a weekly digest send failed after its last retry and no later week reached that recipient",
            digest_failing.clone(),
        );
        let digest_sends = Family::<OutcomeLabels, Gauge>::default();
        registry.register(
            "digest_sends",
            "Weekly digest messages recorded, by state: sent, sending, failed, released",
            digest_sends.clone(),
        );
        let database_bytes = Family::<FileLabels, Gauge>::default();
        registry.register(
            "database_bytes",
            "Size of the database on disk: the main file and its write-ahead log",
            database_bytes.clone(),
        );
        let database_damaged = Gauge::default();
        registry.register(
            "database_damaged",
            "1 when the start-up integrity check found damage",
            database_damaged.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            writes,
            import_files,
            imports,
            import_duration,
            import_running,
            import_last_success,
            digest_failing,
            digest_sends,
            database_bytes,
            database_damaged,
        }
    }
}

impl Metrics {
    /// Counts one answered request.
    pub fn request(&self, route: &str, method: &Method, status: StatusCode, took: Duration) {
        let method = method_label(method);
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                method: method.to_string(),
                status: status.as_u16().to_string(),
            })
            .inc();
        let labels = RouteLabels {
            route: route.to_string(),
            method: method.to_string(),
        };
        let seconds = took.as_secs_f64();
        self.latency.get_or_create(&labels).observe(seconds);
        if !matches!(method, "GET" | "HEAD" | "OPTIONS") {
            self.writes.get_or_create(&labels).observe(seconds);
        }
    }

    /// An import started.
    pub fn import_started(&self) {
        self.import_running.set(1);
    }

    /// An import ended: its file counts when it did not fail.
    pub fn import_finished(&self, files: Option<ImportCounts>, took: Duration) {
        self.import_running.set(0);
        self.import_duration.observe(took.as_secs_f64());
        let outcome = |o: &str| OutcomeLabels {
            outcome: o.to_string(),
        };
        match files {
            Some(c) => {
                self.imports.get_or_create(&outcome("ok")).inc();
                for (name, n) in [
                    ("imported", c.imported),
                    ("unchanged", c.unchanged),
                    ("failed", c.failed),
                ] {
                    self.import_files.get_or_create(&outcome(name)).inc_by(n);
                }
                let now = std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap_or_default();
                self.import_last_success.set(now.as_secs_f64());
            }
            None => {
                self.imports.get_or_create(&outcome("failed")).inc();
            }
        }
    }

    /// Reads what is measured at scrape time (database size, digest state, damage)
    /// and writes every metric in the text format.
    async fn render(&self, state: &AppState) -> String {
        if let Ok(size) = crate::db::maintenance::size(&state.pool).await {
            for (file, bytes) in [("main", size.file_bytes), ("wal", size.wal_bytes)] {
                self.database_bytes
                    .get_or_create(&FileLabels { file: file.into() })
                    .set(i64::try_from(bytes).unwrap_or(i64::MAX));
            }
        }
        if let Ok(failure) = crate::db::digest::last_failure(&state.pool).await {
            self.digest_failing.set(i64::from(failure.is_some()));
        }
        if let Ok(counts) = crate::db::digest::count_by_state(&state.pool).await {
            for (state, n) in counts {
                self.digest_sends
                    .get_or_create(&OutcomeLabels { outcome: state })
                    .set(n);
            }
        }
        let damaged = state.status.damage().is_some_and(|d| !d.is_empty());
        self.database_damaged.set(i64::from(damaged));
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// What an import did, for the counters.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportCounts {
    pub imported: u64,
    pub unchanged: u64,
    pub failed: u64,
}

/// The method as a label: the few the site answers, everything else "other".
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::HEAD => "HEAD",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// The metrics listener's whole application: `/metrics` and nothing else.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(metrics))
        .with_state(state)
}

async fn metrics(State(state): State<AppState>) -> Response {
    let Some(metrics) = state.metrics.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let text = metrics.render(&state).await;
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/openmetrics-text; version=1.0.0; charset=utf-8",
                ),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        text,
    )
        .into_response()
}
