//! `aftermath new "Title"`: writes a postmortem to fill in, from the built-in template
//! or `[new] template`, into the first incidents folder as `YYYY-MM-DD-slug.md`, with
//! the date and the zone its times are written in already stated.
//!
//! Invariant: an existing file is never overwritten; the built-in template has every
//! section `aftermath lint` checks, and once its `{{ … }}` placeholders are filled in
//! it passes the linter and imports with every field extracted (tests/it/new_postmortem.rs).

use crate::config::{FileConfig, Settings};
use crate::model::Slug;
use anyhow::Context;
use clap::Args;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// The built-in template. `{{ title }}`, `{{ date }}` and `{{ zone }}` are filled in by
/// `new`; every other `{{ … }}` is for the author.
pub const BUILT_IN_TEMPLATE: &str = include_str!("postmortem_template.md");

/// The longest slug put in a file name, in bytes; a longer one is cut at a hyphen.
const MAX_SLUG: usize = 60;

/// Arguments of `aftermath new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The incident's title, e.g. "Checkout errors after the pool change".
    #[arg(value_name = "TITLE")]
    pub title: String,
    /// The day the incident began (default: today, in the configured zone).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
}

/// The zone a new postmortem's times are written in.
#[derive(Debug, Clone)]
struct Zone {
    /// As written in the document: `UTC` or an IANA name.
    name: String,
    tz: TimeZone,
}

impl Zone {
    fn parse(name: &str) -> anyhow::Result<Zone> {
        let name = name.trim();
        if name.eq_ignore_ascii_case("utc") {
            return Ok(Zone {
                name: "UTC".into(),
                tz: TimeZone::UTC,
            });
        }
        let tz = TimeZone::get(name)
            .ok()
            .filter(|tz| tz.iana_name().is_some())
            .with_context(|| {
                format!(
                    "[new] timezone: '{}' is not a time zone (write UTC or an IANA name such as Europe/Berlin)",
                    crate::text::printable(name)
                )
            })?;
        Ok(Zone {
            name: tz.iana_name().unwrap_or(name).to_string(),
            tz,
        })
    }
}

/// Runs `aftermath new`.
pub fn run(args: &NewArgs, settings: &Settings, file: &FileConfig) -> anyhow::Result<ExitCode> {
    let config = file.new.clone().unwrap_or_default();
    let zone = config.timezone.as_deref().map(Zone::parse).transpose()?;
    let title = args.title.trim();
    anyhow::ensure!(!title.is_empty(), "the title is empty");
    anyhow::ensure!(
        !title.chars().any(char::is_control),
        "the title must be one line of text"
    );
    let date = match &args.date {
        Some(d) => d.trim().parse::<Date>().ok().with_context(|| {
            format!(
                "--date: '{}' is not a date (YYYY-MM-DD)",
                crate::text::printable(d)
            )
        })?,
        None => {
            let tz = zone
                .as_ref()
                .map_or_else(TimeZone::system, |z| z.tz.clone());
            jiff::Timestamp::now().to_zoned_datetime(tz).date()
        }
    };
    let zone_name = zone.map_or_else(|| "UTC".to_string(), |z| z.name);

    let (template, extension) = match &config.template {
        Some(path) => (
            std::fs::read_to_string(path)
                .with_context(|| format!("reading the template {}", path.display()))?,
            extension_of(path),
        ),
        None => (BUILT_IN_TEMPLATE.to_string(), "md"),
    };
    let text = fill(
        &template,
        &[
            ("title", title),
            ("date", &date.to_string()),
            ("zone", &zone_name),
        ],
    );

    let folder = settings
        .incidents
        .first()
        .context("no incidents folder is configured")?;
    anyhow::ensure!(
        !folder.is_file(),
        "the first incidents path {} is a file, not a folder",
        folder.display()
    );
    std::fs::create_dir_all(folder).with_context(|| format!("creating {}", folder.display()))?;
    let path = folder.join(file_name(date, title, extension));
    write_new(&path, &text)?;
    println!("{}", path.display());
    eprintln!(
        "fill in the {{{{ … }}}} placeholders, then check it: aftermath lint {}",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Writes `text` to a file that must not exist yet.
fn write_new(path: &Path, text: &str) -> anyhow::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => {
                anyhow::anyhow!("{} already exists; not overwritten", path.display())
            }
            _ => anyhow::Error::new(e).context(format!("creating {}", path.display())),
        })?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("writing {}", path.display()))
}

/// The template's own extension when it is a format Aftermath reads, else `md`.
fn extension_of(template: &Path) -> &'static str {
    match template
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .as_deref()
    {
        Some("rst") => "rst",
        Some("txt") => "txt",
        _ => "md",
    }
}

/// `YYYY-MM-DD-slug.ext`, the slug from the title (ASCII letters and digits), cut at a
/// hyphen when long.
fn file_name(date: Date, title: &str, extension: &str) -> String {
    let slug = Slug::from_stem(title).map_or_else(|| "postmortem".to_string(), |s| s.to_string());
    let slug = if slug.len() > MAX_SLUG {
        let cut = &slug[..MAX_SLUG];
        cut[..cut.rfind('-').unwrap_or(MAX_SLUG)].to_string()
    } else {
        slug
    };
    format!("{date}-{slug}.{extension}")
}

/// The template with `{{ name }}` replaced for each known name (spaces inside the
/// braces optional); every other `{{ … }}` is left for the author.
fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 64);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            break;
        };
        out.push_str(&rest[..open]);
        let key = after[..close].trim();
        match values.iter().find(|(name, _)| *name == key) {
            Some((_, value)) => out.push_str(value),
            None => out.push_str(&rest[open..open + 2 + close + 2]),
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn known_names_are_filled_and_the_author_s_placeholders_stay() {
        let text = fill(
            "# {{title}}\n{{ date }} {{ zone }} {{ what happened }} {{ unclosed",
            &[
                ("title", "Disk full"),
                ("date", "2026-03-04"),
                ("zone", "UTC"),
            ],
        );
        assert_eq!(
            text,
            "# Disk full\n2026-03-04 UTC {{ what happened }} {{ unclosed"
        );
    }

    #[test]
    fn file_names_are_the_date_and_a_short_ascii_slug() {
        let d = date(2026, 3, 4);
        assert_eq!(
            file_name(d, "Checkout errors: pool / limits!", "md"),
            "2026-03-04-checkout-errors-pool-limits.md"
        );
        assert_eq!(file_name(d, "障害", "md"), "2026-03-04-postmortem.md");
        let long = file_name(d, &"word ".repeat(40), "rst");
        assert!(
            long.len() <= "2026-03-04-".len() + MAX_SLUG + ".rst".len(),
            "{long}"
        );
        assert!(long.ends_with("word.rst"), "{long}");
    }

    #[test]
    fn zones_are_utc_or_iana_names() {
        assert_eq!(Zone::parse("utc").unwrap().name, "UTC");
        assert_eq!(Zone::parse("Europe/Berlin").unwrap().name, "Europe/Berlin");
        assert!(Zone::parse("Mars/Olympus").is_err());
        assert!(Zone::parse("+02:00").is_err());
    }

    #[test]
    fn the_built_in_template_names_every_section_the_linter_checks() {
        for heading in [
            "## Summary",
            "## Impact",
            "## Timeline",
            "## Root cause",
            "## Action items",
        ] {
            assert!(BUILT_IN_TEMPLATE.contains(heading), "{heading}");
        }
        assert!(BUILT_IN_TEMPLATE.contains("All times are in {{ zone }}."));
        assert!(BUILT_IN_TEMPLATE.contains("| Time ({{ zone }}) |"));
    }
}
