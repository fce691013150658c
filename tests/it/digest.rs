//! The weekly digest: a golden file of the composed digest over the sample incidents,
//! real sends to an aiosmtpd server on loopback (STARTTLS and AUTH required), the
//! scheduler's once-per-week guarantee across restarts and outages, and the HTML part
//! rendered in headless Chromium.

use crate::chromium::Browser;
use crate::support::{aftermath, copy_incidents, free_port, root, texts};
use aftermath::config::DigestConfig;
use aftermath::db::digest as store;
use aftermath::digest::{self, DigestSettings, Run};
use jiff::Timestamp;
use serde_json::Value;
use sqlx::SqlitePool;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The day the fixture digest is composed for: Monday 2026-11-30.
pub(crate) const AS_OF: &str = "2026-11-30";
const BASE_URL: &str = "https://aftermath.example.org";

/// A database with the sample incidents and fixed times, owners, due dates and
/// statuses, so that every section of the digest has something in it.
pub(crate) struct Fixture {
    pub(crate) dir: tempfile::TempDir,
    pub(crate) db: PathBuf,
    pub(crate) pool: SqlitePool,
}

pub(crate) async fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    copy_incidents(&docs);
    let db = dir.path().join("digest.db");
    let pool = aftermath::db::open(&db).await.unwrap();
    let report = aftermath::import::import_paths(
        &pool,
        &[docs],
        &aftermath::import::Options {
            max_file_bytes: 1 << 20,
            allow_symlinks_outside: false,
        },
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.imported, 5);
    // Tests may shape data with SQL; the code under test never does outside db/.
    let setup = [
        "update incidents set imported_at = '2026-10-01T10:00:00Z'",
        "update incidents set imported_at = '2026-11-26T10:00:00Z' where slug = '2024-07-05-cernphone-outages'",
        "update actions set created_at = '2026-10-05T10:00:00Z', updated_at = '2026-11-20T10:00:00Z', completed_at = null",
        // Alice: two overdue (12 days and 1 day), one open, one done this week.
        "update actions set owner = 'Alice', due = '2026-11-18', status = 'open' where id = 'd0152dbab93b'",
        "update actions set owner = 'Alice', due = '2026-11-29' where id = 'f6bf931ed671'",
        "update actions set owner = 'Alice', created_at = '2026-10-01T09:00:00Z' where id = '844d863d663c'",
        "update actions set owner = 'Alice', status = 'done', completed_at = '2026-11-27T10:00:00Z' where id = 'a01475420936'",
        "insert into action_events (action_id, at, actor, origin, field, old_value, new_value)
         values ('a01475420936', '2026-11-27T10:00:00Z', 'alice', 'web', 'status', 'open', 'done')",
        // Imported in the week: one recent postmortem (listed), the CERNphone one from
        // 2024 (one line).
        "update incidents set imported_at = '2026-11-25T10:00:00Z', started = '2026-11-24' where slug = '2017-12-08-tacc-power-outage'",
        // Done before the window: not shown.
        "update actions set status = 'done', completed_at = '2026-10-10T10:00:00Z' where id = 'befc2e0edffb'",
        // An owner who is an address, not yet due.
        "update actions set owner = 'bob@example.org', due = '2026-12-15' where id = '2df9613c9066'",
        // An owner without an address, untouched for months: stale.
        "update actions set owner = 'Carol', updated_at = '2026-09-01T10:00:00Z' where id = '411a072f2155'",
        // Text from a document that must stay text in the HTML part.
        "update actions set text = 'Monitor <script>alert(1)</script> & \"queues\" <b>now</b>' where id = 'c5f5a70926e6'",
        // Removed from its document: never in a digest.
        "update actions set removed_at = '2026-11-01T10:00:00Z' where id = 'bc802e342154'",
        // Created after the as-of day: not in that week's digest.
        "update actions set created_at = '2026-12-01T10:00:00Z' where id = 'dea9bd127268'",
    ];
    for sql in setup {
        let done = sqlx::query(sql).execute(&pool).await.unwrap();
        assert!(
            done.rows_affected() > 0,
            "fixture statement matched nothing: {sql}"
        );
    }
    Fixture { dir, db, pool }
}

fn digest_config() -> DigestConfig {
    DigestConfig {
        base_url: Some(format!("{BASE_URL}/")),
        from: Some("Aftermath <aftermath@example.org>".into()),
        recipients: Some(vec!["team@example.org".into()]),
        owners: Some(BTreeMap::from([(
            "alice".to_string(),
            "Alice@Example.org".to_string(),
        )])),
        timezone: Some("UTC".into()),
        ..DigestConfig::default()
    }
}

pub(crate) const CONFIG_TOML: &str = r#"
[digest]
base_url = "https://aftermath.example.org/"
from = "Aftermath <aftermath@example.org>"
recipients = ["team@example.org"]
timezone = "UTC"
weekday = "monday"
time = "09:00"

[digest.owners]
alice = "Alice@Example.org"
"#;

fn golden_path() -> PathBuf {
    root().join("tests/golden/digest-2026-11-30.txt")
}

#[tokio::test]
async fn dry_run_digest_for_a_fixed_week_matches_the_golden_file() {
    let f = fixture().await;
    f.pool.close().await;
    let config = f.dir.path().join("aftermath.toml");
    std::fs::write(&config, CONFIG_TOML).unwrap();
    let out = aftermath(
        &[
            "--database",
            f.db.to_str().unwrap(),
            "--config",
            config.to_str().unwrap(),
            "digest",
            "--dry-run",
            "--html",
            "--as-of",
            AS_OF,
        ],
        f.dir.path(),
    );
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(golden_path().parent().unwrap()).unwrap();
        std::fs::write(golden_path(), &stdout).unwrap();
    }
    let golden = std::fs::read_to_string(golden_path())
        .expect("golden file missing: run with UPDATE_GOLDEN=1 and review it");
    assert_eq!(
        stdout, golden,
        "the digest changed: rerun with UPDATE_GOLDEN=1 and review the diff"
    );
}

#[tokio::test]
async fn the_digest_has_every_section_in_order_and_only_what_belongs() {
    let f = fixture().await;
    let settings = DigestSettings::resolve(Some(&digest_config()), None).unwrap();
    let messages = digest::compose_run(&f.pool, &settings, &fixed_run())
        .await
        .unwrap();
    let recipients: Vec<&str> = messages.iter().map(|m| m.recipient.as_str()).collect();
    assert_eq!(
        recipients,
        ["team@example.org", "alice@example.org", "bob@example.org"]
    );
    let team = &messages[0].rendered;
    assert_eq!(team.subject, "Aftermath weekly: 2 overdue, 16 open, 1 done");
    let order = [
        "OVERDUE (2)",
        "OPEN, BY OWNER",
        "NO OWNER",
        "STALE: NO CHANGE IN 30 DAYS (1)",
        "DONE IN THE LAST 7 DAYS (1)",
        "NEW POSTMORTEMS (1)",
        "1 older postmortem was added",
    ];
    let positions: Vec<usize> = order
        .iter()
        .map(|h| team.text.find(h).unwrap_or_else(|| panic!("{h} missing")))
        .collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    assert!(team.text.contains("12 days overdue"));
    assert!(team.text.contains("1 day overdue"));
    assert!(
        team.text
            .contains("Carol (1) - no address, not mailed separately")
    );
    assert!(!team.text.contains("bc802e342154"), "removed action listed");
    assert!(!team.text.contains("dea9bd127268"), "future action listed");
    assert!(
        !team.text.contains("befc2e0edffb"),
        "old done action listed"
    );
    // The text part is not HTML-escaped.
    assert!(
        team.text
            .contains("Monitor <script>alert(1)</script> & \"queues\"")
    );

    let alice = &messages[1].rendered;
    assert_eq!(alice.subject, "Aftermath weekly: 2 overdue, 3 open, 1 done");
    for id in [
        "d0152dbab93b",
        "f6bf931ed671",
        "844d863d663c",
        "a01475420936",
    ] {
        assert!(
            alice.text.contains(&format!("{BASE_URL}/actions/{id}")),
            "{id}"
        );
    }
    assert_eq!(alice.text.matches("/actions/").count(), 4);
    assert!(!alice.text.contains("NEW POSTMORTEMS"));
    let bob = &messages[2].rendered;
    assert_eq!(bob.subject, "Aftermath weekly: 0 overdue, 1 open, 0 done");
}

#[tokio::test]
async fn a_past_week_shows_each_action_as_it_stood_then() {
    let f = fixture().await;
    // After the as-of time, Alice's open action was handed to Dave, given a new due
    // date and closed; the history records each change.
    for sql in [
        "update actions set owner = 'Dave', due = '2026-12-20', status = 'done',
            completed_at = '2026-12-01T12:00:00Z', updated_at = '2026-12-01T12:00:00Z'
         where id = 'f6bf931ed671'",
        "insert into action_events (action_id, at, actor, origin, field, old_value, new_value) values
            ('f6bf931ed671', '2026-12-01T11:00:00Z', 'dave', 'web', 'owner', 'Alice', 'Dave'),
            ('f6bf931ed671', '2026-12-01T11:30:00Z', 'dave', 'web', 'due', '2026-11-29', '2026-12-20'),
            ('f6bf931ed671', '2026-12-01T12:00:00Z', 'dave', 'web', 'status', 'open', 'done')",
        // Removed from its document after the as-of time: it was still there then.
        "update actions set removed_at = '2026-12-01T10:00:00Z' where id = '2df9613c9066'",
    ] {
        sqlx::query(sql).execute(&f.pool).await.unwrap();
    }
    let rows = store::actions(&f.pool, "2026-11-23T09:00:00Z", "2026-11-30T09:00:00Z")
        .await
        .unwrap();
    let row = |id: &str| {
        rows.iter()
            .find(|r| r.id == id)
            .unwrap_or_else(|| panic!("{id} missing"))
    };
    let handed = row("f6bf931ed671");
    assert_eq!(handed.owner.as_deref(), Some("Alice"));
    assert_eq!(handed.due.as_deref(), Some("2026-11-29"));
    assert_eq!(handed.status, "open");
    assert!(handed.open_at);
    assert_eq!(handed.completed_at, None);
    assert!(handed.updated_at.as_str() < "2026-11-30T09:00:00Z");
    assert!(row("2df9613c9066").open_at);

    // The week after, it is done, Dave's, and counted as closed that week.
    let rows = store::actions(&f.pool, "2026-11-30T09:00:00Z", "2026-12-07T09:00:00Z")
        .await
        .unwrap();
    let handed = rows.iter().find(|r| r.id == "f6bf931ed671").unwrap();
    assert_eq!(handed.owner.as_deref(), Some("Dave"));
    assert_eq!(handed.status, "done");
    assert!(!handed.open_at);
    assert!(
        !rows.iter().any(|r| r.id == "2df9613c9066"),
        "removed by then"
    );
}

#[tokio::test]
async fn the_html_part_escapes_document_text_and_links_every_item() {
    let f = fixture().await;
    let settings = DigestSettings::resolve(Some(&digest_config()), None).unwrap();
    let messages = digest::compose_run(&f.pool, &settings, &fixed_run())
        .await
        .unwrap();
    let html = scraper::Html::parse_document(&messages[0].rendered.html);
    let sel = |s: &str| scraper::Selector::parse(s).unwrap();
    assert_eq!(html.select(&sel("script")).count(), 0);
    assert_eq!(html.select(&sel("li.action b")).count(), 0);
    let texts: Vec<String> = html
        .select(&sel("li.action > a:first-child"))
        .map(|a| a.text().collect())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t == "Monitor <script>alert(1)</script> & \"queues\" <b>now</b>")
    );
    for a in html.select(&sel("li.action > a:first-child")) {
        let href = a.value().attr("href").unwrap();
        assert!(href.starts_with(&format!("{BASE_URL}/actions/")), "{href}");
    }
    for a in html.select(&sel("li.incident > a")) {
        let href = a.value().attr("href").unwrap();
        assert_eq!(
            href,
            format!("{BASE_URL}/incidents/2017-12-08-tacc-power-outage")
        );
    }
    let overdue: Vec<String> = html
        .select(&sel("#overdue + ul > li"))
        .map(|li| li.text().collect())
        .collect();
    assert_eq!(overdue.len(), 2);
    assert!(overdue[0].contains("12 days overdue"));
}

#[tokio::test]
async fn a_claimed_week_is_not_claimed_again_and_failures_are_visible() {
    let f = fixture().await;
    let p = &f.pool;
    let (a, b) = (holder(1001), holder(1002));
    // Times are in 2026: `claim(week, holder, "MM-DDTHH:MM:SS" now, lease end)`.
    let claim = |week: &'static str, by: &store::Holder, now: &str, until: &str| {
        let (by, now, until) = (by.clone(), format!("2026-{now}Z"), format!("2026-{until}Z"));
        async move {
            store::claim(p, week, "a@x.org", "team", &by, &now, &until)
                .await
                .unwrap()
        }
    };
    let at = |t: &str| format!("2026-{t}Z");
    assert!(claim("2026-W49", &a, "11-30T09:00:00", "11-30T09:02:00").await);
    assert!(!claim("2026-W49", &b, "11-30T09:00:01", "11-30T09:02:01").await);
    assert!(store::in_flight(p, "2026-W49").await.unwrap());
    // Renewed, the lease holds past its first end; a claim whose lease ran out (its
    // holder stopped renewing it) is taken over, once.
    let until = at("11-30T09:04:00");
    assert_eq!(store::renew(p, "2026-W49", &a, &until).await.unwrap(), 1);
    assert!(!claim("2026-W49", &b, "11-30T09:03:00", "11-30T09:05:00").await);
    assert!(claim("2026-W49", &b, "11-30T09:04:01", "11-30T09:06:01").await);
    assert!(!claim("2026-W49", &a, "11-30T09:04:02", "11-30T09:06:02").await);
    // The old holder can no longer renew or release it.
    let until = at("11-30T09:08:00");
    assert_eq!(store::renew(p, "2026-W49", &a, &until).await.unwrap(), 0);
    assert!(
        !store::release_from(p, "2026-W49", "a@x.org", &a)
            .await
            .unwrap()
    );
    assert!(claim("2026-W50", &a, "12-07T09:00:00", "12-07T09:02:00").await);
    assert_eq!(store::last_failure(p).await.unwrap(), None);
    store::attempt_failed(p, "2026-W49", "a@x.org", "smtp: connection refused")
        .await
        .unwrap();
    store::mark_failed(p, "2026-W49", "a@x.org", &at("11-30T12:00:00"))
        .await
        .unwrap();
    assert!(!store::in_flight(p, "2026-W49").await.unwrap());
    let failure = store::last_failure(p).await.unwrap().unwrap();
    assert_eq!(failure.error, "smtp: connection refused");
    assert_eq!((failure.week.as_str(), failure.attempts), ("2026-W49", 1));
    // A failed send was not sent: the next run claims it again.
    assert!(claim("2026-W49", &a, "11-30T13:00:00", "11-30T13:02:00").await);
    store::mark_sent(p, "2026-W49", "a@x.org", None, &at("11-30T13:00:05"))
        .await
        .unwrap();
    // A sent message is never claimed again, whatever its age, nor released.
    assert!(!claim("2026-W49", &b, "12-31T00:00:00", "12-31T00:02:00").await);
    assert_eq!(store::release_week(p, "2026-W49").await.unwrap(), 0);
    // A stuck claim is freed by a release of its week.
    assert_eq!(store::release_week(p, "2026-W50").await.unwrap(), 1);
    assert!(claim("2026-W50", &b, "12-07T09:00:30", "12-07T09:02:30").await);
    // A failure is cleared by a later week reaching the same address.
    store::mark_failed(p, "2026-W50", "a@x.org", &at("12-07T09:00:35"))
        .await
        .unwrap();
    assert_eq!(
        store::last_failure(p).await.unwrap().unwrap().week,
        "2026-W50"
    );
    assert!(claim("2026-W51", &b, "12-14T09:00:00", "12-14T09:02:00").await);
    store::mark_sent(p, "2026-W51", "a@x.org", None, &at("12-14T09:00:05"))
        .await
        .unwrap();
    assert_eq!(store::last_failure(p).await.unwrap(), None);
}

/// A claim holder on this host with process id `pid`.
fn holder(pid: i64) -> store::Holder {
    store::Holder {
        pid,
        host: digest::claims::this_process().host,
    }
}

#[test]
fn plain_text_smtp_to_a_remote_host_is_refused_by_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    // An empty file is an empty SQLite database: the refusal is about the SMTP URL.
    std::fs::write(dir.path().join("x.db"), b"").unwrap();
    let out = aftermath(
        &[
            "--database",
            dir.path().join("x.db").to_str().unwrap(),
            "digest",
            "--smtp-url",
            "smtp://mail.example.org:25?tls=none",
        ],
        dir.path(),
    );
    let (_, stderr) = texts(&out);
    assert!(!out.status.success());
    assert!(stderr.contains("without TLS"), "{stderr}");
}

/// The scheduled run for Monday 2026-11-30 09:00 UTC.
fn fixed_run() -> Run {
    let at: Timestamp = "2026-11-30T09:00:00Z".parse().unwrap();
    Run::scheduled(at.to_zoned_datetime(jiff::tz::TimeZone::UTC))
}

// ---------------------------------------------------------------------------------
// A real SMTP server on loopback.

const SMTP_USER: &str = "digest";
pub(crate) const SMTP_PASSWORD: &str = "s3cret-pass";

/// Python with aiosmtpd: `AFTERMATH_TEST_PYTHON`, the venv `scripts/test` makes, or
/// `python3`.
fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("AFTERMATH_TEST_PYTHON") {
        return p.into();
    }
    let venv = root().join("target/pyvenv/bin/python");
    if venv.exists() {
        venv
    } else {
        "python3".into()
    }
}

/// A self-signed certificate for 127.0.0.1, made at test time.
fn make_cert(dir: &Path) -> (PathBuf, PathBuf) {
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let status = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=localhost"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("running openssl");
    assert!(status.success(), "openssl req failed");
    (cert, key)
}

/// aiosmtpd in a child process; killed on drop. Received messages land as JSON files.
pub(crate) struct SmtpServer {
    child: Option<Child>,
    port: u16,
    inbox: PathBuf,
    cert: PathBuf,
    key: PathBuf,
}

impl SmtpServer {
    pub(crate) fn start(dir: &Path) -> SmtpServer {
        let (cert, key) = make_cert(dir);
        let mut server = SmtpServer {
            child: None,
            port: free_port(),
            inbox: dir.join("inbox"),
            cert,
            key,
        };
        server.restart();
        server
    }

    /// Starts (again) on the same port; waits until it accepts connections.
    pub(crate) fn restart(&mut self) {
        let mut child = Command::new(python())
            .arg(root().join("tests/digest/smtp_server.py"))
            .arg(self.port.to_string())
            .arg(&self.inbox)
            .arg(&self.cert)
            .arg(&self.key)
            .args([SMTP_USER, SMTP_PASSWORD])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("starting the aiosmtpd test server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(20)).unwrap_or_default();
        self.child = Some(child);
        assert_eq!(
            line.trim(),
            "ready",
            "aiosmtpd did not start (is it installed?)"
        );
    }

    pub(crate) fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("smtp://{SMTP_USER}@127.0.0.1:{}?tls=required", self.port)
    }

    /// Every message received so far, oldest first.
    pub(crate) fn messages(&self) -> Vec<Value> {
        let Ok(entries) = std::fs::read_dir(&self.inbox) else {
            return Vec::new();
        };
        let mut paths: Vec<PathBuf> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        paths.sort();
        paths
            .iter()
            .map(|p| serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap())
            .collect()
    }

    /// Waits (bounded) until at least `n` messages arrived.
    pub(crate) async fn wait_for(&self, n: usize, limit: Duration) -> Vec<Value> {
        let start = Instant::now();
        for _ in 0..2000 {
            let messages = self.messages();
            if messages.len() >= n || start.elapsed() > limit {
                return messages;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.messages()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.stop();
    }
}

pub(crate) fn smtp_settings(server: &SmtpServer, clock_at: &str) -> DigestSettings {
    let mut config = digest_config();
    config.smtp_url = Some(server.url());
    config.smtp_accept_invalid_certs = Some(true);
    let mut settings = DigestSettings::resolve(Some(&config), None).unwrap();
    settings.smtp.as_mut().unwrap().password = Some(SMTP_PASSWORD.to_string());
    settings.smtp.as_mut().unwrap().timeout = Duration::from_secs(5);
    let now: Timestamp = clock_at.parse().unwrap();
    settings.clock = Arc::new(move || now);
    settings.poll = Duration::from_millis(50);
    settings.retry_delays = vec![Duration::from_millis(200); 40];
    settings
}

pub(crate) fn to_of(m: &Value) -> String {
    m["rcpt_tos"][0].as_str().unwrap().to_string()
}

fn part<'a>(m: &'a Value, kind: &str) -> &'a str {
    m["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == kind)
        .and_then(|p| p["content"].as_str())
        .unwrap_or_else(|| panic!("no {kind} part"))
}

#[tokio::test]
#[ignore = "needs aiosmtpd and openssl"]
async fn smtp_delivers_team_and_owner_digests_with_both_parts_and_links() {
    let f = fixture().await;
    let server = SmtpServer::start(f.dir.path());
    let settings = smtp_settings(&server, "2026-12-02T12:00:00Z");
    let backend = settings.smtp_backend().unwrap();
    let outcome = digest::deliver(&f.pool, &settings, &backend, &fixed_run())
        .await
        .unwrap();
    assert_eq!(outcome.sent.len(), 3, "{outcome:?}");
    let messages = server.wait_for(3, Duration::from_secs(10)).await;
    assert_eq!(messages.len(), 3);
    let mut by_to: BTreeMap<String, &Value> = BTreeMap::new();
    for m in &messages {
        assert_eq!(m["tls"], true, "sent without STARTTLS");
        assert_eq!(m["authenticated"], true, "sent without AUTH");
        assert_eq!(m["content_type"], "multipart/alternative");
        assert_eq!(m["mail_from"], "aftermath@example.org");
        let h = &m["headers"];
        assert_eq!(h["from"], "Aftermath <aftermath@example.org>");
        assert!(h["message-id"].as_str().unwrap().contains('@'));
        assert!(h.get("date").is_some());
        let types: Vec<&str> = m["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["type"].as_str().unwrap())
            .collect();
        assert_eq!(types, ["text/plain", "text/html"]);
        by_to.insert(to_of(m), m);
    }
    let team = by_to["team@example.org"];
    assert_eq!(team["headers"]["to"], "team@example.org");
    assert_eq!(
        team["headers"]["subject"],
        "Aftermath weekly: 2 overdue, 16 open, 1 done"
    );
    assert!(part(team, "text/plain").contains(&format!("{BASE_URL}/actions/411a072f2155")));
    let html = scraper::Html::parse_document(part(team, "text/html"));
    let links = scraper::Selector::parse("a[href]").unwrap();
    let hrefs: Vec<&str> = html
        .select(&links)
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(hrefs.contains(&format!("{BASE_URL}/incidents/2024-07-05-cernphone-outages").as_str()));
    assert!(hrefs.contains(&format!("{BASE_URL}/actions/d0152dbab93b").as_str()));

    let alice = by_to["alice@example.org"];
    assert_eq!(
        alice["headers"]["subject"],
        "Aftermath weekly: 2 overdue, 3 open, 1 done"
    );
    let text = part(alice, "text/plain");
    assert_eq!(text.matches("/actions/").count(), 4);
    assert!(
        !text.contains("411a072f2155"),
        "Carol's action in Alice's digest"
    );
    let bob = by_to["bob@example.org"];
    assert_eq!(part(bob, "text/plain").matches("/actions/").count(), 1);
    assert!(part(bob, "text/plain").contains(&format!("{BASE_URL}/actions/2df9613c9066")));

    let sends = store::sends(&f.pool, "2026-W49").await.unwrap();
    assert_eq!(sends.len(), 3);
    assert!(
        sends
            .iter()
            .all(|s| s.state == "sent" && s.message_id.is_some())
    );
}

#[tokio::test]
#[ignore = "needs aiosmtpd and openssl"]
async fn a_scheduler_restarted_mid_week_and_a_second_process_send_no_duplicate() {
    let f = fixture().await;
    let server = SmtpServer::start(f.dir.path());
    // Wednesday of the week: Monday's send was missed while no server ran.
    let settings = smtp_settings(&server, "2026-12-02T12:00:00Z");
    // Two "processes" on one database at once.
    let second_pool = aftermath::db::open(&f.db).await.unwrap();
    let a = digest::spawn_scheduler(f.pool.clone(), settings.clone());
    let b = digest::spawn_scheduler(second_pool.clone(), settings.clone());
    let messages = server.wait_for(3, Duration::from_secs(20)).await;
    assert_eq!(messages.len(), 3);
    // Restart mid-week: the old one stops, a new one starts on the same database.
    a.abort();
    let _ = a.await;
    let c = digest::spawn_scheduler(f.pool.clone(), settings.clone());
    tokio::time::sleep(Duration::from_millis(1500)).await;
    b.abort();
    c.abort();
    let messages = server.messages();
    let mut recipients: Vec<String> = messages.iter().map(to_of).collect();
    recipients.sort();
    assert_eq!(
        recipients,
        ["alice@example.org", "bob@example.org", "team@example.org"],
        "a duplicate was sent"
    );
    // The week after, the scheduler sends again, once.
    let next_week = smtp_settings(&server, "2026-12-07T09:00:01Z");
    let d = digest::spawn_scheduler(f.pool.clone(), next_week);
    let messages = server.wait_for(6, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    d.abort();
    assert_eq!(server.messages().len(), 6, "{messages:?}");
    assert_eq!(store::sends(&f.pool, "2026-W50").await.unwrap().len(), 3);
}

#[tokio::test]
#[ignore = "needs aiosmtpd and openssl"]
async fn a_send_failing_while_the_server_is_down_is_retried_and_arrives_once() {
    let f = fixture().await;
    let mut server = SmtpServer::start(f.dir.path());
    server.stop();
    let mut settings = smtp_settings(&server, "2026-12-02T12:00:00Z");
    settings.recipients = vec!["team@example.org".into()];
    settings.owners.clear();
    // Only the team digest: owners who are addresses still get theirs, so count by
    // recipient below.
    let handle = digest::spawn_scheduler(f.pool.clone(), settings);
    // See the failure being retried.
    let start = Instant::now();
    let mut attempts = 0;
    while start.elapsed() < Duration::from_secs(15) {
        let sends = store::sends(&f.pool, "2026-W49").await.unwrap();
        if let Some(s) = sends.iter().find(|s| s.recipient == "team@example.org") {
            attempts = s.attempts;
            if attempts >= 2 {
                assert_eq!(s.state, "sending");
                assert!(
                    s.last_error.as_deref().unwrap_or("").contains("smtp"),
                    "{s:?}"
                );
                assert!(!s.last_error.as_deref().unwrap().contains(SMTP_PASSWORD));
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(attempts >= 2, "no retry seen");
    assert!(server.messages().is_empty());
    server.restart();
    let _ = server.wait_for(2, Duration::from_secs(15)).await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    handle.abort();
    let to_team = server
        .messages()
        .iter()
        .filter(|m| to_of(m) == "team@example.org")
        .count();
    assert_eq!(to_team, 1);
    let sends = store::sends(&f.pool, "2026-W49").await.unwrap();
    let team = sends
        .iter()
        .find(|s| s.recipient == "team@example.org")
        .unwrap();
    assert_eq!(team.state, "sent");
    assert!(team.attempts >= 3);
    assert_eq!(store::last_failure(&f.pool).await.unwrap(), None);
}

#[tokio::test]
#[ignore = "needs aiosmtpd and openssl"]
async fn a_send_that_never_succeeds_is_recorded_as_the_last_failure() {
    let f = fixture().await;
    let mut server = SmtpServer::start(f.dir.path());
    server.stop();
    let mut settings = smtp_settings(&server, "2026-12-02T12:00:00Z");
    settings.retry_delays = vec![Duration::from_millis(50); 2];
    let backend = settings.smtp_backend().unwrap();
    let outcome = digest::deliver(&f.pool, &settings, &backend, &fixed_run())
        .await
        .unwrap();
    assert_eq!(outcome.failed.len(), 3);
    let failure = store::last_failure(&f.pool).await.unwrap().unwrap();
    assert_eq!(failure.attempts, 3);
    assert_eq!(failure.week, "2026-W49");
    assert!(!failure.error.contains(SMTP_PASSWORD));
}

#[tokio::test]
#[ignore = "needs aiosmtpd and openssl"]
async fn the_cli_sends_once_per_week_with_the_password_from_the_environment() {
    let f = fixture().await;
    f.pool.close().await;
    let server = SmtpServer::start(f.dir.path());
    let config = f.dir.path().join("aftermath.toml");
    let text = CONFIG_TOML.replace(
        "[digest]\n",
        &format!(
            "[digest]\nsmtp_url = {:?}\nsmtp_accept_invalid_certs = true\n",
            server.url()
        ),
    );
    std::fs::write(&config, text).unwrap();
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_aftermath"))
            .args([
                "--database",
                f.db.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
            ])
            .args(["digest", "--as-of", AS_OF])
            .current_dir(f.dir.path())
            .env_remove("AFTERMATH_SMTP_URL")
            .env("AFTERMATH_SMTP_PASSWORD", SMTP_PASSWORD)
            .output()
            .unwrap()
    };
    let first = run();
    let (stdout, stderr) = texts(&first);
    assert!(first.status.success(), "{stderr}");
    assert!(!stderr.contains(SMTP_PASSWORD));
    assert_eq!(
        stdout.matches("sent 2026-W49 digest to").count(),
        3,
        "{stdout}"
    );
    assert_eq!(server.wait_for(3, Duration::from_secs(10)).await.len(), 3);
    let second = run();
    let (stdout, _) = texts(&second);
    assert!(second.status.success());
    assert_eq!(
        stdout.matches("already sent 2026-W49 digest to").count(),
        3,
        "{stdout}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.messages().len(), 3);
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver"]
async fn the_html_part_renders_in_headless_chromium() {
    let f = fixture().await;
    let settings = DigestSettings::resolve(Some(&digest_config()), None).unwrap();
    let messages = digest::compose_run(&f.pool, &settings, &fixed_run())
        .await
        .unwrap();
    let page = f.dir.path().join("digest.html");
    std::fs::write(&page, &messages[0].rendered.html).unwrap();
    let browser = Browser::start(900, 1400).await;
    browser.goto(&format!("file://{}", page.display())).await;
    let title = browser.title().await;
    let script = "return Array.from(document.querySelectorAll('h2')).map(h => h.innerText + '|' + getComputedStyle(h).display);";
    let headings = browser.execute(script).await;
    let shot = browser.screenshot("digest-html").await;
    browser.close().await;
    assert_eq!(title, "Aftermath weekly: 2 overdue, 16 open, 1 done");
    let headings: Vec<String> = headings
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h.as_str().unwrap().to_string())
        .collect();
    assert_eq!(headings.len(), 6, "{headings:?}");
    assert!(headings[0].starts_with("Overdue (2)|block"));
    assert!(std::fs::read(shot).unwrap().starts_with(b"\x89PNG"));
}
