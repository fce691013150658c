//! Events told in running text: sentences with an explicit time ("At 14:05 UTC on
//! March 3 we ..."), and, when a document has no timeline at all, sentences with an
//! explicit full date ("On 31st July 2018 a researcher reported ...") and headings
//! that date what is told below them ("What happened on 17th June 2019").
//!
//! Not events: metadata fields ("Incident date: ...", "Time: 00:50 UTC"), windows
//! ("down from 01:05 to 15:55"), announcements of the future ("next update at 17:00"),
//! log lines, and sentences that are nothing but their timestamp.

use super::super::sections::SectionKind;
use super::super::sentences;
use super::super::timestamp::{DatePart, Found};
use super::layout::{Candidate, MAX_ENTRY_TEXT, Source};
use super::units::{Role, Units};
use std::collections::HashSet;

/// Sentences with a timestamp, outside the parts that talk about the future (actions,
/// lessons). `dated` also takes sentences with only a full date, and dated headings.
pub(super) fn narrative(
    units: &Units,
    consumed: &HashSet<usize>,
    skip_lines: &HashSet<u32>,
    taken: &HashSet<(usize, usize)>,
    dated: bool,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    let list = &units.list;
    for (index, unit) in list.iter().enumerate() {
        if consumed.contains(&index)
            || matches!(unit.kind, SectionKind::Actions | SectionKind::Lessons)
            || matches!(unit.role, Role::Row { .. })
            || unit.founds.is_empty()
        {
            continue;
        }
        if let Role::Heading(_) = unit.role {
            if dated && let Some(c) = dated_heading(units, index, consumed) {
                out.push(c);
            }
            continue;
        }
        for (offset, sentence) in sentences::split(&unit.text) {
            let end = offset + sentence.len();
            if announces_future(sentence) {
                continue;
            }
            let in_sentence: Vec<&Found> = unit
                .founds
                .iter()
                .filter(|f| f.start >= offset && f.start < end)
                .collect();
            let window = is_window(sentence, &in_sentence, offset);
            let timed = in_sentence.iter().any(|f| f.time.is_some());
            for f in &in_sentence {
                let line = sentences::line_at(&unit.text, unit.line, f.start);
                let eligible = match (f.time, f.date) {
                    (Some(_), _) => true,
                    // A full date alone, only without a timeline and without a time
                    // in the same sentence.
                    (None, Some(DatePart::Full(_))) => dated && !timed,
                    _ => false,
                };
                if !eligible
                    || is_metadata(line_around(&unit.text, f.start))
                    || window
                    || f.range
                    || skip_lines.contains(&line)
                    || taken.contains(&(index, f.start))
                    || is_log_stamp(&unit.text, f)
                    || is_byline(&unit.text, f)
                    || !tells_an_event(sentence, f.start - offset, f.end.min(end) - offset)
                {
                    continue;
                }
                out.push(Candidate {
                    unit: index,
                    found: (*f).clone(),
                    text: sentences::truncate(&sentences::collapse(sentence), MAX_ENTRY_TEXT),
                    line,
                    source: Source::Narrative,
                    rule: if f.time.is_some() {
                        "narrative: a sentence with its time".into()
                    } else {
                        "narrative: a sentence with its date (no timeline in the document)".into()
                    },
                });
                // One entry per sentence and date: "On 2019-06-26 at 01:21 ..." once.
                if f.time.is_none() {
                    break;
                }
            }
        }
    }
    out
}

/// "What happened on 17th June 2019": a heading that dates what is told below it is a
/// day entry with the first sentence of its text.
fn dated_heading(units: &Units, index: usize, consumed: &HashSet<usize>) -> Option<Candidate> {
    let unit = &units.list[index];
    let found = unit.founds.first()?;
    if !matches!(found.date, Some(DatePart::Full(_))) || found.time.is_some() || found.range {
        return None;
    }
    // A heading with words besides its date ("What happened on ..."), not a dateline.
    let words = unit.text[..found.start]
        .split_whitespace()
        .chain(unit.text[found.end..].split_whitespace())
        .count();
    if words < 2 || is_metadata(&unit.text) {
        return None;
    }
    let body = units
        .list
        .iter()
        .enumerate()
        .skip(index + 1)
        .take_while(|(_, u)| u.section == unit.section)
        .find(|(i, u)| !consumed.contains(i) && matches!(u.role, Role::Paragraph | Role::Item))
        .and_then(|(_, u)| {
            sentences::split(&u.text)
                .first()
                .map(|(_, s)| s.to_string())
        })?;
    Some(Candidate {
        unit: index,
        found: found.clone(),
        text: sentences::truncate(
            &format!("{}: {}", unit.text.trim(), sentences::collapse(&body)),
            MAX_ENTRY_TEXT,
        ),
        line: unit.line,
        source: Source::Narrative,
        rule: "narrative: a heading that dates the text below it".into(),
    })
}

/// Labels of report metadata: "Date:", "Incident date:", "Time:", "Impact window:".
const METADATA_LABELS: &[&str] = &[
    "date",
    "time",
    "dates",
    "incident date",
    "incident dates",
    "incident date(s)",
    "date of incident",
    "date of the incident",
    "impact window",
    "impact period",
    "duration",
    "start time",
    "end time",
    "start",
    "end",
    "started",
    "ended",
    "detected",
    "resolved",
    "reported",
    "published",
    "last updated",
    "updated",
    "posted",
    "report date",
    "date/time of resolution",
    "date/time of discovery",
];

/// A metadata field ("Incident Date: 11 December 2025", "Time: 00:50:10 UTC"): it
/// describes the report, it is not an event told by it.
pub(super) fn is_metadata(sentence: &str) -> bool {
    let Some((label, _)) = sentence.split_once(':') else {
        return false;
    };
    let label = label
        .trim()
        .trim_matches(['*', '_', '#', '-', '•', ' '])
        .to_ascii_lowercase();
    label.len() <= 32 && METADATA_LABELS.contains(&label.as_str())
}

/// "We will post another update at 17:00", "next update by 18:30 UTC": the future.
fn announces_future(sentence: &str) -> bool {
    let lower = sentence.to_ascii_lowercase();
    [
        "next update",
        "another update",
        "other update",
        "further update",
        "will provide",
        "will post",
        "will update",
        "will be updated",
        "will follow",
        "is scheduled",
        "are scheduled",
        "expected to",
        "we expect",
    ]
    .iter()
    .any(|p| lower.contains(p))
}

/// "Services were down from 01:05 to 15:55", "between 8:00 and 8:30", "Incident began
/// at 18:31 and ended at 19:55": a window, which says how long, not what happened.
fn is_window(sentence: &str, founds: &[&Found], offset: usize) -> bool {
    let timed: Vec<&&Found> = founds.iter().filter(|f| f.time.is_some()).collect();
    if let [only] = timed.as_slice() {
        return only.range;
    }
    if timed.len() < 2 {
        return false;
    }
    let between = sentence
        .get(timed[0].end - offset..timed[1].start - offset)
        .unwrap_or("")
        .to_ascii_lowercase();
    let before = sentence
        .get(..timed[0].start - offset)
        .unwrap_or("")
        .to_ascii_lowercase();
    let joins = ["and", "to", "until", "till", "through", "-", "–"]
        .iter()
        .any(|w| between.split_whitespace().any(|b| b == *w) || between.trim() == *w);
    let opens = ["from", "between", "began", "begun", "started", "since"]
        .iter()
        .any(|w| before.split_whitespace().rev().take(4).any(|b| b == *w));
    joins && opens && between.split_whitespace().count() <= 6
}

/// The line of `text` holding byte `pos`.
fn line_around(text: &str, pos: usize) -> &str {
    let start = text[..pos].rfind('\n').map_or(0, |i| i + 1);
    let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
    &text[start..end]
}

/// `[26/06/2019 15:08:36] message` is a pasted log line, not an event.
fn is_log_stamp(text: &str, f: &Found) -> bool {
    text[..f.start].trim_end().ends_with('[') && text[f.end..].trim_start().starts_with(']')
}

/// "Published on 2 March 2020", "Last updated: ...", "Posted on ... by ...": when the
/// text was written.
fn is_byline(text: &str, f: &Found) -> bool {
    let head = text[..f.start].trim_end().to_ascii_lowercase();
    let tail = text[f.end..].trim_start();
    [
        "published",
        "published on",
        "posted on",
        "updated",
        "last updated",
        "updated on",
    ]
    .iter()
    .any(|w| head.ends_with(w))
        || (head.ends_with("posted") && tail.starts_with("by "))
}

/// Whether a sentence says something besides its timestamp (at `start..end`): "At 1239
/// UTC, a" (a sentence cut short in the document) names a moment but no event.
pub(super) fn tells_an_event(sentence: &str, start: usize, end: usize) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::timestamp::find;

    #[test]
    fn windows_are_not_events() {
        for s in [
            "Services were down from 0105 UTC to 1555 UTC.",
            "Incident began at 2020-12-09 18:31 and ended at 2020-12-09 19:55.",
            "The queue was stuck between 08:00 and 08:30 UTC.",
        ] {
            let founds = find(s);
            let refs: Vec<&Found> = founds.iter().collect();
            assert!(is_window(s, &refs, 0), "{s}");
        }
        let s = "At 08:00 the pager fired and at 08:30 we rolled back.";
        let founds = find(s);
        let refs: Vec<&Found> = founds.iter().collect();
        assert!(!is_window(s, &refs, 0));
    }

    #[test]
    fn metadata_fields_and_announcements_are_not_events() {
        assert!(is_metadata("Incident Date: 11 December 2025"));
        assert!(is_metadata("**Time:** 00:50:10 UTC"));
        assert!(!is_metadata("Outage: the database fell over at 14:05"));
        assert!(announces_future(
            "We will provide another update at 17:30 UTC."
        ));
        assert!(!announces_future("At 17:30 UTC the fix was deployed."));
    }
}
