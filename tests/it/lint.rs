//! `aftermath lint`: one complete postmortem, and that postmortem with one thing taken
//! away per rule; the finding's rule and line, the exit code with and without
//! `--strict`, each output format, the rules of `[lint] require`, folders, and files
//! that cannot be read. The real binary over real files.

use crate::support::{aftermath, texts};
use serde_json::Value;
use std::path::Path;

/// A postmortem with everything the linter asks for.
const COMPLETE: &str = "\
# Checkout errors after the pool change

**Date:** 2026-03-04

All times are in UTC.

## Summary

Checkout failed for some users for 38 minutes.

## Impact

About 3% of checkouts failed for 38 minutes.

## Timeline

| Time (UTC) | Event |
|---|---|
| 14:02 | Error rate on checkout rises to 4% |
| 14:09 | Alert fired, on-call paged |
| 14:40 | Rollback complete |

## Root cause

A config change lowered the connection pool limit from 50 to 5.

## Action items

- [ ] Alert on connection pool saturation (owner: alice, due: 2026-03-20)
- [x] Revert the pool limit
";

/// `COMPLETE` with `from` replaced by `to` (which must change it).
fn without(from: &str, to: &str) -> String {
    assert!(COMPLETE.contains(from), "{from:?} is not in the fixture");
    COMPLETE.replacen(from, to, 1)
}

/// The 1-based line of the first line of `text` containing `needle`.
fn line_of(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not found")) as u32
        + 1
}

/// Writes `text` to `incidents/2026-03-04-checkout.md` under `dir`; returns the path
/// as given to the linter.
fn write(dir: &Path, text: &str) -> &'static str {
    std::fs::create_dir_all(dir.join("incidents")).unwrap();
    std::fs::write(dir.join("incidents/2026-03-04-checkout.md"), text).unwrap();
    "incidents/2026-03-04-checkout.md"
}

/// Runs `aftermath lint` with `args` in `dir`: exit code and stdout lines.
fn lint(dir: &Path, args: &[&str]) -> (i32, Vec<String>, String) {
    let mut all = vec!["lint"];
    all.extend_from_slice(args);
    let output = aftermath(&all, dir);
    let (stdout, stderr) = texts(&output);
    (
        output.status.code().expect("an exit code"),
        stdout.lines().map(str::to_string).collect(),
        stderr,
    )
}

#[test]
fn a_complete_postmortem_has_no_findings_even_with_strict() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), COMPLETE);
    let (code, lines, stderr) = lint(dir.path(), &["--strict", path]);
    assert_eq!((code, lines), (0, vec![]), "{stderr}");
    assert!(
        stderr.contains("checked 1 file: 0 warnings, 0 errors"),
        "{stderr}"
    );
}

#[test]
fn each_rule_reports_its_line_and_only_strict_fails_on_it() {
    let unzoned = without("All times are in UTC.\n\n", "").replacen("Time (UTC)", "Time", 1);
    let cases: Vec<(&str, String, u32)> = vec![
        (
            "impact",
            without(
                "## Impact\n\nAbout 3% of checkouts failed for 38 minutes.\n\n",
                "",
            ),
            1,
        ),
        (
            "timeline",
            without(
                "| 14:02 | Error rate on checkout rises to 4% |\n\
                 | 14:09 | Alert fired, on-call paged |\n\
                 | 14:40 | Rollback complete |\n",
                "",
            )
            .replacen(
                "| Time (UTC) | Event |\n|---|---|\n",
                "We kept no notes.\n",
                1,
            ),
            line_of(COMPLETE, "## Timeline"),
        ),
        ("zone", unzoned.clone(), line_of(&unzoned, "| 14:02")),
        (
            "root_cause",
            without(
                "## Root cause\n\nA config change lowered the connection pool limit from 50 to 5.\n\n",
                "",
            ),
            1,
        ),
        (
            "actions",
            without(
                "## Action items\n\n\
                 - [ ] Alert on connection pool saturation (owner: alice, due: 2026-03-20)\n\
                 - [x] Revert the pool limit\n",
                "",
            ),
            1,
        ),
        (
            "owner",
            without("(owner: alice, due: 2026-03-20)", "(due: 2026-03-20)"),
            line_of(COMPLETE, "Alert on connection pool"),
        ),
        (
            "due",
            without("(owner: alice, due: 2026-03-20)", "(owner: alice)"),
            line_of(COMPLETE, "Alert on connection pool"),
        ),
        (
            "unambiguous_dates",
            without("**Date:** 2026-03-04", "**Date:** 04/03/2026"),
            line_of(COMPLETE, "**Date:**"),
        ),
        (
            "placeholders",
            without(
                "for 38 minutes.\n\n## Impact",
                "{{ for how long }}.\n\n## Impact",
            ),
            line_of(COMPLETE, "Checkout failed for some users"),
        ),
    ];
    for (rule, text, line) in cases {
        let dir = tempfile::tempdir().unwrap();
        let path = write(dir.path(), &text);
        let (code, lines, stderr) = lint(dir.path(), &[path]);
        assert_eq!(
            code, 0,
            "{rule}: warnings alone do not fail without --strict"
        );
        assert_eq!(
            lines.len(),
            1,
            "{rule}: exactly one finding, got {lines:#?}\n{stderr}"
        );
        let prefix = format!("{path}:{line}: warning: ");
        assert!(
            lines[0].starts_with(&prefix) && lines[0].ends_with(&format!(" [{rule}]")),
            "{rule}: expected {prefix}… [{rule}], got {}",
            lines[0]
        );
        let (code, strict_lines, _) = lint(dir.path(), &["--strict", path]);
        assert_eq!((code, strict_lines), (1, lines), "{rule} with --strict");
    }
}

#[test]
fn placeholders_and_tbd_are_not_content_for_the_linter() {
    let dir = tempfile::tempdir().unwrap();
    let text = without(
        "About 3% of checkouts failed for 38 minutes.",
        "{{ who was affected and how }}",
    )
    .replacen(
        "(owner: alice, due: 2026-03-20)",
        "(owner: TBD, due: 2026-03-20)",
        1,
    );
    let path = write(dir.path(), &text);
    let (_, lines, _) = lint(dir.path(), &[path]);
    let impact = line_of(&text, "## Impact");
    let placeholder = line_of(&text, "{{ who was affected");
    let action = line_of(&text, "Alert on connection pool");
    assert_eq!(
        lines,
        [
            format!("{path}:{impact}: warning: the impact section is not filled in [impact]"),
            format!(
                "{path}:{placeholder}: warning: template placeholder not filled in: \
                 {{{{ who was affected and how }}}} [placeholders]"
            ),
            format!(
                "{path}:{action}: warning: action has no owner: \
                 Alert on connection pool saturation [owner]"
            ),
        ]
    );
}

#[test]
fn github_format_prints_workflow_annotations() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        &without("(owner: alice, due: 2026-03-20)", "(due: 2026-03-20)"),
    );
    let (code, lines, _) = lint(dir.path(), &["--format", "github", path]);
    let line = line_of(COMPLETE, "Alert on connection pool");
    assert_eq!(code, 0);
    assert_eq!(
        lines,
        [format!(
            "::warning file={path},line={line},title=aftermath lint%3A owner::\
             action has no owner: Alert on connection pool saturation"
        )]
    );
    let (code, _, _) = lint(dir.path(), &["--format", "github", "--strict", path]);
    assert_eq!(code, 1);
}

#[test]
fn json_format_prints_one_array_of_findings() {
    let dir = tempfile::tempdir().unwrap();
    let text = without("(owner: alice, due: 2026-03-20)", "");
    let path = write(dir.path(), &text);
    let (code, lines, _) = lint(dir.path(), &["--format", "json", path]);
    assert_eq!(code, 0);
    let findings: Value = serde_json::from_str(&lines.join("\n")).unwrap();
    let findings = findings.as_array().expect("an array");
    let rules: Vec<&str> = findings
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["owner", "due"]);
    for f in findings {
        assert_eq!(f["path"], path);
        assert_eq!(f["line"], line_of(&text, "Alert on connection pool"));
        assert_eq!(f["severity"], "warning");
        assert!(
            f["message"]
                .as_str()
                .unwrap()
                .contains("Alert on connection pool")
        );
    }
    let (_, lines, _) = lint(dir.path(), &["--format", "json", "incidents"]);
    assert_eq!(
        serde_json::from_str::<Value>(&lines.join("\n"))
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        2
    );
    write(dir.path(), COMPLETE);
    let (code, lines, _) = lint(dir.path(), &["--format", "json", "--strict", path]);
    assert_eq!((code, lines.join("")), (0, "[]".to_string()));
}

#[test]
fn the_config_chooses_the_rules_and_refuses_unknown_names() {
    let dir = tempfile::tempdir().unwrap();
    // Missing an impact section and an owner.
    let text = without(
        "## Impact\n\nAbout 3% of checkouts failed for 38 minutes.\n\n",
        "",
    )
    .replacen("(owner: alice, due: 2026-03-20)", "(due: 2026-03-20)", 1);
    let path = write(dir.path(), &text);
    let config = dir.path().join("aftermath.toml");

    std::fs::write(&config, "[lint]\nrequire = [\"owner\", \"due\"]\n").unwrap();
    let (code, lines, _) = lint(dir.path(), &["--strict", path]);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].ends_with("[owner]"), "{lines:?}");

    std::fs::write(&config, "[lint]\nrequire = []\n").unwrap();
    assert_eq!(lint(dir.path(), &["--strict", path]).0, 0);

    std::fs::write(&config, "[lint]\nrequire = [\"impact\", \"ownr\"]\n").unwrap();
    let (code, lines, stderr) = lint(dir.path(), &[path]);
    assert_eq!((code, lines.len()), (1, 0));
    assert!(stderr.contains("unknown lint rule 'ownr'"), "{stderr}");
    assert!(
        stderr.contains("root_cause"),
        "the error lists the rules: {stderr}"
    );

    std::fs::write(&config, "[lint]\nrequired = [\"impact\"]\n").unwrap();
    assert_eq!(
        lint(dir.path(), &[path]).0,
        1,
        "a misspelt key is an error too"
    );
}

#[test]
fn folders_are_checked_recursively_and_default_to_the_incidents_folders() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("postmortems/2026/q1")).unwrap();
    std::fs::write(
        root.join("postmortems/2026/q1/2026-03-04-checkout.md"),
        without("(owner: alice, due: 2026-03-20)", "(due: 2026-03-20)"),
    )
    .unwrap();
    std::fs::write(root.join("postmortems/2026/complete.md"), COMPLETE).unwrap();
    // Repository files beside the postmortems are not postmortems (as for import).
    std::fs::write(
        root.join("postmortems/README.md"),
        "# How we write postmortems\n",
    )
    .unwrap();
    std::fs::write(root.join("postmortems/template.md"), "# {{ title }}\n").unwrap();
    std::fs::write(
        root.join("aftermath.toml"),
        "incidents = [\"postmortems\"]\n",
    )
    .unwrap();

    let (code, lines, stderr) = lint(root, &[]);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("postmortems/2026/q1/2026-03-04-checkout.md:")
            && lines[0].ends_with("[owner]"),
        "{lines:?}"
    );
    assert!(
        stderr.contains("checked 2 files: 1 warning, 0 errors"),
        "{stderr}"
    );
    assert_eq!(lint(root, &["--strict"]).0, 1);
    assert_eq!(
        lint(root, &["--strict", "postmortems/2026/complete.md"]).0,
        0
    );
}

#[test]
fn a_file_that_cannot_be_read_is_an_error_without_strict() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("incidents")).unwrap();
    std::fs::write(
        dir.path().join("incidents/binary.md"),
        b"\x00\x01\x02\xff\xfe",
    )
    .unwrap();
    let (code, lines, _) = lint(dir.path(), &["incidents/binary.md"]);
    assert_eq!(code, 1);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("incidents/binary.md:1: error: "),
        "{lines:?}"
    );

    // A missing path has no line to point at: none is made up.
    let (code, lines, _) = lint(dir.path(), &["--format", "github", "no-such-folder"]);
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        ["::error file=no-such-folder,title=aftermath lint::no such file or directory"]
    );
}
