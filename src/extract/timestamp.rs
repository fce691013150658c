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
        let worth_trying = c.is_ascii_digit()
            || c == b'~'
            || (c.is_ascii_alphabetic()
                && (next_digit - i <= LETTER_START_REACH || may_be_named_time(&scan.b[i..])));
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
    let words: Vec<&str> = lower.split_whitespace().collect();
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

const HOUR: i32 = 3600;

/// Abbreviations that name one fixed offset. CST is US Central Standard Time: a
/// postmortem written in China Standard Time would be misread, but US usage is far
/// more common in the documents we ingest and the caller can override it.
const FIXED_ABBREVIATIONS: &[(&str, i32)] = &[
    ("PST", -8 * HOUR),
    ("PDT", -7 * HOUR),
    ("MST", -7 * HOUR),
    ("MDT", -6 * HOUR),
    ("CST", -6 * HOUR),
    ("CDT", -5 * HOUR),
    ("EST", -5 * HOUR),
    ("EDT", -4 * HOUR),
    ("AKST", -9 * HOUR),
    ("AKDT", -8 * HOUR),
    ("HST", -10 * HOUR),
    ("AST", -4 * HOUR),
    ("ADT", -3 * HOUR),
    ("NST", -3 * HOUR - 1800),
    ("NDT", -2 * HOUR - 1800),
    ("BST", HOUR),
    ("IST", 5 * HOUR + 1800),
    ("CET", HOUR),
    ("CEST", 2 * HOUR),
    ("EET", 2 * HOUR),
    ("EEST", 3 * HOUR),
    ("WET", 0),
    ("WEST", HOUR),
    ("MSK", 3 * HOUR),
    ("JST", 9 * HOUR),
    ("KST", 9 * HOUR),
    ("HKT", 8 * HOUR),
    ("SGT", 8 * HOUR),
    ("AEST", 10 * HOUR),
    ("AEDT", 11 * HOUR),
    ("ACST", 9 * HOUR + 1800),
    ("ACDT", 10 * HOUR + 1800),
    ("AWST", 8 * HOUR),
    ("NZST", 12 * HOUR),
    ("NZDT", 13 * HOUR),
    ("BRT", -3 * HOUR),
    ("ART", -3 * HOUR),
    ("CLST", -3 * HOUR),
    ("SAST", 2 * HOUR),
    ("WIB", 7 * HOUR),
    ("PHT", 8 * HOUR),
    ("ICT", 7 * HOUR),
    ("PKT", 5 * HOUR),
    ("EAT", 3 * HOUR),
    ("CAT", 2 * HOUR),
    ("WAT", HOUR),
];

/// Abbreviations people use for a region's local time all year round, whose offset
/// therefore depends on the date. CLT is officially Chile's winter time, but writers
/// use it for "Chile local time" in summer too.
const REGION_ABBREVIATIONS: &[(&str, &str)] = &[
    ("CLT", "America/Santiago"),
    ("PT", "America/Los_Angeles"),
    ("ET", "America/New_York"),
    ("CT", "America/Chicago"),
    ("MT", "America/Denver"),
];

/// US region words: (word, IANA zone, standard offset, daylight offset).
const REGION_WORDS: &[(&str, &str, i32, i32)] = &[
    ("pacific", "America/Los_Angeles", -8 * HOUR, -7 * HOUR),
    ("mountain", "America/Denver", -7 * HOUR, -6 * HOUR),
    ("central", "America/Chicago", -6 * HOUR, -5 * HOUR),
    ("eastern", "America/New_York", -5 * HOUR, -4 * HOUR),
];

/// First components of IANA names we look for in running text.
const IANA_AREAS: &[&str] = &[
    "Africa",
    "America",
    "Antarctica",
    "Arctic",
    "Asia",
    "Atlantic",
    "Australia",
    "Europe",
    "Indian",
    "Pacific",
    "Etc",
    "US",
    "Canada",
    "Brazil",
    "Chile",
    "Mexico",
];

/// Upper-case words ending in T that often follow a time in logs and prose ("16:13
/// IT", "10:00 ALERT") but are not zones, so they must not become `Unknown` zones.
const NOT_ZONES: &[&str] = &[
    "AT", "IT", "DT", "ACT", "AFT", "BIT", "BOT", "BUT", "CUT", "DOT", "FIT", "GET", "GOT", "HIT",
    "HOT", "KIT", "LET", "LOT", "NET", "NOT", "OUT", "PAT", "POT", "PUT", "SAT", "SET", "SIT",
    "TOT", "YET", "BEAT", "BEST", "BOOT", "CERT", "DEPT", "DIRT", "EAST", "EDIT", "EXIT", "FAST",
    "FEET", "FELT", "GIFT", "HEAT", "HOST", "HUNT", "INIT", "JUST", "KEPT", "LAST", "LEFT", "LIST",
    "LOST", "MEET", "MOST", "MUST", "NEXT", "PART", "PAST", "PORT", "POST", "QUIT", "REST", "ROOT",
    "SEAT", "SENT", "SHOT", "SLOT", "SOFT", "SORT", "SPOT", "TEST", "TEXT", "UNIT", "WAIT", "WANT",
    "WENT", "ABORT", "ADMIT", "ALERT", "COUNT", "DRIFT", "EIGHT", "EVENT", "FAULT", "FIRST",
    "FLEET", "HEART", "INPUT", "LIGHT", "NIGHT", "POINT", "PRINT", "REACT", "RESET", "RIGHT",
    "SHIFT", "SHORT", "SMART", "SPLIT", "START", "TIGHT",
];

const MONTHS: &[(&str, i8, bool)] = &[
    ("january", 1, false),
    ("jan", 1, true),
    ("february", 2, false),
    ("feb", 2, true),
    ("march", 3, false),
    ("mar", 3, true),
    ("april", 4, false),
    ("apr", 4, true),
    ("may", 5, false),
    ("june", 6, false),
    ("jun", 6, true),
    ("july", 7, false),
    ("jul", 7, true),
    ("august", 8, false),
    ("aug", 8, true),
    ("september", 9, false),
    ("sept", 9, true),
    ("sep", 9, true),
    ("october", 10, false),
    ("oct", 10, true),
    ("november", 11, false),
    ("nov", 11, true),
    ("december", 12, false),
    ("dec", 12, true),
];

const WEEKDAYS: &[(&str, Weekday, bool)] = &[
    ("monday", Weekday::Monday, false),
    ("mon", Weekday::Monday, true),
    ("tuesday", Weekday::Tuesday, false),
    ("tues", Weekday::Tuesday, true),
    ("tue", Weekday::Tuesday, true),
    ("wednesday", Weekday::Wednesday, false),
    ("weds", Weekday::Wednesday, true),
    ("wed", Weekday::Wednesday, true),
    ("thursday", Weekday::Thursday, false),
    ("thurs", Weekday::Thursday, true),
    ("thur", Weekday::Thursday, true),
    ("thu", Weekday::Thursday, true),
    ("friday", Weekday::Friday, false),
    ("fri", Weekday::Friday, true),
    ("saturday", Weekday::Saturday, false),
    ("sat", Weekday::Saturday, true),
    ("sunday", Weekday::Sunday, false),
    ("sun", Weekday::Sunday, true),
];

/// Words that mark the following time as approximate. "ca" only counts with its period.
const APPROX_WORDS: &[&str] = &[
    "around",
    "approximately",
    "approx",
    "about",
    "roughly",
    "circa",
];

/// Words before a year-less numeric date that make it clearly a date ("on 12/8").
const DATE_CUES: &[&str] = &["on", "from", "since", "until", "till", "til", "by"];

/// Words before a four-digit number that make it a time even without a zone ("at 0649").
const BARE_CUES: &[&str] = &["at", "until", "till", "til", "from", "by"];

/// Nouns that number things ("step 2a", "figure 3p"): a glued single-letter a/p after
/// them is a label, not a time.
const ENUMERATION_WORDS: &[&str] = &[
    "step",
    "steps",
    "section",
    "item",
    "option",
    "figure",
    "fig",
    "table",
    "phase",
    "part",
    "chapter",
    "level",
    "tier",
    "room",
    "floor",
    "page",
    "line",
    "case",
    "issue",
    "version",
    "stage",
    "grade",
    "class",
    "type",
    "model",
    "rack",
    "row",
    "slot",
    "bay",
    "unit",
    "appendix",
    "exhibit",
    "note",
    "question",
    "rule",
    "article",
    "paragraph",
    "clause",
    "point",
    "task",
    "ticket",
    "lane",
    "gate",
    "building",
    "track",
    "sheet",
    "sample",
];

/// Words allowed between "all times" and the zone in a declaration.
const DECLARATION_FILLERS: &[&str] = &[
    "are",
    "is",
    "in",
    "shown",
    "given",
    "listed",
    "reported",
    "expressed",
    "displayed",
    "written",
    "noted",
    "stated",
    "as",
    "local",
    "time",
    "the",
    "this",
    "document",
    "report",
    "postmortem",
    "timeline",
    "below",
    "above",
    "here",
    "approximate",
    "approximately",
];

/// How far a gap between two parts of a timestamp may stretch, in bytes.
const MAX_GAP: usize = 40;
/// Longest word we ever need to read; anything longer is not one of ours.
const MAX_WORD: usize = 40;
/// Longest digit run we ever need to read; longer runs are ids, not timestamps.
const MAX_DIGITS: usize = 8;

fn format_offset(offset: Offset) -> String {
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

fn fixed_abbreviation(upper: &str) -> Option<i32> {
    FIXED_ABBREVIATIONS
        .iter()
        .find(|a| a.0 == upper)
        .map(|a| a.1)
}

fn region_abbreviation(upper: &str) -> Option<&'static str> {
    REGION_ABBREVIATIONS
        .iter()
        .find(|a| a.0 == upper)
        .map(|a| a.1)
}

fn fixed_zone(name: &str, seconds: i32) -> Option<ZoneMention> {
    Some(ZoneMention::Fixed {
        name: name.to_string(),
        offset: Offset::from_seconds(seconds).ok()?,
    })
}

/// A numeric offset of zero is plain UTC, however it was written ("UTC+0", "+00:00").
fn offset_zone(name: &str, seconds: i32) -> Option<ZoneMention> {
    if seconds == 0 {
        Some(ZoneMention::Utc)
    } else {
        fixed_zone(name, seconds)
    }
}

fn region_zone(name: &str, tz: &str) -> ZoneMention {
    ZoneMention::Region {
        name: name.to_string(),
        tz: tz.to_string(),
    }
}

/// Whether a name is written in a case we accept for month and weekday names:
/// "Oct", "OCT", "october". Lower-case abbreviations ("sat", "mar") and lower-case
/// "may" are too often ordinary words.
fn name_case_ok(written: &str, name: &str, abbreviation: bool) -> bool {
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
/// "pm" ("17:14pm") is kept as written.
fn apply_meridiem(hour: i8, meridiem: Option<Meridiem>) -> i8 {
    match meridiem {
        Some(Meridiem::Am) if (1..=12).contains(&hour) => hour % 12,
        Some(Meridiem::Pm) if (1..=11).contains(&hour) => hour + 12,
        _ => hour,
    }
}

/// Reads two-digit years the usual way: 70-99 are 19xx, the rest 20xx.
fn expand_year(two_digits: u32) -> i16 {
    let y = two_digits as i16;
    if y >= 70 { 1900 + y } else { 2000 + y }
}

// ---------------------------------------------------------------------------------
// The scanner.
// ---------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Meridiem {
    Am,
    Pm,
}

/// How a time was written, which decides how much context it needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OffsetForms {
    /// `+2`, `+02`, `+02:00`, `+0200`: after "UTC"/"GMT" or on its own.
    Any,
    /// `+02`, `+02:00`, `+0200` glued to a time; `-` only as `-0500` unless
    /// `minus_colon` (after seconds or an ISO `T` time, where a range is unlikely).
    Glued { minus_colon: bool },
    /// `+02:00`, `+0200`, `-0500` after a space: short forms read too much into "+10".
    Spaced,
}

#[derive(Clone, Debug)]
struct Num {
    end: usize,
    len: usize,
    value: u32,
}

/// A time of day as read, before context decides whether it counts.
#[derive(Clone, Debug)]
struct TimeHit {
    end: usize,
    hour: i8,
    minute: i8,
    second: Option<i8>,
    meridiem: Option<Meridiem>,
    shape: Shape,
    /// A four-digit time with an "h"/"hrs" suffix: clearly a time.
    marked: bool,
    zone: Option<ZoneMention>,
}

impl TimeHit {
    fn time_of_day(&self) -> TimeOfDay {
        TimeOfDay {
            hour: apply_meridiem(self.hour, self.meridiem),
            minute: self.minute,
            second: self.second,
        }
    }

    /// Whether a four-digit number needs a cue word before it to count as a time.
    fn needs_cue(&self) -> bool {
        self.shape == Shape::FourDigit && self.zone.is_none() && !self.marked
    }
}

/// A date as read.
#[derive(Clone, Debug)]
struct DateHit {
    end: usize,
    date: DatePart,
    /// A year-less numeric date: only a date with a cue ("on 12/8").
    needs_cue: bool,
    /// A day range such as "26-27 June 2019".
    range: bool,
    /// ISO `YYYY-MM-DD`, which may be followed by `T` and a time.
    iso: bool,
}

/// The time part of a timestamp after its range, zone and alternative rendition.
struct TimeTail {
    end: usize,
    time: TimeOfDay,
    zone: Option<ZoneMention>,
    range: bool,
}

struct Scan<'a> {
    s: &'a str,
    b: &'a [u8],
}

impl<'a> Scan<'a> {
    fn new(s: &'a str) -> Self {
        Scan { s, b: s.as_bytes() }
    }

    // ----- low-level reading -----

    /// The byte at `i`, or NUL past the end (NUL never matches anything we look for).
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }

    fn digit(&self, i: usize) -> bool {
        self.at(i).is_ascii_digit()
    }

    fn starts_with(&self, i: usize, pat: &str) -> bool {
        self.b
            .get(i..)
            .is_some_and(|rest| rest.starts_with(pat.as_bytes()))
    }

    fn slice(&self, start: usize, end: usize) -> &'a str {
        self.s.get(start..end).unwrap_or("")
    }

    fn prev_char(&self, i: usize) -> Option<char> {
        self.s.get(..i).and_then(|head| head.chars().next_back())
    }

    fn next_char(&self, i: usize) -> Option<char> {
        self.s.get(i..).and_then(|tail| tail.chars().next())
    }

    fn alnum_before(&self, i: usize) -> bool {
        self.prev_char(i).is_some_and(char::is_alphanumeric)
    }

    fn alnum_at(&self, i: usize) -> bool {
        self.next_char(i).is_some_and(char::is_alphanumeric)
    }

    /// A digit run of at most `MAX_DIGITS` starting at `i`; longer runs are rejected.
    fn num(&self, i: usize) -> Option<Num> {
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
    fn letters_end(&self, i: usize) -> Option<usize> {
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
    fn word_end(&self, i: usize) -> Option<usize> {
        let end = self.letters_end(i)?;
        (!self.alnum_at(end)).then_some(end)
    }

    /// The end of the word at `i` when it is one of `options` (ignoring case).
    fn word_in(&self, i: usize, options: &[&str]) -> Option<usize> {
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
    fn gap(&self, i: usize, wrap: bool) -> usize {
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
    fn dash(&self, i: usize) -> Option<usize> {
        if self.at(i) == b'-' {
            return Some(if self.at(i + 1) == b'-' { i + 2 } else { i + 1 });
        }
        if self.starts_with(i, "\u{2013}") || self.starts_with(i, "\u{2014}") {
            return Some(i + 3);
        }
        None
    }

    /// A range separator at `i`: a dash or "to", "until", "till", "through", "thru".
    fn range_sep(&self, i: usize) -> Option<usize> {
        self.dash(i)
            .or_else(|| self.word_in(i, &["to", "until", "till", "through", "thru"]))
    }

    /// Whether a number may start at `i`. Rejects the inside of versions (`v2.1.3`),
    /// addresses (`10.0.0.1`), paths (`issues/198`), ports (`x:8080`), offsets (`+02`),
    /// ids (`OTG-1234`) and thousands (`1,234`).
    fn num_start_ok(&self, i: usize) -> bool {
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
    fn iso_start_ok(&self, i: usize) -> bool {
        match self.prev_char(i) {
            None => true,
            Some(c) if c.is_alphanumeric() => false,
            Some('.' | '/' | '\\' | '+' | '#' | '$' | '%' | '=') => false,
            _ => true,
        }
    }

    /// Whether the word before `i` (skipping spacing, and approximation words when
    /// `skip_approx`) is one of `cues`.
    fn cue_before(&self, i: usize, cues: &[&str], skip_approx: bool) -> bool {
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
    fn back_gap(&self, i: usize) -> usize {
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
    fn back_word(&self, end: usize) -> Option<usize> {
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
    fn parse_at(&self, p: usize, force_cue: bool) -> Option<Found> {
        let (approx, q) = match self.approx_prefix(p) {
            Some(q) => (true, q),
            None => (false, p),
        };
        self.date_first(p, q, approx, force_cue)
            .or_else(|| self.time_first(p, q, approx))
    }

    /// "~", "around", "approximately", "approx.", "about", "roughly", "circa", "ca.".
    fn approx_prefix(&self, p: usize) -> Option<usize> {
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
    fn date_first(&self, p: usize, q: usize, approx: bool, force_cue: bool) -> Option<Found> {
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
    fn joined_time(&self, date_end: usize) -> Option<(TimeHit, bool, bool)> {
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
    fn time_first(&self, p: usize, q: usize, approx: bool) -> Option<Found> {
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
    fn date_after_time(&self, i: usize) -> Option<(usize, Option<Weekday>, DatePart)> {
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
    fn time_tail(&self, start: &TimeHit, with_date: bool, alternative: bool) -> TimeTail {
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
    fn range_end(
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
    fn alternative(&self, i: usize) -> Option<usize> {
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

    // ----- dates -----

    /// A date, optionally after a weekday ("Thursday 12/8/2017", "Tue, Jun 10, 2025").
    ///
    /// `after_dash` relaxes the number-start rule for the end of a glued range
    /// ("12/8-12/12/2017"), where a dash right after a digit is expected.
    fn date_with_weekday(&self, i: usize, after_dash: bool) -> Option<(Option<Weekday>, DateHit)> {
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

    fn date_at(&self, i: usize, after_dash: bool) -> Option<DateHit> {
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
    fn year_first_date(&self, i: usize) -> Option<DateHit> {
        if !self.iso_start_ok(i) {
            return None;
        }
        let year = self.num(i).filter(|n| n.len == 4)?;
        let sep = self.at(year.end);
        if !matches!(sep, b'-' | b'/' | b'.') {
            return None;
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
    fn numeric_date(&self, i: usize) -> Option<DateHit> {
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
        } else if sep != b'/' {
            // "12-8" and "3.4" are scores, ranges and decimals far more often than dates.
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
    fn month_first_date(&self, i: usize) -> Option<DateHit> {
        let (month, end) = self.month_word(i)?;
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
    fn day_first_date(&self, i: usize) -> Option<DateHit> {
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
    fn year_tail(&self, month: i8, day: i8, end: usize, range: bool) -> Option<DateHit> {
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
    fn zone_follows(&self, i: usize) -> bool {
        self.zone_after(i, false)
            .is_some_and(|(z, _)| !matches!(z, ZoneMention::Unknown(_)))
    }

    /// A month name at a word start, with the period of an abbreviation consumed.
    fn month_word(&self, i: usize) -> Option<(i8, usize)> {
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
    fn weekday_word(&self, i: usize) -> Option<(Weekday, usize)> {
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
    fn day_number(&self, i: usize) -> Option<(i8, usize)> {
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
    fn day_range(&self, i: usize, first: i8) -> Option<usize> {
        let j = self.gap(i, false);
        let k = self.dash(j)?;
        let k = self.gap(k, false);
        let (second, end) = self.day_number(k)?;
        (second > first).then_some(end)
    }

    /// A four-digit year that is not part of a longer number or a time.
    fn year_number(&self, i: usize) -> Option<(i16, usize)> {
        let n = self.num(i).filter(|n| n.len == 4)?;
        let e = n.end;
        if self.alnum_at(e)
            || (matches!(self.at(e), b':' | b'.' | b'/' | b'-') && self.digit(e + 1))
        {
            return None;
        }
        Some((n.value as i16, e))
    }

    // ----- times -----

    /// A time of day at `i`, with its am/pm and zone. `iso` reads the time after a `T`
    /// (two-digit hour, no am/pm, any offset). `check_start` applies the number-start
    /// rules; a range end after a glued dash skips them.
    fn time_at(&self, i: usize, iso: bool, check_start: bool) -> Option<TimeHit> {
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

    /// "noon" and "midnight", only after "at" (or as a range end) so that "midnight
    /// deploys" is not read as a time.
    fn word_time(&self, i: usize, range_end: bool) -> Option<TimeHit> {
        let end = self.word_in(i, &["noon", "midnight"])?;
        if !range_end && !self.cue_before(i, &["at"], false) {
            return None;
        }
        let hour = if self.slice(i, end).eq_ignore_ascii_case("noon") {
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

    /// "am", "PM", "a.m.", "p.m." (glued or after a space); "a" and "p" only glued.
    fn meridiem(&self, i: usize) -> Option<(Meridiem, usize)> {
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
    fn hour_suffix(&self, i: usize) -> Option<usize> {
        let end = self.word_end(i)?;
        matches!(self.slice(i, end), "h" | "hr" | "hrs").then_some(end)
    }

    // ----- zones -----

    /// A zone written right after a time: glued ("14:45Z", "3:30PST", "+02:00") or
    /// after spaces ("16:13 UTC", "(UTC)", "-0500"). `minus_colon` accepts "-05:00"
    /// glued, which after a plain "8:00" would rather be a range ("8:00-08:30").
    fn zone_after(&self, i: usize, minus_colon: bool) -> Option<(ZoneMention, usize)> {
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
    fn zone_word(&self, i: usize, bare_words: bool) -> Option<(ZoneMention, usize)> {
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
    fn iana_name(&self, i: usize) -> Option<(ZoneMention, usize)> {
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
    fn signed_offset(&self, i: usize, forms: OffsetForms) -> Option<(i32, usize)> {
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
struct DeclToken<'a> {
    text: &'a str,
    start: usize,
    end: usize,
    /// Nothing but spacing separates it from the start of the text, a sentence end,
    /// an opening parenthesis, a colon or a line break.
    sentence_start: bool,
    /// The boundary before it is an opening parenthesis or a colon, which may sit
    /// inside a declaration.
    soft_boundary: bool,
}

/// Splits text into words that may hold a zone name ("UTC+2", "America/Chicago",
/// "+02:00"). Sentence punctuation is not part of a word.
fn declaration_tokens(text: &str) -> Vec<DeclToken<'_>> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// The single timestamp in `text`, failing loudly when there is not exactly one.
    fn one(text: &str) -> Found {
        let found = find(text);
        assert_eq!(
            found.len(),
            1,
            "expected one timestamp in {text:?}, got {found:#?}"
        );
        found[0].clone()
    }

    fn span<'a>(text: &'a str, found: &Found) -> &'a str {
        &text[found.start..found.end]
    }

    fn hm(hour: i8, minute: i8) -> Option<TimeOfDay> {
        Some(TimeOfDay {
            hour,
            minute,
            second: None,
        })
    }

    fn hms(hour: i8, minute: i8, second: i8) -> Option<TimeOfDay> {
        Some(TimeOfDay {
            hour,
            minute,
            second: Some(second),
        })
    }

    fn full(y: i16, m: i8, d: i8) -> Option<DatePart> {
        Some(DatePart::Full(date(y, m, d)))
    }

    fn numeric(first: i8, second: i8, year: Option<i16>) -> Option<DatePart> {
        Some(DatePart::Numeric {
            first,
            second,
            year,
        })
    }

    fn month_day(month: i8, day: i8) -> Option<DatePart> {
        Some(DatePart::MonthDay { month, day })
    }

    fn fixed(name: &str, seconds: i32) -> Option<ZoneMention> {
        Some(ZoneMention::Fixed {
            name: name.to_string(),
            offset: Offset::from_seconds(seconds).expect("test offset is valid"),
        })
    }

    fn region(name: &str, tz: &str) -> Option<ZoneMention> {
        Some(ZoneMention::Region {
            name: name.to_string(),
            tz: tz.to_string(),
        })
    }

    /// Asserts that `text` is recognised whole as one timestamp and returns it.
    fn whole(text: &str) -> Found {
        let found = one(text);
        assert_eq!(span(text, &found), text, "span of {text:?}");
        found
    }

    fn nothing_in(text: &str) {
        let found = find(text);
        assert!(
            found.is_empty(),
            "expected nothing in {text:?}, got {found:#?}"
        );
    }

    // ----- ISO dates and datetimes -----

    #[test]
    fn iso_date_is_a_full_date() {
        let f = whole("2017-12-08");
        assert_eq!(f.date, full(2017, 12, 8));
        assert_eq!(f.time, None);
        assert_eq!(f.zone, None);
    }

    #[test]
    fn iso_datetime_with_z_is_utc() {
        let f = whole("2017-12-08T14:45Z");
        assert_eq!(f.date, full(2017, 12, 8));
        assert_eq!(f.time, hm(14, 45));
        assert_eq!(f.zone, Some(ZoneMention::Utc));
    }

    #[test]
    fn iso_datetime_with_seconds_and_offset_keeps_the_offset() {
        let f = whole("2017-12-08T14:45:00+02:00");
        assert_eq!(f.time, hms(14, 45, 0));
        assert_eq!(f.zone, fixed("+02:00", 7200));
    }

    #[test]
    fn iso_datetime_with_negative_offset_is_not_a_range() {
        let f = whole("2017-12-08T14:45:00-05:00");
        assert_eq!(f.zone, fixed("-05:00", -5 * 3600));
        assert!(!f.range);
    }

    #[test]
    fn iso_datetime_with_fractional_seconds_is_one_timestamp() {
        let f = whole("2017-12-08T14:45:00.123Z");
        assert_eq!(f.time, hms(14, 45, 0));
        assert_eq!(f.zone, Some(ZoneMention::Utc));
        let f = whole("2017-12-08T14:45:00.123456789-06:00");
        assert_eq!(f.zone, fixed("-06:00", -6 * 3600));
        assert_eq!(whole("2024-07-05 20:47:13,123").time, hms(20, 47, 13));
    }

    #[test]
    fn iso_date_and_time_separated_by_a_space_are_one_timestamp() {
        let f = whole("2017-12-08 14:45");
        assert_eq!(f.date, full(2017, 12, 8));
        assert_eq!(f.time, hm(14, 45));
        let f = whole("2021-08-26 08:22");
        assert_eq!(f.date, full(2021, 8, 26));
        assert_eq!(f.time, hm(8, 22));
    }

    #[test]
    fn iso_date_with_twelve_hour_time_is_converted() {
        assert_eq!(whole("2017-12-08 2:45pm").time, hm(14, 45));
        assert_eq!(whole("2017-12-08 4pm").time, hm(16, 0));
        assert_eq!(whole("2017-12-11 9:00am").time, hm(9, 0));
    }

    #[test]
    fn twenty_four_hour_time_with_a_stray_pm_keeps_its_hour() {
        let f = whole("2018-01-17 17:14pm");
        assert_eq!(f.time, hm(17, 14));
    }

    #[test]
    fn iso_date_joined_to_a_time_by_at_is_one_timestamp() {
        let f = whole("2017-12-08 at 4pm");
        assert_eq!(f.date, full(2017, 12, 8));
        assert_eq!(f.time, hm(16, 0));
    }

    #[test]
    fn iso_date_in_a_rst_heading_is_found_without_the_underline() {
        let text = "2017-12-08 2:45pm\n^^^^^^^^^^^^^^^^^\n\nWe recognized problems.";
        let f = one(text);
        assert_eq!(span(text, &f), "2017-12-08 2:45pm");
    }

    #[test]
    fn iso_date_at_the_start_of_a_file_name_is_a_date() {
        let text = "incidents/x/incident-2017-12-08.md";
        // A date inside a path component after a slash is not taken...
        nothing_in("see blog/2017/12/08/post");
        // ...but one glued to a name with a dash is.
        let f = one(text);
        assert_eq!(f.date, full(2017, 12, 8));
    }

    #[test]
    fn slashed_year_first_date_is_a_full_date() {
        assert_eq!(whole("2017/12/08").date, full(2017, 12, 8));
        assert_eq!(whole("2017.12.08").date, full(2017, 12, 8));
    }

    #[test]
    fn calendar_versions_are_not_dates() {
        nothing_in("upgraded to 2024.1.2 yesterday");
        nothing_in("build 2024.07.05-1 shipped");
    }

    #[test]
    fn invalid_iso_dates_are_not_dates() {
        nothing_in("2017-02-30");
        nothing_in("2017-13-01");
        nothing_in("2019-02-29");
        assert_eq!(whole("2020-02-29").date, full(2020, 2, 29));
    }

    // ----- numeric dates -----

    #[test]
    fn slashed_date_with_year_is_numeric_with_order_undecided() {
        let f = whole("12/8/2017");
        assert_eq!(f.date, numeric(12, 8, Some(2017)));
    }

    #[test]
    fn numeric_date_with_time_is_one_timestamp() {
        let f = whole("05/07/2024 23:59");
        assert_eq!(f.date, numeric(5, 7, Some(2024)));
        assert_eq!(f.time, hm(23, 59));
        let f = whole("26/06/2019 15:08:36");
        assert_eq!(f.date, numeric(26, 6, Some(2019)));
        assert_eq!(f.time, hms(15, 8, 36));
    }

    #[test]
    fn dashed_and_dotted_numeric_dates_are_numeric() {
        let f = whole("17-09-2024 10:30");
        assert_eq!(f.date, numeric(17, 9, Some(2024)));
        assert_eq!(f.time, hm(10, 30));
        assert_eq!(whole("03-08-2024").date, numeric(3, 8, Some(2024)));
        assert_eq!(whole("03.08.2024").date, numeric(3, 8, Some(2024)));
    }

    #[test]
    fn two_digit_years_are_expanded_around_1970() {
        assert_eq!(whole("12/07/24").date, numeric(12, 7, Some(2024)));
        assert_eq!(whole("12/07/99").date, numeric(12, 7, Some(1999)));
        assert_eq!(whole("12/07/70").date, numeric(12, 7, Some(1970)));
        assert_eq!(whole("12/07/69").date, numeric(12, 7, Some(2069)));
    }

    #[test]
    fn dotted_two_digit_years_are_not_dates_because_they_look_like_versions() {
        nothing_in("python 3.10.12 is installed");
    }

    #[test]
    fn year_less_numeric_date_after_on_is_a_date() {
        let text = "Due to a power outage on 12/8, some hosts failed.";
        let f = one(text);
        assert_eq!(span(text, &f), "12/8");
        assert_eq!(f.date, numeric(12, 8, None));
    }

    #[test]
    fn year_less_numeric_date_after_each_cue_word_is_a_date() {
        for cue in ["on", "On", "from", "since", "until", "by"] {
            let text = format!("{cue} 12/12 we waited");
            assert_eq!(one(&text).date, numeric(12, 12, None), "{text}");
        }
    }

    #[test]
    fn year_less_numeric_date_after_a_weekday_is_a_date() {
        let f = whole("Thursday, 12/8");
        assert_eq!(f.date, numeric(12, 8, None));
        assert_eq!(f.weekday, Some(Weekday::Thursday));
    }

    #[test]
    fn year_less_numeric_date_followed_by_a_time_is_a_date() {
        let f = whole("12/8 14:00");
        assert_eq!(f.date, numeric(12, 8, None));
        assert_eq!(f.time, hm(14, 0));
    }

    #[test]
    fn year_less_numeric_date_starting_a_range_is_a_date() {
        let text = "From 12/8 - 12/12/2017, VM instances were unreachable.";
        let f = one(text);
        assert_eq!(span(text, &f), "12/8 - 12/12/2017");
        assert_eq!(f.date, numeric(12, 8, None));
        assert!(f.range);
    }

    #[test]
    fn glued_numeric_date_range_is_one_range() {
        let f = whole("12/8-12/12/2017");
        assert_eq!(f.date, numeric(12, 8, None));
        assert!(f.range);
    }

    #[test]
    fn year_less_numeric_date_without_a_cue_is_not_a_date() {
        nothing_in("we saw 12/12 of the hosts fail");
        nothing_in("a 12/8 split");
    }

    #[test]
    fn fractions_and_ratios_are_not_dates() {
        nothing_in("we provide 24/7 support");
        nothing_in("add 1/2 cup and 3/4 of the rest");
        nothing_in("1/2 - 3/4");
    }

    #[test]
    fn numeric_dates_with_impossible_parts_are_rejected() {
        nothing_in("30/30/30");
        nothing_in("13/13/2020");
        nothing_in("0/5/2020");
        nothing_in("5/0/2020");
        nothing_in("32/1/2020");
        nothing_in("31/2/2020 and 2/31/2020");
    }

    #[test]
    fn numeric_date_with_day_over_twelve_is_still_numeric() {
        assert_eq!(whole("26/06/2019").date, numeric(26, 6, Some(2019)));
        assert_eq!(whole("06/26/2019").date, numeric(6, 26, Some(2019)));
    }

    #[test]
    fn versions_addresses_and_paths_are_not_dates_or_times() {
        nothing_in("upgraded to v2.1.3 today");
        nothing_in("the IP was 139.229.170.30 on azar01");
        nothing_in("route 10.0.0.1 via 192.168.1.254");
        nothing_in("see /r/shakespeare and issues/198");
        nothing_in("open http://x:8080/a and localhost:8080");
        nothing_in("version 1.2:3 shipped");
        nothing_in("ticket OTG0150847 and OTG-2024");
    }

    // ----- month names -----

    #[test]
    fn abbreviated_month_day_comma_year_is_a_full_date() {
        assert_eq!(whole("Oct 12, 2017").date, full(2017, 10, 12));
        assert_eq!(whole("Jun 10, 2025").date, full(2025, 6, 10));
    }

    #[test]
    fn full_month_names_and_ordinals_are_full_dates() {
        assert_eq!(whole("October 12, 2017").date, full(2017, 10, 12));
        assert_eq!(whole("June 27th, 2019").date, full(2019, 6, 27));
        assert_eq!(whole("August 1st 2019").date, full(2019, 8, 1));
        assert_eq!(whole("March 2nd, 2019").date, full(2019, 3, 2));
        assert_eq!(whole("April 3rd, 2019").date, full(2019, 4, 3));
    }

    #[test]
    fn day_before_month_is_a_full_date() {
        assert_eq!(whole("12 Oct 2017").date, full(2017, 10, 12));
        assert_eq!(whole("13 August, 2021").date, full(2021, 8, 13));
        assert_eq!(whole("5th of June 2019").date, full(2019, 6, 5));
    }

    #[test]
    fn day_month_comma_year_with_time_and_zone_is_one_timestamp() {
        let f = whole("11 Dec, 2017 09:00 CST");
        assert_eq!(f.date, full(2017, 12, 11));
        assert_eq!(f.time, hm(9, 0));
        assert_eq!(f.zone, fixed("CST", -6 * 3600));
    }

    #[test]
    fn comma_after_the_month_is_allowed() {
        assert_eq!(whole("December, 6 2022").date, full(2022, 12, 6));
    }

    #[test]
    fn sept_with_a_period_is_september() {
        assert_eq!(whole("Sept. 18th, 2017").date, full(2017, 9, 18));
        assert_eq!(whole("Dec. 1, 2017").date, full(2017, 12, 1));
    }

    #[test]
    fn month_day_year_without_comma_then_time_is_one_timestamp() {
        let f = whole("May 1 2019, 3:18 PM");
        assert_eq!(f.date, full(2019, 5, 1));
        assert_eq!(f.time, hm(15, 18));
    }

    #[test]
    fn month_and_day_without_year_is_month_day() {
        let text = "On June 10th, 2019, we were notified. On June 10th we were not.";
        let found = find(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].date, full(2019, 6, 10));
        assert_eq!(found[1].date, month_day(6, 10));
        assert_eq!(span(text, &found[1]), "June 10th");
    }

    #[test]
    fn month_day_must_exist_in_some_year() {
        assert_eq!(whole("Feb 29").date, month_day(2, 29));
        nothing_in("Feb 30");
        nothing_in("April 31");
        nothing_in("Feb 29, 2019");
        assert_eq!(whole("Feb 29, 2020").date, full(2020, 2, 29));
    }

    #[test]
    fn month_words_used_as_ordinary_words_are_not_dates() {
        nothing_in("May I ask");
        nothing_in("we may 2 times");
        nothing_in("May");
        nothing_in("in May the team grew");
        nothing_in("Jun 2019 was busy");
    }

    #[test]
    fn lower_case_march_with_a_number_may_match() {
        // Acceptable per the contract; documents the behaviour.
        assert_eq!(one("march 5 people").date, month_day(3, 5));
    }

    #[test]
    fn upper_case_month_names_are_accepted() {
        assert_eq!(whole("OCT 12, 2017").date, full(2017, 10, 12));
    }

    #[test]
    fn day_range_with_a_month_is_a_range_of_its_first_day() {
        let f = whole("26-27 June 2019");
        assert_eq!(f.date, full(2019, 6, 26));
        assert!(f.range);
        let f = whole("June 26-27, 2019");
        assert_eq!(f.date, full(2019, 6, 26));
        assert!(f.range);
    }

    #[test]
    fn four_digit_number_after_month_day_with_a_zone_is_a_time() {
        let f = whole("June 10 1500 UTC");
        assert_eq!(f.date, month_day(6, 10));
        assert_eq!(f.time, hm(15, 0));
        assert_eq!(f.zone, Some(ZoneMention::Utc));
    }

    #[test]
    fn month_date_range_with_to_is_a_range() {
        let f = whole("Oct 5 to Oct 7");
        assert_eq!(f.date, month_day(10, 5));
        assert!(f.range);
    }

    // ----- weekdays -----

    #[test]
    fn weekday_before_a_numeric_date_sets_weekday() {
        let f = whole("Thursday 12/8/2017");
        assert_eq!(f.weekday, Some(Weekday::Thursday));
        assert_eq!(f.date, numeric(12, 8, Some(2017)));
        let f = whole("Friday 03-08-2024");
        assert_eq!(f.weekday, Some(Weekday::Friday));
        assert_eq!(f.date, numeric(3, 8, Some(2024)));
    }

    #[test]
    fn weekday_with_comma_before_a_month_date_sets_weekday() {
        let f = whole("Wednesday, June 26th, 2019");
        assert_eq!(f.weekday, Some(Weekday::Wednesday));
        assert_eq!(f.date, full(2019, 6, 26));
        let f = whole("Tuesday, Jun 10, 2025");
        assert_eq!(f.weekday, Some(Weekday::Tuesday));
        let f = whole("Mon 5 Aug 2024");
        assert_eq!(f.weekday, Some(Weekday::Monday));
        assert_eq!(f.date, full(2024, 8, 5));
    }

    #[test]
    fn mismatched_weekday_is_reported_not_rejected() {
        // 2017-12-08 was a Friday; the caller warns, we only report what is written.
        let f = whole("Thursday 2017-12-08");
        assert_eq!(f.weekday, Some(Weekday::Thursday));
        assert_eq!(f.date, full(2017, 12, 8));
    }

    #[test]
    fn weekday_alone_is_not_a_timestamp() {
        nothing_in("on Thursday we met");
    }

    #[test]
    fn weekday_date_at_time_and_zone_is_one_timestamp() {
        let text = "On Thursday 12/8/2017 at 8:30pm CST, TACC experienced a power outage";
        let f = one(text);
        assert_eq!(span(text, &f), "Thursday 12/8/2017 at 8:30pm CST");
        assert_eq!(f.weekday, Some(Weekday::Thursday));
        assert_eq!(f.date, numeric(12, 8, Some(2017)));
        assert_eq!(f.time, hm(20, 30));
        assert_eq!(f.zone, fixed("CST", -6 * 3600));
    }

    #[test]
    fn rfc_2822_style_datetime_is_one_timestamp() {
        let f = whole("Thu, 12 Oct 2017 14:00:00 +0000");
        assert_eq!(f.weekday, Some(Weekday::Thursday));
        assert_eq!(f.date, full(2017, 10, 12));
        assert_eq!(f.time, hms(14, 0, 0));
        assert_eq!(f.zone, Some(ZoneMention::Utc));
    }

    // ----- dates joined with times -----

    #[test]
    fn date_at_four_digit_time_with_zone_is_one_timestamp() {
        let text = "A snapshot was made on June 26th, 2019 at 0121 UTC in preparation.";
        let f = one(text);
        assert_eq!(span(text, &f), "June 26th, 2019 at 0121 UTC");
        assert_eq!(f.date, full(2019, 6, 26));
        assert_eq!(f.time, hm(1, 21));
        assert_eq!(f.zone, Some(ZoneMention::Utc));
        assert!(!f.bare);
    }

    #[test]
    fn date_dash_time_is_one_timestamp_not_a_range() {
        let text = "Posted Oct 12, 2017 - 23:57 UTC\nUpdate";
        let f = one(text);
        assert_eq!(span(text, &f), "Oct 12, 2017 - 23:57 UTC");
        assert_eq!(f.date, full(2017, 10, 12));
        assert_eq!(f.time, hm(23, 57));
        assert_eq!(f.zone, Some(ZoneMention::Utc));
        assert!(!f.range);
    }

    #[test]
    fn time_then_on_then_date_is_one_timestamp() {
        let text = "At 0105 UTC on June 27th, 2019, the host went down.";
        let f = one(text);
        assert_eq!(span(text, &f), "0105 UTC on June 27th, 2019");
        assert_eq!(f.time, hm(1, 5));
        assert_eq!(f.zone, Some(ZoneMention::Utc));
        assert_eq!(f.date, full(2019, 6, 27));
    }

    #[test]
    fn time_then_on_weekday_date_sets_the_weekday() {
        let f = whole("06:00 UTC on Tuesday, Jun 10, 2025");
        assert_eq!(f.time, hm(6, 0));
        assert_eq!(f.date, full(2025, 6, 10));
        assert_eq!(f.weekday, Some(Weekday::Tuesday));
    }

    #[test]
    fn time_then_year_less_numeric_date_needs_on() {
        let f = whole("14:00 on 12/8");
        assert_eq!(f.date, numeric(12, 8, None));
        let text = "at 14:00 12/8 of them";
        let f = one(text);
        assert_eq!(span(text, &f), "14:00");
    }

    #[test]
    fn time_at_end_of_line_does_not_grab_a_date_on_the_next_line() {
        let text = "deploy at 14:00 UTC\n12 Oct 2017 heading";
        let found = find(text);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].date, None);
    }

    #[test]
    fn two_zone_renditions_then_date_are_one_timestamp_with_the_first_zone() {
        // The "/3:00-3:30PST" rendition of the same moment is swallowed: the first zone
        // written is the one reported, and the trailing date belongs to the whole.
        let text = "This incident initiated between 8:00-8:30 CLT/3:00-3:30PST December, 6 2022, during the run.";
        let f = one(text);
        assert_eq!(
            span(text, &f),
            "8:00-8:30 CLT/3:00-3:30PST December, 6 2022"
        );
        assert_eq!(f.time, hm(8, 0));
        assert_eq!(f.zone, region("CLT", "America/Santiago"));
        assert_eq!(f.date, full(2022, 12, 6));
        assert!(f.range);
    }

    #[test]
    fn spaced_slash_rendition_in_another_zone_is_swallowed() {
        let f = whole("16:00 UTC / 09:00 PDT");
        assert_eq!(f.zone, Some(ZoneMention::Utc));
        assert_eq!(f.time, hm(16, 0));
    }

    #[test]
    fn date_range_with_times_reports_its_start() {
        let text = "In the time period 05/07/2024 20:47 - 06/07/2024 08:30 there were errors";
        let f = one(text);
        assert_eq!(span(text, &f), "05/07/2024 20:47 - 06/07/2024 08:30");
        assert_eq!(f.date, numeric(5, 7, Some(2024)));
        assert_eq!(f.time, hm(20, 47));
        assert!(f.range);
    }

    #[test]
    fn date_with_time_range_and_zone_applies_the_zone_to_the_start() {
        let f = whole("2017-12-08 14:00 - 15:00 UTC");
        assert_eq!(f.time, hm(14, 0));
        assert_eq!(f.zone, Some(ZoneMention::Utc));
        assert!(f.range);
    }

    #[test]
    fn markdown_emphasis_around_date_and_approximate_time_is_transparent() {
        let text = "**08/07/2024** ~ **10:37**";
        let f = one(text);
        assert_eq!(span(text, &f), "08/07/2024** ~ **10:37");
        assert_eq!(f.date, numeric(8, 7, Some(2024)));
        assert_eq!(f.time, hm(10, 37));
        assert!(f.approximate);
    }

    #[test]
    fn date_followed_by_a_plain_number_does_not_join_it() {
        let text = "On 2017-12-08 4 hosts were up";
        let f = one(text);
        assert_eq!(span(text, &f), "2017-12-08");
        let text = "Oct 12, 2017 1400 hosts";
        assert_eq!(span(text, &one(text)), "Oct 12, 2017");
    }

    #[test]
    fn date_range_does_not_swallow_a_following_count() {
        let text = "From 12/8 - 12/12/2017 1400 hosts were down";
        assert_eq!(span(text, &one(text)), "12/8 - 12/12/2017");
    }

    #[test]
    fn at_sign_is_a_cue_like_at() {
        let f = one("deploy @ 1400");
        assert!(f.bare);
        assert_eq!(f.time, hm(14, 0));
    }

    #[test]
    fn date_at_four_digit_time_without_zone_is_bare() {
        let f = whole("Oct 12, 2017 at 1400");
        assert_eq!(f.time, hm(14, 0));
        assert!(f.bare);
    }

    // ----- times -----

    #[test]
    fn colon_time_alone_is_a_time() {
        let f = whole("16:13");
        assert_eq!(f.time, hm(16, 13));
        assert_eq!(f.date, None);
        assert_eq!(f.zone, None);
    }

    #[test]
    fn colon_time_with_utc_is_a_utc_time() {
        let text = "At 16:13 UTC we begin the full scale rollout.";
        let f = one(text);
        assert_eq!(span(text, &f), "16:13 UTC");
        assert_eq!(f.zone, Some(ZoneMention::Utc));
        assert_eq!(whole("09:15 GMT").zone, Some(ZoneMention::Utc));
        assert_eq!(whole("00:00 UTC").time, hm(0, 0));
    }

    #[test]
    fn colon_time_with_seconds_keeps_them() {
        assert_eq!(whole("15:08:36").time, hms(15, 8, 36));
    }

    #[test]
    fn tilde_marks_a_time_approximate_with_or_without_space() {
        for text in ["~ 08:45", "~08:45"] {
            let f = whole(text);
            assert_eq!(f.time, hm(8, 45));
            assert!(f.approximate, "{text}");
        }
    }

    #[test]
    fn approximation_words_are_part_of_the_span() {
        let text = "had begun at approximately 13:00 at a smaller scale";
        let f = one(text);
        assert_eq!(span(text, &f), "approximately 13:00");
        assert!(f.approximate);
        let text = "last night around 18:10 there was";
        assert_eq!(span(text, &one(text)), "around 18:10");
        for text in [
            "about 3 pm",
            "roughly 14:00",
            "circa 14:00",
            "ca. 14:00",
            "approx. 14:00",
        ] {
            assert!(whole(text).approximate, "{text}");
        }
    }

    #[test]
    fn at_around_time_with_zone_is_approximate_and_zoned() {
        let text = "At around 18:36 UTC, we start to realise";
        let f = one(text);
        assert_eq!(span(text, &f), "around 18:36 UTC");
        assert!(f.approximate);
        assert_eq!(f.zone, Some(ZoneMention::Utc));
    }

    #[test]
    fn approximation_word_without_a_timestamp_is_nothing() {
        nothing_in("approximately 20 minutes later, about an hour");
        nothing_in("~48 hours old");
        // A period closes the word: the time after it is not approximate.
        assert!(!one("around. 14:00").approximate);
    }

    #[test]
    fn twelve_hour_times_are_converted() {
        assert_eq!(whole("4pm").time, hm(16, 0));
        assert_eq!(whole("2:45pm").time, hm(14, 45));
        assert_eq!(whole("8:30 PM").time, hm(20, 30));
        assert_eq!(whole("3:19 PM").time, hm(15, 19));
        assert_eq!(whole("4 AM").time, hm(4, 0));
        assert_eq!(whole("8:30 p.m.").time, hm(20, 30));
        assert_eq!(whole("6 a.m.").time, hm(6, 0));
    }

    #[test]
    fn twelve_am_is_midnight_and_twelve_pm_is_noon() {
        assert_eq!(whole("12am").time, hm(0, 0));
        assert_eq!(whole("12pm").time, hm(12, 0));
        assert_eq!(whole("12:30am").time, hm(0, 30));
    }

    #[test]
    fn single_letter_meridiem_only_when_glued() {
        assert_eq!(whole("9:06a").time, hm(9, 6));
        assert_eq!(whole("7p").time, hm(19, 0));
        nothing_in("7 p");
        nothing_in("see step 2a and figure 3p");
        assert_eq!(one("dinner at 7p").time, hm(19, 0));
        nothing_in("margin 7px wide");
        nothing_in("13pm");
        nothing_in("0am");
    }

    #[test]
    fn narrow_no_break_space_before_pm_is_accepted() {
        assert_eq!(whole("8:30\u{202F}PM").time, hm(20, 30));
        assert_eq!(whole("8:30\u{A0}PM").time, hm(20, 30));
    }

    #[test]
    fn noon_and_midnight_count_only_after_at() {
        let text = "we stopped at noon";
        let f = one(text);
        assert_eq!(span(text, &f), "noon");
        assert_eq!(f.time, hm(12, 0));
        let f = one("resumed at midnight UTC");
        assert_eq!(f.time, hm(0, 0));
        assert_eq!(f.zone, Some(ZoneMention::Utc));
        nothing_in("noon");
        nothing_in("the midnight deploys");
    }

    #[test]
    fn four_digit_time_with_utc_is_a_time() {
        let text = "when at 0130 UTC we were notified";
        let f = one(text);
        assert_eq!(span(text, &f), "0130 UTC");
        assert_eq!(f.time, hm(1, 30));
        assert_eq!(f.zone, Some(ZoneMention::Utc));
        assert!(!f.bare);
        assert_eq!(whole("1843 UTC").time, hm(18, 43));
    }

    #[test]
    fn four_digit_time_with_glued_z_is_utc() {
        let f = whole("0105Z");
        assert_eq!(f.time, hm(1, 5));
        assert_eq!(f.zone, Some(ZoneMention::Utc));
    }

    #[test]
    fn four_digit_time_after_a_cue_word_is_bare() {
        for (text, h, m) in [
            ("At 0649 the coordinator", 6, 49),
            ("and at 1413 they responded", 14, 13),
            ("until 0300 when", 3, 0),
            ("from 0105 on", 1, 5),
            ("by 2200 it was done", 22, 0),
            ("at around 0300", 3, 0),
        ] {
            let f = one(text);
            assert_eq!(f.time, hm(h, m), "{text}");
            assert!(f.bare, "{text}");
            assert_eq!(f.zone, None);
        }
    }

    #[test]
    fn four_digit_number_without_cue_or_zone_is_not_a_time() {
        nothing_in("in 2019 we grew");
        nothing_in("In 2019 IT was reorganised");
        nothing_in("on port 6667 and 1234 requests");
        nothing_in("at 1999");
        nothing_in("at 2460");
    }

    #[test]
    fn four_digit_time_with_an_hours_suffix_is_a_time() {
        let f = whole("1400hrs");
        assert_eq!(f.time, hm(14, 0));
        assert!(!f.bare);
        assert_eq!(whole("14:00h").time, hm(14, 0));
    }

    #[test]
    fn colon_time_range_reports_its_start() {
        let f = whole("8:00-8:30");
        assert_eq!(f.time, hm(8, 0));
        assert!(f.range);
        let f = whole("20:47 - 08:30");
        assert_eq!(f.time, hm(20, 47));
        assert!(f.range);
    }

    #[test]
    fn en_dash_range_with_trailing_zone_zones_the_start() {
        let f = whole("14:00–15:00 UTC");
        assert_eq!(f.time, hm(14, 0));
        assert_eq!(f.zone, Some(ZoneMention::Utc));
        assert!(f.range);
        assert!(whole("14:00—15:00").range);
    }

    #[test]
    fn twelve_hour_range_with_to_is_a_range() {
        let f = whole("9am to 11am");
        assert_eq!(f.time, hm(9, 0));
        assert!(f.range);
    }

    #[test]
    fn range_end_meridiem_applies_to_the_start_when_it_fits() {
        assert_eq!(whole("8:00-8:30 PM").time, hm(20, 0));
        assert_eq!(whole("11:00-1:00 PM").time, hm(11, 0));
    }

    #[test]
    fn four_digit_range_with_zones_is_one_range() {
        // Chosen behaviour: "from A to B" is one range, reported by its start.
        let text = "Services was down from 0105 UTC to 1555 UTC, for almost 15 hours.";
        let f = one(text);
        assert_eq!(span(text, &f), "0105 UTC to 1555 UTC");
        assert_eq!(f.time, hm(1, 5));
        assert!(f.range);
        assert!(!f.bare);
    }

    #[test]
    fn bare_four_digit_range_takes_its_zone_from_the_end() {
        let f = one("from 0105 to 1555 UTC");
        assert_eq!(f.zone, Some(ZoneMention::Utc));
        assert!(!f.bare);
        assert!(f.range);
    }

    #[test]
    fn time_range_to_noon_is_a_range() {
        let f = one("from 10:00 to noon");
        assert_eq!(f.time, hm(10, 0));
        assert!(f.range);
    }

    #[test]
    fn colon_times_inside_longer_runs_are_not_times() {
        nothing_in("id 123:45 and 12:345");
        nothing_in("mac 00:11:22:33:44:55");
        nothing_in("ipv6 fe80::1:23");
        nothing_in("ratio 2:1 and 16:9");
        nothing_in("value 16:13.5");
        nothing_in("at 24:00 or 23:60");
    }

    #[test]
    fn bible_verse_and_duration_shapes_may_match() {
        // Acceptable either way per the contract; documents current behaviour.
        assert_eq!(one("John 3:16").time, hm(3, 16));
        assert_eq!(one("took 1:30 hours").time, hm(1, 30));
    }

    #[test]
    fn letters_glued_to_a_time_make_it_an_identifier() {
        nothing_in("build 10:08abc");
    }

    // ----- zones after times -----

    #[test]
    fn parenthesised_zone_is_a_zone() {
        let f = whole("10:00 (UTC)");
        assert_eq!(f.zone, Some(ZoneMention::Utc));
        assert_eq!(whole("10:00 (PST)").zone, fixed("PST", -8 * 3600));
        assert_eq!(
            whole("10:00 (Pacific)").zone,
            region("Pacific", "America/Los_Angeles")
        );
    }

    #[test]
    fn utc_and_gmt_with_offsets_are_fixed() {
        assert_eq!(whole("14:00 UTC+2").zone, fixed("UTC+2", 7200));
        assert_eq!(whole("14:00 UTC-05:00").zone, fixed("UTC-05:00", -5 * 3600));
        assert_eq!(whole("14:00 GMT+1").zone, fixed("GMT+1", 3600));
        assert_eq!(whole("14:00 UTC+0").zone, Some(ZoneMention::Utc));
    }

    #[test]
    fn numeric_offsets_after_a_time_are_fixed() {
        assert_eq!(whole("14:45 +02:00").zone, fixed("+02:00", 7200));
        assert_eq!(whole("14:45 -0500").zone, fixed("-0500", -5 * 3600));
        assert_eq!(whole("14:45+0200").zone, fixed("+0200", 7200));
        assert_eq!(whole("14:45 +00:00").zone, Some(ZoneMention::Utc));
    }

    #[test]
    fn short_spaced_offsets_are_not_zones() {
        let text = "14:00 +10 minutes";
        assert_eq!(span(text, &one(text)), "14:00");
    }

    #[test]
    fn glued_minus_time_after_a_plain_time_is_a_range_not_an_offset() {
        let f = whole("8:00-08:30");
        assert_eq!(f.zone, None);
        assert!(f.range);
    }

    #[test]
    fn every_fixed_abbreviation_after_a_time_is_fixed() {
        for &(name, seconds) in FIXED_ABBREVIATIONS {
            let text = format!("10:00 {name}");
            assert_eq!(whole(&text).zone, fixed(name, seconds), "{text}");
        }
        assert_eq!(whole("10:00 IST").zone, fixed("IST", 5 * 3600 + 1800));
        assert_eq!(whole("10:00 NST").zone, fixed("NST", -(3 * 3600 + 1800)));
    }

    #[test]
    fn cst_is_us_central_not_china() {
        assert_eq!(whole("10:00 CST").zone, fixed("CST", -6 * 3600));
    }

    #[test]
    fn abbreviations_are_case_sensitive_after_a_time() {
        let text = "10:00 pst";
        assert_eq!(span(text, &one(text)), "10:00");
    }

    #[test]
    fn glued_abbreviation_is_a_zone() {
        assert_eq!(whole("3:30PST").zone, fixed("PST", -8 * 3600));
        assert_eq!(whole("8:30pm CST").zone, fixed("CST", -6 * 3600));
    }

    #[test]
    fn region_abbreviations_are_regions() {
        assert_eq!(whole("10:00 CLT").zone, region("CLT", "America/Santiago"));
        assert_eq!(whole("10:00 PT").zone, region("PT", "America/Los_Angeles"));
        assert_eq!(whole("10:00 ET").zone, region("ET", "America/New_York"));
        assert_eq!(whole("10:00 CT").zone, region("CT", "America/Chicago"));
        assert_eq!(whole("10:00 MT").zone, region("MT", "America/Denver"));
    }

    #[test]
    fn region_words_need_time_after_a_time() {
        assert_eq!(
            whole("10:00 Pacific Time").zone,
            region("Pacific Time", "America/Los_Angeles")
        );
        assert_eq!(
            whole("10:00 central time").zone,
            region("central time", "America/Chicago")
        );
        let text = "10:00 Eastern seaboard";
        assert_eq!(span(text, &one(text)), "10:00");
    }

    #[test]
    fn region_standard_time_is_fixed() {
        assert_eq!(
            whole("10:00 Eastern Standard Time").zone,
            fixed("Eastern Standard Time", -5 * 3600)
        );
        assert_eq!(
            whole("10:00 Pacific Daylight Time").zone,
            fixed("Pacific Daylight Time", -7 * 3600)
        );
    }

    #[test]
    fn iana_names_after_a_time_are_regions() {
        assert_eq!(
            whole("10:00 Europe/Paris").zone,
            region("Europe/Paris", "Europe/Paris")
        );
        let text = "at 10:00 America/Chicago.";
        assert_eq!(one(text).zone, region("America/Chicago", "America/Chicago"));
        assert_eq!(
            whole("10:00 Pacific/Auckland").zone,
            region("Pacific/Auckland", "Pacific/Auckland")
        );
        let text = "10:00 Europe/Nowhere";
        assert_eq!(span(text, &one(text)), "10:00");
    }

    #[test]
    fn unknown_zone_like_token_is_reported_as_unknown() {
        assert_eq!(
            whole("10:00 XYZT").zone,
            Some(ZoneMention::Unknown("XYZT".into()))
        );
    }

    #[test]
    fn upper_case_words_that_are_not_zones_are_ignored() {
        let text = "• 06/07/2024 10:08 OTG creation";
        let f = one(text);
        assert_eq!(span(text, &f), "06/07/2024 10:08");
        assert_eq!(f.zone, None);
        let text = "16:13 IT team";
        assert_eq!(one(text).zone, None);
        let text = "16:13 ALERT fired";
        assert_eq!(one(text).zone, None);
    }

    #[test]
    fn z_counts_only_glued_to_a_time() {
        let text = "10:00 Z";
        assert_eq!(span(text, &one(text)), "10:00");
    }

    // ----- ZoneMention -----

    #[test]
    fn region_offset_follows_daylight_saving() {
        let chicago = region("central", "America/Chicago").expect("zone");
        assert_eq!(
            chicago.offset_at(date(2017, 12, 8).at(14, 45, 0, 0)),
            Some(Offset::constant(-6))
        );
        assert_eq!(
            chicago.offset_at(date(2017, 7, 8).at(14, 45, 0, 0)),
            Some(Offset::constant(-5))
        );
        let santiago = region("CLT", "America/Santiago").expect("zone");
        assert_eq!(
            santiago.offset_at(date(2022, 12, 6).at(20, 0, 0, 0)),
            Some(Offset::constant(-3))
        );
    }

    #[test]
    fn region_offset_in_a_gap_or_fold_uses_compatible_disambiguation() {
        let ny = region("ET", "America/New_York").expect("zone");
        // 02:30 does not exist on 2024-03-10: compatible moves past the gap, into DST.
        assert_eq!(
            ny.offset_at(date(2024, 3, 10).at(2, 30, 0, 0)),
            Some(Offset::constant(-4))
        );
        // 01:30 happens twice on 2024-11-03: compatible picks the earlier (DST) one.
        assert_eq!(
            ny.offset_at(date(2024, 11, 3).at(1, 30, 0, 0)),
            Some(Offset::constant(-4))
        );
    }

    #[test]
    fn fixed_utc_and_unknown_offsets() {
        let wall = date(2020, 1, 1).at(0, 0, 0, 0);
        assert_eq!(ZoneMention::Utc.offset_at(wall), Some(Offset::UTC));
        assert_eq!(
            fixed("PST", -8 * 3600).expect("zone").offset_at(wall),
            Some(Offset::constant(-8))
        );
        assert_eq!(ZoneMention::Unknown("XYZT".into()).offset_at(wall), None);
        let bogus = ZoneMention::Region {
            name: "x".into(),
            tz: "Nowhere/Land".into(),
        };
        assert_eq!(bogus.offset_at(wall), None);
    }

    #[test]
    fn display_names_are_utc_iana_abbreviation_or_numeric() {
        assert_eq!(ZoneMention::Utc.display_name(), "UTC");
        assert_eq!(
            region("central", "America/Chicago")
                .expect("zone")
                .display_name(),
            "America/Chicago"
        );
        assert_eq!(fixed("PDT", -7 * 3600).expect("zone").display_name(), "PDT");
        assert_eq!(fixed("UTC+2", 7200).expect("zone").display_name(), "+02:00");
        assert_eq!(
            fixed("-0500", -5 * 3600).expect("zone").display_name(),
            "-05:00"
        );
        assert_eq!(
            fixed("+0530", 5 * 3600 + 1800)
                .expect("zone")
                .display_name(),
            "+05:30"
        );
        assert_eq!(ZoneMention::Unknown("XYZT".into()).display_name(), "XYZT");
    }

    // ----- zone_declaration -----

    #[test]
    fn zone_declarations_are_recognised() {
        let cases = [
            ("All times central.", region("central", "America/Chicago")),
            ("All times in UTC", Some(ZoneMention::Utc)),
            ("All times in PDT.", fixed("PDT", -7 * 3600)),
            ("All times in PST", fixed("PST", -8 * 3600)),
            ("All times are UTC", Some(ZoneMention::Utc)),
            (
                "Times are in Pacific Time",
                region("Pacific Time", "America/Los_Angeles"),
            ),
            ("Timeline (all times UTC)", Some(ZoneMention::Utc)),
            ("All timestamps are in UTC", Some(ZoneMention::Utc)),
            ("Times in CET", fixed("CET", 3600)),
            ("Times are PDT", fixed("PDT", -7 * 3600)),
            ("Note: all times are in UTC+2.", fixed("UTC+2", 7200)),
            ("All times are local time (CST).", fixed("CST", -6 * 3600)),
            (
                "Timezone: America/Chicago",
                region("America/Chicago", "America/Chicago"),
            ),
            (
                "The time zone is Europe/Paris.",
                region("Europe/Paris", "Europe/Paris"),
            ),
            ("All dates and times are in UTC", Some(ZoneMention::Utc)),
        ];
        for (text, expected) in cases {
            assert_eq!(zone_declaration(text), expected, "{text}");
        }
    }

    #[test]
    fn zone_declaration_inside_a_document_is_found() {
        let text = "Timeline\n--------\n\nAll times central.\n\n2017-12-08 2:45pm\n";
        assert_eq!(zone_declaration(text), region("central", "America/Chicago"));
    }

    #[test]
    fn sentences_that_merely_contain_a_time_are_not_declarations() {
        for text in [
            "At 16:13 UTC we begin the full scale rollout.",
            "We restarted it three times in CET hours.",
            "All times are approximate.",
            "times",
            "",
            "All times",
        ] {
            assert_eq!(zone_declaration(text), None, "{text}");
        }
    }

    // ----- parse_zone -----

    #[test]
    fn parse_zone_reads_every_kind_of_name() {
        assert_eq!(parse_zone("UTC"), Some(ZoneMention::Utc));
        assert_eq!(parse_zone("gmt"), Some(ZoneMention::Utc));
        assert_eq!(parse_zone("Z"), Some(ZoneMention::Utc));
        assert_eq!(parse_zone("PST"), fixed("PST", -8 * 3600));
        assert_eq!(parse_zone("pdt"), fixed("pdt", -7 * 3600));
        assert_eq!(parse_zone("CLT"), region("CLT", "America/Santiago"));
        assert_eq!(parse_zone("central"), region("central", "America/Chicago"));
        assert_eq!(parse_zone("Eastern"), region("Eastern", "America/New_York"));
        assert_eq!(
            parse_zone("Mountain Time"),
            region("Mountain Time", "America/Denver")
        );
        assert_eq!(
            parse_zone("Pacific Standard Time"),
            fixed("Pacific Standard Time", -8 * 3600)
        );
        assert_eq!(
            parse_zone("America/Chicago"),
            region("America/Chicago", "America/Chicago")
        );
        assert_eq!(
            parse_zone("europe/paris"),
            region("europe/paris", "Europe/Paris")
        );
        assert_eq!(parse_zone("+02:00"), fixed("+02:00", 7200));
        assert_eq!(parse_zone("-0500"), fixed("-0500", -5 * 3600));
        assert_eq!(parse_zone("UTC+2"), fixed("UTC+2", 7200));
        assert_eq!(parse_zone("UTC-05:00"), fixed("UTC-05:00", -5 * 3600));
        assert_eq!(parse_zone("UTC+0"), Some(ZoneMention::Utc));
        assert_eq!(parse_zone(" (UTC) "), Some(ZoneMention::Utc));
    }

    #[test]
    fn parse_zone_rejects_unknown_names() {
        for name in [
            "",
            "XYZT",
            "Nowhere/Land",
            "Japan",
            "+25:00",
            "UTC+",
            "central europe",
            "time",
        ] {
            assert_eq!(parse_zone(name), None, "{name}");
        }
    }

    // ----- parse_date -----

    #[test]
    fn parse_date_reads_front_matter_dates() {
        assert_eq!(parse_date("2017-12-08"), full(2017, 12, 8));
        assert_eq!(parse_date("2017-12-08T14:45:00Z"), full(2017, 12, 8));
        assert_eq!(parse_date("2017-12-08 14:45"), full(2017, 12, 8));
        assert_eq!(parse_date("Oct 12, 2017"), full(2017, 10, 12));
        assert_eq!(parse_date("  \"June 27th, 2019\" "), full(2019, 6, 27));
        assert_eq!(parse_date("12/8/2017"), numeric(12, 8, Some(2017)));
        assert_eq!(parse_date("12/8"), numeric(12, 8, None));
        assert_eq!(parse_date("June 10th"), month_day(6, 10));
        assert_eq!(parse_date("Thursday, 12 Oct 2017"), full(2017, 10, 12));
    }

    #[test]
    fn parse_date_rejects_non_dates() {
        for text in [
            "",
            "   ",
            "30/30/30",
            "2017-02-30",
            "16:13",
            "hello",
            "2017-12-08 and more",
            "v2.1.3",
        ] {
            assert_eq!(parse_date(text), None, "{text}");
        }
    }

    // ----- whole documents and robustness -----

    #[test]
    fn results_are_ordered_and_non_overlapping_in_a_timeline() {
        let text = "Timeline\n\n• 05/07/2024 23:59\n\nTI noticed the problem\n\n• 06/07/2024 08:25\n\nIhor noticed\n\n• 06/07/2024 08:30\n\nProblem resolution";
        let found = find(text);
        assert_eq!(found.len(), 3);
        assert_eq!(span(text, &found[0]), "05/07/2024 23:59");
        assert_eq!(span(text, &found[2]), "06/07/2024 08:30");
        assert!(found.windows(2).all(|w| w[0].end <= w[1].start));
    }

    #[test]
    fn status_page_updates_each_yield_one_timestamp() {
        let text = "Resolved\nAll delayed data has been processed.\nPosted Oct 12, 2017 - 23:57 UTC\nUpdate\nIngestion has returned.\nPosted Oct 12, 2017 - 18:32 UTC";
        let found = find(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].time, hm(18, 32));
    }

    /// A small deterministic generator so that the robustness tests are repeatable.
    struct XorShift(u64);

    impl XorShift {
        fn next(&mut self) -> u64 {
            let mut x = self.0;
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            self.0 = x;
            x
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }
    }

    fn check_invariants(text: &str, found: &[Found]) {
        let mut last_end = 0;
        for f in found {
            assert!(f.start < f.end, "empty span in {text:?}: {f:?}");
            assert!(
                f.start >= last_end,
                "overlap or disorder in {text:?}: {found:?}"
            );
            assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
            assert!(f.end <= text.len());
            last_end = f.end;
        }
    }

    #[test]
    fn random_garbled_and_truncated_inputs_never_panic() {
        const PIECES: &[&str] = &[
            "12",
            "8",
            "2017",
            "0105",
            "1:",
            ":30",
            ":",
            "/",
            "-",
            ".",
            ",",
            " ",
            "  ",
            "\n",
            "T",
            "Z",
            "UTC",
            "+02:00",
            "-0500",
            "PST",
            "CLT",
            "/3:",
            "pm",
            "a",
            "p.m.",
            "~",
            "around ",
            "at ",
            "on ",
            "Oct",
            "June ",
            "27th",
            "Thursday",
            "Sept.",
            "May",
            "Pacific",
            " Time",
            "Europe/",
            "Paris",
            "America/Chicago",
            "(",
            ")",
            "**",
            "_",
            "–",
            "—",
            "é",
            "日本",
            "\u{202F}",
            "\u{A0}",
            "🦀",
            "XYZT",
            "noon",
            "to ",
            "0",
            "99",
            "31",
            "24/7",
            "v2",
            "\u{0}",
            "\r\n",
            "2:45pm",
            "12/8 - ",
            "of ",
        ];
        let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
        for _ in 0..4000 {
            let mut text = String::new();
            for _ in 0..rng.below(24) {
                if rng.below(8) == 0 {
                    // An arbitrary scalar value, to exercise multi-byte boundaries.
                    let c = char::from_u32(rng.next() as u32 % 0x11_0000).unwrap_or('?');
                    text.push(c);
                } else {
                    text.push_str(PIECES[rng.below(PIECES.len())]);
                }
            }
            let found = find(&text);
            check_invariants(&text, &found);
            let _ = zone_declaration(&text);
            let _ = parse_zone(&text);
            let _ = parse_date(&text);
        }
    }

    #[test]
    fn every_prefix_of_a_real_paragraph_is_handled() {
        let text = "On Thursday 12/8/2017 at 8:30pm CST, TACC lost power. From 12/8 - 12/12/2017 \
                    hosts were down; at 0105 UTC on June 27th, 2019 and 8:00-8:30 CLT/3:00-3:30PST \
                    December, 6 2022 (all times UTC) ~ **10:37** 2017-12-08T14:45:00+02:00.";
        for (i, _) in text.char_indices() {
            let prefix = &text[..i];
            check_invariants(prefix, &find(prefix));
            let suffix = &text[i..];
            check_invariants(suffix, &find(suffix));
        }
    }

    #[test]
    fn huge_adversarial_inputs_are_scanned_quickly() {
        let started = std::time::Instant::now();
        let inputs = [
            "1".repeat(50_000),
            "1:1:".repeat(12_500),
            "12/".repeat(15_000),
            "a".repeat(50_000),
            " ".repeat(50_000),
            "12 ".repeat(15_000),
            "Oct ".repeat(12_500),
            "at 0105 ".repeat(6_250),
            "8:00-".repeat(10_000),
            "~".repeat(50_000),
            "**".repeat(25_000),
        ];
        for text in &inputs {
            check_invariants(text, &find(text));
        }
        // Generous bound: a quadratic scan of these inputs would take many seconds.
        assert!(
            started.elapsed().as_secs() < 20,
            "took {:?}",
            started.elapsed()
        );
    }
}
