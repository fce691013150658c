//! What searches keep between requests: each word's document frequency and every
//! incident's facet values (start year, systems, tags), each tied to the incidents
//! version (`data_versions`) it was read at.
//!
//! Why: per search, the frequencies cost an fts5vocab walk of each word's document
//! list and the facets a b-tree seek per sampled match, a fifth of a search's CPU
//! under concurrent load, plus a statement each (sqlx hands every statement to its
//! worker thread and back).
//!
//! Invariants:
//! * Facet values are used only at the version read in the same statement as the
//!   matches they count, so they are never stale. They are built in the background
//!   (once per version, whoever asks first); until then a search counts in SQL.
//! * Frequencies only choose how a search ranks (`browse::search`), never which
//!   incidents match. They are dropped as soon as a search sees a newer version, so
//!   at most the searches running across a change use the older ones.
//! * Memory is bounded: at most [`MAX_WORDS`] frequencies, and one facet entry per
//!   incident.

use sqlx::SqlitePool;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Frequencies kept at most; past it they are dropped and read again as needed.
const MAX_WORDS: usize = 20_000;
/// A prefix with more completions than this is searched as a prefix.
pub const MAX_COMPLETIONS: usize = 32;

#[derive(Default)]
pub struct SearchMemo {
    state: Mutex<State>,
    /// A facet build is running.
    building: AtomicBool,
    /// Whether the database keeps a version counter (`None`: not asked yet). An old
    /// database opened read-only has none; then nothing is kept.
    versioned: tokio::sync::OnceCell<bool>,
}

#[derive(Default)]
struct State {
    /// The version the incident count and frequencies were read at.
    version: Option<i64>,
    incidents: Option<i64>,
    frequencies: HashMap<String, i64>,
    /// The index's words that start with a prefix, per prefix: `None` when more than
    /// [`MAX_COMPLETIONS`].
    completions: HashMap<String, Option<Vec<String>>>,
    facets: Option<Arc<FacetValues>>,
}

impl std::fmt::Debug for SearchMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.state.lock();
        let (words, facets) = state.as_ref().map_or((0, None), |s| {
            (s.frequencies.len(), s.facets.as_ref().map(|f| f.version))
        });
        f.debug_struct("SearchMemo")
            .field("words", &words)
            .field("facets_version", &facets)
            .finish()
    }
}

impl State {
    fn clear_words(&mut self) {
        self.frequencies.clear();
        self.completions.clear();
    }
}

/// Every incident's facet values at one version.
pub struct FacetValues {
    pub version: i64,
    by_id: HashMap<i64, Values>,
}

#[derive(Default)]
struct Values {
    /// The start year, for a live incident with a start.
    year: Option<Arc<str>>,
    systems: Vec<Arc<str>>,
    tags: Vec<Arc<str>>,
}

/// The facet values of some incidents, in the order met.
#[derive(Default)]
pub struct Sampled<'a> {
    pub years: Vec<&'a str>,
    pub systems: Vec<&'a str>,
    pub tags: Vec<&'a str>,
}

impl FacetValues {
    /// The values of `ids`, as the SQL over the same ids would list them.
    pub fn of(&self, ids: &[i64]) -> Sampled<'_> {
        let mut out = Sampled::default();
        for v in ids.iter().filter_map(|id| self.by_id.get(id)) {
            out.years.extend(v.year.as_deref());
            out.systems.extend(v.systems.iter().map(|s| &**s));
            out.tags.extend(v.tags.iter().map(|s| &**s));
        }
        out
    }
}

impl SearchMemo {
    /// Whether the database has a version counter (asked once).
    pub async fn versioned(&self, pool: &SqlitePool) -> bool {
        *self
            .versioned
            .get_or_init(|| async { super::incidents_version(pool).await.is_some() })
            .await
    }

    /// The incident count and the frequency of each key, when all are kept.
    pub fn frequencies(&self, keys: &[String]) -> Option<(i64, Vec<i64>)> {
        let state = self.state.lock().ok()?;
        let total = state.incidents?;
        let dfs = keys
            .iter()
            .map(|k| state.frequencies.get(k).copied())
            .collect::<Option<Vec<_>>>()?;
        Some((total, dfs))
    }

    /// Keeps the incident count, frequencies and prefix completions read at `version`.
    pub fn remember(
        &self,
        version: i64,
        incidents: i64,
        frequencies: &[(String, i64)],
        completions: Vec<(String, Option<Vec<String>>)>,
    ) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if state.version != Some(version) {
            state.clear_words();
            state.version = Some(version);
        }
        if state.frequencies.len() + frequencies.len() > MAX_WORDS
            || state.completions.len() + completions.len() > MAX_WORDS / 10
        {
            state.clear_words();
        }
        state.incidents = Some(incidents);
        state
            .frequencies
            .extend(frequencies.iter().map(|(k, n)| (k.clone(), *n)));
        state.completions.extend(completions);
    }

    /// The completions of each prefix of `prefixes` that has at most
    /// [`MAX_COMPLETIONS`], and the version they were read at; `None` unless all are
    /// kept.
    pub fn completions(&self, prefixes: &[&str]) -> Option<(i64, HashMap<String, Vec<String>>)> {
        let state = self.state.lock().ok()?;
        let version = state.version?;
        let mut out = HashMap::new();
        for p in prefixes {
            if let Some(words) = state.completions.get(*p)?.clone() {
                out.insert(p.to_string(), words);
            }
        }
        Some((version, out))
    }

    /// A search read the matches at `version`: frequencies of another version go.
    pub fn saw(&self, version: i64) {
        if let Ok(mut state) = self.state.lock()
            && state.version != Some(version)
        {
            state.version = Some(version);
            state.incidents = None;
            state.clear_words();
        }
    }

    /// The facet values at `version`, if built; otherwise a build starts in the
    /// background (unless one is running) and `None` is returned.
    pub fn facets_at(
        self: &Arc<Self>,
        pool: &SqlitePool,
        version: i64,
    ) -> Option<Arc<FacetValues>> {
        if let Ok(state) = self.state.lock()
            && let Some(f) = &state.facets
            && f.version == version
        {
            return Some(f.clone());
        }
        self.refresh(pool);
        None
    }

    /// The version of the facet values kept, if any.
    pub fn facets_version(&self) -> Option<i64> {
        self.state.lock().ok()?.facets.as_ref().map(|f| f.version)
    }

    /// Builds the facet values at the current version in the background, unless a
    /// build is running. Needs a Tokio runtime.
    pub fn refresh(self: &Arc<Self>, pool: &SqlitePool) {
        if self.building.swap(true, Ordering::AcqRel) {
            return;
        }
        let memo = self.clone();
        let pool = pool.clone();
        tokio::spawn(async move {
            match FacetValues::read(&pool).await {
                Ok(f) => {
                    if let Ok(mut state) = memo.state.lock()
                        && state
                            .facets
                            .as_ref()
                            .is_none_or(|old| old.version < f.version)
                    {
                        state.facets = Some(Arc::new(f));
                    }
                }
                Err(e) => tracing::warn!(error = %e, "reading the search facets failed"),
            }
            memo.building.store(false, Ordering::Release);
        });
    }
}

impl FacetValues {
    /// Every incident's values, in one read transaction so they and the version agree.
    pub async fn read(pool: &SqlitePool) -> sqlx::Result<FacetValues> {
        let mut tx = pool.begin().await?;
        let version: i64 =
            sqlx::query_scalar("select version from data_versions where name = 'incidents'")
                .fetch_one(&mut *tx)
                .await?;
        // Each list as one JSON value: sqlx hands rows over one at a time.
        let years: String = sqlx::query_scalar(
            "select json_group_array(json_array(id, substr(started, 1, 4)))
             from incidents indexed by incidents_figures
             where started is not null and removed_at is null",
        )
        .fetch_one(&mut *tx)
        .await?;
        let systems: String = sqlx::query_scalar(
            "select json_group_array(json_array(incident_id, system)) from incident_systems",
        )
        .fetch_one(&mut *tx)
        .await?;
        let tags: String = sqlx::query_scalar(
            "select json_group_array(json_array(incident_id, tag)) from incident_tags",
        )
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        let decode = |s: &str| -> sqlx::Result<Vec<(i64, String)>> {
            serde_json::from_str(s).map_err(|e| sqlx::Error::Decode(Box::new(e)))
        };
        let mut by_id: HashMap<i64, Values> = HashMap::new();
        // One allocation per distinct value, shared by every incident that has it.
        let mut interned: HashMap<String, Arc<str>> = HashMap::new();
        let mut intern = |s: String| -> Arc<str> {
            interned
                .entry(s)
                .or_insert_with_key(|k| Arc::from(k.as_str()))
                .clone()
        };
        for (id, year) in decode(&years)? {
            by_id.entry(id).or_default().year = Some(intern(year));
        }
        for (id, system) in decode(&systems)? {
            by_id.entry(id).or_default().systems.push(intern(system));
        }
        for (id, tag) in decode(&tags)? {
            by_id.entry(id).or_default().tags.push(intern(tag));
        }
        Ok(FacetValues { version, by_id })
    }
}
