//! Timeline extraction: from timeline sections (one heading, bullet, table row or line
//! per entry), status-page updates ("Posted Oct 12, 2017 - 23:57 UTC") and narrative
//! sentences with an explicit time ("At 16:13 UTC we ...").
//!
//! Dates that a timestamp leaves out come from context, in this order: the previous
//! date mentioned in the document, then the anchor (front matter, title or file name
//! date). The day/month order of numeric dates is decided once per document. Zones come
//! from the timestamp itself, else from the zone the document states for all its times.
//!
//! Invariant: an entry gets an offset only from a zone the document wrote down; with
//! none, it keeps wall-clock time.

use super::sections::{Outline, SectionKind};
use super::sentences;
use super::timestamp::{self, DatePart, Found, ZoneMention};
use crate::ingest::document::Block;
use crate::model::{EventTime, Precision, TimelineEntry, Warning, ZoneSource};
use jiff::civil::{Date, Time};
use std::collections::{HashMap, HashSet};

/// Longest entry text taken from a section body or a following paragraph.
const MAX_ENTRY_TEXT: usize = 400;

/// What the timeline pass found.
#[derive(Debug, Default)]
pub struct Timeline {
    pub entries: Vec<TimelineEntry>,
    pub warnings: Vec<Warning>,
    /// The zone the document states for its times, if any.
    pub zone: Option<ZoneMention>,
    /// Lines that belong to status-page updates; other extractors leave them alone.
    pub status_lines: HashSet<u32>,
}

/// Day/month order of numeric dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    MonthFirst,
    DayFirst,
}

/// One piece of text that can carry timestamps, in document order.
struct Unit {
    section: usize,
    kind: SectionKind,
    role: Role,
    text: String,
    line: u32,
    founds: Vec<Found>,
}

#[derive(Debug, Clone, PartialEq)]
enum Role {
    Heading,
    Paragraph,
    Item,
    /// A table row; `cells` start at these byte offsets of the unit text.
    Row {
        cell_starts: Vec<usize>,
        header: Vec<String>,
    },
}

/// A timestamp chosen as the time of an entry.
struct Candidate {
    unit: usize,
    found: Found,
    text: String,
    line: u32,
    structural: bool,
}

/// Extracts the timeline. `anchor` is the date context before the first date in the
/// document; `declared` a zone given by metadata.
pub fn extract(
    outline: &Outline<'_>,
    anchor: Option<Date>,
    declared: Option<ZoneMention>,
) -> Timeline {
    let units = collect_units(outline);
    let mut out = Timeline {
        zone: declared.or_else(|| document_zone(&units)),
        ..Timeline::default()
    };
    let (order, inferred_at) = decide_order(&units, anchor);
    if let Some(line) = inferred_at {
        let name = match order {
            Order::DayFirst => "DD/MM",
            Order::MonthFirst => "MM/DD",
        };
        out.warnings.push(Warning::new(
            line,
            format!("numeric dates read as {name}: the order was inferred from the document"),
        ));
    }

    let mut consumed_units: HashSet<usize> = HashSet::new();
    let mut candidates = status_posts(&units, &mut out.status_lines);
    candidates.extend(structural(outline, &units, &mut consumed_units));
    let taken: HashSet<(usize, usize)> =
        candidates.iter().map(|c| (c.unit, c.found.start)).collect();
    candidates.extend(narrative(
        &units,
        &consumed_units,
        &out.status_lines,
        &taken,
    ));
    candidates.sort_by_key(|c| (c.unit, c.found.start));

    let zone = out.zone.clone();
    let structural = resolve(&units, candidates, order, anchor, zone.as_ref(), &mut out);

    // A sentence in the prose naming the same moment as an entry of the timeline
    // itself ("Services were down from 0105 UTC ...") restates that entry.
    let listed: HashSet<String> = out
        .entries
        .iter()
        .zip(&structural)
        .filter(|(_, s)| **s)
        .map(|(e, _)| e.at.to_at_string())
        .collect();
    let mut kept = structural.iter();
    out.entries
        .retain(|e| kept.next() == Some(&true) || !listed.contains(&e.at.to_at_string()));

    out.entries.sort_by_key(|e| e.at.sort_key());
    let mut seen = HashSet::new();
    out.entries
        .retain(|e| seen.insert((e.at.to_at_string(), e.text.to_lowercase())));
    out
}

fn collect_units(outline: &Outline<'_>) -> Vec<Unit> {
    let mut units = Vec::new();
    for (index, section) in outline.sections.iter().enumerate() {
        if let Some(h) = section.heading {
            push_unit(
                &mut units,
                index,
                section.kind,
                Role::Heading,
                h.text.clone(),
                h.line,
            );
        }
        for block in &section.blocks {
            collect_block(&mut units, index, section.kind, block);
        }
    }
    units
}

fn collect_block(units: &mut Vec<Unit>, section: usize, kind: SectionKind, block: &Block) {
    match block {
        Block::Heading(h) => push_unit(units, section, kind, Role::Heading, h.text.clone(), h.line),
        Block::Paragraph(p) => push_unit(
            units,
            section,
            kind,
            Role::Paragraph,
            p.text.clone(),
            p.line,
        ),
        Block::List(list) => {
            for item in &list.items {
                push_unit(
                    units,
                    section,
                    kind,
                    Role::Item,
                    item.text.clone(),
                    item.line,
                );
                for child in &item.children {
                    collect_block(units, section, kind, child);
                }
            }
        }
        Block::Table(table) => {
            for row in &table.rows {
                let mut text = String::new();
                let mut cell_starts = Vec::new();
                for (i, cell) in row.cells.iter().enumerate() {
                    if i > 0 {
                        text.push_str(" | ");
                    }
                    cell_starts.push(text.len());
                    text.push_str(cell);
                }
                let role = Role::Row {
                    cell_starts,
                    header: table.header.clone(),
                };
                push_unit(units, section, kind, role, text, row.line);
            }
        }
        Block::Quote(q) => {
            for b in &q.blocks {
                collect_block(units, section, kind, b);
            }
        }
        // Code is logs and commands: its timestamps are not events of the incident.
        Block::Code(_) => {}
    }
}

fn push_unit(
    units: &mut Vec<Unit>,
    section: usize,
    kind: SectionKind,
    role: Role,
    text: String,
    line: u32,
) {
    let founds = timestamp::find(&text);
    units.push(Unit {
        section,
        kind,
        role,
        text,
        line,
        founds,
    });
}

/// The zone stated for the whole document: a declaration ("All times central"), or
/// the one zone every explicitly zoned time in the document uses.
fn document_zone(units: &[Unit]) -> Option<ZoneMention> {
    for unit in units {
        // Every declaration says "time(s)"; most text does not, and is skipped cheaply.
        if !contains_ignore_case(&unit.text, "time") {
            continue;
        }
        for (_, sentence) in sentences::split(&unit.text) {
            if let Some(zone) = timestamp::zone_declaration(sentence) {
                return Some(zone);
            }
        }
    }
    let mut zones = units
        .iter()
        .flat_map(|u| u.founds.iter())
        .filter(|f| f.time.is_some())
        .filter_map(|f| f.zone.as_ref())
        .filter(|z| !matches!(z, ZoneMention::Unknown(_)));
    let first = zones.next()?;
    // One mention is a time that happens to carry a zone; a zone used throughout is
    // the document's.
    let rest: Vec<&ZoneMention> = zones.collect();
    if rest.is_empty() {
        return None;
    }
    let same = |z: &ZoneMention| match (first, z) {
        (ZoneMention::Fixed { offset: a, .. }, ZoneMention::Fixed { offset: b, .. }) => a == b,
        (ZoneMention::Region { tz: a, .. }, ZoneMention::Region { tz: b, .. }) => a == b,
        (a, b) => a == b,
    };
    rest.into_iter().all(same).then(|| first.clone())
}

fn contains_ignore_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// Decides the day/month order of numeric dates for the whole document: a part above
/// 12 settles it; otherwise the reading that keeps the dates close together and in
/// order wins, and the caller warns that it was inferred.
fn decide_order(units: &[Unit], anchor: Option<Date>) -> (Order, Option<u32>) {
    let numerics: Vec<(i8, i8, Option<i16>, u32)> = units
        .iter()
        .flat_map(|u| {
            u.founds.iter().filter_map(move |f| match f.date {
                Some(DatePart::Numeric {
                    first,
                    second,
                    year,
                }) => Some((first, second, year, u.line)),
                _ => None,
            })
        })
        .collect();
    let day_first = numerics.iter().any(|(a, _, _, _)| *a > 12);
    let month_first = numerics.iter().any(|(_, b, _, _)| *b > 12);
    match (day_first, month_first) {
        (true, false) => return (Order::DayFirst, None),
        (false, true) => return (Order::MonthFirst, None),
        _ => {}
    }
    let Some(first_ambiguous) = numerics
        .iter()
        .find(|(a, b, _, _)| *a <= 12 && *b <= 12 && a != b)
    else {
        return (Order::MonthFirst, None);
    };
    let cost = |order: Order| -> i64 {
        let fallback_year = anchor.map(|d| d.year());
        let mut dates: Vec<Date> = numerics
            .iter()
            .filter_map(|(a, b, y, _)| {
                let (m, d) = match order {
                    Order::MonthFirst => (*a, *b),
                    Order::DayFirst => (*b, *a),
                };
                Date::new(y.or(fallback_year)?, m, d).ok()
            })
            .collect();
        let inversions = dates.windows(2).filter(|w| w[1] < w[0]).count() as i64;
        dates.extend(anchor);
        let (Some(min), Some(max)) = (dates.iter().min(), dates.iter().max()) else {
            return i64::MAX;
        };
        let spread = (*max - *min).get_days() as i64;
        spread + 30 * inversions
    };
    let order = if cost(Order::DayFirst) < cost(Order::MonthFirst) {
        Order::DayFirst
    } else {
        Order::MonthFirst
    };
    (order, Some(first_ambiguous.3))
}

/// "Resolved\n<message>\nPosted Oct 12, 2017 - 23:57 UTC" blocks of status pages.
fn status_posts(units: &[Unit], status_lines: &mut HashSet<u32>) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut label: Option<String> = None;
    let mut pending: Vec<(u32, String)> = Vec::new();
    for (index, unit) in units.iter().enumerate() {
        if !matches!(unit.role, Role::Paragraph | Role::Heading) {
            label = None;
            pending.clear();
            continue;
        }
        let mut offset = 0;
        for (i, raw) in unit.text.split('\n').enumerate() {
            let start = offset;
            offset += raw.len() + 1;
            let line_no = unit.line + i as u32;
            let line = raw.trim();
            if is_status_word(line) {
                label = Some(line.to_string());
                pending.clear();
                status_lines.insert(line_no);
                continue;
            }
            let posted = line
                .strip_prefix("Posted")
                .is_some_and(|rest| rest.starts_with([' ', ':']));
            let found = posted
                .then(|| {
                    unit.founds.iter().find(|f| {
                        f.start >= start && f.start < start + raw.len() && f.time.is_some()
                    })
                })
                .flatten();
            // "Posted on 11 Dec, 2017 14:18 UTC by Mike Packard" is the byline of a
            // notice or article: when it was published, not an event of the incident.
            let byline = found.is_some_and(|f| {
                raw.get(f.end.saturating_sub(start)..)
                    .is_some_and(|rest| rest.trim_start().starts_with("by "))
            });
            if byline {
                status_lines.insert(line_no);
                continue;
            }
            if let Some(found) = found {
                let text = match &label {
                    Some(l) if !pending.is_empty() => {
                        let body: Vec<&str> = pending.iter().map(|(_, t)| t.as_str()).collect();
                        format!("{l}: {}", body.join(" "))
                    }
                    _ => line.to_string(),
                };
                status_lines.insert(line_no);
                status_lines.extend(pending.iter().map(|(n, _)| *n));
                out.push(Candidate {
                    unit: index,
                    found: found.clone(),
                    text: sentences::truncate(&sentences::collapse(&text), MAX_ENTRY_TEXT),
                    line: line_no,
                    structural: true,
                });
                label = None;
                pending.clear();
            } else if label.is_some() && !line.is_empty() && pending.len() < 40 {
                pending.push((line_no, line.to_string()));
            }
        }
        if unit.role == Role::Heading && !is_status_word(unit.text.trim()) {
            label = None;
            pending.clear();
        }
    }
    out
}

fn is_status_word(line: &str) -> bool {
    matches!(
        line.to_ascii_lowercase().as_str(),
        "resolved"
            | "update"
            | "updated"
            | "identified"
            | "investigating"
            | "monitoring"
            | "postmortem"
            | "post-mortem"
            | "scheduled"
            | "in progress"
            | "verifying"
            | "completed"
    )
}

/// A found timestamp that opens the text: nothing but markers before it.
fn leads(text: &str, found: &Found) -> bool {
    text[..found.start].chars().all(|c| {
        c.is_whitespace() || matches!(c, '*' | '_' | '-' | '•' | '~' | '[' | '(' | '|' | '#')
    })
}

/// Separators between a timestamp and its event text.
fn rest_after(text: &str, end: usize) -> String {
    let rest = text[end..].trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':' | '|' | '*' | '_' | ']' | ')' | ',')
    });
    rest.trim().to_string()
}

/// Entries laid out as structure inside timeline sections.
fn structural(
    outline: &Outline<'_>,
    units: &[Unit],
    consumed: &mut HashSet<usize>,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    // Sections whose heading is itself an entry: their body is the entry's text.
    let mut entry_sections: HashSet<usize> = HashSet::new();
    for (index, unit) in units.iter().enumerate() {
        if unit.kind != SectionKind::Timeline || consumed.contains(&index) {
            continue;
        }
        match &unit.role {
            Role::Heading => {
                let Some(found) = unit.founds.first().filter(|f| leads(&unit.text, f)) else {
                    continue;
                };
                let mut text = rest_after(&unit.text, found.end);
                if text.split_whitespace().count() < 2 {
                    text = section_body(outline, unit.section);
                }
                entry_sections.insert(unit.section);
                out.push(Candidate {
                    unit: index,
                    found: found.clone(),
                    text,
                    line: unit.line,
                    structural: true,
                });
            }
            Role::Paragraph | Role::Item => {
                if entry_sections.contains(&unit.section) {
                    // Body text of a dated heading: already the entry's text.
                    consumed.insert(index);
                    continue;
                }
                let lines = line_entries(unit);
                if lines.is_empty() {
                    continue;
                }
                consumed.insert(index);
                for (found, mut text, line) in lines {
                    if text.is_empty() {
                        // "• 05/07/2024 23:59" with the event in the next paragraph.
                        if let Some(next) = units.get(index + 1).filter(|n| {
                            n.section == unit.section
                                && n.founds.first().is_none_or(|f| !leads(&n.text, f))
                        }) {
                            text = sentences::collapse(&next.text);
                            consumed.insert(index + 1);
                        }
                    }
                    out.push(Candidate {
                        unit: index,
                        found,
                        text: sentences::truncate(&text, MAX_ENTRY_TEXT),
                        line,
                        structural: true,
                    });
                }
            }
            Role::Row {
                cell_starts,
                header,
            } => {
                if let Some(c) = row_entry(unit, cell_starts, header) {
                    consumed.insert(index);
                    out.push(Candidate { unit: index, ..c });
                }
            }
        }
    }
    out
}

/// Lines of a paragraph or item that start with a timestamp, each with the text up to
/// the next such line.
fn line_entries(unit: &Unit) -> Vec<(Found, String, u32)> {
    let mut out: Vec<(Found, String, u32)> = Vec::new();
    let mut offset = 0;
    for (i, raw) in unit.text.split('\n').enumerate() {
        let start = offset;
        offset += raw.len() + 1;
        let leading = unit
            .founds
            .iter()
            .find(|f| f.start >= start && f.start < start + raw.len().max(1))
            .filter(|f| leads(&unit.text[start..], &shift(f, start)));
        match leading {
            Some(f) => {
                let rest = rest_after(&unit.text, f.end.min(start + raw.len()));
                out.push((f.clone(), rest, unit.line + i as u32));
            }
            None => {
                if let Some(last) = out.last_mut() {
                    if !last.1.is_empty() {
                        last.1.push(' ');
                    }
                    last.1.push_str(raw.trim());
                }
            }
        }
    }
    out
}

fn shift(found: &Found, by: usize) -> Found {
    let mut f = found.clone();
    f.start -= by.min(f.start);
    f.end -= by.min(f.end);
    f
}

/// A table row whose time column holds a timestamp; the other cells are the event.
fn row_entry(unit: &Unit, cell_starts: &[usize], header: &[String]) -> Option<Candidate> {
    let cell_of = |pos: usize| cell_starts.iter().rposition(|s| *s <= pos).unwrap_or(0);
    let time_column = header.iter().position(|h| {
        let h = h.to_lowercase();
        ["time", "date", "when", "timestamp", "utc"]
            .iter()
            .any(|k| h.contains(k))
    });
    let found = unit.founds.iter().find(|f| match time_column {
        Some(col) => cell_of(f.start) == col,
        None => true,
    })?;
    let col = cell_of(found.start);
    let cells: Vec<&str> = cell_starts
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let end = cell_starts
                .get(i + 1)
                .map_or(unit.text.len(), |n| n.saturating_sub(3));
            unit.text.get(*s..end).unwrap_or("").trim()
        })
        .collect();
    let text: Vec<&str> = cells
        .iter()
        .enumerate()
        .filter(|(i, c)| *i != col && !c.is_empty())
        .map(|(_, c)| *c)
        .collect();
    Some(Candidate {
        unit: 0,
        found: found.clone(),
        text: sentences::collapse(&text.join(" — ")),
        line: unit.line,
        structural: true,
    })
}

/// The text of a section's body, for an entry whose heading is only a time.
fn section_body(outline: &Outline<'_>, section: usize) -> String {
    let mut text = String::new();
    if let Some(s) = outline.sections.get(section) {
        for block in &s.blocks {
            let piece = match block {
                Block::Paragraph(p) => p.text.as_str(),
                Block::List(l) => l.items.first().map_or("", |i| i.text.as_str()),
                Block::Quote(q) => match q.blocks.first() {
                    Some(Block::Paragraph(p)) => p.text.as_str(),
                    _ => "",
                },
                _ => "",
            };
            if !piece.is_empty() {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(piece);
            }
            if text.len() > MAX_ENTRY_TEXT {
                break;
            }
        }
    }
    sentences::truncate(&sentences::collapse(&text), MAX_ENTRY_TEXT)
}

/// Whether a sentence says something besides its timestamp (at `start..end`): "At 1239
/// UTC, a" (a sentence cut short in the document) names a moment but no event.
fn tells_an_event(sentence: &str, start: usize, end: usize) -> bool {
    const FILLER: &[&str] = &[
        "about",
        "an",
        "and",
        "approximately",
        "around",
        "at",
        "by",
        "from",
        "gmt",
        "in",
        "is",
        "it",
        "of",
        "on",
        "the",
        "then",
        "to",
        "utc",
    ];
    let (Some(before), Some(after)) = (sentence.get(..start), sentence.get(end..)) else {
        return true;
    };
    [before, after].iter().any(|part| {
        part.split(|c: char| !c.is_alphabetic())
            .filter(|w| w.chars().count() >= 2)
            .any(|w| !FILLER.contains(&w.to_lowercase().as_str()))
    })
}

/// Sentences with an explicit time of day, outside the parts that talk about the
/// future (actions, lessons).
fn narrative(
    units: &[Unit],
    consumed: &HashSet<usize>,
    status_lines: &HashSet<u32>,
    taken: &HashSet<(usize, usize)>,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (index, unit) in units.iter().enumerate() {
        if consumed.contains(&index)
            || matches!(unit.kind, SectionKind::Actions | SectionKind::Lessons)
            || unit.founds.iter().all(|f| f.time.is_none())
        {
            continue;
        }
        for (offset, sentence) in sentences::split(&unit.text) {
            let line = sentences::line_at(&unit.text, unit.line, offset);
            if status_lines.contains(&line) {
                continue;
            }
            let end = offset + sentence.len();
            for f in unit
                .founds
                .iter()
                .filter(|f| f.start >= offset && f.start < end)
            {
                if f.time.is_none()
                    || status_lines.contains(&sentences::line_at(&unit.text, unit.line, f.start))
                    || taken.contains(&(index, f.start))
                    || is_log_stamp(&unit.text, f)
                    || !tells_an_event(sentence, f.start - offset, f.end.min(end) - offset)
                {
                    continue;
                }
                out.push(Candidate {
                    unit: index,
                    found: f.clone(),
                    text: sentences::truncate(&sentences::collapse(sentence), MAX_ENTRY_TEXT),
                    line: sentences::line_at(&unit.text, unit.line, f.start),
                    structural: false,
                });
            }
        }
    }
    out
}

/// `[26/06/2019 15:08:36] message` is a pasted log line, not an event.
fn is_log_stamp(text: &str, f: &Found) -> bool {
    text[..f.start].trim_end().ends_with('[') && text[f.end..].trim_start().starts_with(']')
}

/// Turns candidates into entries, carrying the date context through the document.
fn resolve(
    units: &[Unit],
    candidates: Vec<Candidate>,
    order: Order,
    anchor: Option<Date>,
    zone: Option<&ZoneMention>,
    out: &mut Timeline,
) -> Vec<bool> {
    // For each entry pushed, whether it came from the timeline's own structure.
    let mut structural = Vec::new();
    let by_position: HashMap<(usize, usize), usize> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.unit, c.found.start), i))
        .collect();
    let years: HashSet<i16> = units
        .iter()
        .flat_map(|u| u.founds.iter())
        .filter_map(|f| match f.date {
            Some(DatePart::Full(d)) => Some(d.year()),
            Some(DatePart::Numeric { year: Some(y), .. }) => Some(y),
            _ => None,
        })
        .chain(anchor.map(|d| d.year()))
        .collect();
    let mut ctx_date = anchor;
    let mut last: Option<(usize, jiff::civil::DateTime, bool)> = None;
    let mut missing_date_warned = false;
    let mut warned_zones: HashSet<String> = HashSet::new();

    for (index, unit) in units.iter().enumerate() {
        for found in &unit.founds {
            let candidate = by_position
                .get(&(index, found.start))
                .map(|i| &candidates[*i]);
            let explicit = found
                .date
                .and_then(|part| resolve_date(part, order, ctx_date));
            let Some(c) = candidate else {
                // Dates outside entries still set the context ("On June 26th, ...").
                if let Some(d) = explicit {
                    ctx_date = Some(d);
                    last = None;
                }
                continue;
            };
            if found.bare
                && found.date.is_none()
                && let Some(t) = found.time
                && years.contains(&(t.hour as i16 * 100 + t.minute as i16))
            {
                continue;
            }
            let mut date = match explicit.or(ctx_date) {
                Some(d) => d,
                None => {
                    if !missing_date_warned {
                        out.warnings.push(Warning::new(
                            c.line,
                            "timeline times without any date in the document are left out",
                        ));
                        missing_date_warned = true;
                    }
                    continue;
                }
            };
            let time = found
                .time
                .and_then(|t| Time::new(t.hour, t.minute, t.second.unwrap_or(0), 0).ok());
            // A time-only entry earlier than the one before it has crossed midnight:
            // always inside timeline sections, and in narrative only for a big jump
            // back (narrative often steps back a few hours to explain).
            if explicit.is_none()
                && let (Some(t), Some((section, prev, prev_structural))) = (time, last)
            {
                let same_flow = section == unit.section
                    || (c.structural && prev_structural && unit.kind == SectionKind::Timeline);
                let wall = date.to_datetime(t);
                if same_flow && wall < prev {
                    let back = prev.duration_since(wall).as_secs();
                    if (c.structural || back > 12 * 3600)
                        && let Ok(next) = prev.date().tomorrow()
                    {
                        date = next;
                    }
                } else if !same_flow && unit.kind != SectionKind::Timeline {
                    last = None;
                }
            }
            ctx_date = Some(date);
            if let (Some(weekday), Some(DatePart::Full(_) | DatePart::Numeric { .. })) =
                (found.weekday, found.date)
                && weekday != date.weekday()
            {
                out.warnings.push(Warning::new(
                    c.line,
                    format!(
                        "{weekday:?} does not match {date}, which is a {:?}",
                        date.weekday()
                    ),
                ));
            }
            let (offset, zone_source) = match (&found.zone, zone) {
                (Some(ZoneMention::Unknown(name)), _) => {
                    if warned_zones.insert(name.clone()) {
                        out.warnings.push(Warning::new(
                            c.line,
                            format!("unknown time zone abbreviation '{name}': time kept without an offset"),
                        ));
                    }
                    (None, ZoneSource::Unknown)
                }
                (Some(z), _) => (
                    time.and_then(|t| z.offset_at(date.to_datetime(t))),
                    ZoneSource::Stated,
                ),
                (None, Some(z)) => (
                    time.and_then(|t| z.offset_at(date.to_datetime(t))),
                    ZoneSource::Document,
                ),
                (None, None) => (None, ZoneSource::Unknown),
            };
            let zone_source = if offset.is_some() {
                zone_source
            } else {
                ZoneSource::Unknown
            };
            let precision = match found.time {
                None => Precision::Day,
                Some(t) if t.second.is_some() => Precision::Second,
                Some(_) => Precision::Minute,
            };
            let at = EventTime {
                date,
                time,
                offset,
                zone_source,
                precision,
            };
            if let Some(t) = time {
                last = Some((unit.section, date.to_datetime(t), c.structural));
            }
            let source_text = unit.text[found.start..found.end].trim().to_string();
            structural.push(c.structural);
            out.entries.push(TimelineEntry {
                at,
                text: if c.text.is_empty() {
                    source_text.clone()
                } else {
                    c.text.clone()
                },
                source_text,
                line: c.line,
                zone_source,
                precision,
            });
        }
    }
    structural
}

/// A date part read with the document's order; a missing year comes from the context.
fn resolve_date(part: DatePart, order: Order, ctx: Option<Date>) -> Option<Date> {
    match part {
        DatePart::Full(d) => Some(d),
        DatePart::MonthDay { month, day } => {
            let ctx = ctx?;
            // The year that puts the date nearest the context ("Jan 2" after Dec 30).
            [ctx.year() - 1, ctx.year(), ctx.year() + 1]
                .into_iter()
                .filter_map(|y| Date::new(y, month, day).ok())
                .min_by_key(|d| (*d - ctx).get_days().abs())
        }
        DatePart::Numeric {
            first,
            second,
            year,
        } => {
            let (mut month, mut day) = match order {
                Order::MonthFirst => (first, second),
                Order::DayFirst => (second, first),
            };
            if month > 12 {
                std::mem::swap(&mut month, &mut day);
            }
            let year = year.or_else(|| ctx.map(|d| d.year()))?;
            Date::new(year, month, day).ok()
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::ingest::{markdown, text};
    use crate::model::Incident;

    fn md(src: &str) -> Incident {
        crate::extract::extract(&markdown::parse(src), "t.md", "t")
    }

    fn txt(src: &str) -> Incident {
        crate::extract::extract(&text::parse(src), "t.txt", "t")
    }

    fn ats(i: &Incident) -> Vec<String> {
        i.timeline.iter().map(|e| e.at.to_at_string()).collect()
    }

    #[test]
    fn a_stated_regional_zone_applies_the_offset_in_force_on_each_date() {
        let i = md(
            "# X\n\n## Timeline\n\nAll times central.\n\n- 2017-12-08 2:45pm - Winter entry\n- 2018-07-01 09:00 - Summer entry\n",
        );
        assert_eq!(
            ats(&i),
            ["2017-12-08T14:45-06:00", "2018-07-01T09:00-05:00"]
        );
        assert_eq!(i.timezone.as_deref(), Some("America/Chicago"));
    }

    #[test]
    fn without_a_stated_zone_times_stay_wall_clock_time() {
        let i =
            md("# X\n\n## Timeline\n\n- 2024-07-05 23:59 - Noticed\n- 2024-07-06 08:25 - Fixed\n");
        assert_eq!(ats(&i), ["2024-07-05T23:59", "2024-07-06T08:25"]);
        assert_eq!(i.timezone, None);
        assert!(i.timeline.iter().all(|e| e.at.offset.is_none()));
    }

    #[test]
    fn a_part_above_twelve_decides_day_month_order_without_a_warning() {
        let i = md("# X\n\n## Timeline\n\n- 26/06/2019 10:00 - A\n- 05/07/2019 11:00 - B\n");
        assert_eq!(ats(&i), ["2019-06-26T10:00", "2019-07-05T11:00"]);
        assert!(!i.warnings.iter().any(|w| w.message.contains("inferred")));
    }

    #[test]
    fn ambiguous_numeric_dates_take_the_compact_reading_and_warn() {
        let i = txt(
            "Title\n\nTimeline\n\n• 05/07/2024 23:59\n\nNoticed it\n\n• 06/07/2024 08:25\n\nFixed it\n\n• 08/07/2024 10:00\n\nAgain\n",
        );
        assert_eq!(
            ats(&i),
            ["2024-07-05T23:59", "2024-07-06T08:25", "2024-07-08T10:00"]
        );
        let w = i
            .warnings
            .iter()
            .find(|w| w.message.contains("inferred"))
            .expect("a warning");
        assert!(w.message.contains("DD/MM"));
        assert_eq!(w.line, 5);
    }

    #[test]
    fn us_order_is_read_when_a_second_part_exceeds_twelve() {
        let i = md(
            "# X\n\nOn Friday 12/8/2017 at 8:30pm CST the power failed. It was back on 12/14/2017.\n",
        );
        assert_eq!(ats(&i), ["2017-12-08T20:30-06:00"]);
    }

    #[test]
    fn a_time_only_entry_after_midnight_rolls_to_the_next_day() {
        let i = md(
            "# X\n\n## Timeline\n\n- 2021-03-04 22:10 - Alert fired\n- 23:40 - Rollback\n- 00:15 - Recovered\n",
        );
        assert_eq!(
            ats(&i),
            ["2021-03-04T22:10", "2021-03-04T23:40", "2021-03-05T00:15"]
        );
    }

    #[test]
    fn narrative_times_take_dates_from_context_and_the_documents_consistent_zone() {
        let i = txt(
            "Outage report\n\nWhat happened\n\nOn June 26th, 2019 at 0121 UTC a snapshot was made. At 1843 UTC the config was updated. At 1901 the daemon stopped.\n",
        );
        assert_eq!(
            ats(&i),
            [
                "2019-06-26T01:21Z",
                "2019-06-26T18:43Z",
                "2019-06-26T19:01Z"
            ]
        );
        assert_eq!(i.timezone.as_deref(), Some("UTC"));
        assert_eq!(
            i.timeline[2].zone_source,
            crate::model::ZoneSource::Document
        );
    }

    #[test]
    fn prose_restating_a_listed_entry_is_not_a_second_entry() {
        let i = md(
            "# Outage\n\n## Summary\n\nAt 14:05 UTC on 2024-03-01 the primary failed; at 15:00 UTC \
             we added capacity.\n\n## Timeline\n\n- 2024-03-01 14:05 UTC: primary database failed\n\
             - 14:30 UTC: failover completed\n",
        );
        assert_eq!(
            ats(&i),
            [
                "2024-03-01T14:05Z",
                "2024-03-01T14:30Z",
                "2024-03-01T15:00Z"
            ]
        );
        assert_eq!(i.timeline[0].text, "primary database failed");
    }

    #[test]
    fn narrative_steps_back_a_few_hours_without_rolling_over() {
        let i = txt(
            "Report\n\nWhat happened\n\nAt 16:13 UTC on 2017-10-12 we began the rollout. It had begun at approximately 13:00 UTC on a smaller scale.\n",
        );
        assert_eq!(ats(&i), ["2017-10-12T13:00Z", "2017-10-12T16:13Z"]);
    }

    #[test]
    fn status_page_updates_become_entries_with_their_message() {
        let i = txt(
            "Incident\n\nResolved\nAll data has been processed.\nPosted Oct 12, 2017 - 23:57 UTC\nUpdate\nIngestion has returned to normal.\nPosted Oct 12, 2017 - 18:32 UTC\n",
        );
        let texts: Vec<&str> = i.timeline.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(ats(&i), ["2017-10-12T18:32Z", "2017-10-12T23:57Z"]);
        assert_eq!(
            texts,
            [
                "Update: Ingestion has returned to normal.",
                "Resolved: All data has been processed."
            ]
        );
        assert_eq!(i.timeline[1].source_text, "Oct 12, 2017 - 23:57 UTC");
    }

    #[test]
    fn a_byline_is_when_a_notice_was_posted_not_an_event() {
        let i = txt(
            "Maintenance notice\n\nCategories: Network\nPosted on 11 Dec, 2017 14:18 UTC by Mike Packard\nThe network will be down for an hour.\n\nAt 09:05 CST on 11 Dec, 2017 the switch was rebooted.\n",
        );
        assert_eq!(ats(&i), ["2017-12-11T09:05-06:00"]);
        // Posted lines without a byline still are status updates.
        let i = txt("Incident\n\nResolved\nAll good.\nPosted Oct 12, 2017 - 23:57 UTC\n");
        assert_eq!(ats(&i), ["2017-10-12T23:57Z"]);
    }

    #[test]
    fn a_sentence_with_nothing_but_its_time_is_not_an_entry() {
        let i = txt(
            "Outage\n\nWhat happened\n\nOn June 27th, 2019 at 0105 UTC the host went down. At 1239 UTC, a\n\nLater, at 1413 UTC, DB up.\n",
        );
        assert_eq!(ats(&i), ["2019-06-27T01:05Z", "2019-06-27T14:13Z"]);
    }

    #[test]
    fn table_timelines_use_the_time_column_and_the_rest_as_text() {
        let i = md(
            "# X\n\n## Timeline\n\nAll times in UTC.\n\n| Time | Event |\n|---|---|\n| 2021-08-26 08:22 | Load balancers updated |\n",
        );
        assert_eq!(ats(&i), ["2021-08-26T08:22Z"]);
        assert_eq!(i.timeline[0].text, "Load balancers updated");
        assert_eq!(i.timeline[0].line, 9);
    }

    #[test]
    fn a_weekday_that_contradicts_its_date_is_a_warning() {
        let i =
            md("# X\n\nOn Thursday 12/8/2017 at 8:30pm the power failed, restored 12/14/2017.\n");
        assert!(
            i.warnings
                .iter()
                .any(|w| w.message.contains("Thursday") && w.line == 3)
        );
    }

    #[test]
    fn an_unknown_zone_abbreviation_is_a_warning_and_no_offset() {
        let i = md("# X\n\n## Timeline\n\n- 2021-01-01 10:00 XYZT - Something\n");
        assert_eq!(ats(&i), ["2021-01-01T10:00"]);
        assert!(i.warnings.iter().any(|w| w.message.contains("XYZT")));
    }

    #[test]
    fn times_in_code_blocks_and_log_lines_are_not_events() {
        let i = md(
            "# X 2020-01-01\n\n```\n[26/06/2019 15:08:36] log line\n```\n\nNothing else happened.\n",
        );
        assert!(i.timeline.is_empty());
        assert!(i.warnings.iter().any(|w| w.message == "no timeline found"));
    }

    #[test]
    fn date_only_headings_in_a_timeline_are_day_entries() {
        let i = md(
            "# X\n\n## Timeline\n\nAll times in PST\n\n### 2018-01-15\nTravis failures\n\n### 2018-01-17 17:14pm\nReal failures\n\n### 18:57\nBumped\n",
        );
        assert_eq!(
            ats(&i),
            [
                "2018-01-15",
                "2018-01-17T17:14-08:00",
                "2018-01-17T18:57-08:00"
            ]
        );
        assert_eq!(i.timeline[2].text, "Bumped");
    }
}
