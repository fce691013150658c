//! Action tracking over a real SQLite file: updates and their history, validation,
//! re-imports, concurrent writers, the list queries, the `actions` command and
//! accounts.

use crate::support::{Env, aftermath, copy_incidents, texts};
use aftermath::db::accounts;
use aftermath::db::actions::{self, ActionFilter, UpdateError};
use aftermath::identity::{self, TrustedProxy};
use aftermath::import::{self, Options};
use aftermath::model::ActionStatus;
use aftermath::tracking::{ActionUpdate, Origin, TrackingError};
use jiff::civil::date;
use serde_json::Value;
use sqlx::SqlitePool;

const CERNPHONE: &str = "2024-07-05-cernphone-outages.txt";

/// The sample incidents, imported.
async fn env() -> Env {
    let env = Env::samples().await;
    reimport(&env).await;
    env
}

async fn reimport(env: &Env) -> import::Report {
    let options = Options {
        max_file_bytes: 64 * 1024,
        allow_symlinks_outside: false,
    };
    env.import(&[&env.docs], &options).await.0
}

fn edit(env: &Env, file: &str, from: &str, to: &str) {
    let path = env.docs.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(&path, text.replace(from, to)).unwrap();
}

async fn action_id(pool: &SqlitePool, text_start: &str) -> String {
    sqlx::query_scalar("select id from actions where text like ? || '%'")
        .bind(text_start)
        .fetch_one(pool)
        .await
        .unwrap()
}

fn set(
    status: Option<&str>,
    owner: Option<&str>,
    due: Option<&str>,
    ticket: Option<&str>,
    note: Option<&str>,
) -> ActionUpdate {
    ActionUpdate::from_raw(status, owner, due, ticket, note).unwrap()
}

fn status(s: &str) -> ActionUpdate {
    set(Some(s), None, None, None, None)
}

#[tokio::test]
async fn every_status_transition_is_recorded_with_old_new_actor_and_origin() {
    let env = env().await;
    let id = action_id(&env.pool, "Add a stress testing").await;
    let steps = [
        ("open", Origin::Web, "ada"),
        ("in_progress", Origin::Cli, "bob"),
        ("done", Origin::Api, "cy"),
        ("wontfix", Origin::Web, "ada"),
        ("open", Origin::Cli, "bob"),
        ("unknown", Origin::Api, "cy"),
    ];
    let mut completed = Vec::new();
    for (s, origin, actor) in steps {
        let outcome = actions::update(&env.pool, &id, &status(s), actor, origin)
            .await
            .unwrap();
        assert_eq!(outcome.changes.len(), 1, "{s}");
        let row = actions::get(&env.pool, &id, date(2026, 1, 1), 30)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.status.as_str(), s);
        assert_eq!(row.updated_by.as_deref(), Some(actor));
        completed.push(row.completed_at);
    }
    // Closing sets the completion time, closing again keeps it, reopening clears it.
    assert!(completed[0].is_none() && completed[1].is_none());
    assert!(completed[2].is_some());
    assert_eq!(completed[3], completed[2]);
    assert!(completed[4].is_none() && completed[5].is_none());

    let history = actions::history(&env.pool, &id).await.unwrap();
    type Event = (String, Option<String>, Option<String>, String, String);
    let seen: Vec<Event> = history
        .iter()
        .map(|e| {
            (
                e.field.clone(),
                e.old_value.clone(),
                e.new_value.clone(),
                e.actor.clone(),
                e.origin.clone(),
            )
        })
        .collect();
    let mut old = "unknown";
    let expected: Vec<_> = steps
        .iter()
        .map(|(s, origin, actor)| {
            let e = (
                "status".to_string(),
                Some(old.to_string()),
                Some(s.to_string()),
                actor.to_string(),
                origin.as_str().to_string(),
            );
            old = s;
            e
        })
        .collect();
    assert_eq!(seen, expected);

    // Setting a value to what it already is records nothing.
    let again = actions::update(&env.pool, &id, &status("unknown"), "ada", Origin::Web)
        .await
        .unwrap();
    assert!(again.changes.is_empty());
    assert_eq!(actions::history(&env.pool, &id).await.unwrap().len(), 6);
}

#[tokio::test]
async fn owner_due_ticket_and_note_are_recorded_and_can_be_cleared() {
    let env = env().await;
    let id = action_id(&env.pool, "Add a stress testing").await;
    let change = set(
        None,
        Some(" ihor "),
        Some("2026-03-31"),
        Some("OPS-7"),
        Some("Asked the CI team."),
    );
    let outcome = actions::update(&env.pool, &id, &change, "ada", Origin::Web)
        .await
        .unwrap();
    let fields: Vec<&str> = outcome.changes.iter().map(|c| c.field).collect();
    assert_eq!(fields, ["owner", "due", "ticket", "note"]);
    let row = actions::get(&env.pool, &id, date(2026, 1, 1), 30)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.owner.as_deref(), Some("ihor"));
    assert_eq!(row.due.as_deref(), Some("2026-03-31"));
    assert_eq!(row.ticket.as_deref(), Some("OPS-7"));

    let clear = set(None, Some(""), Some(""), None, None);
    actions::update(&env.pool, &id, &clear, "ada", Origin::Web)
        .await
        .unwrap();
    let row = actions::get(&env.pool, &id, date(2026, 1, 1), 30)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.owner, row.due), (None, None));
    let last = actions::history(&env.pool, &id).await.unwrap();
    let last = &last[last.len() - 1];
    assert_eq!(
        (
            last.field.as_str(),
            last.old_value.as_deref(),
            last.new_value.as_deref()
        ),
        ("due", Some("2026-03-31"), None)
    );
}

#[tokio::test]
async fn bad_values_give_validation_errors_not_panics() {
    let raw = |status, owner, due| ActionUpdate::from_raw(status, owner, due, None, None);
    assert!(matches!(
        raw(Some("finished"), None, None),
        Err(TrackingError::UnknownStatus(_))
    ));
    assert!(matches!(
        raw(None, None, Some("2026-02-30")),
        Err(TrackingError::BadDate(_))
    ));
    let huge = "o".repeat(10 * 1024);
    assert_eq!(
        raw(None, Some(&huge), None),
        Err(TrackingError::OwnerTooLong)
    );
    assert_eq!(
        raw(None, Some("eve\u{7}\u{1b}[2J"), None),
        Err(TrackingError::ControlCharacters("owner"))
    );
    assert_eq!(
        ActionUpdate::from_raw(None, None, None, Some("T\0"), None),
        Err(TrackingError::ControlCharacters("ticket"))
    );
    assert_eq!(
        ActionUpdate::from_raw(None, None, None, None, Some(&"n".repeat(4001))),
        Err(TrackingError::NoteTooLong)
    );
    let env = env().await;
    let missing = actions::update(
        &env.pool,
        "000000000000",
        &status("done"),
        "ada",
        Origin::Web,
    )
    .await
    .unwrap_err();
    assert!(matches!(missing, UpdateError::NotFound(_)));
    assert!(missing.to_string().starts_with("There is no action"));
    let empty = actions::update(
        &env.pool,
        "000000000000",
        &ActionUpdate::default(),
        "ada",
        Origin::Web,
    )
    .await
    .unwrap_err();
    assert!(matches!(empty, UpdateError::NothingToChange));
}

#[tokio::test]
async fn values_set_by_people_survive_reimporting_the_unchanged_and_the_changed_file() {
    let env = env().await;
    let id = action_id(&env.pool, "Add a stress testing").await;
    let change = set(
        Some("in_progress"),
        Some("ihor"),
        Some("2026-05-01"),
        Some("OTG-1"),
        None,
    );
    actions::update(&env.pool, &id, &change, "ihor", Origin::Web)
        .await
        .unwrap();
    let tracked =
        |r: &actions::ActionRow| (r.status, r.owner.clone(), r.due.clone(), r.ticket.clone());
    let before = actions::get(&env.pool, &id, date(2026, 1, 1), 30)
        .await
        .unwrap()
        .unwrap();

    let report = reimport(&env).await;
    assert_eq!(report.imported, 0, "nothing changed on disk");
    let after = actions::get(&env.pool, &id, date(2026, 1, 1), 30)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(tracked(&after), tracked(&before));

    edit(
        &env,
        CERNPHONE,
        "Rebooting affected server over IPMI",
        "Power-cycling the frontend over IPMI",
    );
    let report = reimport(&env).await;
    assert_eq!(report.imported, 1);
    let after = actions::get(&env.pool, &id, date(2026, 1, 1), 30)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        tracked(&after),
        (
            ActionStatus::InProgress,
            Some("ihor".into()),
            Some("2026-05-01".into()),
            Some("OTG-1".into())
        )
    );
    assert_eq!(after.updated_by.as_deref(), Some("ihor"));
    let origins: Vec<String> = actions::history(&env.pool, &id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.origin)
        .collect();
    assert!(origins.iter().all(|o| o == "web"), "{origins:?}");
}

#[tokio::test]
async fn a_document_status_change_after_a_user_change_wins_and_is_recorded() {
    let env = env().await;
    let id = action_id(&env.pool, "Investigation of a memory leak").await;
    actions::update(&env.pool, &id, &status("wontfix"), "ada", Origin::Web)
        .await
        .unwrap();
    edit(
        &env,
        CERNPHONE,
        "[IN PROGRESS] Investigation of a memory leak",
        "[DONE] Investigation of a memory leak",
    );
    reimport(&env).await;
    let row = actions::get(&env.pool, &id, date(2026, 1, 1), 30)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.status, ActionStatus::Done);
    assert_eq!(row.updated_by.as_deref(), Some("document"));
    let history = actions::history(&env.pool, &id).await.unwrap();
    let last = history.last().unwrap();
    assert_eq!(
        (
            last.origin.as_str(),
            last.field.as_str(),
            last.old_value.as_deref(),
            last.new_value.as_deref()
        ),
        ("document", "status", Some("wontfix"), Some("done"))
    );
    assert_eq!(history[0].origin, "web");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_concurrent_writers_both_land_every_change() {
    let env = env().await;
    let id = action_id(&env.pool, "Add a stress testing").await;
    const EACH: usize = 25;
    let writer = |name: &'static str| {
        let pool = env.pool.clone();
        let id = id.clone();
        tokio::spawn(async move {
            for i in 0..EACH {
                let owner = format!("{name}-{i}");
                let note = format!("{name} note {i}");
                let change = set(None, Some(&owner), None, None, Some(&note));
                actions::update(&pool, &id, &change, name, Origin::Api)
                    .await
                    .expect("no writer sees an error");
            }
        })
    };
    let (a, b) = (writer("ada"), writer("bob"));
    let bounded = std::time::Duration::from_secs(60);
    tokio::time::timeout(bounded, async {
        a.await.unwrap();
        b.await.unwrap();
    })
    .await
    .expect("the writers finish in time");
    let history = actions::history(&env.pool, &id).await.unwrap();
    let notes = history.iter().filter(|e| e.field == "note").count();
    let owners = history.iter().filter(|e| e.field == "owner").count();
    assert_eq!(notes, 2 * EACH);
    assert_eq!(owners, 2 * EACH, "each owner differs from the one before");
    // The history is a chain: every change starts from the value the last one left.
    let chain: Vec<_> = history.iter().filter(|e| e.field == "owner").collect();
    for pair in chain.windows(2) {
        assert_eq!(pair[0].new_value, pair[1].old_value);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_database_is_retried_instead_of_reported() {
    let env = env().await;
    let id = action_id(&env.pool, "Add a stress testing").await;
    // A second pool that does not wait at all, so only the retries can save the update.
    let path = env.docs.parent().unwrap().join("test.db");
    let impatient = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&path)
                .busy_timeout(std::time::Duration::ZERO),
        )
        .await
        .unwrap();
    let lock = env.pool.begin_with("BEGIN IMMEDIATE").await.unwrap();
    let writer = tokio::spawn(async move {
        actions::update(&impatient, &id, &status("done"), "ada", Origin::Web).await
    });
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    lock.commit().await.unwrap();
    let outcome = writer
        .await
        .unwrap()
        .expect("the busy database was retried");
    assert_eq!(outcome.changes.len(), 1);
}

#[tokio::test]
async fn lists_and_counts_judge_overdue_stale_and_ownerless_against_the_given_day() {
    let env = env().await;
    let leak = action_id(&env.pool, "Investigation of a memory leak").await;
    let stress = action_id(&env.pool, "Add a stress testing").await;
    let change = set(None, Some("Ihor"), Some("2026-01-10"), None, None);
    actions::update(&env.pool, &leak, &change, "ada", Origin::Web)
        .await
        .unwrap();
    let change = set(None, Some("ihor"), Some("2026-06-10"), None, None);
    actions::update(&env.pool, &stress, &change, "ada", Origin::Web)
        .await
        .unwrap();

    let today = aftermath::tracking::today();
    let mut filter = ActionFilter::new(date(2026, 2, 1), 30);
    filter.overdue = true;
    let overdue = actions::list(&env.pool, &filter).await.unwrap();
    assert_eq!(
        overdue.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
        [leak.as_str()]
    );
    assert!(overdue[0].overdue);
    assert_eq!(overdue[0].incident, "2024-07-05-cernphone-outages");

    let mut mine = ActionFilter::new(date(2026, 2, 1), 30).open();
    mine.owner = Some("IHOR".into());
    let rows = actions::list(&env.pool, &mine).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].id, leak, "soonest due first");

    // Staleness counts from the later of the incident's date and the last change: the
    // samples are years old, so every open action is stale today except the two just
    // changed; far in the future all open ones are.
    let mut stale = ActionFilter::new(today, 30);
    stale.stale = true;
    let stale_today = actions::list(&env.pool, &stale).await.unwrap();
    assert!(!stale_today.is_empty());
    assert!(
        stale_today.iter().all(|r| r.id != leak && r.id != stress),
        "changed today, so not stale"
    );
    stale.today = date(2099, 1, 1);
    let all_stale = actions::list(&env.pool, &stale).await.unwrap();
    assert!(!all_stale.is_empty());
    assert!(all_stale.iter().all(|r| r.status.is_open() && r.stale));

    let counts = actions::counts(&env.pool, date(2026, 2, 1), 30)
        .await
        .unwrap();
    let all = actions::list(&env.pool, &ActionFilter::new(date(2026, 2, 1), 30))
        .await
        .unwrap();
    assert_eq!(
        (counts.open + counts.done + counts.wontfix) as usize,
        all.len()
    );
    assert_eq!(counts.overdue, 1);
    assert_eq!(
        counts.no_owner as usize,
        all.iter().filter(|r| r.no_owner).count()
    );

    let load = actions::per_owner(&env.pool, date(2026, 2, 1))
        .await
        .unwrap();
    assert_eq!(
        load.len(),
        1,
        "owners differing only in case are one person"
    );
    assert_eq!((load[0].open, load[0].overdue), (2, 1));

    let system: String = sqlx::query_scalar(
        "select s.system from incident_systems s join incidents i on i.id = s.incident_id
         where i.slug = '2024-07-05-cernphone-outages' limit 1",
    )
    .fetch_one(&env.pool)
    .await
    .unwrap();
    let mut by_system = ActionFilter::new(date(2026, 2, 1), 30);
    by_system.system = Some(system.to_uppercase());
    let rows = actions::list(&env.pool, &by_system).await.unwrap();
    assert!(rows.iter().any(|r| r.id == leak), "{system}");

    let mut by_incident = ActionFilter::new(date(2026, 2, 1), 30);
    by_incident.incident = Some("2024-07-05-cernphone-outages".into());
    by_incident.sort = actions::ActionSort::Incident;
    let rows = actions::list(&env.pool, &by_incident).await.unwrap();
    assert!(
        rows.iter()
            .all(|r| r.incident == "2024-07-05-cernphone-outages")
    );
    assert!(rows.windows(2).all(|w| w[0].position < w[1].position));
}

#[test]
fn the_actions_command_lists_json_changes_values_and_rejects_bad_ones() {
    let dir = tempfile::tempdir().unwrap();
    copy_incidents(&dir.path().join("incidents"));
    let run = |args: &[&str]| {
        let mut all = vec!["--database", "t.db"];
        all.extend_from_slice(args);
        aftermath(&all, dir.path())
    };
    assert!(run(&["import", "-q"]).status.success());

    let out = run(&["actions", "--json", "--today", "2026-02-01"]);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    let rows: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    assert!(!rows.is_empty());
    for row in &rows {
        let o = row.as_object().unwrap();
        for key in [
            "id", "incident", "text", "status", "owner", "due", "ticket", "overdue",
        ] {
            assert!(o.contains_key(key), "{key} in {row}");
        }
        assert!(o["id"].as_str().unwrap().len() == 12);
        assert!(o["overdue"].is_boolean());
    }
    let id = rows
        .iter()
        .find(|r| {
            r["text"]
                .as_str()
                .unwrap()
                .starts_with("Add a stress testing")
        })
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();

    let out = run(&[
        "actions", "set", &id, "--status", "done", "--owner", "ada", "--as", "tester",
    ]);
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("status unknown → done"), "{stdout}");
    assert!(stdout.contains("owner - → ada"), "{stdout}");

    for (flag, value, message) in [
        ("--due", "2026-02-30", "is not a date"),
        ("--status", "finished", "is not a status"),
        ("--owner", "bad\u{1b}name", "control characters"),
    ] {
        let out = run(&["actions", "set", &id, flag, value, "--as", "tester"]);
        let (_, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(message), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    let out = run(&[
        "actions",
        "set",
        "ffffffffffff",
        "--status",
        "done",
        "--as",
        "t",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(texts(&out).1.contains("no action"), "{}", texts(&out).1);

    let out = run(&["actions", "history", &id, "--json"]);
    let events: Vec<Value> = serde_json::from_str(&texts(&out).0).unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["actor"], "tester");
    assert_eq!(events[0]["origin"], "cli");

    let out = run(&["actions", "--owner", "ada", "--status", "done"]);
    let (stdout, _) = texts(&out);
    let lines: Vec<&str> = stdout.lines().collect();
    assert!(lines[0].starts_with("ID "), "{stdout}");
    assert!(lines[1].starts_with(&id), "{stdout}");
    assert_eq!(lines.last().unwrap(), &"1 action");
    // Columns line up: the status column starts at the same place on every line.
    let at = lines[0].find("STATUS").unwrap();
    assert_eq!(&lines[1][at..at + 4], "done");
}

#[tokio::test]
async fn accounts_sessions_and_tokens_round_trip_and_refuse_what_they_should() {
    let env = env().await;
    let user = accounts::create_user(&env.pool, "ada", "correct horse battery")
        .await
        .unwrap();
    assert!(matches!(
        accounts::create_user(&env.pool, "ADA", "another password").await,
        Err(accounts::AccountError::NameTaken(_))
    ));
    assert!(matches!(
        accounts::create_user(&env.pool, "bob", "short").await,
        Err(accounts::AccountError::Invalid(_))
    ));
    assert!(
        accounts::verify_password(&env.pool, "ada", "wrong password")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        accounts::verify_password(&env.pool, "nobody", "correct horse battery")
            .await
            .unwrap()
            .is_none()
    );
    let signed_in = accounts::verify_password(&env.pool, "Ada", "correct horse battery")
        .await
        .unwrap();
    assert_eq!(signed_in.as_ref(), Some(&user));

    let (cookie, csrf) = accounts::create_session(&env.pool, &user).await.unwrap();
    let (found, found_csrf) = accounts::session_user(&env.pool, &cookie)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found, user);
    assert!(identity::constant_time_eq(&found_csrf, &csrf));
    assert!(
        accounts::session_user(&env.pool, "not-a-token")
            .await
            .unwrap()
            .is_none()
    );
    let stored: i64 = sqlx::query_scalar("select count(*) from sessions where token_hash = ?")
        .bind(&cookie)
        .fetch_one(&env.pool)
        .await
        .unwrap();
    assert_eq!(stored, 0, "the cookie itself is never stored");
    // An expired session identifies nobody.
    let (old_cookie, _) = accounts::create_session(&env.pool, &user).await.unwrap();
    sqlx::query("update sessions set expires_at = '2000-01-01T00:00:00Z' where token_hash = ?")
        .bind(identity::token_hash(&old_cookie))
        .execute(&env.pool)
        .await
        .unwrap();
    assert!(
        accounts::session_user(&env.pool, &old_cookie)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        accounts::delete_expired_sessions(&env.pool).await.unwrap(),
        1
    );
    accounts::delete_session(&env.pool, &cookie).await.unwrap();
    assert!(
        accounts::session_user(&env.pool, &cookie)
            .await
            .unwrap()
            .is_none()
    );

    let token = accounts::create_api_token(&env.pool, &user, "digest cron")
        .await
        .unwrap();
    assert_eq!(
        accounts::token_user(&env.pool, &token).await.unwrap(),
        Some(user.clone())
    );
    assert!(accounts::revoke_api_token(&env.pool, &token).await.unwrap());
    assert_eq!(accounts::token_user(&env.pool, &token).await.unwrap(), None);

    let trusted: Vec<TrustedProxy> = vec!["127.0.0.1".parse().unwrap()];
    let untrusted_peer = "203.0.113.9".parse().unwrap();
    assert_eq!(
        identity::trusted_proxy_user(untrusted_peer, Some("ada"), &trusted),
        None
    );
    let proxy = "127.0.0.1".parse().unwrap();
    assert_eq!(
        identity::trusted_proxy_user(proxy, Some("ada"), &trusted).map(|u| u.to_string()),
        Some("ada".to_string())
    );
}

#[test]
fn the_user_command_adds_users_and_prints_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_aftermath"))
        .args([
            "--database",
            "u.db",
            "user",
            "add",
            "ada",
            "--password-stdin",
        ])
        .current_dir(dir.path())
        .env_remove("AFTERMATH_DATABASE")
        .env_remove("AFTERMATH_PASSWORD")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"correct horse battery\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", texts(&out).1);
    assert_eq!(texts(&out).0.trim(), "created user ada");

    let out = aftermath(
        &[
            "--database",
            "u.db",
            "user",
            "token",
            "ada",
            "--label",
            "ci",
        ],
        dir.path(),
    );
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout.trim().len(), 43);
    let out = aftermath(
        &["--database", "u.db", "user", "token", "nobody"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(texts(&out).1.contains("no user named"));
}
