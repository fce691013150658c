//! When an incident started, was detected and was resolved: the one rule, used by the
//! incident page's header block and by `/insights` (through the figures stored in
//! `db::insights`).
//!
//! The start is the earliest timed entry. Detection is the first later entry whose text
//! says so ([`DETECTED`]), resolution the first entry after that whose text says so
//! ([`RESOLVED`], strongest words first). A document overrides either with
//! `detected:` / `resolved:` in its front matter (read by [`stated`]).
//!
//! Invariant: pure; a time is never guessed: a stated time is used only on a clock of
//! its own kind (a time with a zone on a zoned timeline, a time without one on a wall
//! clock), and figures come only from incidents whose timed entries share one clock.

use super::timeline::{Clock, Placed, wall_seconds};
use crate::db::browse::TimelineRow;
use crate::db::insights::{Figures, Measure};

/// Words in an entry that mark when the problem was noticed.
pub const DETECTED: &[&str] = &[
    "detect",
    "alert",
    "notic",
    "notified",
    "report",
    "paged",
    "aware",
    "identified",
];
/// Words in an entry that mark when the problem was fixed, strongest first: an entry
/// saying "resolved" beats an earlier one saying "restoring".
pub const RESOLVED: &[&[&str]] = &[
    &[
        "resolv",
        "all clear",
        "back to normal",
        "fixed",
        "fully operational",
        "closed",
    ],
    &["restor", "recover", "mitigat", "operational"],
];

/// The rule in words, as the incident page and `/insights` show it.
pub const RULE: &str = "Start: the earliest timed entry. Detected: the first later entry that \
     says detect, alert, notice, notified, report, paged, aware or identified. Resolved: the \
     first entry from then on that says resolved, all clear, back to normal, fixed, fully \
     operational or closed, else restored, recovered, mitigated or operational. A document \
     overrides either with detected: or resolved: in its front matter \
     (detected: 2024-03-03T14:05Z).";

/// Where a detection or resolution time was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// A timeline entry (index into the timeline).
    Entry(usize),
    /// The front matter's `detected:` or `resolved:`, placed on the timeline's clock.
    Stated(Placed),
}

/// The entries an incident's start, detection, resolution and last event are read
/// from.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Milestones {
    pub start: Option<usize>,
    pub detected: Option<Mark>,
    pub resolved: Option<Mark>,
    pub last: Option<usize>,
    /// Why a front matter time was not used, when one was given and left out.
    pub ignored: Vec<String>,
}

impl Milestones {
    /// The index of the entry detection was read from, when it was an entry.
    pub fn detected_entry(&self) -> Option<usize> {
        match self.detected {
            Some(Mark::Entry(i)) => Some(i),
            _ => None,
        }
    }

    /// The index of the entry resolution was read from, when it was an entry.
    pub fn resolved_entry(&self) -> Option<usize> {
        match self.resolved {
            Some(Mark::Entry(i)) => Some(i),
            _ => None,
        }
    }
}

/// The `detected:` and `resolved:` values of a document's front matter, as written.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stated {
    pub detected: Option<String>,
    pub resolved: Option<String>,
}

/// Reads `detected:` and `resolved:` from the front matter at the top of `source`
/// (YAML between `---` lines or TOML between `+++` lines, `key: value` or
/// `key = "value"`). Only these two keys are read here: the import's front matter
/// reader (`ingest::frontmatter`) stores what it extracts, and these two values are
/// not among the stored fields, so the page reads them from the stored source.
pub fn stated(source: &str) -> Stated {
    let mut out = Stated::default();
    let mut lines = source.lines();
    let fence = match lines.next().map(str::trim_end) {
        Some(f @ ("---" | "+++")) => f,
        _ => return out,
    };
    for line in lines.take(200) {
        let line = line.trim_end();
        if line == fence || (fence == "---" && line == "...") {
            return out;
        }
        let Some((key, value)) = line.split_once([':', '=']) else {
            continue;
        };
        let value = value
            .trim()
            .trim_matches(|c| c == '"' || c == '\'')
            .trim()
            .to_string();
        if value.is_empty() {
            continue;
        }
        match key.trim().to_ascii_lowercase().as_str() {
            "detected" | "detected_at" => out.detected = Some(value),
            "resolved" | "resolved_at" => out.resolved = Some(value),
            _ => {}
        }
    }
    // No closing fence: not front matter.
    Stated::default()
}

/// A stated time placed on the timeline's clock, or why it cannot be.
fn place_stated(value: &str, clock: &Clock) -> Result<Placed, String> {
    let timed = |seconds| Placed {
        seconds,
        day_only: false,
    };
    let text = value.replace(' ', "T");
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return match clock {
            Clock::Zoned(offset) => Ok(timed(t.as_second() + i64::from(*offset))),
            Clock::Wall => Err(format!(
                "{value} states a zone but the timeline's times have none, so it was not used"
            )),
        };
    }
    match (wall_seconds(&text), clock) {
        (Some(s), Clock::Wall) if text.len() > 10 => Ok(timed(s)),
        (Some(_), Clock::Zoned(_)) if text.len() > 10 => Err(format!(
            "{value} states no zone but the timeline's times have one, so it was not used"
        )),
        _ => Err(format!(
            "{value} is not a date and time, so it was not used"
        )),
    }
}

/// Where the incident started (its earliest timed entry), was detected and resolved
/// (the front matter's statement, else the first later entry whose text says so, by
/// the words in [`DETECTED`] and [`RESOLVED`]) and its last entry.
pub fn milestones(
    rows: &[TimelineRow],
    clock: &Clock,
    placed: &[Option<Placed>],
    stated: &Stated,
) -> Milestones {
    let timed = |i: usize| placed[i].filter(|p| !p.day_only);
    let at = |i: usize| timed(i).map(|p| p.seconds);
    let indices = || (0..rows.len()).filter(|&i| timed(i).is_some());
    let start = indices().min_by_key(|&i| (at(i), i));
    let last = indices().max_by_key(|&i| (at(i), std::cmp::Reverse(i)));
    let Some(first) = start.and_then(at) else {
        return Milestones::default();
    };
    let mut ignored = Vec::new();
    let mut from_front_matter = |key: &str, value: &Option<String>| -> Option<Placed> {
        match place_stated(value.as_deref()?, clock) {
            Ok(p) if p.seconds >= first => Some(p),
            Ok(_) => {
                ignored.push(format!(
                    "{key}: {} is before the first timed entry, so it was not used",
                    value.as_deref().unwrap_or_default()
                ));
                None
            }
            Err(why) => {
                ignored.push(format!("{key}: {why}"));
                None
            }
        }
    };
    let stated_detected = from_front_matter("detected", &stated.detected);
    let stated_resolved = from_front_matter("resolved", &stated.resolved);
    let says = |i: usize, words: &[&str]| {
        let text = rows[i].text.to_lowercase();
        words.iter().any(|w| text.contains(w))
    };
    let detected = match stated_detected {
        Some(p) => Some(Mark::Stated(p)),
        None => indices()
            .find(|&i| at(i) > Some(first) && says(i, DETECTED))
            .map(Mark::Entry),
    };
    let after_detection = match detected {
        Some(Mark::Stated(p)) => p.seconds,
        Some(Mark::Entry(i)) => at(i).unwrap_or(first),
        None => first,
    };
    let resolved = match stated_resolved {
        Some(p) => Some(Mark::Stated(p)),
        None => RESOLVED
            .iter()
            .find_map(|words| {
                indices().find(|&i| {
                    at(i) > Some(first) && at(i) >= Some(after_detection) && says(i, words)
                })
            })
            .map(Mark::Entry),
    };
    Milestones {
        start,
        detected,
        resolved,
        last,
        ignored,
    }
}

impl Mark {
    /// The mark's place on the clock.
    pub fn placed(self, placed: &[Option<Placed>]) -> Option<Placed> {
        match self {
            Mark::Entry(i) => placed.get(i).copied().flatten(),
            Mark::Stated(p) => Some(p),
        }
    }
}

/// An incident's times to detect and resolve and its impact duration, each with why it
/// is missing when it is. Impact runs from the start to the resolution, or to the last
/// timed entry when no entry says it was resolved (as the page's impact window does).
pub fn figures(rows: &[TimelineRow], source: Option<&str>) -> Figures {
    let (clock, placed) = super::timeline::place(rows);
    let timed: Vec<&TimelineRow> = rows.iter().filter(|r| r.precision != "day").collect();
    if timed.is_empty() {
        let why = Measure::Missing("no timeline entry has a time of day".into());
        return Figures {
            detect: why.clone(),
            resolve: why.clone(),
            impact: why,
        };
    }
    if clock == Clock::Wall && timed.iter().any(|r| r.utc_seconds.is_some()) {
        let why =
            Measure::Missing("its timeline mixes times with a zone and times without one".into());
        return Figures {
            detect: why.clone(),
            resolve: why.clone(),
            impact: why,
        };
    }
    let stated = source.map(stated).unwrap_or_default();
    let m = milestones(rows, &clock, &placed, &stated);
    let start = m.start.and_then(|i| placed[i]).map(|p| p.seconds);
    let since_start =
        |mark: Option<Mark>, missing: &str| match (start, mark.and_then(|k| k.placed(&placed))) {
            (Some(s), Some(e)) => Measure::Seconds(e.seconds - s),
            _ => Measure::Missing(missing.into()),
        };
    let detect = since_start(m.detected, "no entry says when it was detected");
    let resolve = since_start(m.resolved, "no entry says when it was resolved");
    let end = m.resolved.or(m.last.map(Mark::Entry));
    let impact = match since_start(end, "no timed entry") {
        Measure::Seconds(0) => Measure::Missing("only one time in its timeline".into()),
        other => other,
    };
    Figures {
        detect,
        resolve,
        impact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(wall: &str, utc: Option<i64>, text: &str) -> TimelineRow {
        TimelineRow {
            utc_seconds: utc,
            wall_time: wall.into(),
            utc_offset: utc.map(|_| 0),
            precision: "minute".into(),
            source_text: wall.into(),
            text: text.into(),
            rule: String::new(),
            line: 1,
        }
    }

    #[test]
    fn front_matter_times_are_read_only_inside_the_fences() {
        let s = stated(
            "---\ntitle: x\ndetected: \"2024-03-03T14:05Z\"\nresolved: 2024-03-03 15:00\n---\nbody",
        );
        assert_eq!(s.detected.as_deref(), Some("2024-03-03T14:05Z"));
        assert_eq!(s.resolved.as_deref(), Some("2024-03-03 15:00"));
        assert_eq!(stated("detected: 2024-03-03T14:05Z\n"), Stated::default());
        assert_eq!(
            stated("---\ndetected: 2024-03-03T14:05Z\n"),
            Stated::default()
        );
    }

    #[test]
    fn words_pick_detection_and_resolution_and_front_matter_overrides_them() {
        let t = |m: i64| 1_699_999_980 + m * 60;
        let rows = vec![
            row("2023-11-14T22:13", Some(t(0)), "Errors begin"),
            row("2023-11-14T22:23", Some(t(10)), "Alert fires"),
            row("2023-11-14T22:43", Some(t(30)), "Service restored"),
        ];
        let f = figures(&rows, None);
        assert_eq!(f.detect, Measure::Seconds(600));
        assert_eq!(f.resolve, Measure::Seconds(1800));
        assert_eq!(f.impact, Measure::Seconds(1800));
        let source = "---\ndetected: 2023-11-14T22:18Z\n---\n";
        let f = figures(&rows, Some(source));
        assert_eq!(f.detect, Measure::Seconds(300));
    }

    #[test]
    fn mixed_clocks_give_no_figures() {
        let rows = vec![
            row("2023-11-14T22:13", Some(1_700_000_000), "Errors begin"),
            row("2023-11-14T22:23", None, "Alert fires"),
        ];
        assert!(matches!(figures(&rows, None).detect, Measure::Missing(_)));
    }
}
