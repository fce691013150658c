//! Words, names, dates, clocks and zones the generated postmortems are written with,
//! and the expected instant strings (`EventTime::to_at_string`'s form) they stand for.
//! Every text here is invented for these tests.

use super::rng::Rng;
use jiff::civil::Date;

pub const SERVICES: &[&str] = &[
    "billing API",
    "search tier",
    "queue workers",
    "auth gateway",
    "image resizer",
    "payments ledger",
    "metrics pipeline",
    "resolver fleet",
    "checkout service",
    "session store",
    "notification fan-out",
    "object storage proxy",
    "build farm",
    "flag service",
    "report exporter",
    "invoice renderer",
    "geo lookup service",
    "webhook relay",
];

pub const PROBLEMS: &[&str] = &[
    "Backlog in the",
    "Outage of the",
    "Latency spike in the",
    "Elevated errors from the",
    "Partial outage of the",
    "Degraded",
    "Stalled writes in the",
    "Data delay in the",
    "Connection storm against the",
];

/// Timeline events: no digits, no colons, and none opens with a status-page word, so
/// that the only time or date in an entry is the one the form puts there.
pub const EVENTS: &[&str] = &[
    "Pager fired for the {svc}",
    "Error rate on the {svc} passed five percent",
    "On-call engineer acknowledged the page",
    "Incident channel opened",
    "Support reported customers unable to sign in",
    "Rollback of the last release began",
    "Rollback finished on every host",
    "Traffic moved to the standby region",
    "Database failover completed",
    "Cache nodes restarted one at a time",
    "Queue depth fell under the alert threshold",
    "Notice published on the status page",
    "Dashboards confirmed the mitigation",
    "Write traffic paused for the {svc}",
    "Hotfix merged to the release branch",
    "Load balancer drained the bad hosts",
    "Disk usage alarm cleared",
    "Engineers found the misconfigured flag",
    "Customer traffic back to usual levels",
    "Incident commander closed the incident",
    "Autoscaler added capacity to the {svc}",
    "Replication lag began to climb",
    "Health checks on the {svc} began failing",
    "A second responder joined the call",
    "Feature flag turned off for every tenant",
    "Vendor confirmed a fault on their side",
    "Connection pool of the {svc} exhausted",
    "Canary hosts showed the same errors",
    "Config change reverted by hand",
    "Backfill of delayed records started",
];

/// Short labels for "label then time" lines.
pub const LABELS: &[&str] = &[
    "Outage begins",
    "Impact starts",
    "On-call paged",
    "First customer report",
    "Incident declared",
    "Mitigation applied",
    "Service restored",
    "Rollback complete",
    "Root cause identified",
    "Detection",
    "Escalated to the database team",
    "All clear",
    "Failover triggered",
    "Fix verified",
];

pub const CAUSES: &[&str] = &[
    "A config push set the connection limit of the {svc} to zero.",
    "The client retry loop had no backoff, so every timeout multiplied the load on the {svc}.",
    "An expired certificate on the internal load balancer broke TLS between the {svc} and its database.",
    "A schema migration held a table lock on the {svc} database for the whole of its run.",
    "The {svc} read a feature flag that had been deleted, and the default turned caching off.",
    "A disk on the primary node of the {svc} filled with debug logs.",
    "The autoscaler used a stale metric and removed healthy hosts from the {svc}.",
    "A dependency upgrade changed the default timeout of the {svc} HTTP client.",
];

pub const ACTIONS: &[&str] = &[
    "Add an alert on queue depth for the {svc}",
    "Raise the connection pool limit of the {svc}",
    "Write a runbook for failing over the {svc}",
    "Add a canary stage to the {svc} rollout",
    "Rate-limit retries from the mobile client",
    "Move the nightly export off the primary database",
    "Write a load test for the {svc}",
    "Page the owning team when replication lag grows",
    "Split the {svc} config into one file per region",
    "Add a dashboard for certificate expiry",
    "Alert on disk usage of the {svc} hosts",
    "Remove the debug logging from the {svc}",
    "Pin the HTTP client timeout in the {svc}",
    "Review the autoscaler metrics for staleness",
    "Run a failover drill every quarter",
    "Add a schema linter to the migration pipeline",
];

pub const PEOPLE: &[&str] = &[
    "ana", "bo", "chen", "dara", "emeka", "farah", "goran", "hiro", "ines", "jonas", "kemal",
    "lena", "mateo", "noor", "oskar", "priya",
];

pub const FULL_NAMES: &[&str] = &[
    "Ana Ortiz",
    "Bo Lindqvist",
    "Chen Wei",
    "Dara Flynn",
    "Emeka Obi",
    "Farah Haddad",
    "Goran Petrov",
    "Hiro Tanaka",
];

pub const TICKET_PREFIXES: &[&str] = &["OPS", "INC", "PLAT", "SRE", "BILL", "CORE"];

pub const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Months with no daylight-saving change in the zones used here, so that a stated zone
/// has one offset all month.
pub const SAFE_MONTHS: &[i8] = &[1, 2, 5, 6, 7, 8, 9, 12];

/// Fills `{svc}` in a template.
pub fn fill(template: &str, svc: &str) -> String {
    template.replace("{svc}", svc)
}

/// A date in 2019-2025, in a month without a clock change, early enough in the month
/// that a few following days stay in it.
pub fn date(rng: &mut Rng) -> Date {
    let y = rng.range(2019, 2025) as i16;
    let m = *rng.pick(SAFE_MONTHS);
    let d = rng.range(1, 25) as i8;
    Date::new(y, m, d).unwrap()
}

pub fn iso(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day())
}

pub fn month_name(d: Date) -> &'static str {
    MONTHS[d.month() as usize - 1]
}

fn weekday(d: Date) -> &'static str {
    use jiff::civil::Weekday::*;
    match d.weekday() {
        Monday => "Monday",
        Tuesday => "Tuesday",
        Wednesday => "Wednesday",
        Thursday => "Thursday",
        Friday => "Friday",
        Saturday => "Saturday",
        Sunday => "Sunday",
    }
}

pub fn weekday_name(d: Date) -> &'static str {
    weekday(d)
}

fn ordinal(n: i8) -> String {
    let suffix = match (n % 10, n % 100) {
        (1, 11) | (2, 12) | (3, 13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// A date with its month named, in one of the ways people write it.
pub fn named_date(rng: &mut Rng, d: Date) -> String {
    let m = month_name(d);
    let (day, y) = (d.day(), d.year());
    match rng.below(6) {
        0 => format!("{m} {day}, {y}"),
        1 => format!("{day} {m} {y}"),
        2 => format!("{}, {m} {day}, {y}", weekday(d)),
        3 => format!("{} {day}, {y}", &m[..3]),
        4 => format!("{m} {}, {y}", ordinal(day)),
        _ => format!("{}, {day} {m} {y}", weekday(d)),
    }
}

/// A date as a heading or date line writes it: named, or ISO.
pub fn any_date(rng: &mut Rng, d: Date) -> String {
    if rng.chance(25) {
        iso(d)
    } else {
        named_date(rng, d)
    }
}

/// A wall-clock time of day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Clock {
    pub h: i8,
    pub m: i8,
    pub s: Option<i8>,
}

impl Clock {
    /// `14:05` or `14:05:12`.
    pub fn hm(self) -> String {
        match self.s {
            Some(s) => format!("{:02}:{:02}:{:02}", self.h, self.m, s),
            None => format!("{:02}:{:02}", self.h, self.m),
        }
    }

    pub fn minutes(self) -> i32 {
        self.h as i32 * 60 + self.m as i32
    }
}

/// `n` ascending times within one day, starting between `from` and `to` o'clock,
/// some with seconds when `seconds` allows.
pub fn clocks(rng: &mut Rng, n: usize, from: i64, to: i64, seconds: bool) -> Vec<Clock> {
    let mut t = rng.range(from * 60, to * 60) as i32;
    let mut out = Vec::new();
    let with_seconds = seconds && rng.chance(40);
    for _ in 0..n {
        out.push(Clock {
            h: (t / 60) as i8,
            m: (t % 60) as i8,
            s: with_seconds.then(|| rng.range(0, 59) as i8),
        });
        t += rng.range(2, 50) as i32;
        if t >= 23 * 60 + 59 {
            t = 23 * 60 + 59;
        }
    }
    out.dedup_by_key(|c| c.minutes());
    out
}

/// Like [`clocks`], with between `lo` and `hi` times.
pub fn clocks_between(
    rng: &mut Rng,
    lo: i64,
    hi: i64,
    from: i64,
    to: i64,
    seconds: bool,
) -> Vec<Clock> {
    let n = rng.range(lo, hi) as usize;
    clocks(rng, n, from, to, seconds)
}

/// The instant string the extractor prints for a date and time with an optional
/// UTC offset in seconds.
pub fn at(d: Date, c: Clock, offset: Option<i32>) -> String {
    let mut out = format!("{}T{}", iso(d), c.hm());
    if let Some(off) = offset {
        out.push_str(&offset_string(off));
    }
    out
}

pub fn offset_string(off: i32) -> String {
    if off == 0 {
        return "Z".to_string();
    }
    let sign = if off < 0 { '-' } else { '+' };
    let abs = off.unsigned_abs();
    format!("{sign}{:02}:{:02}", abs / 3600, (abs % 3600) / 60)
}

/// A zone as a document writes it, with how to find its offset on a date.
#[derive(Clone, Debug)]
pub struct Zone {
    /// As written: "UTC", "CEST", "Pacific time", "Europe/Berlin".
    pub written: String,
    /// The IANA zone whose offset applies (for UTC, "UTC").
    pub tz: &'static str,
    /// Fixed offset in seconds for abbreviations; `None` for regional names.
    pub fixed: Option<i32>,
}

impl Zone {
    pub fn offset(&self, d: Date, c: Clock) -> i32 {
        if let Some(f) = self.fixed {
            return f;
        }
        d.at(c.h, c.m, 0, 0)
            .in_tz(self.tz)
            .unwrap()
            .offset()
            .seconds()
    }
}

/// Abbreviation pairs (standard, daylight) with their zone and offsets.
const ABBREVIATIONS: &[(&str, &str, &str, i32, i32)] = &[
    ("PST", "PDT", "America/Los_Angeles", -8, -7),
    ("EST", "EDT", "America/New_York", -5, -4),
    ("CST", "CDT", "America/Chicago", -6, -5),
    ("CET", "CEST", "Europe/Berlin", 1, 2),
    ("EET", "EEST", "Europe/Athens", 2, 3),
    ("AEST", "AEDT", "Australia/Sydney", 10, 11),
    ("JST", "JST", "Asia/Tokyo", 9, 9),
];

/// An abbreviation right for the season of `d` (PDT in July, PST in January), or UTC.
pub fn abbreviation(rng: &mut Rng, d: Date) -> Zone {
    if rng.chance(25) {
        return Zone {
            written: rng.pick(&["UTC", "UTC", "GMT"]).to_string(),
            tz: "UTC",
            fixed: Some(0),
        };
    }
    let (std, dst, tz, so, _do) = *rng.pick(ABBREVIATIONS);
    let probe = Zone {
        written: String::new(),
        tz,
        fixed: None,
    };
    let off = probe.offset(
        d,
        Clock {
            h: 12,
            m: 0,
            s: None,
        },
    );
    let written = if off == so * 3600 { std } else { dst };
    Zone {
        written: written.to_string(),
        tz,
        fixed: Some(off),
    }
}

/// A zone as a once-for-the-document statement names it: an abbreviation, a regional
/// name ("Pacific time") or an IANA name.
pub fn stated_zone(rng: &mut Rng, d: Date) -> Zone {
    const REGIONS: &[(&str, &str)] = &[
        ("Pacific time", "America/Los_Angeles"),
        ("Eastern time", "America/New_York"),
        ("Central time", "America/Chicago"),
        ("Mountain time", "America/Denver"),
        ("US Pacific", "America/Los_Angeles"),
        ("Europe/Berlin", "Europe/Berlin"),
        ("America/New_York", "America/New_York"),
        ("Asia/Tokyo", "Asia/Tokyo"),
        ("Europe/London", "Europe/London"),
    ];
    if rng.chance(50) {
        return abbreviation(rng, d);
    }
    let (written, tz) = *rng.pick(REGIONS);
    Zone {
        written: written.to_string(),
        tz,
        fixed: None,
    }
}

/// A ticket key like `OPS-1234`.
pub fn ticket(rng: &mut Rng) -> String {
    format!("{}-{}", rng.pick(TICKET_PREFIXES), rng.range(10, 9999))
}
