//! The database: the only module that writes SQL. Free functions per entity take a
//! connection or pool; callers (import, web, CLI, digest) never build queries.
//!
//! Invariant: the schema is owned by `migrations/` and applied on every open; SQLite
//! runs in WAL mode with a busy timeout so readers proceed while an import writes.

pub mod accounts;
pub mod actions;
pub mod browse;
pub mod digest;
pub mod incidents;
pub mod pages;

use anyhow::Context;
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use std::path::Path;
use std::time::Duration;

/// The migrations in `migrations/`, embedded at compile time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// Opens (creating if needed) the database at `path` and brings its schema up to date.
pub async fn open(path: &Path) -> anyhow::Result<SqlitePool> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating the folder of {}", path.display()))?;
    }
    let options = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-32000");
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .min_connections(1)
        .connect_with(options)
        .await
        .with_context(|| format!("opening database {}", path.display()))?;
    MIGRATOR
        .run(&pool)
        .await
        .with_context(|| format!("migrating database {}", path.display()))?;
    Ok(pool)
}

/// The current time as stored in the database (RFC 3339, UTC, seconds).
pub fn now() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string()
}

/// Compresses text for storage.
pub fn compress(text: &str) -> Vec<u8> {
    lz4_flex::compress_prepend_size(text.as_bytes())
}

/// Decompresses text stored with [`compress`]; damaged data gives an empty string.
pub fn decompress(bytes: &[u8]) -> String {
    lz4_flex::decompress_size_prepended(bytes)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}
