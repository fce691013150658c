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
type Index = FxHashMap<&'static str, Vec<(Vec<&'static str>, &'static str)>>;

fn index() -> &'static Index {
    static INDEX: LazyLock<Index> = LazyLock::new(|| {
        let mut map: Index = FxHashMap::default();
        for (name, spellings) in DICTIONARY {
            for spelling in *spellings {
                let mut words = spelling.split(' ');
                let first = words.next().unwrap_or_default();
                map.entry(first).or_default().push((words.collect(), name));
            }
        }
        map
    });
    &INDEX
}

/// Systems named in `text`, canonical names in order of first mention.
pub fn find(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let words: Vec<&str> = word_spans(&lower).into_iter().map(|(_, w)| w).collect();
    let index = index();
    let mut seen = FxHashSet::default();
    let mut found = Vec::new();
    for (i, word) in words.iter().enumerate() {
        // Most words are not in the dictionary: rule them out by length before hashing.
        if word.len() < 2 || word.len() > LONGEST_FIRST_WORD {
            continue;
        }
        let Some(candidates) = index.get(word) else {
            continue;
        };
        for (rest, name) in candidates {
            let matches = rest
                .iter()
                .enumerate()
                .all(|(j, w)| words.get(i + 1 + j) == Some(w));
            if matches && seen.insert(*name) {
                found.push(name.to_string());
            }
        }
    }
    found
}

/// Words as (position, word); words may contain `-` and `.` inside.
fn word_spans(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        let part = c.is_alphanumeric() || ((c == '-' || c == '.' || c == '_') && start.is_some());
        match (part, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, text[s..i].trim_end_matches(['-', '.', '_'])));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text[s..].trim_end_matches(['-', '.', '_'])));
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
