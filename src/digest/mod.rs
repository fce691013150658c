//! The weekly action-item digest: compose (db rows ─▶ one view per recipient ─▶
//! subject, text and HTML templates) then send (SMTP, or stdout for `--dry-run`).
//!
//! * [`compose`]: pure; what goes in each digest and how it reads.
//! * [`send`]: the SMTP URL, the MIME message and the delivery backend.
//! * [`schedule`]: the weekly send time in an IANA zone, DST-proof.
//! * [`claims`]: who is sending a week's message (process, host, renewed lease).
//!
//! # For the server
//!
//! `aftermath serve` starts the weekly sends with
//!
//! ```ignore
//! let settings = aftermath::digest::DigestSettings::resolve(file.digest.as_ref(), None)?;
//! let handle: tokio::task::JoinHandle<()> = aftermath::digest::spawn_scheduler(pool.clone(), settings);
//! ```
//!
//! and may show `aftermath::db::digest::last_failure(&pool)` on the home page.
//!
//! Invariant: a week's digest reaches each address at most once. Every send first
//! claims its (week, recipient) row in `digest_sends` with one atomic insert, so
//! restarts and several server processes on one database never send twice; a week
//! missed while no server ran is sent when one starts again, composed as of then. A
//! claim left by a process that is gone is released, and "already sent" means the SMTP
//! server accepted the message.

pub mod claims;
pub mod compose;
pub mod schedule;
pub mod send;

use crate::config::DigestConfig;
use crate::db;
use anyhow::Context;
use compose::{Audience, ComposeOptions};
use jiff::{Timestamp, ToSpan, ZonedDateTime};
use lettre::message::Mailbox;
use schedule::Schedule;
use send::{Backend, Outgoing, SmtpSettings, SmtpUrl};
use sqlx::SqlitePool;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// Where the current time comes from; tests inject a fixed one.
pub type Clock = Arc<dyn Fn() -> Timestamp + Send + Sync>;

/// The base URL used when none is configured.
pub const DEFAULT_BASE_URL: &str = "http://127.0.0.1:8080";
/// The From address used when none is configured.
pub const DEFAULT_FROM: &str = "Aftermath <aftermath@localhost>";
/// Days without a change after which an open action is stale.
pub const DEFAULT_STALE_DAYS: i64 = 30;
/// Waits before each retry of a failed send: 1 min, 5 min, 30 min, 2 h.
pub const DEFAULT_RETRY_DELAYS: [u64; 4] = [60, 300, 1800, 7200];

/// Everything the digest needs, resolved from the config file, flags and environment.
#[derive(Clone)]
pub struct DigestSettings {
    /// The web UI's base URL without a trailing slash.
    pub base_url: String,
    pub from: Mailbox,
    /// Team digest recipients (lowercased addresses).
    pub recipients: Vec<String>,
    /// Owner name to address.
    pub owners: BTreeMap<String, String>,
    /// Mail domains (lowercase) an owner written as an address may be mailed at;
    /// empty: any.
    pub allowed_domains: Vec<String>,
    /// `None` when no SMTP URL is configured: only `--dry-run` works then.
    pub smtp: Option<SmtpSettings>,
    pub schedule: Schedule,
    pub stale_days: i64,
    /// Waits before each retry; a send is tried `retry_delays.len() + 1` times.
    pub retry_delays: Vec<Duration>,
    /// The current time (injectable for tests).
    pub clock: Clock,
    /// The scheduler's longest single sleep: it re-reads the clock at least this often.
    pub poll: Duration,
    /// How long a claim is held without renewal: the sending process renews it every
    /// third of this while it runs (retries included), so a claim not renewed for this
    /// long belongs to a process that is gone, and is taken over (default 2 minutes). A
    /// holder on this host whose process is gone is released at once.
    pub claim_lease: Duration,
}

impl std::fmt::Debug for DigestSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DigestSettings")
            .field("base_url", &self.base_url)
            .field("from", &self.from)
            .field("recipients", &self.recipients)
            .field("owners", &self.owners)
            .field("allowed_domains", &self.allowed_domains)
            .field("smtp", &self.smtp)
            .field("schedule", &self.schedule)
            .field("stale_days", &self.stale_days)
            .field("retry_delays", &self.retry_delays)
            .field("claim_lease", &self.claim_lease)
            .finish_non_exhaustive()
    }
}

impl DigestSettings {
    /// Resolves the settings from the `[digest]` table, an `--smtp-url` flag (which
    /// wins over the file) and `AFTERMATH_SMTP_PASSWORD` (which wins over
    /// `smtp_password_file`).
    pub fn resolve(
        file: Option<&DigestConfig>,
        smtp_url_flag: Option<String>,
    ) -> anyhow::Result<DigestSettings> {
        let empty = DigestConfig::default();
        let c = file.unwrap_or(&empty);
        let base_url = c
            .base_url
            .clone()
            .unwrap_or_else(|| DEFAULT_BASE_URL.to_string())
            .trim()
            .trim_end_matches('/')
            .to_string();
        let from_text = c.from.as_deref().unwrap_or(DEFAULT_FROM);
        let from: Mailbox = from_text
            .parse()
            .with_context(|| format!("bad digest from address {from_text:?}"))?;
        let mut recipients = Vec::new();
        for r in c.recipients.iter().flatten() {
            let address: lettre::Address = r
                .trim()
                .parse()
                .with_context(|| format!("bad digest recipient {r:?}"))?;
            let address = address.to_string().to_ascii_lowercase();
            if !recipients.contains(&address) {
                recipients.push(address);
            }
        }
        let mut owners = BTreeMap::new();
        for (name, address) in c.owners.iter().flatten() {
            address
                .trim()
                .parse::<lettre::Address>()
                .with_context(|| format!("bad address {address:?} for owner {name:?}"))?;
            owners.insert(name.clone(), address.trim().to_ascii_lowercase());
        }
        let allowed_domains = c
            .allowed_domains
            .iter()
            .flatten()
            .map(|d| d.trim().trim_start_matches('@').to_ascii_lowercase())
            .filter(|d| !d.is_empty())
            .collect();
        let url = smtp_url_flag
            .or_else(|| std::env::var("AFTERMATH_SMTP_URL").ok())
            .filter(|u| !u.trim().is_empty())
            .or_else(|| c.smtp_url.clone());
        let smtp = match url {
            Some(url) => {
                let url = SmtpUrl::parse(url.trim())?;
                let password = match std::env::var("AFTERMATH_SMTP_PASSWORD") {
                    Ok(p) if !p.is_empty() => Some(p),
                    _ => match &c.smtp_password_file {
                        Some(path) => Some(
                            std::fs::read_to_string(path)
                                .with_context(|| format!("reading {}", path.display()))?
                                .trim_end_matches(['\r', '\n'])
                                .to_string(),
                        ),
                        None => None,
                    },
                };
                Some(SmtpSettings {
                    url,
                    password,
                    accept_invalid_certs: c.smtp_accept_invalid_certs.unwrap_or(false),
                    timeout: Duration::from_secs(30),
                })
            }
            None => None,
        };
        let schedule = Schedule::parse(
            c.weekday.as_deref(),
            c.time.as_deref(),
            c.timezone.as_deref(),
        )?;
        let stale_days = c.stale_days.unwrap_or(DEFAULT_STALE_DAYS);
        anyhow::ensure!(stale_days >= 0, "digest stale_days must not be negative");
        let retry_delays: Vec<Duration> = c
            .retry_delays_secs
            .clone()
            .unwrap_or_else(|| DEFAULT_RETRY_DELAYS.to_vec())
            .into_iter()
            .map(Duration::from_secs)
            .collect();
        let claim_lease = claims::DEFAULT_LEASE;
        Ok(DigestSettings {
            base_url,
            from,
            recipients,
            owners,
            allowed_domains,
            smtp,
            schedule,
            stale_days,
            retry_delays,
            clock: Arc::new(Timestamp::now),
            poll: Duration::from_secs(60),
            claim_lease,
        })
    }

    /// The backend for real sends: an error when no SMTP server is configured.
    pub fn smtp_backend(&self) -> anyhow::Result<Backend> {
        let smtp = self.smtp.as_ref().context(
            "no smtp server configured: set --smtp-url, AFTERMATH_SMTP_URL or [digest] smtp_url",
        )?;
        Ok(Backend::Smtp(Box::new(send::transport(smtp)?)))
    }
}

/// Which week a run is for and what it composes.
#[derive(Debug, Clone)]
pub struct Run {
    /// The instant the digest is composed as of.
    pub as_of: ZonedDateTime,
    /// The key sends are recorded under: the ISO week of the scheduled send this
    /// run belongs to.
    pub week: String,
    /// Claim and record each send (false for `--dry-run` and `--to`).
    pub record: bool,
    /// Send only the team digest, to this address.
    pub only_to: Option<String>,
    /// Printing, not sending: show the team digest even without team recipients.
    pub dry_run: bool,
}

impl Run {
    /// The run of the week whose scheduled send is the latest at or before `now`,
    /// composed as of `now`: the scheduler's send (on time, or caught up after a time
    /// with no server running) and `aftermath digest` without `--as-of` both use it,
    /// so a week caught up mid-week shows what the database holds then.
    pub fn current(schedule: &Schedule, now: Timestamp) -> Run {
        let mut run = Run::scheduled(schedule.latest_at_or_before(now));
        run.as_of = now.to_zoned_datetime(schedule.zone.clone());
        run
    }

    /// The run of the scheduled send at `occurrence`, composed as of that instant.
    pub fn scheduled(occurrence: ZonedDateTime) -> Run {
        Run {
            week: compose::week_key(occurrence.date()),
            as_of: occurrence,
            record: true,
            only_to: None,
            dry_run: false,
        }
    }
}

/// What a run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Recipients a message was delivered (or printed) to.
    pub sent: Vec<String>,
    /// Recipients skipped because the SMTP server already accepted the week's message.
    pub skipped: Vec<String>,
    /// Recipients skipped because another live process holds the week's claim, with
    /// the claim in words.
    pub busy: Vec<(String, String)>,
    /// Recipients whose last try failed, with the error.
    pub failed: Vec<(String, String)>,
}

/// Composes the digests of a run, one message per recipient: the team digest to each
/// team recipient (or `run.only_to`), then each owner's digest.
pub async fn compose_run(
    pool: &SqlitePool,
    settings: &DigestSettings,
    run: &Run,
) -> anyhow::Result<Vec<Outgoing>> {
    // Stored times are whole seconds (`db::now()` drops the fraction), so a change
    // stamped with the second `now` falls in happened before `now`: a run composed as
    // of now counts to the end of that second, or an import a moment earlier would be
    // left out of the digest run right after it. A scheduled instant is whole already.
    let at = run.as_of.timestamp();
    let as_of = Timestamp::from_second(at.as_second() + i64::from(at.subsec_nanosecond() > 0))?;
    let since = as_of - (7 * 24).hours();
    let (since_s, as_of_s) = (since.to_string(), as_of.to_string());
    let rows = db::digest::actions(pool, &since_s, &as_of_s)
        .await
        .context("reading actions for the digest")?;
    let incidents = db::digest::new_incidents(pool, &since_s, &as_of_s)
        .await
        .context("reading new incidents for the digest")?;
    let options = ComposeOptions {
        base_url: settings.base_url.clone(),
        as_of,
        today: run.as_of.date(),
        stale_days: settings.stale_days,
        owners: settings.owners.clone(),
        team: settings.recipients.clone(),
        allowed_domains: settings.allowed_domains.clone(),
    };
    let mut out = Vec::new();
    for digest in compose::compose(&rows, &incidents, &options) {
        let rendered = compose::render(&digest).context("rendering the digest")?;
        match &digest.audience {
            Audience::Team => {
                let team = match &run.only_to {
                    Some(to) => vec![to.trim().to_ascii_lowercase()],
                    None if run.dry_run && settings.recipients.is_empty() => {
                        vec!["(no team recipients configured)".to_string()]
                    }
                    None => settings.recipients.clone(),
                };
                for recipient in team {
                    out.push(Outgoing {
                        recipient,
                        kind: "team",
                        rendered: rendered.clone(),
                    });
                }
            }
            Audience::Owner { address, .. } if run.only_to.is_none() => {
                if digest.counts.open + digest.counts.done > 0 {
                    out.push(Outgoing {
                        recipient: address.clone(),
                        kind: "owner",
                        rendered,
                    });
                }
            }
            Audience::Owner { .. } => {}
        }
    }
    Ok(out)
}

/// Composes and delivers a run. Recorded runs claim each (week, recipient) first and
/// skip those already sent or held by another live process; a claim whose holder is
/// gone is taken over. Failed sends are retried after each of `settings.retry_delays`
/// (the claims are renewed meanwhile), then recorded as failed.
pub async fn deliver(
    pool: &SqlitePool,
    settings: &DigestSettings,
    backend: &Backend,
    run: &Run,
) -> anyhow::Result<Outcome> {
    let messages = compose_run(pool, settings, run).await?;
    let mut outcome = Outcome::default();
    let mut pending = Vec::new();
    // Held (and renewed) until this run ends, retries included.
    let held = run
        .record
        .then(|| claims::Claims::start(pool, &run.week, settings.claim_lease));
    for message in messages {
        if let Some(held) = &held {
            match held
                .claim(&message.recipient, message.kind)
                .await
                .context("claiming a digest send")?
            {
                claims::Claimed::Won => {}
                claims::Claimed::AlreadySent => {
                    tracing::debug!(week = %run.week, recipient = %message.recipient, "digest already sent");
                    outcome.skipped.push(message.recipient);
                    continue;
                }
                claims::Claimed::HeldElsewhere(how) => {
                    tracing::info!(week = %run.week, recipient = %message.recipient, "digest {how}");
                    outcome.busy.push((message.recipient, how));
                    continue;
                }
            }
        }
        pending.push(message);
    }
    let mut delays = settings.retry_delays.iter();
    loop {
        let mut still = Vec::new();
        let last_try = delays.len() == 0;
        for message in pending {
            match backend.send(&settings.from, &message).await {
                Ok(id) => {
                    if run.record {
                        db::digest::mark_sent(
                            pool,
                            &run.week,
                            &message.recipient,
                            id.as_deref(),
                            &db::now(),
                        )
                        .await?;
                    }
                    tracing::info!(week = %run.week, recipient = %message.recipient, kind = message.kind, "digest sent");
                    outcome.sent.push(message.recipient);
                }
                Err(error) => {
                    if run.record {
                        db::digest::attempt_failed(pool, &run.week, &message.recipient, &error)
                            .await?;
                    }
                    if last_try {
                        tracing::error!(week = %run.week, recipient = %message.recipient, %error, "digest send failed after the last try");
                        if run.record {
                            db::digest::mark_failed(
                                pool,
                                &run.week,
                                &message.recipient,
                                &db::now(),
                            )
                            .await?;
                        }
                        outcome.failed.push((message.recipient, error));
                    } else {
                        tracing::warn!(week = %run.week, recipient = %message.recipient, %error, "digest send failed; will retry");
                        still.push(message);
                    }
                }
            }
        }
        if still.is_empty() {
            break;
        }
        let Some(delay) = delays.next() else { break };
        tokio::time::sleep(*delay).await;
        pending = still;
    }
    Ok(outcome)
}

/// Starts the weekly sends on the current tokio runtime and returns the task's handle
/// (abort it to stop). At each wake-up the scheduler finds the latest scheduled send
/// time at or before now and delivers that week's digest; the claims in the database
/// make this a no-op once the week is done. It sleeps until the next send time, but
/// never longer than `settings.poll`, so clock changes and suspends are noticed.
pub fn spawn_scheduler(pool: SqlitePool, settings: DigestSettings) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let backend = match settings.smtp_backend() {
            Ok(b) => b,
            Err(e) => {
                tracing::warn!("weekly digest disabled: {e:#}");
                return;
            }
        };
        let mut done_week: Option<String> = None;
        loop {
            let now = (settings.clock)();
            let run = Run::current(&settings.schedule, now);
            if done_week.as_deref() != Some(run.week.as_str()) {
                match deliver(&pool, &settings, &backend, &run).await {
                    Ok(outcome) => {
                        if !outcome.sent.is_empty() || !outcome.failed.is_empty() {
                            tracing::info!(week = %run.week, sent = outcome.sent.len(), failed = outcome.failed.len(), skipped = outcome.skipped.len(), held_elsewhere = outcome.busy.len(), "weekly digest run finished");
                        }
                        // Another process may still be sending (or may have died doing
                        // so): look again at the next wake-up until nothing is in flight.
                        match db::digest::in_flight(&pool, &run.week).await {
                            Ok(false) => done_week = Some(run.week),
                            Ok(true) => {}
                            Err(e) => tracing::warn!("checking digest sends: {e}"),
                        }
                    }
                    // A database hiccup: try again at the next wake-up.
                    Err(e) => tracing::error!(week = %run.week, "weekly digest run failed: {e:#}"),
                }
            }
            let now = (settings.clock)();
            let until_next = settings
                .schedule
                .next_after(now)
                .timestamp()
                .duration_since(now)
                .unsigned_abs();
            tokio::time::sleep(until_next.min(settings.poll).max(Duration::from_millis(10))).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FileConfig;

    fn file(text: &str) -> anyhow::Result<FileConfig> {
        Ok(toml::from_str(text)?)
    }

    #[test]
    fn the_digest_table_resolves_with_defaults_and_a_password_file() {
        let dir = tempfile::tempdir().unwrap();
        let secret = dir.path().join("smtp-password");
        std::fs::write(&secret, "hunter2\n").unwrap();
        let config = file(&format!(
            "[digest]\nbase_url = \"https://a.example.org/\"\nrecipients = [\"Team@Example.org\", \"team@example.org\"]\n\
             smtp_url = \"smtp://bot@mail.example.org?tls=required\"\nsmtp_password_file = {:?}\n\
             [digest.owners]\nAlice = \"alice@example.org\"\n",
            secret.display().to_string()
        ))
        .unwrap();
        let s = DigestSettings::resolve(config.digest.as_ref(), None).unwrap();
        assert_eq!(s.base_url, "https://a.example.org");
        assert_eq!(s.recipients, ["team@example.org"]);
        assert_eq!(s.stale_days, DEFAULT_STALE_DAYS);
        assert_eq!(s.retry_delays.len(), DEFAULT_RETRY_DELAYS.len());
        assert_eq!(s.schedule.weekday, jiff::civil::Weekday::Monday);
        let smtp = s.smtp.as_ref().unwrap();
        assert_eq!(smtp.password.as_deref(), Some("hunter2"));
        assert!(!smtp.accept_invalid_certs);
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn bad_digest_settings_are_errors() {
        assert!(file("[digest]\nrecipient = [\"a@b.org\"]\n").is_err());
        let bad = |t: &str| {
            let f = file(t).unwrap();
            DigestSettings::resolve(f.digest.as_ref(), None).is_err()
        };
        assert!(bad("[digest]\nrecipients = [\"not an address\"]\n"));
        assert!(bad("[digest]\nfrom = \"nobody\"\n"));
        assert!(bad("[digest]\nweekday = \"someday\"\n"));
        assert!(bad("[digest]\nstale_days = -1\n"));
        assert!(bad("[digest.owners]\nAlice = \"alice\"\n"));
    }
}
