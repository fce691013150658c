//! `aftermath export`: every incident (or, with `--actions`, every action) to stdout as
//! one JSON array, JSON lines or CSV, for spreadsheets and other tools.
//!
//! Invariant: rows are written as the database hands them over (`db::export` streams
//! them), so memory stays flat whatever the number of incidents; a JSON array is
//! written element by element.

use crate::config::Settings;
use crate::db::export::{self, ActionExport, IncidentExport};
use anyhow::Context;
use clap::{Args, ValueEnum};
use futures_util::stream::{Stream, StreamExt};
use std::io::{BufWriter, Write};
use std::pin::pin;
use std::process::ExitCode;

/// Arguments of `aftermath export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Output: `json` (one array), `jsonl` (one object a line) or `csv`.
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Export the follow-up actions (tracked values included) instead of incidents.
    #[arg(long)]
    pub actions: bool,
}

/// The output formats of `aftermath export`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Json,
    Jsonl,
    Csv,
}

/// Runs `aftermath export`.
pub async fn run(args: &ExportArgs, settings: &Settings) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        settings.database.exists(),
        "no database at {} (run `aftermath import` first)",
        settings.database.display()
    );
    let pool = crate::db::open_for_reading(&settings.database).await?;
    let out = BufWriter::new(std::io::stdout().lock());
    let written = if args.actions {
        write_rows(
            export::actions(&pool),
            out,
            args.format,
            &ACTION_COLUMNS,
            action_record,
        )
        .await
    } else {
        write_rows(
            export::incidents(&pool),
            out,
            args.format,
            &INCIDENT_COLUMNS,
            incident_record,
        )
        .await
    };
    pool.close().await;
    match written {
        Ok(()) => Ok(ExitCode::SUCCESS),
        // `aftermath export | head` closes the pipe early: that reader has what it
        // wanted, and nothing went wrong here.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => Err(e),
    }
}

/// Writes each row as it arrives.
async fn write_rows<T: serde::Serialize, const N: usize>(
    rows: impl Stream<Item = sqlx::Result<T>>,
    mut out: impl Write,
    format: ExportFormat,
    columns: &[&str; N],
    record: fn(&T) -> [String; N],
) -> anyhow::Result<()> {
    let mut rows = pin!(rows);
    match format {
        ExportFormat::Json | ExportFormat::Jsonl => {
            let array = format == ExportFormat::Json;
            if array {
                out.write_all(b"[")?;
            }
            let mut first = true;
            while let Some(row) = rows.next().await {
                let row = row.context("reading the database")?;
                if array && !first {
                    out.write_all(b",")?;
                }
                if array {
                    out.write_all(b"\n")?;
                }
                serde_json::to_writer(&mut out, &row).map_err(std::io::Error::from)?;
                if !array {
                    out.write_all(b"\n")?;
                }
                first = false;
            }
            if array {
                out.write_all(b"\n]\n")?;
            }
            out.flush()?;
        }
        ExportFormat::Csv => {
            let mut csv = csv::Writer::from_writer(out);
            csv.write_record(columns).map_err(csv_io)?;
            while let Some(row) = rows.next().await {
                let row = row.context("reading the database")?;
                let mut cells = record(&row);
                cells.iter_mut().for_each(defuse);
                csv.write_record(&cells).map_err(csv_io)?;
            }
            csv.flush()?;
        }
    }
    Ok(())
}

/// A CSV error as the I/O error under it when there is one (a closed pipe).
fn csv_io(e: csv::Error) -> anyhow::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => io.into(),
        other => anyhow::anyhow!("writing CSV: {other:?}"),
    }
}

/// A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, or a tab or
/// carriage return first) gets a leading apostrophe: document text is not trusted to
/// run in whoever opens the export.
fn defuse(cell: &mut String) {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        cell.insert(0, '\'');
    }
}

const INCIDENT_COLUMNS: [&str; 21] = [
    "slug",
    "title",
    "started",
    "timezone",
    "severity",
    "format",
    "source_path",
    "authors",
    "systems",
    "tags",
    "summary",
    "impact",
    "detection",
    "resolution",
    "root_causes",
    "timeline_entries",
    "actions",
    "open_actions",
    "missing_since",
    "imported_at",
    "updated_at",
];

/// Lists of names are joined with `; `, root causes (sentences) one a line.
fn incident_record(i: &IncidentExport) -> [String; 21] {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        i.slug.clone(),
        i.title.clone(),
        opt(&i.started),
        opt(&i.timezone),
        opt(&i.severity),
        i.format.clone(),
        i.source_path.clone(),
        i.authors.join("; "),
        i.systems.join("; "),
        i.tags.join("; "),
        opt(&i.summary),
        opt(&i.impact),
        opt(&i.detection),
        opt(&i.resolution),
        i.root_causes.join("\n"),
        i.timeline.len().to_string(),
        i.actions.to_string(),
        i.open_actions.to_string(),
        opt(&i.missing_since),
        i.imported_at.clone(),
        i.updated_at.clone(),
    ]
}

const ACTION_COLUMNS: [&str; 18] = [
    "id",
    "incident",
    "incident_title",
    "position",
    "text",
    "details",
    "status",
    "owner",
    "due",
    "ticket",
    "priority",
    "kind",
    "line",
    "created_at",
    "updated_at",
    "updated_by",
    "completed_at",
    "removed_at",
];

fn action_record(a: &ActionExport) -> [String; 18] {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        a.id.clone(),
        a.incident.clone(),
        a.incident_title.clone(),
        a.position.to_string(),
        a.text.clone(),
        opt(&a.details),
        a.status.clone(),
        opt(&a.owner),
        opt(&a.due),
        opt(&a.ticket),
        opt(&a.priority),
        opt(&a.kind),
        a.line.to_string(),
        a.created_at.clone(),
        a.updated_at.clone(),
        opt(&a.updated_by),
        opt(&a.completed_at),
        opt(&a.removed_at),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_a_spreadsheet_would_run_get_an_apostrophe() {
        let defused = |cell: &str| {
            let mut cell = cell.to_string();
            defuse(&mut cell);
            cell
        };
        assert_eq!(defused("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(defused("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(defused("-1+2"), "'-1+2");
        assert_eq!(defused("2024-03-04"), "2024-03-04");
        assert_eq!(defused("plain text"), "plain text");
    }
}
