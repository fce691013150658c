//! Small display helpers shared by the pages: dates, durations, URL-safe path parts.

use crate::db::browse::TimelineRow;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// `2017-12-08 20:30 UTC` for an instant in seconds.
pub fn utc(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds)
        .map(|t| t.strftime("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// `3 h 20 min`, `2 d 4 h`, `45 min`.
pub fn duration(seconds: i64) -> String {
    let minutes = seconds.max(0) / 60;
    let (d, h, m) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (d, h, m) {
        (0, 0, m) => format!("{m} min"),
        (0, h, 0) => format!("{h} h"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, 0, _) => format!("{d} d"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// How a timeline entry's time is shown beside the original text: the UTC instant when
/// the zone is known, otherwise the wall time with a note that no zone was stated.
pub fn entry_instant(row: &TimelineRow) -> String {
    match row.utc_seconds {
        Some(s) => utc(s),
        None if row.precision == "day" => format!("{} (date only)", row.wall_time),
        None => format!("{} (no zone stated)", row.wall_time.replace('T', " ")),
    }
}

/// What stays as it is in a path segment or a query value: RFC 3986's unreserved
/// characters. Everything else is percent-encoded.
const ESCAPED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes a value for use as one path segment.
pub fn path_segment(value: &str) -> String {
    utf8_percent_encode(value, ESCAPED).to_string()
}

/// Percent-encodes a query-string value.
pub fn query_value(value: &str) -> String {
    path_segment(value)
}

/// Today's date in UTC, as stored (YYYY-MM-DD).
pub fn today() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(45 * 60), "45 min");
        assert_eq!(duration(3 * 3600 + 20 * 60), "3 h 20 min");
        assert_eq!(duration(2 * 86400 + 4 * 3600), "2 d 4 h");
    }

    #[test]
    fn path_segments_are_encoded() {
        assert_eq!(path_segment("Cisco ACI/x"), "Cisco%20ACI%2Fx");
    }
}
