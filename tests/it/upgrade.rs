//! A database made before the compact document layout (migrations up to 0009) keeps
//! every text when the current version opens it.

use std::io::Write;

fn deflate(text: &str) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    e.finish().unwrap()
}

#[tokio::test]
async fn texts_of_an_old_database_survive_the_upgrade() {
    let dir = tempfile::tempdir().unwrap();
    // The schema as it was: the migrations before 0010, run from a copy.
    let old = dir.path().join("migrations");
    std::fs::create_dir(&old).unwrap();
    for entry in std::fs::read_dir(super::support::root().join("migrations")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.as_str() < "0010" {
            std::fs::copy(&path, old.join(&name)).unwrap();
        }
    }
    let db = dir.path().join("old.db");
    {
        let pool = sqlx::SqlitePool::connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&db)
                .create_if_missing(true),
        )
        .await
        .unwrap();
        sqlx::migrate::Migrator::new(old.as_path())
            .await
            .unwrap()
            .run(&pool)
            .await
            .unwrap();
        sqlx::query(
            "insert into incidents (id, slug, source_path, format, content_hash, title, started,
                summary, impact, detection, resolution, lessons, warnings, body_text,
                source_bytes, imported_at, updated_at)
             values (7, 'old-outage', '/gone/old-outage.md', 'markdown', 'abc', 'Old outage',
                '2020-01-02', 'The summary.', 'Checkout failed.', 'A page fired.',
                'Rolled back.', '[\"Test rollbacks\"]', '[{\"line\":4,\"message\":\"no owner\"}]',
                ?, 100, '2020-01-03T00:00:00Z', '2020-01-03T00:00:00Z')",
        )
        .bind(deflate(
            "Old outage\nThe summary.\nCheckout failed after the deploy.",
        ))
        .execute(&pool)
        .await
        .unwrap();
        for (position, text) in [(0, "deploy started"), (1, "checkout errors")] {
            sqlx::query(
                "insert into timeline_entries (incident_id, position, wall_time, precision,
                    zone_source, source_text, text, line)
                 values (7, ?, '2020-01-02T10:00:00', 'minute', 'unknown', '10:00', ?, 9)",
            )
            .bind(position)
            .bind(text)
            .execute(&pool)
            .await
            .unwrap();
        }
        sqlx::query(
            "insert into incident_pages (incident_id, html, profile)
             values (7, x'00', '{\"systems\":[\"kafka\"],\"modes\":[],\"terms\":[]}')",
        )
        .execute(&pool)
        .await
        .unwrap();
        pool.close().await;
    }

    let pool = aftermath::db::open(&db).await.unwrap();
    let i = aftermath::db::browse::incident(&pool, "old-outage")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(i.impact.as_deref(), Some("Checkout failed."));
    assert_eq!(i.summary.as_deref(), Some("The summary."));
    assert_eq!(i.detection.as_deref(), Some("A page fired."));
    assert_eq!(i.resolution.as_deref(), Some("Rolled back."));
    assert_eq!(i.lessons, ["Test rollbacks"]);
    assert_eq!(i.warnings.len(), 1);
    assert_eq!(i.warnings[0].message, "no owner");
    let texts: Vec<&str> = i.timeline.iter().map(|e| e.text.as_str()).collect();
    assert_eq!(texts, ["deploy started", "checkout errors"]);
    assert_eq!(i.timeline[0].precision, "minute");
    assert_eq!(i.source, None);
    assert!(i.body.contains("Checkout failed after the deploy."));
    // The page renders from the plain text when no source was kept.
    let html = aftermath::render::document(aftermath::model::Format::Markdown, None, &i.body);
    assert!(html.as_str().contains("Checkout failed after the deploy."));
    // The texts set aside by the migration are gone once converted.
    let left: i64 = sqlx::query_scalar(
        "select (select count(*) from legacy_texts) + (select count(*) from legacy_timeline)",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
    // The related-incident profile is kept, and still readable.
    let profile: String =
        sqlx::query_scalar("select profile from incident_profiles where incident_id = 7")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(profile.contains("kafka"));
    aftermath::db::pages::refresh_related(&pool).await.unwrap();
    // Opening again is a no-op.
    pool.close().await;
    let pool = aftermath::db::open(&db).await.unwrap();
    let again = aftermath::db::browse::incident(&pool, "old-outage")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(again.timeline.len(), 2);
    assert_eq!(again.impact.as_deref(), Some("Checkout failed."));
}
