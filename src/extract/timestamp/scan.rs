//! The scanner: low-level reading of bytes, and the entry points that read one
//! timestamp (date first or time first, with ranges and alternative renditions).

use super::vocabulary::*;
use super::{DatePart, Found, TimeOfDay, ZoneMention};
use jiff::civil::Weekday;

/// "pm" ("17:14pm") is kept as written.
pub(super) fn apply_meridiem(hour: i8, meridiem: Option<Meridiem>) -> i8 {
    match meridiem {
        Some(Meridiem::Am) if (1..=12).contains(&hour) => hour % 12,
        Some(Meridiem::Pm) if (1..=11).contains(&hour) => hour + 12,
        _ => hour,
    }
}

/// Reads two-digit years the usual way: 70-99 are 19xx, the rest 20xx.
pub(super) fn expand_year(two_digits: u32) -> i16 {
    let y = two_digits as i16;
    if y >= 70 { 1900 + y } else { 2000 + y }
}

// ---------------------------------------------------------------------------------
// The scanner.
// ---------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]

pub(super) enum Meridiem {
    Am,
    Pm,
}

/// How a time was written, which decides how much context it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// "16:13", "8:30 PM".
    Colon,
    /// "4pm", "7p".
    Meridiem,
    /// "0130": only a time with a zone, a suffix, or a cue word before it.
    FourDigit,
    /// "noon", "midnight".
    Word,
}

/// Which shapes of numeric offset to accept.

#[derive(Clone, Debug)]
pub(super) struct Num {
    pub(super) end: usize,
    pub(super) len: usize,
    pub(super) value: u32,
}

/// A time of day as read, before context decides whether it counts.
#[derive(Clone, Debug)]
pub(super) struct TimeHit {
    pub(super) end: usize,
    pub(super) hour: i8,
    pub(super) minute: i8,
    pub(super) second: Option<i8>,
    pub(super) meridiem: Option<Meridiem>,
    pub(super) shape: Shape,
    /// A four-digit time with an "h"/"hrs" suffix: clearly a time.
    pub(super) marked: bool,
    pub(super) zone: Option<ZoneMention>,
}

impl TimeHit {
    pub(super) fn time_of_day(&self) -> TimeOfDay {
        TimeOfDay {
            hour: apply_meridiem(self.hour, self.meridiem),
            minute: self.minute,
            second: self.second,
            meridiem: self.meridiem.is_some(),
        }
    }

    /// Whether a four-digit number needs a cue word before it to count as a time.
    pub(super) fn needs_cue(&self) -> bool {
        self.shape == Shape::FourDigit && self.zone.is_none() && !self.marked
    }
}

/// A date as read.
#[derive(Clone, Debug)]
pub(super) struct DateHit {
    pub(super) end: usize,
    pub(super) date: DatePart,
    /// A year-less numeric date: only a date with a cue ("on 12/8").
    pub(super) needs_cue: bool,
    /// A day range such as "26-27 June 2019".
    pub(super) range: bool,
    /// ISO `YYYY-MM-DD`, which may be followed by `T` and a time.
    pub(super) iso: bool,
}

/// The time part of a timestamp after its range, zone and alternative rendition.
pub(super) struct TimeTail {
    pub(super) end: usize,
    pub(super) time: TimeOfDay,
    pub(super) zone: Option<ZoneMention>,
    pub(super) range: bool,
}

pub(super) struct Scan<'a> {
    pub(super) s: &'a str,
    pub(super) b: &'a [u8],
}

impl<'a> Scan<'a> {
    pub(super) fn new(s: &'a str) -> Self {
        Scan { s, b: s.as_bytes() }
    }

    // ----- low-level reading -----

    /// The byte at `i`, or NUL past the end (NUL never matches anything we look for).
    pub(super) fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    pub(super) fn digit(&self, i: usize) -> bool {
        self.at(i).is_ascii_digit()
    }

    pub(super) fn starts_with(&self, i: usize, pat: &str) -> bool {
        self.b
            .get(i..)
            .is_some_and(|rest| rest.starts_with(pat.as_bytes()))
    }

    pub(super) fn slice(&self, start: usize, end: usize) -> &'a str {
        self.s.get(start..end).unwrap_or("")
    }

    pub(super) fn prev_char(&self, i: usize) -> Option<char> {
        self.s.get(..i).and_then(|head| head.chars().next_back())
    }

    pub(super) fn next_char(&self, i: usize) -> Option<char> {
        self.s.get(i..).and_then(|tail| tail.chars().next())
    }

    pub(super) fn alnum_before(&self, i: usize) -> bool {
        self.prev_char(i).is_some_and(char::is_alphanumeric)
    }

    pub(super) fn alnum_at(&self, i: usize) -> bool {
        self.next_char(i).is_some_and(char::is_alphanumeric)
    }

    /// A digit run of at most `MAX_DIGITS` starting at `i`; longer runs are rejected.
    pub(super) fn num(&self, i: usize) -> Option<Num> {
        let mut j = i;
        let mut value: u32 = 0;
        while self.digit(j) {
            if j - i >= MAX_DIGITS {
                return None;
            }
            value = value * 10 + u32::from(self.at(j) - b'0');
            j += 1;
        }
        (j > i).then_some(Num {
            end: j,
            len: j - i,
            value,
        })
    }

    /// The end of a run of ASCII letters starting at `i`, without checking what follows.
    pub(super) fn letters_end(&self, i: usize) -> Option<usize> {
        let mut j = i;
        while self.at(j).is_ascii_alphabetic() {
            j += 1;
            if j - i > MAX_WORD {
                return None;
            }
        }
        (j > i).then_some(j)
    }

    /// The end of a whole word starting at `i`: letters not followed by a letter or
    /// digit (in any script).
    pub(super) fn word_end(&self, i: usize) -> Option<usize> {
        let end = self.letters_end(i)?;
        (!self.alnum_at(end)).then_some(end)
    }

    /// The end of the word at `i` when it is one of `options` (ignoring case).
    pub(super) fn word_in(&self, i: usize, options: &[&str]) -> Option<usize> {
        if self.alnum_before(i) {
            return None;
        }
        let end = self.word_end(i)?;
        let word = self.slice(i, end);
        options
            .iter()
            .any(|o| word.eq_ignore_ascii_case(o))
            .then_some(end)
    }

    /// Skips spacing between two parts of a timestamp: spaces, tabs, no-break spaces,
    /// Markdown emphasis markers (so `**08/07/2024** ~ **10:37**` reads as one), and
    /// at most one line break when `wrap` allows a soft-wrapped line.
    pub(super) fn gap(&self, i: usize, wrap: bool) -> usize {
        let mut j = i;
        let mut newlines = 0;
        while j - i <= MAX_GAP {
            match self.at(j) {
                b' ' | b'\t' | b'\r' | b'*' | b'_' => j += 1,
                b'\n' if wrap && newlines == 0 => {
                    newlines += 1;
                    j += 1;
                }
                // U+00A0 no-break space.
                0xC2 if self.at(j + 1) == 0xA0 => j += 2,
                // U+2009 thin space and U+202F narrow no-break space ("8:30\u{202F}PM").
                0xE2 if self.at(j + 1) == 0x80 && matches!(self.at(j + 2), 0x89 | 0xAF) => j += 3,
                _ => break,
            }
        }
        j
    }

    /// A hyphen (or two), en dash or em dash at `i`.
    pub(super) fn dash(&self, i: usize) -> Option<usize> {
        if self.at(i) == b'-' {
            return Some(if self.at(i + 1) == b'-' { i + 2 } else { i + 1 });
        }
        if self.starts_with(i, "\u{2013}") || self.starts_with(i, "\u{2014}") {
            return Some(i + 3);
        }
        None
    }

    /// A range separator at `i`: a dash or "to", "until", "till", "through", "thru".
    pub(super) fn range_sep(&self, i: usize) -> Option<usize> {
        self.dash(i)
            .or_else(|| self.word_in(i, &["to", "until", "till", "through", "thru"]))
    }

    /// Whether a number may start at `i`. Rejects the inside of versions (`v2.1.3`),
    /// addresses (`10.0.0.1`), paths (`issues/198`), ports (`x:8080`), offsets (`+02`),
    /// ids (`OTG-1234`) and thousands (`1,234`).
    pub(super) fn num_start_ok(&self, i: usize) -> bool {
        match self.prev_char(i) {
            None => true,
            Some(c) if c.is_alphanumeric() => false,
            Some('.' | ':' | '/' | '\\' | '+' | '#' | '$' | '%' | '=' | '^' | '&') => false,
            Some('-' | '_') => !self.alnum_before(i - 1),
            Some(',') => !self.digit(i.wrapping_sub(2)),
            _ => true,
        }
    }

    /// Whether an ISO date may start at `i`: like a number, but file names and
    /// fields ("incident-2017-12-08", "date:2017-12-08") are fine.
    pub(super) fn iso_start_ok(&self, i: usize) -> bool {
        match self.prev_char(i) {
            None => true,
            Some(c) if c.is_alphanumeric() => false,
            Some('.' | '/' | '\\' | '+' | '#' | '$' | '%' | '=') => false,
            _ => true,
        }
    }

    /// Whether the word before `i` (skipping spacing, and approximation words when
    /// `skip_approx`) is one of `cues`.
    pub(super) fn cue_before(&self, i: usize, cues: &[&str], skip_approx: bool) -> bool {
        let mut pos = i;
        for _ in 0..3 {
            let j = self.back_gap(pos);
            if j == 0 {
                return false;
            }
            // "@ 1400" reads as "at 1400".
            if self.at(j - 1) == b'@' {
                return cues.contains(&"at");
            }
            if skip_approx && self.at(j - 1) == b'~' {
                pos = j - 1;
                continue;
            }
            let Some(start) = self.back_word(j) else {
                return false;
            };
            let word = self.slice(start, j);
            if cues.iter().any(|c| word.eq_ignore_ascii_case(c)) {
                return true;
            }
            if !(skip_approx && APPROX_WORDS.iter().any(|a| word.eq_ignore_ascii_case(a))) {
                return false;
            }
            pos = start;
        }
        false
    }

    /// Skips spacing backwards from `i` (at most one line break).
    pub(super) fn back_gap(&self, i: usize) -> usize {
        let mut j = i;
        let mut newlines = 0;
        while j > 0 && i - j <= MAX_GAP {
            match self.at(j - 1) {
                b' ' | b'\t' | b'\r' | b'*' | b'_' => j -= 1,
                b'\n' if newlines == 0 => {
                    newlines += 1;
                    j -= 1;
                }
                0xA0 if j >= 2 && self.at(j - 2) == 0xC2 => j -= 2,
                _ => break,
            }
        }
        j
    }

    /// The start of a whole ASCII word ending at `end`.
    pub(super) fn back_word(&self, end: usize) -> Option<usize> {
        let mut j = end;
        while j > 0 && self.at(j - 1).is_ascii_alphabetic() {
            j -= 1;
            if end - j > 16 {
                return None;
            }
        }
        (j < end && !self.alnum_before(j)).then_some(j)
    }

    // ----- entry points -----

    /// Tries to read one timestamp starting at `p`.
    pub(super) fn parse_at(&self, p: usize, force_cue: bool) -> Option<Found> {
        let (approx, q) = match self.approx_prefix(p) {
            Some(q) => (true, q),
            None => (false, p),
        };
        self.date_first(p, q, approx, force_cue)
            .or_else(|| self.time_first(p, q, approx))
    }

    /// "~", "around", "approximately", "approx.", "about", "roughly", "circa", "ca.".
    pub(super) fn approx_prefix(&self, p: usize) -> Option<usize> {
        if self.at(p) == b'~' {
            return Some(self.gap(p + 1, false));
        }
        let end = match self.word_in(p, APPROX_WORDS) {
            Some(e) if self.slice(p, e).eq_ignore_ascii_case("approx") && self.at(e) == b'.' => {
                e + 1
            }
            Some(e) => e,
            None => {
                let e = self.word_in(p, &["ca"])?;
                (self.at(e) == b'.').then_some(e + 1)?
            }
        };
        let q = self.gap(end, false);
        (q > end).then_some(q)
    }

    /// A timestamp that starts with a date (optionally after a weekday).
    pub(super) fn date_first(
        &self,
        p: usize,
        q: usize,
        approx: bool,
        force_cue: bool,
    ) -> Option<Found> {
        let (weekday, date) = self.date_with_weekday(q, false)?;
        let mut satisfied = !date.needs_cue
            || force_cue
            || weekday.is_some()
            || self.cue_before(q, DATE_CUES, false);
        let mut found = Found {
            start: p,
            end: date.end,
            date: Some(date.date),
            time: None,
            zone: None,
            weekday,
            approximate: approx,
            range: date.range,
            bare: false,
        };

        if date.iso
            && self.at(date.end) == b'T'
            && let Some(t) = self.time_at(date.end + 1, true, false)
        {
            let tail = self.time_tail(&t, true, true);
            found.end = tail.end;
            found.time = Some(tail.time);
            found.zone = tail.zone;
            found.range |= tail.range;
            return Some(found);
        }

        let j = self.gap(date.end, true);
        // A range of dates: "12/8 - 12/12/2017", "05/07/2024 - 06/07/2024 08:30".
        if let Some(k) = self
            .range_sep(j)
            .filter(|_| j > date.end || self.dash(j).is_some())
        {
            let k = self.gap(k, false);
            if let Some((_, end_date)) = self.date_with_weekday(k, true) {
                if !end_date.needs_cue {
                    satisfied = true;
                }
                found.range = true;
                found.end = end_date.end;
                if let Some((t, _, at_word)) = self.joined_time(end_date.end)
                    && (at_word || !t.needs_cue())
                {
                    found.end = self.time_tail(&t, false, true).end;
                }
                return satisfied.then_some(found);
            }
        }

        if let Some((t, approx_time, at_word)) = self.joined_time(date.end) {
            let bare = t.needs_cue();
            if !bare || at_word {
                let tail = self.time_tail(&t, true, true);
                found.end = tail.end;
                found.time = Some(tail.time);
                found.bare = bare && tail.zone.is_none();
                found.zone = tail.zone;
                found.range |= tail.range;
                found.approximate |= approx_time;
                satisfied = true;
            }
        }
        satisfied.then_some(found)
    }

    /// A time written after a date: "2017-12-08 14:45", "Oct 12, 2017 - 23:57",
    /// "May 1 2019, 3:18 PM", "2017-12-08 at 4pm", "**08/07/2024** ~ **10:37**".
    /// Returns the time, whether it was marked approximate, and whether "at" joined it.
    pub(super) fn joined_time(&self, date_end: usize) -> Option<(TimeHit, bool, bool)> {
        let mut k = self.gap(date_end, true);
        if k == date_end && self.at(k) != b',' && self.dash(k).is_none() {
            return None;
        }
        let mut at_word = false;
        if self.at(k) == b',' {
            k = self.gap(k + 1, true);
        }
        if let Some(e) = self.word_in(k, &["at"]) {
            at_word = true;
            k = self.gap(e, true);
        } else if self.at(k) == b'@' {
            at_word = true;
            k = self.gap(k + 1, true);
        } else if let Some(e) = self.dash(k) {
            k = self.gap(e, false);
        }
        let (approx, k) = match self.approx_prefix(k) {
            Some(after) => (true, after),
            None => (false, k),
        };
        let t = self.time_at(k, false, true)?;
        Some((t, approx, at_word))
    }

    /// A timestamp that starts with a time; a date may follow ("0105 UTC on June 27th").
    pub(super) fn time_first(&self, p: usize, q: usize, approx: bool) -> Option<Found> {
        let t = self.time_at(q, false, true)?;
        let needs_cue = t.needs_cue();
        if needs_cue && !self.cue_before(p, BARE_CUES, true) {
            return None;
        }
        let tail = self.time_tail(&t, false, true);
        let mut found = Found {
            start: p,
            end: tail.end,
            date: None,
            time: Some(tail.time),
            bare: needs_cue && tail.zone.is_none(),
            zone: tail.zone,
            weekday: None,
            approximate: approx,
            range: tail.range,
        };
        if let Some((end, weekday, date)) = self.date_after_time(tail.end) {
            found.end = end;
            found.weekday = weekday;
            found.date = Some(date);
        }
        Some(found)
    }

    /// A date after a time: "... on June 27th, 2019", "... December, 6 2022".
    pub(super) fn date_after_time(&self, i: usize) -> Option<(usize, Option<Weekday>, DatePart)> {
        let mut k = self.gap(i, true);
        if self.at(k) == b',' {
            k = self.gap(k + 1, true);
        }
        let mut on = false;
        if let Some(e) = self.word_in(k, &["on"]) {
            on = true;
            k = self.gap(e, true);
        }
        // Across a line break only "on" ties a date to the time before it; otherwise a
        // time at the end of one line would grab a date heading the next.
        if k == i || (!on && self.slice(i, k).contains('\n')) {
            return None;
        }
        let (weekday, date) = self.date_with_weekday(k, false)?;
        if date.needs_cue && !on && weekday.is_none() {
            return None;
        }
        Some((date.end, weekday, date.date))
    }

    /// What follows a time: a range end, an alternative rendition in another zone.
    pub(super) fn time_tail(
        &self,
        start: &TimeHit,
        with_date: bool,
        alternative: bool,
    ) -> TimeTail {
        let mut end = start.end;
        let mut zone = start.zone.clone();
        let mut time = start.time_of_day();
        let mut range = false;
        if let Some((range_end, end_zone, end_time)) = self.range_end(start.end, start, with_date) {
            range = true;
            end = range_end;
            if zone.is_none() {
                zone = end_zone;
            }
            // "8:00-8:30 PM" is 20:00-20:30, but "11:00-1:00 PM" starts at 11:00.
            if let Some(end_hit) = end_time
                && start.meridiem.is_none()
                && start.shape == Shape::Colon
                && end_hit.meridiem.is_some()
                && (1..=12).contains(&start.hour)
            {
                let candidate = apply_meridiem(start.hour, end_hit.meridiem);
                let end_tod = end_hit.time_of_day();
                if (candidate, start.minute) <= (end_tod.hour, end_tod.minute) {
                    time.hour = candidate;
                    time.meridiem = true;
                }
            }
        }
        // "8:00-8:30 CLT/3:00-3:30PST": the same moment in a second zone is swallowed,
        // and the first zone written is the one reported.
        if alternative
            && zone.is_some()
            && let Some(alt_end) = self.alternative(end)
        {
            end = alt_end;
        }
        TimeTail {
            end,
            time,
            zone,
            range,
        }
    }

    /// The end of a range starting after `i`: its end position, zone and time (absent
    /// when the range ends with a date).
    pub(super) fn range_end(
        &self,
        i: usize,
        start: &TimeHit,
        with_date: bool,
    ) -> Option<(usize, Option<ZoneMention>, Option<TimeHit>)> {
        let j = self.gap(i, false);
        let k = self.range_sep(j)?;
        let k = self.gap(k, false);
        if with_date && let Some((_, date)) = self.date_with_weekday(k, true) {
            let mut end = date.end;
            let mut zone = None;
            if let Some((t, _, at_word)) = self.joined_time(date.end)
                && (at_word || !t.needs_cue())
            {
                let tail = self.time_tail(&t, false, false);
                end = tail.end;
                zone = tail.zone;
            }
            return Some((end, zone, None));
        }
        let t = self
            .time_at(k, false, false)
            .or_else(|| self.word_time(k, true))?;
        if t.needs_cue() && start.shape != Shape::FourDigit {
            return None;
        }
        Some((t.end, t.zone.clone(), Some(t)))
    }

    /// "/3:00-3:30PST" after a zoned time: returns where it ends when it is one.
    pub(super) fn alternative(&self, i: usize) -> Option<usize> {
        let j = self.gap(i, false);
        if self.at(j) != b'/' {
            return None;
        }
        let k = self.gap(j + 1, false);
        let t = self.time_at(k, false, false)?;
        if t.needs_cue() {
            return None;
        }
        let tail = self.time_tail(&t, false, false);
        tail.zone.is_some().then_some(tail.end)
    }
}
