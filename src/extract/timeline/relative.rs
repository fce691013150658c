//! Times told relative to a stated start: "T+00:15 Failover began" once the document
//! says when T0 was ("All times are relative to T0 = 2024-03-03 14:00 UTC"). Each
//! relative time becomes an ordinary timestamp (the start's date, time and zone plus the
//! offset), so the layout and resolution rules treat it like any written time.
//!
//! Invariant: without a stated start that has a full date and a time, relative times
//! stay unread; the start itself is not an event.

use super::super::sentences;
use super::super::timestamp::{DatePart, Found, TimeOfDay, ZoneMention};
use super::units::Units;
use jiff::civil::{Date, DateTime};

/// Longest offset read, in minutes (a week): longer ones are not timeline offsets.
const MAX_OFFSET_MINUTES: i64 = 7 * 24 * 60;

/// Where T0 is: its wall time and zone, and the sentence that states it (unit and
/// byte range), whose own "T+00:00" is not an entry.
struct Zero {
    at: DateTime,
    zone: Option<ZoneMention>,
    stated_in: (usize, usize, usize),
}

/// Finds the stated start and turns every relative time into a timestamp of its unit.
pub(super) fn apply(units: &mut Units) {
    let Some(zero) = find_zero(units) else {
        return;
    };
    for (index, unit) in units.list.iter_mut().enumerate() {
        let mut added = Vec::new();
        for (start, end, minutes) in relative_marks(&unit.text) {
            let (zero_unit, from, to) = zero.stated_in;
            let overlaps = unit.founds.iter().any(|f| f.start < end && start < f.end);
            if overlaps || (index == zero_unit && (from..to).contains(&start)) {
                continue;
            }
            let Ok(at) = zero.at.checked_add(jiff::Span::new().minutes(minutes)) else {
                continue;
            };
            added.push(Found {
                start,
                end,
                date: Some(DatePart::Full(at.date())),
                time: Some(TimeOfDay {
                    hour: at.hour(),
                    minute: at.minute(),
                    second: None,
                    meridiem: false,
                }),
                zone: zero.zone.clone(),
                weekday: None,
                approximate: false,
                range: false,
                bare: false,
            });
        }
        if !added.is_empty() {
            unit.founds.extend(added);
            unit.founds.sort_by_key(|f| f.start);
        }
    }
}

/// The first sentence that marks T0 ("T0 =", "T+00:00 is") beside a timestamp with a
/// full date and a time. That timestamp is the zero, not an event: it is removed from
/// its unit.
fn find_zero(units: &mut Units) -> Option<Zero> {
    for (index, unit) in units.list.iter_mut().enumerate() {
        if !unit.text.contains('T') {
            continue;
        }
        for (offset, sentence) in sentences::split(&unit.text) {
            let marks_zero =
                relative_marks(sentence).iter().any(|(.., m)| *m == 0) || zero_word(sentence);
            if !marks_zero {
                continue;
            }
            let end = offset + sentence.len();
            let Some(pos) = unit.founds.iter().position(|f| {
                f.start >= offset
                    && f.start < end
                    && f.time.is_some()
                    && matches!(f.date, Some(DatePart::Full(_)))
            }) else {
                continue;
            };
            let f = unit.founds.remove(pos);
            let (Some(DatePart::Full(date)), Some(t)) = (f.date, f.time) else {
                continue;
            };
            let at = date_time(date, t)?;
            return Some(Zero {
                at,
                zone: f.zone,
                stated_in: (index, offset, end),
            });
        }
    }
    None
}

fn date_time(date: Date, t: TimeOfDay) -> Option<DateTime> {
    let time = jiff::civil::Time::new(t.hour, t.minute, t.second.unwrap_or(0), 0).ok()?;
    Some(date.to_datetime(time))
}

/// "T0", "T = 0", "T=0" as a word: the name of the zero.
fn zero_word(sentence: &str) -> bool {
    let b = sentence.as_bytes();
    (0..b.len()).any(|i| {
        if b[i] != b'T' || (i > 0 && b[i - 1].is_ascii_alphanumeric()) {
            return false;
        }
        let rest = sentence[i + 1..].trim_start_matches(' ');
        let rest = rest
            .strip_prefix('=')
            .map_or(rest, |r| r.trim_start_matches(' '));
        rest.starts_with('0') && !rest[1..].starts_with(|c: char| c.is_ascii_alphanumeric())
    })
}

/// Relative times in a text: `T+00:15`, `T+1:05`, `T-00:10`, `T+15m`, `T+15min`,
/// `T+2h`, `T+1h30m`, each with its span and offset in minutes.
fn relative_marks(text: &str) -> Vec<(usize, usize, i64)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i + 2 < b.len() {
        let at_word_start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if !(b[i] == b'T' && matches!(b[i + 1], b'+' | b'-') && at_word_start) {
            i += 1;
            continue;
        }
        let sign = if b[i + 1] == b'-' { -1 } else { 1 };
        match offset_at(b, i + 2) {
            Some((end, minutes)) if minutes <= MAX_OFFSET_MINUTES => {
                out.push((i, end, sign * minutes));
                i = end;
            }
            _ => i += 2,
        }
    }
    out
}

/// Reads `HH:MM`, `Nm`, `Nmin`, `Nh`, `NhMMm` at `i`: where it ends and the minutes.
fn offset_at(b: &[u8], i: usize) -> Option<(usize, i64)> {
    let number = |from: usize| -> Option<(usize, i64)> {
        let len = b[from..]
            .iter()
            .take(4)
            .take_while(|c| c.is_ascii_digit())
            .count();
        if len == 0 || b.get(from + len).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        let value = std::str::from_utf8(&b[from..from + len])
            .ok()?
            .parse()
            .ok()?;
        Some((from + len, value))
    };
    let word_ends = |e: usize| !b.get(e).is_some_and(u8::is_ascii_alphanumeric);
    let (e, first) = number(i)?;
    match b.get(e) {
        Some(b':') => {
            let (e2, minutes) = number(e + 1)?;
            (e2 - e == 3 && minutes < 60 && word_ends(e2)).then_some((e2, first * 60 + minutes))
        }
        Some(b'h') => {
            let after_h = e + 1;
            if word_ends(after_h) {
                return Some((after_h, first * 60));
            }
            let (e2, minutes) = number(after_h)?;
            let e3 = unit_end(b, e2, &["min", "m"])?;
            (minutes < 60).then_some((e3, first * 60 + minutes))
        }
        _ => {
            let e2 = unit_end(b, e, &["min", "m"])?;
            Some((e2, first))
        }
    }
}

/// The end of one of `units` written at `i`, when the word ends there.
fn unit_end(b: &[u8], i: usize, units: &[&str]) -> Option<usize> {
    units.iter().find_map(|u| {
        let e = i + u.len();
        (b.get(i..e) == Some(u.as_bytes()) && !b.get(e).is_some_and(u8::is_ascii_alphanumeric))
            .then_some(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times_are_read_in_their_usual_spellings() {
        let minutes =
            |t: &str| -> Vec<i64> { relative_marks(t).into_iter().map(|(.., m)| m).collect() };
        assert_eq!(minutes("T+00:15 Failover began"), [15]);
        assert_eq!(minutes("- T+1:05 Rolled back"), [65]);
        assert_eq!(minutes("T-00:10 Config pushed"), [-10]);
        assert_eq!(
            minutes("T+45m paged, T+2h escalated, T+1h30m fixed"),
            [45, 120, 90]
        );
        assert_eq!(minutes("T+15min the cache was cold"), [15]);
        // Not relative times: words and identifiers that happen to hold "T+".
        assert!(minutes("AT+00:15").is_empty());
        assert!(minutes("T+00:7 x").is_empty());
        assert!(minutes("T+15 widgets").is_empty());
    }

    #[test]
    fn the_zero_is_named_t0_or_t_plus_nothing() {
        assert!(zero_word(
            "All times are relative to T0 = 2024-03-03 14:00 UTC."
        ));
        assert!(zero_word("T = 0 is when the alarm fired"));
        assert!(!zero_word("The TTL was 0"));
        assert!(!zero_word("Build T01 failed"));
    }
}
