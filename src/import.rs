//! Import: files and folders into the database.
//!
//! Files are found (recursively, sorted), read, hashed and parsed on worker threads;
//! one writer stores them in order, in batches, each file inside its own savepoint so
//! it lands completely or not at all. Unchanged files (same content hash) are skipped
//! without parsing; files gone from an imported folder mark their incident missing.
//!
//! Only regular files inside the imported folders are read: a symlink whose target lies
//! outside them is skipped with a warning (unless `allow_symlinks_outside`), FIFOs and
//! devices are skipped, a symlinked folder is walked at most once (no loops), and the
//! size limit is checked on the open file before a bounded read.
//!
//! Invariant: one bad file never stops the import of the others (an unreadable path, a
//! file over the limit, even a panic in the parser becomes that file's error), and every
//! problem is reported with the file's path and a line, escaped for the terminal.

mod exclude;
pub use exclude::Exclude;

use crate::db;
use crate::ingest;
use crate::pipeline;
use crate::related;
use crate::text::printable;
use sha2::{Digest, Sha256};
use sqlx::SqlitePool;
use std::cell::{Cell, RefCell};
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

/// Folders nested deeper than this below an imported folder are not read.
const MAX_DEPTH: usize = 32;

/// Import settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// Files larger than this are reported and skipped.
    pub max_file_bytes: u64,
    /// Follow symlinks whose target lies outside the imported folders. Off by default:
    /// anyone who can add a file to a postmortem repository could otherwise publish
    /// any file the importer can read (`/etc/passwd`, the config file).
    pub allow_symlinks_outside: bool,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Warning,
    Error,
}

/// A problem in one file, printed as `path:line: warning: message`; a problem with a
/// path itself (missing, unreadable, a link not followed) has no line, and an error of
/// that kind reads `path: message`, as `PATH: no such file or directory`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub path: String,
    /// 1-based; 0 when the problem is with the path, not a line of a file.
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
        let path = printable(&self.path);
        let message = printable(&self.message);
        match (self.line, self.severity) {
            (0, Severity::Error) => write!(f, "{path}: {message}"),
            (0, _) => write!(f, "{path}: {kind}: {message}"),
            (line, _) => write!(f, "{path}:{line}: {kind}: {message}"),
        }
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
            printable(&self.title),
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
    on_event: impl FnMut(&Event),
) -> anyhow::Result<Report> {
    import_paths_with(pool, paths, options, &Exclude::default(), on_event).await
}

/// Imports files and folders like [`import_paths`], leaving out of the folders what
/// `exclude` matches (files named explicitly are always read).
pub async fn import_paths_with(
    pool: &SqlitePool,
    paths: &[PathBuf],
    options: &Options,
    exclude: &Exclude,
    mut on_event: impl FnMut(&Event),
) -> anyhow::Result<Report> {
    let started = Instant::now();
    let mut summary = Report::default();
    let found = collect(paths, options.allow_symlinks_outside, exclude);
    for d in &found.problems {
        match d.severity {
            Severity::Error => summary.failed += 1,
            Severity::Warning => summary.warnings += 1,
        }
        on_event(&Event::Diagnostic(d.clone()));
    }
    let Found {
        mut jobs,
        roots,
        unlisted,
        ..
    } = found;
    let mut keys = HashSet::new();
    jobs.retain(|j| keys.insert(j.key.clone()));

    let known = db::incidents::known_sources(pool).await?;
    let hashes: HashMap<String, String> = known
        .iter()
        .map(|(k, v)| (k.clone(), v.hash.clone()))
        .collect();
    // Files that were imported from these folders before and are gone now (not merely
    // in a folder that could not be listed this time).
    let gone: Vec<i64> = known
        .iter()
        .filter(|(key, k)| {
            !k.missing
                && !k.removed
                && !keys.contains(key.as_str())
                && roots.iter().any(|r| is_under(key, r))
                && !unlisted.iter().any(|u| is_under(key, u))
        })
        .map(|(_, k)| k.id)
        .collect();
    // Files whose incidents were removed by hand stay out, changed or not, and each
    // import says so: the file is still there, and only its author can delete it.
    jobs.retain(|job| {
        if !known.get(&job.key).is_some_and(|k| k.removed) {
            return true;
        }
        summary.warnings += 1;
        on_event(&Event::Diagnostic(Diagnostic {
            path: job.display.clone(),
            line: 0,
            severity: Severity::Warning,
            message: "not imported: its incident was removed with `aftermath remove` \
                      (delete the file, or add it to `exclude`)"
                .to_string(),
        }));
        false
    });
    let count = jobs.len();
    let rx = spawn_workers(jobs, hashes, options.max_file_bytes);
    // One connection for the whole import: its page cache stays warm from one batch
    // to the next.
    let mut conn = pool.acquire().await?;
    let stored = store(&mut conn, rx, &known, &gone, &mut summary, &mut on_event).await?;
    drop(conn);
    // Every worker catches what goes wrong with its file, so each file sends an outcome;
    // if one did not, say so rather than report a clean import of fewer files.
    anyhow::ensure!(
        stored == count,
        "the import stopped after {stored} of {count} files"
    );
    // Recorded as pending in the transactions that changed incidents: also finishes a
    // refresh an earlier import was killed before completing.
    finish_refresh(pool).await?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Recomputes related incidents and links when an import recorded them as pending
/// (in the same transaction as its data) and did not get to finish: the process was
/// killed between its last commit and the refresh. Returns whether there was work.
/// Every import calls it; `serve` calls it at start-up too.
pub async fn finish_refresh(pool: &SqlitePool) -> anyhow::Result<bool> {
    if !db::pages::refresh_pending(pool).await? {
        return Ok(false);
    }
    db::pages::refresh_related(pool)
        .await
        .map_err(|e| storage_error(e, "recomputing related incidents"))?;
    db::pages::refresh_links(pool)
        .await
        .map_err(|e| storage_error(e, "resolving links between incidents"))?;
    Ok(true)
}

/// A failed write as the import reports it: a full disk or a read-only database named
/// with what was being written (`the disk is full while importing FILE`), anything
/// else with SQLite's own message.
fn storage_error(e: sqlx::Error, doing: &str) -> anyhow::Error {
    match db::WriteProblem::of(&e) {
        Some(problem) => anyhow::anyhow!("{problem} while {doing}"),
        None => anyhow::Error::new(e).context(doing.to_string()),
    }
}

/// The writer: stores what the workers send, in file order, in batches of [`BATCH`]
/// files per transaction, and marks the incidents of `gone` missing in the last.
/// Returns how many outcomes it handled.
async fn store(
    conn: &mut sqlx::SqliteConnection,
    mut rx: tokio::sync::mpsc::Receiver<(usize, Outcome)>,
    known: &HashMap<String, db::incidents::Known>,
    gone: &[i64],
    summary: &mut Report,
    on_event: &mut impl FnMut(&Event),
) -> anyhow::Result<usize> {
    let now = &db::now();
    let mut taken: HashSet<String> = known.values().map(|k| k.slug.clone()).collect();

    let mut tx = sqlx::Connection::begin(&mut *conn).await?;
    // Whether this transaction changed incidents, so it must also record that related
    // incidents and links are to be recomputed.
    let mut changed = false;
    // The file last written, named when the storage fails.
    let mut last = String::new();
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
                        db::incidents::clear_missing(&mut tx, k.id)
                            .await
                            .map_err(|e| {
                                storage_error(e, &format!("importing {}", printable(&key)))
                            })?;
                        changed = true;
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
                    last = format!("importing {}", printable(&job.display));
                    match saved {
                        Ok((id, slug)) => {
                            changed = true;
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
                        // The storage, not the file: every file after it would fail
                        // the same way, so the import stops and says why.
                        Err(e) if db::WriteProblem::of(&e).is_some() => {
                            return Err(storage_error(e, &last));
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
                        finish_batch(&mut *tx, &search_rows, changed, now)
                            .await
                            .map_err(|e| storage_error(e, &last))?;
                        tx.commit().await.map_err(|e| storage_error(e, &last))?;
                        search_rows.clear();
                        changed = false;
                        tx = sqlx::Connection::begin(&mut *conn).await?;
                        in_batch = 0;
                    }
                }
            }
        }
    }
    summary.missing = db::incidents::mark_missing(&mut tx, gone, now)
        .await
        .map_err(|e| storage_error(e, "marking incidents whose files are gone"))?;
    let changed = changed || summary.missing > 0;
    if last.is_empty() {
        last = "importing".to_string();
    }
    finish_batch(&mut *tx, &search_rows, changed, now)
        .await
        .map_err(|e| storage_error(e, &last))?;
    tx.commit().await.map_err(|e| storage_error(e, &last))?;
    Ok(next)
}

/// The end of one batch's transaction: its search rows, and the record that related
/// incidents and links are to be recomputed when it changed incidents.
async fn finish_batch(
    tx: &mut sqlx::SqliteConnection,
    search_rows: &[db::incidents::SearchRow],
    changed: bool,
    now: &str,
) -> sqlx::Result<()> {
    db::incidents::index(&mut *tx, search_rows).await?;
    if changed {
        db::pages::mark_refresh_needed(&mut *tx, now).await?;
    }
    Ok(())
}

/// A file read and parsed, ready for the writer. Only the import benchmark uses this:
/// it parses a corpus in advance to time the writer alone.
pub struct Prepared(Outcome);

/// Reads and parses one file as an import's worker would.
pub fn prepare_file(path: &Path) -> std::io::Result<Prepared> {
    let key = std::fs::canonicalize(path)?.to_string_lossy().into_owned();
    let job = Job {
        display: path.display().to_string(),
        key,
    };
    Ok(Prepared(process(&job, &HashMap::new(), u64::MAX)))
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

/// A file an import reads: the path as shown (as given, or joined to the folder given)
/// and the resolved path it is read at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedFile {
    pub shown: String,
    pub path: PathBuf,
}

/// The files an import of `paths` reads, in its order, and the paths it skips with
/// why. `aftermath lint` checks these, so lint and import agree on what a postmortem
/// file is.
pub fn list_files(paths: &[PathBuf], allow_outside: bool) -> (Vec<ListedFile>, Vec<Diagnostic>) {
    list_files_with(paths, allow_outside, &Exclude::default())
}

/// The files an import of `paths` with the exclusions `exclude` reads, as
/// [`list_files`] gives them.
pub fn list_files_with(
    paths: &[PathBuf],
    allow_outside: bool,
    exclude: &Exclude,
) -> (Vec<ListedFile>, Vec<Diagnostic>) {
    let found = collect(paths, allow_outside, exclude);
    let files = found
        .jobs
        .into_iter()
        .map(|job| ListedFile {
            shown: job.display,
            path: PathBuf::from(job.key),
        })
        .collect();
    (files, found.problems)
}

/// What the walk found: the files to read, the canonical imported folders (files that
/// vanish from them are marked missing), the folders that could not be listed, and the
/// paths skipped, with why.
struct Found {
    jobs: Vec<Job>,
    roots: Vec<String>,
    unlisted: Vec<String>,
    problems: Vec<Diagnostic>,
}

/// Lists the files to import under `paths`. A path named explicitly is read even when
/// it is a symlink to a file elsewhere (the user asked for it); inside a folder only
/// regular files and links to files inside the imported folders are taken.
fn collect(paths: &[PathBuf], allow_outside: bool, exclude: &Exclude) -> Found {
    let mut found = Found {
        jobs: Vec::new(),
        roots: Vec::new(),
        unlisted: Vec::new(),
        problems: Vec::new(),
    };
    // Every imported folder, resolved first: a link from one to a file in another
    // stays inside the import.
    let mut folders = Vec::new();
    for path in paths {
        match resolve(path) {
            Ok((meta, canonical)) if meta.is_dir() => folders.push((path, canonical)),
            Ok((meta, canonical)) if meta.is_file() => found.jobs.push(Job {
                display: path.display().to_string(),
                key: canonical.to_string_lossy().into_owned(),
            }),
            Ok(_) => found
                .problems
                .push(error(path, "not a regular file (a FIFO, socket or device)")),
            Err(e) => found.problems.push(error(path, &io_message(&e))),
        }
    }
    let mut walker = Walker {
        roots: folders.iter().map(|(_, c)| c.clone()).collect(),
        exclude: exclude.clone(),
        root: PathBuf::new(),
        allow_outside,
        visited: HashSet::new(),
        files: Vec::new(),
        unlisted: Vec::new(),
        problems: Vec::new(),
    };
    for (path, canonical) in &folders {
        walker.files.clear();
        walker.root = path.to_path_buf();
        walker.walk(path, canonical, 0);
        walker.files.sort();
        found
            .jobs
            .extend(walker.files.drain(..).map(|(display, key)| Job {
                display: display.display().to_string(),
                key: key.to_string_lossy().into_owned(),
            }));
        found.roots.push(canonical.to_string_lossy().into_owned());
    }
    found.problems.append(&mut walker.problems);
    found.unlisted = walker
        .unlisted
        .iter()
        .map(|u| u.to_string_lossy().into_owned())
        .collect();
    found
}

/// What `path` is (following symlinks) and where it leads.
fn resolve(path: &Path) -> std::io::Result<(std::fs::Metadata, PathBuf)> {
    Ok((std::fs::metadata(path)?, std::fs::canonicalize(path)?))
}

fn error(path: &Path, message: &str) -> Diagnostic {
    diagnostic(path, Severity::Error, message.to_string())
}

/// An I/O error as the rest of the output reads: lowercase, without the OS error number
/// (`no such file or directory`).
pub fn io_message(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = match text.find(" (os error ") {
        Some(i) => &text[..i],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => text.to_string(),
    }
}

/// A problem with a path (not with a line of a file): it has no line.
fn diagnostic(path: &Path, severity: Severity, message: String) -> Diagnostic {
    Diagnostic {
        path: path.display().to_string(),
        line: 0,
        severity,
        message,
    }
}

/// The recursive listing of one import's folders.
struct Walker {
    /// The imported folders, canonical.
    roots: Vec<PathBuf>,
    /// What the settings leave out, matched below `root`.
    exclude: Exclude,
    /// The imported folder being walked, as given.
    root: PathBuf,
    allow_outside: bool,
    /// Canonical folders already listed: a symlinked folder is walked once, so a link
    /// back to an ancestor cannot loop.
    visited: HashSet<PathBuf>,
    /// Files found in the current folder: (path as shown, canonical path).
    files: Vec<(PathBuf, PathBuf)>,
    /// Canonical folders that could not be listed (their files are not missing).
    unlisted: Vec<PathBuf>,
    problems: Vec<Diagnostic>,
}

impl Walker {
    fn inside(&self, target: &Path) -> bool {
        self.roots.iter().any(|r| target.starts_with(r))
    }

    /// Whether the settings leave `path` (below the folder being walked) out.
    fn excluded(&self, path: &Path, folder: bool) -> bool {
        !self.exclude.is_empty()
            && path
                .strip_prefix(&self.root)
                .is_ok_and(|relative| self.exclude.excludes(relative, folder))
    }

    /// Lists `dir` (shown as given, `canonical` resolved); hidden entries are skipped.
    fn walk(&mut self, dir: &Path, canonical: &Path, depth: usize) {
        if depth > MAX_DEPTH {
            self.problems.push(diagnostic(
                dir,
                Severity::Warning,
                format!("folders nested more than {MAX_DEPTH} deep are not read"),
            ));
            return;
        }
        if !self.visited.insert(canonical.to_path_buf()) {
            return;
        }
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) => {
                self.problems.push(error(
                    dir,
                    &format!("cannot read folder: {}", io_message(&e)),
                ));
                self.unlisted.push(canonical.to_path_buf());
                return;
            }
        };
        for entry in entries {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    self.problems.push(error(
                        dir,
                        &format!("cannot read folder: {}", io_message(&e)),
                    ));
                    self.unlisted.push(canonical.to_path_buf());
                    continue;
                }
            };
            let name = entry.file_name();
            if name.to_string_lossy().starts_with('.') {
                continue;
            }
            let path = entry.path();
            // The entry itself, not what a symlink points to.
            let kind = match entry.file_type() {
                Ok(kind) => kind,
                Err(e) => {
                    self.problems
                        .push(error(&path, &format!("cannot read: {}", io_message(&e))));
                    continue;
                }
            };
            if self.excluded(&path, kind.is_dir()) {
                continue;
            }
            if kind.is_symlink() {
                self.link(&path, canonical, depth);
            } else if kind.is_dir() {
                self.walk(&path, &canonical.join(&name), depth + 1);
            } else if importable(&path) {
                if kind.is_file() {
                    self.files.push((path, canonical.join(&name)));
                } else {
                    self.problems.push(diagnostic(
                        &path,
                        Severity::Warning,
                        "not a regular file (a FIFO, socket or device), skipped".to_string(),
                    ));
                }
            }
        }
    }

    /// A symlink found in the folder `parent`: followed only to a regular file or a
    /// folder inside the imported folders, unless the settings allow more.
    fn link(&mut self, path: &Path, parent: &Path, depth: usize) {
        let importable = importable(path);
        let (meta, target) = match resolve(path) {
            Ok(resolved) => resolved,
            // A dangling link or a loop of links. Reported when it would have been
            // a postmortem; a broken link to anything else is none of our business.
            Err(e) => {
                if importable {
                    self.problems.push(error(
                        path,
                        &format!("cannot follow symlink: {}", io_message(&e)),
                    ));
                }
                return;
            }
        };
        if meta.is_dir() {
            if self.inside(&target) {
                // Listed through its own path; following it again could only repeat
                // files or loop.
                return;
            }
            if !self.allow_outside {
                self.problems.push(outside(path, &target, "folder"));
            } else if parent.starts_with(&target) {
                self.problems.push(diagnostic(
                    path,
                    Severity::Warning,
                    "symlink loop (it points to a folder that contains it), not followed"
                        .to_string(),
                ));
            } else {
                self.walk(path, &target, depth + 1);
            }
            return;
        }
        if !importable {
            return;
        }
        if !self.inside(&target) && !self.allow_outside {
            self.problems.push(outside(path, &target, "file"));
        } else if !meta.is_file() {
            self.problems.push(diagnostic(
                path,
                Severity::Warning,
                "symlink to something that is not a regular file (a FIFO, socket or device), skipped"
                    .to_string(),
            ));
        } else {
            self.files.push((path.to_path_buf(), target));
        }
    }
}

fn outside(path: &Path, target: &Path, what: &str) -> Diagnostic {
    diagnostic(
        path,
        Severity::Warning,
        format!(
            "symlink to a {what} outside the imported folders ({}), skipped; set allow_symlinks_outside = true to import it",
            target.display()
        ),
    )
}

/// A file name the import reads when it finds it in a folder.
fn importable(path: &Path) -> bool {
    ingest::format_for_path(path).is_some() && !is_repository_file(path)
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
    // The walk resolved symlinks itself: one swapped in since is refused.
    let bytes = match ingest::read_bounded(Path::new(&job.key), limit, false) {
        Ok(b) => b,
        Err(e) => return failed(e.line(), e.to_string()),
    };
    let hash = format!("{:x}", Sha256::digest(&bytes));
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
    drop(bytes);
    // A parser bug must cost one file, not the import: the panic becomes this file's
    // error and the worker goes on with the next.
    let parsed = catching_panics(|| {
        let parsed = pipeline::parse(&job.display, Path::new(&job.key), text);
        let body = parsed.document.plain_text();
        let mut record = db::incidents::prepare(parsed.incident, body, parsed.text);
        record.attach_profile(&page(&record));
        record
    });
    match parsed {
        Ok(record) => Outcome::Parsed {
            job: job.clone(),
            hash,
            bytes: size,
            record: Box::new(record),
        },
        Err(panic) => failed(
            1,
            format!("Aftermath failed on this file (a bug, please report it): {panic}"),
        ),
    }
}

thread_local! {
    /// Set while this thread runs [`catching_panics`]: its panics are reported by the
    /// import, not printed by the panic hook.
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    /// Where the last caught panic happened.
    static PANICKED_AT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Runs `f`, turning a panic into a one-line description (message and place, at most
/// a few hundred characters: slicing panics quote the document).
fn catching_panics<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        // Panics outside `catching_panics` go to the hook that was there before;
        // caught ones are printed (escaped) only when RUST_BACKTRACE asks for them.
        let previous = std::panic::take_hook();
        let verbose = std::env::var_os("RUST_BACKTRACE").is_some();
        std::panic::set_hook(Box::new(move |info| {
            if !CATCHING.get() {
                return previous(info);
            }
            let at = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
            PANICKED_AT.set(at);
            if verbose {
                // The message may quote the document: escaped like every diagnostic.
                let backtrace = std::backtrace::Backtrace::capture();
                eprintln!("{}\n{backtrace}", printable(&info.to_string()));
            }
        }));
    });
    CATCHING.set(true);
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    CATCHING.set(false);
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".to_string());
        let mut message: String = message.chars().take(300).collect();
        if let Some(at) = PANICKED_AT.take() {
            message.push_str(&format!(" (at {at})"));
        }
        message
    })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_message_with_its_place_and_the_thread_goes_on() {
        let caught = catching_panics(|| -> u32 { panic!("byte index 3 is not a char boundary") });
        let message = caught.unwrap_err();
        assert!(
            message.starts_with("byte index 3 is not a char boundary (at src/import.rs:"),
            "{message}"
        );
        assert_eq!(catching_panics(|| 7), Ok(7));
        assert!(!CATCHING.get(), "panics outside are printed again");
    }

    #[test]
    fn a_panicking_parse_is_that_file_s_error() {
        let caught = catching_panics(|| {
            let text = "\u{212a}€".to_string();
            let cut: usize = std::hint::black_box(1);
            text[..cut].len()
        });
        assert!(caught.unwrap_err().contains("char boundary"));
    }
}
