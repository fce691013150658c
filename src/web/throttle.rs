//! Failed sign-in attempts, remembered in memory so passwords cannot be guessed at
//! speed.
//!
//! Every attempt counts against the name typed and against the client's address. Once
//! either has [`Limits::failures`] failures inside the sliding [`Limits::window`], further
//! attempts are refused before the password is even looked at, so guessing costs no
//! argon2 time either. An attempt is counted when it starts, not when its password
//! turns out wrong, so many attempts sent at once cannot all slip past the check; a
//! right password then takes its attempt back.
//!
//! Invariant: memory is bounded. At most [`Limits::max_keys`] names and addresses are
//! remembered, each with at most [`Limits::failures`] instants; when full, expired
//! entries go first, then the one whose last failure is oldest. The clock is a
//! parameter, so the tests never sleep.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How many failures are allowed, over how long, and how much is remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failed attempts per name and per address inside one window (at least 1).
    pub failures: usize,
    /// How long a failure counts.
    pub window: Duration,
    /// Names and addresses remembered at most.
    pub max_keys: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            failures: 5,
            window: Duration::from_secs(15 * 60),
            max_keys: 10_000,
        }
    }
}

/// What failures are counted against.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    /// A user name as typed, trimmed and lowercased (the database compares names
    /// without regard to case, so `Ada` and `ada` are one account).
    Name(String),
    /// The client's address, as [`crate::identity::client_ip`] determined it.
    Client(IpAddr),
}

/// An attempt let through and counted as a failure until [`LoginThrottle::succeeded`]
/// says otherwise.
#[derive(Debug)]
#[must_use = "a successful sign-in must be reported with LoginThrottle::succeeded"]
pub struct Attempt {
    name: Key,
    client: Option<Key>,
    at: Instant,
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
                ..limits
            },
            failures: Mutex::default(),
        }
    }

    /// Lets an attempt to sign in as `name` from `client` through at `now` and counts
    /// it, or refuses it when the name or the address already has the full number of
    /// failures in the window; the error says how long until one of them expires.
    pub fn attempt(
        &self,
        name: &str,
        client: Option<IpAddr>,
        now: Instant,
    ) -> Result<Attempt, Duration> {
        let name = Key::Name(
            name.trim()
                .chars()
                .take(MAX_NAME_KEY_CHARS)
                .collect::<String>()
                .to_lowercase(),
        );
        let client = client.map(|ip| Key::Client(ip.to_canonical()));
        let Limits {
            failures, window, ..
        } = self.limits;
        // A panic elsewhere while holding the lock leaves the map usable: at worst an
        // instant too many or too few, never a broken sign-in page.
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        let mut wait: Option<Duration> = None;
        for key in std::iter::once(&name).chain(client.as_ref()) {
            let Some(times) = map.get_mut(key) else {
                continue;
            };
            forget_expired(times, now, window);
            if times.is_empty() {
                map.remove(key);
            } else if times.len() >= failures {
                let until = (times[0] + window).saturating_duration_since(now);
                wait = Some(wait.map_or(until, |w| w.max(until)));
            }
        }
        if let Some(wait) = wait {
            return Err(wait);
        }
        for key in std::iter::once(&name).chain(client.as_ref()) {
            if !map.contains_key(key) {
                self.make_room(&mut map, now);
            }
            let times = map.entry(key.clone()).or_default();
            times.push_back(now);
            while times.len() > failures {
                times.pop_front();
            }
        }
        Ok(Attempt {
            name,
            client,
            at: now,
        })
    }

    /// The attempt's password was right: forget every failure of its name (only the
    /// account's owner can get here) and take back the attempt from its address. The
    /// address keeps its other failures, or someone with one account of their own
    /// could wipe the count between guesses at other names.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut map = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        map.remove(&attempt.name);
        if let Some(client) = &attempt.client
            && let Some(times) = map.get_mut(client)
        {
            if let Some(i) = times.iter().position(|t| *t == attempt.at) {
                times.remove(i);
            }
            if times.is_empty() {
                map.remove(client);
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
    fn five_failures_lock_the_name_until_the_oldest_leaves_the_window() {
        let t = LoginThrottle::default();
        let start = Instant::now();
        for i in 0..5 {
            fail(&t, "carol", None, start + i * MIN);
        }
        let wait = t.attempt("carol", None, start + 5 * MIN).unwrap_err();
        assert_eq!(wait, 10 * MIN);
        assert_eq!(wait_in_minutes(wait), "10 minutes");
        // Refused attempts do not extend the lock.
        assert!(t.attempt("carol", None, start + 14 * MIN).is_err());
        // The first failure expires at 15 minutes: one more try, then locked again.
        fail(&t, "carol", None, start + 15 * MIN);
        let wait = t.attempt("carol", None, start + 15 * MIN).unwrap_err();
        assert_eq!(wait_in_minutes(wait), "1 minute");
        assert!(t.attempt("carol", None, start + 30 * MIN).is_ok());
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
        for name in ["a", "b", "c", "d", "e"] {
            fail(&t, name, ip("192.0.2.1"), now);
        }
        assert!(t.attempt("f", ip("192.0.2.1"), now).is_err());
        assert!(t.attempt("f", ip("::ffff:192.0.2.1"), now).is_err());
        assert!(t.attempt("f", ip("192.0.2.2"), now).is_ok());
    }

    #[test]
    fn a_success_clears_the_names_failures_but_not_the_other_failures_of_its_address() {
        let t = LoginThrottle::default();
        let now = Instant::now();
        for _ in 0..3 {
            fail(&t, "carol", ip("192.0.2.1"), now);
        }
        fail(&t, "mallory", ip("192.0.2.1"), now);
        let right = t.attempt("carol", ip("192.0.2.1"), now + MIN).unwrap();
        t.succeeded(right);
        // The name starts afresh: five more tries from another address.
        for _ in 0..5 {
            fail(&t, "carol", ip("192.0.2.9"), now + MIN);
        }
        assert!(t.attempt("carol", ip("192.0.2.10"), now + MIN).is_err());
        // The first address still holds its four failures, not the successful attempt.
        fail(&t, "x", ip("192.0.2.1"), now + MIN);
        assert!(t.attempt("y", ip("192.0.2.1"), now + MIN).is_err());
    }

    #[test]
    fn the_map_stays_bounded_dropping_expired_then_oldest_entries() {
        let t = LoginThrottle::new(Limits {
            failures: 5,
            window: 15 * MIN,
            max_keys: 3,
        });
        let start = Instant::now();
        fail(&t, "old", None, start);
        fail(&t, "older-but-busy", None, start);
        fail(&t, "older-but-busy", None, start + 2 * MIN);
        fail(&t, "newer", None, start + MIN);
        assert_eq!(t.keys(), 3);
        // Full: the entry whose last failure is oldest ("old") goes, so its count
        // starts afresh and five more failures are allowed.
        fail(&t, "fourth", None, start + 3 * MIN);
        assert_eq!(t.keys(), 3);
        for _ in 0..5 {
            fail(&t, "old", None, start + 3 * MIN);
        }
        assert!(t.attempt("old", None, start + 3 * MIN).is_err());
        assert_eq!(t.keys(), 3);
        // Later everything has expired and one sweep empties the map.
        fail(&t, "fifth", None, start + 60 * MIN);
        assert_eq!(t.keys(), 1);
        for i in 0..1000 {
            let client = ip(&format!("198.51.100.{}", i % 250));
            fail(&t, &format!("n{i}"), client, start + 61 * MIN);
        }
        assert!(t.keys() <= 3);
    }
}
