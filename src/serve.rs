//! `aftermath serve`, the composition root of the server: import at start-up,
//! optionally watch the folders, start the weekly digest, listen, and shut down
//! gracefully on Ctrl-C or SIGTERM.
//!
//! Invariant: this is the only module that puts `web`, `import` and `digest` together;
//! `web` serves what is in the database and knows neither of the others.

use crate::config::Settings;
use crate::import::{self, Event, Severity};
use crate::web::{AppState, Site, app};
use anyhow::Context;
use sqlx::SqlitePool;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// How `serve` runs.
#[derive(Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    pub watch: bool,
    pub site: Site,
    /// The weekly digest schedule, when an SMTP server is configured.
    pub digest: Option<crate::digest::DigestSettings>,
}

/// How often watched folders are checked for changes.
const WATCH_INTERVAL: Duration = Duration::from_secs(2);

/// Runs the server until Ctrl-C or SIGTERM.
pub async fn serve(settings: &Settings, options: ServeOptions) -> anyhow::Result<()> {
    let pool = crate::db::open_for_serving(&settings.database).await?;
    let read_only = crate::db::is_read_only(&pool).await;
    if read_only {
        tracing::warn!(
            "the database cannot be written: serving it read-only, without importing, watching or sending digests"
        );
    } else {
        // An import killed between its last commit and the refresh of related
        // incidents left that work recorded: finished here, even with nothing to import.
        match import::finish_refresh(&pool).await {
            Ok(true) => tracing::info!(
                "finished recomputing related incidents and links an earlier import left undone"
            ),
            Ok(false) => {}
            Err(e) => tracing::error!("recomputing related incidents: {e:#}"),
        }
        import_all(&pool, settings).await;
    }
    let listener = tokio::net::TcpListener::bind(options.listen)
        .await
        .with_context(|| format!("listening on {}", options.listen))?;
    let addr = listener.local_addr()?;
    // The line tests and scripts wait for.
    println!("listening on http://{addr}");
    let digest = options.digest.clone();
    let state = AppState::new(pool.clone(), options.site);
    if let Some(digest) = digest.filter(|_| !read_only) {
        crate::digest::spawn_scheduler(pool.clone(), digest);
    }
    if options.watch && !read_only {
        tokio::spawn(watch(state.clone(), settings.clone()));
    }
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .context("serving")?;
    pool.close().await;
    Ok(())
}

/// Imports the configured folders, logging problems; a failure never stops the server.
async fn import_all(pool: &SqlitePool, settings: &Settings) {
    let paths: Vec<PathBuf> = settings
        .incidents
        .iter()
        .filter(|p| p.exists())
        .cloned()
        .collect();
    if paths.is_empty() {
        return;
    }
    let options = import::Options {
        max_file_bytes: settings.max_file_bytes,
        allow_symlinks_outside: settings.allow_symlinks_outside,
    };
    let result = import::import_paths(pool, &paths, &options, |event| {
        if let Event::Diagnostic(d) = event {
            match d.severity {
                Severity::Error => tracing::warn!("{d}"),
                Severity::Warning => tracing::debug!("{d}"),
            }
        }
    })
    .await;
    match result {
        Ok(report) => tracing::info!("{}", report.summary_line()),
        Err(e) => tracing::error!("import failed: {e:#}"),
    }
}

/// Modification time and size of every file under the folders.
fn snapshot(paths: &[PathBuf]) -> BTreeMap<PathBuf, (SystemTime, u64)> {
    fn walk(dir: &Path, depth: usize, out: &mut BTreeMap<PathBuf, (SystemTime, u64)>) {
        if depth > 16 || out.len() > 200_000 {
            return;
        }
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            // Symlinked folders are not followed (a link to an ancestor would loop);
            // a symlinked file's target is, so editing it is seen.
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                walk(&path, depth + 1, out);
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
            walk(p, 0, &mut out);
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
    let pool = state.pool.clone();
    let paths = settings.incidents.clone();
    let mut last = {
        let p = paths.clone();
        tokio::task::spawn_blocking(move || snapshot(&p))
            .await
            .unwrap_or_default()
    };
    loop {
        tokio::time::sleep(WATCH_INTERVAL).await;
        let p = paths.clone();
        let now = tokio::task::spawn_blocking(move || snapshot(&p))
            .await
            .unwrap_or_default();
        if now != last {
            tracing::info!("change detected, re-importing");
            import_all(&pool, &settings).await;
            state.cache.invalidate();
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
