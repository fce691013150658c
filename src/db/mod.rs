//! The database: the only module that writes SQL. Free functions per entity take a
//! connection or pool; callers (import, web, CLI, digest) never build queries.
//!
//! Invariant: the schema is owned by `migrations/`; SQLite runs in WAL mode with a busy
//! timeout so readers proceed while an import writes. Opening never takes the write
//! lock unless there is something to migrate or upgrade; a database that cannot be
//! written is opened read-only for reading and refused, with the reason, for writing.

pub mod accounts;
mod action_match;
pub mod actions;
pub mod browse;
pub mod digest;
pub mod document;
pub mod export;
pub mod feeds;
pub mod incidents;
pub mod insights;
pub mod maintenance;
pub mod pages;
pub mod recurrence;
pub mod search_memo;

use anyhow::Context;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Connection, SqlitePool};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The migrations in `migrations/`, embedded at compile time.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// How long a statement waits for another connection's write lock before SQLite
/// reports the database busy.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Opens the database at `path` for a command that writes (creating it if needed) and
/// brings its schema up to date. Refuses, saying why, a database that cannot be
/// written: a read-only file, or a folder where SQLite cannot create its journal.
pub async fn open(path: &Path) -> anyhow::Result<SqlitePool> {
    if let Some(why) = Place::of(path).unwritable() {
        anyhow::bail!("{why}");
    }
    open_with(path, 0, false).await
}

/// Opens the database at `path` for a command that only reads. A database that cannot
/// be written is opened read-only (and nothing is migrated or upgraded); a writable one
/// as [`open`] does, which takes the write lock only when the schema needs it.
pub async fn open_for_reading(path: &Path) -> anyhow::Result<SqlitePool> {
    open_with(path, 0, true).await
}

/// Like [`open_for_reading`], for the web server: the file is also memory-mapped (up to
/// SQLite's compiled limit of 2 GB), so the eight reader connections share the
/// operating system's page cache instead of each copying pages into its own cache. At
/// 100,000 incidents this took a common-term search from about 110 to 60 ms
/// (BENCHMARKS.md). A read-only database is served read-only: changes are refused with
/// a message saying so (see [`WriteProblem`]).
pub async fn open_for_serving(path: &Path) -> anyhow::Result<SqlitePool> {
    open_with(path, 1 << 31, true).await
}

/// Whether the pool was opened read-only (see [`open_for_reading`]).
pub async fn is_read_only(pool: &SqlitePool) -> bool {
    sqlx::query_scalar::<_, bool>("pragma query_only")
        .fetch_one(pool)
        .await
        .unwrap_or(false)
}

/// The counter that every change to the incidents (their systems, tags and stored
/// figures included) increments, by whichever process (migration 0018's triggers):
/// what memoised aggregates over every incident are kept by. `None` when the database
/// has no counter (an older one opened read-only, not migrated): then nothing may be
/// kept.
pub async fn incidents_version(pool: &SqlitePool) -> Option<i64> {
    sqlx::query_scalar("select version from data_versions where name = 'incidents'")
        .fetch_optional(pool)
        .await
        .ok()
        .flatten()
}

/// The database file and the folder SQLite keeps its journal in (`-wal`, `-shm`).
struct Place {
    file: PathBuf,
    dir: PathBuf,
}

impl Place {
    fn of(path: &Path) -> Place {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        Place {
            file: path.to_path_buf(),
            dir: dir.to_path_buf(),
        }
    }

    /// Why the database cannot be written here, if it cannot: the reason a writing
    /// command gives instead of SQLite's "attempt to write a readonly database" at its
    /// first change.
    fn unwritable(&self) -> Option<String> {
        if self.file.exists() && !may_write(&self.file) {
            return Some(format!(
                "the database {} is read-only (its file cannot be written); commands that only read, and serve, can still open it",
                self.file.display()
            ));
        }
        if self.dir.exists() && !may_write(&self.dir) {
            // `--database a.db` has the directory "."; the message names it in full.
            let dir = std::path::absolute(&self.dir).unwrap_or_else(|_| self.dir.clone());
            return Some(format!(
                "cannot write in directory {} (the database needs it for its journal)",
                dir.display()
            ));
        }
        None
    }

    /// The file beside the database whose name ends in `suffix`.
    fn beside(&self, suffix: &str) -> PathBuf {
        let mut name = self.file.clone().into_os_string();
        name.push(suffix);
        name.into()
    }

    /// The write-ahead log holds changes not yet copied into the database file.
    fn has_log(&self) -> bool {
        std::fs::metadata(self.beside("-wal")).is_ok_and(|m| m.len() > 0)
    }

    /// The log's shared-memory index (`-shm`) exists.
    fn has_index(&self) -> bool {
        self.beside("-shm").exists()
    }
}

/// Whether this process may write `path` (for a folder: create files in it), as the
/// operating system judges it: permissions, and read-only mounts.
fn may_write(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated string for the duration of the call.
    unsafe { libc::access(c.as_ptr(), libc::W_OK) == 0 }
}

async fn open_with(path: &Path, mmap_bytes: u64, reading: bool) -> anyhow::Result<SqlitePool> {
    let place = Place::of(path);
    let read_only = reading && path.exists() && place.unwritable().is_some();
    if !read_only && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating the folder of {}", path.display()))?;
    }
    let mut options = SqliteConnectOptions::new()
        .filename(path)
        .busy_timeout(BUSY_TIMEOUT)
        .foreign_keys(true)
        .pragma("temp_store", "memory")
        .pragma("cache_size", "-8000")
        .pragma("mmap_size", mmap_bytes.to_string());
    if read_only && place.has_log() && !place.has_index() && !may_write(&place.dir) {
        anyhow::bail!(
            "cannot read {}: its write-ahead log holds changes, and reading them needs an index file SQLite would create in {}, which cannot be written",
            path.display(),
            place.dir.display()
        );
    }
    options = if read_only {
        // Nothing may be created beside the file either. With no write-ahead log to
        // read, the file is all there is: opened immutable, SQLite needs no `-shm` (which
        // it could not create in a read-only folder) and takes no locks. With a log, it
        // reads through the `-shm` index the writer left.
        options
            .read_only(true)
            .immutable(!place.has_log())
            .pragma("query_only", "1")
    } else {
        options
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
    };
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .min_connections(1)
        .after_release(|conn, _| Box::pin(async move { reusable(conn).await }))
        .connect_with(options)
        .await
        .with_context(|| format!("opening database {}", path.display()))?;
    if read_only {
        tracing::info!(database = %path.display(), "the database cannot be written: opened read-only");
        let stale = if migrations_pending(&pool).await? {
            Some("was made by an older version")
        } else if document::needs_upgrade(&pool).await? {
            Some("holds documents in the old layout")
        } else {
            None
        };
        if let Some(stale) = stale {
            anyhow::bail!(
                "the database {} {stale} and is read-only: open it once with write access to upgrade it",
                path.display()
            );
        }
        return Ok(pool);
    }
    if migrations_pending(&pool).await? {
        MIGRATOR
            .run(&pool)
            .await
            .with_context(|| format!("migrating database {}", path.display()))?;
    }
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

/// Whether a migration is not applied yet, or an applied one changed or is unknown to
/// this version (which `MIGRATOR.run` then reports). Only reads, so that opening an
/// up-to-date database never waits for, or blocks, a writer.
async fn migrations_pending(pool: &SqlitePool) -> anyhow::Result<bool> {
    let exists: bool = sqlx::query_scalar(
        "select exists (select 1 from sqlite_master where type = 'table' and name = '_sqlx_migrations')",
    )
    .fetch_one(pool)
    .await
    .context("reading the database's schema")?;
    if !exists {
        return Ok(true);
    }
    let applied: Vec<(i64, Vec<u8>, bool)> =
        sqlx::query_as("select version, checksum, success from _sqlx_migrations")
            .fetch_all(pool)
            .await
            .context("reading the applied migrations")?;
    let ours: std::collections::HashMap<i64, &[u8]> = MIGRATOR
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| (m.version, &m.checksum[..]))
        .collect();
    let same = applied.len() == ours.len()
        && applied
            .iter()
            .all(|(version, sum, success)| *success && ours.get(version) == Some(&&sum[..]));
    Ok(!same)
}

/// Whether a connection coming back to the pool can serve the next caller. A
/// transaction whose COMMIT failed (a full disk) and whose rollback failed too (SQLite
/// had already rolled it back) leaves sqlx counting a transaction that is not there,
/// and every later `BEGIN` on that connection fails; such a connection is closed
/// instead. The ping lets a rollback queued by a dropped transaction run first.
async fn reusable(conn: &mut sqlx::SqliteConnection) -> Result<bool, sqlx::Error> {
    conn.ping().await?;
    if conn.is_in_transaction() {
        tracing::warn!("a connection left inside a failed transaction was closed");
        return Ok(false);
    }
    Ok(true)
}

/// What a failed write ran into, when it is the storage rather than the statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteProblem {
    /// The disk (or the file system's quota) is full.
    DiskFull,
    /// The database, or the folder it keeps its journal in, cannot be written.
    ReadOnly,
    /// Another connection held the write lock for longer than the busy timeout.
    Busy,
}

impl WriteProblem {
    /// The problem `e` reports, from SQLite's primary result code, if it is one of these.
    pub fn of(e: &sqlx::Error) -> Option<WriteProblem> {
        let sqlx::Error::Database(db) = e else {
            return None;
        };
        // Extended result codes: the primary code is the low byte.
        let code = db.code()?.parse::<i32>().ok()? & 0xff;
        match code {
            13 => Some(WriteProblem::DiskFull),
            8 => Some(WriteProblem::ReadOnly),
            5 | 6 => Some(WriteProblem::Busy),
            _ => None,
        }
    }
}

impl std::fmt::Display for WriteProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            WriteProblem::DiskFull => "the disk is full",
            WriteProblem::ReadOnly => "the database is read-only",
            WriteProblem::Busy => "the database is busy: another process is writing",
        })
    }
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

thread_local! {
    /// The decompressor this thread reuses (a new one allocates its 32 KB window:
    /// more than inflating a profile or the start of a document costs).
    static DECOMPRESSOR: std::cell::RefCell<flate2::Decompress> =
        std::cell::RefCell::new(flate2::Decompress::new(false));
}

/// Calls `f` with this thread's decompressor, reset; with a new one if it is in use
/// (an `f` that itself inflates).
fn with_decompressor<R>(f: impl FnOnce(&mut flate2::Decompress) -> R) -> R {
    DECOMPRESSOR.with(|cell| match cell.try_borrow_mut() {
        Ok(mut d) => {
            d.reset(false);
            f(&mut d)
        }
        Err(_) => f(&mut flate2::Decompress::new(false)),
    })
}

/// Inflates a whole raw deflate stream of at most `limit` bytes with the decompressor
/// kept per thread. `None` when the stream is damaged, cut short or too large.
pub fn inflate(bytes: &[u8], limit: usize) -> Option<Vec<u8>> {
    use flate2::{FlushDecompress, Status};
    with_decompressor(|d| {
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

/// Calls `f` with a reader of the raw deflate stream `bytes`, inflating as it is read
/// with the decompressor kept per thread. A damaged stream reads as an error, a stream
/// cut short as its end.
pub fn with_inflating_reader<R>(bytes: &[u8], f: impl FnOnce(&mut Inflating<'_>) -> R) -> R {
    with_decompressor(|d| {
        f(&mut Inflating {
            input: bytes,
            decompress: d,
        })
    })
}

/// A reader over a deflate stream ([`with_inflating_reader`]).
pub struct Inflating<'a> {
    input: &'a [u8],
    decompress: &'a mut flate2::Decompress,
}

impl std::io::Read for Inflating<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            let before = (self.decompress.total_in(), self.decompress.total_out());
            let status = self
                .decompress
                .decompress(self.input, out, flate2::FlushDecompress::None)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))?;
            let read = (self.decompress.total_in() - before.0) as usize;
            let written = (self.decompress.total_out() - before.1) as usize;
            self.input = &self.input[read..];
            if written > 0 || status == flate2::Status::StreamEnd || read == 0 {
                return Ok(written);
            }
        }
    }
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

    #[test]
    fn an_inflating_reader_reads_in_small_steps_and_stops_at_damage() {
        let text: String = (0..4000).map(|i| format!("entry {i} ")).collect();
        let packed = deflate(text.as_bytes());
        for step in [1, 7, 4096] {
            let read = with_inflating_reader(&packed, |r| {
                let mut out = Vec::new();
                let mut buf = vec![0; step];
                loop {
                    match r.read(&mut buf).unwrap() {
                        0 => return out,
                        n => out.extend_from_slice(&buf[..n]),
                    }
                }
            });
            assert_eq!(read, text.as_bytes(), "{step}-byte reads");
        }
        // Cut short: what was there, then the end.
        let half = with_inflating_reader(&packed[..packed.len() / 2], |r| {
            let mut out = Vec::new();
            r.read_to_end(&mut out).map(|_| out)
        })
        .unwrap();
        assert!(!half.is_empty() && text.as_bytes().starts_with(&half));
        assert!(
            with_inflating_reader(b"\xff\xff not deflate", |r| r.read_to_end(&mut Vec::new()))
                .is_err()
        );
        // Inflating inside the reader's call uses a decompressor of its own.
        let nested = with_inflating_reader(&packed, |r| {
            let inner = inflate(&deflate(b"inner"), 100).unwrap();
            let mut out = Vec::new();
            r.read_to_end(&mut out).unwrap();
            (inner, out)
        });
        assert_eq!(nested, (b"inner".to_vec(), text.into_bytes()));
    }
}
