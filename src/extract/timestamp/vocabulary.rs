//! The words timestamps are made of: months, weekdays, cue words, zone names and
//! abbreviations, and the caps that keep every read bounded.

use jiff::civil::Weekday;

pub(super) const HOUR: i32 = 3600;

/// Abbreviations that name one fixed offset. CST is US Central Standard Time: a
/// postmortem written in China Standard Time would be misread, but US usage is far
/// more common in the documents we ingest and the caller can override it.
pub(super) const FIXED_ABBREVIATIONS: &[(&str, i32)] = &[
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
pub(super) const REGION_ABBREVIATIONS: &[(&str, &str)] = &[
    ("CLT", "America/Santiago"),
    ("PT", "America/Los_Angeles"),
    ("ET", "America/New_York"),
    ("CT", "America/Chicago"),
    ("MT", "America/Denver"),
];

/// US region words: (word, IANA zone, standard offset, daylight offset).
pub(super) const REGION_WORDS: &[(&str, &str, i32, i32)] = &[
    ("pacific", "America/Los_Angeles", -8 * HOUR, -7 * HOUR),
    ("mountain", "America/Denver", -7 * HOUR, -6 * HOUR),
    ("central", "America/Chicago", -6 * HOUR, -5 * HOUR),
    ("eastern", "America/New_York", -5 * HOUR, -4 * HOUR),
];

/// First components of IANA names we look for in running text.
pub(super) const IANA_AREAS: &[&str] = &[
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
pub(super) const NOT_ZONES: &[&str] = &[
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

pub(super) const MONTHS: &[(&str, i8, bool)] = &[
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

pub(super) const WEEKDAYS: &[(&str, Weekday, bool)] = &[
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
pub(super) const APPROX_WORDS: &[&str] = &[
    "around",
    "approximately",
    "approx",
    "about",
    "roughly",
    "circa",
];

/// Words before a year-less numeric date that make it clearly a date ("on 12/8").
pub(super) const DATE_CUES: &[&str] = &["on", "from", "since", "until", "till", "til", "by"];

/// Words before a four-digit number that make it a time even without a zone ("at 0649").
pub(super) const BARE_CUES: &[&str] = &["at", "until", "till", "til", "from", "by"];

/// Nouns that number things ("step 2a", "figure 3p"): a glued single-letter a/p after
/// them is a label, not a time.
pub(super) const ENUMERATION_WORDS: &[&str] = &[
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
pub(super) const DECLARATION_FILLERS: &[&str] = &[
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
pub(super) const MAX_GAP: usize = 40;
/// Longest word we ever need to read; anything longer is not one of ours.
pub(super) const MAX_WORD: usize = 40;
/// Longest digit run we ever need to read; longer runs are ids, not timestamps.
pub(super) const MAX_DIGITS: usize = 8;
