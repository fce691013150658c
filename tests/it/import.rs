//! The import pipeline against a real SQLite file: idempotence, changes, bad files,
//! removed files, and tracking that survives re-imports.

use crate::support::{Env, aftermath, copy_incidents, texts};
use aftermath::import::{self, Diagnostic, Options, Severity};
use sqlx::SqlitePool;
use std::path::Path;

async fn env() -> Env {
    Env::samples().await
}

async fn run(env: &Env, paths: &[&Path]) -> (import::Report, Vec<Diagnostic>) {
    let options = Options {
        max_file_bytes: 64 * 1024,
        allow_symlinks_outside: false,
    };
    env.import(paths, &options).await
}

async fn scalar_i64(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

async fn scalar_str(pool: &SqlitePool, sql: &str) -> Option<String> {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

#[tokio::test]
async fn importing_twice_skips_unchanged_files() {
    let env = env().await;
    let (first, _) = run(&env, &[&env.docs]).await;
    assert_eq!((first.imported, first.unchanged, first.failed), (5, 0, 0));
    assert!(first.warnings > 0);
    let (second, diags) = run(&env, &[&env.docs]).await;
    assert_eq!(
        (second.imported, second.unchanged, second.failed),
        (0, 5, 0)
    );
    assert!(diags.is_empty(), "unchanged files print nothing");
    assert_eq!(
        scalar_i64(&env.pool, "select count(*) from incidents").await,
        5
    );
    assert_eq!(
        scalar_i64(
            &env.pool,
            "select count(*) from search_index where search_index match 'kamailio'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_changed_file_replaces_its_extracted_content_and_keeps_its_id() {
    let env = env().await;
    run(&env, &[&env.docs]).await;
    let slug = "2024-07-05-cernphone-outages";
    let id_before = scalar_i64(
        &env.pool,
        &format!("select id from incidents where slug = '{slug}'"),
    )
    .await;
    let path = env.docs.join(format!("{slug}.txt"));
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "Rebooting affected server over IPMI",
            "Power-cycling the frontend over IPMI",
        ),
    )
    .unwrap();
    let (report, _) = run(&env, &[&env.docs]).await;
    assert_eq!((report.imported, report.unchanged), (1, 4));
    let id_after = scalar_i64(
        &env.pool,
        &format!("select id from incidents where slug = '{slug}'"),
    )
    .await;
    assert_eq!(id_before, id_after);
    let texts = aftermath::db::browse::incident(&env.pool, slug)
        .await
        .unwrap()
        .unwrap()
        .timeline
        .iter()
        .map(|e| e.text.clone())
        .collect::<Vec<_>>()
        .join("|");
    assert!(texts.contains("Power-cycling the frontend"));
    assert!(!texts.contains("Rebooting affected server"));
    assert_eq!(scalar_i64(&env.pool, &format!("select count(*) from search_index where search_index match 'cycling' and rowid = {id_after}")).await, 1);
    assert_eq!(
        scalar_i64(
            &env.pool,
            "select count(*) from search_index where search_index match 'rebooting'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn broken_files_are_reported_with_path_and_line_and_the_rest_are_imported() {
    let env = env().await;
    std::fs::write(env.docs.join("binary.md"), b"# T\n\x00\x01\x02").unwrap();
    std::fs::write(env.docs.join("latin1.txt"), b"Title\n\ncaf\xe9 au lait\n").unwrap();
    std::fs::write(env.docs.join("empty.rst"), b"   \n").unwrap();
    std::fs::write(env.docs.join("huge.md"), vec![b'a'; 70 * 1024]).unwrap();
    let (report, diags) = run(&env, &[&env.docs]).await;
    assert_eq!((report.imported, report.failed), (5, 4));
    let errors: Vec<String> = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.to_string())
        .collect();
    let has = |needle: &str| errors.iter().any(|e| e.contains(needle));
    assert!(has("binary.md:2: error: file is binary"), "{errors:?}");
    assert!(
        has("latin1.txt:3: error: line 3: invalid UTF-8"),
        "{errors:?}"
    );
    assert!(has("empty.rst:1: error: file is empty"), "{errors:?}");
    assert!(has("huge.md:1: error: file is 71680 bytes"), "{errors:?}");
    assert_eq!(
        scalar_i64(&env.pool, "select count(*) from incidents").await,
        5
    );
}

#[tokio::test]
async fn a_file_removed_from_disk_marks_its_incident_missing_and_keeps_it() {
    let env = env().await;
    run(&env, &[&env.docs]).await;
    let path = env.docs.join("2022-12-06-auxtel-network-failure.rst");
    let saved = std::fs::read(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let (report, _) = run(&env, &[&env.docs]).await;
    assert_eq!(report.missing, 1);
    assert_eq!(
        scalar_i64(&env.pool, "select count(*) from incidents").await,
        5
    );
    assert_eq!(
        scalar_i64(
            &env.pool,
            "select count(*) from incidents where missing_since is not null"
        )
        .await,
        1
    );
    std::fs::write(&path, saved).unwrap();
    let (report, _) = run(&env, &[&env.docs]).await;
    assert_eq!((report.missing, report.unchanged), (0, 5));
    assert_eq!(
        scalar_i64(
            &env.pool,
            "select count(*) from incidents where missing_since is not null"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn a_status_set_later_survives_reimporting_an_edited_file() {
    let env = env().await;
    run(&env, &[&env.docs]).await;
    let action = "select id from actions where text like 'Add a stress testing%'";
    let id = scalar_str(&env.pool, action).await.unwrap();
    // What the browser will do (the tracking issue adds the real update path).
    sqlx::query("update actions set status = 'in_progress', owner = 'ihor', updated_by = 'ihor' where id = ?")
        .bind(&id)
        .execute(&env.pool)
        .await
        .unwrap();
    let path = env.docs.join("2024-07-05-cernphone-outages.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("Ihor Olkhovskyi\n", "Ihor Olkhovskyi (speaker)\n"),
    )
    .unwrap();
    let (report, _) = run(&env, &[&env.docs]).await;
    assert_eq!(report.imported, 1);
    let row: (String, Option<String>) =
        sqlx::query_as("select status, owner from actions where id = ?")
            .bind(&id)
            .fetch_one(&env.pool)
            .await
            .unwrap();
    assert_eq!(row, ("in_progress".to_string(), Some("ihor".to_string())));
}

#[tokio::test]
async fn a_status_changed_in_the_document_wins_and_is_recorded() {
    let env = env().await;
    run(&env, &[&env.docs]).await;
    let path = env.docs.join("2024-07-05-cernphone-outages.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(
            "[IN PROGRESS] Investigation of a memory leak",
            "[DONE] Investigation of a memory leak",
        ),
    )
    .unwrap();
    run(&env, &[&env.docs]).await;
    let (status, completed): (String, Option<String>) =
        sqlx::query_as("select status, completed_at from actions where text like 'Investigation of a memory leak%'")
            .fetch_one(&env.pool)
            .await
            .unwrap();
    assert_eq!(status, "done");
    assert!(completed.is_some());
    let event: (String, String, String, String) = sqlx::query_as(
        "select e.origin, e.field, e.old_value, e.new_value from action_events e join actions a on a.id = e.action_id
         where a.text like 'Investigation of a memory leak%'",
    )
    .fetch_one(&env.pool)
    .await
    .unwrap();
    assert_eq!(
        event,
        (
            "document".into(),
            "status".into(),
            "in_progress".into(),
            "done".into()
        )
    );
}

#[tokio::test]
async fn an_action_removed_from_its_document_is_marked_and_kept_with_its_history() {
    let env = env().await;
    run(&env, &[&env.docs]).await;
    let path = env.docs.join("2024-07-05-cernphone-outages.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("- Add a stress testing in a development pipeline\n", ""),
    )
    .unwrap();
    run(&env, &[&env.docs]).await;
    let removed: Option<String> = sqlx::query_scalar(
        "select removed_at from actions where text like 'Add a stress testing%'",
    )
    .fetch_one(&env.pool)
    .await
    .unwrap();
    assert!(removed.is_some());
    assert_eq!(
        scalar_i64(
            &env.pool,
            "select count(*) from action_events where field = 'removed'"
        )
        .await,
        1
    );
    // Putting it back restores the same row.
    std::fs::write(&path, text).unwrap();
    run(&env, &[&env.docs]).await;
    let removed: Option<String> = sqlx::query_scalar(
        "select removed_at from actions where text like 'Add a stress testing%'",
    )
    .fetch_one(&env.pool)
    .await
    .unwrap();
    assert!(removed.is_none());
}

#[test]
fn the_import_command_prints_diagnostics_and_a_summary_line() {
    let dir = tempfile::tempdir().unwrap();
    copy_incidents(&dir.path().join("incidents"));
    std::fs::write(dir.path().join("incidents/zero.md"), b"\x00").unwrap();
    let out = aftermath(&["--database", "db/x.db", "import"], dir.path());
    let (stdout, stderr) = texts(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a failed file makes the exit code non-zero"
    );
    assert!(
        stderr.contains("incidents/zero.md:1: error: file is binary"),
        "{stderr}"
    );
    assert!(
        stderr.contains("incidents/2017-12-08-tacc-power-outage.rst:"),
        "{stderr}"
    );
    assert!(stderr.contains(": warning: "), "{stderr}");
    let last = stdout.lines().last().unwrap();
    assert!(
        last.starts_with("imported 5, unchanged 0, failed 1, warnings "),
        "{last}"
    );
    assert!(last.ends_with(" s"), "{last}");
    assert!(
        dir.path().join("db/x.db").exists(),
        "the database is created on first use"
    );
    // The environment variable and the config file name the database too.
    std::fs::write(
        dir.path().join("aftermath.toml"),
        "database = \"from-config.db\"\n",
    )
    .unwrap();
    let out = aftermath(
        &["import", "-q", "incidents/2017-12-08-tacc-power-outage.rst"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", texts(&out).1);
    assert!(dir.path().join("from-config.db").exists());
}
