//! Incidents and their extracted content: timeline, root causes, systems, tags,
//! references and the search index row.
//!
//! Invariant: saving a parsed file replaces every extracted row of its incident and
//! keeps the incident's id and slug; actions go through `db::actions`, which keeps
//! what people changed.

use super::actions;
use crate::model::{Incident, Slug};
use crate::search::index_text;
use crate::text;
use serde_json::json;
use sqlx::{Row, SqliteConnection, SqlitePool};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// What the database knows about an imported file, for skipping unchanged ones.
#[derive(Debug, Clone)]
pub struct Known {
    pub id: i64,
    pub slug: String,
    pub hash: String,
    pub missing: bool,
    /// Removed by hand (`aftermath remove`): an import leaves its file out.
    pub removed: bool,
}

/// Every imported source path with its incident id, slug and content hash.
pub async fn known_sources(pool: &SqlitePool) -> sqlx::Result<HashMap<String, Known>> {
    let rows = sqlx::query(
        "select id, slug, source_path, content_hash, missing_since is not null as missing,
                removed_at is not null as removed
         from incidents",
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.get::<String, _>("source_path"),
                Known {
                    id: r.get("id"),
                    slug: r.get("slug"),
                    hash: r.get("content_hash"),
                    missing: r.get("missing"),
                    removed: r.get("removed"),
                },
            )
        })
        .collect())
}

/// A slug not used by another incident: the file's own, or it with `-2`, `-3`, ...
/// `taken` holds every slug in the database (the import loads them once, so finding a
/// free one costs no query). Every candidate is a valid slug (at most [`MAX_SLUG`]
/// bytes: the stem is cut to leave room for the suffix), and candidates for different
/// `n > 1` differ (the part after their last hyphen is `n`), so the search ends after
/// at most `taken.len() + 2` of them.
fn free_slug(taken: &HashSet<String>, wanted: &Slug) -> Slug {
    (1..)
        .map(|n| numbered_slug(wanted, n))
        .find(|candidate| !taken.contains(candidate.as_str()))
        .expect("an unbounded sequence of distinct slugs has one not taken")
}

/// The longest slug a URL accepts (`Slug::parse`).
const MAX_SLUG: usize = 200;

/// `wanted` cut to fit, then `-n` when `n > 1`.
fn numbered_slug(wanted: &Slug, n: u64) -> Slug {
    let suffix = if n == 1 {
        String::new()
    } else {
        format!("-{n}")
    };
    // Slugs are ASCII, so any byte offset is a character boundary.
    let stem = wanted.as_str();
    let stem = stem[..stem.len().min(MAX_SLUG - suffix.len())].trim_end_matches('-');
    let candidate = format!("{stem}{suffix}");
    Slug::parse(&candidate).unwrap_or_else(|| panic!("{candidate:?} is not a valid slug"))
}

/// The file being saved.
pub struct Source<'a> {
    /// Canonical path: the key that finds the incident again.
    pub path: &'a str,
    pub hash: &'a str,
    pub bytes: u64,
}

/// A parsed file turned into the values its rows hold: the compressed document, JSON
/// arrays of child rows, search texts. Built by [`prepare`] on the import's worker threads,
/// so the single writer only runs statements.
pub struct Record {
    pub incident: Incident,
    started: Option<String>,
    authors: String,
    /// [`super::document::Stored`], encoded.
    document: Vec<u8>,
    /// The related-incident profile, stored form (see `pages::Page`); attached by the
    /// import after [`prepare`].
    profile: Vec<u8>,
    body: String,
    /// What the full-text indexes receive (see `search::index_text`).
    search_title: String,
    search_body: String,
    timeline: String,
    causes: String,
    systems: String,
    tags: String,
    references: String,
    /// The actions as rows for `actions::insert_new_sql`, used when the incident is new.
    actions: String,
    search_causes: String,
    search_summary: String,
}

/// Computes everything stored for a parsed file that does not depend on the database.
/// Pure: no SQL runs here.
pub fn prepare(incident: Incident, body: String, source: String) -> Record {
    let stored = super::document::Stored {
        summary: incident.summary.clone(),
        body,
        source: Some(source),
        details: super::document::Details {
            impact: incident.impact.clone(),
            detection: incident.detection.clone(),
            resolution: incident.resolution.clone(),
            lessons: incident.lessons.clone(),
            warnings: incident
                .warnings
                .iter()
                .map(|w| super::document::StoredWarning {
                    line: w.line,
                    message: w.message.clone(),
                })
                .collect(),
            timeline: incident.timeline.iter().map(|e| e.text.clone()).collect(),
            timeline_rules: incident.timeline.iter().map(|e| e.rule.clone()).collect(),
            cause_rules: incident
                .root_causes
                .iter()
                .map(|c| c.rule.clone())
                .collect(),
            action_rules: incident
                .actions
                .iter()
                .map(|a| (a.text.clone(), a.rule.clone()))
                .collect(),
        },
    };
    let document = stored.encode();
    let body = stored.body;
    let search_body = index_text(&body);
    // Timeline rows in the column order of SAVE_CHILDREN. The JSON form of the instant
    // (`at`) is not stored: it follows from wall time, offset and precision. The
    // entry's text is stored in the document.
    let timeline: Vec<_> = incident
        .timeline
        .iter()
        .map(|e| {
            json!([
                e.at.utc_seconds(),
                if e.at.time.is_some() {
                    e.at.wall().to_string()
                } else {
                    e.at.date.to_string()
                },
                e.at.offset.map(|o| o.seconds()),
                precision_code(e.precision),
                zone_source_code(e.zone_source),
                e.source_text,
                e.line,
            ])
        })
        .collect();
    let causes: Vec<_> = incident
        .root_causes
        .iter()
        .map(|c| json!([c.text, c.line]))
        .collect();
    let references: Vec<_> = incident
        .references
        .iter()
        .map(|r| json!([r.target, r.line]))
        .collect();
    let search_causes = incident
        .root_causes
        .iter()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let mut summary = incident.summary.clone().unwrap_or_default();
    if let Some(impact) = &incident.impact {
        summary.push('\n');
        summary.push_str(impact);
    }
    Record {
        started: incident.started.map(|d| d.to_string()),
        authors: json(&incident.authors),
        document,
        profile: Vec::new(),
        body,
        timeline: serde_json::Value::Array(timeline).to_string(),
        causes: serde_json::Value::Array(causes).to_string(),
        systems: json(&incident.systems),
        tags: json(&incident.tags),
        references: serde_json::Value::Array(references).to_string(),
        actions: actions::new_rows_json(&incident.actions),
        search_title: index_text(&incident.title),
        search_body,
        search_causes: index_text(&search_causes),
        search_summary: index_text(&text::collapse(&summary)),
        incident,
    }
}

impl Record {
    /// The document's plain text.
    pub fn body(&self) -> &str {
        &self.body
    }

    /// Attaches the related-incident profile, saved with the incident.
    pub fn attach_profile(&mut self, page: &super::pages::Page) {
        self.profile = page.bytes().to_vec();
    }
}

/// The few lists stored as JSON: plain strings and numbers, which always serialise.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "[]".into())
}

/// Replaces the extracted rows of the incident whose `source_path` is $2 with the
/// JSON arrays of a [`Record`] (parameters $13 to $17) and its profile ($18). The search row is written
/// separately, by [`index`]. One statement per table, all
/// sent at once. Parameters are `$N`, not `?N`: SQLite numbers `$N` in order of use,
/// so a statement that uses only some of the shared parameters has no unbound gaps.
const SAVE_CHILDREN: &str = "
insert into timeline_entries (incident_id, position, utc_seconds, wall_time, utc_offset, precision,
    zone_source, source_text, line)
 select (select id from incidents where source_path = $2), key, value->>0, value->>1, value->>2,
    value->>3, value->>4, value->>5, value->>6
 from json_each($13);
insert into root_causes (incident_id, position, text, line)
 select (select id from incidents where source_path = $2), key, value->>0, value->>1
 from json_each($14);
insert or ignore into incident_systems (incident_id, system)
 select (select id from incidents where source_path = $2), value from json_each($15);
insert or ignore into incident_tags (incident_id, tag)
 select (select id from incidents where source_path = $2), value from json_each($16);
insert or ignore into incident_references (incident_id, target, line)
 select (select id from incidents where source_path = $2), value->>0, value->>1
 from json_each($17);
insert into incident_profiles (incident_id, profile)
 values ((select id from incidents where source_path = $2), $18)
 on conflict (incident_id) do update set profile = excluded.profile;
";

const INSERT_INCIDENT: &str = "
savepoint save_incident;
insert into incidents (slug, source_path, format, content_hash, title, started, timezone,
    severity, authors, document, source_bytes, imported_at, updated_at)
 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)
 returning id;
";

const UPDATE_INCIDENT: &str = "
savepoint save_incident;
update incidents set format = $3, content_hash = $4, title = $5, started = $6, timezone = $7,
    severity = $8, authors = $9, document = $10, source_bytes = $11, missing_since = null,
    updated_at = $12
 where source_path = $2;
delete from timeline_entries where incident_id = (select id from incidents where source_path = $2);
delete from root_causes where incident_id = (select id from incidents where source_path = $2);
delete from incident_systems where incident_id = (select id from incidents where source_path = $2);
delete from incident_tags where incident_id = (select id from incidents where source_path = $2);
delete from incident_references where incident_id = (select id from incidents where source_path = $2);
delete from search_index where rowid = (select id from incidents where source_path = $2);
delete from search_brief where rowid = (select id from incidents where source_path = $2);
";

/// A new incident in one round trip: its row, its children, and its actions (all new,
/// parameter $19), inside a savepoint.
fn insert_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "{INSERT_INCIDENT}{SAVE_CHILDREN}{};\nrelease save_incident;",
            actions::insert_new_sql("(select id from incidents where source_path = $2)", 12, 19)
        )
    })
}

fn update_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| format!("{UPDATE_INCIDENT}{SAVE_CHILDREN}"))
}

/// Inserts or replaces the incident of a prepared file; returns its id and slug. All
/// or nothing: the file's rows land completely or not at all. `taken` holds the slugs
/// in use and receives the new one. The search row is not written here: the caller
/// passes [`search_row`] to [`index`] before committing.
pub async fn save(
    conn: &mut SqliteConnection,
    source: &Source<'_>,
    record: &mut Record,
    existing: Option<&Known>,
    taken: &mut HashSet<String>,
    now: &str,
) -> sqlx::Result<(i64, Slug)> {
    let incident = &mut record.incident;
    let slug = match existing {
        Some(k) => Slug::parse(&k.slug).unwrap_or_else(|| incident.slug.clone()),
        None => free_slug(taken, &incident.slug),
    };
    if slug != incident.slug {
        crate::model::action_ids::rekey(&mut incident.actions, &slug);
        incident.slug = slug.clone();
        record.actions = actions::new_rows_json(&incident.actions);
    }
    let result = match existing {
        None => {
            // fetch_all runs every statement; the only row is the new incident's id.
            bind_record(sqlx::query(insert_sql()), source, record, &slug, now)
                .bind(&record.actions)
                .fetch_all(&mut *conn)
                .await
                .and_then(|rows| match rows.first() {
                    Some(row) => row.try_get::<i64, _>(0),
                    None => Err(sqlx::Error::RowNotFound),
                })
        }
        Some(k) => {
            let saved = bind_record(sqlx::query(update_sql()), source, record, &slug, now)
                .execute(&mut *conn)
                .await;
            match saved {
                Ok(_) => {
                    actions::sync_from_document(conn, k.id, &record.incident.actions, now).await
                }
                Err(e) => Err(e),
            }
            .map(|()| k.id)
        }
    };
    match result {
        Ok(id) => {
            if existing.is_some() {
                sqlx::query("release save_incident")
                    .execute(&mut *conn)
                    .await?;
            }
            taken.insert(slug.to_string());
            Ok((id, slug))
        }
        Err(e) => {
            // Undo whatever part of the file was written; the savepoint may not exist
            // if the very first statement failed, so errors here are not the news.
            let _ = sqlx::query("rollback to save_incident; release save_incident")
                .execute(&mut *conn)
                .await;
            Err(e)
        }
    }
}

/// Binds parameters $1 to $18 of INSERT_INCIDENT / UPDATE_INCIDENT and SAVE_CHILDREN.
fn bind_record<'q>(
    query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    source: &Source<'q>,
    record: &'q Record,
    slug: &Slug,
    now: &'q str,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    let incident = &record.incident;
    query
        .bind(slug.as_str().to_string())
        .bind(source.path)
        .bind(incident.format.as_str())
        .bind(source.hash)
        .bind(&incident.title)
        .bind(&record.started)
        .bind(&incident.timezone)
        .bind(&incident.severity)
        .bind(&record.authors)
        .bind(&record.document)
        .bind(source.bytes as i64)
        .bind(now)
        .bind(&record.timeline)
        .bind(&record.causes)
        .bind(&record.systems)
        .bind(&record.tags)
        .bind(&record.references)
        .bind(&record.profile)
}

/// The full-text row of a saved incident.
pub struct SearchRow {
    id: i64,
    title: String,
    causes: String,
    summary: String,
    body: String,
}

/// The search row of a record saved as incident `id`, taking its texts.
pub fn search_row(id: i64, record: Record) -> SearchRow {
    SearchRow {
        id,
        title: record.search_title,
        causes: record.search_causes,
        summary: record.search_summary,
        body: record.search_body,
    }
}

/// Writes the search rows of a batch of saved incidents in one statement.
///
/// Why not in each file's savepoint: FTS5 flushes its in-memory index to disk at every
/// savepoint once it has been written in the transaction, so one row per savepoint
/// makes a segment per file and endless merging (a third of the import's time). Written
/// last, the rows of a transaction are indexed in one pass, as a plain bulk insert is.
pub async fn index(conn: &mut SqliteConnection, rows: &[SearchRow]) -> sqlx::Result<()> {
    // Well under SQLite's 32766 parameters per statement.
    for chunk in rows.chunks(1000) {
        let sql = multi_row_insert(
            "search_index (rowid, title, causes, summary, body)",
            5,
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = query
                .bind(row.id)
                .bind(&row.title)
                .bind(&row.causes)
                .bind(&row.summary)
                .bind(&row.body);
        }
        query.execute(&mut *conn).await?;
        // The brief index (title, causes, summary) ranks very common terms cheaply.
        let sql = multi_row_insert(
            "search_brief (rowid, title, causes, summary)",
            4,
            chunk.len(),
        );
        let mut query = sqlx::query(&sql);
        for row in chunk {
            query = query
                .bind(row.id)
                .bind(&row.title)
                .bind(&row.causes)
                .bind(&row.summary);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `insert into {target} values (?, …), …` for `rows` rows of `columns` parameters.
fn multi_row_insert(target: &str, columns: usize, rows: usize) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    format!("insert into {target} values {}", vec![row; rows].join(","))
}

/// `timeline_entries.precision` (see migration 0010).
fn precision_code(p: crate::model::Precision) -> i64 {
    match p {
        crate::model::Precision::Day => 0,
        crate::model::Precision::Minute => 1,
        crate::model::Precision::Second => 2,
    }
}

/// `timeline_entries.zone_source` (see migration 0010).
fn zone_source_code(z: crate::model::ZoneSource) -> i64 {
    match z {
        crate::model::ZoneSource::Unknown => 0,
        crate::model::ZoneSource::Stated => 1,
        crate::model::ZoneSource::Document => 2,
    }
}

/// Marks incidents whose files are gone; returns how many were newly marked.
pub async fn mark_missing(
    conn: &mut SqliteConnection,
    ids: &[i64],
    now: &str,
) -> sqlx::Result<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let result = sqlx::query(
        "update incidents set missing_since = ? where missing_since is null and id in (select value from json_each(?))",
    )
    .bind(now)
    .bind(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()))
    .execute(&mut *conn)
    .await?;
    Ok(result.rows_affected())
}

/// Clears the missing mark of an unchanged file that is back on disk.
pub async fn clear_missing(conn: &mut SqliteConnection, id: i64) -> sqlx::Result<()> {
    sqlx::query("update incidents set missing_since = null where id = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// An incident as `aftermath remove` names it before asking.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removable {
    pub id: i64,
    pub title: String,
    pub source_path: String,
    /// Actions still in the document (they will be marked removed).
    pub actions: i64,
    /// Already removed, and when.
    pub removed_at: Option<String>,
}

/// The incident `slug`, for `aftermath remove` to show what it would remove.
pub async fn removable(pool: &SqlitePool, slug: &str) -> sqlx::Result<Option<Removable>> {
    let row = sqlx::query(
        "select i.id, i.title, i.source_path, i.removed_at,
                (select count(*) from actions a where a.incident_id = i.id and a.removed_at is null)
                    as actions
         from incidents i where i.slug = ?",
    )
    .bind(slug)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Removable {
        id: r.get("id"),
        title: r.get("title"),
        source_path: r.get("source_path"),
        actions: r.get("actions"),
        removed_at: r.get("removed_at"),
    }))
}

/// Removes the incident `id` from everything that shows it, in one transaction: marks
/// it removed, marks its actions removed (each with a `removed` event by `actor` in
/// its history, which stays), and deletes its search rows, systems, tags, references,
/// profile, related incidents and links. The row stays, so the history keeps its
/// incident and an import recognises the file. Returns how many actions it marked.
pub async fn remove(pool: &SqlitePool, id: i64, actor: &str, origin: &str) -> sqlx::Result<u64> {
    let now = super::now();
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    sqlx::query("update incidents set removed_at = coalesce(removed_at, ?) where id = ?")
        .bind(&now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let ids: Vec<String> = sqlx::query_scalar(
        "update actions set removed_at = ?, updated_at = ?, updated_by = ?
         where incident_id = ? and removed_at is null returning id",
    )
    .bind(&now)
    .bind(&now)
    .bind(actor)
    .bind(id)
    .fetch_all(&mut *tx)
    .await?;
    for action in &ids {
        actions::record(&mut tx, action, &now, actor, origin, "removed", None, None).await?;
    }
    for sql in [
        "delete from search_index where rowid = ?1",
        "delete from search_brief where rowid = ?1",
        "delete from incident_systems where incident_id = ?1",
        "delete from incident_tags where incident_id = ?1",
        "delete from incident_references where incident_id = ?1",
        "delete from incident_profiles where incident_id = ?1",
        "delete from related_incidents where incident_id = ?1 or other_id = ?1",
        "delete from incident_links where from_id = ?1 or to_id = ?1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    // The others' related incidents are computed again without it.
    super::pages::mark_refresh_needed(&mut tx, &now).await?;
    tx.commit().await?;
    Ok(ids.len() as u64)
}

/// Number of incidents in the database.
pub async fn count(pool: &SqlitePool) -> sqlx::Result<i64> {
    sqlx::query_scalar("select count(*) from incidents")
        .fetch_one(pool)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_slug_cuts_long_slugs_and_numbers_them_apart() {
        let long = Slug::from_stem(&"very-long-incident-name-".repeat(20)).unwrap();
        assert!(long.as_str().len() > MAX_SLUG);
        let mut taken = HashSet::new();
        for _ in 0..30 {
            let slug = free_slug(&taken, &long);
            assert!(slug.as_str().len() <= MAX_SLUG, "{slug}");
            assert!(Slug::parse(slug.as_str()).is_some(), "{slug}");
            assert!(taken.insert(slug.to_string()), "{slug} given twice");
        }
        assert!(taken.contains(&format!(
            "{}-30",
            &long.as_str()[..197].trim_end_matches('-')
        )));
    }

    #[test]
    fn free_slug_keeps_a_short_free_slug() {
        let slug = Slug::parse("db-outage").unwrap();
        assert_eq!(free_slug(&HashSet::new(), &slug), slug);
        let taken = HashSet::from(["db-outage".to_string(), "db-outage-2".to_string()]);
        assert_eq!(free_slug(&taken, &slug).as_str(), "db-outage-3");
    }

    #[test]
    fn multi_row_inserts_have_a_placeholder_per_value() {
        assert_eq!(
            multi_row_insert("t (a, b)", 2, 3),
            "insert into t (a, b) values (?, ?),(?, ?),(?, ?)"
        );
    }
}
