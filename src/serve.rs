//! `aftermath serve`, the composition root of the server: listen first, then in the
//! background check the database, finish an interrupted refresh, import, and only
//! then watch the folders and start the weekly digest; shut down on Ctrl-C or SIGTERM
//! within a deadline.
//!
//! Invariant: this is the only module that puts `web`, `import` and `digest` together;
//! `web` serves what is in the database and knows neither of the others. The port is
//! bound before any other work, so one in use fails at once; pages are served while the
//! start-up import runs (they say so).

mod listener;

use crate::config::Settings;
use crate::import::{self, Event, Severity};
use crate::web::{AppState, Site, app};
use anyhow::Context;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// How `serve` runs.
#[derive(Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub watch: bool,
    pub site: Site,
    /// The weekly digest schedule, when an SMTP server is configured.
    pub digest: Option<crate::digest::DigestSettings>,
    /// Where `/metrics` is served, if anywhere.
    pub metrics_listen: Option<SocketAddr>,
    /// How long open requests may still run after Ctrl-C or SIGTERM.
    pub shutdown_timeout: Duration,
    /// How long a client has to send a request's headers.
    pub header_timeout: Duration,
}

/// How often watched folders are checked for changes.
const WATCH_INTERVAL: Duration = Duration::from_secs(2);

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn serve(settings: &Settings, options: ServeOptions) -> anyhow::Result<()> {
    // The ports first: one in use is an error at once, before any other work.
    let site_listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("listening on {}", options.listen))?;
    let metrics_listener = match options.metrics_listen {
        Some(addr) => Some(
            tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("listening for /metrics on {addr}"))?,
        ),
        None => None,
    };
    let pool = crate::db::open_for_serving(&settings.database).await?;
    let read_only = crate::db::is_read_only(&pool).await;
    if read_only {
        tracing::warn!(
            "the database cannot be written: serving it read-only, without importing, watching or sending digests"
        );
    }
    let state = AppState::with_metrics(
        pool.clone(),
        options.site.clone(),
        metrics_listener.is_some().then(Arc::default),
    );
    // Pages say "importing…" from the first request on, not only once the background
    // task has started.
    if !read_only && !import_folders(settings).is_empty() {
        state.status.import_started();
    }
    // The lines tests and scripts wait for. Written without `println!`, which would
    // panic when whoever started the server has closed its end of stdout.
    {
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on http://{}", site_listener.local_addr()?);
        if let Some(l) = &metrics_listener {
            let _ = writeln!(out, "metrics on http://{}/metrics", l.local_addr()?);
        }
        let _ = out.flush();
    }
    let background = tokio::spawn(start_up(
        state.clone(),
        settings.clone(),
        options.clone(),
        read_only,
    ));
    let (stop, stopping) = tokio::sync::watch::channel(false);
    let limits = listener::Limits {
        header_timeout: options.header_timeout,
        shutdown_timeout: options.shutdown_timeout,
    };
    let site = tokio::spawn(listener::serve(
        "site",
        site_listener,
        app(state.clone()),
        limits,
        stopping.clone(),
    ));
    let metrics = metrics_listener.map(|l| {
        tokio::spawn(listener::serve(
            "metrics",
            l,
            crate::web::metrics::app(state.clone()),
            limits,
            stopping,
        ))
    });
    shutdown().await;
    let _ = stop.send(true);
    // Background work stops at once: an import cut short loses only its open batch, and
    // a refresh it owed is recorded (see `import::finish_refresh`).
    background.abort();
    let _ = site.await;
    if let Some(metrics) = metrics {
        let _ = metrics.await;
    }
    if tokio::time::timeout(Duration::from_secs(1), pool.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections still busy at exit");
    }
    tracing::info!("stopped");
    Ok(())
}

/// What the server does besides answering requests, in order: the start-up check (in
/// parallel with the rest), an interrupted refresh finished, the start-up import, and
/// then the weekly digest and `--watch`, which run until the server stops. Aborting
/// this task stops all of it.
async fn start_up(state: AppState, settings: Settings, options: ServeOptions, read_only: bool) {
    let check = check_database(&state);
    let work = async {
        if read_only {
            return;
        }
        // An import killed between its last commit and the refresh of related
        // incidents left that work recorded: finished here, even with nothing to import.
        match import::finish_refresh(&state.pool).await {
            Ok(true) => tracing::info!(
                "finished recomputing related incidents and links an earlier import left undone"
            ),
            Ok(false) => {}
            Err(e) => tracing::error!("recomputing related incidents: {e:#}"),
        }
        // What the actions page keeps (counted over every action), computed while the
        // start-up import reads the folders, so the first visitor does not wait for it.
        tokio::join!(crate::web::warm_up(&state), import_all(&state, &settings));
        // The digest starts once the import is done, so that it reports a whole week.
        let _digest = options
            .digest
            .map(|d| AbortOnDrop(crate::digest::spawn_scheduler(state.pool.clone(), d)));
        if options.watch {
            watch(state.clone(), settings.clone()).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    tokio::join!(check, work);
}

/// A task stopped when its owner is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// The start-up check (`pragma quick_check`): damage is logged with the parts of the
/// site it breaks, shown on every page and reported by `/readyz`.
async fn check_database(state: &AppState) {
    let started = Instant::now();
    match crate::db::maintenance::check(&state.pool, true).await {
        Ok(found) if found.ok() => {
            tracing::info!(
                seconds = started.elapsed().as_secs_f64(),
                "start-up check: the database is sound"
            );
            state.status.checked(Vec::new());
        }
        Ok(found) => {
            let mut areas: Vec<String> = found.areas().iter().map(|a| a.to_string()).collect();
            if areas.is_empty() {
                areas.push("unknown parts of the site".to_string());
            }
            let tables: Vec<&str> = found.objects.iter().map(String::as_str).collect();
            tracing::error!(
                tables = %tables.join(", "),
                problems = found.messages.len(),
                "start-up check: the database is damaged; these pages may fail: {}. Run `aftermath check` and restore a backup",
                areas.join("; ")
            );
            state.status.checked(areas);
        }
        Err(e) => {
            tracing::error!("start-up check could not finish: {e}; run `aftermath check`");
            state.status.checked(vec![
                "the whole site (the check could not finish)".to_string(),
            ]);
        }
    }
}

/// The configured incidents folders that exist.
fn import_folders(settings: &Settings) -> Vec<PathBuf> {
    settings
        .incidents
        .iter()
        .filter(|p| p.exists())
        .cloned()
        .collect()
}

/// Imports the configured folders, logging problems and reporting to the pages and
/// metrics; a failure never stops the server.
async fn import_all(state: &AppState, settings: &Settings) {
    let paths = import_folders(settings);
    if paths.is_empty() {
        return;
    }
    let options = import::Options {
        max_file_bytes: settings.max_file_bytes,
        allow_symlinks_outside: settings.allow_symlinks_outside,
    };
    state.status.import_started();
    if let Some(m) = &state.metrics {
        m.import_started();
    }
    let started = Instant::now();
    let version = crate::db::incidents_version(&state.pool).await;
    let exclude = import::Exclude::new(&settings.exclude);
    let result = import::import_paths_with(&state.pool, &paths, &options, &exclude, |event| {
        if let Event::Diagnostic(d) = event {
            match d.severity {
                Severity::Error => tracing::warn!("{d}"),
                Severity::Warning => tracing::debug!("{d}"),
            }
        }
    })
    .await;
    let counts = result
        .as_ref()
        .ok()
        .map(|r| crate::web::metrics::ImportCounts {
            imported: r.imported as u64,
            unchanged: r.unchanged as u64,
            failed: r.failed as u64,
        });
    if let Some(m) = &state.metrics {
        m.import_finished(counts, started.elapsed());
    }
    match result {
        Ok(report) => {
            tracing::info!("{}", report.summary_line());
            state.status.import_finished(Ok(report.summary_line()));
        }
        Err(e) => {
            tracing::error!("import failed: {e:#}");
            state.status.import_finished(Err(format!("{e:#}")));
        }
    }
    // An import that changed nothing (every incident's row untouched: the counter
    // kept by triggers did not move) leaves what the server keeps as it is: at 100,000
    // incidents the action counts take seconds to recompute.
    let changed = version.is_none() || crate::db::incidents_version(&state.pool).await != version;
    if !changed {
        return;
    }
    state.cache.invalidate();
    crate::web::warm_up(state).await;
    // The reliability figures of what changed, before anyone asks for /insights.
    let started = Instant::now();
    match crate::web::precompute_insights(state).await {
        Ok(0) => {}
        Ok(n) => tracing::info!(
            incidents = n,
            seconds = started.elapsed().as_secs_f64(),
            "computed the reliability figures of the imported incidents"
        ),
        Err(e) => tracing::warn!("computing the reliability figures: {e}"),
    }
}

/// Modification time and size of every file under the folders that `exclude` leaves
/// in: a draft saved every few seconds in an excluded folder starts no import.
fn snapshot(paths: &[PathBuf], exclude: &import::Exclude) -> BTreeMap<PathBuf, (SystemTime, u64)> {
    fn walk(
        root: &Path,
        dir: &Path,
        depth: usize,
        exclude: &import::Exclude,
        out: &mut BTreeMap<PathBuf, (SystemTime, u64)>,
    ) {
        if depth > 16 || out.len() > 200_000 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let folder = entry.file_type().is_ok_and(|t| t.is_dir());
            if path
                .strip_prefix(root)
                .is_ok_and(|relative| exclude.excludes(relative, folder))
            {
                continue;
            }
            // Symlinked folders are not followed (a link to an ancestor would loop);
            // a symlinked file's target is, so editing it is seen.
            if folder {
                walk(root, &path, depth + 1, exclude, out);
                continue;
            }
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.is_file() {
                out.insert(
                    path,
                    (
                        meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                        meta.len(),
                    ),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    for p in paths {
        if p.is_dir() {
            walk(p, p, 0, exclude, &mut out);
        } else if let Ok(meta) = std::fs::metadata(p) {
            out.insert(
                p.clone(),
                (
                    meta.modified().unwrap_or(SystemTime::UNIX_EPOCH),
                    meta.len(),
                ),
            );
        }
    }
    out
}

/// Re-imports when a file under the configured folders is added, changed or removed.
/// Polling keeps this portable and dependency-free; the import itself skips unchanged
/// files by content hash.
async fn watch(state: AppState, settings: Settings) {
    let paths = settings.incidents.clone();
    let exclude = import::Exclude::new(&settings.exclude);
    let take = || {
        let (p, e) = (paths.clone(), exclude.clone());
        tokio::task::spawn_blocking(move || snapshot(&p, &e))
    };
    let mut last = take().await.unwrap_or_default();
    loop {
        tokio::time::sleep(WATCH_INTERVAL).await;
        let now = take().await.unwrap_or_default();
        if now != last {
            tracing::info!("change detected, re-importing");
            import_all(&state, &settings).await;
            last = now;
        }
    }
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
