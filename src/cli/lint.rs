//! `aftermath lint`: checks postmortem files for what a complete postmortem has and
//! prints `path:line: warning: …` per finding, GitHub Actions annotations, or JSON.
//! The files are those an import would read; the database is not touched.

use crate::config::{FileConfig, Settings};
use crate::import::{self, ListedFile};
use crate::lint::{self, Finding, Rules};
use crate::pipeline;
use crate::text::printable;
use anyhow::Context;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `aftermath lint`.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Files or folders to check, folders recursively (default: the configured
    /// incidents folders).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Exit non-zero when there is any warning, not only when a file cannot be read.
    #[arg(long)]
    pub strict: bool,
    /// Output: `text` (path:line: warning: …), `github` (GitHub Actions annotations)
    /// or `json` (one array of findings).
    #[arg(long, value_enum, default_value_t = LintFormat::Text)]
    pub format: LintFormat,
    /// Largest file read, in bytes.
    #[arg(long, env = "AFTERMATH_MAX_FILE_BYTES", value_name = "BYTES")]
    pub max_file_bytes: Option<u64>,
}

/// How `aftermath lint` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    Text,
    Github,
    Json,
}

/// One line of output: a finding in a file, or a file that could not be read.
struct Reported {
    path: String,
    /// 1-based; 0 for a problem with the path itself (missing, unreadable), which has
    /// no line and is printed without one.
    line: u32,
    /// `None` for a file that could not be read or listed.
    rule: Option<lint::Rule>,
    message: String,
}

impl Reported {
    fn severity(&self) -> &'static str {
        if self.rule.is_some() {
            "warning"
        } else {
            "error"
        }
    }
}

/// The rules of `[lint] require`, or every rule.
fn rules(file: &FileConfig) -> anyhow::Result<Rules> {
    match file.lint.as_ref().and_then(|l| l.require.as_ref()) {
        Some(names) => Rules::from_names(names).map_err(|e| anyhow::anyhow!("[lint] require: {e}")),
        None => Ok(Rules::default()),
    }
}

/// Runs `aftermath lint`.
pub fn run(args: &LintArgs, settings: &Settings, file: &FileConfig) -> anyhow::Result<ExitCode> {
    let rules = rules(file)?;
    let paths = if args.paths.is_empty() {
        settings.incidents.clone()
    } else {
        args.paths.clone()
    };
    let (files, problems) = import::list_files_with(
        &paths,
        settings.allow_symlinks_outside,
        &import::Exclude::new(&settings.exclude),
    );
    let mut reported: Vec<Reported> = problems
        .into_iter()
        // What the import would skip with a warning (a symlink out of the folders) is
        // not a problem of any postmortem.
        .filter(|d| d.severity == import::Severity::Error)
        .map(|d| Reported {
            path: d.path,
            line: d.line,
            rule: None,
            message: d.message,
        })
        .collect();
    for ListedFile { shown, path } in &files {
        match pipeline::parse_file(path, settings.max_file_bytes) {
            Ok(parsed) => {
                let findings = lint::check(&parsed.incident, &parsed.document, &rules);
                reported.extend(findings.into_iter().map(|f: Finding| Reported {
                    path: shown.clone(),
                    line: f.line,
                    rule: Some(f.rule),
                    message: f.message,
                }));
            }
            Err(e) => reported.push(Reported {
                path: shown.clone(),
                line: e.line(),
                rule: None,
                message: e.to_string(),
            }),
        }
    }
    let warnings = reported.iter().filter(|r| r.rule.is_some()).count();
    let errors = reported.len() - warnings;
    match write_report(&reported, args.format) {
        // `aftermath lint | head`: the reader went away with what it wanted.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        written => written.context("writing the report")?,
    }
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    eprintln!(
        "checked {}: {}, {}",
        plural(files.len(), "file"),
        plural(warnings, "warning"),
        plural(errors, "error")
    );
    Ok(if errors > 0 || (args.strict && warnings > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A finding in `--format json`.
#[derive(serde::Serialize)]
struct JsonFinding<'a> {
    path: &'a str,
    /// `null` for a problem with the path itself (a missing file has no line).
    line: Option<u32>,
    severity: &'static str,
    /// `null` for a file that could not be read.
    rule: Option<&'static str>,
    message: &'a str,
}

/// Prints every finding in the chosen format.
fn write_report(reported: &[Reported], format: LintFormat) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        LintFormat::Text => {
            for r in reported {
                let rule = r.rule.map(|r| format!(" [{r}]")).unwrap_or_default();
                let at = match r.line {
                    0 => String::new(),
                    line => format!(":{line}"),
                };
                writeln!(
                    out,
                    "{}{at}: {}: {}{rule}",
                    printable(&r.path),
                    r.severity(),
                    printable(&r.message)
                )?;
            }
        }
        LintFormat::Github => {
            for r in reported {
                writeln!(out, "{}", annotation(r))?;
            }
        }
        LintFormat::Json => {
            let list: Vec<_> = reported
                .iter()
                .map(|r| JsonFinding {
                    path: &r.path,
                    line: (r.line > 0).then_some(r.line),
                    severity: r.severity(),
                    rule: r.rule.map(lint::Rule::name),
                    message: &r.message,
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
    }
    out.flush()
}

/// A GitHub Actions workflow command: `::warning file=…,line=…,title=…::message`.
fn annotation(r: &Reported) -> String {
    let title = match r.rule {
        Some(rule) => format!("aftermath lint: {rule}"),
        None => "aftermath lint".to_string(),
    };
    // `line` is optional in an annotation: a problem with the path has none.
    let line = match r.line {
        0 => String::new(),
        line => format!(",line={line}"),
    };
    format!(
        "::{} file={}{line},title={}::{}",
        r.severity(),
        escape_property(&r.path),
        escape_property(&title),
        escape_data(&r.message)
    )
}

/// The message of a workflow command: `%`, CR and LF are escaped, so a message can
/// neither end the command early nor start another.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value of a workflow command: as data, and `:` and `,` too.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_escape_what_would_end_the_command() {
        let r = Reported {
            path: "a,b:c.md".into(),
            line: 3,
            rule: Some(lint::Rule::Owner),
            message: "100% done\n::error::x".into(),
        };
        assert_eq!(
            annotation(&r),
            "::warning file=a%2Cb%3Ac.md,line=3,title=aftermath lint%3A owner::100%25 done%0A::error::x"
        );
    }

    #[test]
    fn a_missing_path_is_annotated_without_a_line() {
        let r = Reported {
            path: "nowhere".into(),
            line: 0,
            rule: None,
            message: "no such file or directory".into(),
        };
        assert_eq!(
            annotation(&r),
            "::error file=nowhere,title=aftermath lint::no such file or directory"
        );
    }
}
