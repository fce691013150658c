//! `aftermath import`: files and folders into the database, with what was found in
//! each printed as it is stored.

use super::style::Paint;
use crate::config::Settings;
use crate::import::{self, Diagnostic, Event, Severity};
use crate::text::printable;
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
    let paint = Paint::stderr();
    let exclude = import::Exclude::new(&settings.exclude);
    let report =
        import::import_paths_with(
            &pool,
            &paths,
            &options,
            &exclude,
            |event: &Event| match event {
                Event::Diagnostic(d) if quiet && d.severity == Severity::Warning => {}
                Event::Diagnostic(d) => eprintln!("{}", coloured(d, paint)),
                Event::Stored(stored) if !quiet => println!("{stored}"),
                Event::Stored(_) => {}
            },
        )
        .await?;
    println!("{}", report.summary_line());
    pool.close().await;
    // A folder without a single postmortem in it is almost always the wrong folder
    // (when files were skipped with a warning, the warnings already said why).
    if report.imported + report.unchanged + report.failed + report.warnings == 0 {
        let shown: Vec<String> = paths
            .iter()
            .map(|p| printable(&p.display().to_string()).into_owned())
            .collect();
        eprintln!(
            "{}: no postmortems in {}: nothing to import (postmortems are .md, .markdown, .rst \
             or .txt files{})",
            paint.red("error"),
            shown.join(", "),
            if exclude.is_empty() {
                ""
            } else {
                ", and the exclude setting leaves some out"
            }
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(if report.failed > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A diagnostic as [`Diagnostic`]'s `Display` writes it, with its kind in colour.
fn coloured(d: &Diagnostic, paint: Paint) -> String {
    let path = printable(&d.path);
    let message = printable(&d.message);
    match (d.line, d.severity) {
        (0, Severity::Error) => format!("{path}: {}", paint.red(&message)),
        (0, Severity::Warning) => format!("{path}: {}: {message}", paint.yellow("warning")),
        (line, Severity::Error) => format!("{path}:{line}: {}: {message}", paint.red("error")),
        (line, Severity::Warning) => {
            format!("{path}:{line}: {}: {message}", paint.yellow("warning"))
        }
    }
}
