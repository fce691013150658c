//! The database: the only module that writes SQL. Free functions per entity take a
//! connection or pool; callers (import, web, CLI, digest) never build queries.
//!
//! Invariant: the schema is owned by `migrations/` and applied on every open; SQLite
//! runs in WAL mode with a busy timeout so readers proceed while an import writes.

pub mod accounts;
mod action_match;
pub mod actions;
pub mod browse;
pub mod digest;
pub mod document;
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
    open_with(path, 0).await
}

/// Like [`open`], for the web server: the file is also memory-mapped (up to SQLite's
/// compiled limit of 2 GB), so the eight reader connections share the operating
/// system's page cache instead of each copying pages into its own cache. At 100,000
/// incidents this took a common-term search from about 110 to 60 ms (BENCHMARKS.md).
pub async fn open_for_serving(path: &Path) -> anyhow::Result<SqlitePool> {
    open_with(path, 1 << 31).await
}

async fn open_with(path: &Path, mmap_bytes: u64) -> anyhow::Result<SqlitePool> {
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
        .pragma("cache_size", "-8000")
        .pragma("mmap_size", mmap_bytes.to_string());
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
    let upgraded = document::upgrade(&pool)
        .await
        .with_context(|| format!("upgrading stored documents in {}", path.display()))?;
    if upgraded > 0 {
        tracing::info!(
            incidents = upgraded,
            "stored documents upgraded to the compact layout"
        );
        // Give the space of the old columns back to the file system: a one-time cost.
        sqlx::query("vacuum").execute(&pool).await?;
    }
    Ok(pool)
}

/// The current time as stored in the database (RFC 3339, UTC, seconds).
pub fn now() -> String {
    let now = jiff::Timestamp::now();
    jiff::Timestamp::from_second(now.as_second())
        .unwrap_or(now)
        .to_string()
}

/// Deflates `bytes` (level 6, raw deflate) with a compressor kept per thread: setting
/// one up (allocating and clearing its tables) cost more than compressing a profile.
pub fn deflate(bytes: &[u8]) -> Vec<u8> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    thread_local! {
        static COMPRESSOR: std::cell::RefCell<Compress> =
            std::cell::RefCell::new(Compress::new(Compression::new(6), false));
    }
    COMPRESSOR.with_borrow_mut(|c| {
        c.reset();
        let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
        loop {
            let read = c.total_in() as usize;
            match c.compress_vec(&bytes[read..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => return out,
                Ok(_) => out.reserve(out.capacity().max(64)),
                Err(_) => return Vec::new(),
            }
        }
    })
}

/// Inflates a whole raw deflate stream of at most `limit` bytes with a decompressor
/// kept per thread (a new one allocates its 32 KB window: more than inflating a
/// profile costs). `None` when the stream is damaged, cut short or too large.
pub fn inflate(bytes: &[u8], limit: usize) -> Option<Vec<u8>> {
    use flate2::{Decompress, FlushDecompress, Status};
    thread_local! {
        static DECOMPRESSOR: std::cell::RefCell<Decompress> =
            std::cell::RefCell::new(Decompress::new(false));
    }
    DECOMPRESSOR.with_borrow_mut(|d| {
        d.reset(false);
        let mut out = Vec::with_capacity((bytes.len() * 4).clamp(64, limit.max(64)));
        loop {
            let read = d.total_in() as usize;
            let before = (d.total_in(), d.total_out());
            match d.decompress_vec(&bytes[read..], &mut out, FlushDecompress::Finish) {
                Ok(Status::StreamEnd) => return Some(out),
                Ok(_) if out.len() >= limit => return None,
                // No progress with room to spare: the input ended before the stream.
                Ok(_) if (d.total_in(), d.total_out()) == before && out.len() < out.capacity() => {
                    return None;
                }
                Ok(_) => out.reserve(out.capacity().max(64).min(limit)),
                Err(_) => return None,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn deflate_round_trips_and_reuses_its_compressor() {
        for text in ["", "short", &"incident timeline entry ".repeat(5000)] {
            for _ in 0..2 {
                let packed = deflate(text.as_bytes());
                let mut back = String::new();
                flate2::read::DeflateDecoder::new(&packed[..])
                    .read_to_string(&mut back)
                    .unwrap();
                assert_eq!(back, text);
                assert_eq!(inflate(&packed, 1 << 20).unwrap(), text.as_bytes());
            }
        }
    }

    #[test]
    fn inflate_refuses_damage_and_excess() {
        let packed = deflate("incident timeline entry ".repeat(5000).as_bytes());
        assert_eq!(inflate(&packed[..packed.len() / 2], 1 << 20), None);
        assert_eq!(inflate(b"not deflate at all", 1 << 20), None);
        assert_eq!(inflate(&packed, 1000), None);
        // A good stream after a bad one: the decompressor is reset.
        assert!(inflate(&deflate(b"ok"), 100).is_some());
    }
}
