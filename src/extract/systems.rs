//! Systems: technologies and services a postmortem names, matched against a curated
//! dictionary. They become cross-link hubs between incidents.
//!
//! Invariant: a system is reported by its canonical display name, once, in order of
//! first mention; matching is on whole words, case-insensitive.

use rustc_hash::{FxHashMap, FxHashSet};
use std::sync::LazyLock;

/// (canonical name, spellings matched as whole words, lowercase).
pub const DICTIONARY: &[(&str, &[&str])] = &[
    ("Kafka", &["kafka"]),
    ("PostgreSQL", &["postgres", "postgresql", "psql"]),
    ("MySQL", &["mysql", "mariadb"]),
    ("Redis", &["redis"]),
    ("nginx", &["nginx"]),
    ("Kubernetes", &["kubernetes", "k8s", "kubectl"]),
    ("Docker", &["docker", "docker compose", "docker-compose"]),
    ("OpenStack", &["openstack"]),
    ("Neutron", &["neutron"]),
    ("IPsec", &["ipsec"]),
    ("DNS", &["dns", "nameserver", "nameservers"]),
    ("DHCP", &["dhcp"]),
    ("BGP", &["bgp"]),
    ("TLS", &["tls", "ssl certificate", "ssl"]),
    ("HAProxy", &["haproxy"]),
    ("Traefik", &["traefik"]),
    ("Okta", &["okta"]),
    ("AWS", &["aws", "amazon web services"]),
    ("EC2", &["ec2"]),
    ("EBS", &["ebs"]),
    ("S3", &["s3"]),
    ("Azure", &["azure"]),
    ("Google Cloud", &["gcp", "google cloud", "gke"]),
    ("Linode", &["linode"]),
    ("OVH", &["ovh"]),
    ("Cloudflare", &["cloudflare"]),
    ("Elasticsearch", &["elasticsearch", "opensearch"]),
    ("Cassandra", &["cassandra"]),
    ("MongoDB", &["mongodb", "mongo"]),
    ("RabbitMQ", &["rabbitmq"]),
    ("Memcached", &["memcached"]),
    ("Consul", &["consul"]),
    ("etcd", &["etcd"]),
    ("Vault", &["hashicorp vault"]),
    ("Terraform", &["terraform"]),
    ("Ansible", &["ansible"]),
    ("Helm", &["helm", "helm chart"]),
    ("Jenkins", &["jenkins"]),
    (
        "GitHub Actions",
        &[
            "github actions",
            "github action",
            "action-runners",
            "actions runner",
        ],
    ),
    ("Travis CI", &["travis"]),
    ("Sentry", &["sentry"]),
    ("Prometheus", &["prometheus"]),
    ("Grafana", &["grafana"]),
    ("PagerDuty", &["pagerduty"]),
    ("Celery", &["celery"]),
    ("Slack", &["slack"]),
    ("Kamailio", &["kamailio"]),
    ("Atheme", &["atheme"]),
    ("DDS", &["dds", "ospl"]),
    ("Cisco ACI", &["cisco aci", "aci"]),
    ("LanDB", &["landb"]),
    ("JupyterHub", &["jupyterhub"]),
    ("Ubuntu", &["ubuntu"]),
    ("systemd", &["systemd"]),
    ("Nagios", &["nagios"]),
    ("Zookeeper", &["zookeeper"]),
    ("Hadoop", &["hadoop", "hdfs"]),
    ("Spark", &["apache spark"]),
    ("Varnish", &["varnish"]),
    ("Envoy", &["envoy"]),
    ("Istio", &["istio"]),
    ("CDN", &["cdn"]),
    (
        "Load balancer",
        &["load balancer", "load balancers", "alb", "elb"],
    ),
    ("Slurm", &["slurm"]),
    ("IPMI", &["ipmi"]),
    ("Graphite", &["graphite"]),
    ("VPN", &["vpn"]),
];

/// Length in bytes of the longest first word of a spelling ("action-runners").
const LONGEST_FIRST_WORD: usize = 14;

/// Spellings indexed by their first word: (remaining words, canonical name).
type Spellings = FxHashMap<&'static str, Vec<(Vec<&'static str>, &'static str)>>;

struct Index {
    spellings: Spellings,
    /// For each ASCII first letter, a bit per length (in bytes) of the first words that
    /// begin with it: rules out most words of a document without lowering or hashing.
    shapes: [u16; 128],
}

fn index() -> &'static Index {
    static INDEX: LazyLock<Index> = LazyLock::new(|| {
        let mut spellings: Spellings = FxHashMap::default();
        let mut shapes = [0u16; 128];
        for (name, spellings_of) in DICTIONARY {
            for spelling in *spellings_of {
                let mut words = spelling.split(' ');
                let first = words.next().unwrap_or_default();
                shapes[usize::from(first.as_bytes()[0] & 0x7f)] |= 1 << first.len();
                spellings
                    .entry(first)
                    .or_default()
                    .push((words.collect(), name));
            }
        }
        Index { spellings, shapes }
    });
    &INDEX
}

impl Index {
    /// Whether a word written as `word` may be a first word of a spelling.
    fn may_start(&self, word: &str) -> bool {
        let first = word.as_bytes()[0];
        // A word opening with a non-ASCII letter ("K" the Kelvin sign) is looked up.
        !first.is_ascii()
            || self.shapes[usize::from(first.to_ascii_lowercase())] & (1 << word.len()) != 0
    }
}

/// Systems named in `text`, canonical names in order of first mention.
pub fn find(text: &str) -> Vec<String> {
    // Words are cut from the text as written and lowered one at a time, only when their
    // first letter and length allow a match: lowering the whole document first cost
    // more than the rest.
    let words = words(text);
    let index = index();
    let mut seen = FxHashSet::default();
    let mut found = Vec::new();
    let mut lower = String::new();
    for (i, word) in words.iter().enumerate() {
        if word.len() < 2 || word.len() > LONGEST_FIRST_WORD || !index.may_start(word) {
            continue;
        }
        lower.clear();
        if word.is_ascii() {
            lower.extend(word.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        } else {
            lower.push_str(&word.to_lowercase());
        }
        let Some(candidates) = index.spellings.get(lower.as_str()) else {
            continue;
        };
        for (rest, name) in candidates {
            let matches = rest
                .iter()
                .enumerate()
                .all(|(j, w)| words.get(i + 1 + j).is_some_and(|x| same_word(x, w)));
            if matches && seen.insert(*name) {
                found.push(name.to_string());
            }
        }
    }
    found
}

/// Whether `written` is the dictionary's lowercase `word` in any case.
fn same_word(written: &str, word: &str) -> bool {
    if written.is_ascii() {
        written.eq_ignore_ascii_case(word)
    } else {
        written.to_lowercase() == word
    }
}

/// The words of `text`; words may contain `-`, `.` and `_` inside.
fn words(text: &str) -> Vec<&str> {
    let mut out = Vec::with_capacity(text.len() / 6);
    let b = text.as_bytes();
    let mut start = None;
    let mut i = 0;
    while i < b.len() {
        // ASCII bytes are classed directly; other characters are decoded.
        let (part, width) = if b[i].is_ascii() {
            let c = b[i];
            let inner = matches!(c, b'-' | b'.' | b'_') && start.is_some();
            (c.is_ascii_alphanumeric() || inner, 1)
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            (c.is_alphanumeric(), c.len_utf8())
        };
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(text[s..i].trim_end_matches(['-', '.', '_']));
                start = None;
            }
            _ => {}
        }
        i += width;
    }
    if let Some(s) = start {
        out.push(text[s..].trim_end_matches(['-', '.', '_']));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn systems_are_found_as_whole_words_in_order() {
        let got =
            find("The Kafka cluster and our Postgres replica; not kafkaesque. Load balancer too.");
        assert_eq!(got, ["Kafka", "PostgreSQL", "Load balancer"]);
    }

    #[test]
    fn no_first_word_is_longer_than_the_prefilter_allows() {
        for (_, spellings) in DICTIONARY {
            for s in *spellings {
                let first = s.split(' ').next().unwrap();
                assert!((2..=LONGEST_FIRST_WORD).contains(&first.len()), "{s}");
            }
        }
    }

    #[test]
    fn hyphenated_words_do_not_match_their_parts() {
        assert!(find("the redis-like cache").is_empty());
        assert_eq!(find("uses redis."), ["Redis"]);
    }
}
