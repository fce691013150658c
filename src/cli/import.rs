//! `aftermath import`: files and folders into the database, with what was found in
//! each printed as it is stored.

use crate::config::Settings;
use crate::import::{self, Event, Severity};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `aftermath import`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files or folders to import (default: the configured incidents folders).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Largest file imported, in bytes.
    #[arg(long, env = "AFTERMATH_MAX_FILE_BYTES", value_name = "BYTES")]
    pub max_file_bytes: Option<u64>,
    /// Print only errors and the summary, not warnings.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Runs `aftermath import`.
pub async fn run(args: &ImportArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let pool = crate::db::open(&settings.database).await?;
    let paths = if args.paths.is_empty() {
        settings.incidents.clone()
    } else {
        args.paths.clone()
    };
    let options = import::Options {
        max_file_bytes: settings.max_file_bytes,
        allow_symlinks_outside: settings.allow_symlinks_outside,
    };
    let quiet = args.quiet;
    let report = import::import_paths(&pool, &paths, &options, |event: &Event| match event {
        Event::Diagnostic(d) if quiet && d.severity == Severity::Warning => {}
        Event::Diagnostic(d) => eprintln!("{d}"),
        Event::Stored(stored) if !quiet => println!("{stored}"),
        Event::Stored(_) => {}
    })
    .await?;
    println!("{}", report.summary_line());
    pool.close().await;
    Ok(if report.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
