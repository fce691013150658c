//! Recurrences: an incident that happened again after the follow-up actions of an
//! earlier, similar one were all closed. "Similar" is a related pair (`pages`) that
//! names the same failure mode, or that shares a system with a related score of at
//! least [`HIGH_SCORE`]; the reason shown is the related pair's own.
//!
//! When an action was closed: the day it was marked done (in Aftermath, or by the
//! import that first read it as done after it had been open); an action that was
//! already done when its document was first imported has no such day, and its due
//! date stands in for it. An earlier incident counts only when it has actions, every
//! one of them (removed ones aside) is done, and the last was closed before the later
//! incident's start day.
//!
//! Invariant: read-only, computed from what is stored; nothing here is cached.

use sqlx::{Row, SqlitePool};

/// The related score from which a shared system alone makes two incidents similar.
/// Scores are TF-IDF cosines (0 to 1); pairs below 0.03 are not related at all.
pub const HIGH_SCORE: f64 = 0.3;

/// One recurrence: the later incident, the earlier one whose actions were all closed,
/// and why they are alike.
#[derive(Debug, Clone)]
pub struct Recurrence {
    pub later_id: i64,
    pub later_slug: String,
    pub later_title: String,
    pub later_started: String,
    pub earlier_id: i64,
    pub earlier_slug: String,
    pub earlier_title: String,
    pub earlier_started: String,
    /// The related pair's reason ("same failure: DNS failure; shared systems: dns").
    pub reason: String,
    /// The day the earlier incident's last action was closed.
    pub closed_on: String,
    /// How many actions the earlier incident had (all done).
    pub actions: i64,
}

/// The query. `only` is a condition on `related_incidents` choosing the pairs looked at
/// (`true` for all); the actions read are only those of the pairs' incidents.
fn sql(only: &str) -> String {
    format!(
        "with pairs as (
             select incident_id as later, other_id as earlier, score, reason
             from related_incidents where {only}
             union all
             select other_id, incident_id, score, reason from related_incidents where {only}
         ),
         closed as (
             select incident_id, count(*) as actions, sum(status = 'done') as done,
                    sum(status = 'done' and closed_on is null) as undated,
                    max(closed_on) as closed_on
             from (select incident_id, status,
                          case when completed_at = created_at then due
                               else substr(completed_at, 1, 10) end as closed_on
                   from actions
                   where removed_at is null
                     and incident_id in (select earlier from pairs))
             group by incident_id
         )
         select l.id, l.slug, l.title, l.started, e.id, e.slug, e.title, e.started,
                p.reason, c.closed_on, c.actions, max(p.score)
         from closed c
         join pairs p on p.earlier = c.incident_id
         join incidents e on e.id = p.earlier
         join incidents l on l.id = p.later
         where c.actions = c.done and c.undated = 0
           and l.removed_at is null and e.removed_at is null
           and e.started < l.started and c.closed_on < l.started
           and (p.reason like 'same failure:%'
                or (p.reason like '%shared systems:%' and p.score >= ?1))
         group by p.later, p.earlier
         order by l.started desc, l.id, e.started desc, e.id"
    )
}

fn read(r: &sqlx::sqlite::SqliteRow) -> Recurrence {
    Recurrence {
        later_id: r.get(0),
        later_slug: r.get(1),
        later_title: r.get(2),
        later_started: r.get(3),
        earlier_id: r.get(4),
        earlier_slug: r.get(5),
        earlier_title: r.get(6),
        earlier_started: r.get(7),
        reason: r.get(8),
        closed_on: r.get(9),
        actions: r.get(10),
    }
}

/// Every recurrence, the latest later incident first.
pub async fn all(pool: &SqlitePool) -> sqlx::Result<Vec<Recurrence>> {
    Ok(sqlx::query(&sql("true"))
        .bind(HIGH_SCORE)
        .fetch_all(pool)
        .await?
        .iter()
        .map(read)
        .collect())
}

/// The recurrences an incident is part of, as the later or the earlier one.
pub async fn of_incident(pool: &SqlitePool, id: i64) -> sqlx::Result<Vec<Recurrence>> {
    // Either side of a stored pair may be this incident (`related_incidents_other`
    // indexes the second).
    Ok(sqlx::query(&sql("(incident_id = ?2 or other_id = ?2)"))
        .bind(HIGH_SCORE)
        .bind(id)
        .fetch_all(pool)
        .await?
        .iter()
        .map(read)
        .collect())
}

/// How many incidents recurred after the actions of an earlier one were closed.
pub async fn count(pool: &SqlitePool) -> sqlx::Result<i64> {
    let sql = format!("select count(distinct later) from ({})", {
        // The later incident's id is the first column; name it for the count.
        sql("true").replacen("select l.id,", "select l.id as later,", 1)
    });
    sqlx::query_scalar(&sql)
        .bind(HIGH_SCORE)
        .fetch_one(pool)
        .await
}

/// How long [`count_kept`] keeps a count.
const KEEP: std::time::Duration = std::time::Duration::from_secs(60);

/// [`count`], kept for a minute per database file: the home page shows it on every
/// view, and it reads every related pair and action (1.5 s at 100,000 incidents, 0.2 s
/// at 10,000, sqlite3 CLI), so a count up to a minute old is shown instead of paying
/// that per view.
pub async fn count_kept(pool: &SqlitePool) -> sqlx::Result<i64> {
    type Kept = Vec<(String, std::time::Instant, i64)>;
    static KEPT: std::sync::Mutex<Kept> = std::sync::Mutex::new(Vec::new());
    let file: String =
        sqlx::query_scalar("select file from pragma_database_list where name = 'main'")
            .fetch_one(pool)
            .await?;
    if let Ok(kept) = KEPT.lock()
        && let Some((_, _, n)) = kept
            .iter()
            .find(|(f, at, _)| *f == file && at.elapsed() < KEEP)
    {
        return Ok(*n);
    }
    let n = count(pool).await?;
    if let Ok(mut kept) = KEPT.lock() {
        kept.retain(|(f, at, _)| *f != file && at.elapsed() < KEEP);
        kept.push((file, std::time::Instant::now(), n));
    }
    Ok(n)
}
