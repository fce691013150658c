//! The digest tells the truth after a first import of old postmortems: nothing first
//! seen already done is "done this week", and postmortems of long-past incidents are
//! one line, not "new". Driven through the binary, as a team would run it a week
//! after importing its history; `--dry-run` prints the text part (`--html` adds the
//! HTML) and warns when no `base_url` is set.

use crate::support::{aftermath, copy_incidents, texts};
use std::path::Path;

/// Sends at midnight UTC, so the digest "a week from now" always covers this moment.
const CONFIG: &str = r#"
[digest]
base_url = "https://aftermath.example.org"
recipients = ["team@example.org"]
timezone = "UTC"
weekday = "monday"
time = "00:00"
"#;

/// The next Monday: its digest (sent at midnight) covers the import made just now.
fn a_week_from_now() -> String {
    let today = aftermath::tracking::today();
    (1..=7)
        .map(|n| today + jiff::Span::new().days(n))
        .find(|d| d.weekday() == jiff::civil::Weekday::Monday)
        .unwrap()
        .to_string()
}

fn digest(dir: &Path, extra: &[&str]) -> (String, String) {
    let as_of = a_week_from_now();
    let mut args = vec![
        "--database",
        "a.db",
        "--config",
        "aftermath.toml",
        "digest",
        "--dry-run",
        "--as-of",
        &as_of,
    ];
    args.extend_from_slice(extra);
    let out = aftermath(&args, dir);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    (stdout, stderr)
}

#[test]
fn a_first_import_of_old_postmortems_is_neither_done_nor_new_a_week_later() {
    let dir = tempfile::tempdir().unwrap();
    copy_incidents(&dir.path().join("incidents"));
    std::fs::write(dir.path().join("aftermath.toml"), CONFIG).unwrap();
    let out = aftermath(
        &["--database", "a.db", "import", "-q", "incidents"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", texts(&out).1);

    // The samples hold actions already done when written, and incidents from 2017-2024.
    let (text, stderr) = digest(dir.path(), &[]);
    assert!(!stderr.contains("base_url"), "{stderr}");
    assert!(text.contains(" 0 done in the last 7 days."), "{text}");
    assert!(!text.contains("DONE IN THE LAST 7 DAYS"), "{text}");
    assert!(text.contains("NEW POSTMORTEMS (0)"), "{text}");
    assert!(
        text.contains(
            "5 older postmortems were added (started more than 30 days ago, or undated)."
        ),
        "{text}"
    );
    // The text part only; one week label, matching the dates.
    assert!(text.contains("--- text/plain"));
    assert!(!text.contains("--- text/html"), "{text}");
    let header = text
        .lines()
        .find(|l| l.starts_with("Aftermath weekly digest, week "))
        .unwrap();
    let (week, range) = header
        .trim_start_matches("Aftermath weekly digest, week ")
        .split_once(' ')
        .unwrap();
    let first: jiff::civil::Date = range[1..11].parse().unwrap();
    let last: jiff::civil::Date = range[15..25].parse().unwrap();
    assert_eq!((last - first).get_days(), 6, "{header}");
    for day in [first, last] {
        let w = day.iso_week_date();
        assert_eq!(
            format!("{:04}-W{:02}", w.year(), w.week()),
            week,
            "{header}"
        );
    }
    assert_eq!(text.matches("-W").count(), 1, "one week label: {text}");

    // A person closes an action: that one is done this week.
    let id = {
        let out = aftermath(
            &["--database", "a.db", "actions", "--open", "--json"],
            dir.path(),
        );
        let rows: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        rows[0]["id"].as_str().unwrap().to_string()
    };
    let out = aftermath(
        &[
            "--database",
            "a.db",
            "actions",
            "set",
            &id,
            "--status",
            "done",
            "--as",
            "dora",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", texts(&out).1);
    // A postmortem of last week's incident is imported: that one is new.
    let recent = aftermath::tracking::today() - jiff::Span::new().days(3);
    std::fs::write(
        dir.path().join("incidents/recent-outage.md"),
        format!(
            "# Queue backlog\n\nDate: {recent}\n\n## Action items\n\n- [x] Already fixed when written\n"
        ),
    )
    .unwrap();
    let out = aftermath(
        &["--database", "a.db", "import", "-q", "incidents"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", texts(&out).1);
    let (text, _) = digest(dir.path(), &["--html"]);
    assert!(text.contains("DONE IN THE LAST 7 DAYS (1)"), "{text}");
    assert!(text.contains(&format!("/actions/{id}")), "{text}");
    assert!(
        !text.contains("Already fixed when written"),
        "first seen done is not done this week: {text}"
    );
    assert!(text.contains("NEW POSTMORTEMS (1)"), "{text}");
    assert!(text.contains("Queue backlog"), "{text}");
    assert!(text.contains("5 older postmortems were added"), "{text}");
    assert!(text.contains("--- text/html"), "--html adds the HTML part");
}

#[test]
fn a_dry_run_without_a_base_url_warns_that_links_will_not_work_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    copy_incidents(&dir.path().join("incidents"));
    std::fs::write(
        dir.path().join("aftermath.toml"),
        CONFIG.replace("base_url = \"https://aftermath.example.org\"\n", ""),
    )
    .unwrap();
    let out = aftermath(
        &["--database", "a.db", "import", "-q", "incidents"],
        dir.path(),
    );
    assert!(out.status.success());
    let (text, stderr) = digest(dir.path(), &[]);
    assert!(
        stderr.contains("warning: [digest] base_url is not set"),
        "{stderr}"
    );
    assert!(text.contains("http://127.0.0.1:8080/"), "{text}");
}
