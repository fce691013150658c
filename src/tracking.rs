//! Action tracking: the validated values people set on a follow-up action (status,
//! owner, due date, ticket, note) and where a change came from.
//!
//! Invariant: every raw string a form, the API or the CLI hands in becomes one of
//! these types here, once; `db::actions::update` only ever sees validated values.
//! Errors are sentences meant for the person who typed the value. Pure: no I/O.

use crate::model::ActionStatus;
use jiff::civil::Date;
use serde::Serialize;
use std::fmt;

/// Longest owner name, in characters.
pub const MAX_OWNER_CHARS: usize = 100;
/// Longest ticket reference, in characters.
pub const MAX_TICKET_CHARS: usize = 200;
/// Longest note, in characters.
pub const MAX_NOTE_CHARS: usize = 4000;
/// Actions without a change for this many days count as stale by default.
pub const DEFAULT_STALE_DAYS: u32 = 30;
/// Shortest action id prefix accepted where an id is typed.
pub const MIN_ID_PREFIX_CHARS: usize = 4;

/// A value that cannot be applied to an action, worded for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrackingError {
    /// The status is none of the known ones.
    #[error("\"{0}\" is not a status. Use one of: open, in_progress, done, wontfix, unknown.")]
    UnknownStatus(String),
    /// The owner is empty after trimming.
    #[error("The owner is empty. Give a name, or leave the field empty to clear it.")]
    EmptyOwner,
    /// The owner is longer than [`MAX_OWNER_CHARS`].
    #[error("The owner is too long: at most {MAX_OWNER_CHARS} characters, please.")]
    OwnerTooLong,
    /// The due date is not a real calendar date in YYYY-MM-DD form.
    #[error(
        "\"{0}\" is not a date. Write a real calendar date as YYYY-MM-DD, for example 2026-03-31."
    )]
    BadDate(String),
    /// The ticket is longer than [`MAX_TICKET_CHARS`].
    #[error("The ticket is too long: at most {MAX_TICKET_CHARS} characters, please.")]
    TicketTooLong,
    /// The note is empty after trimming.
    #[error("The note is empty.")]
    EmptyNote,
    /// The note is longer than [`MAX_NOTE_CHARS`].
    #[error("The note is too long: at most {MAX_NOTE_CHARS} characters, please.")]
    NoteTooLong,
    /// A value holds control characters (a pasted escape sequence, a NUL byte).
    #[error("The {0} contains control characters; please remove them.")]
    ControlCharacters(&'static str),
    /// The update names no field at all.
    #[error("Nothing to change: give a status, owner, due date, ticket or note.")]
    NothingToChange,
    /// A typed action id is shorter than [`MIN_ID_PREFIX_CHARS`] or has characters no
    /// id has.
    #[error(
        "\"{0}\" is not an action id: give the id as `aftermath actions` lists it, or its first {MIN_ID_PREFIX_CHARS} or more characters."
    )]
    BadIdPrefix(String),
}

impl TrackingError {
    /// The form field the error is about, so a page can show it next to that field.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            TrackingError::UnknownStatus(_) => Some("status"),
            TrackingError::EmptyOwner | TrackingError::OwnerTooLong => Some("owner"),
            TrackingError::BadDate(_) => Some("due"),
            TrackingError::TicketTooLong => Some("ticket"),
            TrackingError::EmptyNote | TrackingError::NoteTooLong => Some("note"),
            TrackingError::ControlCharacters(field) => Some(field),
            TrackingError::NothingToChange | TrackingError::BadIdPrefix(_) => None,
        }
    }
}

/// Where a change came from, as stored in `action_events.origin`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    Web,
    Cli,
    Api,
    Document,
}

impl Origin {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Web => "web",
            Origin::Cli => "cli",
            Origin::Api => "api",
            Origin::Document => "document",
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses a status as people type it: `done`, `Done`, `in progress`, `in-progress`,
/// `won't fix` all work.
pub fn parse_status(raw: &str) -> Result<ActionStatus, TrackingError> {
    let norm: String = raw
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| *c != '\'' && *c != '’')
        .map(|c| if c == ' ' || c == '-' { '_' } else { c })
        .collect();
    let norm = match norm.as_str() {
        "wont_fix" => "wontfix",
        "inprogress" => "in_progress",
        other => other,
    };
    ActionStatus::parse(norm).ok_or_else(|| TrackingError::UnknownStatus(shorten(raw)))
}

/// Parses a status filter: `open` means every status that still needs work (open,
/// in progress, unknown); any other name means exactly that status.
pub fn parse_status_filter(raw: &str) -> Result<Vec<ActionStatus>, TrackingError> {
    let status = parse_status(raw)?;
    Ok(if status == ActionStatus::Open {
        ActionStatus::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .collect()
    } else {
        vec![status]
    })
}

/// Whether a status closes an action (it then gets a completion time).
pub fn is_closed(status: ActionStatus) -> bool {
    matches!(status, ActionStatus::Done | ActionStatus::Wontfix)
}

/// Who owns an action: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owner(String);

impl Owner {
    pub fn parse(raw: &str) -> Result<Owner, TrackingError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(TrackingError::EmptyOwner);
        }
        if value.chars().count() > MAX_OWNER_CHARS {
            return Err(TrackingError::OwnerTooLong);
        }
        if value.chars().any(char::is_control) {
            return Err(TrackingError::ControlCharacters("owner"));
        }
        Ok(Owner(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// When an action is due: a real calendar date, written YYYY-MM-DD.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DueDate(Date);

impl DueDate {
    pub fn parse(raw: &str) -> Result<DueDate, TrackingError> {
        let value = raw.trim();
        let bad = || TrackingError::BadDate(shorten(raw));
        // Exactly YYYY-MM-DD: jiff alone would also take other ISO 8601 spellings,
        // and the stored text must compare as a date.
        let b = value.as_bytes();
        let shaped = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shaped {
            return Err(bad());
        }
        let number = |r: std::ops::Range<usize>| value[r].parse::<i16>().map_err(|_| bad());
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let date = Date::new(year, month as i8, day as i8).map_err(|_| bad())?;
        Ok(DueDate(date))
    }

    pub fn date(self) -> Date {
        self.0
    }
}

impl fmt::Display for DueDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A ticket reference (an id like `OPS-123` or a URL): trimmed, at most 200
/// characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Ticket(String);

impl Ticket {
    /// Parses a non-empty ticket; an empty one is a request to clear, handled by
    /// [`ActionUpdate::from_raw`].
    pub fn parse(raw: &str) -> Result<Ticket, TrackingError> {
        let value = raw.trim();
        if value.chars().count() > MAX_TICKET_CHARS {
            return Err(TrackingError::TicketTooLong);
        }
        if value.chars().any(char::is_control) {
            return Err(TrackingError::ControlCharacters("ticket"));
        }
        Ok(Ticket(value.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A free-text note added to an action's history: trimmed, 1 to 4000 characters;
/// line breaks and tabs are fine, other control characters are not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Note(String);

impl Note {
    pub fn parse(raw: &str) -> Result<Note, TrackingError> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(TrackingError::EmptyNote);
        }
        if value.chars().count() > MAX_NOTE_CHARS {
            return Err(TrackingError::NoteTooLong);
        }
        if value
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(TrackingError::ControlCharacters("note"));
        }
        Ok(Note(value.replace("\r\n", "\n")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An action id as typed: the whole id or its first few characters, trimmed and
/// lowercased. Ids are hex digits, with `-2`, `-3`... for a repeated text, so only
/// those characters are accepted (which also keeps SQL `like` wildcards out).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionIdPrefix(String);

impl ActionIdPrefix {
    pub fn parse(raw: &str) -> Result<ActionIdPrefix, TrackingError> {
        let value = raw.trim().to_ascii_lowercase();
        let ok = value.chars().count() >= MIN_ID_PREFIX_CHARS
            && value.len() <= 40
            && value.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
        if ok {
            Ok(ActionIdPrefix(value))
        } else {
            let shown: String = raw
                .trim()
                .chars()
                .take(40)
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            Err(TrackingError::BadIdPrefix(shown))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ActionIdPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A change to one action. For owner, due and ticket: `None` leaves the value alone,
/// `Some(None)` clears it, `Some(Some(v))` sets it. A note is appended to the history.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionUpdate {
    pub status: Option<ActionStatus>,
    pub owner: Option<Option<Owner>>,
    pub due: Option<Option<DueDate>>,
    pub ticket: Option<Option<Ticket>>,
    pub note: Option<Note>,
}

impl ActionUpdate {
    /// Builds an update from raw text as a form, the API or the CLI gives it: a field
    /// that is `None` is left alone; an empty (or blank) owner, due date or ticket
    /// clears it; an empty status or note is ignored. Fails on the first bad value.
    pub fn from_raw(
        status: Option<&str>,
        owner: Option<&str>,
        due: Option<&str>,
        ticket: Option<&str>,
        note: Option<&str>,
    ) -> Result<ActionUpdate, TrackingError> {
        fn optional<T>(
            raw: Option<&str>,
            parse: impl Fn(&str) -> Result<T, TrackingError>,
        ) -> Result<Option<Option<T>>, TrackingError> {
            match raw {
                None => Ok(None),
                Some(r) if r.trim().is_empty() => Ok(Some(None)),
                Some(r) => parse(r).map(|v| Some(Some(v))),
            }
        }
        fn nonblank(r: Option<&str>) -> Option<&str> {
            r.filter(|s| !s.trim().is_empty())
        }
        Ok(ActionUpdate {
            status: nonblank(status).map(parse_status).transpose()?,
            owner: optional(owner, Owner::parse)?,
            due: optional(due, DueDate::parse)?,
            ticket: optional(ticket, Ticket::parse)?,
            note: nonblank(note).map(Note::parse).transpose()?,
        })
    }

    /// Whether the update names no field at all.
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.owner.is_none()
            && self.due.is_none()
            && self.ticket.is_none()
            && self.note.is_none()
    }

    /// The stored text of each tracked field the update sets, in the order
    /// status, owner, due, ticket: `Some(value)` for fields it names.
    pub fn stored_values(&self) -> [Option<Option<String>>; 4] {
        [
            self.status.map(|s| Some(s.as_str().to_string())),
            self.owner
                .as_ref()
                .map(|o| o.as_ref().map(|o| o.as_str().to_string())),
            self.due.map(|d| d.map(|d| d.to_string())),
            self.ticket
                .as_ref()
                .map(|t| t.as_ref().map(|t| t.as_str().to_string())),
        ]
    }
}

/// Today's date in the machine's time zone: the reference for "overdue" and "stale".
pub fn today() -> Date {
    jiff::ZonedDateTime::now().date()
}

/// Cuts an echoed value to a readable length for an error message.
fn shorten(raw: &str) -> String {
    let clean: String = raw
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if clean.chars().count() > 40 {
        format!("{}…", clean.chars().take(40).collect::<String>())
    } else {
        clean
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_ids_may_be_typed_as_prefixes_of_four_or_more_id_characters() {
        let parsed = |s: &str| ActionIdPrefix::parse(s).map(|p| p.as_str().to_string());
        assert_eq!(parsed(" 3F9A "), Ok("3f9a".to_string()));
        assert_eq!(parsed("3f9a0c12be47-2"), Ok("3f9a0c12be47-2".to_string()));
        for bad in [
            "",
            "3f9",
            "3f9%",
            "3f9_0",
            "zzzz",
            "3f9a\u{1b}",
            &"a".repeat(41),
        ] {
            assert!(
                matches!(parsed(bad), Err(TrackingError::BadIdPrefix(_))),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn statuses_are_read_as_people_type_them() {
        assert_eq!(parse_status("Done"), Ok(ActionStatus::Done));
        assert_eq!(parse_status(" in progress "), Ok(ActionStatus::InProgress));
        assert_eq!(parse_status("in-progress"), Ok(ActionStatus::InProgress));
        assert_eq!(parse_status("won't fix"), Ok(ActionStatus::Wontfix));
        assert_eq!(parse_status("wontfix"), Ok(ActionStatus::Wontfix));
        assert!(matches!(
            parse_status("finished"),
            Err(TrackingError::UnknownStatus(_))
        ));
        assert_eq!(parse_status_filter("open").unwrap().len(), 3);
        assert_eq!(parse_status_filter("done").unwrap(), [ActionStatus::Done]);
    }

    #[test]
    fn due_dates_must_be_real_calendar_dates() {
        assert_eq!(
            DueDate::parse("2026-03-31").unwrap().to_string(),
            "2026-03-31"
        );
        assert_eq!(
            DueDate::parse("2028-02-29").unwrap().to_string(),
            "2028-02-29"
        );
        for bad in [
            "2026-02-30",
            "2026-13-01",
            "2026-1-1",
            "20260101",
            "next week",
            "2026-02-2x",
            "",
        ] {
            assert!(
                matches!(DueDate::parse(bad), Err(TrackingError::BadDate(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn owners_are_trimmed_bounded_and_printable() {
        assert_eq!(Owner::parse("  ihor ").unwrap().as_str(), "ihor");
        assert_eq!(Owner::parse("   "), Err(TrackingError::EmptyOwner));
        assert_eq!(
            Owner::parse(&"x".repeat(10 * 1024)),
            Err(TrackingError::OwnerTooLong)
        );
        assert_eq!(Owner::parse(&"é".repeat(100)).unwrap().as_str().len(), 200);
        assert_eq!(
            Owner::parse("bob\u{1b}[31m"),
            Err(TrackingError::ControlCharacters("owner"))
        );
    }

    #[test]
    fn notes_keep_line_breaks_but_not_other_control_characters() {
        assert_eq!(Note::parse("a\r\nb").unwrap().as_str(), "a\nb");
        assert_eq!(
            Note::parse("a\0b"),
            Err(TrackingError::ControlCharacters("note"))
        );
        assert_eq!(
            Note::parse(&"n".repeat(4001)),
            Err(TrackingError::NoteTooLong)
        );
    }

    #[test]
    fn raw_updates_clear_on_empty_and_ignore_absent_fields() {
        let u =
            ActionUpdate::from_raw(Some("done"), Some(""), None, Some("OPS-1"), Some(" ")).unwrap();
        assert_eq!(u.status, Some(ActionStatus::Done));
        assert_eq!(u.owner, Some(None));
        assert_eq!(u.due, None);
        assert_eq!(u.ticket, Some(Some(Ticket::parse("OPS-1").unwrap())));
        assert_eq!(u.note, None);
        assert!(
            ActionUpdate::from_raw(None, None, None, None, None)
                .unwrap()
                .is_empty()
        );
        let e = ActionUpdate::from_raw(None, None, Some("2026-02-30"), None, None).unwrap_err();
        assert_eq!(e.field(), Some("due"));
        assert!(e.to_string().ends_with('.'));
    }

    proptest::proptest! {
        #[test]
        fn any_text_gives_a_value_or_an_error_never_a_panic(
            status in "\\PC{0,20}|[ -~\u{0}-\u{1f}]{0,12}",
            owner in ".{0,120}",
            due in "[0-9-]{0,12}|.{0,12}",
            note in "(?s).{0,50}",
        ) {
            let update = ActionUpdate::from_raw(
                Some(&status), Some(&owner), Some(&due), Some(&owner), Some(&note),
            );
            if let Ok(u) = update {
                if let Some(Some(o)) = &u.owner {
                    proptest::prop_assert!(o.as_str().chars().count() <= MAX_OWNER_CHARS);
                    proptest::prop_assert!(!o.as_str().chars().any(char::is_control));
                }
                if let Some(Some(d)) = u.due {
                    proptest::prop_assert_eq!(DueDate::parse(&d.to_string()), Ok(d));
                }
            }
        }
    }

    #[test]
    fn error_messages_do_not_echo_huge_values() {
        let e = parse_status(&"z".repeat(10_000)).unwrap_err();
        assert!(e.to_string().len() < 200);
    }
}
