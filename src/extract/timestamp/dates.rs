//! Dates as written: ISO, numeric, month names, weekdays, ordinals and day ranges.

use super::scan::{DateHit, Num, Scan, expand_year};
use super::vocabulary::*;
use super::zones::name_case_ok;
use super::{DatePart, ZoneMention};
use jiff::civil::{Date, Weekday};

impl Scan<'_> {
    /// A date, optionally after a weekday ("Thursday 12/8/2017", "Tue, Jun 10, 2025").
    ///
    /// `after_dash` relaxes the number-start rule for the end of a glued range
    /// ("12/8-12/12/2017"), where a dash right after a digit is expected.
    pub(super) fn date_with_weekday(
        &self,
        i: usize,
        after_dash: bool,
    ) -> Option<(Option<Weekday>, DateHit)> {
        if let Some((weekday, end)) = self.weekday_word(i) {
            let mut k = self.gap(end, true);
            if self.at(k) == b',' {
                k = self.gap(k + 1, true);
            }
            if k == end {
                return None;
            }
            return self.date_at(k, false).map(|d| (Some(weekday), d));
        }
        self.date_at(i, after_dash).map(|d| (None, d))
    }

    pub(super) fn date_at(&self, i: usize, after_dash: bool) -> Option<DateHit> {
        if self.digit(i) {
            if !after_dash && !self.num_start_ok(i) {
                // The ISO form has its own, looser rule for what may precede it.
                return self.year_first_date(i);
            }
            self.year_first_date(i)
                .or_else(|| self.numeric_date(i))
                .or_else(|| self.day_first_date(i))
        } else {
            self.month_first_date(i)
        }
    }

    /// `2017-12-08`, `2017/12/08`, `2017.12.08`.
    pub(super) fn year_first_date(&self, i: usize) -> Option<DateHit> {
        if !self.iso_start_ok(i) {
            return None;
        }
        let year = self.num(i).filter(|n| n.len == 4)?;
        let sep = self.at(year.end);
        if !matches!(sep, b'-' | b'/' | b'.') {
            return None;
        }
        // "2025-DEC-5", "2025-Dec-05": a month name between dashes.
        if sep == b'-'
            && let Some((month, month_end)) = self.month_word(year.end + 1)
        {
            if self.at(month_end) != b'-' {
                return None;
            }
            let (day, day_end) = self.day_number(month_end + 1)?;
            return Some(DateHit {
                end: day_end,
                date: DatePart::Full(Date::new(year.value as i16, month, day).ok()?),
                needs_cue: false,
                range: false,
                iso: false,
            });
        }
        // Dotted dates need two-digit parts: "2024.1.2" is a calendar version.
        let part_len = |n: &Num| n.len == 2 || (n.len == 1 && sep != b'.');
        let month = self.num(year.end + 1).filter(part_len)?;
        if self.at(month.end) != sep {
            return None;
        }
        let day = self.num(month.end + 1).filter(part_len)?;
        let date = Date::new(year.value as i16, month.value as i8, day.value as i8).ok()?;
        let e = day.end;
        let iso = sep == b'-';
        let time_follows = iso && self.at(e) == b'T' && self.digit(e + 1);
        if !time_follows
            && (self.alnum_at(e)
                || self.at(e) == b'/'
                || (matches!(self.at(e), b'-' | b'.' | b':') && self.digit(e + 1)))
        {
            return None;
        }
        Some(DateHit {
            end: e,
            date: DatePart::Full(date),
            needs_cue: false,
            range: false,
            iso,
        })
    }

    /// `12/8/2017`, `05/07/2024`, `17-09-2024`, `03.08.2024`, `12/07/24`, `12/8`.
    /// The caller has checked that a number may start at `i`.
    pub(super) fn numeric_date(&self, i: usize) -> Option<DateHit> {
        let first = self.num(i).filter(|n| n.len <= 2)?;
        let sep = self.at(first.end);
        if !matches!(sep, b'/' | b'-' | b'.') {
            return None;
        }
        let second = self.num(first.end + 1).filter(|n| n.len <= 2)?;
        let mut e = second.end;
        let mut year = None;
        if self.at(e) == sep && self.digit(e + 1) {
            let y = self.num(e + 1)?;
            year = Some(match (y.len, sep) {
                (4, _) => y.value as i16,
                // Dotted two-part years look too much like versions ("3.10.12").
                (2, b'/' | b'-') => expand_year(y.value),
                _ => return None,
            });
            e = y.end;
        } else if sep != b'/' && !(sep == b'-' && self.clock_follows(e)) {
            // "12-8" and "3.4" are scores, ranges and decimals far more often than dates,
            // unless a time of day follows ("[03-26 17:40]").
            return None;
        }
        // A following "/" means a path or a fraction chain; ".5", ":30" and "-3" mean
        // the digits go on (versions, addresses). A year-less date may still be the
        // start of a glued range ("12/8-12/12/2017").
        if self.alnum_at(e)
            || self.at(e) == b'/'
            || (matches!(self.at(e), b'.' | b':' | b',') && self.digit(e + 1))
            || (year.is_some() && self.at(e) == b'-' && self.digit(e + 1))
        {
            return None;
        }
        let (a, b) = (first.value, second.value);
        if !(1..=31).contains(&a) || !(1..=31).contains(&b) || (a > 12 && b > 12) {
            return None;
        }
        let (a, b) = (a as i8, b as i8);
        // Either reading must be a real date; year-less ones are checked against a
        // leap year so that 29/2 passes.
        let check_year = year.unwrap_or(2000);
        if Date::new(check_year, a, b).is_err() && Date::new(check_year, b, a).is_err() {
            return None;
        }
        Some(DateHit {
            end: e,
            date: DatePart::Numeric {
                first: a,
                second: b,
                year,
            },
            needs_cue: year.is_none(),
            range: false,
            iso: false,
        })
    }

    /// "Oct 12, 2017", "June 27th", "December, 6 2022", "Sept. 18th, 2017".
    pub(super) fn month_first_date(&self, i: usize) -> Option<DateHit> {
        let (month, end) = self.month_word(i)?;
        // "Aug-27-2021": a dashed form, whole or not at all.
        if self.at(end) == b'-' && self.digit(end + 1) {
            let (day, day_end) = self.day_number(end + 1)?;
            if self.at(day_end) != b'-' {
                return None;
            }
            let (year, year_end) = self.year_number(day_end + 1)?;
            return Some(DateHit {
                end: year_end,
                date: DatePart::Full(Date::new(year, month, day).ok()?),
                needs_cue: false,
                range: false,
                iso: false,
            });
        }
        let mut k = self.gap(end, true);
        if self.at(k) == b',' {
            k = self.gap(k + 1, true);
        }
        if k == end {
            return None;
        }
        let (day, day_end) = self.day_number(k)?;
        let (range, day_end) = match self.day_range(day_end, day) {
            Some(e) => (true, e),
            None => (false, day_end),
        };
        self.year_tail(month, day, day_end, range)
    }

    /// "12 Oct 2017", "11 Dec, 2017", "13 August, 2021", "5th of June", "26-27 June 2019".
    /// The caller has checked that a number may start at `i`.
    pub(super) fn day_first_date(&self, i: usize) -> Option<DateHit> {
        // "27-Aug-2021": a dashed form, whole or not at all.
        if let Some(n) = self.num(i).filter(|n| n.len <= 2)
            && self.at(n.end) == b'-'
            && let Some((month, month_end)) = self.month_word(n.end + 1)
        {
            let (year, year_end) = (self.at(month_end) == b'-')
                .then(|| self.year_number(month_end + 1))
                .flatten()?;
            return Some(DateHit {
                end: year_end,
                date: DatePart::Full(Date::new(year, month, n.value as i8).ok()?),
                needs_cue: false,
                range: false,
                iso: false,
            });
        }
        let (day, day_end) = self.day_number(i)?;
        let (range, day_end) = match self.day_range(day_end, day) {
            Some(e) => (true, e),
            None => (false, day_end),
        };
        let mut k = self.gap(day_end, true);
        if k == day_end {
            return None;
        }
        if let Some(e) = self.word_in(k, &["of"]) {
            k = self.gap(e, true);
        }
        let (month, end) = self.month_word(k)?;
        self.year_tail(month, day, end, range)
    }

    /// The optional year after a month and day, and validation of the whole date.
    pub(super) fn year_tail(&self, month: i8, day: i8, end: usize, range: bool) -> Option<DateHit> {
        let mut k = self.gap(end, true);
        let mut comma = false;
        if self.at(k) == b',' {
            comma = true;
            k = self.gap(k + 1, true);
        }
        if k > end
            && let Some((year, year_end)) = self.year_number(k)
            // "June 10 1500 UTC" is a time, not the year 1500. With a comma ("June 10,
            // 2019 UTC") a plausible year stays a year whatever follows.
            && !(self.zone_follows(year_end) && (!comma || !(1900..=2199).contains(&year)))
        {
            let date = Date::new(year, month, day).ok()?;
            return Some(DateHit {
                end: year_end,
                date: DatePart::Full(date),
                needs_cue: false,
                range,
                iso: false,
            });
        }
        // Without a year the day must fit the month in some year (Feb 29 does).
        Date::new(2000, month, day).ok()?;
        Some(DateHit {
            end,
            date: DatePart::MonthDay { month, day },
            needs_cue: false,
            range,
            iso: false,
        })
    }

    /// Whether a known zone (not an unknown "XYZT") follows `i` on the same line.
    pub(super) fn zone_follows(&self, i: usize) -> bool {
        self.zone_after(i, false)
            .is_some_and(|(z, _)| !matches!(z, ZoneMention::Unknown(_)))
    }

    /// A month name at a word start, with the period of an abbreviation consumed.
    pub(super) fn month_word(&self, i: usize) -> Option<(i8, usize)> {
        if self.alnum_before(i) {
            return None;
        }
        let end = self.word_end(i)?;
        let written = self.slice(i, end);
        let &(name, month, abbreviation) =
            MONTHS.iter().find(|m| written.eq_ignore_ascii_case(m.0))?;
        if !name_case_ok(written, name, abbreviation) {
            return None;
        }
        let end = if abbreviation && self.at(end) == b'.' {
            end + 1
        } else {
            end
        };
        Some((month, end))
    }

    /// A weekday name at a word start, with the period of an abbreviation consumed.
    pub(super) fn weekday_word(&self, i: usize) -> Option<(Weekday, usize)> {
        if !self.at(i).is_ascii_alphabetic() || self.alnum_before(i) {
            return None;
        }
        let end = self.word_end(i)?;
        let written = self.slice(i, end);
        let &(name, weekday, abbreviation) = WEEKDAYS
            .iter()
            .find(|w| written.eq_ignore_ascii_case(w.0))?;
        if !name_case_ok(written, name, abbreviation) {
            return None;
        }
        let end = if abbreviation && self.at(end) == b'.' {
            end + 1
        } else {
            end
        };
        Some((weekday, end))
    }

    /// A day of the month, 1-31, with an optional ordinal suffix ("27th").
    pub(super) fn day_number(&self, i: usize) -> Option<(i8, usize)> {
        let n = self.num(i).filter(|n| n.len <= 2)?;
        if !(1..=31).contains(&n.value) {
            return None;
        }
        let mut end = n.end;
        if self.at(end).is_ascii_alphabetic() {
            let suffix_end = self.word_end(end)?;
            let suffix = self.slice(end, suffix_end);
            if !["st", "nd", "rd", "th"]
                .iter()
                .any(|s| suffix.eq_ignore_ascii_case(s))
            {
                return None;
            }
            end = suffix_end;
        }
        // "12:30" is a time and "12.5" or "12/8" are not days.
        if self.alnum_at(end)
            || self.at(end) == b'/'
            || (matches!(self.at(end), b':' | b'.') && self.digit(end + 1))
        {
            return None;
        }
        Some((n.value as i8, end))
    }

    /// The second day of a day range ("26-27", "June 26 – 27"), when there is one.
    pub(super) fn day_range(&self, i: usize, first: i8) -> Option<usize> {
        let j = self.gap(i, false);
        let k = self.dash(j)?;
        let k = self.gap(k, false);
        let (second, end) = self.day_number(k)?;
        (second > first).then_some(end)
    }

    /// A four-digit year that is not part of a longer number or a time.
    pub(super) fn year_number(&self, i: usize) -> Option<(i16, usize)> {
        let n = self.num(i).filter(|n| n.len == 4)?;
        let e = n.end;
        if self.alnum_at(e)
            || (matches!(self.at(e), b':' | b'.' | b'/' | b'-') && self.digit(e + 1))
        {
            return None;
        }
        Some((n.value as i16, e))
    }
}
