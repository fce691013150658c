//! `aftermath backup DEST`: a consistent copy of the database, taken while it is in
//! use (the server may be serving and importing), then checked.

use crate::config::Settings;
use crate::db;
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `aftermath backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    /// The file to write the copy to; it must not exist yet.
    #[arg(value_name = "DEST")]
    pub dest: PathBuf,
}

/// Runs `aftermath backup`.
pub async fn run(args: &BackupArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    // Reading is all a backup does: it works on a read-only database and never waits
    // for a writer.
    let pool = db::open_for_reading(&settings.database).await?;
    let started = std::time::Instant::now();
    let written = db::maintenance::backup(&pool, &args.dest).await;
    pool.close().await;
    written?;
    let (found, incidents) = db::maintenance::check_file(&args.dest, true).await?;
    let bytes = std::fs::metadata(&args.dest).map(|m| m.len()).unwrap_or(0);
    if !found.ok() {
        eprintln!(
            "error: the copy in {} fails its check; the database itself may be damaged (run aftermath check):",
            args.dest.display()
        );
        for m in &found.messages {
            eprintln!("  {m}");
        }
        return Ok(ExitCode::FAILURE);
    }
    println!(
        "backed up {} to {}: {incidents} incidents, {:.1} MB, {:.1} s; the copy passes its integrity check",
        settings.database.display(),
        args.dest.display(),
        bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
