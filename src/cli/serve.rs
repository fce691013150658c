//! `aftermath serve`: the web UI's settings from flags, environment and the config
//! file, handed to [`crate::serve`].

use crate::config::{FileConfig, Settings};
use anyhow::Context;
use clap::Args;
use std::process::ExitCode;

/// Arguments of `aftermath serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default 127.0.0.1:8080).
    #[arg(long, env = "AFTERMATH_LISTEN", value_name = "ADDR")]
    pub listen: Option<String>,
    /// Re-import files as they change.
    #[arg(long, env = "AFTERMATH_WATCH")]
    pub watch: bool,
    /// Allow changes without signing in, recorded under the local user's name. Only
    /// allowed when listening on a loopback address.
    #[arg(long, env = "AFTERMATH_SINGLE_USER")]
    pub single_user: bool,
    /// Largest file imported, in bytes.
    #[arg(long, env = "AFTERMATH_MAX_FILE_BYTES", value_name = "BYTES")]
    pub max_file_bytes: Option<u64>,
    /// Serve /metrics (Prometheus text format) on this address, e.g. 127.0.0.1:9100
    /// (default: not served).
    #[arg(long, env = "AFTERMATH_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<String>,
    /// Seconds to wait for open requests after Ctrl-C or SIGTERM (default 10).
    #[arg(long, env = "AFTERMATH_SHUTDOWN_TIMEOUT", value_name = "SECS")]
    pub shutdown_timeout: Option<u64>,
}

/// Runs `aftermath serve`: the settings of the web UI from flags and the config file.
pub fn run(args: ServeArgs, settings: &Settings, file: &FileConfig) -> anyhow::Result<ExitCode> {
    let web = file.web.clone().unwrap_or_default();
    let listen = args
        .listen
        .or(web.listen.clone())
        .unwrap_or_else(|| crate::config::DEFAULT_LISTEN.to_string());
    let listen = listen
        .parse()
        .with_context(|| format!("--listen {listen}: expected an address like 127.0.0.1:8080"))?;
    let listen: std::net::SocketAddr = listen;
    let single_user = args.single_user || web.single_user.unwrap_or(false);
    if single_user && !listen.ip().is_loopback() {
        anyhow::bail!(
            "single-user mode lets anyone who can connect change actions; it is only allowed on a loopback address, not {listen}"
        );
    }
    let trusted_proxies = web
        .trusted_proxies
        .iter()
        .map(|p| p.parse::<crate::identity::TrustedProxy>())
        .collect::<Result<Vec<_>, _>>()?;
    let user_header = match &web.user_header {
        Some(h) => Some(
            axum::http::HeaderName::try_from(h.as_str())
                .with_context(|| format!("user_header \"{h}\" is not a header name"))?,
        ),
        None => None,
    };
    let metrics_listen = match args.metrics_listen.or(web.metrics_listen.clone()) {
        Some(a) => Some(a.parse::<std::net::SocketAddr>().with_context(|| {
            format!("--metrics-listen {a}: expected an address like 127.0.0.1:9100")
        })?),
        None => None,
    };
    let seconds = |s: u64| std::time::Duration::from_secs(s);
    let shutdown_timeout = seconds(
        args.shutdown_timeout
            .or(web.shutdown_timeout_secs)
            .unwrap_or(crate::config::DEFAULT_SHUTDOWN_TIMEOUT_SECS),
    );
    let header_timeout = seconds(
        web.header_timeout_secs
            .unwrap_or(crate::config::DEFAULT_HEADER_TIMEOUT_SECS)
            .max(1),
    );
    let digest = crate::digest::DigestSettings::resolve(file.digest.as_ref(), None)?;
    let options = crate::serve::ServeOptions {
        metrics_listen,
        shutdown_timeout,
        header_timeout,
        digest: digest.smtp.is_some().then_some(digest),
        listen,
        watch: args.watch || web.watch.unwrap_or(false),
        site: crate::web::Site {
            tickets: web.tickets.clone(),
            stale_days: file
                .stale_days
                .unwrap_or(crate::tracking::DEFAULT_STALE_DAYS),
            user_header,
            trusted_proxies,
            single_user: single_user.then(local_user),
            secure_cookies: web.secure_cookies.unwrap_or(false),
            public_hosts: public_hosts(&web, file.digest.as_ref()),
            remote_images: web.remote_images.unwrap_or(false),
        },
    };
    let runtime = super::runtime()?;
    let served = runtime.block_on(crate::serve::serve(settings, options));
    // Work still running on blocking threads (a folder snapshot, a related-incidents
    // computation) must not hold the exit past the shutdown deadline.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    served?;
    Ok(ExitCode::SUCCESS)
}

/// The names `serve` answers to besides `localhost` and IP addresses: the configured
/// ones and the hosts of the site's public URLs.
fn public_hosts(
    web: &crate::config::WebConfig,
    digest: Option<&crate::config::DigestConfig>,
) -> Vec<String> {
    let urls = [
        web.base_url.as_deref(),
        digest.and_then(|d| d.base_url.as_deref()),
    ];
    let from_urls = urls
        .into_iter()
        .flatten()
        .filter_map(crate::web::host::host_of_url);
    web.public_hosts.iter().cloned().chain(from_urls).collect()
}

/// The local user's name, for single-user mode.
fn local_user() -> String {
    std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "local".to_string())
}
