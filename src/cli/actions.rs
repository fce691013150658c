//! `aftermath actions`: the action list, `set` (a change recorded in the history) and
//! `history`.

use super::style;
use crate::config::Settings;
use anyhow::Context;
use clap::{Args, Subcommand};
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `aftermath actions`: a list, unless a subcommand is given.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ActionsArgs {
    #[command(subcommand)]
    pub command: Option<ActionsCommand>,
    #[command(flatten)]
    pub list: ActionsListArgs,
}

/// Filters and output of the action list.
#[derive(Debug, Args)]
pub struct ActionsListArgs {
    /// Only actions that still need work (open, in progress, unknown).
    #[arg(long)]
    pub open: bool,
    /// Only this status (repeatable; `open` means every status still needing work).
    #[arg(long, value_name = "STATUS")]
    pub status: Vec<String>,
    /// Only actions of this owner, as you would type it: any case, with or without
    /// `@`, part of a full name or an address (`alice` finds "Alice Smith").
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,
    /// Only open actions nobody owns.
    #[arg(long)]
    pub no_owner: bool,
    /// Only open actions due before today.
    #[arg(long)]
    pub overdue: bool,
    /// Only open actions unchanged for longer than the stale period.
    #[arg(long)]
    pub stale: bool,
    /// Only actions of this incident.
    #[arg(long, value_name = "SLUG")]
    pub incident: Option<String>,
    /// Only actions of incidents naming this system.
    #[arg(long, value_name = "SYSTEM")]
    pub system: Option<String>,
    /// Order: due (soonest first), age (oldest first) or incident (newest first).
    #[arg(long, default_value = "due", value_parser = ["due", "age", "incident"])]
    pub sort: String,
    /// Also actions no longer in their documents.
    #[arg(long)]
    pub all: bool,
    /// Days without a change after which an open action is stale (default: config, 30).
    #[arg(long, value_name = "DAYS")]
    pub stale_days: Option<u32>,
    /// The day to judge overdue and stale against (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub today: Option<String>,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// Subcommands of `aftermath actions`.
#[derive(Debug, Subcommand)]
pub enum ActionsCommand {
    /// Change an action's status, owner, due date or ticket, or add a note.
    Set(ActionsSetArgs),
    /// Show every change made to an action.
    History(ActionsHistoryArgs),
}

/// Arguments of `aftermath actions set`.
#[derive(Debug, Args)]
pub struct ActionsSetArgs {
    /// The action's id as `aftermath actions` lists it, or its first 4 or more
    /// characters if no other id starts with them.
    pub id: String,
    /// New status: open, in_progress, done, wontfix or unknown.
    #[arg(long, value_name = "STATUS")]
    pub status: Option<String>,
    /// New owner; an empty value clears it.
    #[arg(long, value_name = "NAME")]
    pub owner: Option<String>,
    /// New due date (YYYY-MM-DD); an empty value clears it.
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    /// New ticket reference; an empty value clears it.
    #[arg(long, value_name = "TICKET")]
    pub ticket: Option<String>,
    /// A note for the history.
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
    /// Who makes the change (default: the local user name).
    #[arg(long = "as", value_name = "NAME")]
    pub actor: Option<String>,
}

/// Arguments of `aftermath actions history`.
#[derive(Debug, Args)]
pub struct ActionsHistoryArgs {
    /// The action's id, or its first 4 or more characters if no other id starts with
    /// them.
    pub id: String,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
}

/// Runs `aftermath actions` and its subcommands.
pub async fn run(args: ActionsArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    use crate::db::actions;
    // Validate before opening (and perhaps creating) the database.
    let list = match &args.command {
        None => Some(action_filter(&args.list, settings)?),
        Some(_) => None,
    };
    let pool = match &args.command {
        Some(ActionsCommand::Set(_)) => crate::db::open(&settings.database).await?,
        _ => crate::db::open_for_reading(&settings.database).await?,
    };
    let result = match (args.command, list) {
        (Some(ActionsCommand::Set(set)), _) => actions_set(&pool, &set).await,
        (Some(ActionsCommand::History(h)), _) => {
            let prefix = crate::tracking::ActionIdPrefix::parse(&h.id)?;
            let id = actions::resolve_id(&pool, &prefix).await?;
            let events = actions::history(&pool, &id).await?;
            let mut out = std::io::stdout().lock();
            if h.json {
                writeln!(out, "{}", serde_json::to_string_pretty(&events)?)?;
            } else if events.is_empty() {
                writeln!(out, "no changes recorded since the first import")?;
            } else {
                write_history(&mut out, &events)?;
            }
            Ok(())
        }
        (None, Some(filter)) if args.list.json => write_json(&pool, filter).await,
        (None, Some(filter)) => {
            let rows = actions::list(&pool, &filter).await?;
            let mut out = std::io::stdout().lock();
            {
                write_action_table(&mut out, &rows, style::width(), style::Paint::stdout())?;
            }
            Ok(())
        }
        (None, None) => unreachable!("a list filter is built when no subcommand is given"),
    };
    pool.close().await;
    match result {
        // `aftermath actions | head` closing the pipe early is not a failure.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(ExitCode::SUCCESS)
        }
        other => other.map(|()| ExitCode::SUCCESS),
    }
}

/// `aftermath actions --json`: the same pretty-printed JSON array as before, written
/// as SQLite reads the rows (one statement, one snapshot), so memory stays bounded
/// whatever the number of actions.
async fn write_json(
    pool: &sqlx::SqlitePool,
    filter: crate::db::actions::ActionFilter,
) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut first = true;
    crate::db::actions::for_each(pool, &filter, |row| -> anyhow::Result<()> {
        let element = serde_json::to_string_pretty(&row)?;
        out.write_all(if first { b"[\n" } else { b",\n" })?;
        first = false;
        for (k, line) in element.lines().enumerate() {
            if k > 0 {
                out.write_all(b"\n")?;
            }
            write!(out, "  {line}")?;
        }
        Ok(())
    })
    .await?;
    out.write_all(if first { b"[]\n" } else { b"\n]\n" })?;
    out.flush()?;
    Ok(())
}

fn action_filter(
    args: &ActionsListArgs,
    settings: &Settings,
) -> anyhow::Result<crate::db::actions::ActionFilter> {
    use crate::db::actions::{ActionFilter, ActionSort};
    let today = match &args.today {
        Some(raw) => crate::tracking::DueDate::parse(raw)?.date(),
        None => crate::tracking::today(),
    };
    let mut filter = ActionFilter::new(today, args.stale_days.unwrap_or(settings.stale_days));
    for raw in &args.status {
        for status in crate::tracking::parse_status_filter(raw)? {
            if !filter.statuses.contains(&status) {
                filter.statuses.push(status);
            }
        }
    }
    if args.open && filter.statuses.is_empty() {
        filter = filter.open();
    } else if args.open {
        filter.statuses.retain(|s| s.is_open());
    }
    filter.owner = args.owner.clone();
    filter.incident = args.incident.clone();
    filter.system = args.system.clone();
    filter.overdue = args.overdue;
    filter.stale = args.stale;
    filter.no_owner = args.no_owner;
    filter.include_removed = args.all;
    filter.sort = match args.sort.as_str() {
        "age" => ActionSort::Age,
        "incident" => ActionSort::Incident,
        _ => ActionSort::Due,
    };
    Ok(filter)
}

async fn actions_set(pool: &sqlx::SqlitePool, args: &ActionsSetArgs) -> anyhow::Result<()> {
    use crate::db::actions;
    use crate::tracking::{ActionUpdate, Origin, TrackingError};
    let change = ActionUpdate::from_raw(
        args.status.as_deref(),
        args.owner.as_deref(),
        args.due.as_deref(),
        args.ticket.as_deref(),
        args.note.as_deref(),
    )?;
    if change.is_empty() {
        return Err(TrackingError::NothingToChange.into());
    }
    let actor = local_actor(args.actor.as_deref())?;
    let prefix = crate::tracking::ActionIdPrefix::parse(&args.id)?;
    let id = actions::resolve_id(pool, &prefix).await?;
    let outcome = actions::update(pool, &id, &change, actor.as_str(), Origin::Cli).await?;
    let mut out = std::io::stdout().lock();
    if outcome.changes.is_empty() {
        writeln!(out, "{id}: nothing changed (the values were already set)")?;
    }
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
    for c in &outcome.changes {
        if c.field == "note" {
            writeln!(out, "{id}: note added")?;
        } else {
            writeln!(
                out,
                "{id}: {} {} → {}",
                c.field,
                shown(&c.old),
                shown(&c.new)
            )?;
        }
    }
    Ok(())
}

/// Who a CLI change is recorded as: `--as`, else the local user name.
pub(super) fn local_actor(given: Option<&str>) -> anyhow::Result<crate::identity::UserName> {
    let name = match given {
        Some(name) => name.to_string(),
        None => std::env::var("USER")
            .ok()
            .filter(|u| !u.trim().is_empty())
            .or_else(|| {
                std::process::Command::new("whoami")
                    .output()
                    .ok()
                    .filter(|o| o.status.success())
                    .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            })
            .context("cannot tell who you are: give --as NAME")?,
    };
    Ok(crate::identity::UserName::parse(&name)?)
}

/// The aligned table of `aftermath actions`, fitted to `width` columns when given (a
/// terminal's width): the action's text, then the incident and owner, give way; with
/// colour, overdue actions are red, stale ones yellow and done ones green.
fn write_action_table(
    out: &mut impl Write,
    rows: &[crate::db::actions::ActionRow],
    width: Option<usize>,
    paint: style::Paint,
) -> std::io::Result<()> {
    if rows.is_empty() {
        return writeln!(out, "no actions match");
    }
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect()
    };
    let table: Vec<[String; 6]> = rows
        .iter()
        .map(|r| {
            let mut flags = Vec::new();
            if r.overdue {
                flags.push("overdue");
            }
            if r.stale {
                flags.push("stale");
            }
            if r.removed {
                flags.push("removed");
            }
            let mut text = crate::text::truncate(&clean(&r.text), 70);
            if !flags.is_empty() {
                text = format!("{text} [{}]", flags.join(", "));
            }
            [
                r.id.clone(),
                r.status.as_str().to_string(),
                r.due.clone().unwrap_or_else(|| "-".into()),
                style::fit(&clean(r.owner.as_deref().unwrap_or("-")), 20),
                style::fit(&r.incident, 40),
                text,
            ]
        })
        .collect();
    let header = ["ID", "STATUS", "DUE", "OWNER", "INCIDENT", "ACTION"];
    let mut widths = header.map(style::columns);
    for row in &table {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(style::columns(cell));
        }
    }
    // On a narrow terminal the action's text gives way first, then the incident and
    // the owner are cut, then the incident goes (`--incident` still filters by it).
    let shown = match width {
        Some(total) => {
            use style::Give::{Hide, Shrink};
            let plan = [
                Shrink(5, 24),
                Shrink(4, 12),
                Shrink(3, 8),
                Shrink(5, 12),
                Hide(4),
                Shrink(5, 8),
            ];
            style::fit_columns(&mut widths, total, &plan)
        }
        None => vec![true; widths.len()],
    };
    let line = |out: &mut dyn Write,
                cells: [&str; 6],
                row: Option<&crate::db::actions::ActionRow>| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if !shown[i] {
                continue;
            }
            let cell = style::fit(cell, widths[i]);
            let painted = match (i, row) {
                (_, None) => paint.bold(&cell),
                (1, Some(r)) if r.status == crate::model::ActionStatus::Done => paint.green(&cell),
                (5, Some(r)) if r.overdue => paint.red(&cell),
                (5, Some(r)) if r.stale => paint.yellow(&cell),
                (0, Some(_)) => paint.dim(&cell),
                _ => cell.clone(),
            };
            text.push_str(&painted);
            if i + 1 < cells.len() {
                text.push_str(&" ".repeat(widths[i].saturating_sub(style::columns(&cell)) + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, header, None)?;
    for (row, r) in table.iter().zip(rows) {
        line(out, row.each_ref().map(String::as_str), Some(r))?;
    }
    writeln!(
        out,
        "{} action{}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" }
    )
}

/// The readable history of `aftermath actions history`.
fn write_history(
    out: &mut impl Write,
    events: &[crate::db::actions::ActionEvent],
) -> std::io::Result<()> {
    let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
    for e in events {
        let what = match e.field.as_str() {
            "note" => format!("note: {}", shown(&e.new_value)),
            "created" | "removed" | "restored" => e.field.clone(),
            field => format!("{field}: {} → {}", shown(&e.old_value), shown(&e.new_value)),
        };
        writeln!(out, "{}  {} ({})  {}", e.at, e.actor, e.origin, what)?;
    }
    Ok(())
}
