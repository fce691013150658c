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

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::LazyLock;

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
    // Lowercased once, into one text: the terms are counted from its parts (borrowed,
    // not a string per word) and the failure modes are found in the whole.
    let parts = [(input.title, 3.0), (input.summary, 1.5), (input.body, 1.0)]
        .into_iter()
        .chain(input.causes.iter().map(|c| (*c, 2.0)));
    let mut lowered = String::new();
    let mut spans = Vec::new();
    for (text, weight) in parts {
        let start = lowered.len();
        lowered.push_str(&text.to_lowercase());
        spans.push((start..lowered.len(), weight));
        lowered.push('\n');
    }
    let mut counts: FxHashMap<&str, f32> = FxHashMap::default();
    for (span, weight) in &spans {
        for word in words(&lowered[span.clone()]) {
            *counts.entry(word).or_insert(0.0) += weight;
        }
    }
    let mut terms: Vec<(&str, f32)> = counts.into_iter().collect();
    terms.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    terms.truncate(PROFILE_TERMS);
    let terms = terms.into_iter().map(|(w, n)| (w.to_string(), n)).collect();
    let modes = failure_modes(&lowered);
    let mut systems: Vec<String> = input.systems.iter().map(|s| s.to_lowercase()).collect();
    systems.sort();
    systems.dedup();
    Profile {
        systems,
        modes,
        terms,
    }
}

/// Every phrasing of [`FAILURE_MODES`] in one automaton, so a document is scanned once
/// (not once per phrasing), and the failure mode each pattern names.
static PHRASINGS: LazyLock<(aho_corasick::AhoCorasick, Vec<usize>)> = LazyLock::new(|| {
    let mut patterns = Vec::new();
    let mut modes = Vec::new();
    for (mode, (_, phrasings)) in FAILURE_MODES.iter().enumerate() {
        for p in *phrasings {
            patterns.push(*p);
            modes.push(mode);
        }
    }
    let automaton = aho_corasick::AhoCorasick::new(&patterns)
        .unwrap_or_else(|e| panic!("the failure-mode phrasings are fixed strings: {e}"));
    (automaton, modes)
});

/// The failure modes named in lowercased `text` (a phrasing counts where it starts at
/// a word boundary), in the order of [`FAILURE_MODES`].
fn failure_modes(text: &str) -> Vec<String> {
    let (automaton, modes) = &*PHRASINGS;
    let mut found = vec![false; FAILURE_MODES.len()];
    for m in automaton.find_overlapping_iter(text) {
        let at_boundary = text[..m.start()]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        if at_boundary {
            found[modes[m.pattern().as_usize()]] = true;
        }
    }
    FAILURE_MODES
        .iter()
        .zip(found)
        .filter(|(_, f)| *f)
        .map(|((name, _), _)| name.to_string())
        .collect()
}

static STOPWORD_SET: LazyLock<FxHashSet<&'static str>> =
    LazyLock::new(|| STOPWORDS.iter().copied().collect());

/// Words of two or more characters that are not stopwords or numbers, from lowercased
/// `text`.
fn words(text: &str) -> impl Iterator<Item = &str> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_'))
        .map(|w| w.trim_matches(['-', '_']))
        .filter(|w| w.len() >= 2 && w.len() <= 40)
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit() || c == '-'))
        .filter(|w| !STOPWORD_SET.contains(w))
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
    let mut c = Comparer::default();
    for p in profiles {
        c.add(p);
    }
    c.compute()
}

/// Collects profiles one at a time (feature names interned, so a large corpus costs a
/// few bytes per feature) and compares them all at the end.
#[derive(Debug, Default)]
pub struct Comparer {
    names: Vec<String>,
    ids: FxHashMap<String, u32>,
    docs: Vec<Vec<(u32, f32)>>,
}

impl Comparer {
    fn intern(&mut self, name: String) -> u32 {
        if let Some(&id) = self.ids.get(&name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.clone());
        self.ids.insert(name, id);
        id
    }

    /// Adds one incident. Features: terms, systems and failure modes, each in its own
    /// namespace; systems and failure modes are deliberate signals and weigh more.
    pub fn add(&mut self, p: &Profile) {
        let mut f: BTreeMap<u32, f32> = BTreeMap::new();
        for (t, w) in &p.terms {
            let id = self.intern(format!("t:{t}"));
            f.insert(id, (1.0 + *w).ln());
        }
        for sys in &p.systems {
            let id = self.intern(format!("s:{sys}"));
            f.insert(id, 3.0);
        }
        for m in &p.modes {
            let id = self.intern(format!("m:{m}"));
            f.insert(id, mode_weight(m) as f32);
        }
        self.docs.push(f.into_iter().collect());
    }

    /// Number of incidents added.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether no incident was added.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// For each incident added, its most related others (by order of addition).
    pub fn compute(mut self) -> Vec<Vec<Related>> {
        // Only the feature names are needed from here on: the interning map and the
        // raw vectors are freed as the weighted vectors are built (at 100,000
        // incidents they are tens of MB each).
        self.ids = FxHashMap::default();
        let docs = std::mem::take(&mut self.docs);
        let n = docs.len();
        if n < 2 {
            return vec![Vec::new(); n];
        }
        let mut df = vec![0u32; self.names.len()];
        for d in &docs {
            for (k, _) in d {
                df[*k as usize] += 1;
            }
        }
        // A feature in more than a quarter of all incidents (and more than two) cannot
        // tell incidents apart; capping how many incidents a kept feature may span also
        // keeps the comparison near-linear in the number of incidents.
        let common = if n <= 8 {
            n
        } else {
            (n / 4).clamp(2, MAX_FEATURE_SPAN)
        } as u32;
        let vectors: Vec<Vec<(u32, f32)>> = docs
            .into_iter()
            .map(|d| {
                d.into_iter()
                    .filter(|(k, _)| df[*k as usize] <= common)
                    .map(|(k, w)| {
                        let idf = ((n as f32 + 1.0) / df[k as usize] as f32).ln();
                        (k, w * idf)
                    })
                    .filter(|(_, w)| *w > 0.0)
                    .collect()
            })
            .collect();
        let norms: Vec<f32> = vectors
            .iter()
            .map(|v| v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt())
            .collect();
        let mut postings: Vec<Vec<(u32, f32)>> = vec![Vec::new(); self.names.len()];
        for (i, v) in vectors.iter().enumerate() {
            for (k, w) in v {
                postings[*k as usize].push((i as u32, *w));
            }
        }
        let mut out = Vec::with_capacity(n);
        // Dot products with every other incident, accumulated densely: `touched` lists
        // the incidents whose entry is not zero, so clearing costs what filling did.
        let mut dots = vec![0f32; n];
        let mut touched: Vec<u32> = Vec::new();
        for (i, v) in vectors.iter().enumerate() {
            for (k, w) in v {
                for (j, wj) in &postings[*k as usize] {
                    if *j as usize != i {
                        let d = &mut dots[*j as usize];
                        if *d == 0.0 {
                            touched.push(*j);
                        }
                        *d += w * wj;
                    }
                }
            }
            let mut scored: Vec<(usize, f64)> = Vec::new();
            for j in touched.drain(..) {
                let j = j as usize;
                let d = std::mem::take(&mut dots[j]);
                if norms[i] > 0.0 && norms[j] > 0.0 {
                    let s = (d / (norms[i] * norms[j])) as f64;
                    if s >= MIN_SCORE {
                        scored.push((j, s));
                    }
                }
            }
            scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            scored.truncate(MAX_RELATED);
            out.push(
                scored
                    .into_iter()
                    .map(|(j, score)| Related {
                        other: j,
                        score,
                        reason: self.reason(&vectors[i], &vectors[j]),
                    })
                    .collect(),
            );
        }
        out
    }

    /// "same failure: IP address conflict; shared systems: kafka; shared terms: ip, dhcp".
    fn reason(&self, a: &[(u32, f32)], b: &[(u32, f32)]) -> String {
        // Both vectors are sorted by feature: one merge finds the shared features.
        let mut shared: Vec<(&str, f32)> = Vec::new();
        let (mut x, mut y) = (0, 0);
        while let (Some((ka, wa)), Some((kb, wb))) = (a.get(x), b.get(y)) {
            match ka.cmp(kb) {
                std::cmp::Ordering::Less => x += 1,
                std::cmp::Ordering::Greater => y += 1,
                std::cmp::Ordering::Equal => {
                    shared.push((self.names[*ka as usize].as_str(), wa * wb));
                    x += 1;
                    y += 1;
                }
            }
        }
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
