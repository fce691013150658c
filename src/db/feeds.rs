//! What the Atom feeds list: the postmortems imported most recently (`/feed.atom`).
//! Overdue actions come from `actions::list`, the one definition of overdue.
//!
//! Invariant: read-only; values are returned as plain text for the feed's template to
//! escape.

use sqlx::{Row, SqlitePool};

/// A postmortem as a feed entry.
#[derive(Debug, Clone)]
pub struct FeedIncident {
    pub slug: String,
    pub title: String,
    pub started: Option<String>,
    pub severity: Option<String>,
    /// When it was first imported (RFC 3339, UTC).
    pub imported_at: String,
    /// When its document last changed (RFC 3339, UTC).
    pub updated_at: String,
    pub summary: Option<String>,
}

/// The `limit` postmortems imported last, newest first (incidents removed by hand are
/// left out).
pub async fn recent_imports(pool: &SqlitePool, limit: i64) -> sqlx::Result<Vec<FeedIncident>> {
    Ok(sqlx::query(
        "select slug, title, started, severity, imported_at, updated_at, document
         from incidents where removed_at is null
         order by imported_at desc, id desc limit ?",
    )
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| FeedIncident {
        slug: r.get(0),
        title: r.get(1),
        started: r.get(2),
        severity: r.get(3),
        imported_at: r.get(4),
        updated_at: r.get(5),
        summary: Some(super::document::Stored::snippet_text(
            r.get::<&[u8], _>(6),
            |_| true,
            |_| None,
        ))
        .filter(|s| !s.is_empty()),
    })
    .collect())
}
