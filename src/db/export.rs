//! The reads behind `aftermath export`: every incident, and every action, one row at a
//! time in the order of the incidents' start dates.
//!
//! Invariant: rows are streamed (sqlx `fetch`: the SQLite worker hands over a bounded
//! channel of rows), never collected, and each query walks an index in the order asked
//! (`incidents_started`, `actions_incident`), so SQLite sorts nothing either: the
//! memory of an export does not grow with the number of incidents.

use crate::model::{EventTime, Precision, ZoneSource};
use futures_util::stream::{Stream, StreamExt};
use serde::Serialize;
use sqlx::{Row, SqlitePool};

/// One incident as exported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncidentExport {
    pub slug: String,
    pub title: String,
    /// YYYY-MM-DD, in the document's own zone.
    pub started: Option<String>,
    pub timezone: Option<String>,
    pub severity: Option<String>,
    pub format: String,
    pub source_path: String,
    pub authors: Vec<String>,
    pub systems: Vec<String>,
    pub tags: Vec<String>,
    pub summary: Option<String>,
    pub impact: Option<String>,
    pub detection: Option<String>,
    pub resolution: Option<String>,
    pub root_causes: Vec<String>,
    pub timeline: Vec<TimelineExport>,
    /// Actions still in the document.
    pub actions: i64,
    /// Of those, the ones open, in progress or of unknown status.
    pub open_actions: i64,
    /// Set when the file has gone from disk.
    pub missing_since: Option<String>,
    pub imported_at: String,
    pub updated_at: String,
}

/// One timeline entry as exported.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineExport {
    /// `YYYY-MM-DD[THH:MM[:SS]]`, with `Z`/`±HH:MM` when the zone is known (the JSON
    /// form of `EventTime`).
    pub at: String,
    /// Where the zone came from: stated (beside the time), document, or unknown.
    pub zone: &'static str,
    pub text: String,
    /// The timestamp as written.
    pub source_text: String,
    pub line: i64,
}

/// One action as exported: the tracked values and where it stands in its document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionExport {
    pub id: String,
    /// The incident's slug.
    pub incident: String,
    pub incident_title: String,
    pub position: i64,
    pub text: String,
    pub details: Option<String>,
    pub status: String,
    pub owner: Option<String>,
    /// YYYY-MM-DD.
    pub due: Option<String>,
    pub ticket: Option<String>,
    pub priority: Option<String>,
    pub kind: Option<String>,
    /// The line of the document it was last read from.
    pub line: i64,
    pub created_at: String,
    pub updated_at: String,
    pub updated_by: Option<String>,
    pub completed_at: Option<String>,
    /// Set when the action left its document.
    pub removed_at: Option<String>,
}

/// The lists of an incident are built as JSON arrays by SQLite, one correlated
/// subquery each over the child table's primary key, so the row stays one row.
const INCIDENTS: &str = "
select i.slug, i.title, i.started, i.timezone, i.severity, i.format, i.source_path,
    i.authors, i.missing_since, i.imported_at, i.updated_at, i.document,
    (select json_group_array(system) from (select system from incident_systems
        where incident_id = i.id order by system collate nocase)) as systems,
    (select json_group_array(tag) from (select tag from incident_tags
        where incident_id = i.id order by tag)) as tags,
    (select json_group_array(text) from (select text from root_causes
        where incident_id = i.id order by position)) as root_causes,
    (select json_group_array(json_array(wall_time, utc_offset, precision, zone_source,
            source_text, line))
        from (select * from timeline_entries where incident_id = i.id order by position))
        as timeline,
    (select count(*) from actions a where a.incident_id = i.id and a.removed_at is null)
        as actions,
    (select count(*) from actions a where a.incident_id = i.id and a.removed_at is null
        and a.status in ('open', 'in_progress', 'unknown')) as open_actions
from incidents i indexed by incidents_started
where i.removed_at is null
order by i.started, i.id";

const ACTIONS: &str = "
select a.id, i.slug, i.title, a.position, a.text, a.details, a.status, a.owner, a.due,
    a.ticket, a.priority, a.kind, a.line, a.created_at, a.updated_at, a.updated_by,
    a.completed_at, a.removed_at
from incidents i indexed by incidents_started
join actions a on a.incident_id = i.id
order by i.started, i.id, a.position";

/// Every incident, oldest first (those without a start date first of all).
pub fn incidents(pool: &SqlitePool) -> impl Stream<Item = sqlx::Result<IncidentExport>> + '_ {
    sqlx::query(INCIDENTS)
        .fetch(pool)
        .map(|row| row.map(|r| incident(&r)))
}

/// Every action, those of removed ones included, in the order of their incidents.
pub fn actions(pool: &SqlitePool) -> impl Stream<Item = sqlx::Result<ActionExport>> + '_ {
    sqlx::query(ACTIONS).fetch(pool).map(|row| {
        row.map(|r| ActionExport {
            id: r.get(0),
            incident: r.get(1),
            incident_title: r.get(2),
            position: r.get(3),
            text: r.get(4),
            details: r.get(5),
            status: r.get(6),
            owner: r.get(7),
            due: r.get(8),
            ticket: r.get(9),
            priority: r.get(10),
            kind: r.get(11),
            line: r.get(12),
            created_at: r.get(13),
            updated_at: r.get(14),
            updated_by: r.get(15),
            completed_at: r.get(16),
            removed_at: r.get(17),
        })
    })
}

fn incident(r: &sqlx::sqlite::SqliteRow) -> IncidentExport {
    let stored = super::document::Stored::decode(r.get::<&[u8], _>("document"));
    let details = stored.details;
    let list = |col: &str| -> Vec<String> {
        serde_json::from_str(r.get::<&str, _>(col)).unwrap_or_default()
    };
    type Entry = (String, Option<i64>, i64, i64, String, i64);
    let entries: Vec<Entry> =
        serde_json::from_str(r.get::<&str, _>("timeline")).unwrap_or_default();
    let mut texts = details.timeline.into_iter();
    let timeline = entries
        .into_iter()
        .map(|(wall, offset, precision, zone, source_text, line)| {
            let zone = zone_source(zone);
            TimelineExport {
                at: at_string(&wall, offset, precision, zone).unwrap_or(wall),
                zone: match zone {
                    ZoneSource::Stated => "stated",
                    ZoneSource::Document => "document",
                    ZoneSource::Unknown => "unknown",
                },
                text: texts.next().unwrap_or_default(),
                source_text,
                line,
            }
        })
        .collect();
    IncidentExport {
        slug: r.get("slug"),
        title: r.get("title"),
        started: r.get("started"),
        timezone: r.get("timezone"),
        severity: r.get("severity"),
        format: r.get("format"),
        source_path: r.get("source_path"),
        authors: list("authors"),
        systems: list("systems"),
        tags: list("tags"),
        summary: stored.summary,
        impact: details.impact,
        detection: details.detection,
        resolution: details.resolution,
        root_causes: list("root_causes"),
        timeline,
        actions: r.get("actions"),
        open_actions: r.get("open_actions"),
        missing_since: r.get("missing_since"),
        imported_at: r.get("imported_at"),
        updated_at: r.get("updated_at"),
    }
}

/// `timeline_entries.zone_source` (see migration 0010).
fn zone_source(code: i64) -> ZoneSource {
    match code {
        1 => ZoneSource::Stated,
        2 => ZoneSource::Document,
        _ => ZoneSource::Unknown,
    }
}

/// The JSON form of the stored time: what `parse --json` prints for the entry.
fn at_string(wall: &str, offset: Option<i64>, precision: i64, zone: ZoneSource) -> Option<String> {
    let (date, time) = match wall.parse::<jiff::civil::DateTime>() {
        Ok(dt) if wall.len() > 10 => (dt.date(), Some(dt.time())),
        _ => (wall.parse::<jiff::civil::Date>().ok()?, None),
    };
    let offset = offset
        .and_then(|s| i32::try_from(s).ok())
        .and_then(|s| jiff::tz::Offset::from_seconds(s).ok());
    let precision = match precision {
        0 => Precision::Day,
        1 => Precision::Minute,
        _ => Precision::Second,
    };
    Some(
        EventTime {
            date,
            time,
            offset,
            zone_source: zone,
            precision,
        }
        .to_at_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_times_read_back_in_their_json_form() {
        let at = |w, o, p| at_string(w, o, p, ZoneSource::Document).unwrap();
        assert_eq!(at("2024-03-04T14:02:00", Some(0), 1), "2024-03-04T14:02Z");
        assert_eq!(
            at("2024-03-04T14:02:09", Some(3600), 2),
            "2024-03-04T14:02:09+01:00"
        );
        assert_eq!(at("2024-03-04T14:02:00", None, 1), "2024-03-04T14:02");
        assert_eq!(at("2024-03-04", None, 0), "2024-03-04");
        assert_eq!(at_string("garbage", None, 0, ZoneSource::Unknown), None);
    }
}
