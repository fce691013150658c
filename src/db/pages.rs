//! What the web UI serves without recomputing: rendered documents, the brief search
//! index and related incidents.
//!
//! Invariant: written in the same transaction as the incident it belongs to (pages and
//! the brief index) or recomputed as a whole after an import (related incidents), so
//! they never describe a version of a document other than the stored one.

use crate::model::Incident;
use crate::related::{self, Profile};
use crate::render::SafeHtml;
use sqlx::{Row, SqliteConnection, SqlitePool};

/// Stores the rendered page, the brief search row and the related-incident profile of
/// an incident that was just saved.
pub async fn save(
    conn: &mut SqliteConnection,
    id: i64,
    incident: &Incident,
    html: &SafeHtml,
    profile: &Profile,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into incident_pages (incident_id, html, profile) values (?, ?, ?)
         on conflict (incident_id) do update set html = excluded.html, profile = excluded.profile",
    )
    .bind(id)
    .bind(super::compress(html.as_str()))
    .bind(serde_json::to_string(profile).unwrap_or_else(|_| "{}".into()))
    .execute(&mut *conn)
    .await?;
    sqlx::query("delete from search_brief where rowid = ?")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let causes: Vec<&str> = incident
        .root_causes
        .iter()
        .map(|c| c.text.as_str())
        .collect();
    sqlx::query("insert into search_brief (rowid, title, causes, summary) values (?, ?, ?, ?)")
        .bind(id)
        .bind(&incident.title)
        .bind(causes.join("\n"))
        .bind(incident.summary.as_deref().unwrap_or(""))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The rendered document of an incident.
pub async fn html(pool: &SqlitePool, id: i64) -> sqlx::Result<Option<SafeHtml>> {
    let blob: Option<Vec<u8>> =
        sqlx::query_scalar("select html from incident_pages where incident_id = ?")
            .bind(id)
            .fetch_optional(pool)
            .await?;
    // Only `save` writes this column, always from a SafeHtml.
    Ok(blob.map(|b| SafeHtml::from_stored(super::decompress(&b))))
}

/// Recomputes related incidents for every incident from the stored profiles.
pub async fn refresh_related(pool: &SqlitePool) -> sqlx::Result<usize> {
    let rows = sqlx::query(
        "select p.incident_id, p.profile from incident_pages p
         join incidents i on i.id = p.incident_id
         where i.missing_since is null order by p.incident_id",
    )
    .fetch_all(pool)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    let profiles: Vec<Profile> = rows
        .iter()
        .map(|r| serde_json::from_str(r.get::<&str, _>(1)).unwrap_or_default())
        .collect();
    let related = tokio::task::spawn_blocking(move || related::compute(&profiles))
        .await
        .unwrap_or_default();
    let mut payload = Vec::new();
    for (i, list) in related.iter().enumerate() {
        for (rank, r) in list.iter().enumerate() {
            payload.push(serde_json::json!([
                ids[i],
                ids[r.other],
                rank,
                r.score,
                r.reason
            ]));
        }
    }
    let mut tx = pool.begin().await?;
    sqlx::query("delete from related_incidents")
        .execute(&mut *tx)
        .await?;
    for chunk in payload.chunks(2000) {
        sqlx::query(
            "insert into related_incidents (incident_id, other_id, rank, score, reason)
             select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 from json_each(?)",
        )
        .bind(serde_json::Value::Array(chunk.to_vec()).to_string())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(payload.len())
}
