//! A small in-memory cache of whole pages for visitors without an identity.
//!
//! Anonymous pages carry no per-visitor content (no forms, no CSRF token), so the same
//! URL gives the same bytes until the data changes. Entries are tied to a generation
//! that every write in this process bumps (an import, an action change), and expire
//! after a few seconds so writes from other processes (a CLI import) show up quickly.
//!
//! Invariant: only GET responses with status 200, an HTML body and no Set-Cookie are
//! stored, and only for requests without a session, token, proxy user or single-user
//! identity.

use super::AppState;
use crate::render::SafeHtml;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a page is served from memory at most.
const TTL: Duration = Duration::from_secs(5);
/// Pages kept at most; the cache is emptied when full (simple and bounded).
const MAX_ENTRIES: usize = 2000;
/// Bodies larger than this are not kept.
const MAX_BODY: usize = 2 * 1024 * 1024;

/// The page cache shared by all requests.
#[derive(Debug, Default)]
pub struct PageCache {
    generation: AtomicU64,
    entries: Mutex<HashMap<String, Entry>>,
    /// One lock per page being rendered, so a burst of requests for a page that is not
    /// cached renders it once while the others wait for the result.
    inflight: Mutex<HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
    /// Aggregates shared by many pages (filter facets, home counts), recomputed after a
    /// write or when older than the TTL.
    pub facets: Memo<crate::db::browse::Facets>,
    pub overview: Memo<crate::db::browse::Overview>,
    pub open_incidents: Memo<i64>,
    /// Rendered documents, for every visitor (the page around them differs, the
    /// document does not).
    pub documents: DocumentCache,
}

/// Rendered documents kept in memory, keyed by incident and content hash: a changed
/// file has a new hash, so an entry never outlives the version it was rendered from.
/// Documents are rendered from their stored source when first viewed, not at import.
#[derive(Debug, Default)]
pub struct DocumentCache {
    entries: Mutex<HashMap<i64, (String, std::sync::Arc<SafeHtml>)>>,
}

/// Documents kept at most; the cache is emptied when full (simple and bounded: about
/// 30 KB each, so a few tens of MB at most).
const MAX_DOCUMENTS: usize = 1000;

impl DocumentCache {
    /// The rendered document of `incident` at `hash`, rendered by `render` (on a
    /// blocking thread: it is CPU work of a few milliseconds) when not kept yet.
    pub async fn get_or_render<F>(
        &self,
        incident: i64,
        hash: &str,
        render: F,
    ) -> std::sync::Arc<SafeHtml>
    where
        F: FnOnce() -> SafeHtml + Send + 'static,
    {
        if let Ok(entries) = self.entries.lock()
            && let Some((h, html)) = entries.get(&incident)
            && h == hash
        {
            return html.clone();
        }
        let html = std::sync::Arc::new(
            tokio::task::spawn_blocking(render)
                .await
                .unwrap_or_default(),
        );
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_DOCUMENTS {
                entries.clear();
            }
            entries.insert(incident, (hash.to_string(), html.clone()));
        }
        html
    }
}

/// One memoised value tied to the cache generation.
#[derive(Debug)]
pub struct Memo<T> {
    slot: Mutex<Option<(u64, Instant, std::sync::Arc<T>)>>,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo {
            slot: Mutex::new(None),
        }
    }
}

impl PageCache {
    /// The memoised value of `memo`, or `compute`'s result (then remembered).
    pub async fn memo<T, E, F>(&self, memo: &Memo<T>, compute: F) -> Result<std::sync::Arc<T>, E>
    where
        F: std::future::Future<Output = Result<T, E>>,
    {
        let generation = self.generation.load(Ordering::SeqCst);
        if let Ok(slot) = memo.slot.lock()
            && let Some((g, at, v)) = slot.as_ref()
            && *g == generation
            && at.elapsed() < TTL
        {
            return Ok(v.clone());
        }
        let value = std::sync::Arc::new(compute.await?);
        if let Ok(mut slot) = memo.slot.lock() {
            *slot = Some((generation, Instant::now(), value.clone()));
        }
        Ok(value)
    }
}

#[derive(Debug, Clone)]
struct Entry {
    generation: u64,
    stored: Instant,
    body: Bytes,
}

impl PageCache {
    /// Forgets every page: the data changed.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut e) = self.entries.lock() {
            e.clear();
        }
    }

    fn get(&self, key: &str) -> Option<Bytes> {
        let generation = self.generation.load(Ordering::SeqCst);
        let entries = self.entries.lock().ok()?;
        let e = entries.get(key)?;
        (e.generation == generation && e.stored.elapsed() < TTL).then(|| e.body.clone())
    }

    fn put(&self, key: String, generation: u64, body: Bytes) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                key,
                Entry {
                    generation,
                    stored: Instant::now(),
                    body,
                },
            );
        }
    }
}

fn cacheable(state: &AppState, request: &Request) -> bool {
    if request.method() != Method::GET || state.site.single_user.is_some() {
        return false;
    }
    let path = request.uri().path();
    if ["/api", "/actions", "/login", "/static"]
        .iter()
        .any(|p| path.starts_with(p))
    {
        return false;
    }
    let headers = request.headers();
    let has_session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains(super::identity::SESSION_COOKIE));
    let has_proxy_user = state
        .site
        .user_header
        .as_ref()
        .is_some_and(|h| headers.contains_key(h));
    !has_session && !has_proxy_user && !headers.contains_key(header::AUTHORIZATION)
}

fn html(body: Bytes) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        )],
        body,
    )
        .into_response()
}

/// The middleware: answer from the cache, or run the handler and keep its page.
pub async fn layer(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if !cacheable(&state, &request) {
        return next.run(request).await;
    }
    let key = request.uri().to_string();
    if let Some(body) = state.cache.get(&key) {
        return html(body);
    }
    let lock = state
        .cache
        .inflight
        .lock()
        .map(|mut m| m.entry(key.clone()).or_default().clone())
        .ok();
    let Some(lock) = lock else {
        return next.run(request).await;
    };
    let _guard = lock.lock().await;
    if let Some(body) = state.cache.get(&key) {
        return html(body);
    }
    let response = render(&state, request, next, key.clone()).await;
    if let Ok(mut m) = state.cache.inflight.lock() {
        m.remove(&key);
    }
    response
}

async fn render(state: &AppState, request: Request, next: Next, key: String) -> Response {
    let generation = state.cache.generation.load(Ordering::SeqCst);
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if response.status() != StatusCode::OK
        || !is_html
        || response.headers().contains_key(header::SET_COOKIE)
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(bytes) => {
            state.cache.put(key, generation, bytes.clone());
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(_) => (StatusCode::INTERNAL_SERVER_ERROR, "page too large").into_response(),
    }
}
