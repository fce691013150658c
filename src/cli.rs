//! The command-line interface: argument definitions and one function per command.
//!
//! Invariant: commands print results to stdout and diagnostics to stderr; the exit
//! code is non-zero when any input failed.

use crate::config::{FileConfig, Settings};
pub use crate::digest::DigestArgs;
use crate::import::{self, Event, Severity};
use crate::model::Incident;
use crate::pipeline;
use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Aftermath: an incident postmortem knowledge base.
#[derive(Debug, Parser)]
#[command(name = "aftermath", version, about)]
pub struct Cli {
    /// SQLite database file (created on first use).
    #[arg(long, global = true, env = "AFTERMATH_DATABASE", value_name = "PATH")]
    pub database: Option<PathBuf>,
    /// Config file (default: ./aftermath.toml if it exists).
    #[arg(long, global = true, env = "AFTERMATH_CONFIG", value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// More log output (-v, -vv).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
// Parsed once per run: the size of the largest variant costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse postmortem files and print what was extracted (the database is not touched).
    Parse(ParseArgs),
    /// Import files and folders (recursively) into the database.
    Import(ImportArgs),
    /// Import the incidents folders and serve the web UI.
    Serve(ServeArgs),
    /// List follow-up actions; `set` changes one, `history` shows its changes.
    Actions(ActionsArgs),
    /// Manage user accounts and API tokens.
    #[command(subcommand)]
    User(UserCommand),
    /// Send (or print) the weekly action-item digest.
    Digest(DigestArgs),
}

/// Arguments of `aftermath serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "AFTERMATH_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Re-import files as they change.
    #[arg(long, env = "AFTERMATH_WATCH")]
    pub watch: bool,
    /// Allow changes without signing in, recorded under the local user's name. Only
    /// allowed when listening on a loopback address.
    #[arg(long, env = "AFTERMATH_SINGLE_USER")]
    pub single_user: bool,
    /// Largest file imported, in bytes.
    #[arg(long, env = "AFTERMATH_MAX_FILE_BYTES", value_name = "BYTES")]
    pub max_file_bytes: Option<u64>,
}

/// Arguments of `aftermath parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Files to parse.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Print JSON: one object for one file, an array for several.
    #[arg(long)]
    pub json: bool,
    /// For every extracted item, print its line and the rule that took it (with
    /// `--json`, the rules are the `rule` and `explanation` fields).
    #[arg(long)]
    pub explain: bool,
    /// Largest file parsed, in bytes.
    #[arg(long, env = "AFTERMATH_MAX_FILE_BYTES", value_name = "BYTES")]
    pub max_file_bytes: Option<u64>,
}

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
    /// Only actions of this owner (any case).
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

/// Subcommands of `aftermath user`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user who signs in with a password (from stdin or AFTERMATH_PASSWORD).
    Add(UserAddArgs),
    /// Create an API token for a user and print it (it is shown only once).
    Token(UserTokenArgs),
}

/// Arguments of `aftermath user add`.
#[derive(Debug, Args)]
pub struct UserAddArgs {
    /// The user name: letters, digits and . _ - @ +.
    pub name: String,
    /// Read the password from the first line of stdin (otherwise AFTERMATH_PASSWORD).
    #[arg(long)]
    pub password_stdin: bool,
}

/// Arguments of `aftermath user token`.
#[derive(Debug, Args)]
pub struct UserTokenArgs {
    /// The user the token acts as.
    pub name: String,
    /// What the token is for.
    #[arg(long, default_value = "cli", value_name = "LABEL")]
    pub label: String,
}

/// Sets up logging to stderr; `RUST_LOG` overrides the verbosity flags. A server logs
/// its imports at the default level and every request with `-v`; other commands only
/// warnings.
pub fn init_tracing(verbose: u8, serving: bool) {
    let default = match (verbose, serving) {
        // sqlx warns about any statement over a second, which a large import has by
        // design (loading every profile); it is not news at the default level.
        (0, false) => "warn,sqlx=error",
        // One line per request costs real throughput under load; -v turns it on.
        (0, true) => "warn,aftermath=info,sqlx=error",
        (1, _) => "info,sqlx=warn",
        _ => "debug,sqlx=info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let (file, _) = FileConfig::load(cli.config.as_deref())?;
    match cli.command {
        Command::Parse(args) => {
            let settings = Settings::resolve(cli.database, args.max_file_bytes, &file);
            parse(&args, &settings)
        }
        Command::Import(args) => {
            let settings = Settings::resolve(cli.database, args.max_file_bytes, &file);
            runtime()?.block_on(import_command(&args, &settings))
        }
        Command::Serve(args) => {
            let settings = Settings::resolve(cli.database, args.max_file_bytes, &file);
            let web = file.web.clone().unwrap_or_default();
            let listen = args
                .listen
                .or(web.listen.clone())
                .unwrap_or_else(|| crate::config::DEFAULT_LISTEN.to_string());
            let listen = listen.parse().with_context(|| {
                format!("--listen {listen}: expected an address like 127.0.0.1:8080")
            })?;
            let listen: std::net::SocketAddr = listen;
            let single_user = args.single_user || web.single_user.unwrap_or(false);
            if single_user && !listen.ip().is_loopback() {
                anyhow::bail!(
                    "single-user mode lets anyone who can connect change actions; it is only allowed on a loopback address, not {listen}"
                );
            }
            let trusted_proxies = web
                .trusted_proxies
                .iter()
                .map(|p| p.parse::<crate::identity::TrustedProxy>())
                .collect::<Result<Vec<_>, _>>()?;
            let user_header = match &web.user_header {
                Some(h) => Some(
                    axum::http::HeaderName::try_from(h.as_str())
                        .with_context(|| format!("user_header \"{h}\" is not a header name"))?,
                ),
                None => None,
            };
            let digest = crate::digest::DigestSettings::resolve(file.digest.as_ref(), None)?;
            let options = crate::serve::ServeOptions {
                digest: digest.smtp.is_some().then_some(digest),
                listen,
                watch: args.watch || web.watch.unwrap_or(false),
                site: crate::web::Site {
                    tickets: web.tickets.clone(),
                    stale_days: file
                        .stale_days
                        .unwrap_or(crate::tracking::DEFAULT_STALE_DAYS),
                    user_header,
                    trusted_proxies,
                    single_user: single_user.then(local_user),
                    secure_cookies: web.secure_cookies.unwrap_or(false),
                    public_hosts: public_hosts(&web, file.digest.as_ref()),
                    remote_images: web.remote_images.unwrap_or(false),
                },
            };
            runtime()?.block_on(crate::serve::serve(&settings, options))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Actions(args) => {
            let settings = Settings::resolve(cli.database, None, &file);
            runtime()?.block_on(actions_command(args, &settings))
        }
        Command::User(command) => {
            let settings = Settings::resolve(cli.database, None, &file);
            runtime()?.block_on(user_command(command, &settings))
        }
        Command::Digest(args) => {
            let settings = Settings::resolve(cli.database, None, &file);
            crate::digest::run_command(&args, &settings, &file)
        }
    }
}

/// The names `serve` answers to besides `localhost` and IP addresses: the configured
/// ones and the hosts of the site's public URLs.
fn public_hosts(
    web: &crate::config::WebConfig,
    digest: Option<&crate::config::DigestConfig>,
) -> Vec<String> {
    let urls = [
        web.base_url.as_deref(),
        digest.and_then(|d| d.base_url.as_deref()),
    ];
    let from_urls = urls
        .into_iter()
        .flatten()
        .filter_map(crate::web::host::host_of_url);
    web.public_hosts.iter().cloned().chain(from_urls).collect()
}

/// The local user's name, for single-user mode.
fn local_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "local".to_string())
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn parse(args: &ParseArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let mut incidents = Vec::new();
    let mut failed = false;
    for path in &args.files {
        match pipeline::parse_file(path, settings.max_file_bytes) {
            Ok(parsed) => incidents.push(parsed.incident),
            Err(e) => {
                failed = true;
                let path = path.display().to_string();
                let message = e.to_string();
                let (path, message) = (import::printable(&path), import::printable(&message));
                eprintln!("{path}:{}: error: {message}", e.line());
            }
        }
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let json = if args.files.len() == 1 && incidents.len() == 1 {
            serde_json::to_string_pretty(&incidents[0])?
        } else {
            serde_json::to_string_pretty(&incidents)?
        };
        writeln!(out, "{json}")?;
    } else if args.explain {
        for incident in &incidents {
            write_explained(&mut out, incident)?;
        }
    } else {
        for incident in &incidents {
            write_summary(&mut out, incident)?;
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `aftermath parse --explain`: every extracted item with its line and the rule that
/// took it, and why the title, start date, zone and date order are what they are.
fn write_explained(out: &mut impl Write, i: &Incident) -> std::io::Result<()> {
    let why = &i.explanation;
    let truncate = crate::extract::sentences::truncate;
    writeln!(out, "{} ({})", i.source, i.format.as_str())?;
    writeln!(out, "  title:      {}", i.title)?;
    writeln!(out, "              because: {}", why.title)?;
    writeln!(
        out,
        "  started:    {}",
        i.started.map_or("-".to_string(), |d| d.to_string())
    )?;
    writeln!(out, "              because: {}", why.started)?;
    match (&i.timezone, &why.zone) {
        (Some(z), Some(note)) => {
            writeln!(out, "  zone:       {z}")?;
            writeln!(out, "              because: {note}")?;
        }
        _ => writeln!(out, "  zone:       none stated: times are wall-clock times")?,
    }
    if let Some((line, note)) = &why.date_order {
        writeln!(out, "  line {line:>4}: {note}")?;
    }
    writeln!(out, "  timeline ({}):", i.timeline.len())?;
    for e in &i.timeline {
        writeln!(
            out,
            "  line {:>4}: {}  {}",
            e.line,
            e.at.to_at_string(),
            truncate(&e.text, 80)
        )?;
        writeln!(out, "             rule: {}", e.rule)?;
    }
    writeln!(out, "  root causes ({}):", i.root_causes.len())?;
    for c in &i.root_causes {
        writeln!(out, "  line {:>4}: {}", c.line, truncate(&c.text, 100))?;
    }
    writeln!(out, "  actions ({}):", i.actions.len())?;
    for a in &i.actions {
        writeln!(
            out,
            "  line {:>4}: [{}] {}",
            a.line,
            a.status,
            truncate(&a.text, 90)
        )?;
    }
    writeln!(out)
}

/// The readable summary of `aftermath parse`.
fn write_summary(out: &mut impl Write, i: &Incident) -> std::io::Result<()> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
    writeln!(out, "{} ({})", i.source, i.format.as_str())?;
    writeln!(out, "  title:    {}", i.title)?;
    writeln!(
        out,
        "  started:  {}    zone: {}",
        i.started.map_or("-".to_string(), |d| d.to_string()),
        opt(&i.timezone)
    )?;
    if !i.systems.is_empty() {
        writeln!(out, "  systems:  {}", i.systems.join(", "))?;
    }
    writeln!(out, "  timeline ({}):", i.timeline.len())?;
    for e in &i.timeline {
        writeln!(
            out,
            "    {:<24} {:<28} {}",
            e.at.to_at_string(),
            format!("[{}]", e.source_text),
            crate::extract::sentences::truncate(&e.text, 90)
        )?;
    }
    writeln!(out, "  root causes ({}):", i.root_causes.len())?;
    for c in &i.root_causes {
        writeln!(
            out,
            "    - {} (line {})",
            crate::extract::sentences::truncate(&c.text, 110),
            c.line
        )?;
    }
    writeln!(out, "  actions ({}):", i.actions.len())?;
    for a in &i.actions {
        let mut extra = Vec::new();
        if let Some(o) = &a.owner {
            extra.push(format!("owner {o}"));
        }
        if let Some(d) = a.due {
            extra.push(format!("due {d}"));
        }
        if let Some(t) = &a.ticket {
            extra.push(format!("ticket {t}"));
        }
        let extra = if extra.is_empty() {
            String::new()
        } else {
            format!(" ({})", extra.join(", "))
        };
        writeln!(
            out,
            "    - [{}] {}{} [{}]",
            a.status,
            crate::extract::sentences::truncate(&a.text, 100),
            extra,
            a.id
        )?;
    }
    if !i.warnings.is_empty() {
        writeln!(out, "  warnings ({}):", i.warnings.len())?;
        for w in &i.warnings {
            writeln!(out, "    line {}: {}", w.line, w.message)?;
        }
    }
    writeln!(out)
}

async fn import_command(args: &ImportArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
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

async fn actions_command(args: ActionsArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
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
        (None, Some(filter)) => {
            let rows = actions::list(&pool, &filter).await?;
            let mut out = std::io::stdout().lock();
            if args.list.json {
                writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
            } else {
                write_action_table(&mut out, &rows)?;
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
fn local_actor(given: Option<&str>) -> anyhow::Result<crate::identity::UserName> {
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

/// The aligned table of `aftermath actions`.
fn write_action_table(
    out: &mut impl Write,
    rows: &[crate::db::actions::ActionRow],
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
            let mut text = crate::extract::sentences::truncate(&clean(&r.text), 70);
            if !flags.is_empty() {
                text = format!("{text} [{}]", flags.join(", "));
            }
            [
                r.id.clone(),
                r.status.as_str().to_string(),
                r.due.clone().unwrap_or_else(|| "-".into()),
                crate::extract::sentences::truncate(&clean(r.owner.as_deref().unwrap_or("-")), 20),
                crate::extract::sentences::truncate(&r.incident, 40),
                text,
            ]
        })
        .collect();
    let header = ["ID", "STATUS", "DUE", "OWNER", "INCIDENT", "ACTION"];
    let mut widths = header.map(|h| h.chars().count());
    for row in &table {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |out: &mut dyn Write, cells: [&str; 6]| -> std::io::Result<()> {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(&format!("{cell:<w$}  ", w = widths[i]));
            }
        }
        writeln!(out, "{}", text.trim_end())
    };
    line(out, header)?;
    for row in &table {
        line(out, row.each_ref().map(String::as_str))?;
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

async fn user_command(command: UserCommand, settings: &Settings) -> anyhow::Result<ExitCode> {
    use crate::db::accounts;
    match command {
        UserCommand::Add(args) => {
            crate::identity::UserName::parse(&args.name)?;
            let password = if args.password_stdin {
                let mut line = String::new();
                std::io::stdin()
                    .read_line(&mut line)
                    .context("reading the password from stdin")?;
                line.trim_end_matches(['\n', '\r']).to_string()
            } else {
                std::env::var("AFTERMATH_PASSWORD").map_err(|_| {
                    anyhow::anyhow!(
                        "give the password on stdin with --password-stdin, or in AFTERMATH_PASSWORD"
                    )
                })?
            };
            let pool = crate::db::open(&settings.database).await?;
            let result = accounts::create_user(&pool, &args.name, &password).await;
            pool.close().await;
            let user = result?;
            println!("created user {}", user.name);
        }
        UserCommand::Token(args) => {
            let pool = crate::db::open(&settings.database).await?;
            let result = async {
                let user = accounts::find_user(&pool, &args.name)
                    .await?
                    .with_context(|| {
                        format!(
                            "there is no user named \"{}\" (create one with `aftermath user add`)",
                            args.name.trim()
                        )
                    })?;
                Ok::<_, anyhow::Error>(accounts::create_api_token(&pool, &user, &args.label).await?)
            }
            .await;
            pool.close().await;
            println!("{}", result?);
            eprintln!("store this token now: it is not shown again");
        }
    }
    Ok(ExitCode::SUCCESS)
}
