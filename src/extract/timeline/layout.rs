//! Entries laid out as structure: timeline sections (a heading, bullet, line or table
//! row per entry, date headers over time-only entries), tables with a time column
//! anywhere, status-page updates, and update lists where each update opens with a line
//! that is only its timestamp.

use super::super::sections::{Outline, SectionKind};
use super::super::sentences;
use super::super::timestamp::{Found, ZoneMention};
use super::units::{Role, Unit, Units, is_date_header};
use crate::ingest::document::Block;
use std::collections::HashSet;

/// Longest entry text taken from a section body or a following paragraph.
pub(super) const MAX_ENTRY_TEXT: usize = 400;

/// Where an entry came from; narrative gives way to the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    /// A timeline section, a timeline table or an update list.
    Structure,
    /// A status-page update ("Posted Oct 12, 2017 - 23:57 UTC").
    Status,
    /// A sentence of running text.
    Narrative,
}

/// A timestamp chosen as the time of an entry.
pub(super) struct Candidate {
    pub unit: usize,
    /// The timestamp; for an entry dated only by the header above it, an empty one at
    /// the start of its unit.
    pub found: Found,
    pub text: String,
    pub line: u32,
    pub source: Source,
    /// Which rule took it, for `parse --explain` and the incident page.
    pub rule: String,
}

/// An empty timestamp at the start of a unit: the entry takes its date from context.
fn context_dated() -> Found {
    Found {
        start: 0,
        end: 0,
        date: None,
        time: None,
        zone: None,
        weekday: None,
        approximate: false,
        range: false,
        bare: false,
    }
}

/// A found timestamp that opens the text: nothing but markers before it.
pub(super) fn leads(text: &str, found: &Found) -> bool {
    text.get(..found.start).is_some_and(|head| {
        head.chars().all(|c| {
            c.is_whitespace() || matches!(c, '*' | '_' | '-' | '•' | '~' | '[' | '(' | '|' | '#')
        })
    })
}

/// Separators between a timestamp and its event text.
fn rest_after(text: &str, end: usize) -> String {
    let rest = text.get(end..).unwrap_or("").trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '-' | '–' | '—' | ':' | '|' | '*' | '_' | ']' | ')' | ',')
    });
    rest.trim().to_string()
}

/// Whether a unit belongs to a timeline: a timeline section, or a row of a table whose
/// header names a time column and an event column.
fn in_timeline(units: &Units, unit: &Unit) -> bool {
    match unit.role {
        Role::Row { table } => {
            let t = &units.tables[table];
            t.time_col.is_some()
                && (t.event_col || unit.kind == SectionKind::Timeline)
                && !(unit.kind == SectionKind::Actions && names_an_owner(&t.header))
        }
        _ => unit.kind == SectionKind::Timeline,
    }
}

/// "| What | Who | When | Done? |" under an action heading: a table of work to do,
/// whose "When" is a due date, not when something happened.
fn names_an_owner(header: &[String]) -> bool {
    header.iter().any(|h| {
        crate::extract::sections::normalized_words(h)
            .iter()
            .any(|w| {
                matches!(
                    w.as_str(),
                    "owner" | "owners" | "assignee" | "assigned" | "who" | "responsible" | "dri"
                )
            })
    })
}

/// Entries laid out as structure. Returns the candidates and the units they used up.
pub(super) fn structural(outline: &Outline<'_>, units: &Units) -> (Vec<Candidate>, HashSet<usize>) {
    let mut out = Vec::new();
    let mut consumed: HashSet<usize> = HashSet::new();
    // Units that are entries: what is nested under them is their detail.
    let mut entries: HashSet<usize> = HashSet::new();
    // Sections whose heading is itself an entry: their body is the entry's text.
    let mut entry_sections: HashSet<usize> = HashSet::new();
    // A date header above untimed items: each item is an entry of that day.
    let mut dated_items: Option<u32> = None;
    let list = &units.list;
    for (index, unit) in list.iter().enumerate() {
        if consumed.contains(&index) || !in_timeline(units, unit) {
            if matches!(unit.role, Role::Heading(_)) {
                dated_items = None;
            }
            continue;
        }
        if unit.parent.is_some_and(|p| entries.contains(&p)) {
            // A nested bullet under an entry is its detail.
            consumed.insert(index);
            entries.insert(index);
            continue;
        }
        match unit.role {
            Role::Heading(level) => {
                dated_items = None;
                if is_date_header(unit) {
                    match following(units, index, Some(level)) {
                        Below::Timed => {}
                        Below::UntimedItems => dated_items = Some(unit.line),
                        Below::Text | Below::Nothing => {
                            entry_sections.insert(unit.section);
                            out.push(Candidate {
                                unit: index,
                                found: unit.founds[0].clone(),
                                text: section_body(outline, unit.section),
                                line: unit.line,
                                source: Source::Structure,
                                rule: "timeline: a heading that is a date, its text below".into(),
                            });
                        }
                    }
                    continue;
                }
                let Some((found, label)) = heading_stamp(unit) else {
                    continue;
                };
                let mut text = rest_after(&unit.text, found.end);
                if text.split_whitespace().count() < 2 {
                    text = section_body(outline, unit.section);
                }
                if !label.is_empty() {
                    text = format!("{label}: {text}");
                }
                entry_sections.insert(unit.section);
                out.push(Candidate {
                    unit: index,
                    found: found.clone(),
                    text,
                    line: unit.line,
                    source: Source::Structure,
                    rule: "timeline: a heading per entry".into(),
                });
            }
            Role::Paragraph | Role::Item => {
                if entry_sections.contains(&unit.section) {
                    // Body text of a dated heading: already the entry's text.
                    consumed.insert(index);
                    continue;
                }
                if is_date_header(unit) {
                    dated_items = None;
                    match following(units, index, None) {
                        Below::Timed => {
                            consumed.insert(index);
                        }
                        Below::UntimedItems => {
                            consumed.insert(index);
                            dated_items = Some(unit.line);
                        }
                        Below::Text | Below::Nothing => {
                            // "• 2024-07-05" with the event in the next paragraph.
                            let mut text = String::new();
                            if let Some(next) = list.get(index + 1).filter(|n| {
                                n.section == unit.section
                                    && matches!(n.role, Role::Paragraph)
                                    && !consumed.contains(&(index + 1))
                            }) {
                                text = sentences::collapse(&next.text);
                                consumed.insert(index + 1);
                            }
                            consumed.insert(index);
                            entries.insert(index);
                            out.push(Candidate {
                                unit: index,
                                found: unit.founds[0].clone(),
                                text: sentences::truncate(&text, MAX_ENTRY_TEXT),
                                line: unit.line,
                                source: Source::Structure,
                                rule: "timeline: a date line, its text below".into(),
                            });
                        }
                    }
                    continue;
                }
                let lines = line_entries(unit);
                if lines.is_empty() {
                    if let (Some(_), Role::Item) = (dated_items, unit.role) {
                        consumed.insert(index);
                        entries.insert(index);
                        out.push(Candidate {
                            unit: index,
                            found: context_dated(),
                            text: sentences::truncate(
                                &sentences::collapse(&unit.text),
                                MAX_ENTRY_TEXT,
                            ),
                            line: unit.line,
                            source: Source::Structure,
                            rule: "timeline: an untimed item under a date line".into(),
                        });
                    }
                    continue;
                }
                consumed.insert(index);
                entries.insert(index);
                for (found, mut text, line, rule) in lines {
                    if text.is_empty() {
                        // "• 05/07/2024 23:59" with the event in the next paragraph.
                        if let Some(next) = list.get(index + 1).filter(|n| {
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
                        source: Source::Structure,
                        rule: rule.into(),
                    });
                }
            }
            Role::Row { .. } => {
                if let Some(c) = row_entry(units, index) {
                    consumed.insert(index);
                    entries.insert(index);
                    out.push(c);
                }
            }
        }
    }
    (out, consumed)
}

/// What follows a date header, up to the next date header or heading.
#[derive(Debug, PartialEq, Eq)]
enum Below {
    /// Entries with their own times: the header only dates them.
    Timed,
    /// List items without times: each is an entry of that day.
    UntimedItems,
    /// Running text: the header is a day entry, the text its description.
    Text,
    Nothing,
}

fn following(units: &Units, index: usize, level: Option<u8>) -> Below {
    let list = &units.list;
    let header = &list[index];
    let mut below = Below::Nothing;
    for (i, u) in list.iter().enumerate().skip(index + 1) {
        if let Role::Heading(l) = u.role
            && level.is_none_or(|level| l <= level)
        {
            break;
        }
        if level.is_none() && matches!(u.role, Role::Heading(_)) {
            break;
        }
        if u.section != header.section && level.is_none() {
            break;
        }
        if is_date_header(u) {
            break;
        }
        let timed = match u.role {
            Role::Row { .. } => u.founds.iter().any(|f| f.time.is_some()),
            _ => {
                u.founds
                    .first()
                    .is_some_and(|f| f.time.is_some() && leads(&u.text, f))
                    // "On-call paged — 21:00": a label, then its time.
                    || line_entries(u).iter().any(|(f, ..)| f.time.is_some())
            }
        };
        if timed {
            return Below::Timed;
        }
        if below == Below::Nothing {
            below = match u.role {
                Role::Item => Below::UntimedItems,
                _ => Below::Text,
            };
        }
        if i > index + 200 {
            break;
        }
    }
    below
}

/// The timestamp of a heading that is an entry: leading ("14:05 Pager fired"), or after
/// a short label ("After 02:10 CET"). Returns the label too.
fn heading_stamp(unit: &Unit) -> Option<(&Found, String)> {
    let found = unit.founds.first()?;
    if leads(&unit.text, found) {
        return Some((found, String::new()));
    }
    let label = unit.text[..found.start].trim();
    let words = label.split_whitespace().count();
    (found.time.is_some() && (1..=3).contains(&words) && !label.ends_with([',', ';'])).then(|| {
        (
            found,
            label
                .trim_end_matches([':', '-', '–', '—'])
                .trim()
                .to_string(),
        )
    })
}

/// Lines of a paragraph or item that start with a timestamp (or end with one after a
/// short label: "Outage begins: 2024-03-03 10:00"), each with the text up to the next
/// such line.
fn line_entries(unit: &Unit) -> Vec<(Found, String, u32, &'static str)> {
    let mut out: Vec<(Found, String, u32, &'static str)> = Vec::new();
    let mut offset = 0;
    for (i, raw) in unit.text.split('\n').enumerate() {
        let start = offset;
        let end = start + raw.len();
        offset = end + 1;
        let in_line: Vec<&Found> = unit
            .founds
            .iter()
            .filter(|f| f.start >= start && f.start < end.max(start + 1))
            .collect();
        let leading = in_line
            .first()
            .copied()
            .filter(|f| leads(&unit.text[start..], &shift(f, start)));
        if let Some(f) = leading {
            let mut found = f.clone();
            let mut rest_from = f.end.min(end);
            // "2021-08-27: At 12:50:07 UTC, issue exploited": the day, then its time.
            if found.time.is_none()
                && let Some(t) = in_line.get(1).filter(|t| {
                    t.time.is_some()
                        && t.date.is_none()
                        && unit.text[f.end..t.start].split_whitespace().count() <= 2
                })
            {
                found.time = t.time;
                found.zone = t.zone.clone();
                found.end = t.end;
                rest_from = t.end.min(end);
            }
            // This line's text; the lines below it that open with no timestamp are
            // added to it below, and the next one that does is an entry of its own.
            let rest = rest_after(&unit.text[..end], rest_from);
            out.push((
                found,
                rest,
                unit.line + i as u32,
                "timeline: a line per entry",
            ));
            continue;
        }
        if let Some((found, label)) = label_then_time(&unit.text[start..end], &in_line, start) {
            out.push((
                found,
                label,
                unit.line + i as u32,
                "timeline: a label, then its time",
            ));
            continue;
        }
        if let Some(last) = out.last_mut() {
            if !last.1.is_empty() {
                last.1.push(' ');
            }
            last.1.push_str(raw.trim());
        }
    }
    out
}

/// "Outage begins: 2024-03-03 10:00", "On-call paged — 21:00", "Writes failing:
/// between 3 AM and 3:30 AM EST": a short label, a separator, then a timestamp or a
/// window that ends the line. A window's start is the instant.
fn label_then_time(line: &str, in_line: &[&Found], offset: usize) -> Option<(Found, String)> {
    let (f, start) = match in_line {
        [f] => ((*f).clone(), f.start - offset),
        [a, b] => written_window(line, a, b, offset)?,
        _ => return None,
    };
    f.time?;
    let end = f.end - offset;
    let label = line.get(..start)?.trim_end();
    let after = line.get(end..)?.trim();
    // The word that opens a window ("from 03:00-03:30") belongs to neither side.
    let label = ["between", "from"]
        .iter()
        .find_map(|w| {
            let cut = label.len().checked_sub(w.len())?;
            let tail = label.get(cut..)?;
            let whole_word = label[..cut].ends_with([' ', ':', '-', '\u{2013}', '\u{2014}']);
            (tail.eq_ignore_ascii_case(w) && whole_word).then(|| label[..cut].trim_end())
        })
        .unwrap_or(label);
    let label = label
        .strip_suffix(':')
        .or_else(|| label.strip_suffix('—'))
        .or_else(|| label.strip_suffix('–'))
        .or_else(|| label.strip_suffix(" -"))
        .or_else(|| label.strip_suffix(" at"))?
        .trim();
    let label = label.trim_start_matches(['*', '_', '-', '•', ' ']).trim();
    let words = label.split_whitespace().count();
    ((1..=8).contains(&words) && after.trim_matches(['.', ')', '*', '_']).is_empty())
        .then(|| (f, label.to_string()))
}

/// "between 3 AM and 3:30 AM EST", "from 03:00 until 03:30": a window written out in
/// words, as two times. Returns its start (with the zone written after its end, which
/// holds for both) and where the words before the window end.
fn written_window(line: &str, a: &Found, b: &Found, offset: usize) -> Option<(Found, usize)> {
    a.time?;
    b.time?;
    let joint = line
        .get(a.end - offset..b.start - offset)?
        .trim()
        .to_ascii_lowercase();
    if !matches!(joint.as_str(), "and" | "to" | "until" | "till" | "through") {
        return None;
    }
    let head = line
        .get(..a.start - offset)?
        .trim_end()
        .to_ascii_lowercase();
    let opened = head.ends_with(" between") || head.ends_with(" from");
    let written_out = if joint == "and" {
        head.ends_with(" between")
    } else {
        opened || joint == "to"
    };
    if !written_out {
        return None;
    }
    let mut start = a.clone();
    start.end = b.end;
    start.range = true;
    if start.zone.is_none() {
        start.zone = b.zone.clone();
    }
    Some((start, a.start - offset))
}

fn shift(found: &Found, by: usize) -> Found {
    let mut f = found.clone();
    f.start -= by.min(f.start);
    f.end -= by.min(f.end);
    f
}

/// A table row whose time column holds a timestamp; the other cells are the event.
fn row_entry(units: &Units, index: usize) -> Option<Candidate> {
    let unit = &units.list[index];
    let Role::Row { table } = unit.role else {
        return None;
    };
    let info = &units.tables[table];
    let col = info.time_col?;
    let found = unit
        .founds
        .iter()
        .find(|f| units.cell_of(index, f.start) == col)?;
    let cells = units.cells(index);
    let text: Vec<&str> = cells
        .iter()
        .enumerate()
        .filter(|(i, c)| {
            *i != col
                && Some(*i) != info.date_col
                && Some(*i) != info.zone_col
                && !c.is_empty()
                && !is_placeholder(c)
        })
        .map(|(_, c)| *c)
        .collect();
    // "Hypha | Reports the error": a short first cell is who acted.
    let text = match text.as_slice() {
        [actor, event] if actor.split_whitespace().count() <= 4 && event.len() > actor.len() => {
            format!("{actor}: {event}")
        }
        _ => text.join(" — "),
    };
    let header = info.header.get(col).map_or("", String::as_str);
    let rule = format!("timeline: table row, time from column \"{header}\"");
    Some(Candidate {
        unit: index,
        found: found.clone(),
        text: sentences::truncate(&sentences::collapse(&text), MAX_ENTRY_TEXT),
        line: unit.line,
        source: Source::Structure,
        rule,
    })
}

/// "-", "n/a", "—": a cell that says nothing.
fn is_placeholder(cell: &str) -> bool {
    matches!(
        cell.trim().to_ascii_lowercase().as_str(),
        "-" | "—" | "–" | "n/a" | "na" | "none" | "tbd" | "?"
    )
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

/// A line that is only a timestamp with a date and a time ("Dec 22, 2020 16:49",
/// "15 Dec 2020 11:03 PST"): the header of an update whose text follows.
fn stamp_line<'a>(unit: &'a Unit, start: usize, raw: &str) -> Option<&'a Found> {
    let f = unit
        .founds
        .iter()
        .find(|f| f.start >= start && f.start < start + raw.len())?;
    f.time?;
    f.date?;
    let before = unit.text.get(start..f.start)?.trim();
    let after = unit.text.get(f.end..start + raw.len())?.trim();
    (before.is_empty() && after.trim_matches(['.', ':', ')', '(']).is_empty()).then_some(f)
}

/// "Karanbir Singh <kbsingh at centos.org>": the author line of a mail or post.
fn is_author_line(line: &str) -> bool {
    let line = line.trim();
    line.contains('<')
        && line.ends_with('>')
        && (line.contains('@') || line.contains(" at "))
        && line.split_whitespace().count() <= 8
}

/// Update lists outside timeline sections where each update opens with a line that is
/// only its timestamp, its text below. A timestamp line followed by an author line is
/// a mail's or post's dateline, not an update.
pub(super) fn stamp_lines(
    units: &Units,
    consumed: &mut HashSet<usize>,
    skip_lines: &mut HashSet<u32>,
) -> Vec<Candidate> {
    let list = &units.list;
    let mut out = Vec::new();
    for (index, unit) in list.iter().enumerate() {
        if consumed.contains(&index)
            || !matches!(unit.role, Role::Paragraph)
            || unit.founds.is_empty()
        {
            continue;
        }
        let lines: Vec<&str> = unit.text.split('\n').collect();
        let mut offset = 0;
        for (i, raw) in lines.iter().enumerate() {
            let start = offset;
            offset += raw.len() + 1;
            let line_no = unit.line + i as u32;
            // A line a status update took (its date line below its text).
            if skip_lines.contains(&line_no) {
                continue;
            }
            // "Sat Apr 16 09:09:20 UTC 2016" over "Name <name at example.org>": the
            // dateline of a mail or post.
            if lines.get(i + 1).is_some_and(|next| is_author_line(next))
                && unit
                    .founds
                    .iter()
                    .any(|f| f.start >= start && f.start < start + raw.len())
            {
                skip_lines.insert(line_no);
                skip_lines.insert(line_no + 1);
                continue;
            }
            let Some(found) = stamp_line(unit, start, raw) else {
                continue;
            };
            // The update's text: the rest of this paragraph, else the paragraphs below
            // up to the next update or heading.
            let mut text: String = lines[i + 1..]
                .iter()
                .take_while(|l| stamp_line(unit, 0, l).is_none())
                .map(|l| l.trim())
                .collect::<Vec<_>>()
                .join(" ");
            if text.is_empty() {
                for (j, next) in list.iter().enumerate().skip(index + 1) {
                    let starts_update = next
                        .text
                        .split('\n')
                        .next()
                        .is_some_and(|first| stamp_line(next, 0, first).is_some());
                    // The update's own first line may be a heading ("ISSUE SUMMARY").
                    let opening_heading = text.is_empty() && matches!(next.role, Role::Heading(_));
                    if starts_update
                        || !(opening_heading || matches!(next.role, Role::Paragraph | Role::Item))
                        || text.len() > MAX_ENTRY_TEXT
                    {
                        break;
                    }
                    if !text.is_empty() {
                        text.push(' ');
                    }
                    text.push_str(&sentences::collapse(&next.text));
                    consumed.insert(j);
                }
            }
            if text.is_empty() {
                continue;
            }
            consumed.insert(index);
            skip_lines.insert(line_no);
            out.push(Candidate {
                unit: index,
                found: found.clone(),
                text: sentences::truncate(&sentences::collapse(&text), MAX_ENTRY_TEXT),
                line: line_no,
                source: Source::Structure,
                rule: "update list: a line that is only a timestamp, the update below".into(),
            });
        }
    }
    // One update list: a single stamp line is more likely a dateline than a list.
    out
}

/// "Resolved\n<message>\nPosted Oct 12, 2017 - 23:57 UTC" blocks of status pages,
/// "Resolved - <message>\nOct 12, 2017 - 23:57 UTC" (a status history: the label opens
/// the text, a line of only the date and time closes it), and updates whose text
/// stands above their "Posted" line with no status word.
pub(super) fn status_posts(units: &Units, status_lines: &mut HashSet<u32>) -> Vec<Candidate> {
    let mut out = Vec::new();
    let mut label: Option<String> = None;
    let mut pending: Vec<(u32, String)> = Vec::new();
    for (index, unit) in units.list.iter().enumerate() {
        if !matches!(unit.role, Role::Paragraph | Role::Heading(_)) {
            label = None;
            pending.clear();
            continue;
        }
        if matches!(unit.role, Role::Heading(_)) && !is_status_word(unit.text.trim()) {
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
            // "Resolved - This incident has been resolved.": the label and the
            // update's first line in one (status-page histories).
            if let Some((word, rest)) = status_prefix(line) {
                label = Some(word.to_string());
                pending.clear();
                pending.push((line_no, rest.to_string()));
                continue;
            }
            let posted = line
                .strip_prefix("Posted")
                .is_some_and(|rest| rest.starts_with([' ', ':']));
            let found = if posted {
                unit.founds
                    .iter()
                    .find(|f| f.start >= start && f.start < start + raw.len() && f.time.is_some())
            } else if label.is_some() {
                // Below a labelled update, a line that is only its date and time.
                stamp_line(unit, start, raw)
            } else {
                None
            };
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
                let body: Vec<&str> = pending.iter().map(|(_, t)| t.as_str()).collect();
                let text = match &label {
                    Some(l) if !body.is_empty() => format!("{l}: {}", body.join(" ")),
                    Some(l) => l.clone(),
                    None if !body.is_empty() => body.join(" "),
                    None => line.to_string(),
                };
                status_lines.insert(line_no);
                // A labelled update's lines belong to it; text above an unlabelled
                // Posted line may be the report itself, which other extractors read.
                if label.is_some() {
                    status_lines.extend(pending.iter().map(|(n, _)| *n));
                }
                out.push(Candidate {
                    unit: index,
                    found: found.clone(),
                    text: sentences::truncate(&sentences::collapse(&text), MAX_ENTRY_TEXT),
                    line: line_no,
                    source: Source::Status,
                    rule: "status update: the text above its Posted or date line".into(),
                });
                label = None;
                pending.clear();
            } else if !line.is_empty() && !is_status_chrome(line) && pending.len() < 40 {
                pending.push((line_no, line.to_string()));
            }
        }
    }
    out
}

/// A line opening with a status word and a separator ("Identified - The issue…",
/// "Monitoring: a fix…"): the word and the rest.
fn status_prefix(line: &str) -> Option<(&str, &str)> {
    [" - ", " – ", " — ", ": "].iter().find_map(|sep| {
        let (word, rest) = line.split_once(sep)?;
        let rest = rest.trim();
        (is_status_word(word.trim()) && !rest.is_empty()).then_some((word.trim(), rest))
    })
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

/// The furniture of a status page around its updates: "Incident Report for X",
/// "Subscribe to updates".
fn is_status_chrome(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    lower.starts_with("incident report for ")
        || lower.starts_with("subscribe to updates")
        || lower.starts_with("powered by ")
}

/// Zones are compared by what they name, not how they were written.
pub(super) fn same_zone(a: &ZoneMention, b: &ZoneMention) -> bool {
    match (a, b) {
        (ZoneMention::Fixed { offset: x, .. }, ZoneMention::Fixed { offset: y, .. }) => x == y,
        (ZoneMention::Region { tz: x, .. }, ZoneMention::Region { tz: y, .. }) => x == y,
        (x, y) => x == y,
    }
}
