//! Who is sending a week's digest: each (week, recipient) claim names its holder (the
//! process id and host) and carries a lease the holder renews while it sends.
//!
//! A claim whose holder is gone is released: at once when the holder ran on this host
//! and its process no longer exists (a run interrupted by Ctrl-C or a kill), otherwise
//! once its lease runs out (a holder on another host, or a process id reused since).
//! A live holder keeps its claim through every retry, however long the backoff.
//!
//! Invariant: a claim is taken from another holder only when that holder cannot be
//! sending any more, so a message is never sent twice; and a week is "already sent" to
//! an address only when the SMTP server accepted the message.

use crate::db;
use crate::db::digest::{Holder, Send};
use jiff::Timestamp;
use sqlx::SqlitePool;
use std::time::Duration;

/// How long a claim is held without renewal. The holder renews it every third of this,
/// so a holder that stops renewing (it was killed, or its machine stopped) is known to
/// be gone within this time.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(120);

/// This process, as it is recorded on the claims it takes.
pub fn this_process() -> Holder {
    Holder {
        pid: i64::from(std::process::id()),
        host: host_name(),
    }
}

/// The host name (`gethostname`), or "localhost" when it cannot be read.
fn host_name() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: the buffer is valid for its length; gethostname writes at most that many
    // bytes and the result is read only up to the first NUL.
    let ok = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) } == 0;
    let end = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    match std::str::from_utf8(&buf[..end]) {
        Ok(name) if ok && !name.is_empty() => name.to_string(),
        _ => "localhost".to_string(),
    }
}

/// Whether the holder's process still exists: `None` for a holder on another host,
/// which only its lease can tell.
pub fn alive(holder: &Holder) -> Option<bool> {
    if holder.host != host_name() {
        return None;
    }
    let Ok(pid) = libc::pid_t::try_from(holder.pid) else {
        return Some(false);
    };
    if pid <= 0 {
        return Some(false);
    }
    // SAFETY: signal 0 sends nothing; it only asks whether the process exists.
    let found = unsafe { libc::kill(pid, 0) } == 0;
    // EPERM: it exists but belongs to another user.
    Some(found || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM))
}

/// The holder recorded on a claim, if any.
pub fn holder_of(send: &Send) -> Option<Holder> {
    Some(Holder {
        pid: send.holder_pid?,
        host: send.holder_host.clone()?,
    })
}

/// A claim in words, for `aftermath digest --status` and for a run that finds a
/// message held by another process.
pub fn describe(send: &Send) -> String {
    let mut text = match send.state.as_str() {
        "sent" => format!(
            "sent at {}",
            send.finished_at.as_deref().unwrap_or(&send.claimed_at)
        ),
        "failed" => format!(
            "failed at {} (the next run sends it again)",
            send.finished_at.as_deref().unwrap_or(&send.claimed_at)
        ),
        "released" => "released (the next run sends it)".to_string(),
        _ => {
            let by = match holder_of(send) {
                Some(h) => {
                    let state = match alive(&h) {
                        Some(true) => "running",
                        Some(false) => "gone",
                        None => "on another host",
                    };
                    format!("process {} on {} ({state})", h.pid, h.host)
                }
                None => "an unknown process".to_string(),
            };
            format!(
                "being sent by {by} since {}, held until {}",
                send.claimed_at,
                send.lease_until.as_deref().unwrap_or("(no lease)")
            )
        }
    };
    if send.attempts > 0 {
        text.push_str(&format!(", {} attempts", send.attempts));
    }
    if let Some(error) = send.last_error.as_deref().filter(|_| send.state != "sent") {
        text.push_str(&format!(", last error: {error}"));
    }
    text
}

/// What claiming a message found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claimed {
    /// This run holds the claim and sends the message.
    Won,
    /// The SMTP server already accepted this week's message to the address.
    AlreadySent,
    /// Another live process holds the claim; in words.
    HeldElsewhere(String),
}

/// The claims of one run of one week: taken for this process, renewed in the
/// background while the run lasts, and no longer renewed once it is dropped.
pub struct Claims {
    pool: SqlitePool,
    week: String,
    holder: Holder,
    lease: Duration,
    renewal: tokio::task::JoinHandle<()>,
}

impl Claims {
    /// Starts holding claims of `week` for this process with leases of `lease`.
    pub fn start(pool: &SqlitePool, week: &str, lease: Duration) -> Claims {
        let holder = this_process();
        let lease = lease.max(Duration::from_secs(3));
        let renewal = {
            let (pool, week, holder) = (pool.clone(), week.to_string(), holder.clone());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(lease / 3).await;
                    if let Err(e) = db::digest::renew(&pool, &week, &holder, &until(lease)).await {
                        tracing::warn!(%week, "renewing the digest's claims: {e}");
                    }
                }
            })
        };
        Claims {
            pool: pool.clone(),
            week: week.to_string(),
            holder,
            lease,
            renewal,
        }
    }

    /// Claims the week's message to `recipient`, first releasing a claim whose holder
    /// is known to be gone.
    pub async fn claim(&self, recipient: &str, kind: &str) -> sqlx::Result<Claimed> {
        let existing = db::digest::send(&self.pool, &self.week, recipient).await?;
        if let Some(send) = existing.filter(|s| s.state == "sending")
            && let Some(holder) = holder_of(&send)
            && holder != self.holder
            && alive(&holder) == Some(false)
            && db::digest::release_from(&self.pool, &self.week, recipient, &holder).await?
        {
            tracing::info!(week = %self.week, %recipient, pid = holder.pid, "released a digest claim whose process is gone");
        }
        let won = db::digest::claim(
            &self.pool,
            &self.week,
            recipient,
            kind,
            &self.holder,
            &db::now(),
            &until(self.lease),
        )
        .await?;
        if won {
            return Ok(Claimed::Won);
        }
        Ok(
            match db::digest::send(&self.pool, &self.week, recipient).await? {
                Some(send) if send.state == "sent" => Claimed::AlreadySent,
                Some(send) => Claimed::HeldElsewhere(describe(&send)),
                // Gone between the two statements: rows are never deleted, so this
                // cannot happen; say what is known.
                None => Claimed::HeldElsewhere("claimed by another process".to_string()),
            },
        )
    }
}

impl Drop for Claims {
    fn drop(&mut self) {
        self.renewal.abort();
    }
}

/// The end of a lease of `lease` starting now, as stored.
fn until(lease: Duration) -> String {
    let lease = jiff::SignedDuration::try_from(lease).unwrap_or(jiff::SignedDuration::from_mins(2));
    let at = Timestamp::now()
        .checked_add(lease)
        .unwrap_or(Timestamp::MAX);
    Timestamp::from_second(at.as_second())
        .unwrap_or(at)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_is_alive_and_a_process_that_never_was_is_not() {
        let me = this_process();
        assert_eq!(alive(&me), Some(true));
        let gone = Holder {
            pid: i64::from(i32::MAX),
            host: me.host.clone(),
        };
        assert_eq!(alive(&gone), Some(false));
        let elsewhere = Holder {
            pid: 1,
            host: format!("{}-elsewhere", me.host),
        };
        assert_eq!(alive(&elsewhere), None);
    }
}
