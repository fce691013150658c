//! The extractor: one shared document model in, one `Incident` out. Every rule about
//! what a postmortem contains (section synonyms, timeline, causes, actions, systems)
//! lives here once, whatever the source format.
//!
//! Invariant: pure and deterministic; the same document and source name always give
//! the same incident, and metadata the document states explicitly (front matter)
//! overrides anything inferred.

pub mod actions;
pub mod causes;
pub mod sections;
pub mod sentences;
pub mod systems;
#[cfg(test)]
mod test_blocks;
pub mod timeline;
pub mod timestamp;

use crate::ingest::document::{Block, Document};
use crate::model::{Explanation, Format, Incident, Reference, Slug, Warning};
use aho_corasick::AhoCorasick;
use jiff::civil::Date;
use sections::{Outline, SectionKind};
use std::collections::HashSet;
use std::sync::LazyLock;
use timestamp::{DatePart, ZoneMention};

/// Longest summary/impact/detection/resolution text kept.
const MAX_SECTION_TEXT: usize = 1200;

/// Extracts an incident from a parsed document. `source` is the path as given by the
/// user; `stem` is the file name without extension.
pub fn extract(doc: &Document, source: &str, stem: &str) -> Incident {
    let slug =
        Slug::from_stem(stem).unwrap_or_else(|| Slug::from_stem("incident").expect("literal slug"));
    let outline = sections::outline(doc);
    let mut warnings = doc.warnings.clone();

    let (title, title_rule) = title_of(doc, &outline, stem);

    let meta_date = doc.meta.date.as_deref().and_then(|d| {
        let parsed = timestamp::parse_date(d).and_then(|p| date_of_part(p, None));
        if parsed.is_none() {
            warnings.push(Warning::new(
                doc.meta.line.max(1),
                format!("front matter date '{d}' is not a date; ignored"),
            ));
        }
        parsed
    });
    let stated = meta_date
        .or_else(|| first_date(&title))
        .or_else(|| date_prefix(stem));
    let anchor = stated
        .or_else(|| earliest_date(&outline, false))
        .or_else(|| year_anchor(&title, &outline));
    // A due date gives a year to days written without one, but says nothing of when
    // the incident was: the day/month order is judged without it.
    let order_anchor = stated.or_else(|| earliest_date(&outline, true));

    let declared = doc.meta.timezone.as_deref().and_then(|z| {
        let zone = timestamp::parse_zone(z);
        if zone.is_none() {
            warnings.push(Warning::new(
                doc.meta.line.max(1),
                format!("front matter timezone '{z}' is not a known zone; ignored"),
            ));
        }
        zone
    });
    let mut evidence: Vec<(&str, u32)> = Vec::new();
    if let Some(h) = outline.title {
        evidence.push((h.text.as_str(), h.line));
    }
    if let Some(d) = doc.meta.date.as_deref() {
        evidence.push((d, doc.meta.line.max(1)));
    }
    let timeline = timeline::extract(
        &outline,
        timeline::Context {
            anchor,
            order_anchor,
            declared,
            evidence,
        },
    );
    warnings.extend(timeline.warnings.iter().cloned());
    if timeline.entries.is_empty() {
        warnings.push(Warning::new(1, "no timeline found"));
    }

    let root_causes = causes::extract(&outline);
    let action_ctx = actions::ActionContext {
        slug: &slug,
        links: &doc.links,
        skip_lines: &timeline.status_lines,
        year: anchor.map(|d| d.year()),
    };
    let actions = actions::extract(&outline, &action_ctx);
    for action in actions
        .iter()
        .filter(|a| a.owner.is_none() && a.status.is_open())
    {
        warnings.push(Warning::new(
            action.line,
            format!(
                "action has no owner: {}",
                sentences::truncate(&action.text, 60)
            ),
        ));
    }

    let signals = start_signals(&outline, anchor.map(|d| d.year()), timeline.day_first);
    let (started, started_rule) = started(
        first_date(&title),
        &signals,
        meta_date,
        &timeline.entries,
        anchor,
    );
    let explanation = Explanation {
        title: title_rule,
        started: started_rule.to_string(),
        zone: timeline.zone.as_ref().map(|_| {
            timeline
                .zone_note
                .clone()
                .unwrap_or_else(|| "the front matter".to_string())
        }),
        date_order: timeline.order_note.clone(),
    };
    let title = strip_date_prefix(&title);

    let mut systems_found = doc.meta.systems.clone();
    systems_found.extend(systems::find(&doc.plain_text()));
    dedup_case_insensitive(&mut systems_found);

    let mut tags = doc.meta.tags.clone();
    dedup_case_insensitive(&mut tags);

    warnings.sort_by_key(|w| w.line);
    let warnings = dedup_warnings(warnings);

    Incident {
        source: source.to_string(),
        format: doc.format.unwrap_or(Format::Text),
        slug,
        title: sentences::collapse(&title),
        started,
        timezone: timeline.zone.as_ref().and_then(zone_name),
        summary: section_text(&outline, SectionKind::Summary).or_else(|| lead_paragraph(&outline)),
        impact: section_text(&outline, SectionKind::Impact),
        detection: section_text(&outline, SectionKind::Detection),
        resolution: section_text(&outline, SectionKind::Resolution),
        severity: doc.meta.severity.clone(),
        authors: doc.meta.authors.clone(),
        timeline: timeline.entries,
        root_causes,
        actions,
        lessons: lessons(&outline),
        systems: systems_found,
        tags,
        references: references(doc, &outline),
        warnings,
        explanation,
    }
}

/// The title and where it came from: front matter, the document's own title heading,
/// or the file name.
fn title_of(doc: &Document, outline: &Outline<'_>, stem: &str) -> (String, String) {
    if let Some(t) = doc.meta.title.as_ref().filter(|t| !t.trim().is_empty()) {
        return (t.clone(), "front matter".to_string());
    }
    if let Some(h) = outline
        .title
        .filter(|h| !h.text.trim().is_empty() && !is_running_text(&h.text))
    {
        let first = doc.blocks.first().map(|b| b.line());
        let rule = if first == Some(h.line) {
            format!("the document's first heading, line {}", h.line)
        } else {
            format!(
                "the heading on line {} (the one above it names the page, not the incident)",
                h.line
            )
        };
        return match email_subject(&h.text) {
            Some(subject) => (
                subject,
                format!("{rule}, an e-mail subject without its prefix"),
            ),
            None => (h.text.clone(), rule),
        };
    }
    (title_from_stem(stem), "the file name".to_string())
}

/// "Subject: [Incident report] Search outage on 3 April" -> "Search outage on 3 April":
/// a report sent by e-mail opens with its subject line, whose "Subject:", "Re:" and
/// "Fwd:" and a tag in brackets after them ("[Postmortem]", "[RESOLVED]") are the
/// mail's, not the incident's. A tag with digits may be a date and stays for the start
/// date.
fn email_subject(title: &str) -> Option<String> {
    let mut rest = title.trim();
    let mut changed = false;
    loop {
        let lower = rest.to_ascii_lowercase();
        let Some(prefix) = ["subject:", "re:", "fwd:", "fw:"]
            .into_iter()
            .find(|p| lower.starts_with(p))
        else {
            break;
        };
        rest = rest[prefix.len()..].trim_start();
        changed = true;
    }
    // A tag in brackets is the list's or the sender's only after a mail prefix; on its
    // own ("[CentOS-announce] ...") it is how the document titles itself.
    if changed
        && let Some(inner) = rest.strip_prefix('[')
        && let Some(close) = inner.find(']')
        && !inner[..close].chars().any(|c| c.is_ascii_digit())
        && inner[close + 1..].split_whitespace().count() >= 2
    {
        rest = inner[close + 1..].trim_start_matches([' ', ':', '-', '–', '—']);
        changed = true;
    }
    (changed && !rest.is_empty()).then(|| rest.to_string())
}

/// A first line that says several sentences is the start of the text, not a title (a
/// plain-text report that opens without one): the file name names it then.
fn is_running_text(text: &str) -> bool {
    sentences::split(text).len() >= 2 && text.split_whitespace().count() > 12
}

/// "2018-10-09: API worker reboot loop" -> "API worker reboot loop": the date belongs
/// to the start date, not the title; so does a bracketed one ("[2018-10-09] ..."). A
/// title that is nothing but a date stays.
fn strip_date_prefix(title: &str) -> String {
    let Some(f) = timestamp::find(title).into_iter().next() else {
        return title.to_string();
    };
    let open = title[..f.start].trim();
    let bracketed = matches!(open, "[" | "(");
    if !(open.is_empty() || bracketed) || f.date.is_none() {
        return title.to_string();
    }
    let mut after = &title[f.end..];
    if bracketed {
        let close = if open == "[" { ']' } else { ')' };
        match after.trim_start().strip_prefix(close) {
            Some(rest) => after = rest,
            None => return title.to_string(),
        }
    }
    let rest = after.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, ':' | '-' | '–' | '—' | ',' | '/' | '|')
    });
    let separated = bracketed || rest.len() < after.len();
    if separated && rest.split_whitespace().count() >= 2 {
        rest.to_string()
    } else {
        title.to_string()
    }
}

/// What a document says about when its incident began, besides its timeline.
#[derive(Debug, Default)]
struct StartSignals {
    /// "Incident date: ...", "Incident began at ...", "affected users since ...".
    statement: Option<Date>,
    /// A "Date:" field or a "Date" section: the incident's date or the report's.
    date_field: Option<Date>,
}

/// Labels whose value is when the incident began.
const START_LABELS: &[&str] = &[
    "incident date",
    "incident dates",
    "incident date(s)",
    "date of incident",
    "date of the incident",
    "impact window",
    "impact start",
    "impact started",
    "incident start",
    "incident started",
    "outage start",
    "outage started",
    "start time",
    "start of impact",
    "began",
    "started",
];

/// Words that name the incident in "the outage began at ...".
const INCIDENT_WORDS: &[&str] = &[
    "incident",
    "outage",
    "impact",
    "issue",
    "problem",
    "disruption",
    "degradation",
    "downtime",
];

/// Reads the document's own statements of when the incident began.
fn start_signals(outline: &Outline<'_>, year: Option<i16>, day_first: bool) -> StartSignals {
    let mut signals = StartSignals::default();
    let date_in = |text: &str| -> Option<Date> {
        timestamp::find(text)
            .into_iter()
            .find_map(|f| date_in_order(f.date?, year, day_first))
    };
    let mut date_heading = false;
    for section in &outline.sections {
        let heading = section.heading.map_or("", |h| h.text.as_str());
        // "## Date" with the date as its body.
        if normalized(heading) == "date" {
            date_heading = true;
        }
        for block in &section.blocks {
            let texts: Vec<&str> = match block {
                Block::Paragraph(p) => vec![p.text.as_str()],
                Block::List(l) => l.items.iter().map(|i| i.text.as_str()).collect(),
                Block::Heading(h) => vec![h.text.as_str()],
                _ => Vec::new(),
            };
            for text in texts {
                if date_heading && signals.date_field.is_none() {
                    signals.date_field = date_in(text);
                }
                for line in text.lines() {
                    let Some((label, value)) = line.split_once(':') else {
                        continue;
                    };
                    // Labels are short; anything longer is a sentence with a colon.
                    if label.len() > 40 {
                        continue;
                    }
                    let label = normalized(label);
                    if signals.statement.is_none() && START_LABELS.contains(&label.as_str()) {
                        signals.statement = date_in(value);
                    }
                    if signals.date_field.is_none() && label == "date" {
                        signals.date_field = date_in(value);
                    }
                }
                if signals.statement.is_none() {
                    signals.statement = began_statement(text, section.kind, &date_in);
                }
            }
            date_heading = false;
        }
        if let Some(h) = section.heading
            && signals.date_field.is_none()
            && let Some((label, value)) = h.text.split_once(':')
            && normalized(label) == "date"
        {
            signals.date_field = date_in(value);
        }
    }
    signals
}

/// "The incident began at 2020-12-09 18:31", "the outage started on March 3", and in
/// an impact section "affected all users since 09/11/20".
fn began_statement(
    text: &str,
    kind: SectionKind,
    date_in: &dyn Fn(&str) -> Option<Date>,
) -> Option<Date> {
    // Most text names no beginning at all: one case-insensitive pass over it decides.
    static CUES: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build([
                "began",
                "begun",
                "started",
                "starting",
                "since",
                "beginning",
            ])
            .expect("literal patterns")
    });
    if !CUES.is_match(text) {
        return None;
    }
    for (_, sentence) in sentences::split(text) {
        let lower = sentence.to_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        let began = words
            .iter()
            .position(|w| matches!(*w, "began" | "begun" | "started" | "starting"));
        let since = (kind == SectionKind::Impact)
            .then(|| {
                words
                    .iter()
                    .position(|w| matches!(*w, "since" | "beginning"))
            })
            .flatten();
        let names_incident = words.iter().any(|w| INCIDENT_WORDS.contains(w));
        if !((began.is_some() && names_incident) || since.is_some()) {
            continue;
        }
        // The date must follow the cue word.
        let at = [
            "began",
            "begun",
            "started",
            "starting",
            "since",
            "beginning",
        ]
        .iter()
        .filter_map(|w| sentences::find_ignore_case(sentence, w, 0))
        .min()?;
        if let Some(d) = date_in(&sentence[at..]) {
            return Some(d);
        }
    }
    None
}

/// Lowercase words of a label joined by single spaces ("**Incident Date**" ->
/// "incident date").
fn normalized(label: &str) -> String {
    label
        .trim()
        .trim_matches(['*', '_', '#', '-', '•', ' '])
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A date part read with the document's day/month order.
fn date_in_order(part: DatePart, year: Option<i16>, day_first: bool) -> Option<Date> {
    match part {
        DatePart::Numeric {
            first,
            second,
            year: y,
        } if day_first && first <= 12 && second <= 12 => Date::new(y.or(year)?, second, first).ok(),
        p => date_of_part(p, year),
    }
}

/// The day impact began: a date in the title, then what the document states ("Incident
/// date: ...", "began at ..."), then front matter or a "Date:" field unless it falls
/// after every event (then it is when the report was written), then the first timed
/// event, then any event, then the anchor.
fn started(
    title_date: Option<Date>,
    signals: &StartSignals,
    meta_date: Option<Date>,
    entries: &[crate::model::TimelineEntry],
    anchor: Option<Date>,
) -> (Option<Date>, &'static str) {
    let last_event = entries.iter().map(|e| e.at.date).max();
    let not_after_events = |d: &Date| last_event.is_none_or(|last| *d <= last);
    let entries = &entries[prelude(entries)..];
    let first_timed = entries
        .iter()
        .filter(|e| e.at.time.is_some())
        .map(|e| e.at.date)
        .min();
    let first_any = entries.iter().map(|e| e.at.date).min();
    let signals: [(Option<Date>, &'static str); 9] = [
        (title_date, "a date in the title"),
        (signals.statement, "the document states when it began"),
        (
            meta_date.filter(not_after_events),
            "the front matter date (not after the timeline)",
        ),
        (
            signals.date_field.filter(not_after_events),
            "the Date field (not after the timeline)",
        ),
        (first_timed, "the first timed event of the timeline"),
        (first_any, "the first event of the timeline"),
        (meta_date, "the front matter date"),
        (signals.date_field, "the Date field"),
        (anchor, "a date in the file name or text"),
    ];
    signals
        .into_iter()
        .find(|(d, _)| d.is_some())
        .unwrap_or((None, "nothing in the document dates it"))
}

/// Verbs that say a change was made: what an entry about the cause's history does.
const CHANGE_WORDS: &[&str] = &[
    "introduced",
    "merged",
    "committed",
    "deployed",
    "released",
    "issued",
    "shipped",
    "created",
    "configured",
    "changed",
    "upgraded",
    "enabled",
    "pushed",
];

/// Days between a cause's history and the rest of the timeline that set them apart.
const PRELUDE_GAP_DAYS: i32 = 3;

/// How many leading entries tell how the cause came to be rather than when impact
/// began: each says a change was made ("Bug introduced in release 4.2", "Certificate
/// issued"), and days pass before the next entry. Zero when the timeline opens with the
/// impact. The entries are in time order, as the timeline pass leaves them.
fn prelude(entries: &[crate::model::TimelineEntry]) -> usize {
    let says_change = |text: &str| {
        text.split(|c: char| !c.is_alphabetic())
            .any(|w| CHANGE_WORDS.iter().any(|c| w.eq_ignore_ascii_case(c)))
    };
    for (k, pair) in entries.windows(2).enumerate() {
        if !says_change(&pair[0].text) {
            return 0;
        }
        if (pair[1].at.date - pair[0].at.date).get_days() >= PRELUDE_GAP_DAYS {
            return k + 1;
        }
    }
    0
}

/// The document's zone as reported: "UTC", an IANA name, or a numeric offset.
fn zone_name(zone: &ZoneMention) -> Option<String> {
    match zone {
        ZoneMention::Utc => Some("UTC".to_string()),
        ZoneMention::Region { tz, .. } => Some(tz.clone()),
        ZoneMention::Fixed { offset, .. } => Some(if offset.seconds() == 0 {
            "UTC".to_string()
        } else {
            crate::model::format_offset(*offset)
        }),
        ZoneMention::Unknown(_) => None,
    }
}

fn date_of_part(part: DatePart, year: Option<i16>) -> Option<Date> {
    match part {
        DatePart::Full(d) => Some(d),
        DatePart::MonthDay { month, day } => Date::new(year?, month, day).ok(),
        // Front matter and titles use ISO or the writer's order; a part over 12 decides,
        // otherwise month first as most tools write it.
        DatePart::Numeric {
            first,
            second,
            year: y,
        } => {
            let y = y.or(year)?;
            let (m, d) = if first > 12 {
                (second, first)
            } else {
                (first, second)
            };
            Date::new(y, m, d).ok()
        }
    }
}

/// The first complete date in a text ("After Action Report 26-27 June 2019").
fn first_date(text: &str) -> Option<Date> {
    timestamp::find(text)
        .into_iter()
        .find_map(|f| match f.date? {
            DatePart::Full(d) => Some(d),
            p @ DatePart::Numeric { year: Some(_), .. } => date_of_part(p, None),
            _ => None,
        })
        .or_else(|| day_range_date(text))
}

/// "26-27 June 2019": a day range before a month name and year.
fn day_range_date(text: &str) -> Option<Date> {
    let words: Vec<&str> = text.split_whitespace().collect();
    for w in words.windows(3) {
        let (days, month, year) = (w[0], w[1], w[2]);
        let Some((first, _)) = days.split_once(['-', '–']) else {
            continue;
        };
        let (Ok(day), Ok(year)) = (
            first.parse::<i8>(),
            year.trim_end_matches(',').parse::<i16>(),
        ) else {
            continue;
        };
        if let Some(DatePart::MonthDay { month, .. }) = timestamp::parse_date(&format!("{month} 1"))
        {
            return Date::new(year, month, day).ok();
        }
    }
    None
}

/// `2017-12-08-tacc-power-outage` -> 2017-12-08.
fn date_prefix(stem: &str) -> Option<Date> {
    let head = stem.get(..10)?;
    let b = head.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = head[..4].parse().ok()?;
    let m = head[5..7].parse().ok()?;
    let d = head[8..10].parse().ok()?;
    Date::new(y, m, d).ok()
}

/// The earliest complete date written anywhere outside code (outside action sections
/// when `outside_actions`), as a last resort.
fn earliest_date(outline: &Outline<'_>, outside_actions: bool) -> Option<Date> {
    let mut min: Option<Date> = None;
    let keep = |s: &sections::Section<'_>| !outside_actions || s.kind != SectionKind::Actions;
    visit_texts_of(outline, &keep, &mut |text, _| {
        for f in timestamp::find(text) {
            if let Some(DatePart::Full(d)) = f.date {
                min = Some(min.map_or(d, |m| m.min(d)));
            }
        }
    });
    min
}

/// A document that writes its days without a year ("Thursday March 7", "Mar 7, 14:32
/// UTC") but states the year elsewhere: in its title ("Review (June 2023)"), after a
/// month or quarter ("October 2024", "Q3 2024"), in a copyright or "published" line.
/// The first day written without a year, in that year, is the anchor. When the text
/// states more than one year, the weekday written beside a day picks the one it fits;
/// with no year written at all, none is guessed.
fn year_anchor(title: &str, outline: &Outline<'_>) -> Option<Date> {
    let mut day: Option<(i8, i8, Option<jiff::civil::Weekday>)> = None;
    let mut weekday_days: Vec<(i8, i8, jiff::civil::Weekday)> = Vec::new();
    let mut body_years: Vec<i16> = Vec::new();
    let mut scan = |text: &str| {
        for f in timestamp::find(text) {
            if let Some(DatePart::MonthDay { month, day: d }) = f.date {
                day.get_or_insert((month, d, f.weekday));
                if let Some(w) = f.weekday {
                    weekday_days.push((month, d, w));
                }
            }
        }
    };
    scan(title);
    visit_texts(outline, &mut |text, _| {
        scan(text);
        body_years.extend(stated_years(text, false));
    });
    let mut years = stated_years(title, true);
    if years.is_empty() {
        years = body_years;
    }
    years.sort_unstable();
    years.dedup();
    let fits = |y: i16| {
        weekday_days
            .iter()
            .all(|(m, d, w)| Date::new(y, *m, *d).is_ok_and(|date| date.weekday() == *w))
    };
    let year = match years.as_slice() {
        [] => return None,
        [y] => *y,
        _ => {
            let fitting: Vec<i16> = years.iter().copied().filter(|y| fits(*y)).collect();
            match (fitting.as_slice(), weekday_days.is_empty()) {
                ([y], false) => *y,
                _ => return None,
            }
        }
    };
    // Without a day written, nothing needs the year (numeric dates carry their own or
    // are ordered by the timeline pass).
    let (month, d, _) = day?;
    Date::new(year, month, d).ok()
}

/// Years a text states on their own (not as part of a date): every four-digit year of a
/// title (`anywhere`), else one after a month or quarter name ("October 2024", "Q3
/// 2024"), after a copyright sign, or on a line that says when the text was published
/// ("Posted by the status team, 2024").
fn stated_years(text: &str, anywhere: bool) -> Vec<i16> {
    let mut out = Vec::new();
    for line in text.lines() {
        // "12-04-2019" is a date, whose year the timeline pass reads with it.
        let dates: Vec<(usize, usize)> = timestamp::find(line)
            .iter()
            .filter(|f| f.date.is_some())
            .map(|f| (f.start, f.end))
            .collect();
        let lower = line.to_lowercase();
        let dated_line = [
            "published",
            "posted",
            "written",
            "updated",
            "authored",
            "copyright",
            "©",
            "(c)",
        ]
        .iter()
        .any(|w| lower.contains(w));
        let mut words: Vec<(usize, &str)> = Vec::new();
        let mut start = None;
        for (i, c) in line.char_indices().chain([(line.len(), ' ')]) {
            let in_word = c.is_alphanumeric() || c == '©';
            match (in_word, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    words.push((s, &line[s..i]));
                    start = None;
                }
                _ => {}
            }
        }
        for (i, (at, word)) in words.iter().enumerate() {
            let Ok(year) = word.parse::<i16>() else {
                continue;
            };
            if word.len() != 4
                || !(1990..=2099).contains(&year)
                || dates.iter().any(|(s, e)| at >= s && at < e)
            {
                continue;
            }
            let before = i.checked_sub(1).map(|j| words[j].1.to_lowercase());
            let after_month = before.as_deref().is_some_and(|w| {
                matches!(w, "q1" | "q2" | "q3" | "q4" | "h1" | "h2" | "©")
                    || matches!(
                        timestamp::parse_date(&format!("{w} 1")),
                        Some(DatePart::MonthDay { .. })
                    )
            });
            if anywhere || dated_line || after_month {
                out.push(year);
            }
        }
    }
    out
}

/// `2017-12-08-tacc-power-outage` -> "Tacc power outage".
fn title_from_stem(stem: &str) -> String {
    let rest = if date_prefix(stem).is_some() {
        &stem[10..]
    } else {
        stem
    };
    let words: Vec<&str> = rest
        .split(|c: char| c == '-' || c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect();
    let joined = words.join(" ");
    let mut chars = joined.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => stem.to_string(),
    }
}

/// The text of the first section of a kind: paragraphs and top-level items.
fn section_text(outline: &Outline<'_>, kind: SectionKind) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    let mut len = 0;
    for section in outline.sections.iter().filter(|s| s.kind == kind) {
        for block in &section.blocks {
            let piece = match block {
                Block::Paragraph(p) => sentences::collapse(&p.text),
                Block::List(l) => l
                    .items
                    .iter()
                    .map(|i| sentences::collapse(&i.text))
                    .collect::<Vec<_>>()
                    .join("; "),
                Block::Quote(q) => q
                    .blocks
                    .iter()
                    .filter_map(|b| match b {
                        Block::Paragraph(p) => Some(sentences::collapse(&p.text)),
                        _ => None,
                    })
                    .collect::<Vec<_>>()
                    .join(" "),
                _ => continue,
            };
            if piece.is_empty() || is_unfilled(&piece) {
                continue;
            }
            len += piece.len();
            parts.push(piece);
            if len >= MAX_SECTION_TEXT {
                break;
            }
        }
        if !parts.is_empty() {
            break;
        }
    }
    (!parts.is_empty()).then(|| sentences::truncate(&parts.join("\n\n"), MAX_SECTION_TEXT))
}

/// Without a summary section, the first substantial paragraph stands in for one.
/// A template's prompt left as written: once its `{{ … }}` placeholders are taken out,
/// nothing but a label or punctuation remains ("{{ what happened }}", "Impact: {{ who }}").
fn is_unfilled(text: &str) -> bool {
    if !text.contains("{{") {
        return false;
    }
    let mut rest = String::new();
    let mut tail = text;
    while let Some(open) = tail.find("{{") {
        rest.push_str(&tail[..open]);
        tail = match tail[open..].find("}}") {
            Some(close) => &tail[open + close + 2..],
            None => "",
        };
    }
    rest.push_str(tail);
    rest.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count()
        <= 2
}

fn lead_paragraph(outline: &Outline<'_>) -> Option<String> {
    outline
        .sections
        .iter()
        .flat_map(|s| s.blocks.iter())
        .find_map(|b| match b {
            Block::Paragraph(p) if p.text.len() >= 80 && !is_unfilled(&p.text) => Some(
                sentences::truncate(&sentences::collapse(&p.text), MAX_SECTION_TEXT),
            ),
            _ => None,
        })
}

fn lessons(outline: &Outline<'_>) -> Vec<String> {
    let mut out = Vec::new();
    for section in outline
        .sections
        .iter()
        .filter(|s| s.kind == SectionKind::Lessons)
    {
        for block in &section.blocks {
            match block {
                Block::List(l) => out.extend(l.items.iter().map(|i| sentences::collapse(&i.text))),
                Block::Paragraph(p) => out.push(sentences::collapse(&p.text)),
                _ => {}
            }
        }
    }
    out.retain(|l| !l.is_empty());
    out
}

/// Links and ticket ids the document mentions, in order, without duplicates.
fn references(doc: &Document, outline: &Outline<'_>) -> Vec<Reference> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for link in &doc.links {
        if seen.insert(link.target.clone()) {
            out.push(Reference {
                target: link.target.clone(),
                line: link.line,
            });
        }
    }
    let mut add = |text: &str, line: u32| {
        for word in words_with_digits(text) {
            let w = word.trim_end_matches(['.', ':']);
            let is_reference = actions::is_ticket_id(w) || looks_like_incident_slug(w);
            if !w.starts_with('#') && is_reference && seen.insert(w.to_string()) {
                out.push(Reference {
                    target: w.to_string(),
                    line,
                });
            }
        }
    };
    if let Some(h) = outline.title {
        add(&h.text, h.line);
    }
    visit_texts(outline, &mut add);
    out
}

/// The words of `text` (split at spaces and at `()[],;|`) that hold an ASCII digit, in
/// order: every ticket id and incident slug has one, and most words have none, so only
/// the words around a digit are cut out.
fn words_with_digits(text: &str) -> impl Iterator<Item = &str> {
    let separator =
        |c: char| c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | ',' | ';' | '|');
    let mut from = 0;
    std::iter::from_fn(move || {
        let digit = from
            + text.as_bytes()[from..]
                .iter()
                .position(u8::is_ascii_digit)?;
        let start = text[..digit]
            .char_indices()
            .rev()
            .find(|&(_, c)| separator(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let end = text[digit..]
            .char_indices()
            .find(|&(_, c)| separator(c))
            .map_or(text.len(), |(i, _)| digit + i);
        from = end;
        Some(&text[start..end])
    })
}

/// `2019-06-26-darkmyst-services-outage`: how postmortem files are named, so a mention
/// of one in the text is a reference to that incident.
fn looks_like_incident_slug(word: &str) -> bool {
    let b = word.as_bytes();
    word.len() > 12
        && word.len() <= 120
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && b[10] == b'-'
        && word[11..]
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && word[11..].chars().any(|c| c.is_ascii_lowercase())
}

/// Calls `f` with every text of the outline (headings, paragraphs, items, cells) and
/// its line; code is skipped.
fn visit_texts(outline: &Outline<'_>, f: &mut dyn FnMut(&str, u32)) {
    visit_texts_of(outline, &|_| true, f);
}

/// `visit_texts` over the sections `keep` accepts.
fn visit_texts_of(
    outline: &Outline<'_>,
    keep: &dyn Fn(&sections::Section<'_>) -> bool,
    f: &mut dyn FnMut(&str, u32),
) {
    fn block(b: &Block, f: &mut dyn FnMut(&str, u32)) {
        match b {
            Block::Heading(h) => f(&h.text, h.line),
            Block::Paragraph(p) => f(&p.text, p.line),
            Block::List(l) => {
                for item in &l.items {
                    f(&item.text, item.line);
                    for c in &item.children {
                        block(c, f);
                    }
                }
            }
            Block::Table(t) => {
                for r in &t.rows {
                    for c in &r.cells {
                        f(c, r.line);
                    }
                }
            }
            Block::Quote(q) => {
                for b in &q.blocks {
                    block(b, f);
                }
            }
            Block::Code(_) => {}
        }
    }
    for section in outline.sections.iter().filter(|s| keep(s)) {
        if let Some(h) = section.heading {
            f(&h.text, h.line);
        }
        for b in &section.blocks {
            block(b, f);
        }
    }
}

fn dedup_case_insensitive(items: &mut Vec<String>) {
    let mut seen = HashSet::new();
    items.retain(|s| !s.trim().is_empty() && seen.insert(s.to_lowercase()));
}

fn dedup_warnings(warnings: Vec<Warning>) -> Vec<Warning> {
    let mut seen = HashSet::new();
    warnings
        .into_iter()
        .filter(|w| seen.insert((w.line, w.message.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Days written without a year take the year the document states elsewhere: in the
    /// title, after a month, in a footer. Several years are told apart by the weekday
    /// written beside the day; with no year written, nothing is dated.
    #[test]
    fn days_without_a_year_take_the_year_the_document_states_elsewhere() {
        let ats = |src: &str| -> Vec<String> {
            let i = extract(&crate::ingest::text::parse(src), "t.txt", "t");
            i.timeline.iter().map(|e| e.at.to_at_string()).collect()
        };
        let updates = "\n\nResolved - Fixed.\nMar 7, 16:05 UTC\n\nInvestigating - Errors.\nMar 7, 14:32 UTC\n";
        assert_eq!(
            ats(&format!(
                "DB failover - Thursday March 7{updates}\nPosted by the status team, 2024.\n"
            )),
            ["2024-03-07T14:32Z", "2024-03-07T16:05Z"]
        );
        assert_eq!(
            ats(&format!("Incident review (March 2023){updates}")),
            ["2023-03-07T14:32Z", "2023-03-07T16:05Z"]
        );
        // 2023 and 2024 are both written; March 7 was a Thursday only in 2024.
        assert_eq!(
            ats(&format!(
                "DB failover - Thursday March 7{updates}\nCopyright 2023, updated 2024.\n"
            )),
            ["2024-03-07T14:32Z", "2024-03-07T16:05Z"]
        );
        assert!(ats(&format!("DB failover - Thursday March 7{updates}")).is_empty());
        // A number in the text is no year: only titles, months and publication lines
        // state one.
        assert!(
            ats(&format!(
                "DB failover{updates}\nThe pool held 2048 connections.\n"
            ))
            .is_empty()
        );
    }

    #[test]
    fn only_words_with_a_digit_are_cut_out_for_references() {
        let words: Vec<&str> =
            words_with_digits("See INC-42, (JIRA-7) and\u{a0}#12|x9 but not this; 2019-06-26-a.")
                .collect();
        assert_eq!(words, ["INC-42", "JIRA-7", "#12", "x9", "2019-06-26-a."]);
        assert_eq!(words_with_digits("no digits here").count(), 0);
        assert_eq!(words_with_digits("İ K 7").collect::<Vec<_>>(), ["7"]);
    }

    #[test]
    fn an_e_mail_subject_line_loses_what_belongs_to_the_mail() {
        assert_eq!(
            email_subject("Subject: [Incident report] Search outage on 3 April").as_deref(),
            Some("Search outage on 3 April")
        );
        assert_eq!(
            email_subject("RE: Fwd: Checkout errors").as_deref(),
            Some("Checkout errors")
        );
        assert_eq!(
            email_subject("Re: [Postmortem] Queue backlog in eu-west").as_deref(),
            Some("Queue backlog in eu-west")
        );
        assert_eq!(email_subject("[Postmortem] Queue backlog in eu-west"), None);
        // A date in brackets is the start date's; a plain title is left alone.
        assert_eq!(email_subject("[2024-03-03] Queue backlog"), None);
        assert_eq!(email_subject("Queue backlog: the retry storm"), None);
        assert_eq!(email_subject("[WIP]"), None);
    }

    #[test]
    fn a_prompt_left_in_its_placeholders_is_not_content() {
        assert!(is_unfilled(
            "{{ what happened, for how long, and how it ended }}"
        ));
        assert!(is_unfilled("Impact: {{ who was affected }}"));
        assert!(!is_unfilled(
            "Checkout failed for 40 minutes; see {{ link }} for the graphs."
        ));
        assert!(!is_unfilled("No braces here"));
    }

    #[test]
    fn slugs_mentioned_in_text_are_references() {
        assert!(looks_like_incident_slug(
            "2019-06-26-darkmyst-services-outage"
        ));
        assert!(!looks_like_incident_slug("2019-06-26"));
        assert!(!looks_like_incident_slug("2019-06-26-12"));
        assert!(!looks_like_incident_slug("2019-06-26-Darkmyst"));
    }

    #[test]
    fn titles_fall_back_to_the_file_name_without_its_date() {
        assert_eq!(
            title_from_stem("2022-12-06-auxtel-network-failure"),
            "Auxtel network failure"
        );
        assert_eq!(title_from_stem("db_outage"), "Db outage");
    }

    #[test]
    fn file_name_dates_are_read() {
        assert_eq!(
            date_prefix("2017-12-08-x"),
            Some(jiff::civil::date(2017, 12, 8))
        );
        assert_eq!(date_prefix("2017-13-08-x"), None);
        assert_eq!(date_prefix("notes"), None);
    }

    #[test]
    fn a_bracketed_date_before_the_title_goes_to_the_start_date() {
        assert_eq!(
            strip_date_prefix("[2021-11-02] Slow uploads for the photo service"),
            "Slow uploads for the photo service"
        );
        assert_eq!(
            strip_date_prefix("(Nov 2, 2021) Slow uploads"),
            "Slow uploads"
        );
        assert_eq!(strip_date_prefix("[2021-11-02]"), "[2021-11-02]");
        assert_eq!(
            strip_date_prefix("[2021-11-02 draft] Slow uploads"),
            "[2021-11-02 draft] Slow uploads"
        );
    }

    #[test]
    fn a_first_line_of_running_text_is_not_the_title() {
        let doc = crate::ingest::text::parse(
            "Uploads to the photo service failed for an hour. Nobody lost data. This note \
             explains why.\n\nTimeline\n\n- 2021-11-02 10:00 Uploads failed\n",
        );
        let i = extract(&doc, "photo-upload-failures.txt", "photo-upload-failures");
        assert_eq!(i.title, "Photo upload failures");
        assert!(!is_running_text("Slow uploads for the photo service"));
        assert!(!is_running_text("Outage of the photo service. Again."));
    }

    #[test]
    fn the_start_is_when_impact_began_not_when_the_cause_was_introduced() {
        let doc = crate::ingest::markdown::parse(
            "# Photo uploads failing\n\n## Timeline\n\n- 2021-10-12 16:40 Resize bug introduced in release 7.1\n- 2021-11-02 09:05 Uploads began failing\n- 2021-11-02 10:30 Release 7.1 rolled back\n",
        );
        let i = extract(&doc, "t.md", "t");
        assert_eq!(i.started, Some(jiff::civil::date(2021, 11, 2)));
        assert_eq!(i.timeline.len(), 3);
        // A change the same day is how the incident began.
        let doc = crate::ingest::markdown::parse(
            "# Photo uploads failing\n\n## Timeline\n\n- 2021-11-02 08:55 Release 7.1 deployed\n- 2021-11-02 09:05 Uploads began failing\n",
        );
        let i = extract(&doc, "t.md", "t");
        assert_eq!(i.started, Some(jiff::civil::date(2021, 11, 2)));
        let doc = crate::ingest::markdown::parse(
            "# Photo uploads failing\n\n## Timeline\n\n- 2021-10-30 08:55 Uploads slowed down\n- 2021-11-02 09:05 Uploads began failing\n",
        );
        let i = extract(&doc, "t.md", "t");
        assert_eq!(i.started, Some(jiff::civil::date(2021, 10, 30)));
    }

    #[test]
    fn a_day_range_in_a_title_gives_its_first_day() {
        assert_eq!(
            day_range_date("After Action Report 26-27 June 2019 Outages"),
            Some(jiff::civil::date(2019, 6, 26))
        );
    }
}
