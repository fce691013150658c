//! What the server is doing besides answering requests, as the pages, `/readyz` and
//! `/metrics` report it: the start-up import running in the background, the last
//! import's result, and what the start-up integrity check found damaged.
//!
//! `serve` (which knows the import) sets it; the web only reads it. While an import
//! runs, or when the check found damage, every HTML page carries a notice saying so,
//! added here so that no page handler or template needs to know.
//!
//! Invariant: the notice is a fixed, escaped text inserted after `<main id="main">`
//! of HTML responses only; cached pages are stored without it (this layer sits
//! outside the page cache).

use super::AppState;
use axum::body::Body;
use axum::http::header;
use axum::response::Response;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// The server's background work, as last reported.
#[derive(Debug, Default)]
pub struct Status {
    importing: AtomicBool,
    last_import: Mutex<Option<Import>>,
    /// The parts of the site the start-up check found damaged; `None` until it ran.
    damage: Mutex<Option<Vec<String>>>,
}

/// How an import ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Import {
    /// False when the import itself failed (not when some files did).
    pub ok: bool,
    /// When it ended (RFC 3339, UTC).
    pub at: String,
    /// Its summary line, or the error.
    pub summary: String,
}

impl Status {
    /// An import started.
    pub fn import_started(&self) {
        self.importing.store(true, Ordering::Release);
    }

    /// The import ended: `Ok(summary)` or `Err(error)`.
    pub fn import_finished(&self, result: Result<String, String>) {
        let import = Import {
            ok: result.is_ok(),
            at: crate::db::now(),
            summary: result.unwrap_or_else(|e| e),
        };
        if let Ok(mut last) = self.last_import.lock() {
            *last = Some(import);
        }
        self.importing.store(false, Ordering::Release);
    }

    /// Whether an import runs now.
    pub fn importing(&self) -> bool {
        self.importing.load(Ordering::Acquire)
    }

    /// How the last import ended, if one ran.
    pub fn last_import(&self) -> Option<Import> {
        self.last_import.lock().ok().and_then(|l| l.clone())
    }

    /// Records what the start-up check found: the damaged parts of the site (empty
    /// when the database is sound).
    pub fn checked(&self, damaged: Vec<String>) {
        if let Ok(mut damage) = self.damage.lock() {
            *damage = Some(damaged);
        }
    }

    /// The damaged parts of the site, as the check found them (`None`: not checked).
    pub fn damage(&self) -> Option<Vec<String>> {
        self.damage.lock().ok().and_then(|d| d.clone())
    }

    /// The notices every page shows now, as HTML (fixed text, escaped).
    fn notices(&self) -> String {
        let mut html = String::new();
        if self.importing() {
            html.push_str(
                "<p class=\"note\" role=\"status\">Importing postmortems… pages show what is imported so far.</p>\n",
            );
        }
        if let Some(damage) = self.damage().filter(|d| !d.is_empty()) {
            let parts: Vec<String> = damage
                .iter()
                .map(|d| crate::render::escape(d).as_str().to_string())
                .collect();
            html.push_str(&format!(
                "<p class=\"alert\" role=\"alert\">The database is damaged: {} may fail to show. \
                 An administrator should run <code>aftermath check</code> and restore a backup.</p>\n",
                parts.join("; ")
            ));
        }
        html
    }
}

/// Where the notice goes: at the start of every page's main content.
const MAIN: &str = "<main id=\"main\">";

/// Bodies larger than this are passed through untouched (pages are far smaller).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// `response` with the current notices added, when it is an HTML page.
pub async fn with_notices(state: &AppState, response: Response) -> Response {
    let notices = state.status.notices();
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if notices.is_empty() || !html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let text = String::from_utf8_lossy(&bytes);
    let Some(at) = text.find(MAIN) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    let at = at + MAIN.len();
    let with = format!("{}\n{notices}{}", &text[..at], &text[at..]);
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(with))
}
