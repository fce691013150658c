//! The pieces of text the timeline pass reads: one unit per heading, paragraph, list
//! item and table row, in document order, each with the timestamps found in it, the
//! list item it is nested under and the zone its heading or table header states.

use super::super::sections::{Outline, SectionKind};
use super::super::timestamp::{self, Found, ZoneMention};
use crate::ingest::document::{Block, Table};

/// One piece of text that can carry timestamps.
pub(super) struct Unit {
    pub section: usize,
    pub kind: SectionKind,
    pub role: Role,
    pub text: String,
    pub line: u32,
    pub founds: Vec<Found>,
    /// The list item this unit is nested under, when it is nested.
    pub parent: Option<usize>,
    /// The zone stated by the heading above it or by its table's header, with the text
    /// that stated it ("Timeline (UTC)").
    pub zone: Option<ScopedZone>,
}

/// A zone stated for part of a document, and where.
#[derive(Debug, Clone)]
pub(super) struct ScopedZone {
    pub zone: ZoneMention,
    pub stated_by: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Role {
    /// A heading, with its level.
    Heading(u8),
    Paragraph,
    Item,
    /// A table row: `table` indexes `Units::tables`; cells start at these byte offsets.
    Row {
        table: usize,
    },
}

/// What the timeline pass knows about a table.
pub(super) struct TableInfo {
    pub header: Vec<String>,
    /// The column holding the time (or the date and time) of each row.
    pub time_col: Option<usize>,
    /// A separate column holding the date ("Day", "Date").
    pub date_col: Option<usize>,
    /// Whether a column names the event ("Event", "What happened", "Description").
    pub event_col: bool,
    /// A column holding each row's zone ("Zone", "TZ", "Time zone").
    pub zone_col: Option<usize>,
}

/// The units of a document, and its tables.
pub(super) struct Units {
    pub list: Vec<Unit>,
    pub tables: Vec<TableInfo>,
    /// For each row unit, the byte offsets where its cells start.
    pub cell_starts: Vec<Vec<usize>>,
}

impl Units {
    /// The cells of a row unit, trimmed.
    pub fn cells(&self, unit: usize) -> Vec<&str> {
        let u = &self.list[unit];
        let Role::Row { .. } = u.role else {
            return vec![u.text.as_str()];
        };
        let starts = &self.cell_starts[unit];
        starts
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let end = starts
                    .get(i + 1)
                    .map_or(u.text.len(), |n| n.saturating_sub(CELL_SEPARATOR.len()));
                u.text.get(*s..end).unwrap_or("").trim()
            })
            .collect()
    }

    /// The cell index holding byte `pos` of a row unit.
    pub fn cell_of(&self, unit: usize, pos: usize) -> usize {
        self.cell_starts
            .get(unit)
            .and_then(|starts| starts.iter().rposition(|s| *s <= pos))
            .unwrap_or(0)
    }
}

const CELL_SEPARATOR: &str = " | ";

/// Builds the units of an outline.
pub(super) fn collect(outline: &Outline<'_>) -> Units {
    let mut units = Units {
        list: Vec::new(),
        tables: Vec::new(),
        cell_starts: Vec::new(),
    };
    // Zones stated by open headings: (level, zone).
    let mut stack: Vec<(u8, Option<ScopedZone>)> = Vec::new();
    let mut previous = SectionKind::Other;
    for (index, section) in outline.sections.iter().enumerate() {
        let mut kind = section.kind;
        if let Some(h) = section.heading {
            while stack.last().is_some_and(|(level, _)| *level >= h.level) {
                stack.pop();
            }
            let own = label_zone(&h.text).map(|zone| ScopedZone {
                zone,
                stated_by: h.text.trim().to_string(),
            });
            stack.push((h.level, own));
            if continues_timeline(previous, kind, &h.text) {
                kind = SectionKind::Timeline;
            }
        }
        previous = kind;
        let scope = stack.iter().rev().find_map(|(_, z)| z.clone());
        let mut ctx = Ctx {
            units: &mut units,
            section: index,
            kind,
            zone: scope,
        };
        if let Some(h) = section.heading {
            ctx.push(Role::Heading(h.level), h.text.clone(), h.line, None);
        }
        for block in &section.blocks {
            ctx.block(block, None);
        }
    }
    units
}

/// A heading that is only a date, right after the timeline, is a day of that timeline
/// even when it is not nested under it: plain text and some Markdown set "Timeline" and
/// "March 4, 2024" as headings of one level.
fn continues_timeline(previous: SectionKind, kind: SectionKind, heading: &str) -> bool {
    previous == SectionKind::Timeline
        && kind == SectionKind::Other
        && is_date_text(heading, &timestamp::find(heading))
}

struct Ctx<'u> {
    units: &'u mut Units,
    section: usize,
    kind: SectionKind,
    zone: Option<ScopedZone>,
}

impl Ctx<'_> {
    fn block(&mut self, block: &Block, parent: Option<usize>) {
        match block {
            Block::Heading(h) => {
                self.push(Role::Heading(h.level), h.text.clone(), h.line, parent);
            }
            Block::Paragraph(p) => {
                self.push(Role::Paragraph, p.text.clone(), p.line, parent);
            }
            Block::List(list) => {
                for item in &list.items {
                    let index = self.push(Role::Item, item.text.clone(), item.line, parent);
                    for child in &item.children {
                        self.block(child, Some(index));
                    }
                }
            }
            Block::Table(table) => self.table(table, parent),
            Block::Quote(q) => {
                for b in &q.blocks {
                    self.block(b, parent);
                }
            }
            // Code is logs and commands: its timestamps are not events of the incident.
            Block::Code(_) => {}
        }
    }

    fn table(&mut self, table: &Table, parent: Option<usize>) {
        let info = table_info(&table.header);
        let zone = info
            .time_col
            .into_iter()
            .chain(info.date_col)
            .find_map(|col| {
                let label = table.header.get(col)?;
                label_zone(label).map(|zone| ScopedZone {
                    zone,
                    stated_by: label.trim().to_string(),
                })
            })
            .or_else(|| self.zone.clone());
        let index = self.units.tables.len();
        self.units.tables.push(info);
        for row in &table.rows {
            let mut text = String::new();
            let mut starts = Vec::new();
            for (i, cell) in row.cells.iter().enumerate() {
                if i > 0 {
                    text.push_str(CELL_SEPARATOR);
                }
                starts.push(text.len());
                text.push_str(cell);
            }
            let unit = self.push(Role::Row { table: index }, text, row.line, parent);
            self.units.list[unit].zone = zone.clone();
            self.units.cell_starts[unit] = starts;
            // "| 09:12 | AEST | ... |": the zone cell is written with the row's time.
            let info = &self.units.tables[index];
            let row_zone = info
                .zone_col
                .and_then(|c| row.cells.get(c))
                .and_then(|cell| timestamp::parse_zone(cell.trim()));
            if let Some(row_zone) = row_zone {
                let timed = [info.time_col, info.date_col];
                for f in 0..self.units.list[unit].founds.len() {
                    let cell = self
                        .units
                        .cell_of(unit, self.units.list[unit].founds[f].start);
                    let found = &mut self.units.list[unit].founds[f];
                    if found.zone.is_none() && found.time.is_some() && timed.contains(&Some(cell)) {
                        found.zone = Some(row_zone.clone());
                    }
                }
            }
        }
    }

    fn push(&mut self, role: Role, text: String, line: u32, parent: Option<usize>) -> usize {
        let founds = timestamp::find(&text);
        self.units.list.push(Unit {
            section: self.section,
            kind: self.kind,
            role,
            text,
            line,
            founds,
            parent,
            zone: self.zone.clone(),
        });
        self.units.cell_starts.push(Vec::new());
        self.units.list.len() - 1
    }
}

/// Column roles from a table header.
fn table_info(header: &[String]) -> TableInfo {
    let words = |h: &str| super::super::sections::normalized_words(h);
    let has = |h: &str, keys: &[&str]| words(h).iter().any(|w| keys.contains(&w.as_str()));
    const TIME: &[&str] = &["time", "timestamp", "when", "hour", "utc", "datetime"];
    const DATE: &[&str] = &["date", "day"];
    const EVENT: &[&str] = &[
        "event",
        "events",
        "what",
        "description",
        "action",
        "actions",
        "happened",
        "details",
        "detail",
        "update",
        "activity",
        "summary",
        "note",
        "notes",
        "status",
        "comment",
        "comments",
    ];
    // "Due date", "Target date": when an action is due, not when something happened.
    const DEADLINE: &[&str] = &["due", "target", "deadline", "eta"];
    const ZONE: &[&str] = &["zone", "timezone", "tz"];
    let zone_col = header.iter().position(|h| has(h, ZONE));
    let time_col = header
        .iter()
        .position(|h| has(h, TIME) && !has(h, DEADLINE) && !has(h, ZONE));
    let date_col = header
        .iter()
        .position(|h| has(h, DATE) && !has(h, DEADLINE));
    let (time_col, date_col) = match (time_col, date_col) {
        (Some(t), Some(d)) if t == d => (Some(t), None),
        (None, Some(d)) => (Some(d), None),
        other => other,
    };
    TableInfo {
        header: header.to_vec(),
        time_col,
        date_col,
        event_col: header.iter().any(|h| has(h, EVENT)),
        zone_col,
    }
}

/// The zone a short label states: "Timeline (UTC)", "Time (UTC)", "Date (CET)",
/// "Time UTC", "Timeline – all times PDT". Labels only: running text has its own rules.
pub(super) fn label_zone(label: &str) -> Option<ZoneMention> {
    let label = label.trim();
    if label.split_whitespace().count() > 8 {
        return None;
    }
    if let Some(zone) = timestamp::zone_declaration(label) {
        return Some(zone);
    }
    // "(UTC)", "(All times in CET)".
    if let Some(open) = label.find('(')
        && let Some(close) = label[open..].find(')')
    {
        let inner = &label[open + 1..open + close];
        if let Some(zone) =
            timestamp::parse_zone(inner).or_else(|| timestamp::zone_declaration(inner))
            && !matches!(zone, ZoneMention::Unknown(_))
        {
            return Some(zone);
        }
    }
    // "Time UTC": an abbreviation written in capitals as a word of the label.
    label
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '+' || c == '-'))
        .filter(|w| w.len() >= 2 && w.bytes().all(|b| b.is_ascii_uppercase()))
        .find_map(timestamp::parse_zone)
        .filter(|z| !matches!(z, ZoneMention::Unknown(_)))
}

/// Words that may sit beside the date of a date header ("Day 2 (2024-03-04)",
/// "Tuesday, March 4", "On 2019-01-22:").
const DATE_HEADER_FILLER: &[&str] = &[
    "day", "on", "date", "the", "of", "all", "times", "time", "in", "are", "is", "and",
];

/// A unit that is only a date: it sets the date of the entries below it.
pub(super) fn is_date_header(unit: &Unit) -> bool {
    is_date_text(&unit.text, &unit.founds)
}

/// A text that is only a date, with the timestamps found in it.
fn is_date_text(text: &str, founds: &[Found]) -> bool {
    let [found] = founds else {
        return false;
    };
    if found.time.is_some() || found.date.is_none() || found.range {
        return false;
    }
    let (before, after) = (&text[..found.start], &text[found.end..]);
    [before, after].iter().all(|part| {
        part.split(|c: char| !c.is_alphanumeric() && c != '+')
            .filter(|w| !w.is_empty())
            .all(|w| {
                w.chars().all(|c| c.is_ascii_digit())
                    || DATE_HEADER_FILLER.contains(&w.to_ascii_lowercase().as_str())
                    || timestamp::parse_zone(w)
                        .is_some_and(|z| !matches!(z, ZoneMention::Unknown(_)))
            })
    }) && text.len() <= 80
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_state_zones_in_parentheses_capitals_or_declarations() {
        for (label, want) in [
            ("Timeline (UTC)", true),
            ("2. Timeline (CET)", true),
            ("Time (UTC)", true),
            ("Time UTC", true),
            ("Timeline - all times PDT", true),
            ("Timeline", false),
            ("Event", false),
            ("Time (approx.)", false),
        ] {
            assert_eq!(label_zone(label).is_some(), want, "{label}");
        }
    }

    #[test]
    fn a_due_date_column_is_not_when_something_happened() {
        let header = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let t = table_info(&header(&["Action", "Owner", "Target date"]));
        assert_eq!((t.time_col, t.date_col), (None, None));
        let t = table_info(&header(&["Task", "Due date", "Time spent"]));
        assert_eq!((t.time_col, t.date_col), (Some(2), None));
    }

    #[test]
    fn a_date_heading_beside_the_timeline_continues_it() {
        let t = SectionKind::Timeline;
        let o = SectionKind::Other;
        assert!(continues_timeline(t, o, "Tuesday, June 4, 2024"));
        assert!(continues_timeline(t, o, "Day 2 (2024-06-05)"));
        assert!(!continues_timeline(o, o, "June 4, 2024"));
        assert!(!continues_timeline(t, o, "What we changed on June 4, 2024"));
        assert!(!continues_timeline(
            t,
            SectionKind::RootCause,
            "June 4, 2024"
        ));
    }

    #[test]
    fn table_headers_name_their_time_date_and_event_columns() {
        let header = |cells: &[&str]| cells.iter().map(|c| c.to_string()).collect::<Vec<_>>();
        let t = table_info(&header(&["Day", "Time (UTC)", "What happened"]));
        assert_eq!(
            (t.date_col, t.time_col, t.event_col),
            (Some(0), Some(1), true)
        );
        let t = table_info(&header(&["Date", "Event"]));
        assert_eq!((t.date_col, t.time_col, t.event_col), (None, Some(0), true));
        let t = table_info(&header(&["Slot", "Timestamp", "Relay", "Value"]));
        assert_eq!((t.time_col, t.event_col), (Some(1), false));
    }
}
