//! Related incidents: what two postmortems share, weighted so that rare, telling things
//! (a failure mode, a system, a distinctive term) count more than common words.
//!
//! Each incident is reduced at import to a short profile: its systems, the failure
//! modes it names (from a curated table of phrasings, so "same IP", "IP conflict" and
//! "duplicate IP address" meet), and its most frequent terms, with title and root
//! causes weighted above the body. After an import, profiles are compared with TF-IDF
//! cosine similarity through an inverted index.
//!
//! Invariant: pure and deterministic; the same profiles always give the same ranking,
//! and every related pair carries a reason a reader can check.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// How many terms a profile keeps.
const PROFILE_TERMS: usize = 40;
/// How many related incidents are kept per incident.
pub const MAX_RELATED: usize = 5;
/// A feature shared by more incidents than this is too common to relate them.
const MAX_FEATURE_SPAN: usize = 150;
/// Pairs below this similarity are not shown: sharing only generic words is not a reason.
const MIN_SCORE: f64 = 0.03;

/// Failure modes and the phrasings that name them. Matching is on lowercased text.
const FAILURE_MODES: &[(&str, &[&str])] = &[
    (
        "IP address conflict",
        &[
            "same ip",
            "ip conflict",
            "duplicate ip",
            "ip address conflict",
            "conflicting ip",
            "ip collision",
            "address conflict",
        ],
    ),
    (
        "certificate expiry",
        &[
            "certificate expired",
            "expired certificate",
            "expired ssl",
            "expired tls",
            "cert expired",
            "certificate expir",
        ],
    ),
    (
        "disk full",
        &["disk full", "out of disk", "disk space", "no space left"],
    ),
    ("memory leak", &["memory leak", "out of memory", "oom"]),
    (
        "DNS failure",
        &["dns resolution", "dns record", "dns server", "dns outage"],
    ),
    (
        "power outage",
        &["power outage", "power failure", "loss of power"],
    ),
    (
        "database corruption",
        &[
            "database corruption",
            "corrupted database",
            "data corruption",
        ],
    ),
    (
        "bad deploy",
        &[
            "bad deploy",
            "faulty deploy",
            "rollback",
            "rolled back",
            "bad release",
        ],
    ),
    (
        "configuration error",
        &[
            "misconfiguration",
            "misconfigured",
            "configuration error",
            "config error",
        ],
    ),
    (
        "network loop",
        &[
            "network loop",
            "broadcast storm",
            "internal loop",
            "arp storm",
        ],
    ),
    (
        "capacity exhaustion",
        &[
            "capacity issue",
            "overloaded",
            "ran out of capacity",
            "resource exhaustion",
        ],
    ),
    (
        "expired credentials",
        &[
            "expired password",
            "expired token",
            "expired key",
            "credentials expired",
        ],
    ),
];

/// Broad failure modes ("a configuration error") say less than specific ones ("two
/// hosts claimed the same IP address").
const BROAD_MODES: &[&str] = &["configuration error", "capacity exhaustion", "bad deploy"];

fn mode_weight(mode: &str) -> f64 {
    if BROAD_MODES.contains(&mode) {
        2.0
    } else {
        8.0
    }
}

/// Words too common in postmortems to say anything about an incident.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "after",
    "again",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "been",
    "before",
    "being",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "did",
    "do",
    "does",
    "doing",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "him",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "out",
    "over",
    "own",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "would",
    "you",
    "your",
    "incident",
    "issue",
    "issues",
    "time",
    "team",
    "which",
    "one",
    "two",
    "new",
    "first",
    "next",
    "however",
    "may",
    "also",
    "due",
    "caused",
    "because",
    "used",
    "using",
    "use",
    "able",
    "get",
    "got",
    "make",
    "made",
    "see",
    "still",
    "around",
    "approximately",
    "within",
    "without",
    "later",
    "since",
    "well",
    "like",
    "need",
    "needed",
    "way",
    "day",
    "days",
    "hour",
    "hours",
    "minutes",
    "minute",
    "utc",
    "am",
    "pm",
    "http",
    "https",
    "www",
    "com",
    "org",
    "html",
    "cause",
    "causes",
    "service",
    "services",
    "problem",
    "problems",
    "impact",
    "impacted",
    "outage",
    "failure",
    "root",
    "degraded",
    "resolved",
    "users",
    "user",
    "action",
    "actions",
    "follow",
    "timeline",
    "summary",
];

/// What an incident is compared by, computed at import.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    /// Systems named by the incident, lowercased.
    pub systems: Vec<String>,
    /// Failure modes named by the incident (display names).
    pub modes: Vec<String>,
    /// The most frequent meaningful terms with their weighted counts.
    pub terms: Vec<(String, f32)>,
}

/// The text of an incident, by weight.
pub struct ProfileInput<'a> {
    pub title: &'a str,
    pub causes: &'a [&'a str],
    pub summary: &'a str,
    pub body: &'a str,
    pub systems: &'a [String],
}

/// Builds the profile of one incident.
pub fn profile(input: &ProfileInput<'_>) -> Profile {
    let mut counts: HashMap<String, f32> = HashMap::new();
    let mut add = |text: &str, weight: f32| {
        for word in words(text) {
            *counts.entry(word).or_insert(0.0) += weight;
        }
    };
    add(input.title, 3.0);
    for c in input.causes {
        add(c, 2.0);
    }
    add(input.summary, 1.5);
    add(input.body, 1.0);
    let mut terms: Vec<(String, f32)> = counts.into_iter().collect();
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    terms.truncate(PROFILE_TERMS);

    let mut lowered = String::new();
    for part in [input.title, input.summary, input.body] {
        lowered.push_str(&part.to_lowercase());
        lowered.push('\n');
    }
    for c in input.causes {
        lowered.push_str(&c.to_lowercase());
        lowered.push('\n');
    }
    let modes = FAILURE_MODES
        .iter()
        .filter(|(_, phrasings)| phrasings.iter().any(|p| contains_phrase(&lowered, p)))
        .map(|(name, _)| name.to_string())
        .collect();
    let mut systems: Vec<String> = input.systems.iter().map(|s| s.to_lowercase()).collect();
    systems.sort();
    systems.dedup();
    Profile {
        systems,
        modes,
        terms,
    }
}

/// `phrase` occurs in `text` starting at a word boundary.
fn contains_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(i, _)| {
        text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Lowercased words of two or more characters that are not stopwords or numbers.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .map(|w| w.trim_matches(['-', '_']))
        .filter(|w| w.len() >= 2 && w.len() <= 40)
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit() || c == '-'))
        .map(str::to_lowercase)
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
}

/// One related incident and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Related {
    pub other: usize,
    pub score: f64,
    pub reason: String,
}

/// For each profile, its most related others (by index into `profiles`), best first.
pub fn compute(profiles: &[Profile]) -> Vec<Vec<Related>> {
    let n = profiles.len();
    if n < 2 {
        return vec![Vec::new(); n];
    }
    // Features: terms, systems and failure modes, each with its own namespace and
    // weight. Systems and failure modes are deliberate signals and weigh more.
    let features: Vec<BTreeMap<String, f64>> = profiles
        .iter()
        .map(|p| {
            let mut f = BTreeMap::new();
            for (t, w) in &p.terms {
                f.insert(format!("t:{t}"), (1.0 + *w as f64).ln());
            }
            for s in &p.systems {
                f.insert(format!("s:{s}"), 3.0);
            }
            for m in &p.modes {
                f.insert(format!("m:{m}"), mode_weight(m));
            }
            f
        })
        .collect();
    let mut df: HashMap<&str, usize> = HashMap::new();
    for f in &features {
        for k in f.keys() {
            *df.entry(k.as_str()).or_insert(0) += 1;
        }
    }
    // A feature in more than a quarter of all incidents (and more than two) cannot tell
    // incidents apart; capping how many incidents a kept feature may span also keeps the
    // comparison near-linear in the number of incidents.
    let common = (n / 4).clamp(2, MAX_FEATURE_SPAN);
    let idf = |k: &str| -> f64 {
        let d = df.get(k).copied().unwrap_or(1) as f64;
        ((n as f64 + 1.0) / d).ln()
    };
    let vectors: Vec<Vec<(&str, f64)>> = features
        .iter()
        .map(|f| {
            f.iter()
                .filter(|(k, _)| df[k.as_str()] <= common || n <= 8)
                .map(|(k, w)| (k.as_str(), w * idf(k)))
                .filter(|(_, w)| *w > 0.0)
                .collect()
        })
        .collect();
    let norms: Vec<f64> = vectors
        .iter()
        .map(|v| v.iter().map(|(_, w)| w * w).sum::<f64>().sqrt())
        .collect();
    let mut postings: HashMap<&str, Vec<(usize, f64)>> = HashMap::new();
    for (i, v) in vectors.iter().enumerate() {
        for (k, w) in v {
            postings.entry(k).or_default().push((i, *w));
        }
    }
    let mut out = Vec::with_capacity(n);
    for (i, v) in vectors.iter().enumerate() {
        let mut dots: HashMap<usize, f64> = HashMap::new();
        for (k, w) in v {
            for (j, wj) in &postings[k] {
                if *j != i {
                    *dots.entry(*j).or_insert(0.0) += w * wj;
                }
            }
        }
        let mut scored: Vec<(usize, f64)> = dots
            .into_iter()
            .filter(|(j, _)| norms[i] > 0.0 && norms[*j] > 0.0)
            .map(|(j, d)| (j, d / (norms[i] * norms[j])))
            .filter(|(_, s)| *s >= MIN_SCORE)
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(MAX_RELATED);
        out.push(
            scored
                .into_iter()
                .map(|(j, score)| Related {
                    other: j,
                    score,
                    reason: reason(&vectors[i], &vectors[j]),
                })
                .collect(),
        );
    }
    out
}

/// "same failure: IP address conflict; shared systems: kafka; shared terms: ip, dhcp".
fn reason(a: &[(&str, f64)], b: &[(&str, f64)]) -> String {
    let b: HashMap<&str, f64> = b.iter().copied().collect();
    let mut shared: Vec<(&str, f64)> = a
        .iter()
        .filter_map(|(k, w)| b.get(k).map(|wb| (*k, w * wb)))
        .collect();
    shared.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(y.0)));
    let pick = |prefix: &str, max: usize| -> Vec<&str> {
        shared
            .iter()
            .filter_map(|(k, _)| k.strip_prefix(prefix))
            .take(max)
            .collect()
    };
    let mut parts = Vec::new();
    let modes = pick("m:", 3);
    if !modes.is_empty() {
        parts.push(format!("same failure: {}", modes.join(", ")));
    }
    let systems = pick("s:", 4);
    if !systems.is_empty() {
        parts.push(format!("shared systems: {}", systems.join(", ")));
    }
    let terms = pick("t:", 5);
    if !terms.is_empty() {
        parts.push(format!("shared terms: {}", terms.join(", ")));
    }
    parts.join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(title: &str, body: &str, systems: &[&str]) -> Profile {
        let systems: Vec<String> = systems.iter().map(|s| s.to_string()).collect();
        profile(&ProfileInput {
            title,
            causes: &[],
            summary: "",
            body,
            systems: &systems,
        })
    }

    #[test]
    fn phrasings_of_one_failure_mode_meet() {
        let a = p(
            "Network down",
            "two hosts used the same IP on the segment",
            &[],
        );
        let b = p(
            "Phones offline",
            "DHCP returned a floating address, an IP conflict",
            &[],
        );
        assert_eq!(a.modes, vec!["IP address conflict"]);
        assert_eq!(b.modes, vec!["IP address conflict"]);
    }

    #[test]
    fn the_most_similar_incident_comes_first_with_a_reason() {
        let profiles = vec![
            p(
                "Kafka brokers lost",
                "kafka partition leader election failed",
                &["Kafka"],
            ),
            p(
                "Disk filled on db",
                "postgres disk full, writes failed",
                &["PostgreSQL"],
            ),
            p(
                "Kafka consumer lag",
                "kafka consumers fell behind after leader election",
                &["Kafka"],
            ),
            p("Certificate", "the tls certificate expired", &[]),
        ];
        let related = compute(&profiles);
        assert_eq!(related[0][0].other, 2);
        assert_eq!(related[2][0].other, 0);
        assert!(
            related[0][0].reason.contains("kafka"),
            "{}",
            related[0][0].reason
        );
        assert!(related[3].is_empty());
    }
}
