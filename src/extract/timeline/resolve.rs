//! From candidates to entries: dates carried through the document, the day/month order
//! of numeric dates, midnight rollovers, the hour of a 12-hour clock written without
//! am/pm, and zones.
//!
//! Invariant: an entry gets an offset only from a zone the document wrote down (next
//! to the time, over its table column or section, or for the whole document).

use super::super::sections::SectionKind;
use super::super::sentences;
use super::super::timestamp::{DatePart, ZoneMention};
use super::Timeline;
use super::layout::{Candidate, Source};
use super::units::{Role, Units};
use crate::model::{EventTime, Precision, TimelineEntry, Warning, ZoneSource};
use jiff::civil::{Date, DateTime, Time, Weekday};
use std::collections::{HashMap, HashSet};

/// Day/month order of numeric dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Order {
    MonthFirst,
    DayFirst,
}

/// How the order was decided, for the warning and `--explain`.
pub(super) struct OrderDecision {
    pub order: Order,
    /// Set when it was a judgment: the line of the first ambiguous date, and why.
    pub inferred: Option<(u32, String)>,
    /// Set when a date settled it: the date as written and its line.
    pub settled_by: Option<(String, u32)>,
}

/// Decides the day/month order of numeric dates for the whole document: a part above
/// 12 settles it; otherwise the reading that keeps the dates close together, near
/// `near` (title, file name, front matter, else a date of the text) and in order wins,
/// and the caller warns that it was inferred. `anchor` gives dates without a year theirs.
pub(super) fn decide_order(
    units: &Units,
    evidence: &[(&str, u32)],
    anchor: Option<Date>,
    near: Option<Date>,
) -> OrderDecision {
    let numeric = |text: &str, f: &super::super::timestamp::Found, line: u32| match f.date {
        Some(DatePart::Numeric {
            first,
            second,
            year,
        }) => Some((
            first,
            second,
            year,
            line,
            text.get(f.start..f.end).unwrap_or("").trim().to_string(),
        )),
        _ => None,
    };
    let extra: Vec<(&str, u32, Vec<super::super::timestamp::Found>)> = evidence
        .iter()
        .map(|(text, line)| (*text, *line, super::super::timestamp::find(text)))
        .collect();
    let numerics: Vec<(i8, i8, Option<i16>, u32, String)> = extra
        .iter()
        .flat_map(|(text, line, founds)| founds.iter().filter_map(|f| numeric(text, f, *line)))
        .chain(units.list.iter().flat_map(|u| {
            u.founds
                .iter()
                .filter_map(move |f| numeric(&u.text, f, u.line))
        }))
        .collect();
    let settled = |order, w: Option<&(i8, i8, Option<i16>, u32, String)>| OrderDecision {
        order,
        inferred: None,
        settled_by: w.map(|(_, _, _, line, text)| (text.clone(), *line)),
    };
    let day_first = numerics.iter().find(|(a, _, _, _, _)| *a > 12);
    let month_first = numerics.iter().find(|(_, b, _, _, _)| *b > 12);
    match (day_first, month_first) {
        (Some(w), None) => return settled(Order::DayFirst, Some(w)),
        (None, Some(w)) => return settled(Order::MonthFirst, Some(w)),
        _ => {}
    }
    let Some(first_ambiguous) = numerics
        .iter()
        .find(|(a, b, _, _, _)| *a <= 12 && *b <= 12 && a != b)
    else {
        return settled(Order::MonthFirst, None);
    };
    let cost = |order: Order| -> i64 {
        let fallback_year = anchor.map(|d| d.year());
        let mut dates: Vec<Date> = numerics
            .iter()
            .filter_map(|(a, b, y, _, _)| {
                let (m, d) = match order {
                    Order::MonthFirst => (*a, *b),
                    Order::DayFirst => (*b, *a),
                };
                Date::new(y.or(fallback_year)?, m, d).ok()
            })
            .collect();
        let inversions = dates.windows(2).filter(|w| w[1] < w[0]).count() as i64;
        dates.extend(near);
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
    OrderDecision {
        order,
        inferred: Some((
            first_ambiguous.3,
            "no date in the document has a part above 12; the reading that keeps its dates \
             close together and in order was taken"
                .to_string(),
        )),
        settled_by: None,
    }
}

/// What the walk through the document knows so far.
struct Walk {
    ctx_date: Option<Date>,
    /// Where the context date was written, for the entries it dates.
    ctx_from: String,
    /// The last entry with a time: its section, wall time, whether it came from the
    /// timeline's structure, and whether its am/pm was written.
    last: Option<Last>,
    /// The document writes a 12-hour clock somewhere ("2:54 PM").
    twelve_hour: bool,
}

#[derive(Clone, Copy)]
struct Last {
    section: usize,
    wall: DateTime,
    structural: bool,
}

/// Turns candidates into entries, carrying the date context through the document.
/// Returns, for each entry pushed, where it came from.
pub(super) fn resolve(
    units: &Units,
    candidates: Vec<Candidate>,
    order: Order,
    anchor: Option<Date>,
    zone: Option<&ZoneMention>,
    out: &mut Timeline,
) -> Vec<Source> {
    let mut sources = Vec::new();
    let by_position: HashMap<(usize, usize), usize> = candidates
        .iter()
        .enumerate()
        .map(|(i, c)| ((c.unit, c.found.start), i))
        .collect();
    // Where an entry's own text lies, whose other dates are that text, not context: the
    // whole unit of a structural entry (a line, a row, a status update), the sentence
    // of a narrative one. A dated sentence of a paragraph that is no entry itself ("On
    // May 8th, between 13:10 and 14:45 UTC, ...") dates the sentences after it.
    let entry_units: HashSet<usize> = candidates
        .iter()
        .filter(|c| c.source != Source::Narrative)
        .map(|c| c.unit)
        .collect();
    let mut entry_sentences: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    for c in candidates.iter().filter(|c| c.source == Source::Narrative) {
        let text = &units.list[c.unit].text;
        if let Some((start, sentence)) = sentences::split(text)
            .into_iter()
            .find(|(start, s)| c.found.start >= *start && c.found.start < start + s.len().max(1))
        {
            entry_sentences
                .entry(c.unit)
                .or_default()
                .push((start, start + sentence.len()));
        }
    }
    let in_entry_text = |unit: usize, at: usize| {
        entry_units.contains(&unit)
            || entry_sentences
                .get(&unit)
                .is_some_and(|spans| spans.iter().any(|(s, e)| at >= *s && at < *e))
    };
    let years: HashSet<i16> = units
        .list
        .iter()
        .flat_map(|u| u.founds.iter())
        .filter_map(|f| match f.date {
            Some(DatePart::Full(d)) => Some(d.year()),
            Some(DatePart::Numeric { year: Some(y), .. }) => Some(y),
            _ => None,
        })
        .chain(anchor.map(|d| d.year()))
        .collect();
    let mut walk = Walk {
        ctx_date: anchor,
        ctx_from: "the title, front matter or file name".to_string(),
        last: None,
        twelve_hour: units
            .list
            .iter()
            .flat_map(|u| u.founds.iter())
            .any(|f| f.time.is_some_and(|t| t.meridiem)),
    };
    let mut missing_date_warned = false;
    let mut warned_zones: HashSet<String> = HashSet::new();

    for (index, unit) in units.list.iter().enumerate() {
        // A row's own date column dates the row, wherever the column stands.
        if let Some((date, text)) = row_date(units, index, order, walk.ctx_date) {
            walk.ctx_date = Some(date);
            walk.ctx_from = format!("the date column, line {} (\"{text}\")", unit.line);
            walk.last = None;
        }
        // Entries dated only by context sit at the start of their unit.
        let context_dated = by_position
            .get(&(index, 0))
            .filter(|i| {
                candidates[**i].found.date.is_none() && candidates[**i].found.time.is_none()
            })
            .copied();
        let marks = context_dated
            .into_iter()
            .map(|i| (&candidates[i].found, Some(i)))
            .chain(unit.founds.iter().map(|f| {
                let c = by_position
                    .get(&(index, f.start))
                    .copied()
                    .filter(|i| Some(*i) != context_dated);
                (f, c)
            }));
        for (found, candidate) in marks {
            let explicit = found
                .date
                .and_then(|part| resolve_date(part, order, walk.ctx_date));
            let Some(c) = candidate.map(|i| &candidates[i]) else {
                // Dates outside entries set the context ("On June 26th, ..."), unless
                // they are part of an entry's own text.
                if let Some(d) = explicit
                    && !in_entry_text(index, found.start)
                    && !(walk.ctx_date.is_some() && mail_header_date(&unit.text, found.start))
                {
                    walk.ctx_date = Some(d);
                    walk.ctx_from = format!(
                        "line {} (\"{}\")",
                        sentences::line_at(&unit.text, unit.line, found.start),
                        unit.text.get(found.start..found.end).unwrap_or("").trim()
                    );
                    walk.last = None;
                }
                continue;
            };
            let found = &c.found;
            let explicit = found
                .date
                .and_then(|part| resolve_date(part, order, walk.ctx_date));
            if found.bare
                && found.date.is_none()
                && let Some(t) = found.time
                && years.contains(&(t.hour as i16 * 100 + t.minute as i16))
            {
                continue;
            }
            let mut date = match explicit.or(walk.ctx_date) {
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
            let structural = c.source != Source::Narrative;
            let mut time = found
                .time
                .and_then(|t| Time::new(t.hour, t.minute, t.second.unwrap_or(0), 0).ok());
            let mut rule_notes: Vec<String> = Vec::new();
            // "On Tuesday morning (09:10 CET)": the named day nearest the date before.
            let named_day = found
                .date
                .is_none()
                .then(|| {
                    found
                        .weekday
                        .or_else(|| weekday_before(&unit.text, found.start))
                })
                .flatten()
                .filter(|day| *day != date.weekday());
            if let Some(day) = named_day
                && let Ok(d) = date.checked_add(jiff::Span::new().days(nearest_shift(date, day)))
            {
                rule_notes.push(format!("date: the {day:?} nearest {date}"));
                date = d;
                walk.last = None;
            }
            if let (Some(t), Some(last)) = (time, walk.last) {
                let same_flow = last.section == unit.section
                    || (structural && last.structural && unit.kind == SectionKind::Timeline);
                let wall = date.to_datetime(t);
                // "1:00 PM" then "4:00": on a 12-hour clock without am/pm, the
                // afternoon that keeps the entries in order.
                let afternoon = same_flow
                    && wall < last.wall
                    && found.time.is_some_and(|ft| !ft.meridiem)
                    && walk.twelve_hour
                    && (1..12).contains(&t.hour())
                    && last.wall.date() == date
                    && Time::new(t.hour() + 12, t.minute(), t.second(), 0)
                        .is_ok_and(|pm| date.to_datetime(pm) >= last.wall);
                if afternoon {
                    time = Time::new(t.hour() + 12, t.minute(), t.second(), 0).ok();
                    rule_notes.push(
                        "read as pm: the clock is 12-hour and the entry before is later".into(),
                    );
                } else if explicit.is_none() && same_flow && wall < last.wall {
                    // A time-only entry earlier than the one before it has crossed
                    // midnight: always inside timeline structure, and in narrative only
                    // for a big jump back (narrative often steps back a few hours).
                    let back = last.wall.duration_since(wall).as_secs();
                    if (structural || back > 12 * 3600)
                        && let Ok(next) = last.wall.date().tomorrow()
                    {
                        date = next;
                        rule_notes.push("the next day: earlier than the entry before".into());
                    }
                } else if !same_flow && unit.kind != SectionKind::Timeline {
                    walk.last = None;
                }
            }
            if explicit.is_some() {
                walk.ctx_from = format!("the entry on line {}", c.line);
            }
            walk.ctx_date = Some(date);
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
            let scoped = unit.zone.as_ref().map(|z| &z.zone);
            let (offset, zone_source) = match (&found.zone, scoped.or(zone)) {
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
            if found.zone.is_none() && offset.is_some() {
                rule_notes.push(match &unit.zone {
                    Some(z) => format!("zone from \"{}\"", z.stated_by),
                    None => "zone stated for the whole document".into(),
                });
            }
            if explicit.is_none() && found.date.is_none() {
                rule_notes.push(format!("date from {}", walk.ctx_from));
            }
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
                walk.last = Some(Last {
                    section: unit.section,
                    wall: date.to_datetime(t),
                    structural,
                });
            }
            let source_text = unit
                .text
                .get(found.start..found.end)
                .unwrap_or("")
                .trim()
                .to_string();
            let mut rule = c.rule.clone();
            for note in rule_notes {
                rule.push_str("; ");
                rule.push_str(&note);
            }
            sources.push(c.source);
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
                rule,
            });
        }
    }
    sources
}

/// The weekday named just before a time without a date: "On Tuesday morning (09:10
/// CET)", "Friday at 17:40". Full names only: "Sat" and "Sun" are words too.
fn weekday_before(text: &str, start: usize) -> Option<Weekday> {
    const BETWEEN: &[&str] = &[
        "at",
        "around",
        "about",
        "approximately",
        "morning",
        "afternoon",
        "evening",
        "night",
        "early",
        "late",
        "on",
        "by",
    ];
    let head = text.get(..start)?;
    let mut words = head
        .rsplit(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty());
    for _ in 0..4 {
        let word = words.next()?.to_ascii_lowercase();
        if let Some(day) = weekday_named(&word) {
            return Some(day);
        }
        if !BETWEEN.contains(&word.as_str()) {
            return None;
        }
    }
    None
}

fn weekday_named(word: &str) -> Option<Weekday> {
    Some(match word {
        "monday" => Weekday::Monday,
        "tuesday" => Weekday::Tuesday,
        "wednesday" => Weekday::Wednesday,
        "thursday" => Weekday::Thursday,
        "friday" => Weekday::Friday,
        "saturday" => Weekday::Saturday,
        "sunday" => Weekday::Sunday,
        _ => return None,
    })
}

/// Days from `date` to the nearest date that is a `day`: at most three either way.
fn nearest_shift(date: Date, day: Weekday) -> i64 {
    let ahead = (day.to_monday_zero_offset() as i64
        - date.weekday().to_monday_zero_offset() as i64)
        .rem_euclid(7);
    if ahead <= 3 { ahead } else { ahead - 7 }
}

/// The date in a table row's date column ("Date | Time | Event"), and how it is written.
fn row_date(units: &Units, index: usize, order: Order, ctx: Option<Date>) -> Option<(Date, &str)> {
    let unit = &units.list[index];
    let Role::Row { table } = unit.role else {
        return None;
    };
    let col = units.tables[table].date_col?;
    let found = unit
        .founds
        .iter()
        .find(|f| f.date.is_some() && units.cell_of(index, f.start) == col)?;
    let date = resolve_date(found.date?, order, ctx)?;
    Some((date, unit.text.get(found.start..found.end)?.trim()))
}

/// Whether byte `at` of a text lies on the "Date:" or "Sent:" line of a mail's header
/// (a block that also has a "From:", "To:" or "Cc:" line): when the mail was sent, which
/// says nothing of the day its times fall on once the document is dated otherwise
/// (the subject's "outage on 03/04/2025" in a mail sent the day after).
fn mail_header_date(text: &str, at: usize) -> bool {
    let field = |line: &str, names: &[&str]| {
        line.split_once(':').is_some_and(|(name, _)| {
            names
                .iter()
                .any(|n| name.trim().trim_matches('*').eq_ignore_ascii_case(n))
        })
    };
    let mut start = 0;
    let mut on_date_line = false;
    let mut has_address = false;
    for line in text.split('\n') {
        let end = start + line.len();
        if at >= start && at <= end {
            on_date_line = field(line, &["date", "sent"]);
        }
        has_address |= field(line, &["from", "to", "cc"]);
        start = end + 1;
    }
    on_date_line && has_address
}

/// A date part read with the document's order; a missing year comes from the context,
/// taking the year that puts the date nearest it ("Dec 5" in a March report is the
/// December before).
fn resolve_date(part: DatePart, order: Order, ctx: Option<Date>) -> Option<Date> {
    let nearest = |month: i8, day: i8| -> Option<Date> {
        let ctx = ctx?;
        [ctx.year() - 1, ctx.year(), ctx.year() + 1]
            .into_iter()
            .filter_map(|y| Date::new(y, month, day).ok())
            .min_by_key(|d| (*d - ctx).get_days().abs())
    };
    match part {
        DatePart::Full(d) => Some(d),
        DatePart::MonthDay { month, day } => nearest(month, day),
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
            match year {
                Some(y) => Date::new(y, month, day).ok(),
                None => nearest(month, day),
            }
        }
    }
}
