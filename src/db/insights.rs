//! The stored reliability figures behind `/insights`: each incident's times to detect
//! and resolve and its impact duration (table `incident_figures`), the incidents whose
//! figures are missing or stale, and the rows the page aggregates, filtered by system,
//! tag, severity, year and quarter.
//!
//! Invariant: the figures are computed by the caller's rule (`web::milestones`, passed
//! in as a function) and only stored here; a row whose document changed since
//! (`content_hash`) or computed by an older rule ([`RULE_VERSION`]) is recomputed
//! before it is read.

use super::browse::TimelineRow;
use futures_util::TryStreamExt;
use sqlx::{Row, SqlitePool};

/// The version of the rule that computes the figures: a change to the rule (its words,
/// how a clock is chosen) increments it, and every stored row is recomputed.
pub const RULE_VERSION: i64 = 1;

/// One figure of one incident: seconds, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Measure {
    Seconds(i64),
    Missing(String),
}

impl Measure {
    fn split(&self) -> (Option<i64>, Option<&str>) {
        match self {
            Measure::Seconds(s) => (Some(*s), None),
            Measure::Missing(why) => (None, Some(why)),
        }
    }

    fn join(seconds: Option<i64>, why: Option<String>) -> Measure {
        match seconds {
            Some(s) => Measure::Seconds(s),
            None => Measure::Missing(why.unwrap_or_else(|| "not computed yet".into())),
        }
    }
}

/// An incident's three figures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figures {
    pub detect: Measure,
    pub resolve: Measure,
    pub impact: Measure,
}

/// The rule that computes an incident's figures from its timeline and its source.
pub type Rule = fn(&[TimelineRow], Option<&str>) -> Figures;

/// Incidents read per round of [`refresh`].
const BATCH: i64 = 1000;

/// Computes and stores the figures of every incident that has none, or has figures of
/// an older version of its document or of the rule. Returns how many were computed.
/// Fails (with nothing half-written) when the database cannot be written.
pub async fn refresh(pool: &SqlitePool, rule: Rule) -> sqlx::Result<usize> {
    let mut done = 0;
    // Each round stores what it computed, so the next finds only the rest; the bound
    // stops a round that could not make progress from repeating for ever.
    let total: i64 = sqlx::query_scalar("select count(*) from incidents")
        .fetch_one(pool)
        .await?;
    for _ in 0..=(total / BATCH + 1) {
        let stale: Vec<(i64, String, Vec<u8>)> = sqlx::query(
            "select i.id, i.content_hash, i.document from incidents i
             left join incident_figures f on f.incident_id = i.id
             where i.removed_at is null
               and (f.incident_id is null or f.content_hash != i.content_hash or f.rule != ?)
             limit ?",
        )
        .bind(RULE_VERSION)
        .bind(BATCH)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
        if stale.is_empty() {
            break;
        }
        let ids: Vec<i64> = stale.iter().map(|s| s.0).collect();
        let mut entries: std::collections::HashMap<i64, Vec<TimelineRow>> = Default::default();
        {
            let mut rows = sqlx::query(
                "select incident_id, utc_seconds, wall_time, utc_offset, source_text, line,
                        case precision when 0 then 'day' when 1 then 'minute' else 'second' end
                 from timeline_entries
                 where incident_id in (select value from json_each(?))
                 order by incident_id, position",
            )
            .bind(serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into()))
            .fetch(pool);
            while let Some(t) = rows.try_next().await? {
                entries.entry(t.get(0)).or_default().push(TimelineRow {
                    utc_seconds: t.get(1),
                    wall_time: t.get(2),
                    utc_offset: t.get(3),
                    source_text: t.get(4),
                    line: t.get(5),
                    precision: t.get(6),
                    text: String::new(),
                    rule: String::new(),
                });
            }
        }
        // Decompressing the documents (for the entries' texts and the front matter) is
        // the CPU work of a round: off the async threads.
        let computed = tokio::task::spawn_blocking(move || {
            stale
                .into_iter()
                .map(|(id, hash, blob)| {
                    let stored = super::document::Stored::decode(&blob);
                    let mut rows = entries.remove(&id).unwrap_or_default();
                    for (row, text) in rows.iter_mut().zip(stored.details.timeline) {
                        row.text = text;
                    }
                    (id, hash, rule(&rows, stored.source.as_deref()))
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        done += computed.len();
        store(pool, &computed).await?;
    }
    Ok(done)
}

/// Stores computed figures, replacing older ones, in one transaction.
async fn store(pool: &SqlitePool, computed: &[(i64, String, Figures)]) -> sqlx::Result<()> {
    let rows: Vec<serde_json::Value> = computed
        .iter()
        .map(|(id, hash, f)| {
            let (d, dw) = f.detect.split();
            let (r, rw) = f.resolve.split();
            let (i, iw) = f.impact.split();
            serde_json::json!([id, hash, d, dw, r, rw, i, iw])
        })
        .collect();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "insert or replace into incident_figures (incident_id, content_hash, rule,
            detect_seconds, detect_why, resolve_seconds, resolve_why, impact_seconds, impact_why)
         select value ->> 0, value ->> 1, ?, value ->> 2, value ->> 3, value ->> 4, value ->> 5,
            value ->> 6, value ->> 7
         from json_each(?)",
    )
    .bind(RULE_VERSION)
    .bind(serde_json::Value::Array(rows).to_string())
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Which incidents the figures are taken from.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Filter {
    pub system: Option<String>,
    pub tag: Option<String>,
    pub severity: Option<String>,
    pub year: Option<i32>,
    /// A quarter of a year (1–4), with [`Filter::year`].
    pub quarter: Option<u8>,
}

/// One incident's figures, with when it started (`YYYY-MM-DD`).
#[derive(Debug, Clone)]
pub struct FigureRow {
    pub started: Option<String>,
    pub figures: Figures,
}

/// One incident's figures with what a list shows of it.
#[derive(Debug, Clone)]
pub struct ListedRow {
    pub slug: String,
    pub title: String,
    pub started: Option<String>,
    pub figures: Figures,
}

/// The `where` clause and its values for `filter` over `incidents i`.
fn conditions(filter: &Filter) -> (String, Vec<String>) {
    let mut conditions = vec!["i.removed_at is null".to_string()];
    let mut binds = Vec::new();
    if let Some(year) = filter.year {
        conditions.push("substr(i.started, 1, 4) = ?".into());
        binds.push(format!("{year:04}"));
        if let Some(q) = filter.quarter.filter(|q| (1..=4).contains(q)) {
            // Months 3q-2 to 3q, as two-digit text.
            conditions.push("substr(i.started, 6, 2) between ? and ?".into());
            binds.push(format!("{:02}", 3 * q - 2));
            binds.push(format!("{:02}", 3 * q));
        }
    }
    if let Some(system) = &filter.system {
        conditions.push(
            "i.id in (select s.incident_id from incident_systems s where s.system = ? collate nocase)"
                .into(),
        );
        binds.push(system.clone());
    }
    if let Some(tag) = &filter.tag {
        conditions.push(
            "i.id in (select t.incident_id from incident_tags t where t.tag = ? collate nocase)"
                .into(),
        );
        binds.push(tag.clone());
    }
    if let Some(severity) = &filter.severity {
        conditions.push("i.severity = ? collate nocase".into());
        binds.push(severity.clone());
    }
    (conditions.join(" and "), binds)
}

const FIGURE_COLUMNS: &str = "f.detect_seconds, f.detect_why, f.resolve_seconds, f.resolve_why,
    f.impact_seconds, f.impact_why";

fn figures_at(r: &sqlx::sqlite::SqliteRow, first: usize) -> Figures {
    Figures {
        detect: Measure::join(r.get(first), r.get(first + 1)),
        resolve: Measure::join(r.get(first + 2), r.get(first + 3)),
        impact: Measure::join(r.get(first + 4), r.get(first + 5)),
    }
}

/// The figures of every incident `filter` selects, in no particular order. An incident
/// whose figures are not stored (a read-only database not yet refreshed) has every
/// figure missing, saying so.
///
/// The rows come as one JSON array built by SQLite: sqlx hands rows over one by one
/// through a channel, which took 200 ms of the 255 ms a request spent at 100,000
/// incidents; one value and a parse take a fifth of that.
pub async fn rows(pool: &SqlitePool, filter: &Filter) -> sqlx::Result<Vec<FigureRow>> {
    type Packed = (
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<String>,
        Option<i64>,
        Option<String>,
    );
    let (where_clause, binds) = conditions(filter);
    let sql = format!(
        "select json_group_array(json_array(i.started, {FIGURE_COLUMNS})) from incidents i
         left join incident_figures f on f.incident_id = i.id where {where_clause}"
    );
    let mut query = sqlx::query_scalar::<_, String>(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    let packed = query.fetch_one(pool).await?;
    let rows: Vec<Packed> =
        serde_json::from_str(&packed).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    Ok(rows
        .into_iter()
        .map(|(started, d, dw, r, rw, i, iw)| FigureRow {
            started,
            figures: Figures {
                detect: Measure::join(d, dw),
                resolve: Measure::join(r, rw),
                impact: Measure::join(i, iw),
            },
        })
        .collect())
}

/// The incidents `filter` selects with their figures, oldest first, at most `limit`.
pub async fn listed(
    pool: &SqlitePool,
    filter: &Filter,
    limit: i64,
) -> sqlx::Result<Vec<ListedRow>> {
    let (where_clause, binds) = conditions(filter);
    let sql = format!(
        "select i.slug, i.title, i.started, {FIGURE_COLUMNS} from incidents i
         left join incident_figures f on f.incident_id = i.id where {where_clause}
         order by i.started nulls last, i.id limit ?"
    );
    let mut query = sqlx::query(&sql);
    for b in &binds {
        query = query.bind(b);
    }
    Ok(query
        .bind(limit)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|r| ListedRow {
            slug: r.get(0),
            title: r.get(1),
            started: r.get(2),
            figures: figures_at(r, 3),
        })
        .collect())
}
