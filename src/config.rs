//! Configuration: command-line flags, then `AFTERMATH_*` environment variables (both
//! read by clap), then an optional `aftermath.toml`, then built-in defaults.
//!
//! Invariant: every setting is resolved in exactly that order of precedence, and an
//! unknown key in the file is an error (a typo must not silently do nothing).

use anyhow::Context;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The config file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "aftermath.toml";
/// The database used when none is configured: created on first use.
pub const DEFAULT_DATABASE: &str = "aftermath.db";
/// The folder imported when no path is given.
pub const DEFAULT_INCIDENTS: &str = "incidents";
/// Files larger than this are reported and skipped (5 MiB).
pub const DEFAULT_MAX_FILE_BYTES: u64 = 5 * 1024 * 1024;

/// The contents of `aftermath.toml`. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Path of the SQLite database.
    pub database: Option<PathBuf>,
    /// Folders (or files) imported by default.
    pub incidents: Option<Vec<PathBuf>>,
    /// Largest file imported, in bytes.
    pub max_file_bytes: Option<u64>,
    /// Import files that symlinks in the incidents folders point to outside those
    /// folders (default false: such links are skipped with a warning).
    pub allow_symlinks_outside: Option<bool>,
    /// An open action unchanged for more than this many days is stale (default 30).
    pub stale_days: Option<u32>,
    /// Files and folders inside the incidents folders that import, `serve --watch` and
    /// lint leave out: `.gitignore`-style patterns such as `["drafts/**", "*.tmp.md"]`.
    pub exclude: Option<Vec<String>>,
    /// The web server (`aftermath serve`).
    pub web: Option<WebConfig>,
    /// The weekly action-item digest (`[digest]`).
    pub digest: Option<DigestConfig>,
    /// What `aftermath lint` checks (`[lint]`).
    pub lint: Option<LintConfig>,
    /// How `aftermath new` writes a postmortem (`[new]`).
    pub new: Option<NewConfig>,
}

/// The `[lint]` table of `aftermath.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LintConfig {
    /// The rules checked (default: all). `aftermath lint` refuses an unknown name.
    pub require: Option<Vec<String>>,
}

/// The `[new]` table of `aftermath.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewConfig {
    /// A template file used instead of the built-in one.
    pub template: Option<PathBuf>,
    /// The zone the postmortem's times are written in, `UTC` or an IANA name; today's
    /// date is taken in it too. Without it: times in UTC, the date of the local zone.
    pub timezone: Option<String>,
}

/// The address `aftermath serve` listens on by default: loopback only.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The `[web]` table of `aftermath.toml`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    /// Address to listen on (default 127.0.0.1:8080).
    pub listen: Option<String>,
    /// Public URL of the site, used in links sent by email.
    pub base_url: Option<String>,
    /// Re-import files as they change.
    pub watch: Option<bool>,
    /// Ticket IDs turned into links: `[[web.tickets]] prefix = "OTG", url = "https://…/{id}"`.
    #[serde(default)]
    pub tickets: Vec<TicketLink>,
    /// Header carrying the user name set by a trusted reverse proxy (e.g. X-Forwarded-User).
    pub user_header: Option<String>,
    /// Addresses (or CIDR networks) of the reverse proxies whose user header is believed.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// Mark cookies Secure (set when the site is served over TLS).
    pub secure_cookies: Option<bool>,
    /// Allow writes without an identity; only honoured when listening on loopback.
    pub single_user: Option<bool>,
    /// Host names the server answers to besides `localhost` and IP addresses (the host
    /// of `base_url` is added); requests naming any other host are refused.
    #[serde(default)]
    pub public_hosts: Vec<String>,
    /// Let documents show images from other sites (default false: they would tell
    /// their owner who read the document).
    pub remote_images: Option<bool>,
    /// Serve `/metrics` (Prometheus text format) on this address, e.g. 127.0.0.1:9100
    /// (default: not served). Never on the site's own address.
    pub metrics_listen: Option<String>,
    /// Seconds `serve` waits for open requests after Ctrl-C or SIGTERM before it
    /// closes them and exits (default 10).
    pub shutdown_timeout_secs: Option<u64>,
    /// Seconds a client has to send a request's headers before its connection is
    /// closed (default 10).
    pub header_timeout_secs: Option<u64>,
}

/// How long `serve` waits for open requests when told to stop.
pub const DEFAULT_SHUTDOWN_TIMEOUT_SECS: u64 = 10;
/// How long a client has to send a request's headers.
pub const DEFAULT_HEADER_TIMEOUT_SECS: u64 = 10;

/// A ticket system: IDs that start with `prefix` followed by digits link to `url`, where
/// `{id}` is replaced by the ID.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct TicketLink {
    pub prefix: String,
    pub url: String,
}

impl TicketLink {
    /// The URL of `id` when it belongs to this ticket system.
    pub fn url_for(&self, id: &str) -> Option<String> {
        let rest = id.strip_prefix(self.prefix.as_str())?;
        let rest = rest.strip_prefix('-').unwrap_or(rest);
        (!rest.is_empty() && rest.chars().all(|c| c.is_ascii_digit()))
            .then(|| self.url.replace("{id}", id))
    }
}

/// The `[digest]` table: who gets the weekly digest, how, and when. Every key is
/// optional; `crate::digest::DigestSettings::resolve` applies the defaults.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DigestConfig {
    /// The web UI's public URL; every item links below it.
    pub base_url: Option<String>,
    /// The From address, e.g. `Aftermath <aftermath@example.org>`.
    pub from: Option<String>,
    /// Addresses that receive the team digest.
    pub recipients: Option<Vec<String>>,
    /// Owner names (as written in documents, any case) to their addresses.
    pub owners: Option<std::collections::BTreeMap<String, String>>,
    /// Mail domains an owner written as an address in a document may get a digest at
    /// (default: any). Others are named in the team digest instead.
    pub allowed_domains: Option<Vec<String>>,
    /// SMTP server in lettre's URL form; `--smtp-url`/`AFTERMATH_SMTP_URL` win.
    pub smtp_url: Option<String>,
    /// File holding the SMTP password; `AFTERMATH_SMTP_PASSWORD` wins.
    pub smtp_password_file: Option<PathBuf>,
    /// Accept any TLS certificate. Test-only: for a self-signed loopback server.
    pub smtp_accept_invalid_certs: Option<bool>,
    /// Send day: monday … sunday (default monday).
    pub weekday: Option<String>,
    /// Send time, HH:MM (default 09:00).
    pub time: Option<String>,
    /// IANA zone of the send time (default: the server's zone).
    pub timezone: Option<String>,
    /// An open action unchanged this many days is stale (default 30).
    pub stale_days: Option<i64>,
    /// Seconds to wait before each retry of a failed send (default 60, 300, 1800, 7200).
    pub retry_delays_secs: Option<Vec<u64>>,
}

impl FileConfig {
    /// Reads the config file: the given path must exist; without one, `aftermath.toml`
    /// in the working directory is read if present.
    pub fn load(path: Option<&Path>) -> anyhow::Result<(FileConfig, Option<PathBuf>)> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from(DEFAULT_CONFIG_FILE), false),
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => {
                return Ok((FileConfig::default(), None));
            }
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        };
        let config =
            toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        Ok((config, Some(path)))
    }
}

/// Settings shared by every command, fully resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    pub database: PathBuf,
    pub incidents: Vec<PathBuf>,
    pub max_file_bytes: u64,
    /// Follow symlinks out of the imported folders.
    pub allow_symlinks_outside: bool,
    /// Patterns of files the imports leave out of the folders they read.
    pub exclude: Vec<String>,
    /// An open action unchanged for more than this many days is stale.
    pub stale_days: u32,
}

impl Settings {
    /// Resolves settings from what flags/environment gave (`None` when absent) and the
    /// config file.
    pub fn resolve(
        database: Option<PathBuf>,
        max_file_bytes: Option<u64>,
        file: &FileConfig,
    ) -> Settings {
        Settings {
            database: database
                .or_else(|| file.database.clone())
                .unwrap_or_else(|| PathBuf::from(DEFAULT_DATABASE)),
            incidents: file
                .incidents
                .clone()
                .filter(|v| !v.is_empty())
                .unwrap_or_else(|| vec![PathBuf::from(DEFAULT_INCIDENTS)]),
            max_file_bytes: max_file_bytes
                .or(file.max_file_bytes)
                .unwrap_or(DEFAULT_MAX_FILE_BYTES),
            allow_symlinks_outside: file.allow_symlinks_outside.unwrap_or(false),
            exclude: file.exclude.clone().unwrap_or_default(),
            stale_days: file
                .stale_days
                .unwrap_or(crate::tracking::DEFAULT_STALE_DAYS),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_win_over_the_file_and_the_file_over_defaults() {
        let file: FileConfig =
            toml::from_str("database = \"from-file.db\"\nmax_file_bytes = 10\n").unwrap();
        let s = Settings::resolve(Some("flag.db".into()), None, &file);
        assert_eq!(s.database, PathBuf::from("flag.db"));
        assert_eq!(s.max_file_bytes, 10);
        let s = Settings::resolve(None, None, &FileConfig::default());
        assert_eq!(s.database, PathBuf::from(DEFAULT_DATABASE));
        assert_eq!(s.incidents, [PathBuf::from(DEFAULT_INCIDENTS)]);
    }

    #[test]
    fn unknown_keys_are_rejected() {
        assert!(toml::from_str::<FileConfig>("databse = \"x\"").is_err());
    }

    #[test]
    fn a_missing_default_file_is_fine_but_a_missing_named_file_is_not() {
        let dir = tempfile::tempdir().unwrap();
        assert!(FileConfig::load(Some(&dir.path().join("nope.toml"))).is_err());
    }
}
