//! What the web UI serves without recomputing: related-incident profiles, the brief
//! search index, related incidents and resolved references.
//!
//! Invariant: written in the same transaction as the incident it belongs to (profiles
//! and the brief index) or recomputed as a whole after an import (related incidents,
//! links), so they never describe a version of a document other than the stored one.
//! A transaction that changes incidents also records the recomputation as pending
//! ([`mark_refresh_needed`]); only the refresh that finishes it clears the record, so
//! a process killed in between leaves the work to the next import or server start.

use crate::related::{self, Profile};
use sqlx::{Row, SqliteConnection, SqlitePool};

/// What is stored for the web UI about one incident, prepared off the writer thread.
#[derive(Debug, Clone)]
pub struct Page {
    /// The profile as deflated JSON.
    profile: Vec<u8>,
}

impl Page {
    /// Serialises and compresses the profile (to about half its size).
    pub fn new(profile: &Profile) -> Page {
        // A profile (strings and numbers) always serialises.
        let json = serde_json::to_vec(profile).unwrap_or_default();
        Page {
            profile: super::deflate(&json),
        }
    }
}

impl Page {
    /// The stored form of the profile (written by `incidents::save`, in the same
    /// statement as its incident).
    pub fn bytes(&self) -> &[u8] {
        &self.profile
    }
}

/// A stored profile: deflated JSON, or plain JSON from before profiles were compressed.
fn read_profile(stored: &[u8]) -> Profile {
    if stored.first() == Some(&b'{') {
        return serde_json::from_slice(stored).unwrap_or_default();
    }
    // A profile is a few hundred terms: far below this bound.
    super::inflate(stored, 1 << 20)
        .and_then(|json| serde_json::from_slice(&json).ok())
        .unwrap_or_default()
}

/// The file stem a reference points at: `../2019-06-26-x.md#top` -> `2019-06-26-x`.
pub fn reference_stem(target: &str) -> &str {
    let t = target.split(['#', '?']).next().unwrap_or(target);
    let t = t.trim_end_matches('/');
    let last = t.rsplit('/').next().unwrap_or(t);
    match last.rsplit_once('.') {
        Some((s, "md" | "markdown" | "rst" | "txt" | "text" | "html" | "htm")) => s,
        _ => last,
    }
}

/// Records, inside the caller's transaction, that related incidents and links must be
/// recomputed: call it in every transaction that stores, removes or brings back an
/// incident.
pub async fn mark_refresh_needed(conn: &mut SqliteConnection, now: &str) -> sqlx::Result<()> {
    sqlx::query(
        "insert into pending_refresh (what, since) values ('related', ?1), ('links', ?1)
         on conflict (what) do update set generation = generation + 1",
    )
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Whether a recomputation recorded by [`mark_refresh_needed`] is still unfinished.
pub async fn refresh_pending(pool: &SqlitePool) -> sqlx::Result<bool> {
    sqlx::query_scalar("select exists (select 1 from pending_refresh)")
        .fetch_one(pool)
        .await
}

/// The generation of the pending `what` refresh, read before the refresh reads its
/// input.
async fn pending_generation(pool: &SqlitePool, what: &str) -> sqlx::Result<Option<i64>> {
    sqlx::query_scalar("select generation from pending_refresh where what = ?")
        .bind(what)
        .fetch_optional(pool)
        .await
}

/// Clears the pending `what` refresh in the transaction that finishes it, unless a
/// change committed since `generation` was read asks for another.
async fn clear_pending(
    conn: &mut SqliteConnection,
    what: &str,
    generation: Option<i64>,
) -> sqlx::Result<()> {
    if let Some(generation) = generation {
        sqlx::query("delete from pending_refresh where what = ? and generation = ?")
            .bind(what)
            .bind(generation)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Resolves every reference between incidents (by slug or file stem) into
/// `incident_links`, replacing what was there.
pub async fn refresh_links(pool: &SqlitePool) -> sqlx::Result<usize> {
    let generation = pending_generation(pool, "links").await?;
    let incidents =
        sqlx::query("select id, slug, source_path from incidents where removed_at is null")
            .fetch_all(pool)
            .await?;
    let mut by_stem: std::collections::HashMap<String, i64> = std::collections::HashMap::new();
    for r in &incidents {
        let id: i64 = r.get(0);
        by_stem.insert(r.get::<String, _>(1), id);
        by_stem
            .entry(reference_stem(r.get::<&str, _>(2)).to_string())
            .or_insert(id);
    }
    drop(incidents);
    // Streamed: most references (ticket ids, web links) point at no incident, and a
    // large corpus has millions of them.
    let mut links = Vec::new();
    let mut seen = std::collections::HashSet::new();
    {
        use futures_util::TryStreamExt;
        let mut refs =
            sqlx::query("select incident_id, target from incident_references").fetch(pool);
        while let Some(r) = refs.try_next().await? {
            let from: i64 = r.get(0);
            let target: &str = r.get(1);
            if let Some(&to) = by_stem.get(reference_stem(target))
                && to != from
                && seen.insert((from, to))
            {
                links.push(serde_json::json!([from, to, target]));
            }
        }
    }
    let mut tx = pool.begin().await?;
    sqlx::query("delete from incident_links")
        .execute(&mut *tx)
        .await?;
    for chunk in links.chunks(2000) {
        sqlx::query(
            "insert into incident_links (from_id, to_id, target)
             select value ->> 0, value ->> 1, value ->> 2 from json_each(?)",
        )
        .bind(serde_json::Value::Array(chunk.to_vec()).to_string())
        .execute(&mut *tx)
        .await?;
    }
    clear_pending(&mut tx, "links", generation).await?;
    tx.commit().await?;
    Ok(links.len())
}

/// Recomputes related incidents for every incident from the stored profiles.
pub async fn refresh_related(pool: &SqlitePool) -> sqlx::Result<usize> {
    use futures_util::TryStreamExt;
    let generation = pending_generation(pool, "related").await?;
    // Profiles are streamed into the comparer, never all held as rows.
    let mut ids: Vec<i64> = Vec::new();
    let mut comparer = related::Comparer::default();
    {
        let mut rows = sqlx::query(
            "select p.incident_id, p.profile from incident_profiles p
             join incidents i on i.id = p.incident_id
             where i.missing_since is null order by p.incident_id",
        )
        .fetch(pool);
        while let Some(r) = rows.try_next().await? {
            ids.push(r.get(0));
            let profile = read_profile(r.get::<&[u8], _>(1));
            comparer.add(&profile);
        }
    }
    let related = tokio::task::spawn_blocking(move || comparer.compute())
        .await
        .unwrap_or_default();
    let mut tx = pool.begin().await?;
    sqlx::query("delete from related_incidents")
        .execute(&mut *tx)
        .await?;
    // Written a chunk at a time, so the rows of a large corpus are never all in memory
    // in their JSON form.
    let mut written = 0;
    let mut chunk = Vec::with_capacity(RELATED_CHUNK);
    let rows = related.into_iter().enumerate().flat_map(|(i, list)| {
        list.into_iter()
            .enumerate()
            .map(move |(rank, r)| (i, rank, r))
    });
    for (i, rank, r) in rows {
        chunk.push(serde_json::json!([
            ids[i],
            ids[r.other],
            rank,
            r.score,
            r.reason
        ]));
        if chunk.len() == RELATED_CHUNK {
            written += insert_related(&mut tx, &mut chunk).await?;
        }
    }
    written += insert_related(&mut tx, &mut chunk).await?;
    clear_pending(&mut tx, "related", generation).await?;
    tx.commit().await?;
    Ok(written)
}

const RELATED_CHUNK: usize = 2000;

/// Inserts and empties a chunk of `[incident, other, rank, score, reason]` rows.
async fn insert_related(
    conn: &mut SqliteConnection,
    chunk: &mut Vec<serde_json::Value>,
) -> sqlx::Result<usize> {
    let n = chunk.len();
    if n == 0 {
        return Ok(0);
    }
    sqlx::query(
        "insert into related_incidents (incident_id, other_id, rank, score, reason)
         select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4 from json_each(?)",
    )
    .bind(serde_json::Value::Array(std::mem::take(chunk)).to_string())
    .execute(&mut *conn)
    .await?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn profiles_read_back_compressed_or_plain() {
        let profile = Profile {
            systems: vec!["kafka".into()],
            modes: vec!["ip address conflict".into()],
            terms: vec![("arp".into(), 2.5)],
        };
        let page = Page::new(&profile);
        assert_eq!(read_profile(&page.profile), profile);
        let plain = serde_json::to_vec(&profile).unwrap();
        assert_eq!(read_profile(&plain), profile);
        assert_eq!(read_profile(b"damaged"), Profile::default());
    }
}
