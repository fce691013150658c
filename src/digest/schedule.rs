//! When the digest goes out: a weekday and a wall-clock time in an IANA zone, computed
//! on civil dates so that a DST change never moves or skips a send.
//!
//! Invariant: `latest_at_or_before(t) <= t < next_after(t)`, and both fall on the
//! configured weekday at the configured local time (or just after it when that time
//! does not exist on a spring-forward day).

use anyhow::{Context, bail};
use jiff::civil::{Date, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan, ZonedDateTime};

/// A weekly send time.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub weekday: Weekday,
    pub time: Time,
    pub zone: TimeZone,
}

impl Default for Schedule {
    /// Monday 09:00 in the server's zone.
    fn default() -> Self {
        Schedule {
            weekday: Weekday::Monday,
            time: Time::constant(9, 0, 0, 0),
            zone: TimeZone::system(),
        }
    }
}

impl Schedule {
    /// Builds a schedule from config text: `monday`, `09:00`, `Europe/Zurich` (each
    /// optional; the defaults are Monday, 09:00 and the server's zone).
    pub fn parse(
        weekday: Option<&str>,
        time: Option<&str>,
        zone: Option<&str>,
    ) -> anyhow::Result<Schedule> {
        let mut s = Schedule::default();
        if let Some(w) = weekday {
            s.weekday = parse_weekday(w)?;
        }
        if let Some(t) = time {
            s.time = t
                .trim()
                .parse()
                .with_context(|| format!("bad digest time {t:?} (want HH:MM)"))?;
        }
        if let Some(z) = zone {
            s.zone = TimeZone::get(z.trim())
                .with_context(|| format!("unknown time zone {z:?} (want an IANA name)"))?;
        }
        Ok(s)
    }

    /// The send time on a given day (compatible disambiguation: a time skipped by a
    /// spring-forward change moves forward, a repeated one takes its first instance).
    pub fn on_day(&self, day: Date) -> ZonedDateTime {
        day.to_datetime(self.time)
            .to_zoned_datetime(self.zone.clone())
            .unwrap_or_else(|_| Timestamp::UNIX_EPOCH.to_zoned_datetime(self.zone.clone()))
    }

    /// The last scheduled send at or before `now`.
    pub fn latest_at_or_before(&self, now: Timestamp) -> ZonedDateTime {
        let today = now.to_zoned_datetime(self.zone.clone()).date();
        let back = i64::from(self.weekday.until(today.weekday()));
        let mut day = today - back.days();
        let mut at = self.on_day(day);
        if at.timestamp() > now {
            day -= 7.days();
            at = self.on_day(day);
        }
        at
    }

    /// The first scheduled send after `now`.
    pub fn next_after(&self, now: Timestamp) -> ZonedDateTime {
        let latest = self.latest_at_or_before(now);
        self.on_day(latest.date() + 7.days())
    }

    /// The day `instant` falls on in the schedule's zone.
    pub fn day_of(&self, instant: Timestamp) -> Date {
        instant.to_zoned_datetime(self.zone.clone()).date()
    }
}

/// `monday`, `Mon`, `MONDAY`, ...
pub fn parse_weekday(text: &str) -> anyhow::Result<Weekday> {
    let t = text.trim().to_ascii_lowercase();
    let days = [
        ("monday", Weekday::Monday),
        ("tuesday", Weekday::Tuesday),
        ("wednesday", Weekday::Wednesday),
        ("thursday", Weekday::Thursday),
        ("friday", Weekday::Friday),
        ("saturday", Weekday::Saturday),
        ("sunday", Weekday::Sunday),
    ];
    for (name, day) in days {
        if t.len() >= 3 && name.starts_with(&t) {
            return Ok(day);
        }
    }
    bail!("bad digest weekday {text:?} (want monday … sunday)")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zurich_monday_nine() -> Schedule {
        Schedule::parse(Some("monday"), Some("09:00"), Some("Europe/Zurich")).unwrap()
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn latest_send_is_this_weeks_monday_once_it_has_passed() {
        let s = zurich_monday_nine();
        // Wednesday 2026-12-02 → Monday 2026-11-30 09:00 CET (08:00 UTC).
        let at = s.latest_at_or_before(ts("2026-12-02T12:00:00Z"));
        assert_eq!(at.timestamp(), ts("2026-11-30T08:00:00Z"));
        // Monday 07:59 UTC is before 09:00 CET: still last week's.
        let at = s.latest_at_or_before(ts("2026-11-30T07:59:00Z"));
        assert_eq!(at.timestamp(), ts("2026-11-23T08:00:00Z"));
        let at = s.latest_at_or_before(ts("2026-11-30T08:00:00Z"));
        assert_eq!(at.timestamp(), ts("2026-11-30T08:00:00Z"));
    }

    #[test]
    fn the_send_stays_at_nine_local_across_dst_changes() {
        let s = zurich_monday_nine();
        // Europe/Zurich springs forward on 2026-03-29 and falls back on 2026-10-25.
        let next = s.next_after(ts("2026-03-24T12:00:00Z"));
        assert_eq!(next.timestamp(), ts("2026-03-30T07:00:00Z"));
        let next = s.next_after(ts("2026-10-20T12:00:00Z"));
        assert_eq!(next.timestamp(), ts("2026-10-26T08:00:00Z"));
        assert_eq!(next.time(), Time::constant(9, 0, 0, 0));
    }

    #[test]
    fn a_skipped_local_time_moves_forward_not_to_another_day() {
        // Sunday 02:30 does not exist on 2026-03-29 in Zurich.
        let s = Schedule::parse(Some("sun"), Some("02:30"), Some("Europe/Zurich")).unwrap();
        let next = s.next_after(ts("2026-03-25T00:00:00Z"));
        assert_eq!(next.date(), jiff::civil::date(2026, 3, 29));
        assert_eq!(next.timestamp(), ts("2026-03-29T01:30:00Z"));
    }

    #[test]
    fn bad_schedule_settings_are_errors() {
        assert!(parse_weekday("funday").is_err());
        assert!(parse_weekday("m").is_err());
        assert!(Schedule::parse(None, Some("25:00"), None).is_err());
        assert!(Schedule::parse(None, None, Some("Mars/Olympus")).is_err());
    }
}
