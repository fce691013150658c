//! `aftermath digest`: this week's digest (or a past week's) printed or sent now.

use crate::config::{FileConfig, Settings};
use crate::db;
use crate::digest::send::Backend;
use crate::digest::{DigestSettings, Run, deliver};
use anyhow::Context;
use std::process::ExitCode;

/// Arguments of `aftermath digest`.
#[derive(Debug, Clone, clap::Args)]
pub struct DigestArgs {
    /// Print the messages (headers, text and HTML parts) instead of sending them.
    #[arg(long)]
    pub dry_run: bool,
    /// Compose the digest of the week whose scheduled send falls on or before this
    /// day (YYYY-MM-DD), as of that day's send time.
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<jiff::civil::Date>,
    /// Send only the team digest, to this address alone (not recorded).
    #[arg(long, value_name = "ADDRESS")]
    pub to: Option<String>,
    /// SMTP server, e.g. smtp://user@mail.example.org:587?tls=required.
    #[arg(
        long,
        env = "AFTERMATH_SMTP_URL",
        value_name = "URL",
        hide_env_values = true
    )]
    pub smtp_url: Option<String>,
}

/// Runs `aftermath digest`.
pub fn run(args: &DigestArgs, settings: &Settings, file: &FileConfig) -> anyhow::Result<ExitCode> {
    let digest = DigestSettings::resolve(file.digest.as_ref(), args.smtp_url.clone())?;
    if let Some(to) = &args.to {
        to.trim()
            .parse::<lettre::Address>()
            .with_context(|| format!("bad --to address {to:?}"))?;
    }
    super::runtime()?.block_on(async {
        // A run that records nothing only reads: it works on a read-only database and
        // never waits for a writer.
        let pool = if args.dry_run || args.to.is_some() {
            db::open_for_reading(&settings.database).await?
        } else {
            db::open(&settings.database).await?
        };
        let (as_of, occurrence) = match args.as_of {
            Some(day) => {
                let at = digest.schedule.on_day(day);
                let occurrence = digest.schedule.latest_at_or_before(at.timestamp());
                (at, occurrence)
            }
            None => {
                let now = (digest.clock)();
                let at = now.to_zoned_datetime(digest.schedule.zone.clone());
                (at, digest.schedule.latest_at_or_before(now))
            }
        };
        let mut run = Run::scheduled(occurrence);
        run.as_of = as_of;
        run.record = !args.dry_run && args.to.is_none();
        run.only_to = args.to.clone();
        let backend = if args.dry_run {
            Backend::Stdout
        } else {
            digest.smtp_backend()?
        };
        run.dry_run = args.dry_run;
        let outcome = deliver(&pool, &digest, &backend, &run).await?;
        pool.close().await;
        if !args.dry_run {
            for r in &outcome.sent {
                println!("sent {} digest to {r}", run.week);
            }
            for r in &outcome.skipped {
                println!("already sent {} digest to {r}", run.week);
            }
        }
        for (r, e) in &outcome.failed {
            eprintln!("error: sending the {} digest to {r}: {e}", run.week);
        }
        Ok(if outcome.failed.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        })
    })
}
