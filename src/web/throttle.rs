//! Failed sign-in attempts, remembered in memory so passwords cannot be guessed at
//! speed, without letting a stranger lock someone else out.
//!
//! Every attempt counts against three things: the pair of the name typed and the
//! client's address, the address alone, and the name alone. The pair is refused after
//! [`Limits::failures`] failures inside the sliding [`Limits::window`] (one person
//! guessing one account); the address after [`Limits::client_failures`] (one person
//! guessing many accounts). A name is refused to everyone only after the much higher
//! [`Limits::name_failures`] (many addresses guessing one account), and then only for
//! the short [`Limits::name_backoff`] after its latest failure: a guesser elsewhere can
//! slow the account's owner down but not lock them out. Refused attempts are refused
//! before the password is looked at, so guessing costs no argon2 time either. An
//! attempt is counted when it starts, not when its password turns out wrong, so many
//! attempts sent at once cannot all slip past the check; a right password then takes
//! its attempt back.
//!
//! Invariant: memory is bounded. At most [`Limits::max_keys`] pairs, names and
//! addresses are remembered, each with at most its own limit of instants; when full,
//! expired entries go first, then the one whose last failure is oldest. The clock is a
//! parameter, so the tests never sleep.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How many failures are allowed, over how long, and how much is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failed attempts per (name, address) pair inside one window (at least 1).
    pub failures: usize,
    /// Failed attempts per address, whatever the names, inside one window.
    pub client_failures: usize,
    /// Failed attempts per name, from every address, inside one window, before the
    /// name is slowed down for everyone.
    pub name_failures: usize,
    /// How long a name past `name_failures` is refused after its latest failure.
    pub name_backoff: Duration,
    /// How long a failure counts.
    pub window: Duration,
    /// Pairs, names and addresses remembered at most.
    pub max_keys: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            failures: 5,
            client_failures: 20,
            name_failures: 100,
            name_backoff: Duration::from_secs(60),
            window: Duration::from_secs(15 * 60),
            max_keys: 10_000,
        }
    }
}

/// What failures are counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// A user name as typed, trimmed and lowercased (the database compares names
    /// without regard to case, so `Ada` and `ada` are one account), from one address
    /// (or from an unknown one, when the server has no connection info).
    Pair(String, Option<IpAddr>),
    /// A user name, from every address.
    Name(String),
    /// The client's address, as [`crate::identity::client_ip`] determined it.
    Client(IpAddr),
}

/// An attempt let through and counted as a failure until [`LoginThrottle::succeeded`]
/// says otherwise.
#[derive(Debug)]
#[must_use = "a successful sign-in must be reported with LoginThrottle::succeeded"]
pub struct Attempt {
    pair: Key,
    name: Key,
    client: Option<Key>,
    at: Instant,
}

impl Attempt {
    fn keys(&self) -> impl Iterator<Item = &Key> {
        [&self.pair, &self.name]
            .into_iter()
            .chain(self.client.as_ref())
    }
}

/// The failures of recent sign-in attempts, shared by every request.
#[derive(Debug, Default)]
pub struct LoginThrottle {
    limits: Limits,
    failures: Mutex<HashMap<Key, VecDeque<Instant>>>,
}

/// Longest name kept as a key; longer ones are never valid user names anyway.
const MAX_NAME_KEY_CHARS: usize = 200;

impl LoginThrottle {
    /// A throttle with the given limits.
    pub fn new(limits: Limits) -> LoginThrottle {
        LoginThrottle {
            limits: Limits {
                failures: limits.failures.max(1),
                client_failures: limits.client_failures.max(1),
                name_failures: limits.name_failures.max(1),
                ..limits
            },
            failures: Mutex::default(),
        }
    }

    /// The most failures kept for `key`: its limit.
    fn limit(&self, key: &Key) -> usize {
        match key {
            Key::Pair(..) => self.limits.failures,
            Key::Client(_) => self.limits.client_failures,
            Key::Name(_) => self.limits.name_failures,
        }
    }

    /// How long `key`, holding `times` (the window's failures, oldest first), is still
    /// refused at `now`, if it is.
    fn refused_for(&self, key: &Key, times: &VecDeque<Instant>, now: Instant) -> Option<Duration> {
        if times.len() < self.limit(key) {
            return None;
        }
        let until = match key {
            Key::Name(_) => *times.back()? + self.limits.name_backoff,
            _ => times[0] + self.limits.window,
        };
        Some(until.saturating_duration_since(now)).filter(|wait| !wait.is_zero())
    }

    /// Lets an attempt to sign in as `name` from `client` through at `now` and counts
    /// it, or refuses it when its pair, its address or its name is over its limit; the
    /// error says how long until the attempt would be let through.
    pub fn attempt(
        &self,
        name: &str,
        client: Option<IpAddr>,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        let typed = name
            .trim()
            .chars()
            .take(MAX_NAME_KEY_CHARS)
            .collect::<String>()
            .to_lowercase();
        let client = client.map(|ip| ip.to_canonical());
        let attempt = Attempt {
            pair: Key::Pair(typed.clone(), client),
            name: Key::Name(typed),
            client: client.map(Key::Client),
            at: now,
        };
        // A panic elsewhere while holding the lock leaves the map usable: at worst an
        // instant too many or too few, never a broken sign-in page.
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let mut wait: Option<Duration> = None;
        for key in attempt.keys() {
            let Some(times) = map.get_mut(key) else {
                continue;
            };
            forget_expired(times, now, self.limits.window);
            if times.is_empty() {
                map.remove(key);
            } else if let Some(until) = self.refused_for(key, times, now) {
                wait = Some(wait.map_or(until, |w| w.max(until)));
            }
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        for key in attempt.keys() {
            if !map.contains_key(key) {
                self.make_room(&mut map, now);
            }
            let limit = self.limit(key);
            let times = map.entry(key.clone()).or_default();
            times.push_back(now);
            while times.len() > limit {
                times.pop_front();
            }
        }
        Ok(attempt)
    }

    /// The attempt's password was right: forget every failure of its pair (only the
    /// account's owner can get here, from that address) and take back the attempt from
    /// its name and address. They keep their other failures, or someone with one
    /// account of their own could wipe the counts between guesses at other names.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        map.remove(&attempt.pair);
        for key in std::iter::once(&attempt.name).chain(attempt.client.as_ref()) {
            if let Some(times) = map.get_mut(key) {
                if let Some(i) = times.iter().rposition(|t| *t == attempt.at) {
                    times.remove(i);
                }
                if times.is_empty() {
                    map.remove(key);
                }
            }
        }
    }

    /// Frees a slot when the map is full: expired entries first, then the entry whose
    /// latest failure is the oldest.
    fn make_room(&self, map: &mut HashMap<Key, VecDeque<Instant>>, now: Instant) {
        if map.len() < self.limits.max_keys {
            return;
        }
        map.retain(|_, times| {
            forget_expired(times, now, self.limits.window);
            !times.is_empty()
        });
        while map.len() >= self.limits.max_keys.max(1) {
            let oldest = map
                .iter()
                .min_by_key(|(_, times)| times.back().copied())
                .map(|(key, _)| key.clone());
            match oldest {
                Some(key) => map.remove(&key),
                None => break,
            };
        }
    }

    /// How many names and addresses are remembered (for tests).
    #[cfg(test)]
    fn keys(&self) -> usize {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

/// Drops the instants that left the window ending at `now`.
fn forget_expired(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= window)
    {
        times.pop_front();
    }
}

/// "try again in 1 minute" / "in 14 minutes": the wait rounded up to whole minutes.
pub fn wait_in_minutes(wait: Duration) -> String {
    let minutes = wait.as_secs().div_ceil(60).max(1);
    if minutes == 1 {
        "1 minute".to_string()
    } else {
        format!("{minutes} minutes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Duration = Duration::from_secs(60);

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    fn fail(t: &LoginThrottle, name: &str, client: Option<IpAddr>, now: Instant) {
        let _counted = t.attempt(name, client, now).expect("attempt allowed");
    }

    #[test]
    fn five_failures_lock_the_name_from_that_address_until_the_oldest_leaves_the_window() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        let here = ip("192.0.2.1");
        for i in 0..5 {
            fail(&t, "carol", here, start + i * MIN);
        }
        let wait = t.attempt("carol", here, start + 5 * MIN).unwrap_err();
        assert_eq!(wait, 10 * MIN);
        assert_eq!(wait_in_minutes(wait), "10 minutes");
        // Refused attempts do not extend the lock.
        assert!(t.attempt("carol", here, start + 14 * MIN).is_err());
        // The first failure expires at 15 minutes: one more try, then locked again.
        fail(&t, "carol", here, start + 15 * MIN);
        let wait = t.attempt("carol", here, start + 15 * MIN).unwrap_err();
        assert_eq!(wait_in_minutes(wait), "1 minute");
        assert!(t.attempt("carol", here, start + 30 * MIN).is_ok());
    }

    #[test]
    fn failures_from_one_address_do_not_lock_the_name_for_anyone_else() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..5 {
            fail(&t, "carol", ip("203.0.113.66"), now);
        }
        assert!(t.attempt("carol", ip("203.0.113.66"), now).is_err());
        assert!(t.attempt("carol", ip("192.0.2.1"), now).is_ok());
    }

    #[test]
    fn names_are_counted_without_regard_to_case_or_spaces() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for name in ["Carol", "carol", " CAROL ", "cArOl", "carol"] {
            fail(&t, name, None, now);
        }
        assert!(t.attempt("CAROL", None, now).is_err());
        assert!(t.attempt("dave", None, now).is_ok());
    }

    #[test]
    fn one_address_guessing_many_names_is_locked_out() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for i in 0..20 {
            fail(&t, &format!("n{i}"), ip("192.0.2.1"), now);
        }
        assert!(t.attempt("f", ip("192.0.2.1"), now).is_err());
        assert!(t.attempt("f", ip("::ffff:192.0.2.1"), now).is_err());
        assert!(t.attempt("f", ip("192.0.2.2"), now).is_ok());
    }

    #[test]
    fn many_addresses_guessing_one_name_slow_it_down_for_a_minute_only() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for i in 0..100u32 {
            let from = Some(IpAddr::from([198, 51, (i / 250) as u8, (i % 250) as u8]));
            fail(&t, "carol", from, start + Duration::from_secs(i.into()));
        }
        let last = start + Duration::from_secs(99);
        let wait = t.attempt("carol", ip("192.0.2.1"), last).unwrap_err();
        assert_eq!(wait, Duration::from_secs(60));
        assert!(t.attempt("dave", ip("192.0.2.1"), last).is_ok());
        // A minute after the latest failure one attempt goes through, from anywhere.
        let later = last + MIN;
        let _owner = t.attempt("carol", ip("192.0.2.1"), later).unwrap();
        assert!(t.attempt("carol", ip("192.0.2.2"), later).is_err());
    }

    #[test]
    fn a_success_clears_the_pairs_failures_but_not_the_other_failures_of_its_address() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..3 {
            fail(&t, "carol", ip("192.0.2.1"), now);
        }
        for i in 0..16 {
            fail(&t, &format!("mallory{i}"), ip("192.0.2.1"), now);
        }
        let right = t.attempt("carol", ip("192.0.2.1"), now + MIN).unwrap();
        t.succeeded(right);
        // The pair starts afresh: five more tries.
        for _ in 0..5 {
            fail(&t, "carol", ip("192.0.2.9"), now + MIN);
        }
        assert!(t.attempt("carol", ip("192.0.2.9"), now + MIN).is_err());
        // The first address still holds its nineteen failures, not the successful one.
        fail(&t, "x", ip("192.0.2.1"), now + MIN);
        assert!(t.attempt("y", ip("192.0.2.1"), now + MIN).is_err());
    }

    #[test]
    fn the_map_stays_bounded_dropping_expired_then_oldest_entries() {
        let t = LoginThrottle::new(Limits {
            max_keys: 6,
            ..Limits::default()
        });
        let start = Instant::now();
        // Two keys each (the pair and the name, no address).
        fail(&t, "old", None, start);
        fail(&t, "busy", None, start);
        fail(&t, "busy", None, start + 2 * MIN);
        fail(&t, "newer", None, start + MIN);
        assert_eq!(t.keys(), 6);
        // Full: the keys whose last failure is oldest ("old") go, so its count starts
        // afresh and five more failures are allowed.
        fail(&t, "fourth", None, start + 3 * MIN);
        assert_eq!(t.keys(), 6);
        for _ in 0..5 {
            fail(&t, "old", None, start + 3 * MIN);
        }
        assert!(t.attempt("old", None, start + 3 * MIN).is_err());
        assert_eq!(t.keys(), 6);
        // Later everything has expired and one sweep empties the map.
        fail(&t, "fifth", None, start + 60 * MIN);
        assert_eq!(t.keys(), 2);
        for i in 0..1000 {
            let client = ip(&format!("198.51.100.{}", i % 250));
            fail(&t, &format!("n{i}"), client, start + 61 * MIN);
        }
        assert!(t.keys() <= 6);
    }
}
