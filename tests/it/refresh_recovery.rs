//! An import records "related incidents and links to recompute" in the same transaction
//! as its data, so a process killed between its last commit and that recomputation
//! leaves the work for the next import or `serve` start instead of empty related
//! incidents for good; and a full disk is named with the file being imported.
//! Real processes killed with SIGKILL, a real SQLite file, a real tmpfs.

use crate::support::{ProcessGroup, aftermath, aftermath_command, serve, texts};
use sqlx::{Connection, SqliteConnection};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

/// Synthetic postmortems: enough that recomputing related incidents takes a moment.
const DOCS: u64 = 400;

async fn connect(db: &Path) -> SqliteConnection {
    SqliteConnection::connect_with(
        &sqlx::sqlite::SqliteConnectOptions::new()
            .filename(db)
            .busy_timeout(Duration::from_secs(10)),
    )
    .await
    .unwrap()
}

async fn count(conn: &mut SqliteConnection, sql: &str) -> i64 {
    sqlx::query_scalar(sql)
        .fetch_one(&mut *conn)
        .await
        .unwrap_or(-1)
}

/// What a page of related incidents needs: (related rows, link rows, pending records).
async fn refresh_state(db: &Path) -> (i64, i64, i64) {
    let mut conn = connect(db).await;
    let state = (
        count(&mut conn, "select count(*) from related_incidents").await,
        count(&mut conn, "select count(*) from incident_links").await,
        count(&mut conn, "select count(*) from pending_refresh").await,
    );
    conn.close().await.unwrap();
    state
}

/// Runs `aftermath import` of `docs` into `db` and kills it with SIGKILL after its last
/// commit, before it recomputed related incidents: once every incident is stored, a
/// second connection takes the write lock (so the recomputation cannot commit) and the
/// import is killed. Returns false when the import was quicker than the poll (the
/// recomputation had already committed).
async fn import_killed_before_the_refresh(dir: &Path, db: &Path, docs: &Path) -> bool {
    let mut import = ProcessGroup::spawn(
        aftermath_command(dir)
            .arg("--database")
            .arg(db)
            .args(["import", "-q"])
            .arg(docs)
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    let started = Instant::now();
    let mut lock = None;
    while started.elapsed() < Duration::from_secs(240) {
        if let Ok(Some(status)) = import.0.try_wait() {
            panic!("the import ended before it could be killed: {status}");
        }
        if db.exists() {
            let mut conn = connect(db).await;
            let stored = count(&mut conn, "select count(*) from incidents").await;
            if stored == DOCS as i64 {
                sqlx::query("begin immediate")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                lock = Some(conn);
                break;
            }
            conn.close().await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let mut lock = lock.expect("the import stored every file within four minutes");
    // SAFETY: signalling the child this test started; no memory is touched.
    unsafe { libc::kill(import.0.id() as libc::pid_t, libc::SIGKILL) };
    let _ = import.0.wait();
    let pending = count(&mut lock, "select count(*) from pending_refresh").await;
    sqlx::query("rollback").execute(&mut lock).await.unwrap();
    lock.close().await.unwrap();
    pending == 2
}

/// A corpus imported and killed before the refresh, in a fresh folder.
async fn killed_site(docs: &Path) -> (tempfile::TempDir, std::path::PathBuf) {
    for _ in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("a.db");
        if import_killed_before_the_refresh(dir.path(), &db, docs).await {
            return (dir, db);
        }
    }
    panic!("the import finished its refresh before it could be killed, three times");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_kill_between_the_last_commit_and_the_refresh_is_finished_by_the_next_start() {
    let corpus = tempfile::tempdir().unwrap();
    let docs = corpus.path().join("incidents");
    aftermath::synth::write_corpus(&docs, 7, DOCS).unwrap();

    // Killed, then imported again with nothing changed: the import finishes the work.
    let (dir, db) = killed_site(&docs).await;
    let (related, _, pending) = refresh_state(&db).await;
    assert_eq!(related, 0, "the kill came after the refresh");
    assert_eq!(
        pending, 2,
        "the data's transaction did not record the refresh"
    );
    let out = aftermath(
        &[
            "--database",
            db.to_str().unwrap(),
            "import",
            "-q",
            docs.to_str().unwrap(),
        ],
        dir.path(),
    );
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("imported 0, unchanged 400"), "{stdout}");
    let (related, _, pending) = refresh_state(&db).await;
    assert!(related > DOCS as i64, "related incidents: {related}");
    assert_eq!(pending, 0);

    // Killed, then the server starts (with no folder to import): it finishes the work,
    // and incident pages list related incidents again.
    let (dir, db) = killed_site(&docs).await;
    assert_eq!(refresh_state(&db).await.0, 0);
    let (url, _server) = serve(
        aftermath_command(dir.path())
            .arg("--database")
            .arg(&db)
            .arg("serve"),
    );
    let started = Instant::now();
    let mut state = refresh_state(&db).await;
    while state.2 > 0 && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(100)).await;
        state = refresh_state(&db).await;
    }
    assert!(
        state.0 > DOCS as i64,
        "related incidents after restart: {state:?}"
    );
    assert_eq!(state.2, 0, "the refresh is still pending after a minute");
    let slug: String = {
        let mut conn = connect(&db).await;
        let slug = sqlx::query_scalar(
            "select i.slug from incidents i join related_incidents r on r.incident_id = i.id
             order by i.id limit 1",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        conn.close().await.unwrap();
        slug
    };
    let page = crate::support::http(&url, "GET", &format!("/incidents/{slug}"), None);
    assert_eq!(page.0, 200);
    let html = scraper::Html::parse_document(&page.1);
    let related = crate::support::texts_of(&html, "section.related a[href^='/incidents/']");
    assert!(!related.is_empty(), "no related incident linked on {slug}");
}

/// A tmpfs of `size`, unmounted when dropped; `None` unless this process may mount.
struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    fn mount(size: &str) -> Option<Tmpfs> {
        // SAFETY: geteuid only reads the process's credentials.
        if unsafe { libc::geteuid() } != 0 {
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        ok.then_some(Tmpfs(dir))
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount")
            .arg("-l")
            .arg(self.0.path())
            .status();
    }
}

#[test]
fn an_import_onto_a_full_disk_names_the_file_and_the_next_import_completes_it() {
    let Some(disk) = Tmpfs::mount("3m") else {
        eprintln!("skipped: mounting a tmpfs needs root (the disk-full path is not exercised)");
        return;
    };
    let corpus = tempfile::tempdir().unwrap();
    let docs = corpus.path().join("incidents");
    // About 1.4 MB of text: stored twice over (document, search index) it fills 3 MB.
    aftermath::synth::write_corpus(&docs, 11, 150).unwrap();
    let db = disk.0.path().join("a.db");
    let import = || {
        aftermath(
            &[
                "--database",
                db.to_str().unwrap(),
                "import",
                "-q",
                docs.to_str().unwrap(),
            ],
            corpus.path(),
        )
    };
    let out = import();
    let (stdout, stderr) = texts(&out);
    assert!(!out.status.success(), "the disk never filled:\n{stdout}");
    assert!(
        stderr.contains("the disk is full while importing ")
            && stderr.contains(docs.to_str().unwrap()),
        "{stderr}"
    );
    // Room again, on a bigger disk: the next import stores the rest and the related
    // incidents of all.
    let status = std::process::Command::new("mount")
        .args(["-o", "remount,size=64m"])
        .arg(disk.0.path())
        .status()
        .unwrap();
    assert!(status.success());
    let out = import();
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("failed 0"), "{stdout}");
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (related, _, pending) = rt.block_on(refresh_state(&db));
    assert!(related > 0);
    assert_eq!(pending, 0);
}
