//! Commands that do not surprise (issue 14 §6): reading commands never create a
//! database, an import of nothing says so, a missing path has no line number, colour
//! only on a terminal, tables that fit, `--owner` as people type it, `aftermath remove`,
//! the `exclude` setting, API tokens listed and revoked, and a README whose password
//! instructions are the flags. The binary runs over real SQLite files; terminals are
//! real pseudo-terminals; pages come from a real server on loopback.

use crate::support::{ProcessGroup, aftermath, aftermath_command, http, serve, texts, texts_of};
use serde_json::Value;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

const STAMPEDE: &str = "2026-11-02-cache-stampede";
const BACKLOG: &str = "2026-10-20-queue-backlog";

/// A postmortem with four owners written four ways, two tags and an overdue action.
const STAMPEDE_MD: &str = "---
tags: [cache, storm]
---
# Cache stampede took search down

## Summary

On 2026-11-02 every cache entry expired at once and search was down for an hour.

## Timeline

- 09:12 UTC alert fired
- 10:05 UTC cache warmed

## Action items

- [ ] Stagger cache expiry — @Alice.Smith (due 2026-11-20)
- [ ] Add a warm-up job that fills the cache from the most requested queries before traffic returns — Bob Jones
- [ ] Alert when the cache hit ratio falls below half — owner: carol@example.org
- [ ] Document the cache keys — @bobby
";

/// A second postmortem, which stays when the first is removed.
const BACKLOG_MD: &str = "# Queue backlog delayed invoices

## Summary

On 2026-10-20 the invoice queue backed up for three hours after a consumer deploy.

## Timeline

- 13:00 UTC consumers deployed
- 16:02 UTC backlog drained

## Action items

- [ ] Roll consumers out one zone at a time — @dave
";

/// A folder `incidents/` holding the two postmortems (and whatever `extra` adds), not
/// imported yet.
fn folder(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join(format!("{STAMPEDE}.md")), STAMPEDE_MD).unwrap();
    std::fs::write(docs.join(format!("{BACKLOG}.md")), BACKLOG_MD).unwrap();
    for (path, text) in extra {
        let path = docs.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// [`folder`] imported into `a.db` with `aftermath import`.
fn imported() -> tempfile::TempDir {
    let dir = folder(&[]);
    let out = run(dir.path(), &["import", "-q", "incidents"]);
    assert!(out.status.success(), "{:?}", texts(&out));
    dir
}

/// `aftermath --database a.db ARGS` in `dir`, stdin empty.
fn run(dir: &Path, args: &[&str]) -> Output {
    aftermath_command(dir)
        .args(["--database", "a.db"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

/// What a file holds after a run, sorted: the names in `dir` (not recursive).
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The ids `aftermath actions --json ARGS` lists, with each action's owner.
fn owners(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec!["actions", "--json"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    assert!(out.status.success(), "{:?}", texts(&out));
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let mut owners: Vec<String> = rows
        .iter()
        .map(|r| r["owner"].as_str().unwrap_or("-").to_string())
        .collect();
    owners.sort();
    owners
}

/// An escape sequence of any kind.
fn has_escape(text: &str) -> bool {
    text.contains('\x1b')
}

/// `text` without its colour codes (`ESC [ … m`) and carriage returns.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\x1b' => {
                for c in chars.by_ref() {
                    if c.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Runs `command` with stdin, stdout and stderr on a new pseudo-terminal `columns`
/// wide, typing `input` into it; the exit status and everything the terminal showed
/// (echoed input included). Killed, failing the test, after 60 seconds.
fn on_terminal(mut command: Command, columns: u16, input: &[u8]) -> (ExitStatus, String) {
    let (mut master, slave) = {
        let (mut master, mut slave) = (0, 0);
        let size = libc::winsize {
            ws_row: 40,
            ws_col: columns,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty writes two descriptors into the integers it is given and
        // reads the window size; null name and termios are allowed.
        let done = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &size,
            )
        };
        assert_eq!(done, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both descriptors were just opened for us and are owned by nobody else.
        unsafe {
            (
                std::fs::File::from_raw_fd(master),
                OwnedFd::from_raw_fd(slave),
            )
        }
    };
    command
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    let mut child = command.spawn().unwrap();
    // The command holds the parent's copies of the terminal's other end: dropped, the
    // master reads end of file (EIO) once the child exits.
    drop(command);
    master.write_all(input).unwrap();
    let mut reader = master.try_clone().unwrap();
    let shown = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let mut buf = [0u8; 4096];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            bytes.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&bytes).into_owned()
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("a command on a terminal ran over a minute");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    drop(master);
    (status, shown.join().unwrap())
}

/// `aftermath --database a.db ARGS` in `dir` on a terminal `columns` wide.
fn on_terminal_in(dir: &Path, args: &[&str], columns: u16, env: &[(&str, &str)]) -> String {
    let mut command = aftermath_command(dir);
    command
        .args(["--database", "a.db"])
        .args(args)
        .env_remove("NO_COLOR")
        .env("TERM", "xterm-256color");
    for (k, v) in env {
        command.env(k, v);
    }
    let (status, shown) = on_terminal(command, columns, b"");
    assert!(status.success(), "{args:?}:\n{shown}");
    shown
}

#[test]
fn reading_commands_on_a_missing_database_say_so_exit_2_and_create_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let reading: [&[&str]; 8] = [
        &["actions"],
        &["actions", "--json"],
        &["actions", "history", "abcd1234"],
        &["digest", "--dry-run"],
        &["export", "--format", "json"],
        &["backup", "copy.db"],
        &["check"],
        &["remove", STAMPEDE, "--yes"],
    ];
    for args in reading {
        // A mistyped --database, and the default database of an empty folder.
        for database in [Some("typo/a.db"), None] {
            let mut all: Vec<&str> = Vec::new();
            if let Some(db) = database {
                all.extend(["--database", db]);
            }
            all.extend_from_slice(args);
            let out = aftermath(&all, dir.path());
            let (stdout, stderr) = texts(&out);
            let shown = database.unwrap_or("aftermath.db");
            assert_eq!(out.status.code(), Some(2), "{all:?}: {stdout}\n{stderr}");
            assert_eq!(
                stderr.trim_end(),
                format!(
                    "error: no database at {shown} (run aftermath import first, or pass --database)"
                ),
                "{all:?}"
            );
            assert!(stdout.is_empty(), "{all:?}: {stdout}");
            assert!(
                names_in(dir.path()).is_empty(),
                "{all:?} created {:?}",
                names_in(dir.path())
            );
        }
    }
    // `import` still creates the database on first use.
    let docs = folder(&[]);
    let out = run(docs.path(), &["import", "-q", "incidents"]);
    assert!(out.status.success(), "{:?}", texts(&out));
    assert!(docs.path().join("a.db").exists());
}

#[test]
fn an_import_of_a_folder_without_postmortems_fails_and_says_what_it_looked_for() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::fs::write(dir.path().join("empty/notes.json"), "{}").unwrap();
    let out = run(dir.path(), &["import", "empty"]);
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("imported 0, unchanged 0, failed 0"),
        "{stdout}"
    );
    assert_eq!(
        stderr.trim_end(),
        "error: no postmortems in empty: nothing to import (postmortems are .md, .markdown, \
         .rst or .txt files)"
    );
}

#[test]
fn a_missing_path_is_named_without_a_line_number() {
    let dir = folder(&[]);
    // The import goes on with the folders that exist, and fails.
    let out = run(dir.path(), &["import", "-q", "nowhere", "incidents"]);
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stderr.trim_end(), "nowhere: no such file or directory");
    assert!(
        stdout.contains("imported 2, unchanged 0, failed 1"),
        "{stdout}"
    );

    let out = run(dir.path(), &["parse", "nowhere.md"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        texts(&out).1.trim_end(),
        "nowhere.md: no such file or directory"
    );

    let out = run(dir.path(), &["lint", "nowhere"]);
    let (stdout, _) = texts(&out);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        stdout.trim_end(),
        "nowhere: error: no such file or directory"
    );
    let out = run(dir.path(), &["lint", "--format", "json", "nowhere"]);
    let found: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found[0]["line"], Value::Null, "{found:?}");
    let out = run(dir.path(), &["lint", "--format", "github", "nowhere"]);
    assert!(!texts(&out).0.contains("line="), "{}", texts(&out).0);
}

#[test]
fn output_to_a_pipe_or_a_file_has_no_escape_codes() {
    let dir = folder(&[]);
    // Overdue and stale actions, done ones and warnings: everything that has a colour
    // on a terminal.
    let out = run(dir.path(), &["import", "incidents"]);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        !has_escape(&stdout) && !has_escape(&stderr),
        "{stdout}{stderr}"
    );
    let out = run(dir.path(), &["actions", "--today", "2026-12-20"]);
    let (stdout, stderr) = texts(&out);
    assert!(stdout.contains("overdue"), "{stdout}");
    assert!(
        !has_escape(&stdout) && !has_escape(&stderr),
        "{stdout}{stderr}"
    );

    let file = dir.path().join("actions.txt");
    let status = aftermath_command(dir.path())
        .args(["--database", "a.db", "actions", "--today", "2026-12-20"])
        .stdout(std::fs::File::create(&file).unwrap())
        .status()
        .unwrap();
    assert!(status.success());
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.contains("Stagger cache expiry") && !has_escape(&written));
}

#[test]
fn a_terminal_gets_colour_unless_no_color_is_set() {
    let dir = imported();
    let args = ["actions", "--today", "2026-12-20"];
    let coloured = on_terminal_in(dir.path(), &args, 200, &[]);
    assert!(has_escape(&coloured), "{coloured}");
    assert!(plain(&coloured).contains("Stagger cache expiry"));
    for env in [("NO_COLOR", "1"), ("TERM", "dumb")] {
        let shown = on_terminal_in(dir.path(), &args, 200, &[env]);
        assert!(!has_escape(&shown), "{env:?}: {shown:?}");
        assert_eq!(shown.replace('\r', ""), plain(&coloured), "{env:?}");
    }
}

#[test]
fn the_actions_table_fits_the_terminal_or_the_columns_given() {
    let dir = imported();
    let widest = |text: &str| {
        plain(text)
            .lines()
            .map(|l| l.chars().count())
            .max()
            .unwrap_or(0)
    };
    // Whole lines in a pipe without COLUMNS: the long action is not cut to a width.
    let out = run(dir.path(), &["actions"]);
    let whole = texts(&out).0;
    assert!(widest(&whole) > 100, "{whole}");
    for columns in [100usize, 80, 60] {
        let out = aftermath_command(dir.path())
            .args(["--database", "a.db", "actions"])
            .env("COLUMNS", columns.to_string())
            .output()
            .unwrap();
        let text = texts(&out).0;
        assert!(widest(&text) <= columns, "COLUMNS={columns}:\n{text}");
        // Every action is still there, one row each, under its header.
        assert_eq!(text.lines().count(), whole.lines().count(), "{text}");
        assert!(text.lines().next().unwrap().starts_with("ID "), "{text}");
    }
    let shown = on_terminal_in(dir.path(), &["actions"], 64, &[]);
    assert!(widest(&shown) <= 64, "{}", plain(&shown));
    assert!(plain(&shown).contains("Stagger"), "{}", plain(&shown));
}

#[test]
fn owner_filters_match_as_people_type_them() {
    let dir = imported();
    let alice = ["@Alice.Smith"];
    for typed in [
        "alice",
        "ALICE",
        "@alice",
        "Smith",
        "alice smith",
        "alice.smith",
    ] {
        assert_eq!(owners(dir.path(), &["--owner", typed]), alice, "{typed}");
    }
    assert_eq!(owners(dir.path(), &["--owner", "jones"]), ["Bob Jones"]);
    assert_eq!(owners(dir.path(), &["--owner", "Bob Jones"]), ["Bob Jones"]);
    // A part of a name finds every name with a word starting so.
    assert_eq!(
        owners(dir.path(), &["--owner", "bob"]),
        ["@bobby", "Bob Jones"]
    );
    assert_eq!(owners(dir.path(), &["--owner", "@Bobby"]), ["@bobby"]);
    assert_eq!(
        owners(dir.path(), &["--owner", "Carol"]),
        ["carol@example.org"]
    );
    assert_eq!(
        owners(dir.path(), &["--owner", "carol@example.org"]),
        ["carol@example.org"]
    );
    assert!(owners(dir.path(), &["--owner", "mallory"]).is_empty());
}

#[test]
fn remove_without_yes_and_without_a_terminal_refuses_and_changes_nothing() {
    let dir = imported();
    let out = run(dir.path(), &["remove", STAMPEDE]);
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Cache stampede took search down"),
        "{stdout}"
    );
    assert!(stderr.contains("pass --yes"), "{stderr}");
    assert_eq!(owners(dir.path(), &["--incident", STAMPEDE]).len(), 4);

    let out = run(dir.path(), &["remove", "no-such-incident", "--yes"]);
    assert!(!out.status.success());
    assert!(texts(&out).1.contains("no incident with the slug"));
}

#[test]
fn remove_asks_on_a_terminal_and_only_yes_removes() {
    let dir = imported();
    let remove = || {
        let mut command = aftermath_command(dir.path());
        command
            .args(["--database", "a.db", "remove", STAMPEDE, "--as", "alice"])
            .env("TERM", "xterm");
        command
    };
    let (status, shown) = on_terminal(remove(), 100, b"n\n");
    assert_eq!(status.code(), Some(1), "{shown}");
    assert!(
        shown.contains("Remove it? [y/N]") && shown.contains("not removed"),
        "{shown}"
    );
    assert_eq!(owners(dir.path(), &["--incident", STAMPEDE]).len(), 4);

    let (status, shown) = on_terminal(remove(), 100, b"y\n");
    assert!(status.success(), "{shown}");
    assert!(
        shown.contains(&format!("removed {STAMPEDE} (4 actions marked removed)")),
        "{shown}"
    );
    assert!(owners(dir.path(), &["--incident", STAMPEDE]).is_empty());
}

/// `aftermath serve` over `dir`'s database and `incidents/`, with `extra` flags.
fn serve_in(dir: &Path, extra: &[&str]) -> (String, ProcessGroup) {
    let mut command = aftermath_command(dir);
    command.args(["--database", "a.db", "serve"]).args(extra);
    serve(&mut command)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_incident_is_shown_nowhere_and_keeps_its_action_history() {
    let dir = imported();
    let overdue = {
        let out = run(dir.path(), &["actions", "--json", "--owner", "alice"]);
        let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        rows[0]["id"].as_str().unwrap().to_string()
    };
    let out = run(
        dir.path(),
        &[
            "actions",
            "set",
            &overdue,
            "--status",
            "in_progress",
            "--as",
            "alice",
        ],
    );
    assert!(out.status.success(), "{:?}", texts(&out));

    let out = run(dir.path(), &["remove", STAMPEDE, "--yes", "--as", "bob"]);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("4 actions will be marked removed"),
        "{stdout}"
    );
    assert!(stdout.contains("its file is still in place"), "{stdout}");
    // Removing twice is no error, and says when.
    let again = run(dir.path(), &["remove", STAMPEDE, "--yes"]);
    assert!(again.status.success());
    assert!(texts(&again).0.contains("was already removed on"));

    // Lists, export and the digest.
    assert_eq!(owners(dir.path(), &[]), ["@dave"]);
    let out = run(
        dir.path(),
        &["actions", "--all", "--json", "--incident", STAMPEDE],
    );
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 4);
    assert!(rows.iter().all(|r| r["removed"] == true), "{rows:?}");
    let out = run(dir.path(), &["export", "--format", "json"]);
    let exported: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let slugs: Vec<&str> = exported
        .iter()
        .map(|i| i["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, [BACKLOG]);
    let out = run(dir.path(), &["digest", "--dry-run"]);
    let (digest, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(digest.contains("Roll consumers out"), "{digest}");
    assert!(
        !digest.contains("Cache stampede") && !digest.contains("Stagger"),
        "{digest}"
    );

    // The history: the person's change, then the removal, by whom.
    let out = run(dir.path(), &["actions", "history", &overdue, "--json"]);
    let events: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let fields: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [("status", "alice"), ("removed", "bob")],
        "{events:?}"
    );

    // A re-import leaves the file out, says so, and is no failure; an edit changes
    // nothing.
    std::fs::write(
        dir.path().join(format!("incidents/{STAMPEDE}.md")),
        STAMPEDE_MD.replace("for an hour", "for two hours"),
    )
    .unwrap();
    for _ in 0..2 {
        let out = run(dir.path(), &["import", "incidents"]);
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(
            stderr.trim_end(),
            format!(
                "incidents/{STAMPEDE}.md: warning: not imported: its incident was removed with \
                 `aftermath remove` (delete the file, or add it to `exclude`)"
            )
        );
        assert!(
            stdout.contains("imported 0, unchanged 1, failed 0, warnings 1"),
            "{stdout}"
        );
    }
    assert_eq!(owners(dir.path(), &[]), ["@dave"]);

    // Pages: the incident, the lists, search, its tags, and the home page's count.
    let (url, _server) = serve_in(dir.path(), &[]);
    let (status, _) = http(&url, "GET", &format!("/incidents/{STAMPEDE}"), None);
    assert_eq!(status, 404);
    for page in [
        "/",
        "/incidents",
        "/actions",
        "/search?q=cache",
        "/search?q=tag:storm",
    ] {
        let (status, body) = http(&url, "GET", page, None);
        assert_eq!(status, 200, "{page}");
        assert!(
            !body.contains(STAMPEDE),
            "{page} links the removed incident"
        );
        assert!(!body.contains("Stagger cache expiry"), "{page}");
    }
    let (_, body) = http(&url, "GET", "/incidents", None);
    assert!(body.contains(BACKLOG));
    let (status, body) = http(&url, "GET", "/tags/storm", None);
    assert_eq!(status, 404);
    let html = scraper::Html::parse_document(&body);
    assert!(texts_of(&html, "main p.note")[0].contains("No incident is tagged"));
}

#[test]
fn a_digest_run_right_after_an_import_counts_what_was_imported() {
    // Stored times are whole seconds: a digest composed in the same second as the
    // import must still see its actions (it once saw "0 open").
    for _ in 0..3 {
        let dir = imported();
        let out = run(dir.path(), &["digest", "--dry-run"]);
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "{stderr}");
        assert!(stdout.contains("5 open"), "{stdout}");
        assert!(stdout.contains("Roll consumers out"), "{stdout}");
    }
}

/// The settings file of the exclusion tests.
const EXCLUDING: &str = "exclude = [\"drafts/**\", \"*.tmp.md\"]\n";

/// A draft and a temporary file beside the postmortems.
fn with_drafts() -> tempfile::TempDir {
    let dir = folder(&[
        (
            "drafts/2026-11-20-disk-full.md",
            &BACKLOG_MD.replace("Queue backlog", "Disk full"),
        ),
        (
            "team/notes.tmp.md",
            &BACKLOG_MD.replace("Queue backlog", "Scratch"),
        ),
    ]);
    std::fs::write(dir.path().join("aftermath.toml"), EXCLUDING).unwrap();
    dir
}

#[test]
fn the_exclude_setting_leaves_drafts_and_temporary_files_out_of_import_and_lint() {
    let dir = with_drafts();
    let out = run(dir.path(), &["import", "incidents"]);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("imported 2, unchanged 0"), "{stdout}");
    assert!(
        !stdout.contains("Disk full") && !stdout.contains("Scratch"),
        "{stdout}"
    );
    let out = run(dir.path(), &["export", "--format", "json"]);
    let exported: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(exported.len(), 2);

    let out = run(dir.path(), &["lint", "incidents"]);
    let (stdout, stderr) = texts(&out);
    assert!(stderr.starts_with("checked 2 files"), "{stderr}");
    assert!(
        !stdout.contains("drafts/") && !stdout.contains(".tmp.md"),
        "{stdout}"
    );

    // Without the setting, the same folder has four postmortems.
    std::fs::remove_file(dir.path().join("aftermath.toml")).unwrap();
    let out = run(dir.path(), &["lint", "incidents"]);
    assert!(
        texts(&out).1.starts_with("checked 4 files"),
        "{:?}",
        texts(&out)
    );
    // A folder holding only excluded files says why nothing was imported. (A pattern
    // with a `/` is read from the folder imported: naming `incidents/drafts` itself
    // imports its drafts.)
    std::fs::write(dir.path().join("aftermath.toml"), EXCLUDING).unwrap();
    let out = run(dir.path(), &["import", "incidents/team"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        texts(&out)
            .1
            .contains("the exclude setting leaves some out")
    );
}

#[test]
fn serve_watch_imports_new_postmortems_and_leaves_excluded_ones_out() {
    let dir = with_drafts();
    let (url, _server) = serve_in(dir.path(), &["--watch"]);
    let page = |slug: &str| http(&url, "GET", &format!("/incidents/{slug}"), None).0;
    assert_eq!(page(STAMPEDE), 200);
    assert_eq!(page("2026-11-20-disk-full"), 404);
    assert_eq!(page("notes-tmp"), 404);

    let docs = dir.path().join("incidents");
    std::fs::write(
        docs.join("drafts/2026-12-01-dns.md"),
        BACKLOG_MD.replace("Queue backlog", "DNS draft"),
    )
    .unwrap();
    std::fs::write(
        docs.join("later.tmp.md"),
        BACKLOG_MD.replace("Queue backlog", "Later"),
    )
    .unwrap();
    std::fs::write(
        docs.join("2026-12-02-tls-expiry.md"),
        BACKLOG_MD.replace("Queue backlog delayed invoices", "TLS certificate expired"),
    )
    .unwrap();
    let started = Instant::now();
    while page("2026-12-02-tls-expiry") != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "--watch did not import the new postmortem within a minute"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    for slug in [
        "2026-12-01-dns",
        "later-tmp",
        "2026-11-20-disk-full",
        "notes-tmp",
    ] {
        assert_eq!(page(slug), 404, "{slug} was excluded");
    }
    let (_, body) = http(&url, "GET", "/search?q=draft", None);
    assert!(!body.contains("DNS draft"));
}

/// A raw HTTP request with an `Authorization: Bearer` header: the status.
fn with_token(url: &str, method: &str, path: &str, token: &str, body: &str) -> u16 {
    let addr = url.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\
         Authorization: Bearer {token}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

#[test]
fn user_tokens_are_listed_and_revoked_by_label_or_all_at_once() {
    let dir = imported();
    let out = aftermath_command(dir.path())
        .args(["--database", "a.db", "user", "add", "alice"])
        .env("AFTERMATH_PASSWORD", "correct horse battery staple")
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", texts(&out));
    let token = |label: Option<&str>| {
        let mut args = vec!["user", "token", "alice"];
        if let Some(l) = label {
            args.extend(["--label", l]);
        }
        let out = run(dir.path(), &args);
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "{stderr}");
        assert!(stderr.contains("it is not shown again"));
        stdout.trim().to_string()
    };
    let cli = token(None);
    let ci = token(Some("ci"));
    let list = || texts(&run(dir.path(), &["user", "token", "alice", "--list"])).0;
    let listed = list();
    assert_eq!(listed.lines().count(), 2, "{listed}");
    assert!(
        listed.lines().all(|l| l.ends_with("live, never used")),
        "{listed}"
    );
    assert!(
        !listed.contains(&cli) && !listed.contains(&ci),
        "secrets are never listed"
    );

    let (url, _server) = serve_in(dir.path(), &[]);
    let id = {
        let out = run(dir.path(), &["actions", "--json", "--owner", "dave"]);
        let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
        rows[0]["id"].as_str().unwrap().to_string()
    };
    let change = |token: &str| {
        with_token(
            &url,
            "POST",
            &format!("/api/actions/{id}"),
            token,
            r#"{"note":"checked"}"#,
        )
    };
    assert_eq!(change(&ci), 200);

    let out = run(
        dir.path(),
        &["user", "token", "alice", "--revoke", "--label", "ci"],
    );
    assert_eq!(
        texts(&out).0.trim(),
        "revoked 1 API token labelled \"ci\" of alice"
    );
    assert_eq!(change(&ci), 401);
    assert_eq!(change(&cli), 200);
    let listed = list();
    let ci_line = listed.lines().find(|l| l.contains("  ci  ")).unwrap();
    assert!(ci_line.contains("revoked "), "{listed}");
    let cli_line = listed.lines().find(|l| l.contains("  cli  ")).unwrap();
    assert!(cli_line.contains("live, last used "), "{listed}");

    let out = run(dir.path(), &["user", "token", "alice", "--revoke"]);
    assert_eq!(texts(&out).0.trim(), "revoked 1 API token of alice");
    assert_eq!(change(&cli), 401);
    let out = run(dir.path(), &["user", "token", "nobody", "--list"]);
    assert!(!out.status.success());
    assert!(texts(&out).1.contains("there is no user named \"nobody\""));
}

/// The README's rows and examples for `aftermath user …`.
fn readme_user_lines() -> Vec<String> {
    let readme = std::fs::read_to_string(crate::support::root().join("README.md")).unwrap();
    readme
        .lines()
        .filter(|l| l.contains("aftermath user "))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_readme_password_instructions_are_the_flags_the_command_takes() {
    let lines = readme_user_lines();
    assert!(!lines.is_empty());
    let help = |sub: &str| texts(&aftermath(&["user", sub, "--help"], Path::new("."))).0;
    let (add, token) = (help("add"), help("token"));
    let mut flags = 0;
    for line in &lines {
        for word in line.split(|c: char| !(c.is_alphanumeric() || c == '-')) {
            if let Some(flag) = word.strip_prefix("--").filter(|f| !f.is_empty()) {
                flags += 1;
                let flag = format!("--{flag}");
                assert!(
                    add.contains(&flag) || token.contains(&flag) || flag == "--database",
                    "the README names {flag}, which `aftermath user` does not take:\n{line}"
                );
            }
        }
    }
    assert!(
        flags >= 3,
        "the README documents the password and token flags: {lines:#?}"
    );
    let all = lines.join("\n");
    for needed in [
        "--password-stdin",
        "AFTERMATH_PASSWORD",
        "--revoke",
        "--list",
    ] {
        assert!(all.contains(needed), "the README does not mention {needed}");
    }

    // Both ways the README gives work, and a password is never taken from nowhere.
    let dir = imported();
    let mut child = aftermath_command(dir.path())
        .args([
            "--database",
            "a.db",
            "user",
            "add",
            "erin",
            "--password-stdin",
        ])
        .env_remove("AFTERMATH_PASSWORD")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"from stdin 123\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{:?}", texts(&out));
    let out = aftermath_command(dir.path())
        .args(["--database", "a.db", "user", "add", "frank"])
        .env("AFTERMATH_PASSWORD", "from the environment")
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", texts(&out));
    let out = aftermath_command(dir.path())
        .args(["--database", "a.db", "user", "add", "grace"])
        .env_remove("AFTERMATH_PASSWORD")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(texts(&out).1.contains("--password-stdin"));
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let pool = aftermath::db::open_for_reading(&dir.path().join("a.db"))
            .await
            .unwrap();
        use aftermath::db::accounts::verify_password;
        assert!(
            verify_password(&pool, "erin", "from stdin 123")
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            verify_password(&pool, "frank", "from the environment")
                .await
                .unwrap()
                .is_some()
        );
        pool.close().await;
    });
}
