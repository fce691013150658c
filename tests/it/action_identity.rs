//! An action keeps its id, the values people set and its history when its line in the
//! document is edited: reworded, given an owner or a due date, a typo fixed, moved, or
//! split in two. Each test imports a real file into a real SQLite file with the binary,
//! changes the actions as a person would, edits the file and imports it again.

use crate::support::{aftermath, texts};
use aftermath::db::actions::{self, ActionEvent, ActionFilter, ActionRow};
use aftermath::tracking::{ActionUpdate, Origin};
use jiff::civil::date;
use sqlx::SqlitePool;
use std::path::PathBuf;

const FILE: &str = "2025-02-10-replication-lag.md";

/// A postmortem whose action section holds `actions`, one list item each.
fn document(actions: &[&str]) -> String {
    let items: Vec<String> = actions.iter().map(|a| format!("- {a}\n")).collect();
    format!(
        "# Replication lag took checkout down\n\n\
         ## Summary\n\n\
         On 2025-02-10 the replica fell an hour behind the primary and checkout read stale \
         carts until the replica was rebuilt.\n\n\
         ## Timeline\n\n\
         - 09:12 UTC replication lag alert fired\n\
         - 10:05 UTC replica rebuilt\n\n\
         ## Action items\n\n{}",
        items.concat()
    )
}

struct Postmortem {
    dir: tempfile::TempDir,
    pool: SqlitePool,
}

impl Postmortem {
    /// Imports a document with `actions` into a new database.
    async fn new(actions: &[&str]) -> Postmortem {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("docs")).unwrap();
        let pm = Postmortem {
            pool: aftermath::db::open(&dir.path().join("a.db")).await.unwrap(),
            dir,
        };
        pm.edit(actions);
        pm
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("a.db")
    }

    /// Writes the document with `actions` and imports it with `aftermath import`.
    fn edit(&self, actions: &[&str]) {
        std::fs::write(self.dir.path().join("docs").join(FILE), document(actions)).unwrap();
        let db = self.db();
        let out = aftermath(
            &["--database", db.to_str().unwrap(), "import", "-q", "docs"],
            self.dir.path(),
        );
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "import failed:\n{stdout}\n{stderr}");
    }

    /// Every action of the incident, removed ones too, in document order.
    async fn actions(&self) -> Vec<ActionRow> {
        let mut filter = ActionFilter::new(date(2025, 2, 11), 30);
        filter.include_removed = true;
        filter.sort = actions::ActionSort::Incident;
        actions::list(&self.pool, &filter).await.unwrap()
    }

    async fn id_of(&self, text: &str) -> String {
        let all = self.actions().await;
        all.iter()
            .find(|a| a.text == text)
            .unwrap_or_else(|| panic!("no action \"{text}\" in {all:#?}"))
            .id
            .clone()
    }

    async fn get(&self, id: &str) -> ActionRow {
        actions::get(&self.pool, id, date(2025, 2, 11), 30)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("action {id} is gone"))
    }

    /// What a person does: sets a status, an owner and a note.
    async fn track(&self, id: &str, status: &str, owner: &str, note: &str) {
        let change =
            ActionUpdate::from_raw(Some(status), Some(owner), None, None, Some(note)).unwrap();
        let outcome = actions::update(&self.pool, id, &change, "ada", Origin::Web)
            .await
            .unwrap();
        assert_eq!(outcome.changes.len(), 3, "{outcome:?}");
    }

    async fn history(&self, id: &str) -> Vec<ActionEvent> {
        actions::history(&self.pool, id).await.unwrap()
    }
}

/// The history's entries made by re-imports, as (field, old, new).
fn from_document(history: &[ActionEvent]) -> Vec<(String, Option<String>, Option<String>)> {
    history
        .iter()
        .filter(|e| e.origin == "document")
        .map(|e| (e.field.clone(), e.old_value.clone(), e.new_value.clone()))
        .collect()
}

fn change(field: &str, old: &str, new: &str) -> (String, Option<String>, Option<String>) {
    (field.into(), Some(old.into()), Some(new.into()))
}

/// The person's status and note are still there, and nothing was removed or added.
async fn kept_by_a_person(pm: &Postmortem, id: &str, status: &str, note: &str, count: usize) {
    let row = pm.get(id).await;
    assert_eq!(row.status.as_str(), status, "{row:?}");
    assert!(!row.removed, "{row:?}");
    let history = pm.history(id).await;
    assert!(
        history
            .iter()
            .any(|e| e.field == "note" && e.new_value.as_deref() == Some(note) && e.actor == "ada"),
        "{history:#?}"
    );
    let all = pm.actions().await;
    assert_eq!(all.len(), count, "{all:#?}");
    assert!(all.iter().all(|a| !a.removed), "{all:#?}");
}

const ALERTING: &str = "Add alerting on replication lag";
const RUNBOOK: &str = "Write a runbook for failover";
const TLS: &str = "Rotate the TLS certificates";

#[tokio::test]
async fn a_reworded_action_keeps_its_id_status_owner_and_note() {
    let pm = Postmortem::new(&[ALERTING, RUNBOOK, TLS]).await;
    let id = pm.id_of(ALERTING).await;
    pm.track(&id, "in_progress", "@bob", "waiting on the metrics team")
        .await;

    let reworded = "Page the on-call when replication lag passes one minute";
    pm.edit(&[reworded, RUNBOOK, TLS]);

    kept_by_a_person(&pm, &id, "in_progress", "waiting on the metrics team", 3).await;
    let row = pm.get(&id).await;
    assert_eq!(row.text, reworded);
    assert_eq!(row.owner.as_deref(), Some("@bob"));
    assert_eq!(
        from_document(&pm.history(&id).await),
        vec![change("text", ALERTING, reworded)]
    );
}

#[tokio::test]
async fn adding_an_owner_in_the_document_keeps_the_action_and_records_the_owner() {
    let pm = Postmortem::new(&[ALERTING, RUNBOOK]).await;
    let id = pm.id_of(ALERTING).await;
    pm.track(&id, "done", "@bob", "shipped in the January release")
        .await;

    let owned = "Add alerting on replication lag — @jane";
    pm.edit(&[owned, RUNBOOK]);

    kept_by_a_person(&pm, &id, "done", "shipped in the January release", 2).await;
    // The document's own owner changed (none → @jane), so it wins over the person's:
    // the rule in the README, recorded like any change. The trailing "— @jane" is the
    // owner, not part of the action's text, so the text is unchanged.
    let row = pm.get(&id).await;
    assert_eq!(row.owner.as_deref(), Some("@jane"));
    assert_eq!(row.text, ALERTING);
    assert_eq!(
        from_document(&pm.history(&id).await),
        vec![change("owner", "@bob", "@jane")]
    );
    assert!(row.completed_at.is_some(), "done stays done: {row:?}");
}

#[tokio::test]
async fn a_changed_due_date_keeps_the_action_and_follows_the_document() {
    let first = "Add alerting on replication lag, due 2025-03-01";
    let pm = Postmortem::new(&[RUNBOOK, first]).await;
    let id = pm.id_of(first).await;
    assert_eq!(pm.get(&id).await.due.as_deref(), Some("2025-03-01"));
    pm.track(&id, "in_progress", "@bob", "dashboard first")
        .await;

    let moved = "Add alerting on replication lag, due 2025-04-15";
    pm.edit(&[RUNBOOK, moved]);

    kept_by_a_person(&pm, &id, "in_progress", "dashboard first", 2).await;
    let row = pm.get(&id).await;
    assert_eq!(row.owner.as_deref(), Some("@bob"));
    assert_eq!(row.due.as_deref(), Some("2025-04-15"));
    assert_eq!(
        from_document(&pm.history(&id).await),
        vec![
            change("text", first, moved),
            change("due", "2025-03-01", "2025-04-15")
        ]
    );
}

#[tokio::test]
async fn a_typo_fix_keeps_the_action() {
    let typo = "Add alertign on replicaton lag";
    let pm = Postmortem::new(&[typo, RUNBOOK, TLS]).await;
    let id = pm.id_of(typo).await;
    pm.track(&id, "wontfix", "@bob", "covered by the SLO alerts")
        .await;

    pm.edit(&[ALERTING, RUNBOOK, TLS]);

    kept_by_a_person(&pm, &id, "wontfix", "covered by the SLO alerts", 3).await;
    assert_eq!(pm.get(&id).await.owner.as_deref(), Some("@bob"));
    assert_eq!(
        from_document(&pm.history(&id).await),
        vec![change("text", typo, ALERTING)]
    );
}

#[tokio::test]
async fn rewording_adding_an_owner_and_a_due_date_and_fixing_a_typo_at_once_keeps_the_action() {
    let typo = "Add alertign on replicaton lag";
    let pm = Postmortem::new(&[TLS, typo, RUNBOOK]).await;
    let id = pm.id_of(typo).await;
    let runbook = pm.id_of(RUNBOOK).await;
    pm.track(&id, "in_progress", "@bob", "half the hosts done")
        .await;

    let all_at_once =
        "Add paging alerts on replication lag above one minute — @jane, due 2025-03-01";
    pm.edit(&[TLS, all_at_once, "Write a runbok for failover"]);

    kept_by_a_person(&pm, &id, "in_progress", "half the hosts done", 3).await;
    let row = pm.get(&id).await;
    assert_eq!(row.owner.as_deref(), Some("@jane"));
    assert_eq!(row.due.as_deref(), Some("2025-03-01"));
    assert_eq!(
        from_document(&pm.history(&id).await),
        vec![
            change(
                "text",
                typo,
                "Add paging alerts on replication lag above one minute"
            ),
            change("owner", "@bob", "@jane"),
            ("due".to_string(), None, Some("2025-03-01".to_string())),
        ]
    );
    // The other action's typo fix kept it too.
    assert_eq!(pm.get(&runbook).await.text, "Write a runbok for failover");
}

#[tokio::test]
async fn two_actions_trading_places_each_keep_their_own_history() {
    let db1 = "Add alerting on replication lag for db-1";
    let db2 = "Add alerting on replication lag for db-2";
    let pm = Postmortem::new(&[db1, db2, TLS]).await;
    let (one, two) = (pm.id_of(db1).await, pm.id_of(db2).await);
    pm.track(&one, "done", "@bob", "db-1 alert live").await;
    pm.track(&two, "in_progress", "@carol", "db-2 needs a new exporter")
        .await;

    // Swapped, and each line reworded a little so neither keeps its extracted id.
    let db2_now = "Add alerts on replication lag of db-2";
    let db1_now = "Add alerts on replication lag of db-1";
    pm.edit(&[db2_now, db1_now, TLS]);

    kept_by_a_person(&pm, &one, "done", "db-1 alert live", 3).await;
    kept_by_a_person(&pm, &two, "in_progress", "db-2 needs a new exporter", 3).await;
    let (row1, row2) = (pm.get(&one).await, pm.get(&two).await);
    assert_eq!((row1.text.as_str(), row1.position), (db1_now, 1));
    assert_eq!((row2.text.as_str(), row2.position), (db2_now, 0));
    assert_eq!(row1.owner.as_deref(), Some("@bob"));
    assert_eq!(row2.owner.as_deref(), Some("@carol"));
    assert_eq!(
        from_document(&pm.history(&one).await),
        vec![change("text", db1, db1_now)]
    );
    assert_eq!(
        from_document(&pm.history(&two).await),
        vec![change("text", db2, db2_now)]
    );
}

#[tokio::test]
async fn an_action_split_in_two_keeps_its_history_on_the_closer_part() {
    let both = "Add alerting and a runbook for replication lag";
    let pm = Postmortem::new(&[both, TLS]).await;
    let id = pm.id_of(both).await;
    pm.track(&id, "in_progress", "@bob", "alert drafted").await;

    let runbook = "Write a runbook for replication lag";
    let alerting = "Add alerting for replication lag";
    pm.edit(&[runbook, alerting, TLS]);

    kept_by_a_person(&pm, &id, "in_progress", "alert drafted", 3).await;
    let row = pm.get(&id).await;
    assert_eq!(row.text, alerting);
    assert_eq!(row.owner.as_deref(), Some("@bob"));
    assert_eq!(
        from_document(&pm.history(&id).await),
        vec![change("text", both, alerting)]
    );
    // The other part is a new action: the document's values, no history of its own.
    let other = pm.id_of(runbook).await;
    assert_ne!(other, id);
    let new = pm.get(&other).await;
    assert_eq!(
        (new.status.as_str(), new.owner.as_deref()),
        ("unknown", None)
    );
    assert!(pm.history(&other).await.is_empty());
}

#[tokio::test]
async fn an_unrelated_replacement_is_new_and_the_replaced_action_is_removed() {
    let pm = Postmortem::new(&[ALERTING, RUNBOOK, TLS]).await;
    let tls = pm.id_of(TLS).await;
    pm.track(&tls, "done", "@bob", "rotated").await;

    let kernel = "Upgrade the kernel on the bastion hosts";
    pm.edit(&[ALERTING, RUNBOOK, kernel]);

    let old = pm.get(&tls).await;
    assert!(old.removed, "{old:?}");
    assert_eq!((old.status.as_str(), old.text.as_str()), ("done", TLS));
    let new = pm.id_of(kernel).await;
    assert_ne!(new, tls);
    assert!(!pm.get(&new).await.removed);

    // Back again, the old action is restored with what the person set.
    pm.edit(&[ALERTING, RUNBOOK, TLS]);
    let back = pm.get(&tls).await;
    assert!(!back.removed && back.status.as_str() == "done", "{back:?}");
    assert!(pm.get(&new).await.removed);
}

#[tokio::test]
async fn an_old_text_coming_back_beside_its_rewording_gets_an_id_of_its_own() {
    let pm = Postmortem::new(&[ALERTING, RUNBOOK]).await;
    let id = pm.id_of(ALERTING).await;
    pm.track(&id, "done", "@bob", "alert live").await;
    let paging = "Add paging on replication lag";
    pm.edit(&[paging, RUNBOOK]);
    assert_eq!(pm.get(&id).await.text, paging);

    // The old wording returns as a second action: the extracted id it would have is the
    // one the reworded action kept, so it needs another.
    pm.edit(&[ALERTING, paging, RUNBOOK]);
    let all = pm.actions().await;
    assert_eq!(all.len(), 3, "{all:#?}");
    assert!(all.iter().all(|a| !a.removed), "{all:#?}");
    let returned = pm.id_of(ALERTING).await;
    assert_ne!(returned, id);
    assert_eq!(pm.get(&id).await.status.as_str(), "done");

    // And both stay themselves on the next import.
    pm.edit(&[ALERTING, paging, RUNBOOK]);
    assert_eq!(pm.id_of(ALERTING).await, returned);
    assert_eq!(pm.id_of(paging).await, id);
}
