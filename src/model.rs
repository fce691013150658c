//! The domain model: what Aftermath knows about an incident once its document has been
//! read. Pure data with validated types at the edges (`Slug`, `ActionStatus`,
//! `EventTime`); no I/O, no async.
//!
//! Invariant: an `EventTime` carries an offset only when the document stated the zone,
//! either next to the time or once for the whole document. Nothing here guesses a zone.

pub mod action_ids;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::Offset;
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// The source format of a postmortem file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// CommonMark with GFM extensions.
    Markdown,
    /// reStructuredText.
    Rst,
    /// Plain text: exported slides, emails, status pages.
    Text,
}

impl Format {
    /// The name used in JSON output and in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Markdown => "markdown",
            Format::Rst => "rst",
            Format::Text => "text",
        }
    }

    /// Parses the name stored by [`Format::as_str`].
    pub fn parse(name: &str) -> Option<Format> {
        match name {
            "markdown" => Some(Format::Markdown),
            "rst" => Some(Format::Rst),
            "text" => Some(Format::Text),
            _ => None,
        }
    }
}

/// A URL-safe incident identifier derived from the file name: lowercase ASCII letters,
/// digits and single hyphens.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    /// Builds a slug from any file stem: non-alphanumerics become hyphens, runs collapse.
    /// Returns `None` when nothing alphanumeric is left.
    pub fn from_stem(stem: &str) -> Option<Slug> {
        let mut out = String::with_capacity(stem.len());
        for c in stem.chars() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            } else if !out.ends_with('-') && !out.is_empty() {
                out.push('-');
            }
        }
        while out.ends_with('-') {
            out.pop();
        }
        (!out.is_empty()).then_some(Slug(out))
    }

    /// Accepts a string only if it already is a valid slug (used for URL paths).
    pub fn parse(s: &str) -> Option<Slug> {
        let valid = !s.is_empty()
            && s.len() <= 200
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !s.starts_with('-')
            && !s.ends_with('-');
        valid.then(|| Slug(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The tracking state of a follow-up action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ActionStatus {
    Open,
    InProgress,
    Done,
    Wontfix,
    /// The document gives no status; counts as open for tracking.
    Unknown,
}

impl ActionStatus {
    pub const ALL: [ActionStatus; 5] = [
        ActionStatus::Open,
        ActionStatus::InProgress,
        ActionStatus::Done,
        ActionStatus::Wontfix,
        ActionStatus::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ActionStatus::Open => "open",
            ActionStatus::InProgress => "in_progress",
            ActionStatus::Done => "done",
            ActionStatus::Wontfix => "wontfix",
            ActionStatus::Unknown => "unknown",
        }
    }

    /// Parses the stored name exactly (`open`, `in_progress`, ...).
    pub fn parse(s: &str) -> Option<ActionStatus> {
        ActionStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// A human label ("In progress").
    pub fn label(self) -> &'static str {
        match self {
            ActionStatus::Open => "Open",
            ActionStatus::InProgress => "In progress",
            ActionStatus::Done => "Done",
            ActionStatus::Wontfix => "Won't fix",
            ActionStatus::Unknown => "Unknown",
        }
    }

    /// Whether the action still needs work (unknown counts as open).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            ActionStatus::Open | ActionStatus::InProgress | ActionStatus::Unknown
        )
    }
}

impl fmt::Display for ActionStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much of a timestamp the document gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    Day,
    Minute,
    Second,
}

impl Precision {
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Day => "day",
            Precision::Minute => "minute",
            Precision::Second => "second",
        }
    }
}

/// Where the zone of a time came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ZoneSource {
    /// Written next to the time ("16:13 UTC").
    Stated,
    /// Declared once for the document ("All times central") or used consistently by it.
    Document,
    /// Not known: the time is wall-clock time with no offset.
    Unknown,
}

/// A point in an incident's timeline as precisely as the document gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventTime {
    pub date: Date,
    /// `None` when only a date is known.
    pub time: Option<Time>,
    /// The UTC offset in force, only when the zone is known.
    pub offset: Option<Offset>,
    pub zone_source: ZoneSource,
    pub precision: Precision,
}

impl EventTime {
    /// A date-only time.
    pub fn day(date: Date) -> EventTime {
        EventTime {
            date,
            time: None,
            offset: None,
            zone_source: ZoneSource::Unknown,
            precision: Precision::Day,
        }
    }

    /// The wall-clock date and time (midnight for date-only values).
    pub fn wall(&self) -> DateTime {
        self.date.to_datetime(self.time.unwrap_or(Time::midnight()))
    }

    /// The instant in UTC, when both the time of day and the offset are known.
    pub fn utc(&self) -> Option<jiff::Timestamp> {
        let offset = self.offset?;
        self.time?;
        offset.to_timestamp(self.wall()).ok()
    }

    /// Seconds since the Unix epoch in UTC, when known.
    pub fn utc_seconds(&self) -> Option<i64> {
        self.utc().map(|t| t.as_second())
    }

    /// A sort key: the UTC instant when known, otherwise the wall time read as UTC.
    /// Good enough for ordering entries of one document.
    pub fn sort_key(&self) -> i64 {
        self.utc_seconds().unwrap_or_else(|| {
            jiff::tz::Offset::UTC
                .to_timestamp(self.wall())
                .map(|t| t.as_second())
                .unwrap_or(0)
        })
    }

    /// The serialised form used in JSON and the database:
    /// `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM[:SS]`, with `Z` or `±HH:MM` when the zone is known.
    pub fn to_at_string(&self) -> String {
        let mut out = format!(
            "{:04}-{:02}-{:02}",
            self.date.year(),
            self.date.month(),
            self.date.day()
        );
        let Some(time) = self.time else {
            return out;
        };
        out.push_str(&format!("T{:02}:{:02}", time.hour(), time.minute()));
        if self.precision == Precision::Second {
            out.push_str(&format!(":{:02}", time.second()));
        }
        if let Some(offset) = self.offset {
            out.push_str(&format_offset(offset));
        }
        out
    }
}

/// `Z` for UTC, `±HH:MM` otherwise.
pub fn format_offset(offset: Offset) -> String {
    let secs = offset.seconds();
    if secs == 0 {
        return "Z".to_string();
    }
    let sign = if secs < 0 { '-' } else { '+' };
    let abs = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
}

impl Serialize for EventTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_at_string())
    }
}

/// One event of the incident's timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry {
    pub at: EventTime,
    pub text: String,
    /// The timestamp exactly as written in the document.
    pub source_text: String,
    pub line: u32,
    /// Where the zone of `at` came from.
    pub zone_source: ZoneSource,
    pub precision: Precision,
    /// Which extraction rule took the entry, and where its date and zone came from.
    pub rule: String,
}

/// A root cause or contributing factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RootCause {
    pub text: String,
    pub line: u32,
    /// Which extraction rule took the cause.
    pub rule: String,
}

/// A follow-up action as the document states it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Action {
    /// Stable id: derived from the incident slug and the normalised text.
    pub id: String,
    pub text: String,
    pub status: ActionStatus,
    pub owner: Option<String>,
    pub due: Option<Date>,
    pub ticket: Option<String>,
    pub priority: Option<String>,
    /// mitigate / prevent / detect / process, when the document says.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// Sub-items and further sentences that belong to the action.
    pub details: Option<String>,
    pub line: u32,
    /// Which extraction rule took the action, and where its status came from.
    pub rule: String,
}

/// A diagnostic about the document, with the line it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub line: u32,
    pub message: String,
}

impl Warning {
    pub fn new(line: u32, message: impl Into<String>) -> Warning {
        Warning {
            line,
            message: message.into(),
        }
    }
}

/// A reference from this incident to something else: a link or a ticket id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// The URL, relative path or ticket id as written.
    pub target: String,
    pub line: u32,
}

/// Why the document-level facts were extracted as they were: what `parse --explain`
/// prints beside the rule of each timeline entry, cause and action.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Explanation {
    /// Where the title came from ("the first heading, line 1").
    pub title: String,
    /// Which signal gave the start date ("a date in the title").
    pub started: String,
    /// Where the document's zone came from, when it has one.
    pub zone: Option<String>,
    /// How the day/month order of numeric dates was decided, and the line it concerns.
    pub date_order: Option<(u32, String)>,
}

/// Everything extracted from one postmortem document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Incident {
    pub source: String,
    pub format: Format,
    pub slug: Slug,
    pub title: String,
    pub started: Option<Date>,
    pub timezone: Option<String>,
    pub summary: Option<String>,
    pub impact: Option<String>,
    pub detection: Option<String>,
    pub resolution: Option<String>,
    pub severity: Option<String>,
    pub authors: Vec<String>,
    pub timeline: Vec<TimelineEntry>,
    pub root_causes: Vec<RootCause>,
    pub actions: Vec<Action>,
    pub lessons: Vec<String>,
    pub systems: Vec<String>,
    pub tags: Vec<String>,
    pub references: Vec<Reference>,
    pub warnings: Vec<Warning>,
    /// Why the title, start date, zone and date order are what they are.
    pub explanation: Explanation,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn slug_from_stem_lowercases_and_collapses_separators() {
        assert_eq!(
            Slug::from_stem("2017-12-08 TACC  Power_Outage")
                .unwrap()
                .as_str(),
            "2017-12-08-tacc-power-outage"
        );
        assert!(Slug::from_stem("---").is_none());
        assert!(Slug::parse("a-b").is_some());
        assert!(Slug::parse("A-b").is_none());
        assert!(Slug::parse("../x").is_none());
    }

    #[test]
    fn event_time_serialises_by_precision_and_zone() {
        let d = date(2017, 12, 8);
        assert_eq!(EventTime::day(d).to_at_string(), "2017-12-08");
        let mut t = EventTime {
            date: d,
            time: Some(Time::constant(14, 45, 0, 0)),
            offset: None,
            zone_source: ZoneSource::Unknown,
            precision: Precision::Minute,
        };
        assert_eq!(t.to_at_string(), "2017-12-08T14:45");
        t.offset = Some(Offset::constant(-6));
        assert_eq!(t.to_at_string(), "2017-12-08T14:45-06:00");
        assert_eq!(
            t.utc().unwrap().to_string(),
            "2017-12-08T20:45:00Z",
            "the UTC instant applies the offset"
        );
        t.offset = Some(Offset::UTC);
        t.precision = Precision::Second;
        assert_eq!(t.to_at_string(), "2017-12-08T14:45:00Z");
    }

    #[test]
    fn unknown_status_counts_as_open() {
        assert!(ActionStatus::Unknown.is_open());
        assert!(!ActionStatus::Done.is_open());
        assert_eq!(
            ActionStatus::parse("in_progress"),
            Some(ActionStatus::InProgress)
        );
    }
}
