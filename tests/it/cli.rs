//! The `parse` command's contract: the JSON shape and the readable summary; action ids
//! typed as prefixes.

use crate::support::{aftermath, copy_incidents, incidents, root, texts};
use serde_json::Value;

const STATUSES: [&str; 5] = ["open", "in_progress", "done", "wontfix", "unknown"];

fn is_at(s: &str) -> bool {
    // YYYY-MM-DD, optionally THH:MM[:SS], optionally Z or ±HH:MM.
    let b = s.as_bytes();
    let date_ok = b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && s[..4]
            .chars()
            .chain(s[5..7].chars())
            .chain(s[8..10].chars())
            .all(|c| c.is_ascii_digit());
    if !date_ok {
        return false;
    }
    let rest = &s[10..];
    if rest.is_empty() {
        return true;
    }
    let Some(time) = rest.strip_prefix('T') else {
        return false;
    };
    let (clock, zone) = match time.find(['Z', '+', '-']) {
        Some(i) => (&time[..i], &time[i..]),
        None => (time, ""),
    };
    let clock_ok = matches!(clock.len(), 5 | 8)
        && clock
            .split(':')
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_digit()));
    let zone_ok = zone.is_empty() || zone == "Z" || (zone.len() == 6 && &zone[3..4] == ":");
    clock_ok && zone_ok
}

fn check_contract(v: &Value) {
    let o = v.as_object().expect("an object per file");
    for key in [
        "source",
        "format",
        "slug",
        "title",
        "started",
        "timezone",
        "summary",
        "impact",
        "detection",
        "resolution",
        "timeline",
        "root_causes",
        "actions",
        "systems",
        "tags",
        "warnings",
    ] {
        assert!(o.contains_key(key), "missing key {key}");
    }
    assert!(["markdown", "rst", "text"].contains(&o["format"].as_str().unwrap()));
    assert!(!o["title"].as_str().unwrap().is_empty());
    if let Some(started) = o["started"].as_str() {
        assert!(is_at(started) && started.len() == 10, "started {started}");
    }
    for e in o["timeline"].as_array().unwrap() {
        let at = e["at"].as_str().unwrap();
        assert!(is_at(at), "bad at {at}");
        assert!(e["text"].is_string() && e["source_text"].is_string());
        assert!(e["line"].as_u64().unwrap() >= 1);
    }
    for c in o["root_causes"].as_array().unwrap() {
        assert!(!c["text"].as_str().unwrap().is_empty());
        assert!(c["line"].as_u64().unwrap() >= 1);
    }
    for a in o["actions"].as_array().unwrap() {
        assert!(!a["id"].as_str().unwrap().is_empty());
        assert!(STATUSES.contains(&a["status"].as_str().unwrap()));
        for key in ["owner", "due", "ticket"] {
            assert!(a[key].is_null() || a[key].is_string(), "{key}");
        }
        assert!(a["line"].as_u64().unwrap() >= 1);
    }
    for w in o["warnings"].as_array().unwrap() {
        assert!(w["line"].is_u64() && w["message"].is_string());
    }
}

#[test]
fn parse_json_follows_the_contract_for_every_sample() {
    for entry in std::fs::read_dir(incidents()).unwrap() {
        let path = entry.unwrap().path();
        let rel = format!("incidents/{}", path.file_name().unwrap().to_string_lossy());
        let out = aftermath(&["parse", &rel, "--json"], &root());
        assert!(out.status.success(), "{rel}: {}", texts(&out).1);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        check_contract(&v);
        assert_eq!(v["source"], rel.as_str());
        assert_eq!(
            v["slug"],
            path.file_stem().unwrap().to_string_lossy().as_ref()
        );
    }
}

#[test]
fn parse_json_of_several_files_is_an_array() {
    let out = aftermath(
        &[
            "parse",
            "incidents/2017-12-08-tacc-power-outage.rst",
            "incidents/2024-07-05-cernphone-outages.txt",
            "--json",
        ],
        &root(),
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let items = v.as_array().expect("an array");
    assert_eq!(items.len(), 2);
    items.iter().for_each(check_contract);
}

#[test]
fn parse_reports_an_unreadable_file_with_its_path_and_line_and_parses_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.md");
    std::fs::write(&bad, b"# Title\nsecond line\n\xff\xfe broken\n").unwrap();
    let good = root().join("incidents/2024-07-05-cernphone-outages.txt");
    let out = aftermath(
        &[
            "parse",
            bad.to_str().unwrap(),
            good.to_str().unwrap(),
            "--json",
        ],
        &root(),
    );
    assert!(!out.status.success());
    let (stdout, stderr) = texts(&out);
    assert!(
        stderr.contains(&format!("{}:3: error:", bad.display())),
        "{stderr}"
    );
    let v: Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1);
}

#[test]
fn parse_without_json_prints_a_readable_summary() {
    let out = aftermath(
        &["parse", "incidents/2024-07-05-cernphone-outages.txt"],
        &root(),
    );
    let (stdout, _) = texts(&out);
    assert!(stdout.contains("title:    CERNphone clients connectivity degraded"));
    assert!(stdout.contains("timeline (10):"), "{stdout}");
    assert!(stdout.contains("[done] Adding monitoring for specific log entries."));
    assert!(stdout.contains("warnings"));
}

/// A folder of the sample incidents plus one whose action is listed twice (so its ids
/// are `X` and `X-2`, and every prefix of `X` starts both), imported into `t.db`.
/// Returns the folder and every action as (id, text).
fn imported_with_a_repeated_action() -> (tempfile::TempDir, Vec<(String, String)>) {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    copy_incidents(&docs);
    std::fs::write(
        docs.join("2026-01-05-queue-outage.md"),
        "# Queue outage\n\n## Summary\n\nThe queue stalled.\n\n## Action items\n\n\
         - Add alerting on queue depth for every worker pool\n\
         - Add alerting on queue depth for every worker pool\n",
    )
    .unwrap();
    let out = aftermath(&["--database", "t.db", "import", "-q"], dir.path());
    assert!(out.status.success(), "{}", texts(&out).1);
    let out = aftermath(
        &["--database", "t.db", "actions", "--all", "--json"],
        dir.path(),
    );
    let rows: Vec<Value> = serde_json::from_str(&texts(&out).0).unwrap();
    let actions = rows
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["text"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (dir, actions)
}

#[test]
fn actions_set_and_history_accept_a_unique_id_prefix_in_any_case() {
    let (dir, actions) = imported_with_a_repeated_action();
    let run = |args: &[&str]| {
        let mut all = vec!["--database", "t.db"];
        all.extend_from_slice(args);
        aftermath(&all, dir.path())
    };
    let (id, _) = actions
        .iter()
        .find(|(_, text)| text.starts_with("Add a stress testing"))
        .unwrap();
    let unique = (4..id.len())
        .map(|n| &id[..n])
        .find(|p| {
            actions
                .iter()
                .filter(|(other, _)| other.starts_with(p))
                .count()
                == 1
        })
        .unwrap();
    let typed = unique.to_uppercase();
    let out = run(&[
        "actions", "set", &typed, "--status", "done", "--as", "tester",
    ]);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains(&format!("{id}: status")), "{stdout}");

    let out = run(&["actions", "history", unique, "--json"]);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    let events: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["action_id"], id.as_str());
    assert_eq!(events[0]["new_value"], "done");

    // A whole id that also starts a longer one (`X` and `X-2`) still means itself.
    let (repeated, _) = actions.iter().find(|(id, _)| id.ends_with("-2")).unwrap();
    let first = repeated.trim_end_matches("-2");
    let out = run(&["actions", "history", first]);
    assert!(out.status.success(), "{}", texts(&out).1);
}

#[test]
fn an_ambiguous_id_prefix_is_refused_with_the_candidates() {
    let (dir, actions) = imported_with_a_repeated_action();
    let (repeated, _) = actions.iter().find(|(id, _)| id.ends_with("-2")).unwrap();
    let prefix = &repeated[..4];
    for args in [
        vec![
            "actions", "set", prefix, "--status", "done", "--as", "tester",
        ],
        vec!["actions", "history", prefix],
    ] {
        let mut all = vec!["--database", "t.db"];
        all.extend(args);
        let out = aftermath(&all, dir.path());
        let (_, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("is ambiguous"), "{stderr}");
        assert!(stderr.contains(&repeated[..12]), "{stderr}");
        assert!(stderr.contains(repeated.as_str()), "{stderr}");
        assert!(
            stderr.contains("Add alerting on queue depth for…"),
            "{stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let out = aftermath(
        &["--database", "t.db", "actions", "history", &repeated[..12]],
        dir.path(),
    );
    assert!(out.status.success(), "{}", texts(&out).1);
}

#[test]
fn an_unknown_or_too_short_id_prefix_is_refused_clearly() {
    let (dir, actions) = imported_with_a_repeated_action();
    let unused = (0..=0xffffu32)
        .map(|n| format!("{n:04x}"))
        .find(|p| !actions.iter().any(|(id, _)| id.starts_with(p.as_str())))
        .unwrap();
    let run = |args: &[&str]| {
        let mut all = vec!["--database", "t.db"];
        all.extend_from_slice(args);
        aftermath(&all, dir.path())
    };
    let history = ["actions", "history", unused.as_str(), "--json"];
    let set = [
        "actions",
        "set",
        unused.as_str(),
        "--note=x",
        "--as",
        "tester",
    ];
    for args in [&history[..], &set[..]] {
        let out = run(args);
        let (_, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!("no action with id starting \"{unused}\"")),
            "{stderr}"
        );
    }
    for typed in ["abc", "ab%d", "____"] {
        let out = run(&["actions", "history", typed]);
        let (_, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("is not an action id"), "{stderr}");
    }
}

#[test]
fn parse_explain_prints_why_each_item_was_taken() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("queue.md"),
        "# Queue stall on 28/04/2024\n\n## Timeline\n\n| Time (UTC) | Event |\n|---|---|\n\
         | 02/05/2024 10:02 | Disk alert |\n\n### 03/05/2024\n\n- 08:30 Disk swapped\n",
    )
    .unwrap();
    let out = aftermath(&["parse", "--explain", "queue.md"], dir.path());
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    for expected in [
        "because: the document's first heading, line 1",
        "because: a date in the title",
        "because: stated by \"Time (UTC)\"",
        "date order: day first (DD/MM), because 28/04/2024",
        "2024-05-02T10:02Z",
        "rule: timeline: table row, time from column \"Time (UTC)\"; zone from \"Time (UTC)\"",
        "2024-05-03T08:30Z",
        "date from line 9 (\"03/05/2024\")",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing from:\n{stdout}"
        );
    }
}
