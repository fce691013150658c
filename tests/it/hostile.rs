//! Hostile and broken input against the import and the server (issue 11): links out of
//! the incidents folder, FIFOs and devices, loops, dangling links, huge files, names
//! that collide, names that hold terminal control characters, characters whose case
//! changes their length. Each test builds its own folder of real files.

use crate::support::{aftermath, encode, texts, texts_of, unicode_case, web_site_with};
use aftermath::import::{self, Diagnostic, Options, Report, Severity};
use sqlx::SqlitePool;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A folder to import beside a folder that must stay private, and a database.
struct Env {
    dir: tempfile::TempDir,
    docs: PathBuf,
    /// Outside the incidents folder: nothing here may be published.
    private: PathBuf,
    pool: SqlitePool,
}

async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    let private = dir.path().join("private");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::create_dir_all(&private).unwrap();
    std::fs::write(docs.join("2024-01-02-good.md"), good("Cache stampede")).unwrap();
    std::fs::write(
        private.join("secret.md"),
        "# Secret\n\nThe root password is hunter2.\n",
    )
    .unwrap();
    let pool = aftermath::db::open(&dir.path().join("test.db"))
        .await
        .unwrap();
    Env {
        dir,
        docs,
        private,
        pool,
    }
}

/// A small postmortem that imports cleanly.
fn good(title: &str) -> String {
    format!(
        "# {title}\n\n## Summary\n\nThe queue stalled for an hour.\n\n## Timeline\n\n\
         - 2024-01-02 10:00 UTC: alerts fired\n- 2024-01-02 11:00 UTC: resolved\n\n\
         ## Root cause\n\nA retry storm.\n\n## Action items\n\n- [ ] Add jitter (owner: ana)\n"
    )
}

/// Imports `paths`, bounded in time: a FIFO or a device must not hang it.
async fn run(env: &Env, paths: &[&Path], allow_outside: bool) -> (Report, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    let paths: Vec<PathBuf> = paths.iter().map(|p| p.to_path_buf()).collect();
    let options = Options {
        max_file_bytes: 1 << 20,
        allow_symlinks_outside: allow_outside,
    };
    let import = import::import_paths(&env.pool, &paths, &options, |e| {
        if let import::Event::Diagnostic(d) = e {
            diags.push(d.clone())
        }
    });
    let report = tokio::time::timeout(Duration::from_secs(60), import)
        .await
        .expect("the import finishes")
        .unwrap();
    (report, diags)
}

async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

fn find<'a>(diags: &'a [Diagnostic], path_end: &str) -> &'a Diagnostic {
    diags
        .iter()
        .find(|d| d.path.ends_with(path_end))
        .unwrap_or_else(|| panic!("no diagnostic for {path_end}: {diags:?}"))
}

#[tokio::test]
async fn a_symlink_to_a_file_outside_the_folder_is_skipped_with_a_warning() {
    let env = env().await;
    symlink(env.private.join("secret.md"), env.docs.join("passwd.md")).unwrap();
    symlink("/etc/passwd", env.docs.join("etc-passwd.txt")).unwrap();
    let (report, diags) = run(&env, &[&env.docs], false).await;
    assert_eq!((report.imported, report.failed), (1, 0), "{diags:?}");
    for name in ["passwd.md", "etc-passwd.txt"] {
        let d = find(&diags, name);
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.message.contains("outside the imported folders"), "{d}");
        assert!(d.message.contains("allow_symlinks_outside"), "{d}");
    }
    assert_eq!(count(&env.pool, "select count(*) from incidents").await, 1);
    assert_eq!(
        count(
            &env.pool,
            "select count(*) from search_index where search_index match 'hunter2'"
        )
        .await,
        0,
        "nothing of the private file is searchable"
    );
}

#[tokio::test]
async fn allow_symlinks_outside_imports_the_linked_file() {
    let env = env().await;
    symlink(env.private.join("secret.md"), env.docs.join("linked.md")).unwrap();
    let (report, diags) = run(&env, &[&env.docs], true).await;
    assert_eq!((report.imported, report.failed), (2, 0), "{diags:?}");
    assert_eq!(
        count(
            &env.pool,
            "select count(*) from incidents where slug = 'secret'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_symlink_between_imported_folders_stays_inside_and_imports_once() {
    let env = env().await;
    let other = env.dir.path().join("more");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("2024-02-01-other.md"), good("Disk full")).unwrap();
    symlink(other.join("2024-02-01-other.md"), env.docs.join("alias.md")).unwrap();
    let (report, diags) = run(&env, &[&env.docs, &other], false).await;
    assert_eq!((report.imported, report.failed), (2, 0), "{diags:?}");
    assert!(
        diags.iter().all(|d| !d.path.ends_with("alias.md")),
        "{diags:?}"
    );
}

#[tokio::test]
async fn a_fifo_and_a_link_to_dev_zero_are_skipped_without_hanging() {
    let env = env().await;
    let fifo = env.docs.join("pipe.md");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    symlink("/dev/zero", env.docs.join("zero.md")).unwrap();
    let started = Instant::now();
    // Even with links out allowed, a device is not a file.
    let (report, diags) = run(&env, &[&env.docs], true).await;
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!((report.imported, report.failed), (1, 0), "{diags:?}");
    assert!(
        find(&diags, "pipe.md")
            .message
            .contains("not a regular file")
    );
    assert!(
        find(&diags, "zero.md")
            .message
            .contains("not a regular file")
    );
    // Named explicitly, the FIFO is an error, still without waiting for a writer.
    let (report, diags) = run(&env, &[&fifo], false).await;
    assert_eq!(report.failed, 1);
    assert_eq!(find(&diags, "pipe.md").severity, Severity::Error);
}

#[tokio::test]
async fn symlink_loops_are_detected_and_the_folder_still_imports() {
    let env = env().await;
    // A link to the folder itself, a pair of links to each other, and (followed
    // because links out are allowed) an outside folder holding a link to its parent.
    symlink(".", env.docs.join("again")).unwrap();
    symlink("b.md", env.docs.join("a.md")).unwrap();
    symlink("a.md", env.docs.join("b.md")).unwrap();
    let outside = env.private.join("team");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("2024-03-01-team.md"), good("Bad deploy")).unwrap();
    symlink("..", outside.join("up")).unwrap();
    symlink(&outside, env.docs.join("team")).unwrap();
    let (report, diags) = run(&env, &[&env.docs], true).await;
    assert_eq!(report.imported, 2, "good and team: {diags:?}");
    let up = find(&diags, "team/up");
    assert_eq!(up.severity, Severity::Warning);
    assert!(up.message.contains("symlink loop"), "{up}");
    for name in ["a.md", "b.md"] {
        let d = find(&diags, name);
        assert_eq!(d.severity, Severity::Error);
        assert!(d.message.contains("cannot follow symlink"), "{d}");
    }
    assert_eq!(report.failed, 2);
}

#[tokio::test]
async fn a_dangling_symlink_is_reported_and_the_rest_of_the_folder_imported() {
    let env = env().await;
    std::fs::write(env.docs.join("2024-01-03-second.md"), good("Lost writes")).unwrap();
    symlink(env.dir.path().join("gone.md"), env.docs.join("dangling.md")).unwrap();
    let (report, diags) = run(&env, &[&env.docs], false).await;
    assert_eq!((report.imported, report.failed), (2, 1), "{diags:?}");
    let d = find(&diags, "dangling.md");
    assert_eq!(d.severity, Severity::Error);
    assert!(d.message.contains("cannot follow symlink"), "{d}");
}

/// The most memory any finished child of this test process used, in KiB.
fn children_peak_kib() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    usage.ru_maxrss
}

#[test]
fn a_sparse_file_of_one_and_a_half_gigabytes_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("2024-01-02-good.md"), good("Slow disk")).unwrap();
    let huge = std::fs::File::create(docs.join("huge.md")).unwrap();
    huge.set_len(1536 << 20).unwrap();
    drop(huge);
    let started = Instant::now();
    let out = aftermath(&["--database", "x.db", "import", "incidents"], dir.path());
    let (stdout, stderr) = texts(&out);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("huge.md:1: error: file is 1610612736 bytes, over the 5242880-byte limit"),
        "{stderr}"
    );
    assert!(
        stdout.contains("imported 1, unchanged 0, failed 1"),
        "{stdout}"
    );
    // Reading the file would have taken 1.5 GB; every child of this test process
    // (other tests' included) stayed far below.
    let peak_mib = children_peak_kib() / 1024;
    assert!(peak_mib < 600, "a child peaked at {peak_mib} MiB");
}

#[tokio::test]
async fn two_long_names_giving_the_same_slug_get_distinct_bounded_slugs() {
    let env = env().await;
    let stem = "database-failover-during-the-quarterly-maintenance-window-".repeat(4);
    for sub in ["a", "b", "c"] {
        std::fs::create_dir_all(env.docs.join(sub)).unwrap();
        std::fs::write(env.docs.join(sub).join(format!("{stem}.md")), good(sub)).unwrap();
    }
    let (report, diags) = run(&env, &[&env.docs], false).await;
    assert_eq!((report.imported, report.failed), (4, 0), "{diags:?}");
    let slugs: Vec<String> = sqlx::query_scalar("select slug from incidents order by slug")
        .fetch_all(&env.pool)
        .await
        .unwrap();
    let unique: std::collections::HashSet<&String> = slugs.iter().collect();
    assert_eq!(unique.len(), 4, "{slugs:?}");
    for slug in &slugs {
        assert!(
            aftermath::model::Slug::parse(slug).is_some(),
            "{slug} is a slug a URL accepts"
        );
    }
    // A second import of the same folder is unchanged, and a new colliding file still
    // finds a free slug.
    std::fs::create_dir_all(env.docs.join("d")).unwrap();
    std::fs::write(env.docs.join("d").join(format!("{stem}.md")), good("d")).unwrap();
    let (report, _) = run(&env, &[&env.docs], false).await;
    assert_eq!((report.imported, report.unchanged), (1, 4));
}

#[test]
fn file_names_and_titles_with_control_characters_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("evil\x1b[2J\x07.md"), b"\x00binary").unwrap();
    std::fs::write(
        docs.join("2024-01-02-title.md"),
        "# Outage \x1b]0;owned\x07 \u{202e}txt.exe\n\nThe queue stalled.\n",
    )
    .unwrap();
    let out = aftermath(&["--database", "x.db", "import", "incidents"], dir.path());
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for text in [&stdout, &stderr] {
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
        assert!(!text.contains('\u{202e}'), "{text:?}");
    }
    assert!(
        stderr.contains(r"evil\u{1b}[2J\u{7}.md:1: error"),
        "{stderr}"
    );
    let out = aftermath(&["parse", "incidents/evil\x1b[2J\x07.md"], dir.path());
    let (_, stderr) = texts(&out);
    assert!(
        stderr.contains(r"evil\u{1b}[2J\u{7}.md:1: error"),
        "{stderr}"
    );
}

/// A document using every character whose lowercase has another byte length, in each
/// field the extractor fills.
fn case_changing_document() -> String {
    std::fs::read_to_string(unicode_case().join("2024-04-01-case-changing.md")).unwrap()
}

#[tokio::test]
async fn a_document_that_breaks_the_parser_costs_only_itself() {
    let env = env().await;
    std::fs::write(
        env.docs.join("2024-01-05-case.md"),
        case_changing_document(),
    )
    .unwrap();
    std::fs::write(env.docs.join("2024-01-06-after.md"), good("After")).unwrap();
    let (report, diags) = run(&env, &[&env.docs], false).await;
    // The document either imports or fails alone; the others import either way.
    assert_eq!(report.imported + report.failed, 3, "{diags:?}");
    assert_eq!(
        report.imported,
        2 + (report.failed == 0) as usize,
        "{diags:?}"
    );
    if report.failed == 1 {
        let d = find(&diags, "2024-01-05-case.md");
        assert!(d.message.contains("a bug, please report it"), "{d}");
    }
    assert!(
        count(
            &env.pool,
            "select count(*) from incidents where slug = '2024-01-06-after'"
        )
        .await
            == 1
    );
}

#[tokio::test]
async fn searching_documents_whose_case_changes_their_length_highlights_at_characters() {
    let site = web_site_with(&[unicode_case()]).await;
    for q in [
        "outage",
        "istanbul",
        "İstanbul",
        "ⱥⱥ",
        "kubernetes",
        "\u{212a}afka",
    ] {
        let html = site.page(&format!("/search?q={}", encode(q))).await;
        let titles = texts_of(&html, ".results h3 a");
        assert!(
            titles.iter().any(|t| t.contains("İstanbul")),
            "{q}: the document is found: {titles:?}"
        );
        assert!(
            !texts_of(&html, ".snippet mark").is_empty(),
            "{q}: a word is marked"
        );
    }
    let html = site.page("/incidents/2024-04-01-case-changing").await;
    assert!(texts_of(&html, "h1")[0].contains("İstanbul ẞ \u{212a}elvin Ⱥ outage"));
}
