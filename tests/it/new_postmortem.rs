//! `aftermath new`: the file it writes (name, date, zone, sections), and the round trip
//! a team makes with it: new → fill in the placeholders → `lint --strict` is clean →
//! import extracts the title, start date, zone, timeline, root cause and actions with
//! owner and due date. The real binary, real files and a real SQLite database.

use crate::support::{aftermath, texts};
use jiff::civil::Date;
use serde_json::Value;
use std::collections::HashMap;
use std::path::Path;

const TITLE: &str = "Checkout errors after the pool change";
const SLUG: &str = "checkout-errors-after-the-pool-change";

/// What the test writes for each placeholder of the built-in template, in order of
/// appearance (the timeline's four rows).
const ANSWERS: &[(&str, &[&str])] = &[
    ("your names", &["Alice Ng, Bob Roy"]),
    (
        "what happened, for how long, and how it ended, in two or three sentences",
        &["Checkout failed for 3% of users for 38 minutes until the pool change was rolled back."],
    ),
    (
        "who was affected and how much: users, requests, money, data",
        &["About 3% of checkouts failed; 1,200 orders were retried by customers."],
    ),
    ("HH:MM", &["14:02", "14:09", "14:20", "14:40"]),
    (
        "the first sign of trouble",
        &["Error rate on checkout rises to 4%"],
    ),
    (
        "detected: the alert, page or report",
        &["Alert fired, on-call paged"],
    ),
    ("mitigated", &["Traffic shifted to the second region"]),
    ("resolved", &["Rollback of the pool change complete"]),
    (
        "why it happened: the fault, and what let it through",
        &["A config change lowered the connection pool limit from 50 to 5."],
    ),
    (
        "what will be done",
        &["Alert on connection pool saturation"],
    ),
    ("name", &["alice"]),
    ("YYYY-MM-DD", &["2027-01-15"]),
];

/// Replaces every `{{ … }}` with the next answer for its text. A placeholder without an
/// answer fails the test: a change to the template must be looked at here.
fn fill(text: &str, answers: &[(&str, &[&str])]) -> String {
    let mut queues: HashMap<&str, Vec<&str>> = answers
        .iter()
        .map(|(k, v)| (*k, v.iter().rev().copied().collect()))
        .collect();
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let close = rest[open..].find("}}").expect("a closed placeholder") + open;
        let key = rest[open + 2..close].trim();
        let value = queues
            .get_mut(key)
            .and_then(|q| q.pop())
            .unwrap_or_else(|| panic!("no answer for the placeholder {{{{ {key} }}}}"));
        out.push_str(value);
        rest = &rest[close + 2..];
    }
    out.push_str(rest);
    for (key, left) in queues {
        assert!(left.is_empty(), "answers for {key:?} left over: {left:?}");
    }
    out
}

/// Runs `aftermath new` in `dir`; returns the path it printed.
fn new(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["new"];
    all.extend_from_slice(args);
    let output = aftermath(&all, dir);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "aftermath new: {stderr}");
    stdout.trim().to_string()
}

/// `aftermath lint --strict --format json` in `dir`: exit code and the rules found.
fn lint_rules(dir: &Path, path: &str) -> (i32, Vec<String>) {
    let output = aftermath(&["lint", "--strict", "--format", "json", path], dir);
    let (stdout, stderr) = texts(&output);
    let findings: Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}{stderr}"));
    let mut rules: Vec<String> = findings
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_string())
        .collect();
    rules.dedup();
    (output.status.code().unwrap(), rules)
}

/// `aftermath parse --json` of one file.
fn parse(dir: &Path, path: &str) -> Value {
    let output = aftermath(&["parse", "--json", path], dir);
    assert!(output.status.success());
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Today in the machine's zone, read around `f` (which might cross midnight).
fn today_around(f: impl FnOnce() -> String) -> (String, [Date; 2]) {
    let before = jiff::ZonedDateTime::now().date();
    let out = f();
    (out, [before, jiff::ZonedDateTime::now().date()])
}

/// Asserts what the filled built-in template gives: every field, in `zone` at `offset`.
fn assert_fully_extracted(incident: &Value, started: &str, zone: &str, offset: &str) {
    assert_eq!(incident["title"], TITLE);
    assert_eq!(incident["started"], started);
    assert_eq!(incident["timezone"], zone);
    let at: Vec<&str> = incident["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = ["14:02", "14:09", "14:20", "14:40"]
        .iter()
        .map(|t| format!("{started}T{t}{offset}"))
        .collect();
    assert_eq!(at, expected);
    assert_eq!(
        incident["timeline"][1]["text"],
        "Alert fired, on-call paged"
    );
    let causes = incident["root_causes"].as_array().unwrap();
    assert_eq!(causes.len(), 1);
    assert_eq!(
        causes[0]["text"],
        "A config change lowered the connection pool limit from 50 to 5."
    );
    let actions = incident["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["text"], "Alert on connection pool saturation");
    assert_eq!(actions[0]["owner"], "alice");
    assert_eq!(actions[0]["due"], "2027-01-15");
    assert_eq!(actions[0]["status"], "open");
    assert!(
        incident["impact"]
            .as_str()
            .unwrap()
            .starts_with("About 3% of checkouts failed"),
        "{}",
        incident["impact"]
    );
}

#[tokio::test]
async fn new_then_filled_passes_strict_lint_and_imports_with_every_field() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let (path, [before, after]) = today_around(|| new(root, &[TITLE]));
    let today = [before, after]
        .into_iter()
        .find(|d| path == format!("incidents/{d}-{SLUG}.md"))
        .unwrap_or_else(|| panic!("{path} is not incidents/<today>-{SLUG}.md"))
        .to_string();

    let written = std::fs::read_to_string(root.join(&path)).unwrap();
    assert!(written.starts_with(&format!("# {TITLE}\n")), "{written}");
    assert!(
        written.contains(&format!("**Date:** {today}\n")),
        "{written}"
    );
    assert!(written.contains("All times are in UTC.\n"), "{written}");
    assert!(written.contains("| Time (UTC) | Event |\n"), "{written}");

    // Unfilled, it fails the linter on every section it leaves empty.
    let (code, rules) = lint_rules(root, &path);
    assert_eq!(code, 1);
    for rule in [
        "impact",
        "timeline",
        "root_cause",
        "actions",
        "placeholders",
    ] {
        assert!(rules.iter().any(|r| r == rule), "{rule} not in {rules:?}");
    }

    std::fs::write(root.join(&path), fill(&written, ANSWERS)).unwrap();
    let (code, rules) = lint_rules(root, &path);
    assert_eq!(
        (code, rules),
        (0, vec![]),
        "the filled template lints clean"
    );

    let parsed = parse(root, &path);
    assert_fully_extracted(&parsed, &today, "UTC", "Z");
    assert_eq!(parsed["warnings"], serde_json::json!([]));

    let output = aftermath(&["--database", "a.db", "import", "incidents"], root);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("imported 1, unchanged 0, failed 0, warnings 0"),
        "{stdout}"
    );
    let pool = aftermath::db::open(&root.join("a.db")).await.unwrap();
    let stored = aftermath::db::browse::incident(&pool, &format!("{today}-{SLUG}"))
        .await
        .unwrap()
        .expect("the incident is stored");
    assert_eq!(stored.title, TITLE);
    assert_eq!(stored.started.as_deref(), Some(today.as_str()));
    assert_eq!(stored.timezone.as_deref(), Some("UTC"));
    assert_eq!(stored.timeline.len(), 4);
    assert!(stored.timeline.iter().all(|t| t.utc_offset == Some(0)));
    assert_eq!(stored.causes.len(), 1);
    assert_eq!(stored.actions.len(), 1);
    assert_eq!(stored.actions[0].owner.as_deref(), Some("alice"));
    assert_eq!(stored.actions[0].due.as_deref(), Some("2027-01-15"));
    pool.close().await;
}

#[test]
fn a_configured_zone_is_stated_and_today_is_taken_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // Fourteen hours ahead of UTC: its date differs from most machines' for part of
    // every day, so a date taken in the wrong zone shows.
    std::fs::write(
        root.join("aftermath.toml"),
        "incidents = [\"postmortems\"]\n[new]\ntimezone = \"Pacific/Kiritimati\"\n",
    )
    .unwrap();
    let in_zone = || {
        jiff::Timestamp::now()
            .in_tz("Pacific/Kiritimati")
            .unwrap()
            .date()
    };
    let before = in_zone();
    let path = new(root, &[TITLE]);
    let after = in_zone();
    assert!(
        [before, after]
            .iter()
            .any(|d| path == format!("postmortems/{d}-{SLUG}.md")),
        "{path}"
    );
    let written = std::fs::read_to_string(root.join(&path)).unwrap();
    assert!(
        written.contains("All times are in Pacific/Kiritimati.\n"),
        "{written}"
    );
    assert!(
        written.contains("| Time (Pacific/Kiritimati) | Event |\n"),
        "{written}"
    );
}

#[test]
fn a_configured_iana_zone_round_trips_with_its_offset() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("aftermath.toml"),
        "[new]\ntimezone = \"Europe/Berlin\"\n",
    )
    .unwrap();
    let path = new(root, &["--date", "2026-03-04", TITLE]);
    assert_eq!(path, format!("incidents/2026-03-04-{SLUG}.md"));
    let written = std::fs::read_to_string(root.join(&path)).unwrap();
    std::fs::write(root.join(&path), fill(&written, ANSWERS)).unwrap();
    assert_eq!(lint_rules(root, &path), (0, vec![]));
    // Berlin is an hour ahead of UTC in March (before the change to summer time).
    assert_fully_extracted(&parse(root, &path), "2026-03-04", "Europe/Berlin", "+01:00");
}

#[test]
fn a_configured_template_with_a_list_timeline_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::write(
        root.join("team-template.md"),
        "\
# {{title}}

**Date:** {{ date }}

All times are in {{ zone }}.

## What happened

{{ what happened, for how long, and how it ended, in two or three sentences }}

## Customer impact

{{ who was affected and how much: users, requests, money, data }}

## Timeline

- {{ HH:MM }} {{ the first sign of trouble }}
- {{ HH:MM }} {{ detected: the alert, page or report }}
- {{ HH:MM }} {{ mitigated }}
- {{ HH:MM }} {{ resolved }}

## Root causes

{{ why it happened: the fault, and what let it through }}

## Follow-up

- [ ] {{ what will be done }} (owner: {{ name }}, due: {{ YYYY-MM-DD }})
",
    )
    .unwrap();
    std::fs::write(
        root.join("aftermath.toml"),
        "[new]\ntemplate = \"team-template.md\"\ntimezone = \"utc\"\n",
    )
    .unwrap();
    let path = new(root, &["--date", "2026-03-04", TITLE]);
    let written = std::fs::read_to_string(root.join(&path)).unwrap();
    assert!(written.starts_with(&format!(
        "# {TITLE}\n\n**Date:** 2026-03-04\n\nAll times are in UTC.\n"
    )));
    let answers: Vec<_> = ANSWERS
        .iter()
        .filter(|(k, _)| *k != "your names")
        .copied()
        .collect();
    std::fs::write(root.join(&path), fill(&written, &answers)).unwrap();
    assert_eq!(lint_rules(root, &path), (0, vec![]));
    assert_fully_extracted(&parse(root, &path), "2026-03-04", "UTC", "Z");
}

#[test]
fn new_never_overwrites_a_postmortem() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let path = new(root, &["--date", "2026-03-04", TITLE]);
    std::fs::write(root.join(&path), "# Written by hand\n").unwrap();
    let output = aftermath(&["new", "--date", "2026-03-04", TITLE], root);
    let (stdout, stderr) = texts(&output);
    assert!(!output.status.success());
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("already exists; not overwritten"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(root.join(&path)).unwrap(),
        "# Written by hand\n"
    );
}

#[test]
fn bad_zones_dates_titles_and_templates_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let refused = |args: &[&str], message: &str| {
        let output = aftermath(args, root);
        let (_, stderr) = texts(&output);
        assert!(!output.status.success(), "{args:?} was accepted");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    };
    refused(&["new", "--date", "04/03/2026", TITLE], "is not a date");
    refused(&["new", "   "], "the title is empty");
    refused(&["new", "Two\nlines"], "one line");
    std::fs::write(
        root.join("aftermath.toml"),
        "[new]\ntimezone = \"Mars/Olympus\"\n",
    )
    .unwrap();
    refused(&["new", TITLE], "is not a time zone");
    std::fs::write(
        root.join("aftermath.toml"),
        "[new]\ntemplate = \"missing.md\"\n",
    )
    .unwrap();
    refused(&["new", TITLE], "reading the template missing.md");
    assert!(!root.join("incidents").exists(), "nothing was written");
}

/// What the extractor makes of the template before anyone fills it in: placeholders
/// are not content, so nothing is extracted from them.
#[test]
fn an_unfilled_template_extracts_no_content() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let path = new(root, &["--date", "2026-03-04", TITLE]);
    let parsed = parse(root, &path);
    assert_eq!(parsed["title"], TITLE);
    assert_eq!(parsed["started"], "2026-03-04");
    assert_eq!(parsed["timezone"], "UTC");
    assert_eq!(parsed["summary"], Value::Null);
    assert_eq!(parsed["impact"], Value::Null);
    assert_eq!(parsed["timeline"], serde_json::json!([]));
    assert_eq!(parsed["root_causes"], serde_json::json!([]));
    assert_eq!(parsed["actions"], serde_json::json!([]));
    assert_eq!(parsed["authors"], serde_json::json!([]));
}
