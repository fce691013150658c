//! Actions as tracked items and their history.
//!
//! Invariant: a re-import changes a tracked value (status, owner, due, ticket) only
//! when the document's own value for it changed since the last import, and records
//! that change in the history with origin "document"; values set by people otherwise
//! survive. An edited action line (reworded, given an owner or a due date, a typo
//! fixed) is the same action: it keeps its id, tracked values and history, and the new
//! text is recorded (see `action_match`). Actions that leave their document are marked
//! removed, never deleted.

use super::action_match::{self, Side};
use crate::model::Action;
use sqlx::{Row, SqliteConnection};
use std::collections::HashSet;

/// An action of the incident as stored: what the document said at the last import and
/// the tracked values.
struct Stored {
    id: String,
    text: String,
    position: usize,
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

/// Brings the actions of an incident in line with a new version of its document: each
/// new action is paired with the stored action it continues, whatever its extracted id
/// (`action_match`), and updated in place; the others are inserted; stored actions left
/// unpaired are marked removed.
pub async fn sync_from_document(
    conn: &mut SqliteConnection,
    incident_id: i64,
    actions: &[Action],
    now: &str,
) -> sqlx::Result<()> {
    let rows = sqlx::query(
        "select id, text, position, doc_status, doc_owner, doc_due, doc_ticket, status, owner,
                due, ticket, removed_at is not null as removed
         from actions where incident_id = ? order by position, id",
    )
    .bind(incident_id)
    .fetch_all(&mut *conn)
    .await?;
    let stored: Vec<Stored> = rows
        .into_iter()
        .map(|r| Stored {
            id: r.get("id"),
            text: r.get("text"),
            position: r.get::<i64, _>("position").max(0) as usize,
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
        })
        .collect();
    let docs: Vec<[Option<String>; 4]> = actions.iter().map(doc_values).collect();
    let old_sides: Vec<Side<'_>> = stored
        .iter()
        .map(|s| Side {
            text: &s.text,
            owner: s.doc[1].as_deref(),
            ticket: s.doc[3].as_deref(),
            due: s.doc[2].as_deref(),
            position: s.position,
            removed: s.removed,
        })
        .collect();
    let new_sides: Vec<Side<'_>> = actions
        .iter()
        .zip(&docs)
        .enumerate()
        .map(|(position, (a, doc))| Side {
            text: &a.text,
            owner: a.owner.as_deref(),
            ticket: a.ticket.as_deref(),
            due: doc[2].as_deref(),
            position,
            removed: false,
        })
        .collect();
    let pairs = action_match::pair(&old_sides, &new_sides);

    let mut kept = vec![false; stored.len()];
    let mut used: HashSet<String> = stored.iter().map(|s| s.id.clone()).collect();
    let mut fresh = Vec::new();
    for (position, (action, pair)) in actions.iter().zip(&pairs).enumerate() {
        match pair {
            Some(i) => {
                kept[*i] = true;
                keep(conn, &stored[*i], position, action, &docs[position], now).await?;
            }
            None => fresh.push((position, free_id(&action.id, &mut used))),
        }
    }
    if !fresh.is_empty() {
        let new_rows: Vec<NewRow<'_>> = fresh
            .iter()
            .map(|(position, id)| new_row(id, *position, &actions[*position]))
            .collect();
        sqlx::query(&insert_new_sql("$1", 2, 3))
            .bind(incident_id)
            .bind(now)
            .bind(rows_json(&new_rows))
            .execute(&mut *conn)
            .await?;
    }
    // What is left was in the document before and is not any more.
    for (old, _) in stored.iter().zip(&kept).filter(|(s, k)| !**k && !s.removed) {
        sqlx::query("update actions set removed_at = ?, updated_at = ?, updated_by = 'document' where id = ?")
            .bind(now)
            .bind(now)
            .bind(&old.id)
            .execute(&mut *conn)
            .await?;
        record(
            conn, &old.id, now, "document", "document", "removed", None, None,
        )
        .await?;
    }
    Ok(())
}

/// Updates the stored action `old` to what the document now says of it, keeping its id:
/// a tracked value follows the document only where the document's own value changed;
/// every change is recorded.
async fn keep(
    conn: &mut SqliteConnection,
    old: &Stored,
    position: usize,
    action: &Action,
    doc: &[Option<String>; 4],
    now: &str,
) -> sqlx::Result<()> {
    let id = old.id.as_str();
    let mut tracked = old.tracked.clone();
    let mut changed = false;
    if old.text != action.text {
        record(
            conn,
            id,
            now,
            "document",
            "document",
            "text",
            Some(&old.text),
            Some(&action.text),
        )
        .await?;
        changed = true;
    }
    // Apply what the document changed since it was last read.
    for i in 0..FIELDS.len() {
        if doc[i] != old.doc[i] && doc[i] != tracked[i] {
            record(
                conn,
                id,
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
            conn, id, now, "document", "document", "restored", None, None,
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
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The id for an action seen for the first time: its extracted id, unless a stored
/// action of the incident holds it (an action that was reworded away from that text
/// kept it), then the extracted id's hash numbered `-2`, `-3`, ...
fn free_id(wanted: &str, used: &mut HashSet<String>) -> String {
    if used.insert(wanted.to_string()) {
        return wanted.to_string();
    }
    let root = wanted.split('-').next().unwrap_or(wanted);
    (2..)
        .map(|n| format!("{root}-{n}"))
        .find(|id| used.insert(id.clone()))
        .unwrap_or_default()
}

/// The row of an action seen for the first time, serialised as a JSON array in the
/// column order of [`insert_new_sql`] (its document values nested at index 5).
type NewRow<'a> = (
    &'a str,
    usize,
    &'a str,
    &'a Option<String>,
    u32,
    [Option<String>; 4],
    &'a Option<String>,
    &'a Option<String>,
    bool,
);

fn new_row<'a>(id: &'a str, position: usize, action: &'a Action) -> NewRow<'a> {
    (
        id,
        position,
        &action.text,
        &action.details,
        action.line,
        doc_values(action),
        &action.priority,
        &action.kind,
        action.status == crate::model::ActionStatus::Done,
    )
}

/// The actions of a new incident as one JSON array for [`insert_new_sql`]: a new
/// incident has no stored actions, so every action is new and nothing needs reading.
/// Independent of the time of the import, so the import's workers build it, not its
/// writer.
pub(super) fn new_rows_json(actions: &[Action]) -> String {
    let rows: Vec<NewRow<'_>> = actions
        .iter()
        .enumerate()
        .map(|(i, a)| new_row(&a.id, i, a))
        .collect();
    rows_json(&rows)
}

fn rows_json(rows: &[NewRow<'_>]) -> String {
    // Strings, numbers, booleans and nulls always serialise.
    serde_json::to_string(rows).unwrap_or_else(|_| "[]".into())
}

/// One statement inserting the JSON rows of [`new_rows_json`]: the incident id is the
/// SQL expression `incident`, `now` and `rows` the numbers of their parameters. The
/// document's values are also the first tracked values.
pub(super) fn insert_new_sql(incident: &str, now: usize, rows: usize) -> String {
    format!(
        "insert into actions (id, incident_id, position, text, details, line, doc_status, doc_owner, doc_due,
            doc_ticket, priority, kind, status, owner, due, ticket, created_at, updated_at, updated_by, completed_at)
         select value->>0, {incident}, value->>1, value->>2, value->>3, value->>4,
            value->>'$[5][0]', value->>'$[5][1]', value->>'$[5][2]', value->>'$[5][3]', value->>6,
            value->>7, value->>'$[5][0]', value->>'$[5][1]', value->>'$[5][2]', value->>'$[5][3]',
            ${now}, ${now}, 'document', case when value->>8 then ${now} end
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

// ---------------------------------------------------------------------------------
// Changes made by people (web, CLI, API) and the queries behind lists, pages and the
// digest.

use super::WriteProblem;
use crate::model::ActionStatus;
use crate::tracking::{self, ActionUpdate, Origin};
use jiff::civil::Date;
use serde::Serialize;
use sqlx::SqlitePool;

/// How many times an update is retried when SQLite reports the database busy beyond
/// its own busy timeout.
const BUSY_RETRIES: u32 = 5;

/// Why an update was not applied.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    /// No action has this id.
    #[error("There is no action with the id \"{0}\".")]
    NotFound(String),
    /// The update names no field.
    #[error("Nothing to change: give a status, owner, due date, ticket or note.")]
    NothingToChange,
    /// The database cannot be written (a read-only file or folder).
    #[error("This database is read-only: the change was not saved.")]
    ReadOnly,
    /// The disk holding the database is full.
    #[error("The disk holding the database is full: the change was not saved.")]
    DiskFull,
    /// The database failed (other than being busy, which is retried); details are
    /// logged, not shown.
    #[error("The change could not be saved; please try again.")]
    Database(#[from] sqlx::Error),
}

/// One field changed by an update, as recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldChange {
    /// status | owner | due | ticket | note
    pub field: &'static str,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// What an update did: the fields that really changed (setting a value to what it
/// already is records nothing) and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpdateOutcome {
    pub id: String,
    pub at: String,
    pub changes: Vec<FieldChange>,
}

/// Applies a change made by `actor` to the action `id` in one `BEGIN IMMEDIATE`
/// transaction, so concurrent writers take turns; records one history event per
/// changed field. Busy errors are retried a few times before giving up.
pub async fn update(
    pool: &SqlitePool,
    id: &str,
    change: &ActionUpdate,
    actor: &str,
    origin: Origin,
) -> Result<UpdateOutcome, UpdateError> {
    if change.is_empty() {
        return Err(UpdateError::NothingToChange);
    }
    let mut attempt = 0;
    loop {
        match try_update(pool, id, change, actor, origin).await {
            Err(UpdateError::Database(e))
                if WriteProblem::of(&e) == Some(WriteProblem::Busy) && attempt < BUSY_RETRIES =>
            {
                attempt += 1;
                tracing::debug!(id, attempt, "database busy, retrying the action update");
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
            }
            Err(UpdateError::Database(e)) => {
                tracing::error!(id, error = %e, "updating an action failed");
                return Err(match WriteProblem::of(&e) {
                    Some(WriteProblem::ReadOnly) => UpdateError::ReadOnly,
                    Some(WriteProblem::DiskFull) => UpdateError::DiskFull,
                    _ => UpdateError::Database(e),
                });
            }
            other => return other,
        }
    }
}

async fn try_update(
    pool: &SqlitePool,
    id: &str,
    change: &ActionUpdate,
    actor: &str,
    origin: Origin,
) -> Result<UpdateOutcome, UpdateError> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let outcome = apply(&mut tx, id, change, actor, origin, &super::now()).await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Applies one person's change to one action inside the caller's transaction: reads
/// the action, records one history event per field that really changes, and updates
/// the row. What [`update`] and [`update_many`] both do for each action.
async fn apply(
    conn: &mut SqliteConnection,
    id: &str,
    change: &ActionUpdate,
    actor: &str,
    origin: Origin,
    now: &str,
) -> Result<UpdateOutcome, UpdateError> {
    let row = sqlx::query("select status, owner, due, ticket from actions where id = ?")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    let Some(row) = row else {
        return Err(UpdateError::NotFound(id.chars().take(40).collect()));
    };
    let mut values: [Option<String>; 4] = [
        row.get("status"),
        row.get("owner"),
        row.get("due"),
        row.get("ticket"),
    ];
    let old_status = values[0].clone();
    let now = now.to_string();
    let mut changes = Vec::new();
    for (i, new) in change.stored_values().into_iter().enumerate() {
        let Some(new) = new else { continue };
        if new != values[i] {
            changes.push(FieldChange {
                field: FIELDS[i],
                old: values[i].take(),
                new: new.clone(),
            });
            values[i] = new;
        }
    }
    if let Some(note) = &change.note {
        changes.push(FieldChange {
            field: "note",
            old: None,
            new: Some(note.as_str().to_string()),
        });
    }
    for c in &changes {
        record(
            &mut *conn,
            id,
            &now,
            actor,
            origin.as_str(),
            c.field,
            c.old.as_deref(),
            c.new.as_deref(),
        )
        .await?;
    }
    if !changes.is_empty() {
        let closed = |s: &Option<String>| {
            s.as_deref()
                .and_then(ActionStatus::parse)
                .is_some_and(tracking::is_closed)
        };
        // Closing sets the completion time, closing again (done → wontfix) keeps it,
        // reopening clears it.
        let completed = match (closed(&old_status), closed(&values[0])) {
            (_, false) => 0,
            (false, true) => 1,
            (true, true) => 2,
        };
        sqlx::query(
            "update actions set status = ?, owner = ?, due = ?, ticket = ?, updated_at = ?, updated_by = ?,
                completed_at = case ? when 0 then null when 1 then ? else coalesce(completed_at, ?) end
             where id = ?",
        )
        .bind(&values[0])
        .bind(&values[1])
        .bind(&values[2])
        .bind(&values[3])
        .bind(&now)
        .bind(actor)
        .bind(completed)
        .bind(&now)
        .bind(&now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    }
    Ok(UpdateOutcome {
        id: id.to_string(),
        at: now,
        changes,
    })
}

/// The most actions one bulk change may touch.
pub const BULK_LIMIT: usize = 5000;

/// Applies the same change by `actor` to each of `ids` in one `BEGIN IMMEDIATE`
/// transaction: each action's history records its own changes exactly as a single
/// [`update`] would (an action already in the wanted state records nothing). Ids
/// that name no action are skipped and returned beside the outcomes; busy errors are
/// retried like [`update`]'s.
pub async fn update_many(
    pool: &SqlitePool,
    ids: &[String],
    change: &ActionUpdate,
    actor: &str,
    origin: Origin,
) -> Result<(Vec<UpdateOutcome>, Vec<String>), UpdateError> {
    if change.is_empty() {
        return Err(UpdateError::NothingToChange);
    }
    let mut attempt = 0;
    loop {
        let result = async {
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
            let now = super::now();
            let (mut done, mut missing) = (Vec::new(), Vec::new());
            for id in ids.iter().take(BULK_LIMIT) {
                match apply(&mut tx, id, change, actor, origin, &now).await {
                    Ok(outcome) => done.push(outcome),
                    Err(UpdateError::NotFound(_)) => missing.push(id.clone()),
                    Err(e) => return Err(e),
                }
            }
            tx.commit().await?;
            Ok((done, missing))
        }
        .await;
        match result {
            Err(UpdateError::Database(e))
                if WriteProblem::of(&e) == Some(WriteProblem::Busy) && attempt < BUSY_RETRIES =>
            {
                attempt += 1;
                tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
            }
            Err(UpdateError::Database(e)) => {
                tracing::error!(error = %e, "a bulk action update failed");
                return Err(match WriteProblem::of(&e) {
                    Some(WriteProblem::ReadOnly) => UpdateError::ReadOnly,
                    Some(WriteProblem::DiskFull) => UpdateError::DiskFull,
                    _ => UpdateError::Database(e),
                });
            }
            other => return other,
        }
    }
}

/// How a list of actions is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionSort {
    /// Soonest due first; actions without a due date last.
    #[default]
    Due,
    /// Oldest first, by the incident's start (or the import when unknown).
    Age,
    /// Newest incident first, then in document order.
    Incident,
    /// By action id: an order no change to an action moves it in, which is what lets
    /// a client walking the API's pages see each action exactly once.
    Id,
}

impl ActionSort {
    /// The sort key as SQL over the list's row (`a`), each with whether it descends:
    /// the order of the list and what a page's cursor records. Every key ends with the
    /// action id, so no two rows share a position.
    fn keys(self) -> &'static [(&'static str, bool)] {
        match self {
            // '~' sorts after every date, so actions without a due date (or incidents
            // without a start) come last, as `x is null, x` would order them.
            ActionSort::Due => &[
                ("coalesce(a.due, '~')", false),
                ("coalesce(a.started, '~')", false),
                ("a.slug", false),
                ("a.position", false),
                ("a.id", false),
            ],
            // The incident's start, or the day it was first imported when it states
            // none: a key of the incident alone, so `incidents_oldest` (migration
            // 0020) serves it.
            ActionSort::Age => &[
                ("coalesce(a.started, substr(a.imported_at, 1, 10))", false),
                ("a.slug", false),
                ("a.position", false),
                ("a.id", false),
            ],
            ActionSort::Incident => &[
                ("(a.started is null)", false),
                ("coalesce(a.started, '')", true),
                ("a.slug", false),
                ("a.position", false),
                ("a.id", false),
            ],
            ActionSort::Id => &[("a.id", false)],
        }
    }
}

/// The SQL of `order by` for `sort`.
fn order_by(sort: ActionSort) -> String {
    let keys: Vec<String> = sort
        .keys()
        .iter()
        .map(|(e, desc)| format!("{e}{}", if *desc { " desc" } else { "" }))
        .collect();
    format!(" order by {}", keys.join(", "))
}

/// The SQL condition "the row comes after the position `param`" (a JSON array of the
/// sort key's values, as [`order_by`] orders them): keyset paging, so a page costs the
/// same whatever its depth and rows changed on earlier pages do not shift later ones.
fn after_condition(sort: ActionSort, param: &str) -> String {
    let keys = sort.keys();
    let mut condition = String::new();
    for (k, (expr, desc)) in keys.iter().enumerate().rev() {
        let value = format!("({param} ->> '$[{k}]')");
        let beyond = format!("{expr} {} {value}", if *desc { "<" } else { ">" });
        condition = if condition.is_empty() {
            beyond
        } else {
            format!("{beyond} or ({expr} = {value} and ({condition}))")
        };
    }
    // The first key's bound again on its own, which SQLite can seek an index to (the
    // due order's walk along `actions_due_order` starts at the cursor, not the top).
    let (first, desc) = keys[0];
    let bound = format!(
        "{first} {} ({param} ->> '$[0]')",
        if desc { "<=" } else { ">=" }
    );
    format!("({param} is null or ({bound} and ({condition})))")
}

/// The JSON array of sort key values a list row carries, for the next page's cursor.
fn key_columns(sort: ActionSort) -> String {
    let keys: Vec<&str> = sort.keys().iter().map(|(e, _)| *e).collect();
    format!("json_array({}) as sort_key", keys.join(", "))
}

/// Which actions a list shows. Build with [`ActionFilter::new`] and set fields.
#[derive(Debug, Clone)]
pub struct ActionFilter {
    /// Statuses to show; empty shows all. See [`tracking::parse_status_filter`].
    pub statuses: Vec<ActionStatus>,
    /// Words of the owner as people type them: any case, with or without `@`, part of
    /// a full name or an address (`alice` finds "Alice Smith" and "@alice").
    pub owner: Option<String>,
    /// Incident slug.
    pub incident: Option<String>,
    /// A system the incident names.
    pub system: Option<String>,
    /// Only overdue actions.
    pub overdue: bool,
    /// Only stale actions.
    pub stale: bool,
    /// Only open actions without an owner.
    pub no_owner: bool,
    /// Also actions no longer in their document.
    pub include_removed: bool,
    pub sort: ActionSort,
    /// The reference day for overdue and stale.
    pub today: Date,
    /// An open action unchanged for more than this many days is stale.
    pub stale_days: u32,
    /// At most this many rows (pages ask for one more than they show).
    pub limit: Option<i64>,
    /// Only rows after this position in the sort order: the `sort_key` of the last row
    /// of the previous page ([`ActionRow::sort_key`]), for keyset paging.
    pub after: Option<String>,
}

impl ActionFilter {
    /// A filter showing every action still in its document, soonest due first.
    pub fn new(today: Date, stale_days: u32) -> ActionFilter {
        ActionFilter {
            statuses: Vec::new(),
            owner: None,
            incident: None,
            system: None,
            overdue: false,
            stale: false,
            no_owner: false,
            include_removed: false,
            sort: ActionSort::Due,
            today,
            stale_days,
            limit: None,
            after: None,
        }
    }

    /// Shows only actions that still need work (open, in progress, unknown).
    pub fn open(mut self) -> ActionFilter {
        self.statuses = open_statuses();
        self
    }
}

fn open_statuses() -> Vec<ActionStatus> {
    ActionStatus::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .collect()
}

/// An action as lists, pages, the API and the digest show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionRow {
    pub id: String,
    /// The incident's slug.
    pub incident: String,
    pub incident_title: String,
    pub position: i64,
    pub text: String,
    pub details: Option<String>,
    pub status: ActionStatus,
    pub owner: Option<String>,
    /// YYYY-MM-DD.
    pub due: Option<String>,
    pub ticket: Option<String>,
    pub priority: Option<String>,
    pub kind: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: Option<String>,
    pub completed_at: Option<String>,
    /// No longer in its document.
    pub removed: bool,
    /// Open and due before today.
    pub overdue: bool,
    /// Open and unchanged for more than the stale period.
    pub stale: bool,
    /// Open and nobody owns it.
    pub no_owner: bool,
    /// Where the row stands in the list's order (a JSON array), for the next page's
    /// [`ActionFilter::after`]; empty when the row was not read from a list.
    #[serde(skip)]
    pub sort_key: String,
}

/// One entry of an action's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionEvent {
    pub id: i64,
    pub action_id: String,
    pub at: String,
    pub actor: String,
    /// web | cli | api | document
    pub origin: String,
    /// status | owner | due | ticket | note | text (the document reworded it) | created |
    /// removed | restored
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
}

/// How many actions are in each state (actions removed from their documents are not
/// counted). `open` counts every action that still needs work ([`OPEN_STATUSES`]: open,
/// in progress, unknown), the number the home page shows too; `in_progress` and
/// `unknown` are among them; overdue, stale and no_owner count among open actions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ActionCounts {
    pub open: i64,
    pub in_progress: i64,
    pub unknown: i64,
    pub done: i64,
    pub wontfix: i64,
    pub overdue: i64,
    pub stale: i64,
    pub no_owner: i64,
}

/// Open and overdue actions of one owner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OwnerLoad {
    pub owner: String,
    pub open: i64,
    pub overdue: i64,
}

impl ActionCounts {
    /// Counts one action in (`sign` 1) or out (-1) as [`counts`] counts it, from its
    /// row as [`get`] reads it: what lets a change made in this process update kept
    /// counts without counting every action again.
    pub fn add(&mut self, row: &ActionRow, sign: i64) {
        if row.removed {
            return;
        }
        match row.status {
            ActionStatus::Open => {}
            ActionStatus::InProgress => self.in_progress += sign,
            ActionStatus::Unknown => self.unknown += sign,
            ActionStatus::Done => self.done += sign,
            ActionStatus::Wontfix => self.wontfix += sign,
        }
        let flags = [
            (row.status.is_open(), &mut self.open),
            (row.overdue, &mut self.overdue),
            (row.stale, &mut self.stale),
            (row.no_owner, &mut self.no_owner),
        ];
        for (set, count) in flags {
            if set {
                *count += sign;
            }
        }
    }
}

/// Counts one action in (`sign` 1) or out (-1) of per-owner loads as [`per_owner`]
/// computes them (open actions with an owner, grouped by the owner in any ASCII case,
/// most open first), keeping their order.
pub fn add_to_owner_loads(loads: &mut Vec<OwnerLoad>, row: &ActionRow, sign: i64) {
    // SQLite's trim() takes spaces only.
    let Some(owner) = row
        .owner
        .as_deref()
        .filter(|o| !o.trim_matches(' ').is_empty())
    else {
        return;
    };
    if row.removed || !row.status.is_open() {
        return;
    }
    let at = match loads
        .iter()
        .position(|l| l.owner.eq_ignore_ascii_case(owner))
    {
        Some(at) => at,
        None => {
            loads.push(OwnerLoad {
                owner: owner.to_string(),
                open: 0,
                overdue: 0,
            });
            loads.len() - 1
        }
    };
    loads[at].open += sign;
    if row.overdue {
        loads[at].overdue += sign;
    }
    if loads[at].open <= 0 {
        loads.remove(at);
    }
    loads.sort_by(|a, b| {
        b.open
            .cmp(&a.open)
            .then(b.overdue.cmp(&a.overdue))
            .then_with(|| {
                a.owner
                    .to_ascii_lowercase()
                    .cmp(&b.owner.to_ascii_lowercase())
            })
    });
}

/// The statuses that still need work, as SQL: the one definition of "open" that every
/// count and list uses (home, actions page, incident pages, API, CLI). The same as
/// [`ActionStatus::is_open`], which a test checks.
pub const OPEN_STATUSES: &str = "('open', 'in_progress', 'unknown')";

/// The day an action's staleness counts from: the later of its incident's date and its
/// last change, so a first import of old postmortems does not make every action look
/// freshly touched (and then all stale on the same day). A change is anything after
/// the action was first stored (`updated_at` moves on every recorded change, and a
/// person's change names them in `updated_by` even within the second of the import);
/// with neither, the day it was first stored.
const STALE_FROM: &str = "coalesce(
        nullif(max(coalesce(i.started, ''),
                   case when a.updated_at > a.created_at or a.updated_by <> 'document'
                        then substr(a.updated_at, 1, 10) else '' end), ''),
        substr(a.created_at, 1, 10))";

/// SQL flags computed once for every query (over `actions a join incidents i`): `?1`
/// is today (YYYY-MM-DD), `?2` the day before which an open action is stale.
fn flags() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        format!(
            "a.status in {OPEN_STATUSES} as is_open,
    (a.status in {OPEN_STATUSES} and a.due is not null and a.due < ?1) as overdue,
    (a.status in {OPEN_STATUSES} and {STALE_FROM} < ?2) as stale,
    (a.status in {OPEN_STATUSES} and (a.owner is null or trim(a.owner) = '')) as no_owner"
        )
    })
}

const ROW_COLUMNS: &str = "a.id, i.slug, i.title, a.position, a.text, a.details, a.status, a.owner,
    a.due, a.ticket, a.priority, a.kind, a.created_at, a.updated_at, a.updated_by, a.completed_at,
    a.removed_at is not null as removed";

/// The first day from which an open action is not yet stale.
fn stale_cutoff(today: Date, stale_days: u32) -> String {
    today
        .saturating_sub(jiff::Span::new().days(i64::from(stale_days)))
        .to_string()
}

fn action_row(r: &sqlx::sqlite::SqliteRow) -> ActionRow {
    ActionRow {
        id: r.get("id"),
        incident: r.get("slug"),
        incident_title: r.get("title"),
        position: r.get("position"),
        text: r.get("text"),
        details: r.get("details"),
        status: ActionStatus::parse(r.get::<&str, _>("status")).unwrap_or(ActionStatus::Unknown),
        owner: r.get("owner"),
        due: r.get("due"),
        ticket: r.get("ticket"),
        priority: r.get("priority"),
        kind: r.get("kind"),
        created_at: r.get("created_at"),
        updated_at: r.get("updated_at"),
        updated_by: r.get("updated_by"),
        completed_at: r.get("completed_at"),
        removed: r.get("removed"),
        overdue: r.get("overdue"),
        stale: r.get("stale"),
        no_owner: r.get("no_owner"),
        sort_key: r.try_get("sort_key").unwrap_or_default(),
    }
}

/// An owner as lowercase words (SQL over `a.owner`): `@`, `.`, `_`, `<` and `>`
/// separate words, so `Alice.Smith@example.org` reads `alice smith example org`.
const OWNER_WORDS: &str = "replace(replace(replace(replace(replace(lower(a.owner), '@', ' '), '.', ' '), '_', ' '), '<', ' '), '>', ' ')";

/// What an owner filter matches, as the middle of a `like` pattern over
/// [`OWNER_WORDS`]: the typed words in the same form, so `alice`, `@alice`, `Alice`,
/// `smith` and `alice smith` all find "Alice Smith" (a match starts at a word), and
/// `%` or `\` are searched as text. `None` for a filter of nothing.
fn owner_pattern(typed: &str) -> Option<String> {
    let words: Vec<String> = typed
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || matches!(c, '@' | '.' | '_' | '<' | '>'))
        .filter(|w| !w.is_empty())
        .map(|w| w.replace('\\', "\\\\").replace('%', "\\%"))
        .collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// The actions a filter selects, in its order: the one query behind the actions page,
/// its CSV, the bulk change, the API and `aftermath actions`. Each field of
/// [`ActionFilter`] is one bound parameter; the order is [`ActionSort`].
pub async fn list<'c, E>(pool: E, filter: &ActionFilter) -> sqlx::Result<Vec<ActionRow>>
where
    E: sqlx::Executor<'c, Database = sqlx::Sqlite>,
{
    let sql = list_sql(filter);
    let rows = bind_list(&sql, filter).fetch_all(pool).await?;
    Ok(rows.iter().map(action_row).collect())
}

/// Calls `each` with every action `filter` selects, in its order, as SQLite reads
/// them: one statement, never more than a row in memory (`aftermath actions --json`
/// over hundreds of thousands of actions). Stops at the first error `each` returns.
pub async fn for_each<E>(
    pool: &SqlitePool,
    filter: &ActionFilter,
    mut each: impl FnMut(ActionRow) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<sqlx::Error>,
{
    use futures_util::TryStreamExt;
    let sql = list_sql(filter);
    let mut rows = bind_list(&sql, filter).fetch(pool);
    while let Some(row) = rows.try_next().await? {
        each(action_row(&row))?;
    }
    Ok(())
}

/// The statement behind [`list`] and [`for_each`]. Every parameter is always bound and
/// referenced (a neutral value switches a condition off), so the statement text never
/// holds user input.
fn list_sql(filter: &ActionFilter) -> String {
    let matches = format!(
        "(select {ROW_COLUMNS}, i.started, i.imported_at, {flags}
         from {from}) a
         where {after} and (?3 = '[]' or a.status in (select value from json_each(?3)))
           and (?4 is null or ' ' || {owner_words} like '% ' || ?4 || '%' escape '\\')
           and (?5 is null or a.slug = ?5)
           and (?6 is null or exists (select 1 from incident_systems s join incidents i on i.id = s.incident_id
                where i.slug = a.slug and s.system = ?6 collate nocase))
           and (not ?7 or a.overdue)
           and (not ?8 or a.stale)
           and (not ?9 or a.no_owner)
           and (?10 or not a.removed)",
        flags = flags(),
        owner_words = OWNER_WORDS,
        from = Access::of(filter).from_clause(),
        after = after_condition(filter.sort, "?12"),
    );
    let key = key_columns(filter.sort);
    let order = order_by(filter.sort);
    if filter.limit.is_none() {
        return format!("select *, {key} from {matches}{order} limit ?11");
    }
    // A page: the sort takes only each match's id, then the page's rows are read
    // whole, their cursor keys with them. Sorting whole rows (texts, titles, flags)
    // cost 100 ms for the 7,415 open actions without an owner at 100,000 incidents;
    // the ids with their keys as JSON, 29 ms; the ids alone, 23 ms (SQLite computes a
    // sorted row's columns before sorting it).
    format!(
        "with page as (select a.id as page_id from {matches}{order} limit ?11)
         select a.*, {key} from page cross join
           (select {ROW_COLUMNS}, i.started, i.imported_at, {flags}
            from actions a join incidents i on i.id = a.incident_id) a on a.id = page.page_id
         {order}",
        flags = flags(),
    )
}

fn bind_list<'q>(
    sql: &'q str,
    filter: &ActionFilter,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
    sqlx::query(sql)
        .bind(filter.today.to_string())
        .bind(stale_cutoff(filter.today, filter.stale_days))
        .bind(serde_json::to_string(&statuses).unwrap_or_default())
        .bind(filter.owner.as_deref().and_then(owner_pattern))
        .bind(filter.incident.as_deref().map(|s| s.trim().to_string()))
        .bind(filter.system.as_deref().map(|s| s.trim().to_string()))
        .bind(filter.overdue)
        .bind(filter.stale)
        .bind(filter.no_owner)
        .bind(filter.include_removed)
        .bind(filter.limit.unwrap_or(-1))
        .bind(filter.after.clone().filter(|a| is_sort_key(a)))
}

/// How the list's rows are read. SQLite's planner, not knowing that a page needs only
/// the first hundred or so rows, prefers reading every match and sorting it (80 ms for
/// the due order at 130,000 actions, 245 ms for the incident order); reading along an
/// index in the list's order and stopping after a page takes about 1 ms. A filter
/// naming an owner, an incident or a system matches few actions, so it is left to the
/// planner (reading those few and sorting them beats walking a whole index to find
/// them); so are lists without a limit (the CSV, `aftermath actions`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Whatever the planner chooses.
    Planner,
    /// Along `actions_due_order` (migration 0015), in the due order.
    DueIndex,
    /// The open actions without an owner, from their own small index (migration 0020),
    /// then sorted: rare, and in the due order mostly at its very end (no due date
    /// either), where a walk of the due index reached them after every other action.
    NoOwnerIndex,
    /// Incidents along an index in the list's order (migration 0020), each one's
    /// actions read by `actions_incident`: the age and incident orders are orders of
    /// the incident.
    IncidentsIndex(&'static str),
}

impl Access {
    fn of(filter: &ActionFilter) -> Access {
        if filter.limit.is_none()
            || filter.owner.is_some()
            || filter.incident.is_some()
            || filter.system.is_some()
        {
            return Access::Planner;
        }
        if filter.no_owner {
            return Access::NoOwnerIndex;
        }
        match filter.sort {
            ActionSort::Due => Access::DueIndex,
            ActionSort::Age => Access::IncidentsIndex("incidents_oldest"),
            ActionSort::Incident => Access::IncidentsIndex("incidents_newest"),
            ActionSort::Id => Access::Planner,
        }
    }

    /// The `from` clause of the inner select (actions `a`, incidents `i`). `cross join`
    /// keeps the tables in the order written.
    fn from_clause(self) -> String {
        match self {
            Access::Planner => "actions a join incidents i on i.id = a.incident_id".into(),
            Access::DueIndex => "actions a indexed by actions_due_order cross join incidents i
                 on i.id = a.incident_id"
                .into(),
            // The index's own condition, written out so SQLite may use it; the same
            // rows `no_owner` (see [`flags`]) selects.
            Access::NoOwnerIndex => format!(
                "actions a indexed by actions_no_owner cross join incidents i on i.id = a.incident_id
                 where a.status in {OPEN_STATUSES} and (a.owner is null or trim(a.owner) = '')"
            ),
            Access::IncidentsIndex(index) => format!(
                "incidents i indexed by {index} cross join actions a on a.incident_id = i.id"
            ),
        }
    }
}

/// Whether `text` is a JSON array, as a cursor must be (anything else would make every
/// comparison with it null and the page empty; it is ignored instead).
fn is_sort_key(text: &str) -> bool {
    matches!(
        serde_json::from_str::<serde_json::Value>(text),
        Ok(serde_json::Value::Array(_))
    )
}

/// One action with its incident's slug and title, removed or not.
pub async fn get(
    pool: &SqlitePool,
    id: &str,
    today: Date,
    stale_days: u32,
) -> sqlx::Result<Option<ActionRow>> {
    let sql = format!(
        "select {ROW_COLUMNS}, {flags} from actions a join incidents i on i.id = a.incident_id
         where a.id = ?3",
        flags = flags(),
    );
    let row = sqlx::query(&sql)
        .bind(today.to_string())
        .bind(stale_cutoff(today, stale_days))
        .bind(id.trim())
        .fetch_optional(pool)
        .await?;
    Ok(row.as_ref().map(action_row))
}

/// The actions with these exact ids (those that exist), as [`get`] reads each.
pub async fn get_many(
    pool: &SqlitePool,
    ids: &[String],
    today: Date,
    stale_days: u32,
) -> sqlx::Result<Vec<ActionRow>> {
    let sql = format!(
        "select {ROW_COLUMNS}, {flags} from actions a join incidents i on i.id = a.incident_id
         where a.id in (select value from json_each(?3))",
        flags = flags(),
    );
    let rows = sqlx::query(&sql)
        .bind(today.to_string())
        .bind(stale_cutoff(today, stale_days))
        .bind(serde_json::to_string(ids).unwrap_or_else(|_| "[]".into()))
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().map(action_row).collect())
}

/// An action another action's typed id prefix could also mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdCandidate {
    pub id: String,
    /// The first few words of the action's text.
    pub text: String,
}

impl std::fmt::Display for IdCandidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.id, self.text)
    }
}

/// Why a typed id prefix names no single action.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// No action's id starts with the prefix.
    #[error("no action with id starting \"{0}\"")]
    Unknown(String),
    /// Several actions' ids start with the prefix; the first two are given.
    #[error(
        "the id \"{prefix}\" is ambiguous: it starts {}, perhaps more; give more characters",
        candidates.iter().map(ToString::to_string).collect::<Vec<_>>().join(" and ")
    )]
    Ambiguous {
        prefix: String,
        candidates: Vec<IdCandidate>,
    },
    /// The database failed.
    #[error("looking up the action id")]
    Database(#[from] sqlx::Error),
}

/// Words of an action's text shown beside its id in an ambiguity error.
const CANDIDATE_WORDS: usize = 6;

/// The full id of the one action whose id is `prefix` or starts with it. An exact
/// match wins even when it also starts a longer id (`…47` and `…47-2`).
pub async fn resolve_id(
    pool: &SqlitePool,
    prefix: &tracking::ActionIdPrefix,
) -> Result<String, ResolveError> {
    // The prefix holds only hex digits and '-', so it cannot carry `like` wildcards.
    let rows: Vec<(String, String)> = sqlx::query_as(
        "select id, text from actions where id = ?1 or id like ?1 || '%'
         order by id <> ?1, id limit 2",
    )
    .bind(prefix.as_str())
    .fetch_all(pool)
    .await?;
    match rows.as_slice() {
        [] => Err(ResolveError::Unknown(prefix.to_string())),
        [(id, _)] => Ok(id.clone()),
        [(id, _), ..] if id == prefix.as_str() => Ok(id.clone()),
        _ => Err(ResolveError::Ambiguous {
            prefix: prefix.to_string(),
            candidates: rows
                .into_iter()
                .map(|(id, text)| {
                    let words: Vec<&str> = text.split_whitespace().collect();
                    let mut text = words
                        .iter()
                        .take(CANDIDATE_WORDS)
                        .copied()
                        .collect::<Vec<_>>()
                        .join(" ");
                    if words.len() > CANDIDATE_WORDS {
                        text.push('…');
                    }
                    IdCandidate { id, text }
                })
                .collect(),
        }),
    }
}

/// An action's history, oldest first.
pub async fn history(pool: &SqlitePool, id: &str) -> sqlx::Result<Vec<ActionEvent>> {
    let rows = sqlx::query(
        "select id, action_id, at, actor, origin, field, old_value, new_value
         from action_events where action_id = ? order by id",
    )
    .bind(id.trim())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| ActionEvent {
            id: r.get("id"),
            action_id: r.get("action_id"),
            at: r.get("at"),
            actor: r.get("actor"),
            origin: r.get("origin"),
            field: r.get("field"),
            old_value: r.get("old_value"),
            new_value: r.get("new_value"),
        })
        .collect())
}

/// How many actions are in each state, as of `today`.
pub async fn counts(pool: &SqlitePool, today: Date, stale_days: u32) -> sqlx::Result<ActionCounts> {
    let sql = format!(
        "select
            coalesce(sum(is_open), 0) as open,
            coalesce(sum(status = 'in_progress'), 0) as in_progress,
            coalesce(sum(status = 'unknown'), 0) as unknown,
            coalesce(sum(status = 'done'), 0) as done,
            coalesce(sum(status = 'wontfix'), 0) as wontfix,
            coalesce(sum(overdue), 0) as overdue,
            coalesce(sum(stale), 0) as stale,
            coalesce(sum(no_owner), 0) as no_owner
         from (select a.status, {flags} from actions a join incidents i on i.id = a.incident_id
               where a.removed_at is null)",
        flags = flags(),
    );
    let r = sqlx::query(&sql)
        .bind(today.to_string())
        .bind(stale_cutoff(today, stale_days))
        .fetch_one(pool)
        .await?;
    Ok(ActionCounts {
        open: r.get("open"),
        in_progress: r.get("in_progress"),
        unknown: r.get("unknown"),
        done: r.get("done"),
        wontfix: r.get("wontfix"),
        overdue: r.get("overdue"),
        stale: r.get("stale"),
        no_owner: r.get("no_owner"),
    })
}

/// Open and overdue actions per owner (actions still needing work, with an owner),
/// most open first.
pub async fn per_owner(pool: &SqlitePool, today: Date) -> sqlx::Result<Vec<OwnerLoad>> {
    let rows = sqlx::query(&format!(
        "select min(owner) as owner, count(*) as open,
                coalesce(sum(due is not null and due < ?), 0) as overdue
         from actions
         where removed_at is null and status in {OPEN_STATUSES}
           and owner is not null and trim(owner) != ''
         group by owner collate nocase
         order by open desc, overdue desc, owner collate nocase"
    ))
    .bind(today.to_string())
    .fetch_all(pool)
    .await?;
    Ok(rows
        .iter()
        .map(|r| OwnerLoad {
            owner: r.get("owner"),
            open: r.get("open"),
            overdue: r.get("overdue"),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sql_definition_of_open_is_the_statuses_that_need_work() {
        let open: Vec<String> = ActionStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        assert_eq!(OPEN_STATUSES, format!("({})", open.join(", ")));
    }

    #[test]
    fn owner_filters_read_as_people_type() {
        assert_eq!(owner_pattern("@Alice").as_deref(), Some("alice"));
        assert_eq!(
            owner_pattern(" alice  Smith ").as_deref(),
            Some("alice smith")
        );
        assert_eq!(
            owner_pattern("alice.smith@example.org").as_deref(),
            Some("alice smith example org")
        );
        assert_eq!(owner_pattern("100%").as_deref(), Some("100\\%"));
        assert_eq!(owner_pattern(" @ "), None);
    }
}
