//! `aftermath parse`: files parsed and printed (a summary, `--explain`, or JSON); the
//! database is not touched.

use crate::config::Settings;
use crate::model::Incident;
use crate::pipeline;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

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

/// Runs `aftermath parse`.
pub fn run(args: &ParseArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    let mut incidents = Vec::new();
    let mut failed = false;
    for path in &args.files {
        // A problem with the path, not with a line of a file, has no line
        // (`PATH: no such file or directory`), as the import says it.
        if let Err(e) = std::fs::metadata(path) {
            failed = true;
            eprintln!(
                "{}: {}",
                crate::text::printable(&path.display().to_string()),
                crate::import::io_message(&e)
            );
            continue;
        }
        match pipeline::parse_file(path, settings.max_file_bytes) {
            Ok(parsed) => incidents.push(parsed.incident),
            Err(e) => {
                failed = true;
                let path = path.display().to_string();
                let message = e.to_string();
                let (path, message) = (
                    crate::text::printable(&path),
                    crate::text::printable(&message),
                );
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
    let truncate = crate::text::truncate;
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
        writeln!(out, "             rule: {}", c.rule)?;
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
        writeln!(out, "             rule: {}", a.rule)?;
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
            crate::text::truncate(&e.text, 90)
        )?;
    }
    writeln!(out, "  root causes ({}):", i.root_causes.len())?;
    for c in &i.root_causes {
        writeln!(
            out,
            "    - {} (line {})",
            crate::text::truncate(&c.text, 110),
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
            crate::text::truncate(&a.text, 100),
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
