//! The digest's claims tell the truth: a run interrupted while the SMTP server was down
//! leaves nothing that blocks the next run, "already sent" is said only of messages
//! the server accepted, a claim held elsewhere is listed by `--status` and freed by
//! `--release`, and a catch-up send is composed as of the moment it goes out. Real
//! processes, a real SQLite file and aiosmtpd on loopback.

use crate::digest::{AS_OF, CONFIG_TOML, SMTP_PASSWORD, SmtpServer, fixture, smtp_settings, to_of};
use crate::support::{ProcessGroup, texts};
use aftermath::db::digest as store;
use aftermath::digest;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The week `AS_OF` belongs to.
const WEEK: &str = "2026-W49";

/// `aftermath digest` over the fixture's database with `config`, its other arguments
/// `args`, and the SMTP password from the environment.
fn digest_command(dir: &Path, db: &Path, config: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aftermath"));
    command
        .arg("--database")
        .arg(db)
        .arg("--config")
        .arg(config)
        .arg("digest")
        .args(args)
        .current_dir(dir)
        .env_remove("AFTERMATH_SMTP_URL")
        .env_remove("AFTERMATH_DATABASE")
        .env("AFTERMATH_SMTP_PASSWORD", SMTP_PASSWORD);
    command
}

fn run(dir: &Path, db: &Path, config: &Path, args: &[&str]) -> Output {
    digest_command(dir, db, config, args).output().unwrap()
}

/// The fixture's config sending through `server`, retrying a failed send once after
/// `retry_secs`.
fn write_config(dir: &Path, server: &SmtpServer, retry_secs: u64) -> std::path::PathBuf {
    let config = dir.join("aftermath.toml");
    let text = CONFIG_TOML.replace(
        "[digest]\n",
        &format!(
            "[digest]\nsmtp_url = {:?}\nsmtp_accept_invalid_certs = true\nretry_delays_secs = [{retry_secs}]\n",
            server.url()
        ),
    );
    std::fs::write(&config, text).unwrap();
    config
}

/// Lines saying a message was sent now (not "already sent", not "not sent").
fn sent_lines(stdout: &str) -> usize {
    stdout
        .lines()
        .filter(|l| l.starts_with("sent 2026-W49 digest to "))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs aiosmtpd and openssl"]
async fn an_interrupted_digest_blocks_nothing_and_the_next_run_sends() {
    interrupted_then_sent(libc::SIGINT).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs aiosmtpd and openssl"]
async fn a_digest_killed_while_sending_leaves_no_claim_that_blocks_the_next_run() {
    // No handler runs on SIGKILL: the claims stay "sending" in the database, and only
    // their holder's pid and host tell the next run that nobody is sending them.
    interrupted_then_sent(libc::SIGKILL).await;
}

/// A run stopped by `signal` while the SMTP server is down, in its backoff with every
/// message claimed; then the server comes back and the next run sends each message
/// once, and only then calls them "already sent".
async fn interrupted_then_sent(signal: libc::c_int) {
    let f = fixture().await;
    let mut server = SmtpServer::start(f.dir.path());
    // The SMTP server is down, and the run waits ten minutes before its retry.
    server.stop();
    let config = write_config(f.dir.path(), &server, 600);
    let mut first = ProcessGroup::spawn(
        digest_command(f.dir.path(), &f.db, &config, &["--as-of", AS_OF])
            .stdout(Stdio::null())
            .stderr(Stdio::null()),
    );
    // Every message claimed and tried once: the run is in its backoff.
    let started = Instant::now();
    loop {
        let sends = store::sends(&f.pool, WEEK).await.unwrap();
        if sends.len() == 3 && sends.iter().all(|s| s.attempts >= 1) {
            assert!(sends.iter().all(|s| s.state == "sending"), "{sends:?}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the first run never tried: {sends:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let status = run(
        f.dir.path(),
        &f.db,
        &config,
        &["--as-of", AS_OF, "--status"],
    );
    let (stdout, stderr) = texts(&status);
    assert!(status.status.success(), "{stderr}");
    let pid = first.0.id();
    assert_eq!(
        stdout
            .matches(&format!("being sent by process {pid} on "))
            .count(),
        3,
        "{stdout}"
    );
    assert!(stdout.contains("(running)"), "{stdout}");
    // A second run meanwhile leaves the live holder's messages alone, and does not
    // call them sent.
    let meanwhile = run(f.dir.path(), &f.db, &config, &["--as-of", AS_OF]);
    let (stdout, _) = texts(&meanwhile);
    assert!(!stdout.contains("already sent"), "{stdout}");
    assert_eq!(
        stdout.matches("not sent 2026-W49 digest to").count(),
        3,
        "{stdout}"
    );

    // Ctrl-C, or a kill.
    // SAFETY: signalling the child this test started; no memory is touched.
    unsafe { libc::kill(pid as libc::pid_t, signal) };
    let _ = first.0.wait();
    let status = run(
        f.dir.path(),
        &f.db,
        &config,
        &["--as-of", AS_OF, "--status"],
    );
    let (stdout, _) = texts(&status);
    assert_eq!(stdout.matches("(gone)").count(), 3, "{stdout}");

    // The server is back: the next run sends all three, and says so.
    server.restart();
    let second = run(f.dir.path(), &f.db, &config, &["--as-of", AS_OF]);
    let (stdout, stderr) = texts(&second);
    assert!(second.status.success(), "{stdout}\n{stderr}");
    assert!(!stdout.contains("already sent"), "{stdout}");
    assert_eq!(sent_lines(&stdout), 3, "{stdout}");
    assert_eq!(server.wait_for(3, Duration::from_secs(10)).await.len(), 3);
    // Now, and only now, it is "already sent".
    let third = run(f.dir.path(), &f.db, &config, &["--as-of", AS_OF]);
    let (stdout, _) = texts(&third);
    assert_eq!(
        stdout.matches("already sent 2026-W49 digest to").count(),
        3,
        "{stdout}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(server.messages().len(), 3);
    let sends = store::sends(&f.pool, WEEK).await.unwrap();
    assert!(
        sends
            .iter()
            .all(|s| s.state == "sent" && s.message_id.is_some())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs aiosmtpd and openssl"]
async fn a_claim_held_on_another_host_is_listed_and_released_by_hand() {
    let f = fixture().await;
    let server = SmtpServer::start(f.dir.path());
    let config = write_config(f.dir.path(), &server, 1);
    // Another machine is sending the team digest, its lease running for a day; the
    // claim on Alice's is a day past its lease.
    let elsewhere = store::Holder {
        pid: 4242,
        host: "other-host.example".into(),
    };
    let claim = |recipient: &'static str, until: &'static str| {
        let elsewhere = elsewhere.clone();
        let pool = f.pool.clone();
        async move {
            let now = aftermath::db::now();
            store::claim(&pool, WEEK, recipient, "team", &elsewhere, &now, until)
                .await
                .unwrap()
        }
    };
    assert!(claim("team@example.org", "2999-01-01T00:00:00Z").await);
    assert!(claim("alice@example.org", "2000-01-01T00:00:00Z").await);

    let out = run(f.dir.path(), &f.db, &config, &["--as-of", AS_OF]);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(
            "not sent 2026-W49 digest to team@example.org: being sent by process 4242 on other-host.example (on another host)"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("sent 2026-W49 digest to alice@example.org"),
        "{stdout}"
    );
    assert!(
        stdout.contains("sent 2026-W49 digest to bob@example.org"),
        "{stdout}"
    );
    assert_eq!(server.wait_for(2, Duration::from_secs(10)).await.len(), 2);

    let out = run(
        f.dir.path(),
        &f.db,
        &config,
        &["--as-of", AS_OF, "--status"],
    );
    let (stdout, _) = texts(&out);
    let team = stdout
        .lines()
        .find(|l| l.contains("team@example.org"))
        .unwrap_or_else(|| panic!("{stdout}"));
    assert!(
        team.contains("being sent by process 4242 on other-host.example"),
        "{team}"
    );
    assert!(team.contains("held until 2999-01-01T00:00:00Z"), "{team}");

    let out = run(f.dir.path(), &f.db, &config, &["--release", WEEK]);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("released 1 unsent 2026-W49 digest claims"),
        "{stdout}"
    );
    let out = run(f.dir.path(), &f.db, &config, &["--as-of", AS_OF]);
    let (stdout, _) = texts(&out);
    assert!(
        stdout.contains("sent 2026-W49 digest to team@example.org"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("already sent").count(), 2, "{stdout}");
    let messages = server.wait_for(3, Duration::from_secs(10)).await;
    let mut to: Vec<String> = messages.iter().map(to_of).collect();
    to.sort();
    assert_eq!(
        to,
        ["alice@example.org", "bob@example.org", "team@example.org"]
    );

    let out = run(f.dir.path(), &f.db, &config, &["--release", "last week"]);
    assert!(!out.status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs aiosmtpd and openssl"]
async fn a_catch_up_send_after_a_mid_week_import_is_composed_as_of_now() {
    let f = fixture().await;
    // Everything was imported on Wednesday, after Monday's send time, and the server
    // starts on Thursday: the week's send is caught up then.
    for sql in [
        "update incidents set imported_at = '2026-12-02T10:00:00Z'",
        "update actions set created_at = '2026-12-02T10:00:00Z', updated_at = '2026-12-02T10:00:00Z'",
        "update actions set completed_at = '2026-12-02T11:00:00Z' where status = 'done'",
    ] {
        sqlx::query(sql).execute(&f.pool).await.unwrap();
    }
    let server = SmtpServer::start(f.dir.path());
    let settings = smtp_settings(&server, "2026-12-03T12:00:00Z");
    let scheduler = digest::spawn_scheduler(f.pool.clone(), settings);
    let messages = server.wait_for(3, Duration::from_secs(20)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    scheduler.abort();
    let subject = |to: &str| {
        messages
            .iter()
            .find(|m| to_of(m) == to)
            .map(|m| m["headers"]["subject"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("nothing sent to {to}: {messages:?}"))
    };
    // As of Monday 09:00 the team would have had "0 open" and the owners nothing.
    let team = subject("team@example.org");
    assert!(!team.contains(" 0 open"), "{team}");
    assert!(subject("alice@example.org").contains(" 3 open"));
    assert_eq!(server.messages().len(), 3);
    let sends = store::sends(&f.pool, WEEK).await.unwrap();
    assert_eq!(sends.len(), 3);
    assert!(sends.iter().all(|s| s.state == "sent"));
}
