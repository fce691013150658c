//! What an operator relies on: an online backup that holds every acknowledged write,
//! an integrity check that names the damaged pages (and a server that says so instead
//! of failing with 500s), `/healthz` and `/readyz`, `/metrics` on its own address,
//! one JSON log line per request, a port bound before the start-up import, and a
//! shutdown deadline that a half-sent request cannot hold up. The real binary, real
//! SQLite files, servers on 127.0.0.1.

use crate::support::{
    self, ProcessGroup, aftermath, aftermath_command, copy_incidents, free_port, http,
    http_exchange, serve_logging, texts,
};
use serde_json::Value;
use sqlx::{Connection, SqliteConnection};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The sample incidents imported into `a.db` in a fresh folder with no `incidents/`
/// folder of its own, so `serve` started there imports nothing.
fn imported_site() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    copy_incidents(&docs);
    let db = dir.path().join("a.db");
    let out = aftermath(&["--database", "a.db", "import", "-q", "docs"], dir.path());
    assert!(out.status.success(), "{:?}", texts(&out));
    (dir, db)
}

/// `aftermath --database a.db serve EXTRA…` in `dir`, its log in `dir/serve.log`, once
/// its start-up import is done.
fn serve_in(dir: &Path, global: &[&str], extra: &[&str]) -> (String, ProcessGroup, PathBuf) {
    let log = dir.join("serve.log");
    let mut command = aftermath_command(dir);
    command
        .args(["--database", "a.db"])
        .args(global)
        .arg("serve")
        .args(extra);
    let (url, server) = serve_logging(&mut command, Some(&log));
    (url, server, log)
}

async fn connect(db: &Path) -> SqliteConnection {
    SqliteConnection::connect_with(
        &sqlx::sqlite::SqliteConnectOptions::new()
            .filename(db)
            .busy_timeout(Duration::from_secs(10)),
    )
    .await
    .unwrap()
}

/// Waits (bounded) until `f` holds, polling every 50 ms.
fn eventually(what: &str, limit: Duration, mut f: impl FnMut() -> bool) {
    let started = Instant::now();
    while !f() {
        assert!(started.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_while_writing_passes_its_check_and_holds_every_acknowledged_write() {
    let (dir, db) = imported_site();
    let out = aftermath(&["--database", "a.db", "actions", "--json"], dir.path());
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let id = rows[0]["id"].as_str().unwrap().to_string();
    let (url, _server, _) = serve_in(dir.path(), &[], &["--single-user"]);

    // One writer, each write acknowledged (200) before the next: notes "write N".
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let acknowledged = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let writer = {
        let (stop, acknowledged, url, id) =
            (stop.clone(), acknowledged.clone(), url.clone(), id.clone());
        std::thread::spawn(move || {
            let started = Instant::now();
            for n in 1..=5000 {
                if stop.load(std::sync::atomic::Ordering::Acquire)
                    || started.elapsed() > Duration::from_secs(120)
                {
                    break;
                }
                let body = format!(r#"{{"note":"write {n}"}}"#);
                let (status, text) = http(&url, "POST", &format!("/api/actions/{id}"), Some(&body));
                assert_eq!(status, 200, "write {n}: {text}");
                acknowledged.store(n, std::sync::atomic::Ordering::Release);
            }
        })
    };
    eventually("50 acknowledged writes", Duration::from_secs(60), || {
        acknowledged.load(std::sync::atomic::Ordering::Acquire) >= 50
    });
    // What a plain copy of the file would hold, taken at the same moment.
    let plain = dir.path().join("plain-copy.db");
    let before = acknowledged.load(std::sync::atomic::Ordering::Acquire);
    std::fs::copy(&db, &plain).unwrap();
    let backup = dir.path().join("backup.db");
    let out = aftermath(&["--database", "a.db", "backup", "backup.db"], dir.path());
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("the copy passes its integrity check"),
        "{stdout}"
    );
    // Writes go on after the backup, still acknowledged.
    let after_backup = acknowledged.load(std::sync::atomic::Ordering::Acquire);
    eventually("writes after the backup", Duration::from_secs(60), || {
        acknowledged.load(std::sync::atomic::Ordering::Acquire) > after_backup + 10
    });
    stop.store(true, std::sync::atomic::Ordering::Release);
    writer.join().unwrap();

    let notes = |path: PathBuf| async move {
        let mut conn = connect(&path).await;
        let check: Vec<String> = sqlx::query_scalar("pragma integrity_check")
            .fetch_all(&mut conn)
            .await
            .unwrap();
        // A plain copy of the file alone may not even hold the tables yet: they are
        // still in the write-ahead log it left behind.
        let notes: Vec<String> = sqlx::query_scalar(
            "select new_value from action_events where field = 'note' and new_value like 'write %'",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap_or_default();
        conn.close().await.unwrap();
        let mut numbers: Vec<usize> = notes
            .iter()
            .map(|n| n.trim_start_matches("write ").parse().unwrap())
            .collect();
        numbers.sort();
        (check, numbers)
    };
    let (check, numbers) = notes(backup.clone()).await;
    assert_eq!(check, ["ok"]);
    // Every write acknowledged before the backup began, and a consistent snapshot: the
    // writes it holds are 1..=k with nothing missing in between.
    assert!(
        numbers.len() >= before,
        "{} of {before} writes",
        numbers.len()
    );
    assert_eq!(numbers, (1..=numbers.len()).collect::<Vec<_>>());
    // The backup left nothing beside itself and is not in WAL mode.
    assert!(!dir.path().join("backup.db-wal").exists());
    // A plain copy of the file alone misses acknowledged writes still in the log.
    let (_, in_plain) = notes(plain).await;
    assert!(
        in_plain.len() < before,
        "a plain copy held {} of {before} acknowledged writes",
        in_plain.len()
    );
    // A backup never overwrites.
    let out = aftermath(&["--database", "a.db", "backup", "backup.db"], dir.path());
    assert!(!out.status.success());
    assert!(texts(&out).1.contains("already exists"));
}

/// Makes every b-tree of `table` (the table and its indexes) unreadable: their root
/// pages are overwritten, as a failing disk might.
async fn damage(db: &Path, table: &str) {
    let mut conn = connect(db).await;
    sqlx::query("pragma wal_checkpoint(truncate)")
        .execute(&mut conn)
        .await
        .unwrap();
    let page_size: i64 = sqlx::query_scalar("pragma page_size")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    let roots: Vec<i64> = sqlx::query_scalar(
        "select rootpage from sqlite_schema where tbl_name = ? and rootpage > 0",
    )
    .bind(table)
    .fetch_all(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();
    assert!(!roots.is_empty());
    let mut file = std::fs::OpenOptions::new().write(true).open(db).unwrap();
    for root in roots {
        use std::io::Seek;
        file.seek(std::io::SeekFrom::Start(((root - 1) * page_size) as u64))
            .unwrap();
        file.write_all(&vec![0x5a; page_size as usize]).unwrap();
    }
    file.sync_all().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_names_the_damaged_pages_and_serve_says_so_instead_of_failing() {
    let (dir, db) = imported_site();
    let out = aftermath(&["--database", "a.db", "check"], dir.path());
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("ok: a.db passed the integrity check"),
        "{stdout}"
    );

    damage(&db, "related_incidents").await;
    let out = aftermath(&["--database", "a.db", "check"], dir.path());
    let (stdout, stderr) = texts(&out);
    assert!(!out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("damaged: a.db fails the integrity check"),
        "{stdout}"
    );
    assert!(
        stdout.contains("damaged tables: related_incidents"),
        "{stdout}"
    );
    assert!(
        stdout.contains("pages affected: related incidents and links on incident pages"),
        "{stdout}"
    );
    let out = aftermath(&["--database", "a.db", "check", "--quick"], dir.path());
    assert!(!out.status.success());
    assert!(texts(&out).0.contains("fails the quick check"));

    let (url, _server, log) = serve_in(dir.path(), &[], &[]);
    eventually("the start-up check", Duration::from_secs(30), || {
        http(&url, "GET", "/readyz", None).0 == 503
    });
    let (_, body) = http(&url, "GET", "/readyz", None);
    let ready: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(ready["status"], "not ready");
    let detail = ready["database"]["detail"].as_str().unwrap();
    assert!(detail.contains("related incidents"), "{detail}");
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("start-up check: the database is damaged; these pages may fail: related incidents and links on incident pages"),
        "{logged}"
    );
    // Pages that do not need the damaged table work, and say what is damaged; the
    // incident page, which does, says so with a 503 rather than a bare 500.
    let list = http_exchange(&url, "GET", "/incidents", None);
    assert_eq!(list.status, 200);
    let html = scraper::Html::parse_document(&list.body);
    let alerts = support::texts_of(&html, "main > p.alert");
    assert!(
        alerts
            .iter()
            .any(|a| a.contains("The database is damaged: related incidents")),
        "{alerts:?}"
    );
    let (status, body) = http(&url, "GET", "/incidents/2024-07-05-cernphone-outages", None);
    assert_eq!(status, 503, "{body}");
    assert!(
        body.contains("Part of the database behind this page is damaged"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_readiness_answer_json_without_identity_and_uncached() {
    let site = support::web_site(false).await;
    for path in ["/healthz", "/readyz"] {
        let page = site.get(path).await;
        assert_eq!(page.status, 200, "{path}: {}", page.body);
        assert_eq!(page.headers["content-type"], "application/json");
        assert_eq!(page.headers["cache-control"], "no-store");
    }
    let ready: Value = serde_json::from_str(&site.get("/readyz").await.body).unwrap();
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["import"]["detail"], "no import has run");
    assert_eq!(ready["database"]["ok"], true);
    // A digest that failed after its last retry: not ready, and why.
    let holder = aftermath::digest::claims::this_process();
    let now = aftermath::db::now();
    aftermath::db::digest::claim(
        &site.pool,
        "2026-W49",
        "team@example.org",
        "team",
        &holder,
        &now,
        &now,
    )
    .await
    .unwrap();
    aftermath::db::digest::attempt_failed(
        &site.pool,
        "2026-W49",
        "team@example.org",
        "smtp: refused",
    )
    .await
    .unwrap();
    aftermath::db::digest::mark_failed(&site.pool, "2026-W49", "team@example.org", &now)
        .await
        .unwrap();
    let page = site.get("/readyz").await;
    assert_eq!(page.status, 503);
    let ready: Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(ready["status"], "not ready");
    assert_eq!(ready["digest"]["ok"], false);
    assert!(
        ready["digest"]["detail"]
            .as_str()
            .unwrap()
            .contains("smtp: refused")
    );
    // Still up.
    assert_eq!(site.get("/healthz").await.status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_are_served_on_their_own_address_only() {
    let dir = tempfile::tempdir().unwrap();
    copy_incidents(&dir.path().join("incidents"));
    let port = free_port();
    let metrics_url = format!("http://127.0.0.1:{port}");
    let (url, server, _) = serve_in(
        dir.path(),
        &[],
        &[
            "--metrics-listen",
            &format!("127.0.0.1:{port}"),
            "--single-user",
        ],
    );
    eventually("the start-up import", Duration::from_secs(60), || {
        http(&url, "GET", "/readyz", None)
            .1
            .contains("last import ok")
    });
    assert_eq!(http(&url, "GET", "/metrics", None).0, 404);
    for path in [
        "/",
        "/incidents",
        "/incidents/2024-07-05-cernphone-outages",
        "/nowhere",
    ] {
        http(&url, "GET", path, None);
    }
    let out = aftermath(&["--database", "a.db", "actions", "--json"], dir.path());
    let rows: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let id = rows[0]["id"].as_str().unwrap();
    let (status, _) = http(
        &url,
        "POST",
        &format!("/api/actions/{id}"),
        Some(r#"{"note":"x"}"#),
    );
    assert_eq!(status, 200);

    let reply = http_exchange(&metrics_url, "GET", "/metrics", None);
    assert_eq!(reply.status, 200);
    assert!(
        reply
            .header("content-type")
            .unwrap()
            .starts_with("application/openmetrics-text"),
        "{}",
        reply.head
    );
    let text = reply.body;
    for line in [
        r#"aftermath_http_requests_total{route="/incidents/{slug}",method="GET",status="200"} 1"#,
        // /nowhere, and /metrics asked of the site.
        r#"aftermath_http_requests_total{route="unmatched",method="GET",status="404"} 2"#,
        r#"aftermath_http_requests_total{route="/api/actions/{id}",method="POST",status="200"} 1"#,
        r#"aftermath_write_duration_seconds_count{route="/api/actions/{id}",method="POST"} 1"#,
        r#"aftermath_http_request_duration_seconds_count{route="/",method="GET"} 1"#,
        r#"aftermath_import_files_total{outcome="imported"} 5"#,
        r#"aftermath_imports_total{outcome="ok"} 1"#,
        "aftermath_import_running 0",
        "aftermath_import_duration_seconds_count 1",
        "aftermath_digest_failing 0",
        "aftermath_database_damaged 0",
    ] {
        assert!(
            text.lines().any(|l| l == line),
            "no line {line} in:\n{text}"
        );
    }
    assert!(text.contains(r#"aftermath_http_request_duration_seconds_bucket{le="0.0005",route="/incidents",method="GET"}"#));
    let size = |file: &str| -> u64 {
        let prefix = format!(r#"aftermath_database_bytes{{file="{file}"}} "#);
        text.lines()
            .find_map(|l| l.strip_prefix(prefix.as_str()))
            .unwrap_or_else(|| panic!("no {file} size in:\n{text}"))
            .parse()
            .unwrap()
    };
    // The main file and its write-ahead log, where the import still is.
    assert!(size("main") + size("wal") > 100_000);
    // Nothing but /metrics there.
    assert_eq!(http(&metrics_url, "GET", "/", None).0, 404);
    drop(server);

    // Off by default: not on the site's address either.
    let (url, _server, _) = serve_in(dir.path(), &[], &[]);
    assert_eq!(http(&url, "GET", "/metrics", None).0, 404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_have_one_line_per_request_and_text_logs_no_escape_codes() {
    let (dir, _db) = imported_site();
    let (url, server, log) = serve_in(dir.path(), &["--log-format", "json"], &[]);
    for path in [
        "/incidents",
        "/incidents/2024-07-05-cernphone-outages",
        "/search?q=outage",
    ] {
        assert_eq!(http(&url, "GET", path, None).0, 200);
    }
    http(&url, "GET", "/no/such/page", None);
    drop(server);
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    // The harness's own /readyz polls aside.
    let requests: Vec<&Value> = lines
        .iter()
        .filter(|l| l["message"] == "request" && l["route"] != "/readyz")
        .collect();
    assert_eq!(requests.len(), 4, "{text}");
    let routes: Vec<&str> = requests
        .iter()
        .map(|r| r["route"].as_str().unwrap())
        .collect();
    assert_eq!(
        routes,
        ["/incidents", "/incidents/{slug}", "/search", "unmatched"]
    );
    for r in &requests {
        assert_eq!(r["level"], "INFO");
        assert_eq!(r["method"], "GET");
        assert!(r["duration_ms"].as_f64().unwrap() >= 0.0);
        assert!(r["timestamp"].is_string());
    }
    assert_eq!(requests[0]["status"], 200);
    assert_eq!(requests[3]["status"], 404);
    // What a visitor typed is not logged at info.
    assert!(!text.contains("outage"), "{text}");

    // Text logs written to a file carry no terminal escape codes.
    let (url, server, log) = serve_in(dir.path(), &[], &[]);
    assert_eq!(http(&url, "GET", "/incidents", None).0, 200);
    drop(server);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains("route=/incidents"), "{text}");
    assert!(text.contains("status=200"), "{text}");
    assert!(!text.contains('\u{1b}'), "escape codes in {text:?}");
}

#[test]
fn serve_listens_before_importing_and_pages_say_importing() {
    let dir = tempfile::tempdir().unwrap();
    aftermath::synth::write_corpus(&dir.path().join("incidents"), 3, 600).unwrap();
    let started = Instant::now();
    let mut command = aftermath_command(dir.path());
    command.args(["--database", "a.db", "serve"]);
    let (url, _server) = support::serve_while_importing(&mut command, None);
    let listening_after = started.elapsed();
    let page = http_exchange(&url, "GET", "/incidents", None);
    assert_eq!(page.status, 200);
    let html = scraper::Html::parse_document(&page.body);
    let notes = support::texts_of(&html, "main > p.note");
    assert!(
        notes.iter().any(|n| n.contains("Importing postmortems")),
        "no importing notice {listening_after:?} after start: {notes:?}"
    );
    let (_, ready) = http(&url, "GET", "/readyz", None);
    assert!(ready.contains(r#""detail":"importing""#), "{ready}");
    eventually("the start-up import", Duration::from_secs(300), || {
        http(&url, "GET", "/readyz", None)
            .1
            .contains("last import ok")
    });
    let page = http_exchange(&url, "GET", "/incidents", None);
    let html = scraper::Html::parse_document(&page.body);
    assert!(support::texts_of(&html, "main > p.note").is_empty());
}

#[test]
fn a_port_in_use_fails_at_once_before_importing() {
    let dir = tempfile::tempdir().unwrap();
    aftermath::synth::write_corpus(&dir.path().join("incidents"), 3, 600).unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let started = Instant::now();
    let out = crate::support::aftermath_within(
        &["--database", "a.db", "serve", "--listen", &addr],
        dir.path(),
        Duration::from_secs(60),
    );
    let (_, stderr) = texts(&out);
    assert!(!out.status.success());
    assert!(stderr.contains(&format!("listening on {addr}")), "{stderr}");
    assert!(stderr.contains("in use"), "{stderr}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    // Nothing was imported (nor even created).
    assert!(!dir.path().join("a.db").exists());
}

/// A connection to `url` that sent half a request line and nothing more.
fn half_sent_request(url: &str) -> std::net::TcpStream {
    let mut stream = std::net::TcpStream::connect(url.trim_start_matches("http://")).unwrap();
    stream.write_all(b"GET /incidents HT").unwrap();
    stream
}

#[test]
fn shutdown_has_a_deadline_that_a_half_sent_request_cannot_hold_up() {
    let (dir, _db) = imported_site();
    // Headers may take a minute: the deadline, not the header timeout, ends this one.
    std::fs::write(
        dir.path().join("aftermath.toml"),
        "[web]\nheader_timeout_secs = 60\n",
    )
    .unwrap();
    let (url, mut server, log) = serve_in(dir.path(), &[], &["--shutdown-timeout", "2"]);
    let _client = half_sent_request(&url);
    std::thread::sleep(Duration::from_millis(200));
    let started = Instant::now();
    // SAFETY: signalling the server this test started; no memory is touched.
    unsafe { libc::kill(server.0.id() as libc::pid_t, libc::SIGTERM) };
    let status = loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still running 10 s after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let took = started.elapsed();
    assert!(status.success(), "{status}");
    assert!(took >= Duration::from_millis(1900), "{took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    let logged = std::fs::read_to_string(&log).unwrap();
    assert!(
        logged.contains("shutdown deadline of 2 s passed"),
        "{logged}"
    );
}

#[test]
fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let (dir, _db) = imported_site();
    std::fs::write(
        dir.path().join("aftermath.toml"),
        "[web]\nheader_timeout_secs = 1\n",
    )
    .unwrap();
    let (url, _server, _) = serve_in(dir.path(), &[], &[]);
    let mut stream = half_sent_request(&url);
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let started = Instant::now();
    let mut reply = Vec::new();
    let _ = stream.read_to_end(&mut reply);
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "held open {took:?}");
    assert!(took >= Duration::from_millis(500), "closed after {took:?}");
    // Others are served all along.
    assert_eq!(http(&url, "GET", "/healthz", None).0, 200);
}
