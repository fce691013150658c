//! Actions as tracked items and their history.
//!
//! Invariant: a re-import changes a tracked value (status, owner, due, ticket) only
//! when the document's own value for it changed since the last import, and records
//! that change in the history with origin "document"; values set by people otherwise
//! survive. Actions that leave their document are marked removed, never deleted.

use crate::model::Action;
use serde_json::json;
use sqlx::{Row, SqliteConnection};
use std::collections::{HashMap, HashSet};

/// The tracked and document values of an existing action row.
struct Stored {
    doc: [Option<String>; 4],
    tracked: [Option<String>; 4],
    removed: bool,
}

const FIELDS: [&str; 4] = ["status", "owner", "due", "ticket"];

fn doc_values(a: &Action) -> [Option<String>; 4] {
    [
        Some(a.status.as_str().to_string()),
        a.owner.clone(),
        a.due.map(|d| d.to_string()),
        a.ticket.clone(),
    ]
}

/// Brings the actions of an incident in line with its document.
pub async fn sync_from_document(
    conn: &mut SqliteConnection,
    incident_id: i64,
    actions: &[Action],
    now: &str,
) -> sqlx::Result<()> {
    let rows = sqlx::query(
        "select id, doc_status, doc_owner, doc_due, doc_ticket, status, owner, due, ticket,
                removed_at is not null as removed
         from actions where incident_id = ?",
    )
    .bind(incident_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut stored: HashMap<String, Stored> = rows
        .into_iter()
        .map(|r| {
            (
                r.get::<String, _>("id"),
                Stored {
                    doc: [
                        r.get("doc_status"),
                        r.get("doc_owner"),
                        r.get("doc_due"),
                        r.get("doc_ticket"),
                    ],
                    tracked: [
                        r.get("status"),
                        r.get("owner"),
                        r.get("due"),
                        r.get("ticket"),
                    ],
                    removed: r.get("removed"),
                },
            )
        })
        .collect();

    let mut new_rows = Vec::new();
    let mut seen = HashSet::new();
    for (position, action) in actions.iter().enumerate() {
        seen.insert(action.id.clone());
        let doc = doc_values(action);
        let Some(old) = stored.remove(&action.id) else {
            new_rows.push(new_row(position, action, now));
            continue;
        };
        // Apply what the document changed since it was last read.
        let mut tracked = old.tracked.clone();
        let mut changed = false;
        for i in 0..FIELDS.len() {
            if doc[i] != old.doc[i] && doc[i] != tracked[i] {
                record(
                    conn,
                    &action.id,
                    now,
                    "document",
                    "document",
                    FIELDS[i],
                    tracked[i].as_deref(),
                    doc[i].as_deref(),
                )
                .await?;
                tracked[i] = doc[i].clone();
                changed = true;
            }
        }
        if old.removed {
            record(
                conn, &action.id, now, "document", "document", "restored", None, None,
            )
            .await?;
            changed = true;
        }
        let completed = tracked[0].as_deref() == Some("done");
        sqlx::query(
            "update actions set position = ?, text = ?, details = ?, line = ?, doc_status = ?, doc_owner = ?,
                doc_due = ?, doc_ticket = ?, priority = ?, kind = ?, status = ?, owner = ?, due = ?, ticket = ?,
                removed_at = null,
                updated_at = case when ? then ? else updated_at end,
                updated_by = case when ? then 'document' else updated_by end,
                completed_at = case when ? then coalesce(completed_at, ?) else null end
             where id = ?",
        )
        .bind(position as i64)
        .bind(&action.text)
        .bind(&action.details)
        .bind(action.line)
        .bind(&doc[0])
        .bind(&doc[1])
        .bind(&doc[2])
        .bind(&doc[3])
        .bind(&action.priority)
        .bind(&action.kind)
        .bind(&tracked[0])
        .bind(&tracked[1])
        .bind(&tracked[2])
        .bind(&tracked[3])
        .bind(changed)
        .bind(now)
        .bind(changed)
        .bind(completed)
        .bind(now)
        .bind(&action.id)
        .execute(&mut *conn)
        .await?;
    }
    if !new_rows.is_empty() {
        sqlx::query(&insert_new_sql("$1", 2, 3))
            .bind(incident_id)
            .bind(now)
            .bind(serde_json::Value::Array(new_rows).to_string())
            .execute(&mut *conn)
            .await?;
    }
    // What is left was in the document before and is not any more.
    for (id, old) in stored {
        if old.removed || seen.contains(&id) {
            continue;
        }
        sqlx::query("update actions set removed_at = ?, updated_at = ?, updated_by = 'document' where id = ?")
            .bind(now)
            .bind(now)
            .bind(&id)
            .execute(&mut *conn)
            .await?;
        record(
            conn, &id, now, "document", "document", "removed", None, None,
        )
        .await?;
    }
    Ok(())
}

/// The row of an action seen for the first time, as a JSON array in the column order
/// of [`insert_new_sql`].
fn new_row(position: usize, action: &Action, now: &str) -> serde_json::Value {
    let doc = doc_values(action);
    json!([
        action.id,
        position,
        action.text,
        action.details,
        action.line,
        doc[0],
        doc[1],
        doc[2],
        doc[3],
        action.priority,
        action.kind,
        (action.status == crate::model::ActionStatus::Done).then_some(now),
    ])
}

/// The actions of a new incident as one JSON array for [`insert_new_sql`]: a new
/// incident has no stored actions, so every action is new and nothing needs reading.
pub(super) fn new_rows_json(actions: &[Action], now: &str) -> String {
    let rows: Vec<_> = actions
        .iter()
        .enumerate()
        .map(|(position, action)| new_row(position, action, now))
        .collect();
    serde_json::Value::Array(rows).to_string()
}

/// One statement inserting the JSON rows of [`new_rows_json`]: the incident id is the
/// SQL expression `incident`, `now` and `rows` the numbers of their parameters. The
/// document's values are also the first tracked values.
pub(super) fn insert_new_sql(incident: &str, now: usize, rows: usize) -> String {
    format!(
        "insert into actions (id, incident_id, position, text, details, line, doc_status, doc_owner, doc_due,
            doc_ticket, priority, kind, status, owner, due, ticket, created_at, updated_at, updated_by, completed_at)
         select value->>0, {incident}, value->>1, value->>2, value->>3, value->>4,
            value->>5, value->>6, value->>7, value->>8, value->>9, value->>10,
            value->>5, value->>6, value->>7, value->>8, ${now}, ${now}, 'document', value->>11
         from json_each(${rows})"
    )
}

/// Appends one entry to an action's history.
#[allow(clippy::too_many_arguments)]
pub async fn record(
    conn: &mut SqliteConnection,
    action_id: &str,
    at: &str,
    actor: &str,
    origin: &str,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into action_events (action_id, at, actor, origin, field, old_value, new_value) values (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(action_id)
    .bind(at)
    .bind(actor)
    .bind(origin)
    .bind(field)
    .bind(old)
    .bind(new)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
