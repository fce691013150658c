//! Zones: names, abbreviations and offsets written after a time, and the words of a
//! zone declaration ("All times are in UTC").

use super::ZoneMention;
use super::scan::Scan;
use super::vocabulary::*;
use jiff::tz::{Offset, TimeZone};

pub(super) fn format_offset(offset: Offset) -> String {
    let total = offset.seconds();
    let sign = if total < 0 { '-' } else { '+' };
    let abs = total.unsigned_abs();
    let (h, m, s) = (abs / 3600, abs % 3600 / 60, abs % 60);
    if s == 0 {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}:{m:02}:{s:02}")
    }
}

pub(super) fn fixed_abbreviation(upper: &str) -> Option<i32> {
    FIXED_ABBREVIATIONS
        .iter()
        .find(|a| a.0 == upper)
        .map(|a| a.1)
}

pub(super) fn region_abbreviation(upper: &str) -> Option<&'static str> {
    REGION_ABBREVIATIONS
        .iter()
        .find(|a| a.0 == upper)
        .map(|a| a.1)
}

pub(super) fn fixed_zone(name: &str, seconds: i32) -> Option<ZoneMention> {
    Some(ZoneMention::Fixed {
        name: name.to_string(),
        offset: Offset::from_seconds(seconds).ok()?,
    })
}

/// A numeric offset of zero is plain UTC, however it was written ("UTC+0", "+00:00").
pub(super) fn offset_zone(name: &str, seconds: i32) -> Option<ZoneMention> {
    if seconds == 0 {
        Some(ZoneMention::Utc)
    } else {
        fixed_zone(name, seconds)
    }
}

pub(super) fn region_zone(name: &str, tz: &str) -> ZoneMention {
    ZoneMention::Region {
        name: name.to_string(),
        tz: tz.to_string(),
    }
}

/// Whether a name is written in a case we accept for month and weekday names:
/// "Oct", "OCT", "october". Lower-case abbreviations ("sat", "mar") and lower-case
/// "may" are too often ordinary words.
pub(super) fn name_case_ok(written: &str, name: &str, abbreviation: bool) -> bool {
    let b = written.as_bytes();
    let Some(first) = b.first() else { return false };
    let rest = &b[1..];
    let all_upper = b.iter().all(u8::is_ascii_uppercase);
    let all_lower = b.iter().all(u8::is_ascii_lowercase);
    let capitalised = first.is_ascii_uppercase() && rest.iter().all(u8::is_ascii_lowercase);
    if all_lower {
        !abbreviation && name != "may"
    } else {
        all_upper || capitalised
    }
}

/// Applies am/pm to an hour written on the 12-hour clock. A 24-hour hour with a stray

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum OffsetForms {
    /// `+2`, `+02`, `+02:00`, `+0200`: after "UTC"/"GMT" or on its own.
    Any,
    /// `+02`, `+02:00`, `+0200` glued to a time; `-` only as `-0500` unless
    /// `minus_colon` (after seconds or an ISO `T` time, where a range is unlikely).
    Glued { minus_colon: bool },
    /// `+02:00`, `+0200`, `-0500` after a space: short forms read too much into "+10".
    Spaced,
}

impl Scan<'_> {
    // ----- zones -----

    /// A zone written right after a time: glued ("14:45Z", "3:30PST", "+02:00") or
    /// after spaces ("16:13 UTC", "(UTC)", "-0500"). `minus_colon` accepts "-05:00"
    /// glued, which after a plain "8:00" would rather be a range ("8:00-08:30").
    pub(super) fn zone_after(&self, i: usize, minus_colon: bool) -> Option<(ZoneMention, usize)> {
        let j = self.gap(i, false);
        if self.at(j) == b'(' {
            let k = self.gap(j + 1, false);
            let inner = self.zone_word(k, true).or_else(|| {
                let (seconds, e) = self.signed_offset(k, OffsetForms::Spaced)?;
                Some((offset_zone(self.slice(k, e), seconds)?, e))
            });
            if let Some((zone, ze)) = inner {
                let c = self.gap(ze, false);
                if self.at(c) == b')' {
                    return Some((zone, c + 1));
                }
            }
            return None;
        }
        let forms = if j == i {
            if self.at(i) == b'Z' && !self.alnum_at(i + 1) {
                return Some((ZoneMention::Utc, i + 1));
            }
            OffsetForms::Glued { minus_colon }
        } else {
            OffsetForms::Spaced
        };
        if matches!(self.at(j), b'+' | b'-') {
            let (seconds, e) = self.signed_offset(j, forms)?;
            return Some((offset_zone(self.slice(j, e), seconds)?, e));
        }
        self.zone_word(j, false)
    }

    /// A zone written as a word. `bare_words` accepts "Pacific", "central" alone, as
    /// inside parentheses; otherwise they need "Time" after them.
    pub(super) fn zone_word(&self, i: usize, bare_words: bool) -> Option<(ZoneMention, usize)> {
        let end = self.letters_end(i)?;
        let word = self.slice(i, end);
        if self.at(end) == b'/'
            && IANA_AREAS.contains(&word)
            && let Some(found) = self.iana_name(i)
        {
            return Some(found);
        }
        if word.eq_ignore_ascii_case("utc") || word.eq_ignore_ascii_case("gmt") {
            if matches!(self.at(end), b'+' | b'-')
                && let Some((seconds, e)) = self.signed_offset(end, OffsetForms::Any)
            {
                return Some((offset_zone(self.slice(i, e), seconds)?, e));
            }
            return (!self.alnum_at(end)).then_some((ZoneMention::Utc, end));
        }
        if self.alnum_at(end) {
            return None;
        }
        if word.bytes().all(|c| c.is_ascii_uppercase()) {
            if let Some(seconds) = fixed_abbreviation(word) {
                return Some((fixed_zone(word, seconds)?, end));
            }
            if let Some(tz) = region_abbreviation(word) {
                return Some((region_zone(word, tz), end));
            }
        }
        if let Some(&(_, tz, standard, daylight)) = REGION_WORDS
            .iter()
            .find(|r| word.eq_ignore_ascii_case(r.0))
            .filter(|r| name_case_ok(word, r.0, false))
        {
            let j = self.gap(end, false);
            if let Some(k) = self.word_in(j, &["standard", "daylight"]) {
                let t = self.gap(k, false);
                if let Some(te) = self.word_in(t, &["time"]) {
                    let standard_time = self.slice(j, k).eq_ignore_ascii_case("standard");
                    let seconds = if standard_time { standard } else { daylight };
                    return Some((fixed_zone(self.slice(i, te), seconds)?, te));
                }
            }
            if let Some(te) = self.word_in(j, &["time"]) {
                return Some((region_zone(self.slice(i, te), tz), te));
            }
            if bare_words {
                return Some((region_zone(word, tz), end));
            }
            return None;
        }
        let unknown = (2..=5).contains(&word.len())
            && word.bytes().all(|c| c.is_ascii_uppercase())
            && word.ends_with('T')
            && !NOT_ZONES.contains(&word);
        unknown.then(|| (ZoneMention::Unknown(word.to_string()), end))
    }

    /// A literal IANA name such as `Europe/Paris`, validated against the tz database.
    pub(super) fn iana_name(&self, i: usize) -> Option<(ZoneMention, usize)> {
        let mut e = i;
        while e - i < 48
            && (self.at(e).is_ascii_alphanumeric()
                || matches!(self.at(e), b'/' | b'_' | b'+' | b'-'))
        {
            e += 1;
        }
        while e > i && matches!(self.at(e - 1), b'/' | b'-' | b'+') {
            e -= 1;
        }
        if self.alnum_at(e) {
            return None;
        }
        let name = self.slice(i, e);
        let zone = TimeZone::get(name).ok()?;
        let tz = zone.iana_name().unwrap_or(name).to_string();
        Some((region_zone(name, &tz), e))
    }

    /// A signed offset at `i` (which holds '+' or '-'): returns seconds east of UTC and
    /// where it ends.
    pub(super) fn signed_offset(&self, i: usize, forms: OffsetForms) -> Option<(i32, usize)> {
        let negative = match self.at(i) {
            b'+' => false,
            b'-' => true,
            _ => return None,
        };
        let n = self.num(i + 1)?;
        let (hours, minutes, end, colon) = if n.len <= 2
            && self.at(n.end) == b':'
            && let Some(m) = self.num(n.end + 1).filter(|m| m.len == 2)
        {
            (n.value, m.value, m.end, true)
        } else if n.len == 4 {
            (n.value / 100, n.value % 100, n.end, false)
        } else if n.len <= 2 {
            (n.value, 0, n.end, false)
        } else {
            return None;
        };
        let allowed = match forms {
            OffsetForms::Any => true,
            OffsetForms::Glued { minus_colon } => {
                n.len == 4 || (n.len == 2 && (!negative || minus_colon))
            }
            OffsetForms::Spaced => n.len == 4 || (colon && n.len == 2 && !negative),
        };
        if !allowed || hours > 14 || minutes > 59 {
            return None;
        }
        if self.alnum_at(end) || (matches!(self.at(end), b':' | b'.') && self.digit(end + 1)) {
            return None;
        }
        let seconds = (hours * 3600 + minutes * 60) as i32;
        Some((if negative { -seconds } else { seconds }, end))
    }
}

// ---------------------------------------------------------------------------------
// Zone declarations.
// ---------------------------------------------------------------------------------

/// A word of a possible zone declaration.
pub(super) struct DeclToken<'a> {
    pub(super) text: &'a str,
    pub(super) start: usize,
    pub(super) end: usize,
    /// Nothing but spacing separates it from the start of the text, a sentence end,
    /// an opening parenthesis, a colon or a line break.
    pub(super) sentence_start: bool,
    /// The boundary before it is an opening parenthesis or a colon, which may sit
    /// inside a declaration.
    pub(super) soft_boundary: bool,
}

/// Splits text into words that may hold a zone name ("UTC+2", "America/Chicago",
/// "+02:00"). Sentence punctuation is not part of a word.
pub(super) fn declaration_tokens(text: &str) -> Vec<DeclToken<'_>> {
    let b = text.as_bytes();
    let word_byte =
        |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'/' | b'+' | b'-' | b':' | b'_');
    let mut tokens = Vec::new();
    let mut i = 0;
    let mut boundary = true;
    let mut paren = false;
    while i < b.len() {
        let c = b[i];
        if !word_byte(c) {
            match c {
                b'(' | b'[' => (boundary, paren) = (true, true),
                b'.' | b'!' | b'?' | b';' | b'\n' => (boundary, paren) = (true, false),
                b' ' | b'\t' | b'\r' | b'*' => {}
                _ => (boundary, paren) = (false, false),
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && word_byte(b[i]) {
            i += 1;
        }
        let mut end = i;
        // A trailing colon or dash ("Timezone:") is punctuation, not part of the word.
        while end > start && matches!(b[end - 1], b':' | b'-') {
            end -= 1;
        }
        if end > start {
            tokens.push(DeclToken {
                text: text.get(start..end).unwrap_or(""),
                start,
                end,
                sentence_start: boundary,
                soft_boundary: paren,
            });
        }
        // A colon glued to the word ("Timezone:") was trimmed off above.
        boundary = end < i && b[end] == b':';
        paren = boundary;
    }
    tokens
}
