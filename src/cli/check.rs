//! `aftermath check`: SQLite's integrity check over the whole database, reported as
//! what is damaged and which parts of the site it breaks.

use crate::config::Settings;
use crate::db;
use crate::text::printable;
use clap::Args;
use std::process::ExitCode;

/// Arguments of `aftermath check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Only the quick check (`pragma quick_check`, what `serve` runs at start): every
    /// page is read, but indexes are not compared with their tables.
    #[arg(long)]
    pub quick: bool,
}

/// Runs `aftermath check`: exit code 0 when the database is sound, 1 when not.
pub async fn run(args: &CheckArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let pool = db::maintenance::open_for_checking(&settings.database).await?;
    let started = std::time::Instant::now();
    let found = db::maintenance::check(&pool, args.quick).await;
    let size = db::maintenance::size(&pool).await.unwrap_or_default();
    pool.close().await;
    let found = found.map_err(|e| {
        anyhow::anyhow!(
            "the check of {} could not finish: {e} (the file may be damaged beyond checking; restore it from a backup)",
            settings.database.display()
        )
    })?;
    let what = if args.quick {
        "quick check"
    } else {
        "integrity check"
    };
    if found.ok() {
        println!(
            "ok: {} passed the {what} ({:.1} MB, {:.1} s)",
            settings.database.display(),
            (size.file_bytes + size.wal_bytes) as f64 / 1e6,
            started.elapsed().as_secs_f64()
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!("damaged: {} fails the {what}", settings.database.display());
    if !found.objects.is_empty() {
        let tables: Vec<&str> = found.objects.iter().map(String::as_str).collect();
        println!("damaged tables: {}", tables.join(", "));
    }
    for (table, rows) in &found.orphans {
        println!("{table}: {rows} rows point at rows that do not exist");
    }
    let areas = found.areas();
    if !areas.is_empty() {
        println!("pages affected: {}", areas.join("; "));
    }
    println!("what SQLite found:");
    for m in &found.messages {
        println!("  {}", printable(m));
    }
    println!(
        "restore the last backup (see README, Backup and restore), or re-import the postmortems into a new database; \
         people's changes to actions live only in the database"
    );
    Ok(ExitCode::FAILURE)
}
