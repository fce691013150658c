//! Incidents and their extracted content: timeline, root causes, systems, tags,
//! references and the search index row.
//!
//! Invariant: saving a parsed file replaces every extracted row of its incident and
//! keeps the incident's id and slug; actions go through `db::actions`, which keeps
//! what people changed.

use super::actions;
use crate::extract::sentences;
use crate::ingest::Parsed;
use crate::model::{Incident, Slug};
use serde_json::json;
use sqlx::{Row, SqliteConnection, SqlitePool};
use std::collections::HashMap;

/// What the database knows about an imported file, for skipping unchanged ones.
#[derive(Debug, Clone)]
pub struct Known {
    pub id: i64,
    pub slug: String,
    pub hash: String,
    pub missing: bool,
}

/// Every imported source path with its incident id, slug and content hash.
pub async fn known_sources(pool: &SqlitePool) -> sqlx::Result<HashMap<String, Known>> {
    let rows = sqlx::query("select id, slug, source_path, content_hash, missing_since is not null as missing from incidents")
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
                },
            )
        })
        .collect())
}

/// A slug not used by another incident: the file's own, or it with `-2`, `-3`, ...
async fn free_slug(conn: &mut SqliteConnection, wanted: &Slug) -> sqlx::Result<Slug> {
    let mut n = 1;
    loop {
        let candidate = if n == 1 {
            wanted.clone()
        } else {
            Slug::parse(&format!("{wanted}-{n}")).unwrap_or_else(|| wanted.clone())
        };
        let taken: Option<i64> = sqlx::query_scalar("select id from incidents where slug = ?")
            .bind(candidate.as_str())
            .fetch_optional(&mut *conn)
            .await?;
        if taken.is_none() {
            return Ok(candidate);
        }
        n += 1;
    }
}

/// The file being saved.
pub struct Source<'a> {
    /// Canonical path: the key that finds the incident again.
    pub path: &'a str,
    pub hash: &'a str,
    pub bytes: u64,
}

/// Inserts or replaces the incident of a parsed file; returns its id and slug.
pub async fn save(
    conn: &mut SqliteConnection,
    source: &Source<'_>,
    parsed: &Parsed,
    existing: Option<&Known>,
    now: &str,
) -> sqlx::Result<(i64, Slug)> {
    let mut incident = parsed.incident.clone();
    let slug = match existing {
        Some(k) => Slug::parse(&k.slug).unwrap_or_else(|| incident.slug.clone()),
        None => free_slug(conn, &incident.slug).await?,
    };
    if slug != incident.slug {
        crate::extract::actions::rekey(&mut incident.actions, &slug);
        incident.slug = slug.clone();
    }
    let body = parsed.document.plain_text();
    let body_blob = super::compress(&body);
    let authors = serde_json::to_string(&incident.authors).unwrap_or_else(|_| "[]".into());
    let lessons = serde_json::to_string(&incident.lessons).unwrap_or_else(|_| "[]".into());
    let warnings = serde_json::to_string(&incident.warnings).unwrap_or_else(|_| "[]".into());
    let started = incident.started.map(|d| d.to_string());

    let id: i64 = match existing {
        Some(k) => {
            sqlx::query(
                "update incidents set format = ?, content_hash = ?, title = ?, started = ?, timezone = ?,
                    summary = ?, impact = ?, detection = ?, resolution = ?, severity = ?, authors = ?,
                    lessons = ?, warnings = ?, body_text = ?, source_bytes = ?, missing_since = null,
                    updated_at = ?
                 where id = ?",
            )
            .bind(incident.format.as_str())
            .bind(source.hash)
            .bind(&incident.title)
            .bind(&started)
            .bind(&incident.timezone)
            .bind(&incident.summary)
            .bind(&incident.impact)
            .bind(&incident.detection)
            .bind(&incident.resolution)
            .bind(&incident.severity)
            .bind(&authors)
            .bind(&lessons)
            .bind(&warnings)
            .bind(&body_blob)
            .bind(source.bytes as i64)
            .bind(now)
            .bind(k.id)
            .execute(&mut *conn)
            .await?;
            for table in ["timeline_entries", "root_causes", "incident_systems", "incident_tags", "incident_references"] {
                sqlx::query(&format!("delete from {table} where incident_id = ?"))
                    .bind(k.id)
                    .execute(&mut *conn)
                    .await?;
            }
            sqlx::query("delete from search_index where rowid = ?")
                .bind(k.id)
                .execute(&mut *conn)
                .await?;
            k.id
        }
        None => {
            sqlx::query_scalar(
                "insert into incidents (slug, source_path, format, content_hash, title, started, timezone,
                    summary, impact, detection, resolution, severity, authors, lessons, warnings, body_text,
                    source_bytes, imported_at, updated_at)
                 values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                 returning id",
            )
            .bind(slug.as_str())
            .bind(source.path)
            .bind(incident.format.as_str())
            .bind(source.hash)
            .bind(&incident.title)
            .bind(&started)
            .bind(&incident.timezone)
            .bind(&incident.summary)
            .bind(&incident.impact)
            .bind(&incident.detection)
            .bind(&incident.resolution)
            .bind(&incident.severity)
            .bind(&authors)
            .bind(&lessons)
            .bind(&warnings)
            .bind(&body_blob)
            .bind(source.bytes as i64)
            .bind(now)
            .bind(now)
            .fetch_one(&mut *conn)
            .await?
        }
    };
    save_children(conn, id, &incident).await?;
    save_search_row(conn, id, &incident, &body).await?;
    actions::sync_from_document(conn, id, &incident.actions, now).await?;
    Ok((id, slug))
}

/// Timeline, causes, systems, tags and references, each in one statement: rows travel
/// as one JSON array, which keeps a bulk import to a few round trips per file.
async fn save_children(
    conn: &mut SqliteConnection,
    id: i64,
    incident: &Incident,
) -> sqlx::Result<()> {
    if !incident.timeline.is_empty() {
        let rows: Vec<_> = incident
            .timeline
            .iter()
            .map(|e| {
                json!({
                    "at": e.at.to_at_string(),
                    "utc": e.at.utc_seconds(),
                    "wall": if e.at.time.is_some() { e.at.wall().to_string() } else { e.at.date.to_string() },
                    "offset": e.at.offset.map(|o| o.seconds()),
                    "precision": e.precision.as_str(),
                    "zone": zone_source_str(e.zone_source),
                    "source": e.source_text,
                    "text": e.text,
                    "line": e.line,
                })
            })
            .collect();
        sqlx::query(
            "insert into timeline_entries (incident_id, position, at_text, utc_seconds, wall_time, utc_offset,
                precision, zone_source, source_text, text, line)
             select ?, key, value->>'at', value->>'utc', value->>'wall', value->>'offset', value->>'precision',
                value->>'zone', value->>'source', value->>'text', value->>'line'
             from json_each(?)",
        )
        .bind(id)
        .bind(serde_json::Value::Array(rows).to_string())
        .execute(&mut *conn)
        .await?;
    }
    if !incident.root_causes.is_empty() {
        let rows: Vec<_> = incident
            .root_causes
            .iter()
            .map(|c| json!({"text": c.text, "line": c.line}))
            .collect();
        sqlx::query(
            "insert into root_causes (incident_id, position, text, line)
             select ?, key, value->>'text', value->>'line' from json_each(?)",
        )
        .bind(id)
        .bind(serde_json::Value::Array(rows).to_string())
        .execute(&mut *conn)
        .await?;
    }
    for (table, column, values) in [
        ("incident_systems", "system", &incident.systems),
        ("incident_tags", "tag", &incident.tags),
    ] {
        if values.is_empty() {
            continue;
        }
        sqlx::query(&format!(
            "insert or ignore into {table} (incident_id, {column}) select ?, value from json_each(?)"
        ))
        .bind(id)
        .bind(serde_json::to_string(values).unwrap_or_else(|_| "[]".into()))
        .execute(&mut *conn)
        .await?;
    }
    if !incident.references.is_empty() {
        let rows: Vec<_> = incident
            .references
            .iter()
            .map(|r| json!({"target": r.target, "line": r.line}))
            .collect();
        sqlx::query(
            "insert or ignore into incident_references (incident_id, target, line)
             select ?, value->>'target', value->>'line' from json_each(?)",
        )
        .bind(id)
        .bind(serde_json::Value::Array(rows).to_string())
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn zone_source_str(z: crate::model::ZoneSource) -> &'static str {
    match z {
        crate::model::ZoneSource::Stated => "stated",
        crate::model::ZoneSource::Document => "document",
        crate::model::ZoneSource::Unknown => "unknown",
    }
}

async fn save_search_row(
    conn: &mut SqliteConnection,
    id: i64,
    incident: &Incident,
    body: &str,
) -> sqlx::Result<()> {
    let causes: Vec<&str> = incident
        .root_causes
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    let mut summary = incident.summary.clone().unwrap_or_default();
    if let Some(impact) = &incident.impact {
        summary.push('\n');
        summary.push_str(impact);
    }
    sqlx::query(
        "insert into search_index (rowid, title, causes, summary, body) values (?, ?, ?, ?, ?)",
    )
    .bind(id)
    .bind(&incident.title)
    .bind(causes.join("\n"))
    .bind(sentences::collapse(&summary))
    .bind(body)
    .execute(&mut *conn)
    .await?;
    Ok(())
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

/// Number of incidents in the database.
pub async fn count(pool: &SqlitePool) -> sqlx::Result<i64> {
    sqlx::query_scalar("select count(*) from incidents")
        .fetch_one(pool)
        .await
}
