//! The `parse` command's contract: the JSON shape and the readable summary.

use crate::support::{aftermath, incidents, root, shared, texts};
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
    assert!(stdout.contains("timeline (11):"), "{stdout}");
    assert!(stdout.contains("[done] Adding monitoring for specific log entries."));
    assert!(stdout.contains("warnings"));
}

/// The acceptance check of the golden files, run with the shared scorer.
#[test]
fn golden_extractions_are_all_matched() {
    let out = std::process::Command::new("python3")
        .arg(shared().join("tools/score_extraction.py"))
        .args(["--bin", env!("CARGO_BIN_EXE_aftermath"), "--expected"])
        .arg(shared().join("golden"))
        .arg("--docs")
        .arg(incidents())
        .output()
        .expect("python3 is needed to run the shared scorer");
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "scorer failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("timeline_recall=100%"), "{stdout}");
}
