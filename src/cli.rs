//! The command-line interface: argument definitions and one function per command.
//!
//! Invariant: commands print results to stdout and diagnostics to stderr; the exit
//! code is non-zero when any input failed.

use crate::config::{FileConfig, Settings};
pub use crate::digest::DigestArgs;
use crate::import::{self, Event, Severity};
use crate::ingest;
use crate::model::Incident;
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
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Parse postmortem files and print what was extracted (the database is not touched).
    Parse(ParseArgs),
    /// Import files and folders (recursively) into the database.
    Import(ImportArgs),
    /// Send (or print) the weekly action-item digest.
    Digest(DigestArgs),
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

/// Sets up logging to stderr; `RUST_LOG` overrides the verbosity flags.
pub fn init_tracing(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info,sqlx=warn",
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
        Command::Digest(args) => {
            let settings = Settings::resolve(cli.database, None, &file);
            crate::digest::run_command(&args, &settings, &file)
        }
    }
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
        match ingest::parse_file(path, settings.max_file_bytes) {
            Ok(parsed) => incidents.push(parsed.incident),
            Err(e) => {
                failed = true;
                eprintln!("{}:{}: error: {e}", path.display(), e.line());
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
