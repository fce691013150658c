//! Deterministic generator of synthetic postmortem documents for benchmarks and load tests.
//!
//! Every document is a pure function of `(seed, index)`: one SplitMix64 stream seeded from
//! both drives every choice, so a corpus can be regenerated instead of checked in, and any
//! single document can be reproduced without generating the ones before it.
//!
//! The documents imitate what teams actually write: Markdown (optionally with YAML or TOML
//! front matter), reStructuredText, and plain text in status-page, email/slides and
//! narrative styles. Timelines and action items come in many layouts, timestamps in many
//! notations and zone conventions, so an importer sees the same variety it meets in the
//! wild. Words are drawn with a Zipf-like skew, giving search benchmarks both terms that
//! occur almost everywhere and terms that occur in a handful of documents.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::OnceLock;

/// One generated document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthDoc {
    /// `YYYY-MM-DD-<slug>-<index>.<ext>`, unique within a corpus.
    pub file_name: String,
    /// The document body: valid UTF-8 with `\n` line endings.
    pub text: String,
}

/// Generates document number `index` of a corpus; the same (seed, index) always gives the same document.
pub fn generate(seed: u64, index: u64) -> SynthDoc {
    let mut g = Gen::new(seed, index);
    let file_name = g.file_name();
    let text = g.render();
    SynthDoc { file_name, text }
}

/// Writes documents 0..count into `dir` (created if missing), streaming (never holding the corpus in memory); returns total bytes written.
pub fn write_corpus(dir: &Path, seed: u64, count: u64) -> std::io::Result<u64> {
    std::fs::create_dir_all(dir)?;
    let mut total = 0u64;
    for index in 0..count {
        let doc = generate(seed, index);
        std::fs::write(dir.join(&doc.file_name), doc.text.as_bytes())?;
        total += doc.text.len() as u64;
    }
    Ok(total)
}

/// The vocabulary the generator draws from, for building search queries in benchmarks: (common words, rare words, two-word phrases that occur verbatim).
pub fn vocabulary() -> (Vec<&'static str>, Vec<&'static str>, Vec<&'static str>) {
    let mut rare: Vec<&'static str> = RARE_TERMS.to_vec();
    rare.extend_from_slice(codenames());
    let phrases = [PHRASE_THINGS, PHRASE_EVENTS, PHRASE_CONDITIONS].concat();
    (COMMON_WORDS.to_vec(), rare, phrases)
}

/// Smallest and largest document the generator may emit, in bytes.
const MIN_BYTES: usize = 2_000;
const MAX_BYTES: usize = 20_480;

/// Stands in for the space inside a two-word phrase while a document is being built, so
/// paragraph wrapping can never split a phrase across lines (phrase queries must find it
/// verbatim). Replaced by a real space before the document is returned.
const GLUE: char = '\u{1}';

// ---------------------------------------------------------------------------------------
// Pseudo-random numbers
// ---------------------------------------------------------------------------------------

/// SplitMix64 finaliser: a cheap bijective mixer with good avalanche behaviour.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64 stream. All arithmetic is integer so output is identical on every platform.
struct Rng(u64);

impl Rng {
    fn new(seed: u64, index: u64) -> Self {
        // Mix seed and index separately before combining so that neighbouring pairs such as
        // (1, 2) and (2, 1) start unrelated streams.
        Rng(mix(seed ^ 0x6A09_E667_F3BC_C909) ^ mix(index.wrapping_add(0xBB67_AE85_84CA_A73B)))
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in `0..n` (multiply-shift; the bias is far below anything a corpus can show).
    fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: u32, hi: u32) -> u32 {
        lo + self.below((hi - lo) as usize + 1) as u32
    }

    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// Index into `weights` chosen proportionally to the weights.
    fn weighted(&mut self, weights: &[u32]) -> usize {
        let total: u32 = weights.iter().sum();
        let mut x = self.below(total as usize) as u32;
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// Zipf-like rank in `0..n`: P(rank = k) falls off roughly as k^-1.25, so the head of
    /// a list dominates while its tail still shows up occasionally. Inverse transform of
    /// P(rank >= k) = k^-1/4 with integers only (u^4 fits in 60 bits), plus rejection of
    /// ranks beyond the list.
    fn zipf(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        loop {
            let u = (self.next_u64() >> 49) + 1; // 1..=2^15
            let rank = (1u64 << 60) / (u * u * u * u);
            if rank <= n as u64 {
                return rank as usize - 1;
            }
        }
    }

    /// Mostly Zipf, partly uniform: a pure power law would put the top word of every list
    /// into every sentence; the uniform share keeps mid-ranked words in circulation.
    fn zpick(&mut self, items: &[&'static str]) -> &'static str {
        if self.chance(35) {
            self.pick(items)
        } else {
            items[self.zipf(items.len())]
        }
    }
}

// ---------------------------------------------------------------------------------------
// Calendar
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Date {
    y: i32,
    m: u32,
    d: u32,
}

const MONTHS: [&str; 12] = [
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
const WEEKDAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    fn to_days(self) -> i64 {
        let y = i64::from(self.y) - i64::from(self.m <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.m);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.d) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Inverse of `to_days` (Hinnant's civil_from_days).
    fn from_days(z: i64) -> Date {
        let z = z + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = (yoe + era * 400) as i32 + i32::from(m <= 2);
        Date { y, m, d }
    }

    fn add_days(self, n: i64) -> Date {
        Date::from_days(self.to_days() + n)
    }

    /// 0 = Sunday.
    fn weekday(self) -> usize {
        (self.to_days() + 4).rem_euclid(7) as usize
    }

    fn month_name(self) -> &'static str {
        MONTHS[self.m as usize - 1]
    }

    fn month_abbr(self) -> &'static str {
        &MONTHS[self.m as usize - 1][..3]
    }
}

/// Day of month of the `nth` (1-based) Sunday, or the last Sunday when `nth` is 0.
fn sunday(y: i32, m: u32, nth: u32) -> u32 {
    if nth == 0 {
        let last = days_in_month(y, m);
        last - Date { y, m, d: last }.weekday() as u32
    } else {
        let first_wd = Date { y, m, d: 1 }.weekday() as u32;
        1 + (7 - first_wd) % 7 + 7 * (nth - 1)
    }
}

// ---------------------------------------------------------------------------------------
// Time zones
// ---------------------------------------------------------------------------------------

/// Daylight-saving rules, at whole-day granularity (the hour of the switch does not matter
/// for a synthetic document, but the abbreviation must match the date to stay plausible).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dst {
    None,
    Us,
    Eu,
    Au,
}

struct Zone {
    iana: &'static str,
    std_abbr: &'static str,
    dst_abbr: &'static str,
    /// Standard offset in minutes east of UTC.
    std_offset: i32,
    dst: Dst,
    /// How people name the zone in "All times ..." lines.
    casual: &'static str,
}

const ZONES: [Zone; 9] = [
    Zone {
        iana: "UTC",
        std_abbr: "UTC",
        dst_abbr: "UTC",
        std_offset: 0,
        dst: Dst::None,
        casual: "UTC",
    },
    Zone {
        iana: "America/Los_Angeles",
        std_abbr: "PST",
        dst_abbr: "PDT",
        std_offset: -480,
        dst: Dst::Us,
        casual: "Pacific",
    },
    Zone {
        iana: "America/New_York",
        std_abbr: "EST",
        dst_abbr: "EDT",
        std_offset: -300,
        dst: Dst::Us,
        casual: "Eastern",
    },
    Zone {
        iana: "America/Chicago",
        std_abbr: "CST",
        dst_abbr: "CDT",
        std_offset: -360,
        dst: Dst::Us,
        casual: "central",
    },
    Zone {
        iana: "Europe/Berlin",
        std_abbr: "CET",
        dst_abbr: "CEST",
        std_offset: 60,
        dst: Dst::Eu,
        casual: "CET",
    },
    Zone {
        iana: "Europe/London",
        std_abbr: "GMT",
        dst_abbr: "BST",
        std_offset: 0,
        dst: Dst::Eu,
        casual: "UK time",
    },
    Zone {
        iana: "Asia/Kolkata",
        std_abbr: "IST",
        dst_abbr: "IST",
        std_offset: 330,
        dst: Dst::None,
        casual: "IST",
    },
    Zone {
        iana: "Asia/Tokyo",
        std_abbr: "JST",
        dst_abbr: "JST",
        std_offset: 540,
        dst: Dst::None,
        casual: "JST",
    },
    Zone {
        iana: "Australia/Sydney",
        std_abbr: "AEST",
        dst_abbr: "AEDT",
        std_offset: 600,
        dst: Dst::Au,
        casual: "Sydney time",
    },
];
/// UTC dominates real postmortems; US and European zones follow.
const ZONE_WEIGHTS: [u32; 9] = [50, 14, 8, 5, 10, 5, 3, 3, 2];

impl Zone {
    fn is_dst(&self, date: Date) -> bool {
        let (y, md) = (date.y, (date.m, date.d));
        match self.dst {
            Dst::None => false,
            // Second Sunday of March to first Sunday of November (rules since 2007).
            Dst::Us => md >= (3, sunday(y, 3, 2)) && md < (11, sunday(y, 11, 1)),
            // Last Sunday of March to last Sunday of October.
            Dst::Eu => md >= (3, sunday(y, 3, 0)) && md < (10, sunday(y, 10, 0)),
            // Southern hemisphere: first Sunday of October to first Sunday of April.
            Dst::Au => !(md >= (4, sunday(y, 4, 1)) && md < (10, sunday(y, 10, 1))),
        }
    }
}

/// How a document states its zone.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ZoneMode {
    /// Every timestamp carries its zone.
    PerEntry,
    /// One "All times in UTC" statement.
    Once,
    /// No zone anywhere: the importer has to cope.
    Absent,
}

/// Notation of timeline timestamps, fixed per document.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TimeStyle {
    /// `14:05`
    H24,
    /// `1405`
    Compact,
    /// `2:45pm`, `4pm`
    AmPm,
    /// `2021-08-26T14:05:00Z`
    Iso,
    /// `2021-08-26 14:05`
    DateH24,
    /// `12/28/2017 2:45pm`
    Us,
    /// `26/06/2019 15:08`
    Eu,
    /// `Oct 12, 2017 14:05`
    MonthName,
}

impl TimeStyle {
    fn has_date(self) -> bool {
        !matches!(self, TimeStyle::H24 | TimeStyle::Compact | TimeStyle::AmPm)
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum DocFormat {
    Markdown,
    Rst,
    Text,
}

/// Plain-text documents come in three very different shapes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TextStyle {
    StatusPage,
    Email,
    Narrative,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sec {
    Summary,
    Background,
    Impact,
    Timeline,
    RootCause,
    Detection,
    Resolution,
    Actions,
    Lessons,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Status {
    Done,
    InProgress,
    Todo,
    WontFix,
}

struct Person {
    name: String,
    handle: String,
}

/// One timeline entry: when (relative to the incident date) and what.
struct Entry {
    day: i64,
    min: u32,
    text: String,
    approx: bool,
    range_end: Option<u32>,
}

/// Template pools for the phases of an incident timeline.
struct Phases {
    start: &'static [&'static str],
    early: &'static [&'static str],
    mid: &'static [&'static str],
    late: &'static [&'static str],
    end: &'static [&'static str],
    /// Typical expanded entry length in bytes, for sizing timelines to a byte budget.
    avg_len: usize,
}

/// How much text each timeline entry carries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum EntryText {
    /// One terse line.
    Plain,
    /// A terse line, sometimes followed by a short detail sentence.
    Detailed,
    /// A short paragraph, for layouts with one heading per entry.
    Paragraph,
}

struct Action {
    text: String,
    owner: usize,
    due: Option<Date>,
    status: Status,
    ticket: Option<String>,
}

// ---------------------------------------------------------------------------------------
// Word lists. Lists are ordered roughly most-common first because slots draw from them
// with a Zipf skew.
// ---------------------------------------------------------------------------------------

/// Words that appear in most documents (checked by a test); handy for high-hit queries.
#[rustfmt::skip]
const COMMON_WORDS: &[&str] = &[
    "the", "and", "we", "to", "of", "was", "incident", "service", "errors", "customers", "impact",
    "cause", "requests", "traffic", "team", "alert", "latency", "minutes", "recovery", "failure",
    "memory", "runbook", "connection", "resolved",
];

/// Two-word phrases that occur verbatim (never split by wrapping), grouped by how they can
/// be used in a sentence so the prose stays grammatical.
/// Things: "the connection pool on billing-api".
#[rustfmt::skip]
const PHRASE_THINGS: &[&str] = &[
    "connection pool", "floating ip", "health check", "feature flag", "circuit breaker",
    "rate limiter", "error budget", "file descriptors", "dns cache", "tls handshake",
    "garbage collection", "maintenance window", "log rotation", "backup restore",
];
/// Events: "after a config push".
#[rustfmt::skip]
const PHRASE_EVENTS: &[&str] = &[
    "config push", "rolling restart", "leader election", "failover test", "schema migration",
    "thundering herd", "retry storm", "kernel upgrade", "cache stampede", "bad deploy",
    "canary deploy", "network partition", "dns propagation", "traffic shift", "dependency upgrade",
    "cold start", "firmware update", "routing loop", "power failure", "cooling failure",
    "partial failover",
];
/// Conditions, used without an article: "made worse by replication lag".
#[rustfmt::skip]
const PHRASE_CONDITIONS: &[&str] = &[
    "certificate expiry", "replication lag", "memory leak", "disk pressure", "packet loss",
    "split brain", "clock skew", "lock contention", "queue backlog", "stale cache", "hot partition",
    "noisy neighbor", "write amplification", "quota exhaustion", "alert fatigue",
];

#[rustfmt::skip]
const SYSTEMS: &[&str] = &[
    "database", "kafka", "postgres", "redis", "nginx", "kubernetes", "dns", "mysql", "consul",
    "etcd", "haproxy", "elasticsearch", "cassandra", "memcached", "rabbitmq", "zookeeper", "envoy",
    "vault", "prometheus", "docker", "ceph", "mongodb", "terraform", "istio", "jenkins", "varnish",
    "celery", "sidekiq", "pgbouncer", "clickhouse", "spark", "hadoop", "airflow", "ntp", "ldap",
    "bgp", "grafana", "s3", "dynamodb", "cockroachdb", "nomad", "keycloak", "vitess", "patroni",
    "nats", "pulsar", "flink", "logstash", "fluentd", "kibana", "jaeger", "coredns", "calico",
    "cilium", "argocd", "helm", "ansible", "puppet", "saltstack", "openstack", "vmware", "minio",
    "glusterfs", "nfs", "iscsi", "zfs", "systemd", "cron", "openvpn", "wireguard", "squid",
    "traefik", "tomcat", "gunicorn", "uwsgi", "jvm", "graphite", "statsd", "influxdb", "thanos",
    "loki", "sentry", "splunk", "bigtable", "spanner", "cloudflare", "akamai", "fastly",
    "couchbase", "riak", "hbase", "solr", "neo4j", "sqs", "kinesis", "pubsub", "bigquery",
    "snowflake", "redshift",
];

#[rustfmt::skip]
const COMPONENTS: &[&str] = &[
    "load balancer", "api gateway", "primary database", "read replica", "cluster leader",
    "message broker", "consumer group", "job scheduler", "control plane", "ingress controller",
    "worker pool", "job queue", "cache tier", "storage backend", "object store", "service mesh",
    "config store", "deploy pipeline", "build cluster", "edge proxy", "web tier", "batch cluster",
    "metadata service", "session store", "search cluster", "write path", "read path", "hypervisor",
    "top-of-rack switch", "core router", "firewall", "nat gateway", "vpn gateway", "bastion host",
    "dns resolver", "certificate authority", "secrets manager", "cron host", "monitoring stack",
    "alert router", "log pipeline", "metrics pipeline", "billing pipeline", "payment processor",
    "webhook dispatcher", "sidecar proxy", "node pool", "autoscaler", "admission webhook",
    "service registry", "artifact registry", "container registry", "image cache", "cdn edge",
    "origin servers", "storage array", "backup system", "replication stream", "event bus",
    "stream processor", "feature store", "identity provider", "sso bridge", "email relay",
    "sms provider", "push gateway", "shard router", "query planner", "connection proxy",
    "blob store", "key-value store", "time-series database", "data warehouse", "etl jobs",
    "ci runners", "network fabric", "spine switches", "power distribution unit",
];

#[rustfmt::skip]
const FAIL_VERBS: &[&str] = &[
    "failed", "crashed", "stalled", "timed out", "degraded", "hung", "restarted repeatedly",
    "flapped", "saturated", "became overloaded", "deadlocked", "ran out of memory",
    "ran out of disk space", "dropped connections", "lost quorum", "fell behind", "returned errors",
    "rejected writes", "became unresponsive", "went read-only", "was partitioned",
    "leaked file descriptors", "corrupted its index", "exhausted its thread pool",
    "entered a crash loop", "started thrashing", "throttled requests", "segfaulted",
    "was oom-killed", "stopped accepting connections", "served stale data", "lost its leader",
    "refused to start", "silently dropped messages", "filled its disk", "stopped replicating",
];

/// Failure kinds for titles: no article, lowercase (capitalised by `{Failt}` when leading).
#[rustfmt::skip]
const FAIL_TITLES: &[&str] = &[
    "outage", "partial outage", "degraded performance", "latency spike", "elevated error rates",
    "service disruption", "brownout", "loss of connectivity", "replication failure",
    "failed deploy", "data inconsistency", "slow page loads",
];

/// Infinitive forms, for "caused the load balancer to {failinf}".
#[rustfmt::skip]
const FAIL_INFINITIVES: &[&str] = &[
    "fail", "stall", "time out", "crash", "drop connections", "fall behind", "return errors",
    "reject writes", "lose quorum", "run out of memory", "flap", "serve stale data",
];

#[rustfmt::skip]
const FAIL_NOUNS: &[&str] = &[
    "an outage", "a partial outage", "degraded performance", "a latency spike",
    "elevated error rates", "a service disruption", "a brownout", "a loss of connectivity",
    "a replication failure", "a failed deploy", "a capacity shortfall", "intermittent failures",
    "data inconsistency", "a full outage", "slow page loads",
];

#[rustfmt::skip]
const METRICS: &[&str] = &[
    "p99 latency", "error rate", "5xx rate", "queue depth", "consumer lag", "cpu utilization",
    "memory usage", "disk usage", "gc pause time", "request rate", "connection count",
    "replication lag", "iops", "packet loss", "tcp retransmits", "open file descriptors",
    "thread count", "heap usage", "cache hit ratio", "apdex score", "backlog size", "inode usage",
    "tcp resets", "dns lookup latency", "checkout success rate", "login success rate",
    "p50 latency", "load average", "swap usage", "network throughput", "write latency",
    "read latency", "eviction rate", "job failure rate", "lock wait time", "pod restart count",
];

#[rustfmt::skip]
const NOUNS: &[&str] = &[
    "lease", "lock", "queue", "shard", "replica", "buffer", "index", "snapshot", "partition",
    "segment", "checkpoint", "manifest", "quota", "token", "session", "certificate", "connection",
    "socket", "thread", "process", "container", "pod", "node", "volume", "disk", "heap", "page",
    "table", "row", "schema", "migration", "query", "transaction", "batch", "job", "worker", "task",
    "request", "response", "payload", "header", "cookie", "route", "rule", "policy", "role",
    "permission", "secret", "key", "credential", "config", "toggle", "release", "rollout", "build",
    "artifact", "image", "branch", "commit", "patch", "hotfix", "runbook", "dashboard", "threshold",
    "baseline", "backlog", "retry", "timeout", "backoff", "heartbeat", "probe", "handshake",
    "resolver", "record", "subnet", "peer", "prefix", "endpoint", "listener", "upstream", "backend",
    "cluster", "rack", "host", "instance", "daemon", "agent", "cronjob", "script", "pipeline",
    "cache", "namespace", "tenant", "account", "invoice", "order", "ledger", "event", "message",
    "topic", "offset", "cursor", "watermark", "epoch", "vote", "journal", "trace", "span",
    "histogram", "counter", "gauge", "sample", "scrape", "label", "selector", "annotation", "chart",
    "module", "library", "client", "driver", "adapter", "plugin", "hook", "callback", "handler",
    "middleware", "tunnel", "bridge", "switch", "link", "port", "interface", "cable", "transceiver",
    "firmware", "filesystem", "mount", "inode", "block", "sector", "controller", "battery",
    "generator", "allocator", "scheduler", "semaphore", "mutex", "watchdog", "sequence", "bucket",
    "blob", "chunk", "digest", "checksum", "signature", "keystore", "truststore",
];

#[rustfmt::skip]
const ADJS: &[&str] = &[
    "stale", "unbounded", "misconfigured", "intermittent", "cascading", "transient", "elevated",
    "excessive", "unexpected", "undocumented", "redundant", "partial", "duplicate", "orphaned",
    "malformed", "truncated", "corrupted", "oversized", "undersized", "idle", "noisy", "flaky",
    "brittle", "silent", "latent", "manual", "automated", "legacy", "deprecated", "experimental",
    "secondary", "regional", "global", "internal", "external", "upstream", "downstream",
    "synchronous", "asynchronous", "concurrent", "periodic", "nightly", "hourly", "hardcoded",
    "default", "custom", "static", "dynamic", "ephemeral", "persistent", "expired", "revoked",
    "invalid", "outdated", "inconsistent", "unhealthy", "overloaded", "throttled", "blocked",
    "pending", "stuck", "lingering", "runaway", "recursive", "circular", "implicit", "shared",
    "dedicated", "isolated", "misrouted", "asymmetric", "unbalanced", "skewed", "naïve",
    "aggressive", "conservative", "optimistic", "fragile", "leaky", "unusual", "abnormal",
    "sporadic", "frequent", "incorrect", "missing", "unused", "forgotten", "temporary", "permanent",
];

/// Regular verbs only, so the same form works after "was" and as a simple past.
#[rustfmt::skip]
const VERBS: &[&str] = &[
    "drained", "evicted", "rejected", "retried", "blocked", "flushed", "rotated", "reloaded",
    "restarted", "promoted", "demoted", "rebalanced", "rescheduled", "throttled", "masked",
    "amplified", "exhausted", "starved", "overwhelmed", "invalidated", "truncated", "duplicated",
    "dropped", "queued", "buffered", "delayed", "stalled", "triggered", "suppressed", "escalated",
    "reverted", "patched", "redeployed", "resized", "scaled", "migrated", "replayed", "reindexed",
    "compacted", "vacuumed", "pruned", "purged", "renewed", "reissued", "propagated", "replicated",
    "synchronized", "cordoned", "fenced", "quarantined", "disabled", "enabled", "pinned", "bumped",
    "tuned", "capped", "raised", "lowered", "doubled", "halved", "blackholed", "leaked",
    "recovered", "stabilized", "deleted", "locked", "unlocked", "refreshed", "cached", "serialized",
    "reordered", "merged", "skipped", "ignored", "corrupted", "overloaded",
];

#[rustfmt::skip]
const ADVERBS: &[&str] = &[
    "gradually", "suddenly", "intermittently", "silently", "repeatedly", "briefly", "eventually",
    "immediately", "partially", "temporarily", "unexpectedly", "quickly", "slowly", "automatically",
    "manually", "consistently", "sporadically", "steadily", "abruptly", "quietly", "periodically",
    "aggressively", "unevenly", "noticeably",
];

#[rustfmt::skip]
const REGIONS: &[&str] = &[
    "us-east-1", "eu-west-1", "us-west-2", "eu-central-1", "ap-southeast-1", "ap-northeast-1",
    "us-central1", "europe-west4", "fra1", "ams3", "sfo2", "nyc3", "lon1", "sgp1", "iad", "sjc",
    "the Frankfurt datacenter", "the Virginia datacenter", "the primary region",
    "the secondary region", "our Dublin site",
];

#[rustfmt::skip]
const TEAMS: &[&str] = &[
    "platform", "infrastructure", "networking", "database", "storage", "sre", "security",
    "payments", "identity", "search", "data", "observability", "release engineering",
    "customer support", "developer productivity", "core services", "edge", "mobile", "frontend",
    "billing", "messaging", "compute", "traffic", "reliability",
];

#[rustfmt::skip]
const SVC_PREFIXES: &[&str] = &[
    "billing", "auth", "search", "checkout", "payments", "profile", "notification", "inventory",
    "catalog", "order", "shipping", "session", "media", "upload", "thumbnail", "feed",
    "recommendation", "analytics", "metrics", "logging", "identity", "account", "pricing", "cart",
    "ledger", "invoice", "email", "sms", "webhook", "export", "import", "report", "config",
    "routing", "geo", "tax", "fraud", "risk", "audit", "chat", "video", "document", "backup",
    "admin", "partner", "onboarding",
];

#[rustfmt::skip]
const SVC_SUFFIXES: &[&str] = &[
    "api", "service", "worker", "gateway", "proxy", "indexer", "consumer", "scheduler", "frontend",
    "backend", "db", "cache", "queue", "cron", "sync", "store", "router", "daemon", "web", "svc",
];

#[rustfmt::skip]
const HOST_ROLES: &[&str] = &[
    "db", "web", "app", "cache", "lb", "kafka", "es", "redis", "pg", "worker", "build", "mon", "ns",
    "edge", "proxy", "etcd",
];

#[rustfmt::skip]
const MONITORS: &[&str] = &[
    "Prometheus", "Datadog", "PagerDuty", "Grafana", "Pingdom", "CloudWatch", "Nagios", "Sentry",
    "Alertmanager", "Zabbix", "New Relic", "Icinga", "Honeycomb",
];

#[rustfmt::skip]
const CUSTOMERS: &[&str] = &[
    "customers", "users", "merchants", "tenants", "API clients", "enterprise customers",
    "mobile users", "developers", "partners",
];

#[rustfmt::skip]
const USER_ACTIONS: &[&str] = &[
    "log in", "check out", "upload files", "load their dashboards", "send messages", "run builds",
    "process payments", "search", "view invoices", "sync data", "receive notifications",
    "deploy applications",
];

const CHANGES: &[&str] = &[
    "a routine deploy of {svc}",
    "a config push to {sys}",
    "a kernel upgrade on the {comp} hosts",
    "a schema migration on {sys}",
    "a dependency upgrade in {svc}",
    "a firewall rule change",
    "a DNS change for {svc}",
    "an expired TLS certificate on the {comp}",
    "a failed disk on {host}",
    "a traffic shift to {region}",
    "planned maintenance on {sys}",
    "a feature flag flip for {code}",
    "a BGP announcement from an upstream provider",
    "a power failure in {region}",
    "a cooling failure in the datacenter",
    "a {phrase} on {sysr}",
];

const FIXES: &[&str] = &[
    "rolled back the deploy",
    "failed over to the standby {sys} cluster",
    "restarted the affected pods",
    "drained traffic from {region}",
    "increased the connection pool size",
    "renewed the expired certificate",
    "reverted the config push",
    "added capacity to the {comp}",
    "disabled the {code} feature flag",
    "flushed the stale cache",
    "killed the runaway queries on {sys}",
    "rebuilt the {sys} index",
    "promoted a replica to primary",
    "blocked the abusive clients at the {comp}",
    "moved the floating ip back to a healthy node",
    "cleared the {sys} backlog",
    "restored from the last good snapshot",
];

const SYS_BEHAVIOR: &[&str] = &[
    "fail over automatically",
    "shed load gracefully",
    "reject writes rather than corrupt them",
    "rebalance partitions on its own",
    "evict old keys before running out of memory",
    "retry idempotently",
];

#[rustfmt::skip]
const SEVERITIES: &[&str] = &[
    "SEV2", "SEV3", "SEV1", "P2", "SEV4", "P1", "P3", "major", "minor", "critical", "Sev 2",
];

#[rustfmt::skip]
const TICKET_PREFIXES: &[&str] = &[
    "OPS", "INFRA", "SRE", "PLAT", "NET", "DBA", "SEC", "CORE", "REL", "OBS",
];

#[rustfmt::skip]
const COMPANIES: &[&str] = &[
    "Parallax", "Brightline", "Fernhill", "Quillmark", "Tessellate", "Corvid Labs", "Halcyon",
    "Lumen Works", "Saltmarsh", "Ninefold",
];

#[rustfmt::skip]
const FIRST_NAMES: &[&str] = &[
    "Amara", "Ben", "Chloé", "Dmitri", "Elena", "Farid", "Grace", "Hiroshi", "Ines", "Jonas",
    "Kavya", "Liam", "Mei", "Nikolai", "Olu", "Priya", "Quentin", "Rosa", "Sven", "Tomás", "Uma",
    "Victor", "Wen", "Ximena", "Yusuf", "Zoë", "André", "Renée", "Mateo", "Sofia", "Aisha", "Lars",
    "Hannah", "Omar", "Lucía", "Kenji", "Fatima", "Noah", "Emma", "Raj", "Ingrid", "Pablo", "Marta",
    "Dev", "Sam", "Jordan", "Taylor", "Alex",
];

#[rustfmt::skip]
const LAST_NAMES: &[&str] = &[
    "Okafor", "Nguyen", "Schmidt", "García", "Kowalski", "Tanaka", "Singh", "Müller", "Rossi",
    "Johansson", "Dubois", "Petrov", "Silva", "Kim", "Chen", "Haddad", "O'Brien", "Martin", "Novak",
    "Andersen", "Fischer", "Ivanova", "Lopez", "Mensah", "Park", "Ramos", "Sato", "Walker",
    "Yilmaz", "Zhang", "Brennan", "Costa", "Eriksson", "Fontaine", "Gupta", "Hughes", "Jansen",
    "Keller", "Lindqvist", "Moreau",
];

/// Uncommon technical terms: each appears in only a small fraction of documents.
#[rustfmt::skip]
const RARE_TERMS: &[&str] = &[
    "conntrack", "hugepages", "tombstones", "hysteresis", "quiescence", "fsync", "mlock", "softirq",
    "jemalloc", "tcmalloc", "epoll", "syncookies", "hashring", "vnodes", "memtable", "sstable",
    "wraparound", "autovacuum", "fillfactor", "antientropy", "merkle", "lamport", "linearizability",
    "ecmp", "anycast", "multicast", "lacp", "vrrp", "keepalived", "ipvs", "iptables", "nftables",
    "ebpf", "seccomp", "apparmor", "selinux", "cgroups", "kswapd", "writeback", "readahead",
    "smartctl", "nvme", "resilver", "fstrim", "ext4", "xfs", "btrfs", "overlayfs", "inotify",
    "ulimit", "somaxconn", "chrony", "leapsecond", "ocsp", "alpn", "hsts", "mtls", "certbot",
    "pkcs12", "jwks", "saml", "oidc", "kerberos", "spnego", "tcpdump", "strace", "flamegraph",
    "pprof", "heapdump", "jstack", "safepoint", "metaspace", "shenandoah", "numactl", "irqbalance",
    "ethtool", "pmtud", "dnssec", "axfr", "edns",
];

/// Syllables for invented project codenames, the rarest words in the corpus. Prefixes end
/// in a consonant and suffixes start with a vowel, which keeps the combinations pronounceable.
#[rustfmt::skip]
const CODE_HEADS: &[&str] = &[
    "zor", "quel", "vant", "brix", "drak", "fen", "gald", "hask", "jor", "kel", "lum", "mor", "nax",
    "pell", "quor", "rud", "sil", "tam", "ulv", "vex", "wyn", "xan", "yor", "zel", "bram", "cor",
    "dov", "frel", "gorm", "hal", "isk", "jav", "kov", "lor", "mab", "nev", "orv", "prax", "rin",
    "thal",
];
#[rustfmt::skip]
const CODE_TAILS: &[&str] = &[
    "ara", "ix", "on", "eth", "ul", "ia", "ondo", "ek", "ira", "ost", "umi", "ax", "elle", "orn",
    "is", "ado", "aru", "essa", "ion", "ova", "ept", "ilda", "une", "arch", "imo", "oth", "agen",
    "ivy", "ult", "enza", "obar", "ique", "anth", "erro", "uvia", "olt", "azi", "ewick", "isca",
    "omir",
];

/// All codenames, built once. They are leaked into `'static` storage so `vocabulary()` can
/// hand out `&'static str` like the hand-written lists; the table is built once per process.
fn codenames() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| {
        let mut names = Vec::with_capacity(CODE_HEADS.len() * CODE_TAILS.len());
        for head in CODE_HEADS {
            for tail in CODE_TAILS {
                let name: &'static str = Box::leak(format!("{head}{tail}").into_boxed_str());
                names.push(name);
            }
        }
        names
    })
}

// ---------------------------------------------------------------------------------------
// Sentence templates. `{key}` placeholders are expanded by `Gen::slot`; a capitalised key
// (`{Svc}`) capitalises the first letter of the expansion.
// ---------------------------------------------------------------------------------------

const TITLES: &[&str] = &[
    "{Main} outage caused by {condition}",
    "{Main} outage during a {event}",
    "Elevated error rates on {main}",
    "Partial {mainsys} outage in {region}",
    "Degraded {main} performance after {change}",
    "{Mainsys} cluster failure",
    "Incident {n}: {main} unavailable",
    "Postmortem: {failt} in {main}",
    "{Monthyear} {mainsys} incident",
    "Loss of {mainsys} quorum affecting {main}",
    "{Main} latency spike – {shortdate}",
    "{Failt} for {cust} in {region}",
    "Expired TLS certificate takes down {main}",
    "{Condition} on {mainsys} causes {failn}",
    "Outage of {main} and {svc2}",
    "{Company}: {failt} on {shortdate}",
    "{Mainsys} {fail} during {event}",
    "{Failt} after {event} on {mainsys}",
];

const SUMMARY: &[&str] = &[
    "On {date}, {svc} experienced {failn} lasting roughly {idur}.",
    "Between {t} and {t2}, a {adj} {noun} in the {sys} cluster caused {failn} for {svc}.",
    "During this window, {pct}% of requests to {svc} returned errors and {cust} saw elevated latency.",
    "The incident was triggered by {change} and made worse by {condition} on {sysr}.",
    "This document describes what happened, why it happened, and what we are doing to prevent it from happening again.",
    "The root cause was a {adj} {noun} in {svc} that {verb} the {comp} under load.",
    "We declared a {sev} incident at {t} and resolved it at {t2}.",
    "The {team} team led the response, with help from several other teams.",
    "Service was fully restored by {t2} after we {fix}.",
    "The {code} project had recently moved {svc} onto {sysr}, which made this failure mode possible.",
    "No customer data was lost, but {big} requests failed and {n} scheduled jobs were delayed.",
    "A {event} in {region} was the proximate trigger.",
    "In short, the {comp} in front of {sys} {fail} and {svc} had no fallback.",
    "This was the {ordinal} incident involving {svc} this quarter.",
    "Customers noticed before our monitoring did, which is part of why this review exists.",
    "The failure was contained to {region}, but recovery took longer than we would like.",
    "What follows is a blameless account written by the people who responded.",
];

const BACKGROUND: &[&str] = &[
    "{Svc} handles requests from {cust} who want to {uaction}, and runs on {sys} in {region}.",
    "The {sys} cluster behind {svc} has {n} nodes and stores roughly {n} TB of data.",
    "Traffic reaches {svc} through the {comp}, which terminates TLS and forwards requests to {n} backend pools.",
    "The {code} project started last quarter to move {svc} from {sysr} to {sys}.",
    "{Svc2} depends on {svc} for {noun} lookups on every request.",
    "Deploys to {svc} go through a canary deploy stage before reaching all of {region}.",
    "Each {noun} is owned by exactly one {comp} at a time, coordinated through {sysr}.",
    "The service was last reviewed for capacity in {monthyear}.",
    "We rely on a health check to detect unhealthy {sys} nodes and remove them from rotation.",
    "Clients reach the {sys} primary through a floating ip that moves during failover.",
    "Every {svc} instance keeps a connection pool of {n} connections to {sys}.",
];

const IMPACT: &[&str] = &[
    "{Pct}% of {cust} were unable to {uaction} for about {dur}.",
    "Roughly {big} {cust} saw errors when trying to {uaction}.",
    "API clients received HTTP 503 responses from {svc} at a peak rate of {big} per minute.",
    "Background jobs on {svc2} were delayed by up to {dur}, but no data was lost.",
    "Customers in {region} were most affected; other regions saw only slightly elevated latency.",
    "The {metric} for {svc} peaked at {n} times its normal value.",
    "Internal tooling that depends on {sysr} was unavailable, which slowed down the investigation.",
    "We estimate the impact at {big} failed transactions, all of which were retried successfully.",
    "Support received {n} tickets from {cust} during the incident.",
    "There was no impact on data durability.",
    "The monthly error budget for {svc} was exhausted by this incident alone.",
    "Total customer-facing impact lasted {idur}, from {t} to {t2}.",
    "Webhooks from {svc2} were delivered up to {dur} late.",
    "A small number of {cust} saw duplicate notifications after recovery.",
];

const ROOT_CAUSE: &[&str] = &[
    "The {comp} {fail} after a {event} left it with no healthy peers.",
    "A {adj} {noun} in {svc} {verb} the {noun} on every request, so the {comp} {fail} once traffic rose.",
    "The trigger was {change}, which changed how {svc} handled its {noun} traffic.",
    "Because the {comp} retried without backoff, the failure turned into a retry storm against {sysr}.",
    "Clients reconnected all at once, and the resulting thundering herd kept {sys} saturated.",
    "The connection pool was sized for {n} connections, but {svc} opened {num3} during the deploy.",
    "We had assumed that {sys} would {behavior}, but it did not.",
    "A latent bug in the {code} library meant that {noun} values were never {verb}.",
    "Monitoring did not cover the {metric} of {sysr}, so the {adj} {noun} went unnoticed for days.",
    "The risk of {condition} had been flagged in a previous postmortem, but the follow-up was never completed.",
    "Contributing factors included {condition}, {condition} and a {adj} {noun} in {svc2}.",
    "When {sys} {fail}, {svc} fell back to a {adj} code path that {verb} the {comp}.",
    "The configuration for {svc} still pointed at the old {comp} in {region}.",
    "Our runbook for {sys} described an outdated procedure that no longer matched reality.",
    "Each retry held a slot in the connection pool, so the pool drained in under {n} seconds.",
    "A {rare} setting on the {host} hosts had been left at its default value.",
    "The {rare} behaviour of {sys} under memory pressure was not well understood by the team.",
    "Certificate expiry for the {comp} was tracked in a spreadsheet that nobody had opened since {monthyear}.",
    "The {noun} cache in {svc} had no upper bound, and a memory leak slowly filled the heap.",
    "The {thing} on {svc} was configured with a {adj} limit that nobody remembered setting.",
    "During the {event}, {condition} on {sys} caused the {comp} to {failinf}.",
    "The health check only tested that the process was running, not that it could reach {sys}.",
];

const DETECTION: &[&str] = &[
    "The incident was detected by {monitor} at {t}.",
    "{Monitor} paged the on-call engineer {n} minutes after the first errors.",
    "We first learned about the problem from {cust} reports in our support channel.",
    "An alert on {metric} fired, but it was routed to a muted channel and not acted on for {dur}.",
    "Detection took longer than it should have because the {metric} dashboard for {svc} was broken.",
    "Synthetic checks against {svc} began failing at {tm}.",
    "The on-call engineer acknowledged the page within {n} minutes.",
    "A health check on the {comp} kept passing even though requests were failing.",
    "Our {metric} alert has a {n}-minute evaluation window, which delayed the first page.",
];

const RESOLUTION: &[&str] = &[
    "To mitigate, we {fix}.",
    "At {tm} we {fix}, and error rates began to recover.",
    "Full recovery came only after we {fix}, which took about {dur}.",
    "Once the {comp} was healthy, queued work on {svc} drained over the next {dur}.",
    "We confirmed recovery by watching the {metric} return to baseline.",
    "The incident was marked resolved at {t2}, after {n} minutes of stable metrics.",
    "{Person} ran the {phrase} runbook, which restored service in {region}.",
    "A rolling restart of {svc} cleared the remaining stuck connections.",
    "We kept the {code} feature flag disabled until a fix was deployed the next day.",
    "Replication on {sys} caught up about {dur} after the failover.",
];

const LESSONS: &[&str] = &[
    "Alerting on {metric} would have caught this {dur} earlier.",
    "The {phrase} runbook was out of date and needs an owner.",
    "Rolling back quickly was the right call, and the tooling worked as expected.",
    "We were lucky that the failure happened during business hours in {region}.",
    "Coordination between the {team} team and the on-call engineer was slow at first.",
    "Having a single incident commander kept the response focused.",
    "We need better visibility into {sysr} {metric}.",
    "Our load tests never simulate a {event}.",
    "Staging does not reproduce the {adj} {noun} behaviour we see in production.",
    "The incident channel filled with noise; alert fatigue made the real signal hard to spot.",
    "Nobody on the rotation had practiced a {sys} failover in the last year.",
    "Dashboards for {svc} were useful once we found them.",
];

const GENERAL: &[&str] = &[
    "The {adj} {noun} on {svc} {verb} {adv}, which {verb} the {noun}.",
    "In hindsight, the {noun} {verb} by the {comp} was a warning sign.",
    "We also noticed {adj} {metric} on {sysr} hosts, though it turned out to be unrelated.",
    "{Person} pointed out that the same {noun} had been {verb} during the {code} rollout.",
    "This is not the first time {condition} has affected {svc}.",
    "The {comp} in {region} {verb} {adv} while the {noun} was being {verb}.",
    "Several engineers joined the incident bridge, and {person} took notes.",
    "It's worth noting that {sysr} was running version {ver} at the time.",
    "The graphs show the {metric} climbing {adv} from {tm}.",
    "We don't yet know why the {noun} was {verb} twice.",
    "According to the {sys} logs, the {noun} on {host} was {verb} {n} times in one minute.",
    "The {team} team had seen the same {condition} problem on {sysr} a few weeks earlier.",
    "None of this was visible from the {svc} dashboards, which only track {metric}.",
    "The traffic pattern itself was normal for a {weekday}.",
    "We later found {n} other {adj} {noun} entries in {svc2} with the same problem.",
    "The {thing} for {svc} had not been reviewed since {monthyear}.",
    "Nobody expected the {comp} to be on the critical path for {svc}.",
    "It wasn't obvious at the time that {svc2} shared the {thing} with {svc}.",
    "The {noun} {verb} {adv} because of a {adj} {noun} in the {comp}.",
    "{Person} and {person} paired on the investigation from this point.",
    "Our {sys} {metric} dashboards looked healthy throughout, which was misleading.",
    "The last similar incident, during the {code} migration, was resolved the same way.",
    "We rely heavily on {sysr}, and it behaved exactly as configured.",
];

const TL_PHASES: Phases = Phases {
    start: TL_START,
    early: TL_EARLY,
    mid: TL_MID,
    late: TL_LATE,
    end: TL_END,
    avg_len: 50,
};
const NARR_PHASES: Phases = Phases {
    start: NARR_START,
    early: NARR_EARLY,
    mid: NARR_MID,
    late: NARR_LATE,
    end: NARR_END,
    avg_len: 45,
};
const STATUS_PHASES: Phases = Phases {
    start: STATUS_INVESTIGATING,
    early: STATUS_UPDATE,
    mid: STATUS_UPDATE,
    late: STATUS_UPDATE,
    end: STATUS_RESOLVED,
    avg_len: 70,
};

const TL_START: &[&str] = &[
    "{Monitor} alert fired for elevated {metric} on {svc}",
    "Deploy of {svc} {ver} began",
    "Started {change}",
    "First errors logged by {svc}",
    "The {comp} in {region} {fail}",
    "Customer reports of failed requests to {svc} began",
    "{Metric} on {svc} crossed the paging threshold",
];

const TL_EARLY: &[&str] = &[
    "On-call engineer ({person}) acknowledged the page",
    "Incident declared as {sev}; {person} took incident command",
    "Paged the {team} team",
    "Status page updated to Investigating",
    "Checked the {sys} dashboards; {metric} looked normal",
    "Noticed {adj} {noun} entries on {host}",
    "Customer support notified",
    "Opened the incident channel",
    "{Monitor} alert for {metric} on {svc2} fired",
    "Second on-call engineer joined the bridge",
    "{Person} started investigating {svc}",
    "{Person} suggested checking for {condition}",
];

const TL_MID: &[&str] = &[
    "Identified {condition} on {sysr} as a likely contributor",
    "Attempted to restart {svc}; no improvement",
    "Rolled back {svc} to {ver}",
    "Failed over the {sys} primary to {region}",
    "Peak {metric} on {svc} observed",
    "Scaled {svc} from {n} to {n2} replicas",
    "Disabled the {code} feature flag",
    "Drained traffic from {region}",
    "Confirmed root cause: {condition} in the {comp}",
    "Applied hotfix {ver} to {svc}",
    "Escalated to {sys} vendor support",
    "Blocked {adj} traffic at the {comp}",
    "Increased the connection pool size on {svc}",
    "Recovery stalled; the {comp} was still reporting errors",
    "Status page updated to Identified",
    "Started a rolling restart of {svc}",
    "Restarted {sys} on {host}",
    "Paused all deploys to {svc}",
    "Raised the {sys} memory limit to {n} GB",
    "Removed {host} from the load balancer pool",
    "Second wave of errors from {svc2}",
    "Moved the floating ip to {host}",
    "Tripped the circuit breaker between {svc} and {svc2}",
    "{Person} suggested checking for {condition}",
    "Ruled out {condition} on {sysr}",
];

const TL_LATE: &[&str] = &[
    "Error rates started to decrease",
    "Cleared the backlog on {svc2}",
    "Status page updated to Monitoring",
    "{Metric} back within normal range",
    "Re-enabled traffic to {region}",
    "Posted an update in the incident channel",
    "Most {cust} able to {uaction} again",
    "Replication caught up on {sys}",
    "Confirmed no data loss on {sys}",
    "Re-enabled deploys to {svc}",
];

const TL_END: &[&str] = &[
    "Incident resolved; all metrics back to baseline",
    "Status page updated to Resolved",
    "All clear given by the incident commander",
    "Monitoring confirmed full recovery of {svc}",
    "Backlog fully drained; incident closed",
];

/// Short follow-ups occasionally appended to a timeline entry.
const TL_DETAIL: &[&str] = &[
    "Error rate at {pct}%.",
    "{Person} joined the bridge.",
    "Graphs posted in the incident channel.",
    "Roughly {big} requests affected so far.",
    "{Metric} still elevated.",
    "See the {sys} dashboard for details.",
    "This did not help.",
    "Took about {n} minutes.",
    "Tracked in {ticket}.",
];

/// Clauses completing "At 16:13 UTC we ...", for narrative timelines.
const NARR_START: &[&str] = &[
    "noticed elevated {metric} on {svc}",
    "received the first page from {monitor}",
    "saw the first customer reports about {svc}",
    "started {change}",
];

const NARR_EARLY: &[&str] = &[
    "declared an incident and opened a bridge",
    "paged the {team} team for help",
    "updated the status page",
    "found {adj} {noun} entries in the {sys} logs",
    "checked for {condition} and ruled it out",
    "saw error rates on {svc2} start to climb as well",
    "confirmed that {cust} could not {uaction}",
];

const NARR_MID: &[&str] = &[
    "rolled back {svc} to {ver}",
    "identified {condition} on {sys} as the likely cause",
    "failed over the {sys} primary to {region}",
    "restarted the {comp} on {host}",
    "began draining traffic from {region}",
    "scaled {svc} out to {n2} replicas",
    "disabled the {code} feature flag",
    "applied a hotfix to {svc}",
    "moved the floating ip to a healthy node",
    "started a rolling restart of {svc}",
];

const NARR_LATE: &[&str] = &[
    "saw error rates start to fall",
    "re-enabled traffic to {region}",
    "watched the backlog on {svc2} drain",
    "moved the status page to Monitoring",
    "confirmed that replication on {sys} had caught up",
];

const NARR_END: &[&str] = &[
    "confirmed that error rates were back to normal",
    "marked the incident as resolved",
    "closed the incident after {n} minutes of stable metrics",
];

const STATUS_INVESTIGATING: &[&str] = &[
    "We are currently investigating elevated error rates affecting {svc}.",
    "We're investigating reports of failed requests to {svc}.",
    "Some {cust} may be unable to {uaction}. We are investigating.",
];
const STATUS_IDENTIFIED: &[&str] = &[
    "The issue has been identified as {condition} in our {sys} cluster and a fix is being implemented.",
    "We have identified the cause of the errors and are working on a fix.",
];
const STATUS_UPDATE: &[&str] = &[
    "We are continuing to work on a fix for this issue.",
    "Error rates are improving but some {cust} may still see failures.",
    "We are still seeing elevated latency in {region} and continue to investigate.",
    "Mitigation is in progress; {svc} is partially available.",
    "We are continuing to investigate this issue. The next update will follow within {n} minutes.",
];
const STATUS_MONITORING: &[&str] = &[
    "A fix has been implemented and we are monitoring the results.",
    "Error rates are back to normal levels. We are monitoring the situation.",
];
const STATUS_RESOLVED: &[&str] = &[
    "This incident has been resolved. {Svc} is operating normally.",
    "This incident has been resolved. A postmortem will follow.",
];

const ACTIONS: &[&str] = &[
    "Add alerting on {metric} for {svc}",
    "Write a runbook for {phrase} on {sys}",
    "Add a load test that simulates a {event}",
    "Document the failover procedure for {sys}",
    "Automate certificate expiry checks for the {comp}",
    "Upgrade {sys} to {ver}",
    "Add backoff and jitter to {svc} retries",
    "Set resource limits on {svc} pods",
    "Review {noun} handling in {svc}",
    "Move {svc} off the shared {comp}",
    "Run a failover test for {sys} in {region}",
    "Put the {code} rollout behind a feature flag",
    "Add a dashboard for {metric}",
    "Remove the {adj} {noun} from {svc2}",
    "Investigate {rare} settings on {host}",
    "Fix the broken {metric} alert",
    "Rate-limit abusive clients at the {comp}",
    "Schedule a game day for a {event} on {sys}",
    "Update the {sys} runbook",
    "Track {metric} in the weekly capacity planning review",
    "Cap the connection pool per {svc} instance",
    "Audit {sys} for {condition} risk",
    "Make the health check on {svc} verify its {sys} connection",
    "Add a circuit breaker between {svc} and {svc2}",
    "Alert on {condition} for {sys}",
    "Review the {thing} settings for {svc}",
    "Route {metric} alerts for {svc} to the {team} rotation",
    "Add {svc2} to the dependency map",
    "Write a postmortem template section for {phrase} incidents",
    "Reduce the default timeout in the {sys} client",
];

const FAILURE_TITLES: &[&str] = &[
    "{Condition} on {sys}",
    "{Adj} {noun} in {svc}",
    "The {comp} {fail}",
    "Missing alert on {metric}",
    "Slow rollback of {svc}",
    "Misconfigured {thing} on {svc}",
];

const LOG_LINES: &[&str] = &[
    "ERROR [{svc}] connection pool exhausted (active={num3}, idle=0, waiting={n})",
    "WARN  [{svc}] upstream timed out while reading response header from {host}",
    "ERROR [{svc}] failed to renew lease for {noun} after {n} attempts",
    "ERROR [{sys}] replication lag {n}s exceeds threshold",
    "WARN  [{svc}] GC pause {num3}ms",
    "ERROR [{svc}] dial tcp 10.{n}.{n}.{n}:5432: connect: connection refused",
    "FATAL [{sys}] too many open files",
    "ERROR [{svc}] context deadline exceeded",
    "WARN  [{sys}] health check failed for {host}",
    "ERROR [{svc}] x509: certificate has expired or is not yet valid",
    "WARN  [{svc}] circuit breaker open for {svc2}",
];

// ---------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------

/// Per-document state: the random stream plus every document-wide choice, made up front so
/// the file name can be computed without rendering the body.
struct Gen {
    rng: Rng,
    index: u64,
    format: DocFormat,
    text_style: TextStyle,
    date: Date,
    /// Minutes after local midnight at which the incident starts.
    start_min: u32,
    duration_min: u32,
    zone: &'static Zone,
    dst: bool,
    zone_mode: ZoneMode,
    style: TimeStyle,
    /// Per-entry zone written as `UTC`, `(UTC)` or `+02:00`.
    zone_suffix: usize,
    ampm_upper: bool,
    /// Long-date notation used in prose.
    date_style: usize,
    curly: bool,
    /// Hard-wrap width for prose paragraphs, if this author wraps.
    wrap: Option<usize>,
    services: [String; 3],
    systems: [&'static str; 3],
    people: Vec<Person>,
    codename: &'static str,
    severity: &'static str,
    region: &'static str,
    company: &'static str,
    title: String,
    bullet: &'static str,
    /// Separator between a timestamp and its text in list-like timelines.
    sep: &'static str,
    owner_style: usize,
    marker_style: usize,
    zone_noted: bool,
    /// Ring of recently used templates (see `template`).
    recent: [&'static str; RECENT],
    recent_pos: usize,
    /// Byte size this document aims for.
    target: usize,
}

/// How many recent templates `Gen::template` avoids repeating.
const RECENT: usize = 24;

impl Gen {
    fn new(seed: u64, index: u64) -> Gen {
        let mut rng = Rng::new(seed, index);
        let format = match rng.weighted(&[45, 25, 30]) {
            0 => DocFormat::Markdown,
            1 => DocFormat::Rst,
            _ => DocFormat::Text,
        };
        let text_style = match rng.weighted(&[30, 35, 35]) {
            0 => TextStyle::StatusPage,
            1 => TextStyle::Email,
            _ => TextStyle::Narrative,
        };
        let y = rng.range(2012, 2026) as i32;
        let m = rng.range(1, 12);
        let date = Date {
            y,
            m,
            d: rng.range(1, days_in_month(y, m)),
        };
        let zone = &ZONES[rng.weighted(&ZONE_WEIGHTS)];
        let dst = zone.is_dst(date);
        let zone_mode = match rng.weighted(&[40, 40, 20]) {
            0 => ZoneMode::PerEntry,
            1 => ZoneMode::Once,
            _ => ZoneMode::Absent,
        };
        let mut style = match rng.weighted(&[35, 6, 8, 10, 12, 8, 8, 13]) {
            0 => TimeStyle::H24,
            1 => TimeStyle::Compact,
            2 => TimeStyle::AmPm,
            3 => TimeStyle::Iso,
            4 => TimeStyle::DateH24,
            5 => TimeStyle::Us,
            6 => TimeStyle::Eu,
            _ => TimeStyle::MonthName,
        };
        // Numeric day/month orders are only used when the day exceeds 12, so a reader can
        // always tell which field is which.
        if matches!(style, TimeStyle::Us | TimeStyle::Eu) && date.d <= 12 {
            style = TimeStyle::H24;
        }
        // Two overlapping uniform ranges: the sizes cover 2-20 KB but lean towards the lower
        // half, so the mean lands near 9-10 KB like real postmortem collections.
        let hi = if rng.chance(60) { 16_000 } else { 19_200 };
        let target = rng.range(2_300, hi) as usize;
        // Bigger documents have longer timelines, so they describe longer incidents.
        let duration_min = match rng.weighted(&[30, 45, 20, 5]) {
            0 => rng.range(15, 60),
            1 => rng.range(60, 240),
            2 => rng.range(240, 960),
            _ => rng.range(960, 2400),
        }
        .max(target as u32 / 80);
        let wrap_pct = match format {
            DocFormat::Markdown => 20,
            _ => 50,
        };
        let wrap = rng.chance(wrap_pct).then(|| rng.range(68, 100) as usize);

        let mut services: [String; 3] = Default::default();
        for i in 0..services.len() {
            // Redraw duplicates so "affected: billing-api, billing-api" cannot happen.
            loop {
                let name = format!("{}-{}", rng.zpick(SVC_PREFIXES), rng.zpick(SVC_SUFFIXES));
                if !services[..i].contains(&name) {
                    services[i] = name;
                    break;
                }
            }
        }
        let mut systems = [""; 3];
        for i in 0..systems.len() {
            systems[i] = loop {
                let sys = rng.zpick(SYSTEMS);
                if !systems[..i].contains(&sys) {
                    break sys;
                }
            };
        }
        let handle_style = rng.below(3);
        let people = (0..rng.range(3, 6))
            .map(|_| {
                let first = rng.pick(FIRST_NAMES);
                let last = rng.pick(LAST_NAMES);
                let (f, l) = (ascii_handle(first), ascii_handle(last));
                let handle = match handle_style {
                    0 => format!("{}{}", &f[..1], l),
                    1 => format!("{f}.{l}"),
                    _ => f,
                };
                Person {
                    name: format!("{first} {last}"),
                    handle,
                }
            })
            .collect();
        let names = codenames();
        let codename = names[rng.below(names.len())];
        let bullet = match format {
            DocFormat::Text => rng.pick(&["• ", "• ", "- ", "* "]),
            _ => rng.pick(&["- ", "- ", "* "]),
        };
        let mut g = Gen {
            index,
            format,
            text_style,
            date,
            start_min: rng.range(0, 1439),
            duration_min,
            zone,
            dst,
            zone_mode,
            style,
            zone_suffix: rng.weighted(&[70, 15, 15]),
            ampm_upper: rng.chance(30),
            date_style: rng.below(4),
            curly: rng.chance(35),
            wrap,
            services,
            systems,
            people,
            codename,
            severity: rng.zpick(SEVERITIES),
            region: rng.zpick(REGIONS),
            company: rng.pick(COMPANIES),
            title: String::new(),
            bullet,
            sep: rng.pick(&[" - ", " - ", " – ", ": ", " — "]),
            owner_style: rng.below(4),
            marker_style: rng.below(3),
            zone_noted: false,
            recent: [""; RECENT],
            recent_pos: 0,
            target,
            rng,
        };
        let mut title = String::new();
        let tpl = g.template(TITLES);
        g.expand(tpl, &mut title);
        g.title = title;
        g
    }

    fn ext(&self) -> &'static str {
        match self.format {
            DocFormat::Markdown => "md",
            DocFormat::Rst => "rst",
            DocFormat::Text => "txt",
        }
    }

    /// `YYYY-MM-DD-<slug>-<index>.<ext>`; the index makes names unique within a corpus.
    fn file_name(&self) -> String {
        let d = self.date;
        format!(
            "{:04}-{:02}-{:02}-{}-{}.{}",
            d.y,
            d.m,
            d.d,
            slug(&self.title),
            self.index,
            self.ext()
        )
    }

    /// Renders the whole document, sized towards a target drawn from the stream.
    fn render(&mut self) -> String {
        let target = self.target;
        let mut out = String::with_capacity(target + 2_048);
        match self.format {
            DocFormat::Markdown => self.markdown(&mut out, target),
            DocFormat::Rst => self.rst(&mut out, target),
            DocFormat::Text => match self.text_style {
                TextStyle::StatusPage => self.status_page(&mut out, target),
                TextStyle::Email => self.email(&mut out, target),
                TextStyle::Narrative => self.narrative(&mut out, target),
            },
        }
        self.finish(out)
    }

    /// Enforces the size bounds, trims trailing blank lines and removes phrase glue.
    fn finish(&mut self, mut out: String) -> String {
        while out.len() < MIN_BYTES {
            // Only tiny targets with terse sections end up here; an appendix is the natural
            // place for extra material in every format.
            self.section_heading(&mut out, "Additional Notes");
            self.paragraph(&mut out, GENERAL, MIN_BYTES + 100);
        }
        if out.len() > MAX_BYTES {
            // Section budgets keep documents well below the cap; this is a last resort that
            // cuts at a paragraph boundary.
            let cut = out[..MAX_BYTES - 1].rfind("\n\n").unwrap_or(MAX_BYTES / 2);
            out.truncate(cut + 1);
        }
        while out.ends_with("\n\n") {
            out.pop();
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.replace(GLUE, " ")
    }

    // -----------------------------------------------------------------------------------
    // Template expansion
    // -----------------------------------------------------------------------------------

    /// Expands `{key}` placeholders, curling apostrophes in literal text if this author
    /// types them that way. One byte scan, since this is the generator's hot loop.
    fn expand(&mut self, tpl: &str, out: &mut String) {
        let bytes = tpl.as_bytes();
        let (mut lit, mut i) = (0, 0);
        while i < bytes.len() {
            match bytes[i] {
                b'{' => {
                    out.push_str(&tpl[lit..i]);
                    let close = i + tpl[i..].find('}').expect("unterminated placeholder");
                    let start = out.len();
                    self.slot(&tpl[i + 1..close], out);
                    fix_article(out, start);
                    i = close + 1;
                    lit = i;
                }
                b'\'' if self.curly => {
                    out.push_str(&tpl[lit..i]);
                    out.push('’');
                    i += 1;
                    lit = i;
                }
                _ => i += 1,
            }
        }
        out.push_str(&tpl[lit..]);
    }

    fn slot(&mut self, key: &str, out: &mut String) {
        if key.starts_with(|c: char| c.is_ascii_uppercase()) {
            let start = out.len();
            self.slot(&key.to_ascii_lowercase(), out);
            capitalize_at(out, start);
            return;
        }
        match key {
            // `svc` is the service at the centre of the incident (now and then its closest
            // neighbour); `svc2` is a bystander, never the same name as `svc`.
            "svc" => {
                let i = if self.rng.chance(80) { 0 } else { 1 };
                out.push_str(&self.services[i]);
            }
            "svc2" => out.push_str(&self.services[2]),
            // Titles always name the primary service and system.
            "main" => out.push_str(&self.services[0]),
            "mainsys" => out.push_str(self.systems[0]),
            "sys" => {
                let i = if self.rng.chance(70) {
                    0
                } else {
                    self.rng.below(3)
                };
                out.push_str(self.systems[i]);
            }
            "sysr" => out.push_str(self.rng.zpick(SYSTEMS)),
            "comp" => out.push_str(self.rng.zpick(COMPONENTS)),
            "fail" => out.push_str(self.rng.zpick(FAIL_VERBS)),
            "failn" => out.push_str(self.rng.zpick(FAIL_NOUNS)),
            "failt" => out.push_str(self.rng.zpick(FAIL_TITLES)),
            "failinf" => out.push_str(self.rng.zpick(FAIL_INFINITIVES)),
            "metric" => out.push_str(self.rng.zpick(METRICS)),
            "noun" => out.push_str(self.rng.zpick(NOUNS)),
            "adj" => out.push_str(self.rng.zpick(ADJS)),
            "verb" => out.push_str(self.rng.zpick(VERBS)),
            "adv" => out.push_str(self.rng.zpick(ADVERBS)),
            "phrase" => {
                let list = self
                    .rng
                    .pick(&[PHRASE_THINGS, PHRASE_EVENTS, PHRASE_CONDITIONS]);
                self.push_phrase(list, out);
            }
            "thing" => self.push_phrase(PHRASE_THINGS, out),
            "event" => self.push_phrase(PHRASE_EVENTS, out),
            "condition" => self.push_phrase(PHRASE_CONDITIONS, out),
            "rare" => {
                // Half real-but-obscure terms, half invented codenames.
                if self.rng.chance(50) {
                    out.push_str(self.rng.pick(RARE_TERMS));
                } else {
                    out.push_str(self.rng.pick(codenames()));
                }
            }
            "code" => out.push_str(self.codename),
            "person" => {
                let i = self.rng.below(self.people.len());
                out.push_str(&self.people[i].name);
            }
            "team" => out.push_str(self.rng.zpick(TEAMS)),
            "region" => {
                let r = if self.rng.chance(70) {
                    self.region
                } else {
                    self.rng.zpick(REGIONS)
                };
                out.push_str(r);
            }
            "n" => push_num(out, self.rng.range(2, 60)),
            "n2" => push_num(out, self.rng.range(61, 240)),
            "num3" => push_num(out, self.rng.range(100, 999)),
            "ticket" => {
                let t = self.ticket();
                out.push_str(&t);
            }
            "pct" => push_num(out, self.rng.range(3, 95)),
            "big" => {
                let v = self.rng.range(1_000, 90_000);
                if self.rng.chance(50) {
                    let _ = write!(out, "{},{:03}", v / 1_000, v % 1_000);
                } else {
                    push_num(out, v);
                }
            }
            "ordinal" => out.push_str(self.rng.pick(&["second", "third", "fourth"])),
            "dur" => {
                let m = self.rng.range(5, 240);
                push_duration(out, m);
            }
            "idur" => push_duration(out, self.duration_min),
            "ver" => self.push_version(out),
            "host" => {
                let role = self.rng.pick(HOST_ROLES);
                let env = self.rng.pick(&["", "-prod", "-prd", "-p"]);
                let _ = write!(out, "{role}{env}-{:02}", self.rng.range(1, 48));
            }
            "t" => self.stamp(out, 0, self.start_min, false, None),
            "t2" => {
                let end = self.start_min + self.duration_min;
                self.stamp(out, i64::from(end / 1440), end % 1440, false, None);
            }
            "tm" => {
                let at = self.start_min + self.rng.range(1, self.duration_min);
                self.stamp(out, i64::from(at / 1440), at % 1440, false, None);
            }
            "date" => self.long_date(out, self.date),
            "shortdate" => {
                let d = self.date;
                let _ = write!(out, "{} {}, {}", d.month_abbr(), d.d, d.y);
            }
            "monthyear" => {
                let d = self.date;
                let _ = write!(out, "{} {}", d.month_name(), d.y);
            }
            "weekday" => out.push_str(WEEKDAYS[self.date.weekday()]),
            "cust" => out.push_str(self.rng.zpick(CUSTOMERS)),
            "uaction" => out.push_str(self.rng.zpick(USER_ACTIONS)),
            "change" => {
                let tpl = self.rng.zpick(CHANGES);
                self.expand(tpl, out);
            }
            "fix" => {
                let tpl = self.rng.zpick(FIXES);
                self.expand(tpl, out);
            }
            "behavior" => out.push_str(self.rng.pick(SYS_BEHAVIOR)),
            "monitor" => out.push_str(self.rng.zpick(MONITORS)),
            "sev" => out.push_str(self.severity),
            "company" => out.push_str(self.company),
            _ => unreachable!("unknown template placeholder {{{key}}}"),
        }
    }

    fn push_phrase(&mut self, list: &[&'static str], out: &mut String) {
        let p = self.rng.zpick(list);
        out.extend(p.chars().map(|c| if c == ' ' { GLUE } else { c }));
    }

    /// Picks a template, avoiding the ones used most recently in this document: real
    /// authors do not repeat a sentence verbatim, and small pools would otherwise show.
    fn template(&mut self, pool: &[&'static str]) -> &'static str {
        let mut tpl = self.rng.pick(pool);
        for _ in 0..6 {
            if !self.recent.contains(&tpl) {
                break;
            }
            tpl = self.rng.pick(pool);
        }
        self.recent[self.recent_pos % RECENT] = tpl;
        self.recent_pos += 1;
        tpl
    }

    fn expand_new(&mut self, tpl: &str) -> String {
        let mut s = String::new();
        self.expand(tpl, &mut s);
        s
    }

    fn push_version(&mut self, out: &mut String) {
        match self.rng.below(4) {
            0 => {
                let _ = write!(
                    out,
                    "v{}.{}.{}",
                    self.rng.range(1, 9),
                    self.rng.range(0, 40),
                    self.rng.range(0, 20)
                );
            }
            1 => {
                let _ = write!(out, "{:07x}", self.rng.next_u64() >> 36);
            }
            2 => {
                let _ = write!(out, "release-{}.{:02}", self.date.y, self.rng.range(1, 52));
            }
            _ => {
                let _ = write!(out, "build {}", self.rng.range(1_000, 9_999));
            }
        }
    }

    fn long_date(&self, out: &mut String, d: Date) {
        let _ = match self.date_style {
            0 => write!(out, "{} {}, {}", d.month_name(), d.d, d.y),
            1 => write!(out, "{:04}-{:02}-{:02}", d.y, d.m, d.d),
            2 => write!(out, "{} {} {}", d.d, d.month_name(), d.y),
            _ => write!(
                out,
                "{}, {} {}, {}",
                WEEKDAYS[d.weekday()],
                d.month_name(),
                d.d,
                d.y
            ),
        };
    }

    fn person(&mut self) -> usize {
        self.rng.below(self.people.len())
    }

    // -----------------------------------------------------------------------------------
    // Timestamps
    // -----------------------------------------------------------------------------------

    fn offset_minutes(&self) -> i32 {
        self.zone.std_offset + if self.dst { 60 } else { 0 }
    }

    fn abbr(&self) -> &'static str {
        if self.dst {
            self.zone.dst_abbr
        } else {
            self.zone.std_abbr
        }
    }

    fn push_offset(&self, out: &mut String) {
        let off = self.offset_minutes();
        let sign = if off < 0 { '-' } else { '+' };
        let _ = write!(out, "{sign}{:02}:{:02}", off.abs() / 60, off.abs() % 60);
    }

    fn push_ampm(&self, out: &mut String, min: u32) {
        let (h, m) = (min / 60, min % 60);
        let h12 = if h % 12 == 0 { 12 } else { h % 12 };
        let suffix = match (h < 12, self.ampm_upper) {
            (true, false) => "am",
            (false, false) => "pm",
            (true, true) => " AM",
            (false, true) => " PM",
        };
        if m == 0 {
            let _ = write!(out, "{h12}{suffix}");
        } else {
            let _ = write!(out, "{h12}:{m:02}{suffix}");
        }
    }

    /// Writes a timestamp in this document's notation. `force_date` is for layouts that
    /// need a full date (one heading per entry); `range_end` renders `14:00-14:30`.
    fn stamp(
        &self,
        out: &mut String,
        day: i64,
        min: u32,
        force_date: bool,
        range_end: Option<u32>,
    ) {
        let d = self.date.add_days(day);
        let mut style = self.style;
        if force_date && !style.has_date() {
            style = TimeStyle::DateH24;
        }
        if !style.has_date() && day != 0 {
            // Date-less notations still have to say when the incident crossed midnight.
            let _ = write!(out, "{} {} ", d.month_abbr(), d.d);
        }
        let (h, m) = (min / 60, min % 60);
        match style {
            TimeStyle::H24 => {
                let _ = write!(out, "{h:02}:{m:02}");
                if let Some(end) = range_end {
                    let dash = if self.curly { '–' } else { '-' };
                    let _ = write!(out, "{dash}{:02}:{:02}", end / 60, end % 60);
                }
            }
            TimeStyle::Compact => {
                let _ = write!(out, "{h:02}{m:02}");
            }
            TimeStyle::AmPm => self.push_ampm(out, min),
            TimeStyle::Iso => {
                let _ = write!(out, "{:04}-{:02}-{:02}T{h:02}:{m:02}:00", d.y, d.m, d.d);
                // ISO stamps carry their own zone unless the author left zones out entirely.
                if self.zone_mode != ZoneMode::Absent {
                    if self.offset_minutes() == 0 && self.zone.iana == "UTC" {
                        out.push('Z');
                    } else {
                        self.push_offset(out);
                    }
                }
                return;
            }
            TimeStyle::DateH24 => {
                let _ = write!(out, "{:04}-{:02}-{:02} {h:02}:{m:02}", d.y, d.m, d.d);
            }
            TimeStyle::Us => {
                let _ = write!(out, "{:02}/{:02}/{:04} ", d.m, d.d, d.y);
                self.push_ampm(out, min);
            }
            TimeStyle::Eu => {
                let _ = write!(out, "{:02}/{:02}/{:04} {h:02}:{m:02}", d.d, d.m, d.y);
            }
            TimeStyle::MonthName => {
                let _ = write!(out, "{} {}, {} {h:02}:{m:02}", d.month_abbr(), d.d, d.y);
            }
        }
        if self.zone_mode == ZoneMode::PerEntry {
            match self.zone_suffix {
                0 => {
                    out.push(' ');
                    out.push_str(self.abbr());
                }
                1 => {
                    let _ = write!(out, " ({})", self.abbr());
                }
                _ => {
                    out.push(' ');
                    self.push_offset(out);
                }
            }
        }
    }

    fn entry_stamp(&self, e: &Entry, force_date: bool) -> String {
        let mut s = String::new();
        if e.approx {
            s.push_str(if self.curly { "~" } else { "~ " });
        }
        self.stamp(&mut s, e.day, e.min, force_date, e.range_end);
        s
    }

    /// The once-per-document zone statement, in one of several phrasings.
    fn zone_statement(&mut self) -> String {
        let z = self.zone;
        match self.rng.below(5) {
            0 => format!("All times in {}.", z.casual),
            1 => format!("All times are {}.", self.abbr()),
            2 => format!("All times {}.", z.casual),
            3 => format!("Times are given in {}.", z.iana),
            _ => {
                let mut s = format!("All timestamps are {} (UTC", self.abbr());
                self.push_offset(&mut s);
                s.push_str(").");
                s
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Content collected before layout (tables need every row before they can be sized)
    // -----------------------------------------------------------------------------------

    /// Collects timeline entries whose estimated rendered size fills `budget`, where
    /// `overhead` is the per-entry markup (timestamp, bullets, table pipes). Entries follow
    /// the arc of a real incident: trigger, triage, mitigation, recovery, all-clear.
    fn collect_entries(
        &mut self,
        budget: usize,
        overhead: usize,
        phases: &Phases,
        kind: EntryText,
        max: usize,
    ) -> Vec<Entry> {
        let per_entry = phases.avg_len
            + overhead
            + match kind {
                EntryText::Paragraph => 190,
                EntryText::Detailed => 8,
                EntryText::Plain => 0,
            };
        // Collect a quarter more than the estimate; the layout trims to the exact budget.
        let n = (budget * 5 / 4 / per_entry).clamp(4, max.max(4));
        let mut entries = Vec::with_capacity(n);
        for i in 0..n {
            let pool = match i * 100 / (n - 1) {
                0 if i == 0 => phases.start,
                100 => phases.end,
                f if f < 30 => phases.early,
                f if f < 75 => phases.mid,
                _ => phases.late,
            };
            let tpl = self.template(pool);
            let mut text = self.expand_new(tpl);
            match kind {
                EntryText::Paragraph => {
                    text.push('.');
                    for _ in 0..self.rng.range(1, 2) {
                        text.push(' ');
                        let tpl = self.template(GENERAL);
                        self.expand(tpl, &mut text);
                    }
                }
                EntryText::Detailed if i > 0 && i + 1 < n && self.rng.chance(20) => {
                    text.push_str(". ");
                    let tpl = self.template(TL_DETAIL);
                    self.expand(tpl, &mut text);
                }
                _ => {}
            }
            entries.push(Entry {
                day: 0,
                min: 0,
                text,
                approx: false,
                range_end: None,
            });
        }
        self.assign_times(&mut entries);
        entries
    }

    /// Spreads entries over the incident: the first at its start, the last at its end.
    fn assign_times(&mut self, entries: &mut [Entry]) {
        let n = entries.len();
        let dur = self.duration_min.max(2);
        let mut offs: Vec<u32> = (0..n)
            .map(|i| match i {
                0 => 0,
                _ if i == n - 1 => dur,
                _ => self.rng.range(1, dur - 1),
            })
            .collect();
        offs.sort_unstable();
        for (i, e) in entries.iter_mut().enumerate() {
            let abs = self.start_min + offs[i];
            e.day = i64::from(abs / 1440);
            e.min = abs % 1440;
            if self.style != TimeStyle::H24 || i == 0 || i + 1 == n {
                continue;
            }
            let gap = offs[i + 1] - offs[i];
            if gap >= 10 && e.min + gap < 1440 && self.rng.chance(8) {
                e.range_end = Some(e.min + gap - self.rng.range(0, gap / 3));
            } else if self.rng.chance(6) {
                e.approx = true;
            }
        }
    }

    fn collect_actions(&mut self, budget: usize, overhead: usize) -> Vec<Action> {
        let mut actions = Vec::new();
        let mut used = 0;
        while actions.len() < 2 || (used < budget && actions.len() < 60) {
            let tpl = self.template(ACTIONS);
            let text = self.expand_new(tpl);
            let status = match self.rng.weighted(&[35, 20, 40, 5]) {
                0 => Status::Done,
                1 => Status::InProgress,
                2 => Status::Todo,
                _ => Status::WontFix,
            };
            let due = self
                .rng
                .chance(60)
                .then(|| self.date.add_days(i64::from(self.rng.range(7, 120))));
            let ticket = self.rng.chance(55).then(|| self.ticket());
            used += text.len() + overhead;
            let owner = self.person();
            actions.push(Action {
                text,
                owner,
                due,
                status,
                ticket,
            });
        }
        actions
    }

    fn ticket(&mut self) -> String {
        let prefix = self.rng.pick(TICKET_PREFIXES);
        let n = self.rng.range(100, 9_999);
        let org = slug(self.company);
        match self.rng.weighted(&[70, 10, 10, 10]) {
            0 => format!("{prefix}-{n}"),
            1 => format!("https://jira.{org}.com/browse/{prefix}-{n}"),
            2 => format!(
                "https://github.com/{org}/{}/issues/{}",
                self.services[0],
                n % 900
            ),
            _ => format!(
                "https://gitlab.{org}.io/infra/{}/-/issues/{}",
                self.services[0],
                n % 400
            ),
        }
    }

    // -----------------------------------------------------------------------------------
    // Shared prose blocks
    // -----------------------------------------------------------------------------------

    /// A paragraph of 2-6 sentences, cut short once the section budget is used up.
    fn paragraph(&mut self, out: &mut String, pool: &[&'static str], end: usize) {
        let mut buf = String::new();
        let n = self.rng.range(2, 6);
        for i in 0..n {
            if i > 0 {
                buf.push(' ');
            }
            let tpl = if self.rng.chance(75) {
                self.template(pool)
            } else {
                self.template(GENERAL)
            };
            self.expand(tpl, &mut buf);
            if i >= 1 && out.len() + buf.len() >= end {
                break;
            }
        }
        self.emit_paragraph(out, &buf);
    }

    fn emit_paragraph(&self, out: &mut String, text: &str) {
        match self.wrap {
            Some(width) => push_wrapped(out, text, width, ""),
            None => {
                out.push_str(text);
                out.push('\n');
            }
        }
        out.push('\n');
    }

    fn bullet_list(&mut self, out: &mut String, pool: &[&'static str], end: usize) {
        let n = self.rng.range(2, 5);
        for i in 0..n {
            out.push_str(self.bullet);
            let tpl = self.template(pool);
            self.expand(tpl, out);
            out.push('\n');
            if i >= 1 && out.len() >= end {
                break;
            }
        }
        out.push('\n');
    }

    /// A short excerpt of application logs, as people paste them into postmortems.
    fn log_block(&mut self, out: &mut String) {
        let mut lines = String::new();
        let indent = if self.format == DocFormat::Markdown {
            ""
        } else {
            "    "
        };
        let mut min = self.start_min;
        let mut sec = self.rng.range(0, 59);
        for _ in 0..self.rng.range(2, 6) {
            let d = self.date.add_days(i64::from(min / 1440));
            let _ = write!(
                lines,
                "{indent}{:04}-{:02}-{:02}T{:02}:{:02}:{sec:02}.{:03}Z ",
                d.y,
                d.m,
                d.d,
                (min % 1440) / 60,
                min % 60,
                self.rng.range(0, 999)
            );
            let tpl = self.template(LOG_LINES);
            self.expand(tpl, &mut lines);
            lines.push('\n');
            sec += self.rng.range(1, 40);
            min += sec / 60;
            sec %= 60;
        }
        match self.format {
            DocFormat::Markdown => {
                let fence = self.rng.pick(&["```", "```text", "```log"]);
                let _ = write!(out, "{fence}\n{lines}```\n\n");
            }
            DocFormat::Rst => {
                let intro =
                    self.rng
                        .pick(&["The relevant log lines were::", "From the logs::", "::"]);
                let _ = write!(out, "{intro}\n\n{lines}\n");
            }
            DocFormat::Text => {
                let intro =
                    self.rng
                        .pick(&["Log excerpt:", "From the logs:", "Relevant log lines:"]);
                let _ = write!(out, "{intro}\n\n{lines}\n");
            }
        }
    }

    fn note(&mut self, out: &mut String) {
        let tpl = self.template(GENERAL);
        let s = self.expand_new(tpl);
        match self.format {
            DocFormat::Markdown => {
                let _ = write!(out, "> **Note:** {s}\n\n");
            }
            DocFormat::Rst => {
                let kind = self.rng.pick(&["note", "note", "warning"]);
                let _ = write!(out, ".. {kind}::\n\n   {s}\n\n");
            }
            DocFormat::Text => {
                let _ = write!(out, "NOTE: {s}\n\n");
            }
        }
    }

    fn section_heading(&mut self, out: &mut String, name: &str) {
        match self.format {
            DocFormat::Markdown => {
                let _ = write!(out, "## {name}\n\n");
            }
            DocFormat::Rst => underline(out, name, '-'),
            DocFormat::Text => {
                let _ = write!(out, "{name}:\n\n");
            }
        }
    }

    fn sub_heading(&mut self, out: &mut String, name: &str) {
        match self.format {
            DocFormat::Markdown => {
                let _ = write!(out, "### {name}\n\n");
            }
            DocFormat::Rst => underline(out, name, '^'),
            DocFormat::Text => {
                let _ = writeln!(out, "{name}:");
            }
        }
    }

    fn section_name(&mut self, sec: Sec) -> &'static str {
        let names: &[&'static str] = match sec {
            Sec::Summary => &[
                "Summary",
                "Summary",
                "Overview",
                "Executive Summary",
                "Incident Summary",
                "Description",
            ],
            Sec::Background => &["Background", "Context", "System Overview"],
            Sec::Impact => &[
                "Impact",
                "Impact",
                "Customer Impact",
                "User Impact",
                "Scope and Impact",
            ],
            Sec::Timeline => &[
                "Timeline",
                "Timeline",
                "Timeline",
                "Sequence of Events",
                "Chronology",
                "Detailed Timeline",
            ],
            Sec::RootCause => &[
                "Root Cause",
                "Root Cause",
                "Root Causes",
                "Contributing Factors",
                "Trigger",
                "Root Cause Analysis",
            ],
            Sec::Detection => &[
                "Detection",
                "Detection",
                "How We Found Out",
                "Detection and Response",
            ],
            Sec::Resolution => &[
                "Resolution",
                "Resolution",
                "Mitigation",
                "Recovery",
                "Resolution and Recovery",
            ],
            Sec::Actions => &[
                "Action Items",
                "Action Items",
                "Follow-up Actions",
                "Corrective Actions",
                "Remediation",
                "Next Steps",
            ],
            Sec::Lessons => &[
                "Lessons Learned",
                "Lessons Learned",
                "What Went Well and What Didn't",
                "Learnings",
            ],
        };
        self.rng.pick(names)
    }

    fn pool(sec: Sec) -> &'static [&'static str] {
        match sec {
            Sec::Summary => SUMMARY,
            Sec::Background => BACKGROUND,
            Sec::Impact => IMPACT,
            Sec::RootCause => ROOT_CAUSE,
            Sec::Detection => DETECTION,
            Sec::Resolution => RESOLUTION,
            Sec::Lessons => LESSONS,
            Sec::Timeline | Sec::Actions => GENERAL,
        }
    }

    /// Picks the sections of a document and their share of the byte budget. Timeline and
    /// action items are always present; the rest varies like it does between real teams.
    fn plan_sections(&mut self) -> Vec<(Sec, u32)> {
        let mut plan = vec![(Sec::Summary, 8)];
        if self.rng.chance(25) {
            plan.push((Sec::Background, 7));
        }
        if self.rng.chance(90) {
            plan.push((Sec::Impact, 7));
        }
        let early_timeline = self.rng.chance(55);
        if early_timeline {
            plan.push((Sec::Timeline, 24));
        }
        plan.push((Sec::RootCause, 18));
        if self.rng.chance(70) {
            plan.push((Sec::Detection, 6));
        }
        if self.rng.chance(85) {
            plan.push((Sec::Resolution, 8));
        }
        if !early_timeline {
            plan.push((Sec::Timeline, 24));
        }
        let lessons = self.rng.chance(70);
        let lessons_first = self.rng.chance(30);
        if lessons && lessons_first {
            plan.push((Sec::Lessons, 8));
        }
        plan.push((Sec::Actions, 14));
        if lessons && !lessons_first {
            plan.push((Sec::Lessons, 8));
        }
        plan
    }

    /// Generic prose section: mostly paragraphs, with the bullet lists, log excerpts and
    /// admonitions that show up in real write-ups.
    fn prose_section(&mut self, out: &mut String, sec: Sec, end: usize) {
        let pool = Self::pool(sec);
        let mut blocks = 0;
        let mut logged = false;
        if sec == Sec::Lessons && self.rng.chance(40) {
            for name in ["What went well", "What went wrong", "Where we got lucky"] {
                self.sub_heading(out, name);
                let sub_end = out.len() + end.saturating_sub(out.len()) / 3;
                self.bullet_list(out, pool, sub_end);
            }
            blocks = 1;
        }
        while blocks == 0 || out.len() < end {
            let listy = matches!(
                sec,
                Sec::RootCause | Sec::Impact | Sec::Lessons | Sec::Resolution
            );
            let loggy = matches!(sec, Sec::RootCause | Sec::Detection | Sec::Resolution);
            // The first block is always a paragraph; later ones are occasionally a list, a
            // log excerpt (once per section) or an admonition.
            let roll = if blocks == 0 { 99 } else { self.rng.below(100) };
            match roll {
                0..18 if listy => self.bullet_list(out, pool, end),
                18..30 if loggy && !logged => {
                    self.log_block(out);
                    logged = true;
                }
                30..34 => self.note(out),
                _ => self.paragraph(out, pool, end),
            }
            blocks += 1;
        }
    }

    /// Section end offsets: each section fills up to an absolute position, so an overshoot
    /// in one section is absorbed by the next instead of accumulating.
    fn section_ends(start: usize, target: usize, plan: &[(Sec, u32)]) -> Vec<usize> {
        let total: u32 = plan.iter().map(|p| p.1).sum();
        let body = target.saturating_sub(start + 120);
        let mut acc = 0;
        plan.iter()
            .map(|p| {
                acc += p.1;
                start + body * acc as usize / total as usize
            })
            .collect()
    }

    // -----------------------------------------------------------------------------------
    // Action items, shared pieces
    // -----------------------------------------------------------------------------------

    fn owner_text(&self, a: &Action) -> String {
        let p = &self.people[a.owner];
        match self.owner_style {
            0 => format!("@{}", p.handle),
            1 => format!("(owner: {})", p.name),
            2 => format!("Owner: {}", p.name),
            _ => format!("— {}", p.name),
        }
    }

    fn due_text(&self, due: Date) -> String {
        match self.owner_style {
            0 | 2 => format!("due {:04}-{:02}-{:02}", due.y, due.m, due.d),
            1 => format!("(due: {} {}, {})", due.month_abbr(), due.d, due.y),
            _ => format!("by {:04}-{:02}-{:02}", due.y, due.m, due.d),
        }
    }

    fn ticket_text(&self, t: &str) -> String {
        if t.starts_with("http") {
            return t.to_string();
        }
        match (self.format, self.owner_style) {
            (DocFormat::Markdown, 1 | 3) => {
                format!("[{t}](https://jira.{}.com/browse/{t})", slug(self.company))
            }
            (DocFormat::Rst, 1 | 3) => format!(
                "`{t} <https://jira.{}.com/browse/{t}>`_",
                slug(self.company)
            ),
            _ => t.to_string(),
        }
    }

    fn status_marker(&self, s: Status) -> &'static str {
        match (self.marker_style, s) {
            (0, Status::Done) => "[DONE]",
            (0, Status::InProgress) => "[IN PROGRESS]",
            (0, Status::Todo) => "TODO:",
            (0, Status::WontFix) => "[WONTFIX]",
            (1, Status::Done) => "DONE -",
            (1, Status::InProgress) => "IN PROGRESS -",
            (1, Status::Todo) => "TODO -",
            (1, Status::WontFix) => "WON'T FIX -",
            (_, Status::Done) => "[x]",
            (_, Status::InProgress) => "[~]",
            (_, Status::Todo) => "[ ]",
            (_, Status::WontFix) => "[-]",
        }
    }

    fn status_word(s: Status) -> &'static str {
        match s {
            Status::Done => "Done",
            Status::InProgress => "In progress",
            Status::Todo => "Open",
            Status::WontFix => "Won't fix",
        }
    }

    /// "text @owner due 2021-09-30 OPS-1234" with this document's conventions.
    fn action_line(&self, a: &Action) -> String {
        let mut s = a.text.clone();
        s.push(' ');
        s.push_str(&self.owner_text(a));
        if let Some(due) = a.due {
            s.push_str(if self.owner_style == 2 { ", " } else { " " });
            s.push_str(&self.due_text(due));
        }
        if let Some(t) = &a.ticket {
            s.push_str(" (");
            s.push_str(&self.ticket_text(t));
            s.push(')');
        }
        s
    }

    /// Table rows for action items: header plus one row per action.
    fn action_rows(&mut self, actions: &[Action]) -> (Vec<&'static str>, Vec<Vec<String>>) {
        let with_due = self.rng.chance(70);
        let with_ticket = self.rng.chance(60);
        let mut header = vec![
            self.rng.pick(&["Action", "Action Item", "Item"]),
            self.rng.pick(&["Owner", "Assignee"]),
        ];
        if with_due {
            header.push(self.rng.pick(&["Due", "Due Date", "Target"]));
        }
        header.push(self.rng.pick(&["Status", "State"]));
        if with_ticket {
            header.push(self.rng.pick(&["Ticket", "Issue", "Tracking"]));
        }
        let rows = actions
            .iter()
            .map(|a| {
                let p = &self.people[a.owner];
                let mut row = vec![
                    a.text.clone(),
                    if self.owner_style == 0 {
                        format!("@{}", p.handle)
                    } else {
                        p.name.clone()
                    },
                ];
                if with_due {
                    row.push(a.due.map_or_else(
                        || "TBD".to_string(),
                        |d| format!("{:04}-{:02}-{:02}", d.y, d.m, d.d),
                    ));
                }
                row.push(Self::status_word(a.status).to_string());
                if with_ticket {
                    row.push(
                        a.ticket
                            .as_deref()
                            .map_or_else(|| "n/a".to_string(), |t| self.ticket_text(t)),
                    );
                }
                row
            })
            .collect();
        (header, rows)
    }

    // -----------------------------------------------------------------------------------
    // Markdown
    // -----------------------------------------------------------------------------------

    /// Markdown: optional YAML or TOML front matter (or an inline metadata block), a `#`
    /// title and `##` sections.
    fn markdown(&mut self, out: &mut String, target: usize) {
        let front = self.rng.weighted(&[20, 10, 70]);
        match front {
            0 => self.yaml_front_matter(out),
            1 => self.toml_front_matter(out),
            _ => {}
        }
        let _ = write!(out, "# {}\n\n", self.title);
        if front == 2 && self.rng.chance(65) {
            self.md_metadata(out);
        }
        if self.zone_mode == ZoneMode::Once && self.rng.chance(50) {
            let s = self.zone_statement();
            let _ = write!(out, "_{s}_\n\n");
            self.zone_noted = true;
        }
        let plan = self.plan_sections();
        let ends = Self::section_ends(out.len(), target, &plan);
        for (&(sec, _), &end) in plan.iter().zip(&ends) {
            let name = self.section_name(sec);
            let _ = write!(out, "## {name}\n\n");
            match sec {
                Sec::Timeline => self.md_timeline(out, end),
                Sec::Actions => self.md_actions(out, end),
                _ => self.prose_section(out, sec, end),
            }
        }
        if self.rng.chance(30) {
            let p = self.person();
            let _ = write!(out, "---\n\n*Last edited by {} on ", self.people[p].name);
            let d = self.date.add_days(i64::from(self.rng.range(2, 20)));
            self.long_date(out, d);
            out.push_str(".*\n");
        }
    }

    fn authors(&mut self) -> Vec<usize> {
        let n = self.rng.range(1, 3) as usize;
        (0..n.min(self.people.len())).collect()
    }

    fn tags(&mut self) -> Vec<String> {
        let mut tags = vec![self.systems[0].to_string(), self.services[0].clone()];
        let p = self.rng.zpick(PHRASE_CONDITIONS).replace(' ', "-");
        tags.push(p);
        if self.rng.chance(50) {
            tags.push(
                self.rng
                    .pick(&[
                        "outage",
                        "degradation",
                        "networking",
                        "database",
                        "security",
                    ])
                    .to_string(),
            );
        }
        tags
    }

    fn yaml_front_matter(&mut self, out: &mut String) {
        let d = self.date;
        let _ = write!(out, "---\ntitle: \"{}\"\n", self.title);
        if self.rng.chance(60) {
            let _ = writeln!(out, "date: {:04}-{:02}-{:02}", d.y, d.m, d.d);
        } else {
            let _ = write!(
                out,
                "date: {:04}-{:02}-{:02}T{:02}:{:02}:00",
                d.y,
                d.m,
                d.d,
                self.start_min / 60,
                self.start_min % 60
            );
            self.push_offset(out);
            out.push('\n');
        }
        if self.rng.chance(65) {
            let tz = if self.rng.chance(70) {
                self.zone.iana
            } else {
                self.abbr()
            };
            let _ = writeln!(out, "timezone: {tz}");
        }
        let _ = writeln!(out, "severity: {}", self.severity);
        let tags = self.tags();
        if self.rng.chance(50) {
            let _ = writeln!(out, "tags: [{}]", tags.join(", "));
        } else {
            out.push_str("tags:\n");
            for t in &tags {
                let _ = writeln!(out, "  - {t}");
            }
        }
        out.push_str("systems:\n");
        let _ = writeln!(out, "  - {}\n  - {}", self.systems[0], self.services[0]);
        out.push_str("authors:\n");
        for p in self.authors() {
            let _ = writeln!(out, "  - {}", yaml_quote(&self.people[p].name));
        }
        out.push_str("---\n\n");
    }

    fn toml_front_matter(&mut self, out: &mut String) {
        let d = self.date;
        let _ = write!(out, "+++\ntitle = \"{}\"\n", self.title);
        if self.rng.chance(50) {
            let _ = writeln!(out, "date = {:04}-{:02}-{:02}", d.y, d.m, d.d);
        } else {
            let _ = write!(
                out,
                "date = {:04}-{:02}-{:02}T{:02}:{:02}:00",
                d.y,
                d.m,
                d.d,
                self.start_min / 60,
                self.start_min % 60
            );
            self.push_offset(out);
            out.push('\n');
        }
        if self.rng.chance(65) {
            let _ = writeln!(out, "timezone = \"{}\"", self.zone.iana);
        }
        let _ = writeln!(out, "severity = \"{}\"", self.severity);
        let tags = self.tags();
        let quoted: Vec<String> = tags.iter().map(|t| format!("\"{t}\"")).collect();
        let _ = writeln!(out, "tags = [{}]", quoted.join(", "));
        let _ = writeln!(
            out,
            "systems = [\"{}\", \"{}\"]",
            self.systems[0], self.services[0]
        );
        let authors: Vec<String> = self
            .authors()
            .iter()
            .map(|&p| format!("\"{}\"", self.people[p].name))
            .collect();
        let _ = writeln!(out, "authors = [{}]", authors.join(", "));
        out.push_str("+++\n\n");
    }

    fn md_metadata(&mut self, out: &mut String) {
        let mut fields: Vec<(&str, String)> = Vec::new();
        let mut date = String::new();
        self.long_date(&mut date, self.date);
        fields.push(("Date", date));
        let names: Vec<&str> = self
            .authors()
            .iter()
            .map(|&p| self.people[p].name.as_str())
            .collect();
        fields.push(("Authors", names.join(", ")));
        fields.push((
            "Status",
            self.rng
                .pick(&["Complete", "Draft", "Final", "In review"])
                .to_string(),
        ));
        fields.push(("Severity", self.severity.to_string()));
        if self.rng.chance(50) {
            fields.push(("Incident ID", format!("INC-{}", self.rng.range(100, 9_999))));
        }
        if self.rng.chance(40) {
            let mut d = String::new();
            push_duration(&mut d, self.duration_min);
            fields.push(("Duration", d));
        }
        match self.rng.below(3) {
            0 => {
                for (k, v) in &fields {
                    let _ = writeln!(out, "**{k}:** {v}  ");
                }
            }
            1 => {
                for (k, v) in &fields {
                    let _ = writeln!(out, "- **{k}**: {v}");
                }
            }
            _ => {
                out.push_str("| Field | Value |\n|-------|-------|\n");
                for (k, v) in &fields {
                    let _ = writeln!(out, "| {k} | {v} |");
                }
            }
        }
        out.push('\n');
    }

    /// Writes the once-per-document zone statement at the top of the timeline, unless the
    /// header already carried it.
    fn timeline_zone_note(&mut self, out: &mut String) {
        if self.zone_mode == ZoneMode::Once && !self.zone_noted {
            let s = self.zone_statement();
            let _ = write!(out, "{s}\n\n");
            self.zone_noted = true;
        }
    }

    /// Typical rendered length of one timestamp, for budgeting timelines.
    fn stamp_estimate(&self) -> usize {
        let mut s = String::new();
        self.stamp(&mut s, 0, self.start_min, false, None);
        s.len() + 2
    }

    fn md_timeline(&mut self, out: &mut String, end: usize) {
        self.timeline_zone_note(out);
        let budget = end.saturating_sub(out.len());
        let stamp = self.stamp_estimate();
        match self.rng.weighted(&[25, 35, 15, 25]) {
            0 => {
                let entries =
                    self.collect_entries(budget, stamp + 8, &TL_PHASES, EntryText::Detailed, 80);
                let (time_col, event_col) = self.rng.pick(&[
                    ("Time", "Event"),
                    ("When", "What"),
                    ("Timestamp", "Description"),
                ]);
                let time_col = if self.zone_mode == ZoneMode::Once && self.rng.chance(50) {
                    format!("{time_col} ({})", self.abbr())
                } else {
                    time_col.to_string()
                };
                let rows = entries
                    .iter()
                    .map(|e| vec![self.entry_stamp(e, false), e.text.clone()])
                    .collect();
                let padded = self.rng.chance(30);
                md_table(out, &[&time_col, event_col], rows, padded, budget, true);
            }
            1 => {
                let entries =
                    self.collect_entries(budget, stamp + 6, &TL_PHASES, EntryText::Detailed, 80);
                let deco = self.rng.below(4);
                let lines = entries
                    .iter()
                    .map(|e| {
                        let st = self.entry_stamp(e, false);
                        match deco {
                            0 | 1 => format!("{}{st}{}{}\n", self.bullet, self.sep, e.text),
                            2 => format!("{}**{st}** {}\n", self.bullet, e.text),
                            _ => format!("{}`{st}`{}{}\n", self.bullet, self.sep, e.text),
                        }
                    })
                    .collect();
                push_fitted(out, lines, budget, true);
                out.push('\n');
            }
            2 => {
                let entries =
                    self.collect_entries(budget, stamp + 16, &TL_PHASES, EntryText::Paragraph, 40);
                let blocks = entries
                    .iter()
                    .map(|e| {
                        let mut b = format!("### {}\n\n", self.entry_stamp(e, true));
                        self.emit_paragraph(&mut b, &e.text);
                        b
                    })
                    .collect();
                push_fitted(out, blocks, budget, true);
            }
            _ => {
                let entries =
                    self.collect_entries(budget, stamp + 4, &TL_PHASES, EntryText::Detailed, 80);
                let gap = if self.rng.chance(50) { "\n" } else { "" };
                let lines = entries
                    .iter()
                    .map(|e| {
                        format!(
                            "{}{}{}\n{gap}",
                            self.entry_stamp(e, false),
                            self.sep,
                            e.text
                        )
                    })
                    .collect();
                push_fitted(out, lines, budget, true);
                if gap.is_empty() {
                    out.push('\n');
                }
            }
        }
    }

    fn md_actions(&mut self, out: &mut String, end: usize) {
        let budget = end.saturating_sub(out.len());
        let layout = self.rng.weighted(&[30, 30, 20, 20]);
        let actions = self.collect_actions(budget, 40);
        if layout == 2 {
            let (header, rows) = self.action_rows(&actions);
            let padded = self.rng.chance(30);
            md_table(out, &header, rows, padded, budget, false);
            return;
        }
        let lines: Vec<String> = actions
            .iter()
            .map(|a| match layout {
                0 => {
                    let check = if a.status == Status::Done {
                        "[x]"
                    } else {
                        "[ ]"
                    };
                    let note = match a.status {
                        Status::InProgress => " (in progress)",
                        Status::WontFix => " (won't fix)",
                        _ => "",
                    };
                    format!("- {check} {}{note}\n", self.action_line(a))
                }
                1 => format!(
                    "{}{} {}\n",
                    self.bullet,
                    self.status_marker(a.status),
                    self.action_line(a)
                ),
                _ => format!(
                    "{} [{}]\n",
                    self.action_line(a),
                    Self::status_word(a.status).to_lowercase()
                ),
            })
            .collect();
        let lines = fit(lines, budget, 2, false, String::len);
        for (i, line) in lines.iter().enumerate() {
            if layout == 3 {
                let _ = write!(out, "{}. ", i + 1);
            }
            out.push_str(line);
        }
        out.push('\n');
    }

    // -----------------------------------------------------------------------------------
    // reStructuredText
    // -----------------------------------------------------------------------------------

    /// reStructuredText: `=` title (sometimes with overline), field list metadata, `-`
    /// sections, and the directives and comments people actually use.
    fn rst(&mut self, out: &mut String, target: usize) {
        if self.rng.chance(20) {
            let _ = write!(out, ".. _incident-{}:\n\n", self.index);
        }
        if self.rng.chance(15) {
            let p = self.person();
            let _ = write!(
                out,
                ".. Postmortem for {}; reviewed by {}.\n\n",
                self.codename, self.people[p].name
            );
        }
        let title = self.title.clone();
        let width = title.chars().count();
        if self.rng.chance(35) {
            let bar = "=".repeat(width);
            let _ = write!(out, "{bar}\n{title}\n{bar}\n\n");
        } else {
            underline(out, &title, '=');
        }
        if self.rng.chance(70) {
            let _ = write!(out, ":Date: ");
            self.long_date(out, self.date);
            out.push('\n');
            let names: Vec<&str> = self
                .authors()
                .iter()
                .map(|&p| self.people[p].name.as_str())
                .collect();
            let _ = writeln!(out, ":Authors: {}", names.join(", "));
            let _ = writeln!(
                out,
                ":Status: {}",
                self.rng.pick(&["Final", "Draft", "Complete"])
            );
            let _ = writeln!(out, ":Severity: {}", self.severity);
            if self.rng.chance(40) {
                let _ = writeln!(out, ":Systems: {}, {}", self.systems[0], self.services[0]);
            }
            if self.rng.chance(35) {
                let _ = writeln!(out, ":Timezone: {}", self.zone.iana);
            }
            out.push('\n');
        }
        if self.rng.chance(15) {
            out.push_str(".. contents:: Table of Contents\n   :local:\n\n");
        }
        if self.zone_mode == ZoneMode::Once && self.rng.chance(50) {
            let s = self.zone_statement();
            let _ = write!(out, ".. note::\n\n   {s}\n\n");
            self.zone_noted = true;
        }
        let plan = self.plan_sections();
        let ends = Self::section_ends(out.len(), target, &plan);
        for (&(sec, _), &end) in plan.iter().zip(&ends) {
            let name = self.section_name(sec);
            underline(out, name, '-');
            match sec {
                Sec::Timeline => self.rst_timeline(out, end),
                Sec::Actions => self.rst_actions(out, end),
                _ => self.prose_section(out, sec, end),
            }
        }
        if self.rng.chance(20) {
            out.push_str(".. vim: set ft=rst tw=79:\n");
        }
    }

    fn rst_timeline(&mut self, out: &mut String, end: usize) {
        self.timeline_zone_note(out);
        let budget = end.saturating_sub(out.len());
        let stamp = self.stamp_estimate();
        let layout = self.rng.weighted(&[20, 12, 15, 15, 13, 10, 15]);
        if layout == 2 {
            // One `^^^^` heading per entry.
            let entries =
                self.collect_entries(budget, 2 * stamp + 8, &TL_PHASES, EntryText::Paragraph, 40);
            let blocks = entries
                .iter()
                .map(|e| {
                    let mut b = String::new();
                    underline(&mut b, &self.entry_stamp(e, true), '^');
                    self.emit_paragraph(&mut b, &e.text);
                    b
                })
                .collect();
            push_fitted(out, blocks, budget, true);
            return;
        }
        let entries = self.collect_entries(budget, stamp + 6, &TL_PHASES, EntryText::Detailed, 80);
        let rows = || {
            entries
                .iter()
                .map(|e| vec![self.entry_stamp(e, false), e.text.clone()])
                .collect()
        };
        match layout {
            0 => {
                let lines = entries
                    .iter()
                    .map(|e| {
                        format!(
                            "{}{}{}{}\n",
                            self.bullet,
                            self.entry_stamp(e, false),
                            self.sep,
                            e.text
                        )
                    })
                    .collect();
                push_fitted(out, lines, budget, true);
                out.push('\n');
            }
            1 => {
                let auto = self.rng.chance(50);
                let lines = entries
                    .iter()
                    .map(|e| format!("{}{}{}\n", self.entry_stamp(e, false), self.sep, e.text))
                    .collect();
                for (i, line) in fit(lines, budget, 2, true, |l: &String| l.len() + 4)
                    .iter()
                    .enumerate()
                {
                    if auto {
                        out.push_str("#. ");
                    } else {
                        let _ = write!(out, "{}. ", i + 1);
                    }
                    out.push_str(line);
                }
                out.push('\n');
            }
            3 => rst_simple_table(out, &["Time", "Event"], rows(), budget, true),
            4 => rst_grid_table(out, &["Time", "Event"], rows(), budget, true),
            5 => {
                let intro = self.rng.pick(&[
                    "Timeline, as reconstructed from the incident channel::",
                    "Raw timeline::",
                    "::",
                ]);
                let _ = write!(out, "{intro}\n\n");
                let lines = entries
                    .iter()
                    .map(|e| format!("    {}  {}\n", self.entry_stamp(e, false), e.text))
                    .collect();
                push_fitted(out, lines, budget, true);
                out.push('\n');
            }
            _ => {
                // Definition list: the timestamp is the term, the event its definition.
                let items = entries
                    .iter()
                    .map(|e| format!("{}\n    {}\n\n", self.entry_stamp(e, false), e.text))
                    .collect();
                push_fitted(out, items, budget, true);
            }
        }
    }

    fn rst_actions(&mut self, out: &mut String, end: usize) {
        let budget = end.saturating_sub(out.len());
        let layout = self.rng.weighted(&[35, 20, 25, 20]);
        let actions = self.collect_actions(budget, 40);
        match layout {
            0 | 1 => {
                let lines = actions
                    .iter()
                    .map(|a| {
                        if layout == 0 {
                            format!(
                                "{}{} {}\n",
                                self.bullet,
                                self.status_marker(a.status),
                                self.action_line(a)
                            )
                        } else {
                            format!(
                                "#. {} ({})\n",
                                self.action_line(a),
                                Self::status_word(a.status)
                            )
                        }
                    })
                    .collect();
                push_fitted(out, lines, budget, false);
                out.push('\n');
            }
            2 => {
                let (header, rows) = self.action_rows(&actions);
                rst_simple_table(out, &header, rows, budget, false);
            }
            _ => {
                let (header, rows) = self.action_rows(&actions);
                rst_grid_table(out, &header, rows, budget, false);
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // Plain text
    // -----------------------------------------------------------------------------------

    /// Heading for plain-text sections; the notation is fixed per document by `style`.
    fn text_heading(out: &mut String, style: usize, number: usize, name: &str) {
        match style {
            0 => {
                let _ = write!(out, "{}\n\n", name.to_uppercase());
            }
            1 => {
                let _ = write!(out, "{name}\n{}\n\n", "-".repeat(name.chars().count()));
            }
            2 => {
                let _ = write!(out, "== {name} ==\n\n");
            }
            3 => {
                let _ = write!(out, "{number}. {name}\n\n");
            }
            _ => {
                let _ = writeln!(out, "{name}:");
            }
        }
    }

    fn text_actions(&mut self, out: &mut String, end: usize) {
        let budget = end.saturating_sub(out.len());
        let actions = self.collect_actions(budget, 40);
        let layout = self.rng.below(3);
        let lines: Vec<String> = actions
            .iter()
            .map(|a| {
                let line = self.action_line(a);
                match layout {
                    0 => format!("{}{} {line}\n", self.bullet, self.status_marker(a.status)),
                    1 => format!("{line} [{}]\n", Self::status_word(a.status)),
                    _ => format!(
                        "{}{line} - {}\n",
                        self.bullet,
                        Self::status_word(a.status).to_uppercase()
                    ),
                }
            })
            .collect();
        for (i, line) in fit(lines, budget, 2, false, |l: &String| l.len() + 3)
            .iter()
            .enumerate()
        {
            if layout == 1 {
                let _ = write!(out, "{}) ", i + 1);
            }
            out.push_str(line);
        }
        out.push('\n');
    }

    fn text_title(&mut self, out: &mut String) {
        let title = self.title.clone();
        match self.rng.below(3) {
            0 => underline(out, &title, '='),
            1 => {
                let _ = write!(out, "{}\n\n", title.to_uppercase());
            }
            _ => {
                let _ = write!(out, "{title}\n\n");
            }
        }
    }

    /// Status-page export: updates newest first ("Resolved" / text / "Posted ..."), then
    /// the postmortem that teams append once the dust settles.
    fn status_page(&mut self, out: &mut String, target: usize) {
        if self.rng.chance(50) {
            let _ = write!(out, "{} Status\n\n", self.company);
        }
        let _ = writeln!(out, "{}", self.title);
        if self.rng.chance(50) {
            let _ = writeln!(out, "Incident Report for {}", self.company);
        }
        out.push('\n');
        let start = out.len();
        // Real status pages carry a handful of updates; the postmortem below carries the bulk.
        let budget = target.saturating_sub(start) / 5;
        let mut updates = self.collect_entries(budget, 60, &STATUS_PHASES, EntryText::Plain, 10);
        let n = updates.len();
        let posted = self.rng.chance(70);
        let ampm = self.rng.chance(25);
        let mut blocks = Vec::with_capacity(n);
        for (i, e) in updates.iter_mut().enumerate() {
            let label = match i {
                0 => "Investigating",
                _ if i + 1 == n => "Resolved",
                _ if i + 2 == n => {
                    let tpl = self.template(STATUS_MONITORING);
                    e.text = self.expand_new(tpl);
                    "Monitoring"
                }
                1 => {
                    let tpl = self.template(STATUS_IDENTIFIED);
                    e.text = self.expand_new(tpl);
                    "Identified"
                }
                _ => "Update",
            };
            let d = self.date.add_days(e.day);
            let mut stamp = format!("{} {}, {} - ", d.month_abbr(), d.d, d.y);
            if ampm {
                self.push_ampm(&mut stamp, e.min);
            } else {
                let _ = write!(stamp, "{:02}:{:02}", e.min / 60, e.min % 60);
            }
            let _ = write!(stamp, " {}", self.abbr());
            blocks.push((label, std::mem::take(&mut e.text), stamp));
        }
        for (label, text, stamp) in blocks.iter().rev() {
            let posted = if posted { "Posted " } else { "" };
            let _ = write!(out, "{label}\n{text}\n{posted}{stamp}\n\n");
        }
        let _ = write!(
            out,
            "This incident affected: {}, {}.\n\n",
            self.services[0], self.services[1]
        );

        let heading = self.rng.below(3);
        Self::text_heading(out, heading, 1, "Postmortem");
        let plan = [
            (Sec::Summary, 10),
            (Sec::RootCause, 25),
            (Sec::Resolution, 10),
            (Sec::Actions, 15),
            (Sec::Lessons, 8),
        ];
        let ends = Self::section_ends(out.len(), target, &plan);
        for (i, (&(sec, _), &end)) in plan.iter().zip(&ends).enumerate() {
            let name = self.section_name(sec);
            Self::text_heading(out, heading, i + 2, name);
            match sec {
                Sec::Actions => self.text_actions(out, end),
                _ => self.prose_section(out, sec, end),
            }
        }
    }

    /// Email or slide-deck style: `Label:` lines, `•` bullets and "Failure #N" blocks.
    fn email(&mut self, out: &mut String, target: usize) {
        let author = self.person();
        let domain = format!("{}.com", slug(self.company));
        let sent = self.date.add_days(i64::from(self.rng.range(1, 6)));
        let _ = write!(
            out,
            "Subject: {}{}\nFrom: {} <{}@{domain}>\nTo: engineering@{domain}\nDate: {}, {} {} {} 10:{:02}:00 ",
            self.rng
                .pick(&["[Postmortem] ", "Postmortem: ", "Incident review – ", ""]),
            self.title,
            self.people[author].name,
            self.people[author].handle,
            &WEEKDAYS[sent.weekday()][..3],
            sent.d,
            sent.month_abbr(),
            sent.y,
            self.rng.range(0, 59),
        );
        let off = self.offset_minutes();
        let _ = write!(
            out,
            "{}{:02}{:02}\n\n",
            if off < 0 { '-' } else { '+' },
            off.abs() / 60,
            off.abs() % 60
        );
        out.push_str(
            self.rng
                .pick(&["Hi all,\n\n", "Hello team,\n\n", "Team,\n\n"]),
        );
        let mut when = String::new();
        self.long_date(&mut when, self.date);
        let _ = write!(
            out,
            "Below is the write-up for the {} incident on {when}.\n\n",
            self.services[0]
        );

        let _ = writeln!(out, "Incident: {}", self.title);
        let _ = writeln!(out, "Date: {when}");
        out.push_str("Duration: ");
        push_duration(out, self.duration_min);
        let _ = write!(
            out,
            "\nSeverity: {}\nSystems: {}, {}\n",
            self.severity, self.systems[0], self.services[0]
        );
        let _ = write!(
            out,
            "Owner: {}\nStatus: Resolved\n\n",
            self.people[author].name
        );

        let plan = [
            (Sec::Summary, 10),
            (Sec::Impact, 8),
            (Sec::Timeline, 24),
            (Sec::RootCause, 22),
            (Sec::Resolution, 8),
            (Sec::Actions, 15),
            (Sec::Lessons, 6),
        ];
        let ends = Self::section_ends(out.len(), target, &plan);
        for (&(sec, _), &end) in plan.iter().zip(&ends) {
            let name = self.section_name(sec);
            match sec {
                Sec::Timeline => {
                    if self.zone_mode == ZoneMode::Once {
                        let _ = writeln!(out, "{name} (all times {}):", self.zone.casual);
                    } else {
                        let _ = writeln!(out, "{name}:");
                    }
                    let budget = end.saturating_sub(out.len());
                    let entries = self.collect_entries(
                        budget,
                        self.stamp_estimate() + 5,
                        &TL_PHASES,
                        EntryText::Detailed,
                        80,
                    );
                    let lines = entries
                        .iter()
                        .map(|e| {
                            format!(
                                "{}{}{}{}\n",
                                self.bullet,
                                self.entry_stamp(e, false),
                                self.sep,
                                e.text
                            )
                        })
                        .collect();
                    push_fitted(out, lines, budget, true);
                    out.push('\n');
                }
                Sec::RootCause => self.failures(out, end),
                Sec::Actions => {
                    let _ = writeln!(out, "{name}:");
                    self.text_actions(out, end);
                }
                Sec::Impact | Sec::Lessons => {
                    let _ = writeln!(out, "{name}:");
                    self.bullet_list(out, Self::pool(sec), end);
                    if out.len() < end {
                        self.paragraph(out, Self::pool(sec), end);
                    }
                }
                _ => {
                    let _ = writeln!(out, "{name}:");
                    self.prose_section(out, sec, end);
                }
            }
        }
        let first = self.people[author]
            .name
            .split(' ')
            .next()
            .unwrap_or_default()
            .to_string();
        let _ = write!(
            out,
            "{}\n{first}\n",
            self.rng.pick(&["Thanks,", "Cheers,", "Best,", "--"])
        );
    }

    /// "Failure #1: ..." blocks, as in slide decks that walk through each failure.
    fn failures(&mut self, out: &mut String, end: usize) {
        let mut i = 1;
        while i == 1 || out.len() < end {
            let tpl = self.template(FAILURE_TITLES);
            let title = self.expand_new(tpl);
            let _ = writeln!(out, "Failure #{i}: {title}");
            self.bullet_list(out, ROOT_CAUSE, end);
            i += 1;
        }
    }

    /// Narrative report: headings in one of several notations and a timeline told as
    /// "At 16:13 UTC we ..." sentences.
    fn narrative(&mut self, out: &mut String, target: usize) {
        self.text_title(out);
        if self.rng.chance(60) {
            out.push_str("Date: ");
            self.long_date(out, self.date);
            let names: Vec<&str> = self
                .authors()
                .iter()
                .map(|&p| self.people[p].name.as_str())
                .collect();
            let _ = write!(out, "\nAuthors: {}\n", names.join(", "));
            if self.zone_mode == ZoneMode::Once {
                let s = self.zone_statement();
                let _ = writeln!(out, "{s}");
                self.zone_noted = true;
            }
            out.push('\n');
        }
        let heading = self.rng.below(5);
        let plan = self.plan_sections();
        let ends = Self::section_ends(out.len(), target, &plan);
        for (i, (&(sec, _), &end)) in plan.iter().zip(&ends).enumerate() {
            let name = self.section_name(sec);
            Self::text_heading(out, heading, i + 1, name);
            match sec {
                Sec::Timeline => self.narrative_timeline(out, end),
                Sec::Actions => self.text_actions(out, end),
                _ => self.prose_section(out, sec, end),
            }
        }
    }

    fn narrative_timeline(&mut self, out: &mut String, end: usize) {
        self.timeline_zone_note(out);
        let budget = end.saturating_sub(out.len());
        let stamp = self.stamp_estimate();
        if self.rng.chance(35) {
            let entries =
                self.collect_entries(budget, stamp + 3, &TL_PHASES, EntryText::Detailed, 80);
            let lines = entries
                .iter()
                .map(|e| format!("{}{}{}\n", self.entry_stamp(e, false), self.sep, e.text))
                .collect();
            push_fitted(out, lines, budget, true);
            out.push('\n');
            return;
        }
        let entries = self.collect_entries(budget, stamp + 12, &NARR_PHASES, EntryText::Plain, 80);
        let sentences: Vec<String> = entries
            .iter()
            .map(|e| {
                let opener = if e.approx {
                    "Around"
                } else {
                    self.rng
                        .pick(&["At", "At", "At", "Around", "Shortly after"])
                };
                let comma = if self.rng.chance(40) { "," } else { "" };
                format!(
                    "{opener} {}{comma} we {}.",
                    self.entry_stamp(e, false),
                    e.text
                )
            })
            .collect();
        let mut para = String::new();
        let mut in_para = 0;
        for sentence in fit(sentences, budget, 2, true, |s: &String| s.len() + 1) {
            if in_para > 0 {
                para.push(' ');
            }
            para.push_str(&sentence);
            in_para += 1;
            if in_para >= 3 && self.rng.chance(40) {
                self.emit_paragraph(out, &para);
                para.clear();
                in_para = 0;
            }
        }
        if !para.is_empty() {
            self.emit_paragraph(out, &para);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

fn push_num(out: &mut String, v: u32) {
    let _ = write!(out, "{v}");
}

fn push_duration(out: &mut String, minutes: u32) {
    let (h, m) = (minutes / 60, minutes % 60);
    let _ = match (h, m) {
        (0, m) => write!(out, "{m} minutes"),
        (1, 0) => write!(out, "an hour"),
        (h, 0) => write!(out, "{h} hours"),
        (1, m) => write!(out, "1 hour and {m} minutes"),
        (h, m) => write!(out, "{h} hours and {m} minutes"),
    };
}

/// Turns "a" into "an" when the expansion that follows starts with a vowel sound.
fn fix_article(out: &mut String, start: usize) {
    let before = &out[..start];
    let article =
        before.ends_with(" a ") || before.ends_with(" A ") || before == "a " || before == "A ";
    if !article {
        return;
    }
    let next = &out[start..];
    let vowel = match next.as_bytes().first() {
        Some(b'a' | b'e' | b'i' | b'o' | b'A' | b'E' | b'I' | b'O') => true,
        // "an unbounded", but "a us-east-1 host", "a uwsgi worker".
        Some(b'u' | b'U') => {
            !(next.starts_with("us") || next.starts_with("uw") || next.starts_with("uni"))
        }
        Some(b'h') => next.starts_with("hour"),
        _ => false,
    };
    if vowel {
        out.insert(start - 1, 'n');
    }
}

fn capitalize_at(s: &mut String, at: usize) {
    if let Some(c) = s[at..].chars().next()
        && c.is_lowercase()
    {
        let upper: String = c.to_uppercase().collect();
        s.replace_range(at..at + c.len_utf8(), &upper);
    }
}

/// RST-style heading: the adornment must be at least as long as the title in characters.
fn underline(out: &mut String, title: &str, ch: char) {
    let n = title.chars().count();
    out.push_str(title);
    out.push('\n');
    out.extend(std::iter::repeat_n(ch, n));
    out.push_str("\n\n");
}

/// Greedy word wrap that only breaks at real spaces (phrases are glued, see `GLUE`).
fn push_wrapped(out: &mut String, text: &str, width: usize, indent: &str) {
    let mut col = 0;
    for word in text.split(' ') {
        let w = word.chars().count();
        if col > 0 && col + 1 + w > width {
            out.push('\n');
            col = 0;
        }
        if col == 0 {
            out.push_str(indent);
            col = indent.chars().count();
        } else {
            out.push(' ');
            col += 1;
        }
        out.push_str(word);
        col += w;
    }
    out.push('\n');
}

fn ascii_fold(c: char) -> Option<char> {
    let folded = match c {
        'á' | 'à' | 'â' | 'ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'í' | 'ï' => 'i',
        'ó' | 'ö' | 'ô' => 'o',
        'ú' | 'ü' => 'u',
        'ñ' => 'n',
        'ç' => 'c',
        c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
        _ => return None,
    };
    Some(folded)
}

fn ascii_handle(name: &str) -> String {
    name.chars().filter_map(ascii_fold).collect()
}

/// Lowercase ASCII slug of at most six words, for file names.
fn slug(text: &str) -> String {
    let mut s = String::new();
    let mut words = 0;
    let mut pending_dash = false;
    // Apostrophes join rather than split: "Zoë’s" becomes "zoes".
    for c in text.chars().filter(|c| !matches!(c, '\'' | '’')) {
        match ascii_fold(c) {
            Some(a) => {
                if pending_dash {
                    words += 1;
                    if words >= 6 || s.len() > 40 {
                        break;
                    }
                    s.push('-');
                    pending_dash = false;
                }
                s.push(a);
            }
            None => pending_dash = !s.is_empty(),
        }
    }
    // Cutting at six words can leave a dangling "of" or "on"; drop it.
    while let Some((head, last)) = s.rsplit_once('-') {
        if !matches!(
            last,
            "a" | "an"
                | "the"
                | "of"
                | "on"
                | "in"
                | "for"
                | "and"
                | "to"
                | "by"
                | "after"
                | "during"
        ) {
            break;
        }
        s.truncate(head.len());
    }
    if s.is_empty() {
        "incident".to_string()
    } else {
        s
    }
}

fn yaml_quote(s: &str) -> String {
    if s.contains('\'') {
        format!("\"{s}\"")
    } else {
        s.to_string()
    }
}

fn md_table(
    out: &mut String,
    header: &[&str],
    rows: Vec<Vec<String>>,
    padded: bool,
    budget: usize,
    keep_ends: bool,
) {
    let cols = header.len();
    let widths = column_widths(header, &rows);
    let padded_row = widths.iter().sum::<usize>() + 3 * cols + 2;
    let rows = fit(rows, budget, 2, keep_ends, |r: &Vec<String>| {
        if padded {
            padded_row
        } else {
            r.iter().map(String::len).sum::<usize>() + 3 * cols + 2
        }
    });
    let widths = column_widths(header, &rows);
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        out.push('|');
        for (c, cell) in cells.enumerate() {
            out.push(' ');
            if padded {
                push_padded(out, cell, widths[c]);
            } else {
                out.push_str(cell);
            }
            out.push_str(" |");
        }
        out.push('\n');
    };
    line(out, &mut header.iter().copied());
    out.push('|');
    for w in &widths {
        let n = if padded { *w + 2 } else { 5 };
        out.extend(std::iter::repeat_n('-', n));
        out.push('|');
    }
    out.push('\n');
    for r in &rows {
        line(out, &mut r.iter().map(String::as_str));
    }
    out.push('\n');
}

fn column_widths(header: &[&str], rows: &[Vec<String>]) -> Vec<usize> {
    (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].chars().count(), 3])
                .max()
                .unwrap_or(3)
        })
        .collect()
}

fn push_padded(out: &mut String, cell: &str, width: usize) {
    out.push_str(cell);
    out.extend(std::iter::repeat_n(' ', width - cell.chars().count()));
}

/// RST simple table; every column is sized to its widest cell.
fn rst_simple_table(
    out: &mut String,
    header: &[&str],
    rows: Vec<Vec<String>>,
    budget: usize,
    keep_ends: bool,
) {
    let row_bytes = column_widths(header, &rows)
        .iter()
        .map(|w| w + 2)
        .sum::<usize>();
    let rows = fit(rows, budget, 2, keep_ends, |_| row_bytes);
    let widths = column_widths(header, &rows);
    let border = widths
        .iter()
        .map(|&w| "=".repeat(w))
        .collect::<Vec<_>>()
        .join("  ");
    let row = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let mut line = String::new();
        for (c, cell) in cells.enumerate() {
            if c > 0 {
                line.push_str("  ");
            }
            push_padded(&mut line, cell, widths[c]);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    };
    let _ = writeln!(out, "{border}");
    row(out, &mut header.iter().copied());
    let _ = writeln!(out, "{border}");
    for r in &rows {
        row(out, &mut r.iter().map(String::as_str));
    }
    let _ = write!(out, "{border}\n\n");
}

/// RST grid table with a `=` separator under the header.
fn rst_grid_table(
    out: &mut String,
    header: &[&str],
    rows: Vec<Vec<String>>,
    budget: usize,
    keep_ends: bool,
) {
    // Each row costs its own line plus a separator line, both as wide as the table.
    let row_bytes = 2
        * (column_widths(header, &rows)
            .iter()
            .map(|w| w + 3)
            .sum::<usize>()
            + 2);
    let rows = fit(rows, budget, 2, keep_ends, |_| row_bytes);
    let widths = column_widths(header, &rows);
    let sep = |out: &mut String, ch: char| {
        out.push('+');
        for &w in &widths {
            out.extend(std::iter::repeat_n(ch, w + 2));
            out.push('+');
        }
        out.push('\n');
    };
    let row = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        out.push('|');
        for (c, cell) in cells.enumerate() {
            out.push(' ');
            push_padded(out, cell, widths[c]);
            out.push_str(" |");
        }
        out.push('\n');
    };
    sep(out, '-');
    row(out, &mut header.iter().copied());
    sep(out, '=');
    for r in &rows {
        row(out, &mut r.iter().map(String::as_str));
        sep(out, '-');
    }
    out.push('\n');
}

/// Keeps as many items as fit in `budget` bytes (never fewer than `min`). With `keep_ends`
/// the items are thinned evenly and the first and last survive, so a trimmed timeline still
/// runs from trigger to all-clear; otherwise the tail is cut.
fn fit<T>(
    mut items: Vec<T>,
    budget: usize,
    min: usize,
    keep_ends: bool,
    size: impl Fn(&T) -> usize,
) -> Vec<T> {
    let total: usize = items.iter().map(&size).sum();
    let n = items.len();
    if total <= budget || n <= min {
        return items;
    }
    if keep_ends {
        let k = (budget * n / total).clamp(min.max(2), n);
        // Evenly spaced indices from 0 to n - 1; strictly increasing because k <= n.
        let mut next = 0;
        let mut idx = 0;
        items.retain(|_| {
            let keep = next < k && idx == next * (n - 1) / (k - 1);
            next += usize::from(keep);
            idx += 1;
            keep
        });
    } else {
        let mut used = 0;
        let keep = items
            .iter()
            .position(|it| {
                used += size(it);
                used > budget
            })
            .unwrap_or(n)
            .max(min);
        items.truncate(keep);
    }
    items
}

/// `fit`, then write the surviving items.
fn push_fitted(out: &mut String, items: Vec<String>, budget: usize, keep_ends: bool) {
    for item in fit(items, budget, 2, keep_ends, String::len) {
        out.push_str(&item);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn words(text: &str) -> HashSet<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    }

    #[test]
    fn same_seed_and_index_give_identical_bytes() {
        for i in [0, 1, 7, 123, 9_999, u64::MAX] {
            assert_eq!(generate(42, i), generate(42, i));
        }
        let (a, b) = (generate(42, 1), generate(42, 2));
        assert_ne!(a.file_name, b.file_name);
        assert_ne!(a.text, b.text);
        assert_ne!(generate(1, 5).text, generate(2, 5).text);
    }

    #[test]
    fn sizes_stay_in_bounds_with_a_plausible_mean() {
        let sizes: Vec<usize> = (0..300).map(|i| generate(7, i).text.len()).collect();
        for (i, &s) in sizes.iter().enumerate() {
            assert!(
                (MIN_BYTES..=MAX_BYTES).contains(&s),
                "doc {i} has {s} bytes"
            );
        }
        let mean = sizes.iter().sum::<usize>() / sizes.len();
        assert!((7_000..=12_000).contains(&mean), "mean size {mean}");
        // "Uniformly-ish": both small and large documents are present.
        assert!(sizes.iter().any(|&s| s < 4_000) && sizes.iter().any(|&s| s > 16_000));
    }

    #[test]
    fn format_mix_matches_the_spec() {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for i in 0..1_000 {
            let name = Gen::new(3, i).file_name();
            let ext = name.rsplit('.').next().unwrap().to_string();
            *counts.entry(ext).or_default() += 1;
        }
        let pct = |e: &str| counts.get(e).copied().unwrap_or(0) / 10;
        assert!((39..=51).contains(&pct("md")), "{counts:?}");
        assert!((20..=30).contains(&pct("rst")), "{counts:?}");
        assert!((24..=36).contains(&pct("txt")), "{counts:?}");
    }

    #[test]
    fn file_names_are_unique_and_well_formed() {
        let mut seen = HashSet::new();
        let mut years = HashSet::new();
        for i in 0..10_000 {
            let name = Gen::new(11, i).file_name();
            let (date, _) = name.split_at(10);
            assert!(
                date.as_bytes()
                    .iter()
                    .enumerate()
                    .all(|(k, b)| if k == 4 || k == 7 {
                        *b == b'-'
                    } else {
                        b.is_ascii_digit()
                    }),
                "{name}"
            );
            years.insert(date[..4].to_string());
            assert!(
                name.ends_with(&format!("-{i}.md"))
                    || name.ends_with(&format!("-{i}.rst"))
                    || name.ends_with(&format!("-{i}.txt")),
                "{name}"
            );
            assert!(name.is_ascii() && !name.contains(' '), "{name}");
            assert!(seen.insert(name));
        }
        assert_eq!(years.len(), 15, "dates should span 2012-2026");
    }

    #[test]
    fn write_corpus_writes_every_document() {
        let dir = std::env::temp_dir().join(format!(
            "aftermath-synth-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let total = write_corpus(&dir, 5, 25).unwrap();
        let mut on_disk = 0;
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            on_disk += entry.unwrap().metadata().unwrap().len();
            files += 1;
        }
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(files, 25);
        assert_eq!(total, on_disk);
        let expected: u64 = (0..25).map(|i| generate(5, i).text.len() as u64).sum();
        assert_eq!(total, expected);
    }

    #[test]
    fn documents_are_clean_text() {
        let mut non_ascii = 0;
        for i in 0..300 {
            let d = generate(9, i);
            assert!(
                !d.text.contains('\r') && !d.text.contains(GLUE),
                "{}",
                d.file_name
            );
            assert!(
                !d.text.contains('{') && !d.text.contains('}'),
                "unexpanded template in {}",
                d.file_name
            );
            assert!(
                d.text.ends_with('\n') && !d.text.ends_with("\n\n"),
                "{}",
                d.file_name
            );
            if !d.text.is_ascii() {
                non_ascii += 1;
            }
        }
        assert!(
            non_ascii > 60,
            "only {non_ascii} documents with non-ASCII characters"
        );
    }

    #[test]
    fn markdown_has_timeline_and_action_sections() {
        const TIMELINE: [&str; 5] = [
            "Timeline",
            "Sequence of Events",
            "Chronology",
            "Detailed Timeline",
            "Timeline",
        ];
        const ACTION: [&str; 5] = [
            "Action Items",
            "Follow-up Actions",
            "Corrective Actions",
            "Remediation",
            "Next Steps",
        ];
        let mut checked = 0;
        for i in 0..200 {
            let d = generate(21, i);
            if !d.file_name.ends_with(".md") {
                continue;
            }
            checked += 1;
            let headings: Vec<&str> = d
                .text
                .lines()
                .filter_map(|l| l.strip_prefix("## "))
                .collect();
            assert!(
                headings.iter().any(|h| TIMELINE.contains(h)),
                "{}: {headings:?}",
                d.file_name
            );
            assert!(
                headings.iter().any(|h| ACTION.contains(h)),
                "{}: {headings:?}",
                d.file_name
            );
            assert!(
                d.text.lines().any(|l| l.starts_with("# ")),
                "{}",
                d.file_name
            );
        }
        assert!(checked > 60);
    }

    #[test]
    fn rst_titles_are_underlined() {
        let mut checked = 0;
        for i in 0..200 {
            let d = generate(22, i);
            if !d.file_name.ends_with(".rst") {
                continue;
            }
            checked += 1;
            let lines: Vec<&str> = d.text.lines().collect();
            let pos = lines
                .windows(2)
                .position(|w| !w[0].is_empty() && !w[0].starts_with("..") && !w[0].starts_with('='))
                .unwrap();
            let (title, under) = (lines[pos], lines[pos + 1]);
            assert!(
                under.chars().all(|c| c == '=') && under.chars().count() >= title.chars().count(),
                "{}: {title:?} / {under:?}",
                d.file_name
            );
            assert!(
                lines
                    .iter()
                    .any(|l| !l.is_empty() && l.chars().all(|c| c == '-')),
                "{}: no sections",
                d.file_name
            );
        }
        assert!(checked > 30);
    }

    #[test]
    fn every_document_has_follow_up_actions() {
        for i in 0..200 {
            let d = generate(23, i);
            let lower = d.text.to_lowercase();
            let has = [
                "action items",
                "follow-up actions",
                "corrective actions",
                "remediation",
                "next steps",
            ]
            .iter()
            .any(|h| lower.contains(h));
            assert!(has, "{}", d.file_name);
        }
    }

    #[test]
    fn plain_text_styles_all_occur() {
        let docs: Vec<SynthDoc> = (0..300)
            .map(|i| generate(24, i))
            .filter(|d| d.file_name.ends_with(".txt"))
            .collect();
        assert!(
            docs.iter()
                .any(|d| d.text.contains("\nPosted ") || d.text.contains("\nResolved\n"))
        );
        assert!(docs.iter().any(|d| d.text.contains("Failure #1: ")));
        assert!(
            docs.iter()
                .any(|d| d.text.contains(" we ") && d.text.contains("At "))
        );
        assert!(docs.iter().any(|d| d.text.contains('•')));
    }

    #[test]
    fn vocabulary_frequencies_suit_search_benchmarks() {
        let (common, rare, phrases) = vocabulary();
        let docs: Vec<String> = (0..400).map(|i| generate(31, i).text).collect();
        let bags: Vec<HashSet<String>> = docs.iter().map(|t| words(t)).collect();
        let df = |w: &str| bags.iter().filter(|b| b.contains(w)).count();
        for w in &common {
            assert!(
                df(w) * 2 > bags.len(),
                "common word {w:?} in only {} docs",
                df(w)
            );
        }
        let mut rare_hits = 0;
        for w in &rare {
            let n = df(w);
            assert!(n * 20 < bags.len(), "rare word {w:?} in {n} docs");
            rare_hits += usize::from(n > 0);
        }
        assert!(rare_hits > 150, "only {rare_hits} rare words occur at all");
        for p in &phrases {
            let n = docs.iter().filter(|t| t.contains(p)).count();
            assert!(n > 0, "phrase {p:?} never occurs verbatim");
        }
    }

    #[test]
    fn vocabulary_lists_are_distinct() {
        let (common, rare, phrases) = vocabulary();
        let rare_set: HashSet<&str> = rare.iter().copied().collect();
        assert_eq!(rare_set.len(), rare.len(), "duplicate rare words");
        assert!(common.iter().all(|w| !rare_set.contains(w)));
        // Rare words must not also be drawn through the everyday lists.
        let everyday: HashSet<String> = [
            SYSTEMS,
            COMPONENTS,
            NOUNS,
            ADJS,
            VERBS,
            METRICS,
            TEAMS,
            SVC_PREFIXES,
            SVC_SUFFIXES,
        ]
        .iter()
        .flat_map(|l| l.iter().flat_map(|s| words(s)))
        .collect();
        for w in &rare {
            assert!(
                !everyday.contains(*w),
                "rare word {w:?} is also an everyday word"
            );
        }
        assert!(
            phrases
                .iter()
                .all(|p| p.split(' ').count() == 2 && *p == p.to_lowercase())
        );
    }

    #[test]
    fn calendar_and_dst_rules() {
        let d = Date {
            y: 2021,
            m: 8,
            d: 26,
        };
        assert_eq!(WEEKDAYS[d.weekday()], "Thursday");
        assert_eq!(Date::from_days(d.to_days()), d);
        assert_eq!(
            Date {
                y: 2020,
                m: 2,
                d: 28
            }
            .add_days(1),
            Date {
                y: 2020,
                m: 2,
                d: 29
            }
        );
        assert_eq!(
            Date {
                y: 2021,
                m: 12,
                d: 31
            }
            .add_days(1),
            Date {
                y: 2022,
                m: 1,
                d: 1
            }
        );
        assert_eq!(sunday(2021, 3, 2), 14);
        assert_eq!(sunday(2021, 3, 0), 28);
        let (pacific, berlin, sydney) = (&ZONES[1], &ZONES[4], &ZONES[8]);
        assert!(!pacific.is_dst(Date {
            y: 2021,
            m: 3,
            d: 13
        }));
        assert!(pacific.is_dst(Date {
            y: 2021,
            m: 3,
            d: 14
        }));
        assert!(berlin.is_dst(Date {
            y: 2021,
            m: 10,
            d: 30
        }));
        assert!(!berlin.is_dst(Date {
            y: 2021,
            m: 10,
            d: 31
        }));
        assert!(sydney.is_dst(Date {
            y: 2021,
            m: 1,
            d: 15
        }));
        assert!(!sydney.is_dst(Date {
            y: 2021,
            m: 7,
            d: 15
        }));
    }

    #[test]
    fn numeric_dates_are_unambiguous() {
        for i in 0..500 {
            let g = Gen::new(41, i);
            if matches!(g.style, TimeStyle::Us | TimeStyle::Eu) {
                assert!(g.date.d > 12);
            }
        }
    }

    #[test]
    fn timelines_run_forward_from_trigger_to_all_clear() {
        for i in 0..200 {
            let mut g = Gen::new(51, i);
            let entries = g.collect_entries(3_000, 20, &TL_PHASES, EntryText::Detailed, 80);
            assert!(
                entries
                    .windows(2)
                    .all(|w| (w[0].day, w[0].min) <= (w[1].day, w[1].min))
            );
            let last = &entries.last().unwrap().text;
            assert!(
                TL_END
                    .iter()
                    .any(|t| last.starts_with(t.split('{').next().unwrap())),
                "{last}"
            );
            let first = &entries[0];
            assert_eq!((first.day, first.min), (0, g.start_min));
        }
    }

    #[test]
    fn fit_respects_budget_and_keeps_ends() {
        let items: Vec<String> = (0..50).map(|i| format!("{i:03}\n")).collect();
        let kept = fit(items.clone(), 100, 2, true, String::len);
        assert!(kept.iter().map(String::len).sum::<usize>() <= 100);
        assert_eq!(kept.first(), items.first());
        assert_eq!(kept.last(), items.last());
        let cut = fit(items.clone(), 100, 2, false, String::len);
        assert_eq!(cut.len(), 25);
        assert_eq!(cut[..], items[..25]);
        assert_eq!(fit(items.clone(), 1, 2, false, String::len).len(), 2);
        assert_eq!(fit(items.clone(), 10_000, 2, true, String::len), items);
    }

    #[test]
    fn articles_follow_the_next_sound() {
        let fixed = |before: &str, word: &str| {
            let mut s = before.to_string();
            let start = s.len();
            s.push_str(word);
            fix_article(&mut s, start);
            s
        };
        assert_eq!(fixed("was a ", "unbounded queue"), "was an unbounded queue");
        assert_eq!(fixed("A ", "outage"), "An outage");
        assert_eq!(fixed("a ", "hourly job"), "an hourly job");
        assert_eq!(fixed("in a ", "us-east-1 zone"), "in a us-east-1 zone");
        assert_eq!(fixed("a ", "stale lease"), "a stale lease");
        assert_eq!(fixed("data ", "outage"), "data outage");
    }

    #[test]
    fn slugs_are_short_and_clean() {
        assert_eq!(
            slug("Postmortem: outage of the Zoë’s billing-api"),
            "postmortem-outage-of-the-zoes-billing"
        );
        assert_eq!(
            slug("Tessellate: latency spike on Jan 3, 2017"),
            "tessellate-latency-spike-on-jan-3"
        );
        assert_eq!(slug("Outage of the"), "outage");
        assert_eq!(slug("–"), "incident");
    }

    #[test]
    fn front_matter_is_closed() {
        for i in 0..300 {
            let d = generate(61, i);
            for delim in ["---\n", "+++\n"] {
                if d.file_name.ends_with(".md") && d.text.starts_with(delim) {
                    let close = format!("\n{delim}");
                    let end = d.text[4..].find(&close).expect("unclosed front matter") + 4;
                    let fm = &d.text[4..end];
                    assert!(
                        fm.lines().any(|l| l.starts_with("title")),
                        "{}",
                        d.file_name
                    );
                    assert!(fm.lines().any(|l| l.starts_with("date")), "{}", d.file_name);
                    assert!(d.text[end..].contains("\n# "), "{}", d.file_name);
                }
            }
        }
    }

    #[test]
    fn zone_conventions_all_occur() {
        let docs: Vec<String> = (0..300).map(|i| generate(71, i).text).collect();
        for needle in ["All times", " UTC", "Z\n", "+0", " PDT", " CET", "~", "pm"] {
            assert!(
                docs.iter().any(|t| t.contains(needle)),
                "nothing contains {needle:?}"
            );
        }
    }

    #[test]
    fn every_template_expands() {
        let mut g = Gen::new(0, 0);
        let pools: &[&[&str]] = &[
            TITLES,
            SUMMARY,
            BACKGROUND,
            IMPACT,
            ROOT_CAUSE,
            DETECTION,
            RESOLUTION,
            LESSONS,
            GENERAL,
            TL_START,
            TL_MID,
            TL_END,
            NARR_START,
            NARR_MID,
            NARR_END,
            STATUS_INVESTIGATING,
            STATUS_IDENTIFIED,
            STATUS_UPDATE,
            STATUS_MONITORING,
            STATUS_RESOLVED,
            ACTIONS,
            FAILURE_TITLES,
            LOG_LINES,
            CHANGES,
            FIXES,
        ];
        for pool in pools {
            for tpl in *pool {
                let s = g.expand_new(tpl);
                assert!(!s.contains('{') && !s.is_empty(), "{tpl}");
            }
        }
    }
}
