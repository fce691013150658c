//! `aftermath remove SLUG`: drops an incident that should never have been imported. It
//! asks first (or takes `--yes`); the incident is marked removed and disappears from
//! every page, list, search and digest, its actions are marked removed with that
//! change in their history, and the history stays in the database. Imports leave the
//! file out from then on.

use crate::config::Settings;
use crate::db;
use crate::text::printable;
use anyhow::Context;
use clap::Args;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

/// Arguments of `aftermath remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The incident's slug, as in its address (`/incidents/SLUG`).
    pub slug: String,
    /// Remove without asking.
    #[arg(long, short)]
    pub yes: bool,
    /// Who removes it, for the actions' history (default: the local user name).
    #[arg(long = "as", value_name = "NAME")]
    pub actor: Option<String>,
}

/// Runs `aftermath remove`.
pub async fn run(args: &RemoveArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let slug = args.slug.trim();
    let actor = super::actions::local_actor(args.actor.as_deref())?;
    let pool = db::open(&settings.database).await?;
    let result = remove(&pool, slug, actor.as_str(), args.yes).await;
    pool.close().await;
    result
}

async fn remove(
    pool: &sqlx::SqlitePool,
    slug: &str,
    actor: &str,
    yes: bool,
) -> anyhow::Result<ExitCode> {
    let Some(incident) = db::incidents::removable(pool, slug).await? else {
        anyhow::bail!(
            "there is no incident with the slug \"{}\" (it is the last part of the incident's address)",
            printable(slug)
        );
    };
    if let Some(at) = &incident.removed_at {
        println!("{} was already removed on {at}", printable(slug));
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{}: {}\n  imported from {}\n  {} action{} will be marked removed; the history of every action is kept",
        printable(slug),
        printable(&incident.title),
        printable(&incident.source_path),
        incident.actions,
        if incident.actions == 1 { "" } else { "s" },
    );
    if !yes {
        if !std::io::stdin().is_terminal() {
            eprintln!(
                "error: not removed: there is no terminal to ask on; pass --yes to remove it"
            );
            return Ok(ExitCode::from(2));
        }
        print!("Remove it? [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut answer)
            .context("reading the answer")?;
        if !matches!(answer.trim().to_lowercase().as_str(), "y" | "yes") {
            println!("not removed");
            return Ok(ExitCode::FAILURE);
        }
    }
    let marked = db::incidents::remove(pool, incident.id, actor, "cli").await?;
    println!(
        "removed {} ({marked} action{} marked removed)",
        printable(slug),
        if marked == 1 { "" } else { "s" }
    );
    if std::path::Path::new(&incident.source_path).exists() {
        println!(
            "its file is still in place: imports leave it out; delete it, or add it to `exclude` in aftermath.toml"
        );
    }
    Ok(ExitCode::SUCCESS)
}
