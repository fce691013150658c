//! Import: files and folders into the database.
//!
//! Files are found (recursively, sorted), read, hashed and parsed on worker threads;
//! one writer stores them in order, in batches, each file inside its own savepoint so
//! it lands completely or not at all. Unchanged files (same content hash) are skipped
//! without parsing; files gone from an imported folder mark their incident missing.
//!
//! Invariant: one bad file never stops the import of the others, and every problem is
//! reported with the file's path and a line.

use crate::db;
use crate::ingest;
use crate::related;
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Files per transaction: large enough to amortise commits, WAL checkpoints and the
/// full-text index flush (one index segment per transaction), small enough that
/// readers see progress and a crash loses little. 1024 was no faster at 10,000 files
/// and doubled peak memory (the batch's search rows and FTS5's pending index).
const BATCH: usize = 256;

/// Parsed files waiting for the writer: room for a good part of a batch, so workers
/// keep parsing while the writer commits, without holding many files in memory.
const QUEUE: usize = 256;

/// Import settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files larger than this are reported and skipped.
    pub max_file_bytes: u64,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Warning,
    Error,
}

/// A problem in one file, printed as `path:line: warning: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: String,
    pub line: u32,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Warning => "warning",
            Severity::Error => "error",
        };
        write!(f, "{}:{}: {kind}: {}", self.path, self.line, self.message)
    }
}

/// One file stored by an import, for progress output.
#[derive(Debug, Clone)]
pub struct Stored {
    pub path: String,
    pub slug: String,
    pub title: String,
    pub started: Option<String>,
    pub timeline: usize,
    pub causes: usize,
    pub actions: usize,
}

impl fmt::Display for Stored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}  {}  {} ({} timeline entries, {} root causes, {} actions)",
            self.started.as_deref().unwrap_or("----------"),
            self.slug,
            self.title,
            self.timeline,
            self.causes,
            self.actions
        )
    }
}

/// What an import reports while it runs.
#[derive(Debug, Clone)]
pub enum Event {
    /// A problem in a file.
    Diagnostic(Diagnostic),
    /// A file stored (new or changed).
    Stored(Stored),
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub imported: usize,
    pub unchanged: usize,
    pub failed: usize,
    pub warnings: usize,
    /// Incidents newly marked missing because their file is gone.
    pub missing: u64,
    pub elapsed: Duration,
}

impl Report {
    /// The final line of `aftermath import`.
    pub fn summary_line(&self) -> String {
        let mut line = format!(
            "imported {}, unchanged {}, failed {}, warnings {}",
            self.imported, self.unchanged, self.failed, self.warnings
        );
        if self.missing > 0 {
            line.push_str(&format!(", missing from source {}", self.missing));
        }
        line.push_str(&format!(", {:.2} s", self.elapsed.as_secs_f64()));
        line
    }
}

/// A file to import: the path as the user will see it and its canonical key.
#[derive(Debug, Clone)]
struct Job {
    display: String,
    key: String,
}

/// What a worker made of one file.
enum Outcome {
    Unchanged {
        key: String,
    },
    Parsed {
        job: Job,
        hash: String,
        bytes: u64,
        record: Box<db::incidents::Record>,
    },
    Failed {
        display: String,
        line: u32,
        message: String,
    },
}

/// Imports files and folders; `on_event` hears of every diagnostic and stored file as
/// it happens.
pub async fn import_paths(
    pool: &SqlitePool,
    paths: &[PathBuf],
    options: &Options,
    mut on_event: impl FnMut(&Event),
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let mut summary = Report::default();
    let mut jobs = Vec::new();
    let mut roots = Vec::new();
    for path in paths {
        match collect(path, &mut jobs) {
            Ok(Some(root)) => roots.push(root),
            Ok(None) => {}
            Err(e) => {
                summary.failed += 1;
                on_event(&Event::Diagnostic(Diagnostic {
                    path: path.display().to_string(),
                    line: 1,
                    severity: Severity::Error,
                    message: e.to_string(),
                }));
            }
        }
    }
    let mut keys = HashSet::new();
    jobs.retain(|j| keys.insert(j.key.clone()));

    let known = db::incidents::known_sources(pool).await?;
    let hashes: HashMap<String, String> = known
        .iter()
        .map(|(k, v)| (k.clone(), v.hash.clone()))
        .collect();
    // Files that were imported from these folders before and are gone now.
    let gone: Vec<i64> = known
        .iter()
        .filter(|(key, k)| {
            !k.missing && !keys.contains(key.as_str()) && roots.iter().any(|r| is_under(key, r))
        })
        .map(|(_, k)| k.id)
        .collect();
    let rx = spawn_workers(jobs, hashes, options.max_file_bytes);
    // One connection for the whole import: its page cache stays warm from one batch
    // to the next.
    let mut conn = pool.acquire().await?;
    store(&mut conn, rx, &known, &gone, &mut summary, &mut on_event).await?;
    drop(conn);
    if summary.imported > 0 || summary.missing > 0 {
        db::pages::refresh_related(pool).await?;
        db::pages::refresh_links(pool).await?;
    }
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// The writer: stores what the workers send, in file order, in batches of [`BATCH`]
/// files per transaction, and marks the incidents of `gone` missing in the last.
async fn store(
    conn: &mut sqlx::SqliteConnection,
    mut rx: tokio::sync::mpsc::Receiver<(usize, Outcome)>,
    known: &HashMap<String, db::incidents::Known>,
    gone: &[i64],
    summary: &mut Report,
    on_event: &mut impl FnMut(&Event),
) -> anyhow::Result<()> {
    let now = &db::now();
    let mut taken: HashSet<String> = known.values().map(|k| k.slug.clone()).collect();

    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    let mut in_batch = 0;
    let mut search_rows = Vec::with_capacity(BATCH);
    let mut pending: BTreeMap<usize, Outcome> = BTreeMap::new();
    let mut next = 0;
    while let Some((index, outcome)) = rx.recv().await {
        pending.insert(index, outcome);
        // Store in file order so slugs and output are the same on every run.
        while let Some(outcome) = pending.remove(&next) {
            next += 1;
            match outcome {
                Outcome::Unchanged { key } => {
                    summary.unchanged += 1;
                    if let Some(k) = known.get(&key).filter(|k| k.missing) {
                        db::incidents::clear_missing(&mut tx, k.id).await?;
                    }
                }
                Outcome::Failed {
                    display,
                    line,
                    message,
                } => {
                    summary.failed += 1;
                    on_event(&Event::Diagnostic(Diagnostic {
                        path: display,
                        line,
                        severity: Severity::Error,
                        message,
                    }));
                }
                Outcome::Parsed {
                    job,
                    hash,
                    bytes,
                    mut record,
                } => {
                    let source = db::incidents::Source {
                        path: &job.key,
                        hash: &hash,
                        bytes,
                    };
                    // `save` is all or nothing for the file (it runs in a savepoint).
                    let saved = db::incidents::save(
                        &mut tx,
                        &source,
                        &mut record,
                        known.get(&job.key),
                        &mut taken,
                        now,
                    )
                    .await;
                    match saved {
                        Ok((id, slug)) => {
                            summary.imported += 1;
                            let i = &record.incident;
                            on_event(&Event::Stored(Stored {
                                path: job.display.clone(),
                                slug: slug.to_string(),
                                title: i.title.clone(),
                                started: i.started.map(|d| d.to_string()),
                                timeline: i.timeline.len(),
                                causes: i.root_causes.len(),
                                actions: i.actions.len(),
                            }));
                            for w in &i.warnings {
                                summary.warnings += 1;
                                on_event(&Event::Diagnostic(Diagnostic {
                                    path: job.display.clone(),
                                    line: w.line,
                                    severity: Severity::Warning,
                                    message: w.message.clone(),
                                }));
                            }
                            search_rows.push(db::incidents::search_row(id, *record));
                        }
                        Err(e) => {
                            summary.failed += 1;
                            on_event(&Event::Diagnostic(Diagnostic {
                                path: job.display.clone(),
                                line: 1,
                                severity: Severity::Error,
                                message: format!("not stored: {e}"),
                            }));
                        }
                    }
                    in_batch += 1;
                    if in_batch >= BATCH {
                        db::incidents::index(&mut tx, &search_rows).await?;
                        search_rows.clear();
                        tx.commit().await?;
                        tx = sqlx::Connection::begin(&mut *conn).await?;
                        in_batch = 0;
                    }
                }
            }
        }
    }
    db::incidents::index(&mut tx, &search_rows).await?;
    summary.missing = db::incidents::mark_missing(&mut tx, gone, now).await?;
    tx.commit().await?;
    Ok(())
}

/// A file read and parsed, ready for the writer. Only the import benchmark uses this:
/// it parses a corpus in advance to time the writer alone.
pub struct Prepared(Outcome);

/// Reads and parses one file as an import's worker would.
pub fn prepare_file(path: &Path) -> std::io::Result<Prepared> {
    Ok(Prepared(process(&job(path)?, &HashMap::new(), u64::MAX)))
}

/// Stores prepared files into an empty database with the import's own writer (same
/// batches and statements), without the refresh of related incidents and links.
pub async fn store_prepared(pool: &SqlitePool, files: Vec<Prepared>) -> anyhow::Result<Report> {
    let started = Instant::now();
    let (tx, rx) = tokio::sync::mpsc::channel(QUEUE);
    let feeder = tokio::spawn(async move {
        for (index, Prepared(outcome)) in files.into_iter().enumerate() {
            if tx.send((index, outcome)).await.is_err() {
                break;
            }
        }
    });
    let mut summary = Report::default();
    let mut conn = pool.acquire().await?;
    store(
        &mut conn,
        rx,
        &HashMap::new(),
        &[],
        &mut summary,
        &mut |_| {},
    )
    .await?;
    feeder.await?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

fn is_under(key: &str, root: &str) -> bool {
    key.strip_prefix(root)
        .is_some_and(|rest| rest.starts_with('/'))
}

/// Adds the files under `path` to `jobs`; returns the canonical folder when `path` is
/// a folder (files that vanish from it are marked missing).
fn collect(path: &Path, jobs: &mut Vec<Job>) -> std::io::Result<Option<String>> {
    let meta = std::fs::metadata(path)?;
    if meta.is_file() {
        jobs.push(job(path)?);
        return Ok(None);
    }
    let mut files = Vec::new();
    walk(path, &mut files, 0)?;
    files.sort();
    for file in files {
        jobs.push(job(&file)?);
    }
    let root = std::fs::canonicalize(path)?;
    Ok(Some(root.to_string_lossy().into_owned()))
}

fn job(path: &Path) -> std::io::Result<Job> {
    let key = std::fs::canonicalize(path)?.to_string_lossy().into_owned();
    Ok(Job {
        display: path.display().to_string(),
        key,
    })
}

/// Recursive listing of importable files; hidden entries and symlinked folders are
/// skipped (no loops), depth is bounded.
fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> std::io::Result<()> {
    if depth > 32 {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = entry.file_type()?;
        let path = entry.path();
        if kind.is_dir() {
            walk(&path, out, depth + 1)?;
        } else if (kind.is_file() || kind.is_symlink())
            && ingest::format_for_path(&path).is_some()
            && !is_repository_file(&path)
        {
            out.push(path);
        }
    }
    Ok(())
}

/// README, LICENSE and similar files sit beside postmortems in their repositories but
/// are not incidents; they are imported only when named explicitly.
fn is_repository_file(path: &Path) -> bool {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    matches!(
        stem.as_str(),
        "readme"
            | "license"
            | "licence"
            | "contributing"
            | "changelog"
            | "code_of_conduct"
            | "security"
            | "template"
            | "_template"
            | "index"
    )
}

/// Reads, hashes and parses files on worker threads, sending `(index, outcome)`.
fn spawn_workers(
    jobs: Vec<Job>,
    hashes: HashMap<String, String>,
    limit: u64,
) -> tokio::sync::mpsc::Receiver<(usize, Outcome)> {
    // One worker per core. Leaving a core to the writer was tried: the full import was
    // within noise, and re-importing an unchanged corpus (reading and hashing only)
    // got a third slower at 100,000 files.
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let (tx, rx) = tokio::sync::mpsc::channel(QUEUE);
    let jobs = Arc::new(jobs);
    let hashes = Arc::new(hashes);
    let next = Arc::new(AtomicUsize::new(0));
    for _ in 0..workers {
        let (jobs, hashes, next, tx) = (jobs.clone(), hashes.clone(), next.clone(), tx.clone());
        std::thread::spawn(move || {
            lower_priority();
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(index) else {
                    break;
                };
                let outcome = process(job, &hashes, limit);
                if tx.blocking_send((index, outcome)).is_err() {
                    break;
                }
            }
        });
    }
    rx
}

/// Lets the writer run first when cores are short: parsing is the larger share of the
/// work, but every stored file waits on the writer's chain of hand-overs (the async
/// task, then SQLite's thread), and a parse worker holding the core it needs stalls
/// the whole pipeline. The writer alone is the ceiling of the import (see the import
/// bench), so the workers take the lowest priority: at 10,000 files nice 19 took
/// 11.8-12.8 s against 12.2-15.3 s at nice 5, alternated three times. In the server
/// the workers also yield to requests.
fn lower_priority() {
    // Linux nice values are per thread; `0` is the calling thread. Failure only means
    // the default priority.
    #[cfg(target_os = "linux")]
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
    }
}

fn process(job: &Job, hashes: &HashMap<String, String>, limit: u64) -> Outcome {
    let failed = |line: u32, message: String| Outcome::Failed {
        display: job.display.clone(),
        line,
        message,
    };
    let bytes = match std::fs::read(&job.key) {
        Ok(b) => b,
        Err(e) => return failed(1, format!("cannot read: {e}")),
    };
    let hash = hex(&Sha256::digest(&bytes));
    if hashes.get(&job.key) == Some(&hash) {
        return Outcome::Unchanged {
            key: job.key.clone(),
        };
    }
    let size = bytes.len() as u64;
    let text = match ingest::decode(&bytes, limit) {
        Ok(t) => t,
        Err(e) => return failed(e.line(), e.to_string()),
    };
    let parsed = ingest::parse(&job.display, Path::new(&job.key), text);
    let mut record = db::incidents::prepare(parsed);
    record.attach_profile(&page(&record));
    Outcome::Parsed {
        job: job.clone(),
        hash,
        bytes: size,
        record: Box::new(record),
    }
}

/// What the web UI needs besides the extracted record, computed here on the worker
/// thread so the writer only writes.
fn page(record: &db::incidents::Record) -> db::pages::Page {
    let i = &record.incident;
    let causes: Vec<&str> = i.root_causes.iter().map(|c| c.text.as_str()).collect();
    let profile = related::profile(&related::ProfileInput {
        title: &i.title,
        causes: &causes,
        summary: i.summary.as_deref().unwrap_or(""),
        body: record.body(),
        systems: &i.systems,
    });
    db::pages::Page::new(&profile)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
