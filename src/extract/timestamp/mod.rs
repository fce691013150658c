//! Finding timestamps in running text: dates, times of day and zones, exactly as
//! written. This module only recognises; it never resolves a missing date or guesses
//! a zone. The timeline extractor decides dates from context and applies zones.
//!
//! Invariant: every `Found` span lies on char boundaries of the input and covers the
//! whole timestamp text it describes (weekday, date, time, zone, range end).
//!
//! The scanner is hand-written rather than regex based so that every attempt looks at
//! a bounded window of text: digit runs, words and gaps are all read with caps, and a
//! match is only attempted where a token starts. Work is therefore linear in the
//! input, whatever the input holds. All syntax we recognise is ASCII (plus a few
//! dashes and spaces), so we work on bytes and only ever cut the text next to an
//! ASCII byte or after a whole multi-byte character, which keeps spans on char
//! boundaries.
//!
//! Span conventions: an approximation marker ("~", "around") is part of the span
//! because it sets `approximate`; cue words that only help recognition ("at", "on",
//! "from") are not, except "on" between a time and the date that follows it.

use jiff::civil::{Date, DateTime, Weekday};
use jiff::tz::{Offset, TimeZone};

mod clock;
mod dates;
mod scan;
#[cfg(test)]
mod tests;
mod vocabulary;
mod zones;

use scan::Scan;
use vocabulary::*;
use zones::{
    OffsetForms, declaration_tokens, fixed_abbreviation, fixed_zone, format_offset, offset_zone,
    region_abbreviation, region_zone,
};

/// A timestamp found in text.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Byte offset of the first character of the timestamp text.
    pub start: usize,
    /// Byte offset just past the timestamp text (including a range end, if any).
    pub end: usize,
    /// The date, when one is written.
    pub date: Option<DatePart>,
    /// The time of day, when one is written (the start of a range).
    pub time: Option<TimeOfDay>,
    /// The zone written after the time (or after the range end).
    pub zone: Option<ZoneMention>,
    /// A weekday written next to the date ("Thursday 12/8/2017").
    pub weekday: Option<Weekday>,
    /// "~ 08:45", "around 18:10", "approximately 13:00".
    pub approximate: bool,
    /// The text was a range ("8:00-8:30", "20:47 - 08:30"); only its start is reported.
    pub range: bool,
    /// A bare four-digit time with no colon and no zone ("At 0649"): could be a year.
    pub bare: bool,
}

/// The date part of a timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatePart {
    /// A complete date whose reading is certain (ISO, or a month name with a year).
    Full(Date),
    /// A month and day with no year ("Oct 12", "June 27th").
    MonthDay {
        /// Month, 1-12.
        month: i8,
        /// Day of the month, 1-31, valid for the month in some year.
        day: i8,
    },
    /// A numeric date such as `05/07/2024` or `12/8`: the day/month order is decided by
    /// the caller from the whole document. `year` is four digits when present.
    Numeric {
        /// The first number written, 1-31.
        first: i8,
        /// The second number written, 1-31.
        second: i8,
        /// The year, expanded to four digits, when written.
        year: Option<i16>,
    },
}

/// A time of day as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeOfDay {
    /// Hour on the 24-hour clock (a written "pm" has already been applied).
    pub hour: i8,
    /// Minute, 0-59.
    pub minute: i8,
    /// Seconds, when written.
    pub second: Option<i8>,
    /// Whether "am"/"pm" was written: the hour of a 12-hour clock is then certain.
    pub meridiem: bool,
}

/// A zone written in the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZoneMention {
    /// UTC, GMT, Z, "UTC+0".
    Utc,
    /// A fixed offset: numeric (`+02:00`, `UTC+2`) or an abbreviation that names one
    /// (`PST`, `CEST`). `name` is the text as written.
    Fixed {
        /// The zone as written ("PST", "UTC+2", "-0500").
        name: String,
        /// The offset it names.
        offset: Offset,
    },
    /// A region whose offset depends on the date ("central", "Pacific Time", "CLT",
    /// `Europe/Paris`): `tz` is the IANA name.
    Region {
        /// The zone as written ("central", "CLT", "Europe/Paris").
        name: String,
        /// The canonical IANA name ("America/Chicago").
        tz: String,
    },
    /// Something written where a zone goes that is not known ("XYZT").
    Unknown(String),
}

impl ZoneMention {
    /// The offset in force at the given wall-clock time, when the zone is known.
    ///
    /// For a region, a wall time inside a DST gap or fold is resolved the way jiff's
    /// "compatible" disambiguation does (gap: the later offset; fold: the earlier).
    pub fn offset_at(&self, wall: DateTime) -> Option<Offset> {
        match self {
            ZoneMention::Utc => Some(Offset::UTC),
            ZoneMention::Fixed { offset, .. } => Some(*offset),
            ZoneMention::Region { tz, .. } => {
                let zone = TimeZone::get(tz).ok()?;
                let zoned = zone.to_ambiguous_zoned_datetime(wall).compatible().ok()?;
                Some(zoned.offset())
            }
            ZoneMention::Unknown(_) => None,
        }
    }

    /// The name to report as the document's timezone: "UTC", an IANA name, or "±HH:MM".
    pub fn display_name(&self) -> String {
        match self {
            ZoneMention::Utc => "UTC".to_string(),
            ZoneMention::Fixed { name, offset } => {
                // Abbreviations ("PST", "Pacific Standard Time") are reported as
                // written; anything with a sign or digits in it is a numeric offset,
                // reported in one canonical shape whatever way it was written.
                if name.bytes().all(|c| c.is_ascii_alphabetic() || c == b' ') {
                    name.clone()
                } else {
                    format_offset(*offset)
                }
            }
            ZoneMention::Region { tz, .. } => tz.clone(),
            ZoneMention::Unknown(name) => name.clone(),
        }
    }
}

/// Finds every timestamp in `text`, in order of position, without overlaps.
pub fn find(text: &str) -> Vec<Found> {
    let scan = Scan::new(text);
    let mut out = Vec::new();
    let mut i = 0;
    // Position of the next ASCII digit at or after `i` (or the end).
    let mut next_digit = 0;
    while i < scan.b.len() {
        let c = scan.b[i];
        if next_digit < i {
            next_digit = scan.b[i..]
                .iter()
                .position(u8::is_ascii_digit)
                .map_or(scan.b.len(), |p| i + p);
        }
        // Only try where a token starts: this keeps the number of attempts linear and
        // stops us from reading "2017" out of "OTG0150847" or "v2017". A token that
        // starts with a letter ("June", "around", "Friday") is only worth a full parse
        // when a digit follows soon, or when it may be "noon"/"midnight".
        if c.is_ascii_alphabetic() {
            let len = scan.b[i..]
                .iter()
                .take_while(|b| b.is_ascii_alphabetic())
                .count();
            let worth_trying = (next_digit - i <= LETTER_START_REACH
                || may_be_named_time(&scan.b[i..]))
                && starts_a_timestamp_word(&scan.b[i..i + len])
                && !scan.alnum_before(i);
            if worth_trying
                && let Some(found) = scan.parse_at(i, false)
                && found.end > i
            {
                i = found.end;
                out.push(found);
                continue;
            }
            // No timestamp starts inside a word: skip the rest of its letters.
            i += len;
            continue;
        }
        let worth_trying = c.is_ascii_digit() || c == b'~';
        if worth_trying
            && !scan.alnum_before(i)
            && let Some(found) = scan.parse_at(i, false)
            && found.end > i
        {
            i = found.end;
            out.push(found);
            continue;
        }
        i += 1;
    }
    out
}

/// How far after a word a timestamp that starts with that word ("Wednesday, June 26th,
/// 2019", "approximately 13:00") has its first digit, at most.
const LETTER_START_REACH: usize = 48;

/// Whether `word` (a run of letters) is one a timestamp can open with: a
/// month or weekday name, a word of approximation, "ca", "noon", "midnight" or "at".
/// Most words of a document are none of these, and ruling them out here spares a full
/// parse attempt at each.
fn starts_a_timestamp_word(word: &[u8]) -> bool {
    // "approximately", the longest of them, has 13 letters; "at" and "ca", the shortest, 2.
    if !(2..=13).contains(&word.len()) {
        return false;
    }
    let is = |w: &str| word.eq_ignore_ascii_case(w.as_bytes());
    MONTHS.iter().any(|m| is(m.0))
        || WEEKDAYS.iter().any(|d| is(d.0))
        || APPROX_WORDS.iter().any(|w| is(w))
        || ["ca", "noon", "midnight", "at"].iter().any(|w| is(w))
}

/// "noon" and "midnight" are times without digits; "at" can introduce them.
fn may_be_named_time(rest: &[u8]) -> bool {
    let starts = |w: &[u8]| rest.len() >= w.len() && rest[..w.len()].eq_ignore_ascii_case(w);
    starts(b"noon") || starts(b"midnight") || starts(b"at ")
}

/// Recognises a sentence that declares the zone of the whole document:
/// "All times central.", "All times in UTC", "Times are PDT", "(all times UTC)".
pub fn zone_declaration(text: &str) -> Option<ZoneMention> {
    let tokens = declaration_tokens(text);
    let word = |k: usize| tokens.get(k).map_or("", |t| t.text);
    let is = |k: usize, options: &[&str]| options.iter().any(|o| word(k).eq_ignore_ascii_case(o));

    for (i, token) in tokens.iter().enumerate() {
        // Two shapes of declaration: "[all] times|timestamps ... ZONE" and
        // "time zone|timezone: ZONE". Without "all" the keyword must open a sentence,
        // so that "restarted three times in CET" is not taken for a declaration.
        let after_keyword = if is(i, &["times", "timestamps"]) {
            let qualified = token.sentence_start
                || (i >= 1 && is(i - 1, &["all"]))
                || (i >= 2 && is(i - 1, &["and"]) && is(i - 2, &["dates"]));
            if !qualified {
                continue;
            }
            i + 1
        } else if is(i, &["timezone", "tz"]) || (is(i, &["time"]) && is(i + 1, &["zone"])) {
            let qualified = token.sentence_start || (i >= 1 && is(i - 1, &["the", "all"]));
            if !qualified {
                continue;
            }
            if is(i, &["time"]) { i + 2 } else { i + 1 }
        } else {
            continue;
        };

        let mut j = after_keyword;
        for _ in 0..8 {
            let Some(first) = tokens.get(j) else { break };
            // The zone must be in the same sentence, though it may follow a colon or be
            // in parentheses: "Timezone: UTC", "All times are local time (CST)."
            if first.sentence_start && !first.soft_boundary {
                break;
            }
            // Longest first, so that "Pacific Time" wins over "Pacific".
            for len in (1..=3).rev() {
                let Some(last) = tokens.get(j + len - 1) else {
                    continue;
                };
                let joined_by_spaces = tokens[j + 1..j + len].iter().all(|t| !t.sentence_start)
                    && tokens[j..j + len].windows(2).all(|w| {
                        text.get(w[0].end..w[1].start)
                            .is_some_and(|between| between.bytes().all(|c| c == b' '))
                    });
                if !joined_by_spaces {
                    continue;
                }
                if let Some(zone) = text.get(first.start..last.end).and_then(parse_zone) {
                    return Some(zone);
                }
            }
            if !is(j, DECLARATION_FILLERS) {
                break;
            }
            j += 1;
        }
    }
    None
}

/// Parses a zone name on its own ("UTC", "PST", "America/Chicago", "+02:00", "central").
pub fn parse_zone(name: &str) -> Option<ZoneMention> {
    let mut t = name.trim();
    if let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        t = inner.trim();
    }
    if t.is_empty() || t.len() > 64 {
        return None;
    }
    let upper = t.to_ascii_uppercase();
    if matches!(upper.as_str(), "UTC" | "GMT" | "Z" | "ZULU" | "UT") {
        return Some(ZoneMention::Utc);
    }
    // "UTC+2", "GMT-05:00" and bare "+02:00": the whole text must be the offset.
    let sign_at = if upper.starts_with("UTC") || upper.starts_with("GMT") {
        3
    } else {
        0
    };
    if matches!(t.as_bytes().get(sign_at), Some(b'+' | b'-')) {
        let scan = Scan::new(t);
        let (seconds, end) = scan.signed_offset(sign_at, OffsetForms::Any)?;
        return if end == t.len() {
            offset_zone(t, seconds)
        } else {
            None
        };
    }
    if let Some(seconds) = fixed_abbreviation(&upper) {
        return fixed_zone(t, seconds);
    }
    if let Some(tz) = region_abbreviation(&upper) {
        return Some(region_zone(t, tz));
    }
    // Region words, alone or as "... Time" / "... Standard Time".
    let lower = t.to_ascii_lowercase();
    let mut words: Vec<&str> = lower.split_whitespace().collect();
    // "US Pacific", "US Eastern Time": the country names which Pacific.
    if words.len() > 1 && words[0] == "us" {
        words.remove(0);
    }
    if let Some(&(_, tz, standard, daylight)) = words
        .first()
        .and_then(|w| REGION_WORDS.iter().find(|r| r.0 == *w))
    {
        match words[1..] {
            [] | ["time"] => return Some(region_zone(t, tz)),
            ["standard", "time"] => return fixed_zone(t, standard),
            ["daylight", "time"] => return fixed_zone(t, daylight),
            _ => return None,
        }
    }
    // Literal IANA names. Requiring a slash keeps words like "Japan" or "Cuba" (which
    // are valid legacy names in the database) from being read as zones.
    if t.contains('/')
        && t.bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"/_+-".contains(&c))
        && let Ok(zone) = TimeZone::get(t)
    {
        let tz = zone.iana_name().unwrap_or(t).to_string();
        return Some(region_zone(t, &tz));
    }
    None
}

/// Parses a date given on its own, as in front matter ("2017-12-08", "Oct 12, 2017",
/// "2017-12-08T14:45:00Z"). Returns `None` for anything that is not a real date
/// ("30/30/30").
pub fn parse_date(text: &str) -> Option<DatePart> {
    let mut t = text.trim();
    // Front matter values are sometimes quoted; the quotes are not part of the date.
    for quote in ['"', '\''] {
        if let Some(inner) = t.strip_prefix(quote).and_then(|r| r.strip_suffix(quote)) {
            t = inner.trim();
        }
    }
    if t.is_empty() {
        return None;
    }
    let scan = Scan::new(t);
    // The whole string is the date, so a year-less "12/8" needs no further cue.
    let found = scan.date_first(0, 0, false, true)?;
    if found.end == t.len() {
        found.date
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------
// Tables.
// ---------------------------------------------------------------------------------
