//! A small in-memory cache of whole pages, and of incident pages for people who sign in.
//!
//! Anonymous pages carry no per-visitor content (no forms, no CSRF token), so the same
//! URL gives the same bytes until the data changes. Pages that never look at who is
//! asking (home, the incidents list, search, systems and tags: see
//! [`SHARED_PAGES`]) are the same bytes for people who sign in too, so they share the
//! entry. The incident page of a signed-in person differs only in the CSRF token of its
//! forms: [`SignedInPages`] keeps it rendered once with a random per-process
//! placeholder where the token goes, and each request fills in its own token. Entries are tied to a generation
//! that every write in this process bumps (an import, an action change), and expire
//! after a few seconds so writes from other processes (a CLI import) show up quickly.
//!
//! Invariant: only GET responses with status 200, an HTML body and no Set-Cookie are
//! stored, and only for requests without a session, token, proxy user or single-user
//! identity, or for pages that do not read the identity at all. A signed-in page is
//! kept with the placeholder, never with a person's token, so one person's token never
//! reaches another. Memory is bounded in bytes, whatever the URLs asked for: at most
//! [`MAX_BYTES`] of pages and [`MAX_DOCUMENT_BYTES`] of rendered documents.

use super::AppState;
use crate::render::SafeHtml;
use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How long a page is served from memory at most.
const TTL: Duration = Duration::from_secs(5);
/// Pages kept at most.
const MAX_ENTRIES: usize = 2000;
/// Bytes of pages kept at most. Every query string is its own key (a handler ignores
/// parameters it does not know, so `?m=1`, `?m=2`... are the same page under new
/// keys); this bound is what keeps such variants from growing the server.
const MAX_BYTES: usize = 64 * 1024 * 1024;
/// Bodies larger than this are not kept.
const MAX_BODY: usize = 2 * 1024 * 1024;

/// The page cache shared by all requests.
#[derive(Debug, Default)]
pub struct PageCache {
    generation: AtomicU64,
    entries: Mutex<Entries>,
    /// One lock per page being rendered, so a burst of requests for a page that is not
    /// cached renders it once while the others wait for the result.
    inflight: Mutex<HashMap<String, std::sync::Arc<tokio::sync::Mutex<()>>>>,
    /// The filter facets (see [`PageCache::facets`]) and the `/insights` figures per
    /// filter: kept until the incidents change.
    facet_values: Versioned<(), crate::db::browse::Facets>,
    /// Word frequencies and facet values searches read (checked against the version).
    pub search: std::sync::Arc<crate::db::search_memo::SearchMemo>,
    pub insights: Versioned<crate::db::insights::Filter, super::insights::Aggregate>,
    /// The incidents version at which every incident's figures were last found stored
    /// (`web::insights` skips its check for missing figures until it moves).
    pub figures_complete_at: Mutex<Option<i64>>,
    /// Aggregates shared by many pages (home counts), recomputed after a write or when
    /// older than the TTL.
    pub overview: Memo<crate::db::browse::Overview>,
    pub open_incidents: Memo<i64>,
    /// The actions page's counts and per-owner view: a scan of every action each, so
    /// kept like the facets rather than recomputed for every page and filter change.
    pub action_counts: Memo<crate::db::actions::ActionCounts>,
    pub owner_loads: Memo<Vec<crate::db::actions::OwnerLoad>>,
    /// Rendered documents, for every visitor (the page around them differs, the
    /// document does not).
    pub documents: DocumentCache,
    /// Incident pages as people who sign in see them, with a placeholder for the
    /// CSRF token.
    pub signed_in: SignedInPages,
}

/// Who a session cookie or an API token named when last looked up: the user, and the
/// CSRF token of the session (empty for API tokens). Kept by the token's hash for
/// [`TTL`] at most, only to answer [`SignedInPages`] without the database: a read
/// needs no identity, and the forms of a page answered this way still post through
/// the full check of `identity::Visitor`, so a token revoked or a session ended within
/// the last seconds can at most see forms it cannot use.
#[derive(Debug, Default)]
struct Identities {
    entries: Mutex<HashMap<String, (Instant, String)>>,
}

/// Identities kept at most (the map is emptied when full: simple and bounded).
const MAX_IDENTITIES: usize = 10_000;

impl Identities {
    fn get(&self, hash: &str) -> Option<String> {
        let entries = self.entries.lock().ok()?;
        let (at, csrf) = entries.get(hash)?;
        (at.elapsed() < TTL).then(|| csrf.clone())
    }

    fn put(&self, hash: String, csrf: String) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= MAX_IDENTITIES {
                entries.clear();
            }
            entries.insert(hash, (Instant::now(), csrf));
        }
    }
}

/// Incident pages for people with an identity, kept by slug, each rendered with
/// [`SignedInPages::placeholder`] in place of the CSRF token. Tied to the same
/// generation and TTL as whole pages: an action change in this process shows at once,
/// one made by another process within [`TTL`].
#[derive(Debug)]
pub struct SignedInPages {
    placeholder: String,
    entries: Mutex<Entries>,
    /// Pages with a token filled in, by slug and token (see
    /// [`SignedInPages::get_filled`]).
    filled: Mutex<Entries>,
    identities: Identities,
}

impl Default for SignedInPages {
    fn default() -> Self {
        SignedInPages {
            // Random, so no document can contain it (it would be filled in with a
            // token); letters, digits, `-` and `_` only, so escaping leaves it as is.
            placeholder: format!("csrf-placeholder-{}", crate::identity::new_token()),
            entries: Mutex::default(),
            filled: Mutex::default(),
            identities: Identities::default(),
        }
    }
}

impl SignedInPages {
    /// What to render in place of the CSRF token.
    pub fn placeholder(&self) -> &str {
        &self.placeholder
    }

    /// The page kept for `slug` with `csrf` filled in, if one is kept and current.
    pub fn get(&self, cache: &PageCache, slug: &str, csrf: &str) -> Option<String> {
        let generation = cache.generation.load(Ordering::SeqCst);
        let body = {
            let entries = self.entries.lock().ok()?;
            let e = entries.pages.get(slug)?;
            (e.generation == generation && e.stored.elapsed() < TTL).then(|| e.body.clone())?
        };
        let page = std::str::from_utf8(&body).ok()?;
        Some(page.replace(&self.placeholder, &escape_attribute(csrf)))
    }

    /// Like [`SignedInPages::get`], as the bytes of a response, kept once filled in:
    /// the next request with the same token (every API token fills in an empty one) is
    /// answered without copying the page. Kept by slug *and* token, so a filled page
    /// only ever goes back to a holder of the token it carries.
    fn get_filled(&self, cache: &PageCache, slug: &str, csrf: &str) -> Option<Bytes> {
        let generation = cache.generation.load(Ordering::SeqCst);
        let key = format!("{slug}\n{csrf}");
        if let Ok(filled) = self.filled.lock()
            && let Some(e) = filled.pages.get(&key)
            && e.generation == generation
            && e.stored.elapsed() < TTL
        {
            return Some(e.body.clone());
        }
        let page = Bytes::from(self.get(cache, slug, csrf)?);
        if let Ok(mut filled) = self.filled.lock() {
            if let Some(old) = filled.pages.remove(&key) {
                filled.bytes -= old.body.len();
            }
            filled.make_room(page.len(), generation);
            filled.bytes += page.len();
            filled.pages.insert(
                key,
                Entry {
                    generation,
                    stored: Instant::now(),
                    body: page.clone(),
                },
            );
        }
        Some(page)
    }

    /// The generation a page about to be rendered belongs to.
    pub fn generation(&self, cache: &PageCache) -> u64 {
        cache.generation.load(Ordering::SeqCst)
    }

    /// Keeps `page` (rendered with the placeholder at `generation`) for `slug`, and
    /// returns it with `csrf` filled in.
    pub fn put(&self, slug: &str, generation: u64, page: String, csrf: &str) -> String {
        let filled = page.replace(&self.placeholder, &escape_attribute(csrf));
        if page.len() <= MAX_BODY
            && let Ok(mut entries) = self.entries.lock()
        {
            if let Some(old) = entries.pages.remove(slug) {
                entries.bytes -= old.body.len();
            }
            entries.make_room(page.len(), generation);
            entries.bytes += page.len();
            entries.pages.insert(
                slug.to_string(),
                Entry {
                    generation,
                    stored: Instant::now(),
                    body: Bytes::from(page),
                },
            );
        }
        filled
    }

    fn clear(&self) {
        if let Ok(mut e) = self.entries.lock() {
            e.clear();
        }
        if let Ok(mut e) = self.filled.lock() {
            e.clear();
        }
        if let Ok(mut e) = self.identities.entries.lock() {
            e.clear();
        }
    }
}

/// A signed-in incident page answered from [`SignedInPages`] before the handler runs,
/// when the request names its identity by a session cookie or an API token (the
/// identities that read no configuration: a proxy header or single-user mode go the
/// handler's way) and the page is kept. Saves the identity's queries (an API token's
/// lookup also writes its last use, so every signed-in read was a write); the
/// identity is looked up here on a miss and kept for [`TTL`].
async fn signed_in_incident(state: &AppState, asked: Option<SignedInAsk>) -> Option<Response> {
    let SignedInAsk {
        slug,
        token,
        is_session,
    } = asked?;
    let pages = &state.cache.signed_in;
    let hash = crate::identity::token_hash(&token);
    let csrf = match pages.identities.get(&hash) {
        Some(csrf) => csrf,
        None => {
            let csrf = if is_session {
                crate::db::accounts::session_user(&state.pool, &token)
                    .await
                    .ok()??
                    .1
            } else {
                crate::db::accounts::token_user(&state.pool, &token)
                    .await
                    .ok()??;
                String::new()
            };
            pages.identities.put(hash, csrf.clone());
            csrf
        }
    };
    Some(html(pages.get_filled(&state.cache, &slug, &csrf)?))
}

/// What [`signed_in_incident`] needs of a request: the slug, and the session cookie's
/// or the bearer token's value.
struct SignedInAsk {
    slug: String,
    token: String,
    is_session: bool,
}

fn signed_in_ask(state: &AppState, request: &Request) -> Option<SignedInAsk> {
    if request.method() != Method::GET || state.site.single_user.is_some() {
        return None;
    }
    let slug = request.uri().path().strip_prefix("/incidents/")?;
    if slug.is_empty() || slug.contains(['/', '%']) || request.uri().query().is_some() {
        return None;
    }
    let headers = request.headers();
    if state
        .site
        .user_header
        .as_ref()
        .is_some_and(|h| headers.contains_key(h))
    {
        return None;
    }
    let session = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == super::identity::SESSION_COOKIE)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 128);
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let (token, is_session) = match (session, bearer) {
        (Some(s), _) => (s, true),
        (None, Some(t)) => (t, false),
        (None, None) => return None,
    };
    Some(SignedInAsk {
        slug: slug.to_string(),
        token,
        is_session,
    })
}

/// `text` escaped for an HTML attribute value. CSRF tokens are ours (URL-safe base64),
/// but the cookie of a visitor without a session is whatever the browser sent.
fn escape_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Rendered documents kept in memory, keyed by incident and content hash: a changed
/// file has a new hash, so an entry never outlives the version it was rendered from.
/// Documents are rendered from their stored source when first viewed, not at import.
#[derive(Debug, Default)]
pub struct DocumentCache {
    entries: Mutex<(HashMap<i64, (String, std::sync::Arc<SafeHtml>)>, usize)>,
}

/// Documents kept at most; the cache is emptied when full (simple and bounded: about
/// 30 KB each, so a few tens of MB at most).
const MAX_DOCUMENTS: usize = 1000;
/// Bytes of rendered documents kept at most: a document may be megabytes.
const MAX_DOCUMENT_BYTES: usize = 64 * 1024 * 1024;

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
            && let Some((h, html)) = entries.0.get(&incident)
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
            let (documents, bytes) = &mut *entries;
            let len = html.as_str().len();
            if documents.len() >= MAX_DOCUMENTS || *bytes + len > MAX_DOCUMENT_BYTES {
                documents.clear();
                *bytes = 0;
            }
            if let Some((_, old)) = documents.insert(incident, (hash.to_string(), html.clone())) {
                *bytes -= old.as_str().len();
            }
            *bytes += len;
        }
        html
    }
}

/// Values computed over every incident, kept per key (a filter) until the database's
/// incidents counter ([`crate::db::incidents_version`]) moves, whichever process made
/// the change: at 100,000 incidents the `/insights` figures and the filter facets take
/// 0.1 to 0.4 s to compute, and nothing but an import or a figures refresh changes
/// them. Bounded: when [`Versioned::MAX_KEYS`] keys are kept, the map is emptied.
#[derive(Debug)]
pub struct Versioned<K, T> {
    entries: Mutex<HashMap<K, (i64, std::sync::Arc<T>)>>,
    /// Held while a value is computed, so a burst of requests for one that is not kept
    /// computes it once.
    computing: tokio::sync::Mutex<()>,
}

impl<K, T> Default for Versioned<K, T> {
    fn default() -> Self {
        Versioned {
            entries: Mutex::new(HashMap::new()),
            computing: tokio::sync::Mutex::new(()),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone, T> Versioned<K, T> {
    /// Keys kept at most.
    pub const MAX_KEYS: usize = 256;

    fn current(&self, key: &K, version: i64) -> Option<std::sync::Arc<T>> {
        let entries = self.entries.lock().ok()?;
        let (v, value) = entries.get(key)?;
        (*v == version).then(|| value.clone())
    }

    /// The value kept for `key` at `version`, or `compute`'s result (then kept). With
    /// no version (a database without the counter) it is computed every time.
    pub async fn get<E, F>(
        &self,
        key: &K,
        version: Option<i64>,
        compute: F,
    ) -> Result<std::sync::Arc<T>, E>
    where
        F: std::future::Future<Output = Result<T, E>>,
    {
        let Some(version) = version else {
            return Ok(std::sync::Arc::new(compute.await?));
        };
        if let Some(v) = self.current(key, version) {
            return Ok(v);
        }
        let _computing = self.computing.lock().await;
        if let Some(v) = self.current(key, version) {
            return Ok(v);
        }
        let value = std::sync::Arc::new(compute.await?);
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= Self::MAX_KEYS && !entries.contains_key(key) {
                entries.clear();
            }
            entries.insert(key.clone(), (version, value.clone()));
        }
        Ok(value)
    }
}

/// One memoised value tied to the cache generation.
#[derive(Debug)]
pub struct Memo<T> {
    slot: Mutex<Option<(u64, Instant, std::sync::Arc<T>)>>,
    /// Held while the value is computed, so a burst of requests arriving when it has
    /// expired computes it once (the action counts scan every action: fifty requests
    /// each scanning at once brought /actions under load to 31 requests a second).
    computing: tokio::sync::Mutex<()>,
    /// A background recompute is under way ([`PageCache::memo_refreshed`]).
    refreshing: crate::single_flight::SingleFlight,
    /// How long the last computation took, in microseconds.
    took_micros: std::sync::atomic::AtomicU64,
}

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo {
            slot: Mutex::new(None),
            computing: tokio::sync::Mutex::new(()),
            refreshing: Default::default(),
            took_micros: std::sync::atomic::AtomicU64::new(0),
        }
    }
}

impl<T> Memo<T> {
    /// Replaces a value kept for generation `old` by `change` of it, kept for `new`
    /// (when its age, the TTL counts on, stays). Anything else kept is left as is.
    fn adjust(&self, old: u64, new: u64, change: impl FnOnce(&T) -> T) {
        if let Ok(mut slot) = self.slot.lock()
            && let Some((g, at, value)) = slot.as_ref()
            && *g == old
        {
            *slot = Some((new, *at, std::sync::Arc::new(change(value))));
        }
    }

    fn current(&self, generation: u64) -> Option<std::sync::Arc<T>> {
        self.current_for(generation, TTL)
    }

    fn current_for(&self, generation: u64, ttl: Duration) -> Option<std::sync::Arc<T>> {
        let slot = self.slot.lock().ok()?;
        let (g, at, v) = slot.as_ref()?;
        (*g == generation && at.elapsed() < ttl).then(|| v.clone())
    }

    /// How long a value refreshed in the background stays current: the TTL, or
    /// [`REFRESH_COST`] times its last computation when that is longer, so background
    /// recounts take at most about a twentieth of a core (a recount of 1.3 million
    /// actions takes 1.5 s: every 5 s, it competed with every request).
    fn refresh_ttl(&self) -> Duration {
        let took = Duration::from_micros(self.took_micros.load(Ordering::Relaxed));
        TTL.max(took * REFRESH_COST)
    }

    /// Computes with `compute`, recording how long it took.
    async fn timed<E>(
        &self,
        compute: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, E> {
        let started = Instant::now();
        let value = compute.await;
        self.took_micros
            .store(started.elapsed().as_micros() as u64, Ordering::Relaxed);
        value
    }
}

/// A value refreshed in the background is recomputed at most once per this many times
/// its computation ([`Memo::refresh_ttl`]).
const REFRESH_COST: u32 = 20;

impl PageCache {
    /// Every filter value in use with its count, kept until the incidents change.
    pub async fn facets(
        &self,
        pool: &sqlx::SqlitePool,
    ) -> sqlx::Result<std::sync::Arc<crate::db::browse::Facets>> {
        let version = crate::db::incidents_version(pool).await;
        self.facet_values
            .get(&(), version, crate::db::browse::facets(pool))
            .await
    }

    /// The memoised value of `memo`, or `compute`'s result (then remembered).
    pub async fn memo<T, E, F>(&self, memo: &Memo<T>, compute: F) -> Result<std::sync::Arc<T>, E>
    where
        F: std::future::Future<Output = Result<T, E>>,
    {
        let generation = self.generation.load(Ordering::SeqCst);
        if let Some(v) = memo.current(generation) {
            return Ok(v);
        }
        let _computing = memo.computing.lock().await;
        if let Some(v) = memo.current(generation) {
            return Ok(v);
        }
        let value = std::sync::Arc::new(memo.timed(compute).await?);
        if let Ok(mut slot) = memo.slot.lock() {
            *slot = Some((generation, Instant::now(), value.clone()));
        }
        Ok(value)
    }

    /// Like [`PageCache::memo`] for a value that is slow to compute (the action counts
    /// scan every action: 1.5–3 s at 1.3 million): when it has only grown older than
    /// its refresh TTL ([`Memo::refresh_ttl`]: 5 s, or twenty times its last
    /// computation), with no write in this process since, the old value is answered at
    /// once and one background task computes the new one (it can only be off by
    /// changes made from another process since it was computed). After a write here, the value is
    /// computed before answering, as [`PageCache::memo`] does.
    pub async fn memo_refreshed<T, E, F>(
        self: &std::sync::Arc<Self>,
        pick: fn(&PageCache) -> &Memo<T>,
        compute: F,
    ) -> Result<std::sync::Arc<T>, E>
    where
        T: Send + Sync + 'static,
        E: Send + 'static,
        F: std::future::Future<Output = Result<T, E>> + Send + 'static,
    {
        let generation = self.generation.load(Ordering::SeqCst);
        let memo = pick(self);
        let stale = memo.slot.lock().ok().and_then(|slot| {
            slot.as_ref()
                .filter(|(g, _, _)| *g == generation)
                .map(|(_, _, v)| v.clone())
        });
        let Some(stale) = stale else {
            return self.memo(memo, compute).await;
        };
        if memo.current_for(generation, memo.refresh_ttl()).is_some() {
            return Ok(stale);
        }
        if let Some(running) = memo.refreshing.try_start() {
            let cache = self.clone();
            tokio::spawn(async move {
                let _running = running;
                let memo = pick(&cache);
                if let Ok(value) = memo.timed(compute).await
                    && let Ok(mut slot) = memo.slot.lock()
                {
                    *slot = Some((generation, Instant::now(), std::sync::Arc::new(value)));
                }
            });
        }
        Ok(stale)
    }
}

#[derive(Debug, Clone)]
struct Entry {
    generation: u64,
    stored: Instant,
    body: Bytes,
}

/// The kept pages and the bytes of their bodies.
#[derive(Debug, Default)]
struct Entries {
    pages: HashMap<String, Entry>,
    bytes: usize,
}

impl Entries {
    fn clear(&mut self) {
        self.pages.clear();
        self.bytes = 0;
    }

    /// Makes room for a body of `len` bytes: pages that can no longer be served go
    /// first; if that is not enough, everything (simple, and bounded).
    fn make_room(&mut self, len: usize, generation: u64) {
        let full = |e: &Entries| e.pages.len() >= MAX_ENTRIES || e.bytes + len > MAX_BYTES;
        if !full(self) {
            return;
        }
        self.pages
            .retain(|_, e| e.generation == generation && e.stored.elapsed() < TTL);
        self.bytes = self.pages.values().map(|e| e.body.len()).sum();
        if full(self) {
            self.clear();
        }
    }
}

impl PageCache {
    /// An action change made in this process, with the changed actions as they were
    /// before and are after it (`db::actions::get_many`): every page goes, as after
    /// any write, and the kept action counts and per-owner loads take the change in,
    /// so the next actions page needs no recount (2.5 s at 1.3 million actions). Kept
    /// values that were not current before the change are left to be recomputed; a
    /// change another request made between the reads is corrected by the next
    /// recount, at most [`TTL`] later.
    pub fn actions_changed(
        &self,
        before: &[crate::db::actions::ActionRow],
        after: &[crate::db::actions::ActionRow],
    ) {
        use crate::db::actions::add_to_owner_loads;
        let old = self.generation.load(Ordering::SeqCst);
        self.invalidate();
        let new = self.generation.load(Ordering::SeqCst);
        if new != old + 1 {
            return;
        }
        self.action_counts.adjust(old, new, |counts| {
            let mut counts = *counts;
            before.iter().for_each(|r| counts.add(r, -1));
            after.iter().for_each(|r| counts.add(r, 1));
            counts
        });
        self.owner_loads.adjust(old, new, |loads| {
            let mut loads = loads.clone();
            before
                .iter()
                .for_each(|r| add_to_owner_loads(&mut loads, r, -1));
            after
                .iter()
                .for_each(|r| add_to_owner_loads(&mut loads, r, 1));
            loads
        });
    }

    /// Forgets every page: the data changed.
    pub fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        if let Ok(mut e) = self.entries.lock() {
            e.clear();
        }
        self.signed_in.clear();
    }

    fn get(&self, key: &str) -> Option<Bytes> {
        let generation = self.generation.load(Ordering::SeqCst);
        let entries = self.entries.lock().ok()?;
        let e = entries.pages.get(key)?;
        (e.generation == generation && e.stored.elapsed() < TTL).then(|| e.body.clone())
    }

    fn put(&self, key: String, generation: u64, body: Bytes) {
        if let Ok(mut entries) = self.entries.lock() {
            if let Some(old) = entries.pages.remove(&key) {
                entries.bytes -= old.body.len();
            }
            entries.make_room(body.len(), generation);
            entries.bytes += body.len();
            entries.pages.insert(
                key,
                Entry {
                    generation,
                    stored: Instant::now(),
                    body,
                },
            );
        }
    }

    /// Bytes of pages kept now.
    pub fn kept_bytes(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.bytes)
    }
}

/// Pages that never read who is asking: the same bytes for everyone, so people who
/// sign in are served the kept page too. Exact paths, or prefixes ending in `/`.
/// Any other page (the incident page, whose forms carry a token; actions; pages added
/// later) is kept only for visitors without an identity.
const SHARED_PAGES: &[&str] = &[
    "/",
    "/incidents",
    "/search",
    "/systems",
    "/systems/",
    "/tags/",
];

fn shared_page(path: &str) -> bool {
    SHARED_PAGES
        .iter()
        .any(|p| path == *p || (p.ends_with('/') && p.len() > 1 && path.starts_with(p)))
}

fn cacheable(state: &AppState, request: &Request) -> bool {
    if request.method() != Method::GET {
        return false;
    }
    let path = request.uri().path();
    if shared_page(path) {
        return true;
    }
    if state.site.single_user.is_some() {
        return false;
    }
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

/// The answer from the cache, or the handler's (`next`), kept when it is a page.
pub async fn answer(state: &AppState, request: Request, next: Next) -> Response {
    let asked = signed_in_ask(state, &request);
    if let Some(response) = signed_in_incident(state, asked).await {
        return response;
    }
    if !cacheable(state, &request) {
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
    let response = render(state, request, next, key.clone()).await;
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
    // A page too large to keep is sent as it is (reading it first would cost the
    // memory the limit saves).
    let fits = axum::body::HttpBody::size_hint(response.body())
        .upper()
        .is_some_and(|n| n <= MAX_BODY as u64);
    if !fits {
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

// What the actions page keeps, and how changes reach it: shared by the pages and the
// API that change actions.

/// The action counts the page shows, kept by the page cache (a scan of every action).
pub async fn action_counts(
    state: &AppState,
) -> sqlx::Result<std::sync::Arc<crate::db::actions::ActionCounts>> {
    let (pool, stale_days) = (state.pool.clone(), state.site.stale_days);
    state
        .cache
        .memo_refreshed(|c| &c.action_counts, async move {
            crate::db::actions::counts(&pool, crate::tracking::today(), stale_days).await
        })
        .await
}

/// The per-owner view's loads, kept like [`action_counts`].
pub async fn owner_loads(
    state: &AppState,
) -> sqlx::Result<std::sync::Arc<Vec<crate::db::actions::OwnerLoad>>> {
    let pool = state.pool.clone();
    state
        .cache
        .memo_refreshed(|c| &c.owner_loads, async move {
            crate::db::actions::per_owner(&pool, crate::tracking::today()).await
        })
        .await
}

/// Computes what the actions page keeps, so that the first visitor after a start or an
/// import does not wait for it (1 to 3 s at 1.3 million actions). Errors are left for
/// the page to report.
pub async fn warm_up(state: &AppState) {
    state.cache.search.refresh(&state.pool);
    let _ = action_counts(state).await;
    let _ = owner_loads(state).await;
}

/// Runs `write`, a change of the actions `ids` made through `db::actions`, and on
/// success brings what the server keeps up to date: the pages go, and the kept counts
/// take the change in from the actions as they were before and are after it (see
/// [`PageCache::actions_changed`]). When they cannot be read, every kept value goes and
/// is recomputed.
pub async fn changing_actions<T, E>(
    state: &AppState,
    ids: &[String],
    write: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, E> {
    let (today, stale_days) = (crate::tracking::today(), state.site.stale_days);
    let before = crate::db::actions::get_many(&state.pool, ids, today, stale_days).await;
    let result = write.await;
    if result.is_ok() {
        let after = crate::db::actions::get_many(&state.pool, ids, today, stale_days).await;
        match (before, after) {
            // Every id named one action before and after (an API client may name an
            // action by a prefix of its id, which `get_many` does not read).
            (Ok(before), Ok(after)) if before.len() == ids.len() && after.len() == ids.len() => {
                state.cache.actions_changed(&before, &after)
            }
            _ => state.cache.invalidate(),
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_slow_value_is_refreshed_less_often_than_a_quick_one() {
        let memo: Memo<u32> = Memo::default();
        assert_eq!(memo.refresh_ttl(), TTL);
        let quick = memo.timed(async { Ok::<_, ()>(1) }).await;
        assert_eq!(quick, Ok(1));
        assert_eq!(memo.refresh_ttl(), TTL);
        // Recorded as if the computation had taken 1.5 s (a recount at 1.3 million
        // actions): current for 30 s.
        memo.took_micros.store(1_500_000, Ordering::Relaxed);
        assert_eq!(memo.refresh_ttl(), Duration::from_secs(30));
        *memo.slot.lock().unwrap() = Some((
            3,
            Instant::now() - Duration::from_secs(10),
            std::sync::Arc::new(7),
        ));
        assert_eq!(memo.current(3), None, "past the TTL for an ordinary read");
        assert_eq!(memo.current_for(3, memo.refresh_ttl()).as_deref(), Some(&7));
        assert_eq!(
            memo.current_for(4, memo.refresh_ttl()),
            None,
            "another generation"
        );
    }
}
