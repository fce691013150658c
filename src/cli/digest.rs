//! `aftermath digest`: this week's digest (or a past week's) printed or sent now; the
//! week's claims listed (`--status`) or a stuck week freed (`--release WEEK`).

use crate::config::{FileConfig, Settings};
use crate::db;
use crate::digest::send::Backend;
use crate::digest::{DigestSettings, Run, claims, deliver};
use crate::text::printable;
use anyhow::Context;
use std::process::ExitCode;

/// Arguments of `aftermath digest`.
#[derive(Debug, Clone, clap::Args)]
pub struct DigestArgs {
    /// Print the messages (headers and the text part) instead of sending them.
    #[arg(long)]
    pub dry_run: bool,
    /// With --dry-run, print the HTML part too.
    #[arg(long, requires = "dry_run")]
    pub html: bool,
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
    /// List the week's sends and claims (who holds each, since when, the last error)
    /// instead of sending.
    #[arg(long, conflicts_with_all = ["dry_run", "to", "release"])]
    pub status: bool,
    /// Free the claims of WEEK (e.g. 2026-W49) that were not sent (being sent or
    /// failed), so the next run sends those messages. Sent messages stay sent.
    #[arg(long, value_name = "WEEK", conflicts_with_all = ["dry_run", "to", "as_of"])]
    pub release: Option<String>,
}

/// Runs `aftermath digest`.
pub fn run(args: &DigestArgs, settings: &Settings, file: &FileConfig) -> anyhow::Result<ExitCode> {
    let digest = DigestSettings::resolve(file.digest.as_ref(), args.smtp_url.clone())?;
    if let Some(to) = &args.to {
        to.trim()
            .parse::<lettre::Address>()
            .with_context(|| format!("bad --to address {to:?}"))?;
    }
    if let Some(week) = &args.release {
        return super::runtime()?.block_on(release(week, settings));
    }
    if !args.status
        && file
            .digest
            .as_ref()
            .and_then(|d| d.base_url.as_ref())
            .is_none()
    {
        eprintln!(
            "warning: [digest] base_url is not set: the digest's links point to {}, which \
             works only on this machine",
            crate::digest::DEFAULT_BASE_URL
        );
    }
    super::runtime()?.block_on(async {
        // A run that records nothing only reads: it works on a read-only database and
        // never waits for a writer.
        let pool = if args.dry_run || args.to.is_some() || args.status {
            db::open_for_reading(&settings.database).await?
        } else {
            db::open(&settings.database).await?
        };
        let mut run = match args.as_of {
            Some(day) => {
                let at = digest.schedule.on_day(day);
                let mut run = Run::scheduled(digest.schedule.latest_at_or_before(at.timestamp()));
                run.as_of = at;
                run
            }
            // The scheduler's run: this week, composed as of now.
            None => Run::current(&digest.schedule, (digest.clock)()),
        };
        if args.status {
            let sends = db::digest::sends(&pool, &run.week).await?;
            pool.close().await;
            print_status(&run.week, &sends);
            return Ok(ExitCode::SUCCESS);
        }
        run.record = !args.dry_run && args.to.is_none();
        run.only_to = args.to.clone();
        let backend = if args.dry_run {
            Backend::Stdout { html: args.html }
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
            for (r, how) in &outcome.busy {
                println!("not sent {} digest to {r}: {how}", run.week);
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

/// Prints the week's sends, one line per recipient.
fn print_status(week: &str, sends: &[db::digest::Send]) {
    if sends.is_empty() {
        println!("{week}: nothing sent or claimed");
        return;
    }
    for send in sends {
        println!(
            "{week}  {}  {}  {}",
            printable(&send.recipient),
            send.kind,
            printable(&claims::describe(send))
        );
    }
}

/// `aftermath digest --release WEEK`.
async fn release(week: &str, settings: &Settings) -> anyhow::Result<ExitCode> {
    let week = week.trim();
    anyhow::ensure!(
        is_week(week),
        "--release {week}: expected an ISO week like 2026-W49"
    );
    let pool = db::open(&settings.database).await?;
    let released = db::digest::release_week(&pool, week)
        .await
        .context("releasing the week's claims")?;
    let sends = db::digest::sends(&pool, week).await?;
    pool.close().await;
    println!("released {released} unsent {week} digest claims; the next run sends them");
    print_status(week, &sends);
    Ok(ExitCode::SUCCESS)
}

/// `YYYY-Www`, as the sends are recorded.
fn is_week(week: &str) -> bool {
    let b = week.as_bytes();
    b.len() == 8
        && b[..4].iter().all(u8::is_ascii_digit)
        && &b[4..6] == b"-W"
        && b[6..].iter().all(u8::is_ascii_digit)
}
