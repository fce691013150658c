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

use super::browse::Facets;
use rustc_hash::FxHashMap;
use sqlx::SqlitePool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Frequencies kept at most; past it they are dropped and read again as needed.
const MAX_WORDS: usize = 20_000;
/// A prefix with more completions than this is searched as a prefix.
pub const MAX_COMPLETIONS: usize = 32;

#[derive(Default)]
pub struct SearchMemo {
    state: Mutex<State>,
    /// A facet build is running.
    building: crate::single_flight::SingleFlight,
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
///
/// Each distinct spelling is kept once and numbered; spellings that differ only in
/// ASCII case share a group, which is what a facet counts (as SQLite's `nocase`
/// groups them). A search then tallies small numbers instead of hashing strings.
pub struct FacetValues {
    pub version: i64,
    by_id: FxHashMap<i64, Values>,
    /// Every distinct spelling, by number.
    spellings: Vec<Arc<str>>,
    /// Each spelling's group, by spelling number.
    group_of: Vec<u32>,
}

#[derive(Default)]
struct Values {
    /// The start year, for a live incident with a start.
    year: Option<u32>,
    systems: Vec<u32>,
    tags: Vec<u32>,
}

impl FacetValues {
    /// The values of `ids` counted as [`super::browse`] counts values read in SQL: a
    /// group is shown as its first spelling met in `ids` order; at most `limit`
    /// systems and tags (every year); each most frequent first, then by value.
    pub fn count(&self, ids: &[i64], limit: usize) -> Facets {
        let values: Vec<&Values> = ids.iter().filter_map(|id| self.by_id.get(id)).collect();
        Facets {
            years: self.tally(values.iter().filter_map(|v| v.year), usize::MAX),
            systems: self.tally(values.iter().flat_map(|v| v.systems.iter().copied()), limit),
            tags: self.tally(values.iter().flat_map(|v| v.tags.iter().copied()), limit),
            severities: Vec::new(),
        }
    }

    fn tally(&self, spellings: impl Iterator<Item = u32>, limit: usize) -> Vec<(String, i64)> {
        // Per group met: its first spelling and its count.
        let mut counts: Vec<(u32, i64)> = Vec::new();
        let mut at: FxHashMap<u32, usize> = FxHashMap::default();
        for s in spellings {
            let group = self.group_of[s as usize];
            match at.entry(group) {
                std::collections::hash_map::Entry::Occupied(e) => counts[*e.get()].1 += 1,
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(counts.len());
                    counts.push((s, 1));
                }
            }
        }
        let name = |s: u32| &*self.spellings[s as usize];
        counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| name(a.0).cmp(name(b.0))));
        counts.truncate(limit);
        counts
            .into_iter()
            .map(|(s, n)| (name(s).to_string(), n))
            .collect()
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
        let Some(running) = self.building.try_start() else {
            return;
        };
        let memo = self.clone();
        let pool = pool.clone();
        tokio::spawn(async move {
            let _running = running;
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
        Ok(FacetValues::from_lists(
            version,
            decode(&years)?,
            decode(&systems)?,
            decode(&tags)?,
        ))
    }

    /// The values from lists of (incident id, value): the start years, systems and
    /// tags.
    fn from_lists(
        version: i64,
        years: Vec<(i64, String)>,
        systems: Vec<(i64, String)>,
        tags: Vec<(i64, String)>,
    ) -> FacetValues {
        let mut by_id: FxHashMap<i64, Values> = FxHashMap::default();
        let mut numbers: HashMap<String, u32> = HashMap::new();
        let mut groups: HashMap<String, u32> = HashMap::new();
        let mut spellings: Vec<Arc<str>> = Vec::new();
        let mut group_of: Vec<u32> = Vec::new();
        let mut number = |s: String| -> u32 {
            if let Some(&n) = numbers.get(&s) {
                return n;
            }
            let n = spellings.len() as u32;
            let next_group = groups.len() as u32;
            group_of.push(*groups.entry(s.to_ascii_lowercase()).or_insert(next_group));
            spellings.push(Arc::from(s.as_str()));
            numbers.insert(s, n);
            n
        };
        for (id, year) in years {
            by_id.entry(id).or_default().year = Some(number(year));
        }
        for (id, system) in systems {
            by_id.entry(id).or_default().systems.push(number(system));
        }
        for (id, tag) in tags {
            by_id.entry(id).or_default().tags.push(number(tag));
        }
        FacetValues {
            version,
            by_id,
            spellings,
            group_of,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(list: &[(i64, &str)]) -> Vec<(i64, String)> {
        list.iter().map(|(id, v)| (*id, v.to_string())).collect()
    }

    fn owned(list: &[(&str, i64)]) -> Vec<(String, i64)> {
        list.iter().map(|(v, n)| (v.to_string(), *n)).collect()
    }

    #[test]
    fn counts_group_spellings_by_case_and_show_the_first_met() {
        let values = FacetValues::from_lists(
            7,
            pairs(&[(1, "2024"), (2, "2023"), (3, "2024")]),
            pairs(&[
                (1, "Kafka"),
                (2, "kafka"),
                (3, "kafka"),
                (3, "DNS"),
                (4, "dns"),
            ]),
            pairs(&[(2, "network"), (3, "2024")]),
        );
        let counted = values.count(&[3, 2, 1, 99], 12);
        assert_eq!(counted.years, owned(&[("2024", 2), ("2023", 1)]));
        // Met first as "kafka" (incident 3 comes first), three in all.
        assert_eq!(counted.systems, owned(&[("kafka", 3), ("DNS", 1)]));
        // A tag spelled like a year is a tag, counted apart from the years.
        assert_eq!(counted.tags, owned(&[("2024", 1), ("network", 1)]));
        // A tie goes to the value that sorts first (byte order: capitals first).
        assert_eq!(values.count(&[4, 1], 1).systems, owned(&[("Kafka", 1)]));
        assert_eq!(values.count(&[], 12), Facets::default());
    }
}
