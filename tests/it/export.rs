//! `aftermath export`: every incident and every action in each format, the same values
//! `parse` extracted, CSV a spreadsheet cannot run; and thousands of synthetic
//! incidents exported completely while the process's peak memory stays flat (measured
//! from `/proc` while the export runs).

use crate::support::{aftermath, copy_incidents, texts};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

/// `aftermath --database a.db export ARGS` in `dir`: stdout, which must succeed.
fn export(dir: &Path, args: &[&str]) -> String {
    let mut all = vec!["--database", "a.db", "export"];
    all.extend_from_slice(args);
    let output = aftermath(&all, dir);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "export {args:?}: {stderr}");
    stdout
}

fn import(dir: &Path, db: &str, folder: &str) {
    let output = aftermath(&["--database", db, "import", "-q", folder], dir);
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
}

fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

#[test]
fn export_writes_every_incident_as_parse_extracted_it_in_each_format() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_incidents(&root.join("incidents"));
    std::fs::write(
        root.join("incidents/2024-05-01-formula.md"),
        "# =HYPERLINK(\"https://example.com\")\n\nAll times are in UTC.\n\n## Timeline\n\n- 2024-05-01 10:00 Disk full\n",
    )
    .unwrap();
    import(root, "a.db", "incidents");
    let parsed: Vec<Value> = {
        let mut files: Vec<String> = std::fs::read_dir(root.join("incidents"))
            .unwrap()
            .map(|e| format!("incidents/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
        files.sort();
        let mut args = vec!["parse", "--json"];
        args.extend(files.iter().map(String::as_str));
        let output = aftermath(&args, root);
        serde_json::from_slice(&output.stdout).unwrap()
    };
    let total_actions: usize = parsed
        .iter()
        .map(|p| p["actions"].as_array().unwrap().len())
        .sum();

    let json: Vec<Value> = serde_json::from_str(&export(root, &["--format", "json"])).unwrap();
    assert_eq!(json.len(), parsed.len());
    let mut last_started = String::new();
    for p in &parsed {
        let e = json
            .iter()
            .find(|e| e["slug"] == p["slug"])
            .unwrap_or_else(|| panic!("{} not exported", p["slug"]));
        for key in ["title", "started", "timezone", "impact", "summary"] {
            assert_eq!(e[key], p[key], "{key} of {}", p["slug"]);
        }
        let at = |v: &Value, key: &str| -> Vec<Value> {
            v["timeline"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t[key].clone())
                .collect()
        };
        assert_eq!(at(e, "at"), at(p, "at"), "timeline of {}", p["slug"]);
        assert_eq!(at(e, "text"), at(p, "text"), "timeline of {}", p["slug"]);
        let causes: Vec<Value> = p["root_causes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["text"].clone())
            .collect();
        assert_eq!(e["root_causes"], Value::Array(causes));
        assert_eq!(e["actions"], p["actions"].as_array().unwrap().len());
    }
    for e in &json {
        let started = e["started"].as_str().unwrap_or("").to_string();
        assert!(started >= last_started, "oldest first");
        last_started = started;
    }

    let lines = export(root, &["--format", "jsonl"]);
    let jsonl: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(jsonl, json, "JSON lines hold the same objects");

    let (header, rows) = csv_rows(&export(root, &["--format", "csv"]));
    assert_eq!(&header[..4], ["slug", "title", "started", "timezone"]);
    assert_eq!(rows.len(), json.len());
    for (row, e) in rows.iter().zip(&json) {
        assert_eq!(row[0], e["slug"].as_str().unwrap());
        let count = |col: &str| row[header.iter().position(|h| h == col).unwrap()].clone();
        assert_eq!(
            count("timeline_entries"),
            e["timeline"].as_array().unwrap().len().to_string()
        );
        assert_eq!(count("actions"), e["actions"].to_string());
    }
    let formula = rows.iter().find(|r| r[0] == "2024-05-01-formula").unwrap();
    assert_eq!(
        formula[1], "'=HYPERLINK(\"https://example.com\")",
        "a formula is defused"
    );

    let actions: Vec<Value> =
        serde_json::from_str(&export(root, &["--format", "json", "--actions"])).unwrap();
    assert_eq!(actions.len(), total_actions);
    let ids: BTreeSet<&str> = actions.iter().map(|a| a["id"].as_str().unwrap()).collect();
    let parsed_ids: BTreeSet<&str> = parsed
        .iter()
        .flat_map(|p| p["actions"].as_array().unwrap())
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, parsed_ids);
    let (header, rows) = csv_rows(&export(root, &["--format", "csv", "--actions"]));
    assert_eq!(&header[..3], ["id", "incident", "incident_title"]);
    assert_eq!(rows.len(), total_actions);
}

#[test]
fn export_of_an_empty_database_is_an_empty_list_and_a_missing_one_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let output = aftermath(&["--database", "a.db", "export", "--format", "json"], root);
    assert!(!output.status.success());
    assert!(texts(&output).1.contains("no database at a.db"));
    assert!(!root.join("a.db").exists(), "export creates no database");
    std::fs::create_dir(root.join("incidents")).unwrap();
    // An import of an empty folder says there is nothing in it, and fails, but the
    // database it opened is there, empty.
    let output = aftermath(&["--database", "a.db", "import", "incidents"], root);
    assert!(!output.status.success());
    assert!(texts(&output).1.contains("no postmortems in incidents"));
    assert!(root.join("a.db").exists());
    assert_eq!(
        serde_json::from_str::<Value>(&export(root, &["--format", "json"])).unwrap(),
        serde_json::json!([])
    );
    assert_eq!(export(root, &["--format", "jsonl", "--actions"]), "");
    assert_eq!(csv_rows(&export(root, &["--format", "csv"])).1.len(), 0);
}

/// Runs `aftermath --database DB export ARGS` in `dir` with stdout to `out`; returns
/// the peak resident set of that process in KiB: the largest `VmHWM` (the high-water
/// mark of its own memory since exec) read from `/proc` while it runs. `wait4`'s
/// `ru_maxrss` would not do: Linux carries the spawning process's resident set over
/// into it at exec, so it shows the test's memory, not the export's.
fn export_measured(dir: &Path, db: &str, args: &[&str], out: &Path) -> u64 {
    let mut child = Command::new(env!("CARGO_BIN_EXE_aftermath"))
        .args(["--database", db, "export"])
        .args(args)
        .current_dir(dir)
        .env_remove("AFTERMATH_DATABASE")
        .env_remove("AFTERMATH_CONFIG")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(out).unwrap())
        .stderr(std::fs::File::create(out.with_extension("stderr")).unwrap())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    // A bounded wait: polled at most 60,000 times, 10 ms apart.
    for _ in 0..60_000 {
        // Read before checking for the exit: a process that has exited has no memory
        // left to report, and the high-water mark only rises.
        if let Some(hwm) = std::fs::read_to_string(&status_file)
            .ok()
            .and_then(|s| vm_hwm(&s))
        {
            peak = peak.max(hwm);
        }
        if let Some(status) = child.try_wait().unwrap() {
            let stderr = std::fs::read_to_string(out.with_extension("stderr")).unwrap();
            assert!(status.success(), "export {args:?} failed: {stderr}");
            assert!(peak > 0, "no memory figure was read for export {args:?}");
            return peak;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("export {args:?} did not finish");
}

/// The `VmHWM:   1234 kB` line of `/proc/<pid>/status`, in KiB.
fn vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[test]
fn thousands_of_incidents_export_completely_in_flat_memory() {
    const SMALL: u64 = 1_000;
    const LARGE: u64 = 3_000;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    aftermath::synth::write_corpus(&root.join("small"), 7, SMALL).unwrap();
    aftermath::synth::write_corpus(&root.join("large"), 7, LARGE).unwrap();
    import(root, "small.db", "small");
    import(root, "large.db", "large");

    for (format, flag) in [("json", None), ("csv", None), ("jsonl", Some("--actions"))] {
        let mut args = vec!["--format", format];
        args.extend(flag);
        let small_out = root.join(format!("small.{format}"));
        let large_out = root.join(format!("large.{format}"));
        let small_peak = export_measured(root, "small.db", &args, &small_out);
        let large_peak = export_measured(root, "large.db", &args, &large_out);
        let output_growth = (std::fs::metadata(&large_out).unwrap().len()
            - std::fs::metadata(&small_out).unwrap().len())
            / 1024;
        let memory_growth = large_peak.saturating_sub(small_peak);
        eprintln!(
            "export {args:?}: peak {small_peak} KiB for {SMALL} incidents, {large_peak} KiB \
             for {LARGE}; output grew by {output_growth} KiB"
        );
        // Holding the rows would grow memory with the output (a few bytes of memory per
        // byte written); streaming them, it stays where a thousand incidents put it
        // (SQLite's page cache is full by then), give or take allocator noise.
        assert!(
            output_growth > 6 * 1024,
            "the large export must be big enough to show a leak ({output_growth} KiB)"
        );
        assert!(
            memory_growth * 3 < output_growth,
            "{args:?}: memory grew by {memory_growth} KiB while the output grew by {output_growth} KiB"
        );

        let text = std::fs::read_to_string(&large_out).unwrap();
        match (format, flag) {
            ("json", _) => {
                let list: Vec<Value> = serde_json::from_str(&text).unwrap();
                let slugs: BTreeSet<&str> =
                    list.iter().map(|i| i["slug"].as_str().unwrap()).collect();
                assert_eq!(slugs.len() as u64, LARGE, "every incident, once");
            }
            ("csv", _) => assert_eq!(csv_rows(&text).1.len() as u64, LARGE),
            _ => {
                let ids: BTreeSet<String> = text
                    .lines()
                    .map(|l| {
                        serde_json::from_str::<Value>(l).unwrap()["id"]
                            .as_str()
                            .unwrap()
                            .to_string()
                    })
                    .collect();
                assert_eq!(ids.len(), text.lines().count(), "every action, once");
                assert_eq!(ids.len() as u64, stored_actions(&root.join("large.db")));
            }
        }
    }
}

/// How many actions the database holds.
fn stored_actions(db: &Path) -> u64 {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let pool = aftermath::db::open_for_reading(db).await.unwrap();
            let n: i64 = sqlx::query_scalar("select count(*) from actions")
                .fetch_one(&pool)
                .await
                .unwrap();
            pool.close().await;
            n as u64
        })
}
