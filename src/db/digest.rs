//! The weekly digest: the actions and incidents it reports, and the record of sends.
//!
//! Invariant: a (week, recipient) row is claimed with one atomic insert before the
//! message goes out, so at most one process ever sends a week's digest to an address;
//! rows are never deleted. A row is "sent" only once the SMTP server accepted the
//! message; a claim whose holder is gone, or that failed, can be claimed again.

use sqlx::{FromRow, SqlitePool};

/// An action as the digest sees it, with its incident.
#[derive(Debug, Clone, FromRow)]
pub struct DigestActionRow {
    pub id: String,
    pub text: String,
    /// The tracked status (open | in_progress | done | wontfix | unknown).
    pub status: String,
    pub owner: Option<String>,
    /// Due date as stored (YYYY-MM-DD when valid).
    pub due: Option<String>,
    pub ticket: Option<String>,
    pub priority: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    pub completed_at: Option<String>,
    /// True when the action was open at the as-of time (not done, or done later).
    pub open_at: bool,
    pub incident_slug: String,
    pub incident_title: String,
}

/// An incident imported during the digest's window.
#[derive(Debug, Clone, FromRow)]
pub struct NewIncidentRow {
    pub slug: String,
    pub title: String,
    pub started: Option<String>,
    pub severity: Option<String>,
    pub imported_at: String,
}

/// The most recent send that failed after its last retry.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Failure {
    pub week: String,
    pub recipient: String,
    /// When the last try failed (RFC 3339, UTC).
    pub at: String,
    /// The delivery error; it never contains the SMTP password.
    pub error: String,
    pub attempts: i64,
}

/// One row of the send record.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Send {
    pub week: String,
    pub recipient: String,
    pub kind: String,
    /// sending | sent | failed | released
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub message_id: Option<String>,
    /// When the row was last claimed, and when the send finished (RFC 3339, UTC).
    pub claimed_at: String,
    pub finished_at: Option<String>,
    /// The process holding a "sending" claim: its id and host, and until when it holds
    /// it unless it renews the lease.
    pub holder_pid: Option<i64>,
    pub holder_host: Option<String>,
    pub lease_until: Option<String>,
}

/// The process claiming a send: its id and host name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    pub pid: i64,
    pub host: String,
}

/// Actions that existed at `as_of` and were open then, or were completed in
/// `[since, as_of)`, each as it stood at `as_of`: a field changed later is read back
/// from the action's history (the old value of its first change after `as_of`), so
/// the digest of a past week shows that week's status, owner, due date and ticket.
/// Times are `db::now()` strings.
pub async fn actions(
    pool: &SqlitePool,
    since: &str,
    as_of: &str,
) -> sqlx::Result<Vec<DigestActionRow>> {
    sqlx::query_as(actions_sql())
        .bind(since)
        .bind(as_of)
        .fetch_all(pool)
        .await
}

fn actions_sql() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        // `?2` is as_of. A later change's old value is what the field was then.
        let then = |field: &str| {
            let later = format!(
                "from action_events e where e.action_id = a.id and e.field = '{field}' and e.at >= ?2"
            );
            format!(
                "case when exists (select 1 {later}) then (select e.old_value {later} order by e.id limit 1)
                      else a.{field} end as {field}"
            )
        };
        format!(
            "with then_ as (
               select a.id, a.text, a.priority, a.created_at, a.position, a.incident_id,
                      {status}, {owner}, {due}, {ticket},
                      case when a.updated_at < ?2 then a.updated_at
                           else coalesce((select max(e.at) from action_events e
                                          where e.action_id = a.id and e.at < ?2), a.created_at)
                      end as updated_at,
                      case when a.completed_at < ?2 then a.completed_at
                           else (select max(e.at) from action_events e
                                 where e.action_id = a.id and e.field = 'status'
                                   and e.new_value = 'done' and e.at < ?2)
                      end as completed_at
               from actions a
               where a.created_at < ?2 and (a.removed_at is null or a.removed_at >= ?2)
             )
             select t.id, t.text, t.status, t.owner, t.due, t.ticket, t.priority, t.created_at,
                    t.updated_at, t.completed_at,
                    t.status in ('open', 'in_progress', 'unknown') as open_at,
                    i.slug as incident_slug, i.title as incident_title
             from then_ t join incidents i on i.id = t.incident_id
             where t.status in ('open', 'in_progress', 'unknown')
                -- Done in the window means it became done then (a person's or the
                -- document's recorded change), never first seen already done.
                or (t.status = 'done' and t.completed_at >= ?1
                    and exists (select 1 from action_events e
                                where e.action_id = t.id and e.field = 'status'
                                  and e.new_value = 'done' and e.at >= ?1 and e.at < ?2))
             order by t.created_at, i.slug, t.position",
            status = then("status"),
            owner = then("owner"),
            due = then("due"),
            ticket = then("ticket"),
        )
    })
}

/// Incidents first imported in `[since, as_of)`, oldest first.
pub async fn new_incidents(
    pool: &SqlitePool,
    since: &str,
    as_of: &str,
) -> sqlx::Result<Vec<NewIncidentRow>> {
    sqlx::query_as(
        "select slug, title, started, severity, imported_at from incidents
         where imported_at >= ? and imported_at < ? and removed_at is null
         order by imported_at, slug",
    )
    .bind(since)
    .bind(as_of)
    .fetch_all(pool)
    .await
}

/// Claims the week's message to `recipient` for `holder` until `lease_until`: true
/// when this caller won the claim and must send it, false when the message was
/// already sent or another holder's lease still runs. A claim that failed, was
/// released, or whose lease ran out (its holder stopped renewing it) is taken over.
pub async fn claim(
    pool: &SqlitePool,
    week: &str,
    recipient: &str,
    kind: &str,
    holder: &Holder,
    now: &str,
    lease_until: &str,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "insert into digest_sends (week, recipient, kind, state, claimed_at, holder_pid,
                                   holder_host, lease_until)
         values (?1, ?2, ?3, 'sending', ?4, ?5, ?6, ?7)
         on conflict (week, recipient) do update
             set state = 'sending', claimed_at = excluded.claimed_at,
                 holder_pid = excluded.holder_pid, holder_host = excluded.holder_host,
                 lease_until = excluded.lease_until, finished_at = null
         where digest_sends.state in ('failed', 'released')
            or (digest_sends.state = 'sending'
                and (digest_sends.lease_until is null or digest_sends.lease_until < ?4))",
    )
    .bind(week)
    .bind(recipient)
    .bind(kind)
    .bind(now)
    .bind(holder.pid)
    .bind(&holder.host)
    .bind(lease_until)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Extends the lease of every message of `week` that `holder` is still sending.
pub async fn renew(
    pool: &SqlitePool,
    week: &str,
    holder: &Holder,
    lease_until: &str,
) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "update digest_sends set lease_until = ?
         where week = ? and state = 'sending' and holder_pid = ? and holder_host = ?",
    )
    .bind(lease_until)
    .bind(week)
    .bind(holder.pid)
    .bind(&holder.host)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// Releases the claim on (`week`, `recipient`) if `holder` still holds it: its process
/// is gone. True when it was released.
pub async fn release_from(
    pool: &SqlitePool,
    week: &str,
    recipient: &str,
    holder: &Holder,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update digest_sends set state = 'released', lease_until = null
         where week = ? and recipient = ? and state = 'sending'
           and holder_pid = ? and holder_host = ?",
    )
    .bind(week)
    .bind(recipient)
    .bind(holder.pid)
    .bind(&holder.host)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Releases every claim of `week` that is not sent (sending or failed), so the next
/// run sends those messages: `aftermath digest --release WEEK`. Returns how many.
pub async fn release_week(pool: &SqlitePool, week: &str) -> sqlx::Result<u64> {
    let done = sqlx::query(
        "update digest_sends set state = 'released', lease_until = null
         where week = ? and state in ('sending', 'failed')",
    )
    .bind(week)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

/// The send record of (`week`, `recipient`), if there is one.
pub async fn send(pool: &SqlitePool, week: &str, recipient: &str) -> sqlx::Result<Option<Send>> {
    sqlx::query_as(&format!(
        "select {SEND_COLUMNS} from digest_sends where week = ? and recipient = ?"
    ))
    .bind(week)
    .bind(recipient)
    .fetch_optional(pool)
    .await
}

const SEND_COLUMNS: &str = "week, recipient, kind, state, attempts, last_error, message_id,
    claimed_at, finished_at, holder_pid, holder_host, lease_until";

/// True when some message of the week is claimed but not finished.
pub async fn in_flight(pool: &SqlitePool, week: &str) -> sqlx::Result<bool> {
    sqlx::query_scalar(
        "select exists (select 1 from digest_sends where week = ? and state = 'sending')",
    )
    .bind(week)
    .fetch_one(pool)
    .await
}

/// Records one failed delivery attempt of a claimed message (it stays claimed).
pub async fn attempt_failed(
    pool: &SqlitePool,
    week: &str,
    recipient: &str,
    error: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update digest_sends set attempts = attempts + 1, last_error = ?
         where week = ? and recipient = ?",
    )
    .bind(error)
    .bind(week)
    .bind(recipient)
    .execute(pool)
    .await?;
    Ok(())
}

/// Marks a claimed message delivered: the SMTP server accepted it.
pub async fn mark_sent(
    pool: &SqlitePool,
    week: &str,
    recipient: &str,
    message_id: Option<&str>,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update digest_sends set state = 'sent', attempts = attempts + 1, finished_at = ?,
                message_id = ?, lease_until = null
         where week = ? and recipient = ?",
    )
    .bind(now)
    .bind(message_id)
    .bind(week)
    .bind(recipient)
    .execute(pool)
    .await?;
    Ok(())
}

/// Marks a claimed message failed for good: the last retry failed too.
pub async fn mark_failed(
    pool: &SqlitePool,
    week: &str,
    recipient: &str,
    now: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "update digest_sends set state = 'failed', finished_at = ?, lease_until = null
         where week = ? and recipient = ?",
    )
    .bind(now)
    .bind(week)
    .bind(recipient)
    .execute(pool)
    .await?;
    Ok(())
}

/// The sends recorded for a week, by recipient.
pub async fn sends(pool: &SqlitePool, week: &str) -> sqlx::Result<Vec<Send>> {
    sqlx::query_as(&format!(
        "select {SEND_COLUMNS} from digest_sends where week = ? order by recipient"
    ))
    .bind(week)
    .fetch_all(pool)
    .await
}

/// The latest send that failed after its last retry, unless a later week has since
/// reached the same recipient; for the home page.
pub async fn last_failure(pool: &SqlitePool) -> sqlx::Result<Option<Failure>> {
    sqlx::query_as(
        "select f.week, f.recipient, f.finished_at as at, coalesce(f.last_error, '') as error,
                f.attempts
         from digest_sends f
         where f.state = 'failed'
           and not exists (select 1 from digest_sends s
                           where s.recipient = f.recipient and s.state = 'sent'
                             and s.week > f.week)
         order by f.finished_at desc, f.id desc
         limit 1",
    )
    .fetch_optional(pool)
    .await
}

/// How many sends are recorded in each state (sent, sending, failed, released).
pub async fn count_by_state(pool: &SqlitePool) -> sqlx::Result<Vec<(String, i64)>> {
    sqlx::query_as("select state, count(*) from digest_sends group by state order by state")
        .fetch_all(pool)
        .await
}
