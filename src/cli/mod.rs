//! The command-line interface: argument definitions and one module per command group
//! (`parse`, `import`, `serve`, `actions`, `user`, `digest`, `lint`, `new`, `export`,
//! `backup`, `check`),
//! each with its arguments
//! and the function that runs it.
//!
//! Invariant: commands print results to stdout and diagnostics to stderr; the exit
//! code is non-zero when any input failed.

mod actions;
mod backup;
mod check;
mod digest;
mod export;
mod import;
mod lint;
pub mod log_writer;
mod new;
mod parse;
mod remove;
mod serve;
mod style;
mod user;

pub use actions::{
    ActionsArgs, ActionsCommand, ActionsHistoryArgs, ActionsListArgs, ActionsSetArgs,
};
pub use backup::BackupArgs;
pub use check::CheckArgs;
pub use digest::DigestArgs;
pub use export::{ExportArgs, ExportFormat};
pub use import::ImportArgs;
pub use lint::{LintArgs, LintFormat};
pub use new::NewArgs;
pub use parse::ParseArgs;
pub use remove::RemoveArgs;
pub use serve::ServeArgs;
pub use user::{UserAddArgs, UserCommand, UserTokenArgs};

use crate::config::{FileConfig, Settings};
use anyhow::Context;
use clap::{Parser, Subcommand};
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
    /// Log lines as text (coloured only on a terminal) or as JSON objects, one a line.
    #[arg(
        long,
        global = true,
        env = "AFTERMATH_LOG_FORMAT",
        value_enum,
        default_value_t = LogFormat::Text
    )]
    pub log_format: LogFormat,
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
    /// Check postmortem files for what a complete postmortem has (the database is not
    /// touched).
    Lint(LintArgs),
    /// Write a new postmortem to fill in, from a template, into the incidents folder.
    New(NewArgs),
    /// Write every incident (or action) as JSON or CSV to stdout.
    Export(ExportArgs),
    /// Remove an incident imported by mistake (its actions' history is kept).
    Remove(RemoveArgs),
    /// Copy the database to a new file, consistently, while it is in use.
    Backup(BackupArgs),
    /// Check the database for damage and say which pages it affects.
    Check(CheckArgs),
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One readable line per event; colours only when stderr is a terminal and
    /// `NO_COLOR` is not set.
    Text,
    /// One JSON object per line: `timestamp`, `level`, `target`, `message` and the
    /// event's fields (a request's `method`, `route`, `status`, `duration_ms`).
    Json,
}

/// Sets up logging to stderr; `RUST_LOG` overrides the verbosity flags. A server logs
/// its imports and one line per request at the default level; other commands only
/// warnings. A server's lines below warning are gathered and written a batch at a
/// time ([`log_writer`]): the returned guard writes what is left when dropped, so
/// hold it until exit.
pub fn init_tracing(verbose: u8, serving: bool, format: LogFormat) -> Option<log_writer::Flusher> {
    let default = match (verbose, serving) {
        // sqlx warns about any statement over a second, which a large import has by
        // design (loading every profile); it is not news at the default level.
        (0, false) => "warn,sqlx=error",
        // Imports, start-up and shutdown, and one line per request.
        (0, true) => "warn,aftermath=info,sqlx=error",
        (1, _) => "info,sqlx=warn",
        _ => "debug,sqlx=info",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    if serving {
        let (writer, flusher) = log_writer::buffered_stderr();
        install(filter, writer, format);
        Some(flusher)
    } else {
        install(filter, std::io::stderr, format);
        None
    }
}

fn install<W>(filter: tracing_subscriber::EnvFilter, writer: W, format: LogFormat)
where
    W: for<'a> tracing_subscriber::fmt::MakeWriter<'a> + Send + Sync + 'static,
{
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        LogFormat::Text => {
            use std::io::IsTerminal;
            // Escape codes only for a person at a terminal: never in a file or a pipe.
            let colour = std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            builder.with_ansi(colour).try_init()
        }
    };
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let (file, _) = FileConfig::load(cli.config.as_deref())?;
    match cli.command {
        Command::Parse(args) => {
            let settings = Settings::resolve(cli.database, args.max_file_bytes, &file);
            parse::run(&args, &settings)
        }
        Command::Import(args) => {
            let settings = Settings::resolve(cli.database, args.max_file_bytes, &file);
            runtime()?.block_on(import::run(&args, &settings))
        }
        Command::Serve(args) => {
            let settings = Settings::resolve(cli.database, args.max_file_bytes, &file);
            serve::run(args, &settings, &file)
        }
        Command::Actions(args) => {
            let settings = Settings::resolve(cli.database, None, &file);
            if let Some(code) = missing_database(&settings) {
                return Ok(code);
            }
            runtime()?.block_on(actions::run(args, &settings))
        }
        Command::User(command) => {
            let settings = Settings::resolve(cli.database, None, &file);
            // An account may be the first thing made; a token needs its account.
            if matches!(command, UserCommand::Token(_))
                && let Some(code) = missing_database(&settings)
            {
                return Ok(code);
            }
            runtime()?.block_on(user::run(command, &settings))
        }
        Command::Digest(args) => {
            let settings = Settings::resolve(cli.database, None, &file);
            if let Some(code) = missing_database(&settings) {
                return Ok(code);
            }
            digest::run(&args, &settings, &file)
        }
        Command::Lint(args) => {
            let settings = Settings::resolve(cli.database, args.max_file_bytes, &file);
            lint::run(&args, &settings, &file)
        }
        Command::New(args) => {
            let settings = Settings::resolve(cli.database, None, &file);
            new::run(&args, &settings, &file)
        }
        Command::Export(args) => {
            let settings = Settings::resolve(cli.database, None, &file);
            if let Some(code) = missing_database(&settings) {
                return Ok(code);
            }
            runtime()?.block_on(export::run(&args, &settings))
        }
        Command::Remove(args) => {
            let settings = Settings::resolve(cli.database, None, &file);
            if let Some(code) = missing_database(&settings) {
                return Ok(code);
            }
            runtime()?.block_on(remove::run(&args, &settings))
        }
        Command::Backup(args) => {
            let settings = Settings::resolve(cli.database, None, &file);
            // A backup of a mistyped path would be an empty database, reported as a
            // backup that passes its check.
            if let Some(code) = missing_database(&settings) {
                return Ok(code);
            }
            runtime()?.block_on(backup::run(&args, &settings))
        }
        Command::Check(args) => {
            let settings = Settings::resolve(cli.database, None, &file);
            if let Some(code) = missing_database(&settings) {
                return Ok(code);
            }
            runtime()?.block_on(check::run(&args, &settings))
        }
    }
}

/// Commands that read or change what is stored need a database that exists: a
/// mistyped `--database` must not quietly create an empty one (only `import`,
/// `serve` and `user add` create it). Says so and gives exit code 2 when it is
/// missing (2, not 1, so a script tells it from a failed check or a refused change).
fn missing_database(settings: &Settings) -> Option<ExitCode> {
    if settings.database.exists() {
        return None;
    }
    eprintln!(
        "error: no database at {} (run aftermath import first, or pass --database)",
        crate::text::printable(&settings.database.display().to_string())
    );
    Some(ExitCode::from(2))
}

/// The async runtime of the commands that use the database.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}
