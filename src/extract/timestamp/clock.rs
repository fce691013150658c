//! Times of day as written: `16:13`, `4pm`, `0130`, `noon`, with am/pm and zone.

use super::scan::{Meridiem, Scan, Shape, TimeHit};
use super::vocabulary::*;

impl Scan<'_> {
    /// A time of day at `i`, with its am/pm and zone. `iso` reads the time after a `T`
    /// (two-digit hour, no am/pm, any offset). `check_start` applies the number-start
    /// rules; a range end after a glued dash skips them.
    pub(super) fn time_at(&self, i: usize, iso: bool, check_start: bool) -> Option<TimeHit> {
        if !iso && let Some(hit) = self.word_time(i, false) {
            return Some(hit);
        }
        if check_start && !self.num_start_ok(i) {
            return None;
        }
        let n = self.num(i)?;
        let mut meridiem = None;
        let mut marked = false;
        let mut second = None;
        let (hour, minute, shape, mut e);
        if n.len <= 2 && self.at(n.end) == b':' {
            let m = self.num(n.end + 1).filter(|m| m.len == 2)?;
            if (iso && n.len != 2) || n.value > 23 || m.value > 59 {
                return None;
            }
            (hour, minute, shape, e) = (n.value as i8, m.value as i8, Shape::Colon, m.end);
            if self.at(e) == b':' && self.digit(e + 1) {
                let s = self.num(e + 1).filter(|s| s.len == 2 && s.value <= 59)?;
                second = Some(s.value as i8);
                e = s.end;
                if matches!(self.at(e), b'.' | b',') && self.digit(e + 1) {
                    // Fractions run to nanoseconds and beyond in logs; their value is
                    // not kept, so a longer cap than for other numbers is fine.
                    let mut f = e + 1;
                    while self.digit(f) && f - e <= 12 {
                        f += 1;
                    }
                    if self.digit(f) {
                        return None;
                    }
                    e = f;
                }
            }
            // "12:34:56:78" and "1:30.5" go on past what a time can hold.
            if matches!(self.at(e), b':' | b'.') && self.digit(e + 1) {
                return None;
            }
        } else if n.len <= 2
            && !iso
            && let Some((h, m)) = self.dotted_or_h_time(&n)
        {
            (hour, minute, shape, e) = (h.0, h.1, Shape::Colon, m);
        } else if n.len <= 2 && !iso {
            let (mer, me) = self.meridiem(n.end)?;
            if !(1..=12).contains(&n.value) {
                return None;
            }
            // "7p" is a time, but "step 2a" and "figure 3a" are enumerations.
            let single_letter = me == n.end + 1;
            if single_letter && self.cue_before(i, ENUMERATION_WORDS, false) {
                return None;
            }
            (hour, minute, shape, e) = (n.value as i8, 0, Shape::Meridiem, me);
            meridiem = Some(mer);
        } else if n.len == 4 && !iso {
            let (h, m) = (n.value / 100, n.value % 100);
            if h > 23 || m > 59 {
                return None;
            }
            e = n.end;
            if self.at(e) == b':'
                || (matches!(self.at(e), b'.' | b'-' | b'/' | b',') && self.digit(e + 1))
            {
                return None;
            }
            (hour, minute, shape) = (h as i8, m as i8, Shape::FourDigit);
        } else {
            return None;
        }

        if shape == Shape::Colon
            && !iso
            && let Some((mer, me)) = self.meridiem(e)
        {
            meridiem = Some(mer);
            e = me;
        } else if shape != Shape::Meridiem
            && !iso
            && let Some(he) = self.hour_suffix(e)
        {
            marked = true;
            e = he;
        }
        let mut zone = None;
        if let Some((z, ze)) = self.zone_after(e, iso || second.is_some()) {
            zone = Some(z);
            e = ze;
        }
        // Letters glued to a time that are not am/pm or a zone ("10:08OTG") mean this
        // is some identifier, not a time.
        if self.alnum_at(e) {
            return None;
        }
        Some(TimeHit {
            end: e,
            hour,
            minute,
            second,
            meridiem,
            shape,
            marked,
            zone,
        })
    }

    /// "6.15 AM" (a dot needs the am/pm, or it is a decimal) and "14h30" (two-digit
    /// hour; "2h30" is more often a duration, so a one-digit hour counts only where a
    /// time stands: opening a line, or after "at"): the hour, minute and where the
    /// minutes end.
    fn dotted_or_h_time(&self, n: &super::scan::Num) -> Option<((i8, i8), usize)> {
        let start = n.end - n.len;
        let sep = self.at(n.end);
        if !matches!(sep, b'.' | b'h') {
            return None;
        }
        let m = self
            .num(n.end + 1)
            .filter(|m| m.len == 2 && m.value <= 59)?;
        let ok = match sep {
            b'.' => (1..=12).contains(&n.value) && self.meridiem(m.end).is_some(),
            _ => {
                (n.len == 2
                    || self.opens_line(start)
                    || self.cue_before(start, &["at", "around", "from", "until", "since"], true))
                    && n.value <= 23
                    && !self.alnum_at(m.end)
            }
        };
        (ok && !(matches!(self.at(m.end), b'.' | b':') && self.digit(m.end + 1)))
            .then_some(((n.value as i8, m.value as i8), m.end))
    }

    /// Whether only spacing and list or emphasis markers stand between the start of the
    /// line and `i` (looking back a few bytes at most): where a timeline entry's time
    /// stands.
    fn opens_line(&self, i: usize) -> bool {
        for back in 1..=8 {
            let Some(j) = i.checked_sub(back) else {
                return true;
            };
            match self.at(j) {
                b'\n' => return true,
                b' ' | b'\t' | b'*' | b'_' | b'-' | b'~' | b'[' | b'(' | b'#' | b'|' => {}
                _ => return false,
            }
        }
        false
    }

    /// Whether a colon time ("17:40") follows after spacing: what makes a year-less
    /// "03-26" a date.
    pub(super) fn clock_follows(&self, i: usize) -> bool {
        let j = self.gap(i, false);
        j > i
            && self
                .time_at(j, false, true)
                .is_some_and(|t| t.shape == Shape::Colon)
    }

    /// "noon" and "midnight" (also "12 noon"), only after "at", as a range end, or
    /// opening a line before a separator ("- noon — traffic shifted"), so that
    /// "midnight deploys" is not read as a time.
    pub(super) fn word_time(&self, i: usize, range_end: bool) -> Option<TimeHit> {
        let word = if self.starts_with(i, "12 ") && !self.digit(i + 3) {
            i + 3
        } else {
            i
        };
        let end = self.word_in(word, &["noon", "midnight"])?;
        if !range_end && !self.cue_before(i, &["at"], false) && !self.heads_a_line(i, end) {
            return None;
        }
        let hour = if self.slice(word, end).eq_ignore_ascii_case("noon") {
            12
        } else {
            0
        };
        let (zone, end) = match self.zone_after(end, false) {
            Some((z, ze)) => (Some(z), ze),
            None => (None, end),
        };
        Some(TimeHit {
            end,
            hour,
            minute: 0,
            second: None,
            meridiem: None,
            shape: Shape::Word,
            marked: false,
            zone,
        })
    }

    /// Whether the words from `i` to `end` open their line (after nothing but list or
    /// emphasis markers) and a separator follows them, maybe after a zone: "noon: ",
    /// "**Midnight** — ", "| noon |". A timeline entry's time, not a word of a sentence.
    fn heads_a_line(&self, i: usize, end: usize) -> bool {
        let head = self.s.get(..i).unwrap_or("");
        let line = &head[head.rfind('\n').map_or(0, |n| n + 1)..];
        let opens = line.chars().all(|c| {
            c.is_whitespace() || matches!(c, '*' | '_' | '-' | '•' | '[' | '(' | '|' | '#')
        });
        let end = self.zone_after(end, false).map_or(end, |(_, e)| e);
        let rest = self.s.get(end..).unwrap_or("");
        let rest = rest.trim_start_matches(['*', '_', ')', ']']).trim_start();
        opens && rest.starts_with([':', '-', '–', '—', '|'])
    }

    /// "am", "PM", "a.m.", "p.m." (glued or after a space); "a" and "p" only glued.
    pub(super) fn meridiem(&self, i: usize) -> Option<(Meridiem, usize)> {
        let j = if matches!(self.at(i), b' ' | b'\t') {
            i + 1
        } else if self.starts_with(i, "\u{202F}") || self.starts_with(i, "\u{2009}") {
            i + 3
        } else if self.starts_with(i, "\u{A0}") {
            i + 2
        } else {
            i
        };
        let c = self.at(j);
        let mer = match c.to_ascii_lowercase() {
            b'a' => Meridiem::Am,
            b'p' => Meridiem::Pm,
            _ => return None,
        };
        if self.at(j + 1) == b'.' && matches!(self.at(j + 2), b'm' | b'M') {
            let e = if self.at(j + 3) == b'.' { j + 4 } else { j + 3 };
            return (!self.alnum_at(e)).then_some((mer, e));
        }
        if matches!(self.at(j + 1), b'm' | b'M') && !self.alnum_at(j + 2) {
            return Some((mer, j + 2));
        }
        let glued = j == i;
        if glued
            && c.is_ascii_lowercase()
            && !self.alnum_at(j + 1)
            && !(self.at(j + 1) == b'.' && self.at(j + 2).is_ascii_alphabetic())
        {
            return Some((mer, j + 1));
        }
        None
    }

    /// "h", "hr", "hrs" glued to a time ("1400hrs", "14:00h").
    pub(super) fn hour_suffix(&self, i: usize) -> Option<usize> {
        let end = self.word_end(i)?;
        matches!(self.slice(i, end), "h" | "hr" | "hrs").then_some(end)
    }
}
