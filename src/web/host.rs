//! The Host check: a request must name this server.
//!
//! A page on an attacker's domain can make a browser send requests to this server by
//! pointing its own name at 127.0.0.1 or a private address (DNS rebinding). The browser
//! then treats the answers as the attacker's: it can read every page and, in
//! single-user mode, post forms. Such requests still carry the attacker's name in
//! `Host`, so only names the server was told about are answered: `localhost`, IP
//! addresses (no other site can own those), and `[web] public_hosts` (with the host of
//! `base_url`).
//!
//! Invariant: every request passes here before the page cache and any handler; one
//! whose `Host` (or HTTP/2 authority) names another host gets a 400 page, never data.

use super::{AppError, AppState};
use axum::extract::Request;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use std::net::IpAddr;

/// The refusal of a request addressed to a name this server does not answer to;
/// `None` for every other request.
pub fn refusal(state: &AppState, request: &Request) -> Option<Response> {
    let named = request.uri().authority().map(|a| a.as_str()).or_else(|| {
        request
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
    });
    // No name at all (HTTP/1.0, or a test driving the router): nothing a browser sends.
    let named = named?;
    if answers_to(named, &state.site.public_hosts) {
        return None;
    }
    let shown: String = named.chars().take(100).collect();
    tracing::warn!(host = ?shown, "request for another host refused");
    Some(
        AppError::BadRequest(format!(
            "This server does not answer to the name \"{shown}\". If that is its public name, add it to public_hosts in the [web] section of aftermath.toml."
        ))
        .into_response(),
    )
}

/// Whether `authority` (`host`, `host:port`, `[v6]:port`) names this server.
pub fn answers_to(authority: &str, public_hosts: &[String]) -> bool {
    let host = host_of(authority);
    if host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse::<IpAddr>()
        .is_ok()
    {
        return true;
    }
    let host = host.trim_end_matches('.');
    host.eq_ignore_ascii_case("localhost")
        || public_hosts
            .iter()
            .any(|p| host_of(p).trim_end_matches('.').eq_ignore_ascii_case(host))
}

/// The host (with its port, if any) of an absolute URL such as a configured
/// `base_url`.
pub fn host_of_url(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let authority = authority.rsplit_once('@').map_or(authority, |(_, a)| a);
    (!authority.is_empty()).then(|| host_of(authority).to_string())
}

/// `authority` without its port.
fn host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority
            .find(']')
            .map_or(authority, |end| &authority[..=end]);
    }
    match authority.rsplit_once(':') {
        Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
        _ => authority,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_localhost_and_public_hosts_are_answered() {
        let public = ["postmortems.example.org".to_string()];
        for ok in [
            "127.0.0.1:8080",
            "127.0.0.1",
            "[::1]:8080",
            "10.1.2.3:80",
            "localhost:8080",
            "LOCALHOST",
            "localhost.",
            "postmortems.example.org",
            "Postmortems.Example.org:443",
        ] {
            assert!(answers_to(ok, &public), "{ok}");
        }
    }

    #[test]
    fn other_names_are_refused_whatever_they_resolve_to() {
        let public = ["postmortems.example.org".to_string()];
        for refused in [
            "attacker.example",
            "attacker.example:8080",
            "127.0.0.1.attacker.example",
            "localhost.attacker.example",
            "postmortems.example.org.attacker.example",
            "evil-localhost",
            "",
        ] {
            assert!(!answers_to(refused, &public), "{refused}");
        }
        assert!(!answers_to("postmortems.example.org", &[]));
    }

    #[test]
    fn the_host_of_a_base_url_is_its_name_without_port_or_path() {
        assert_eq!(
            host_of_url("https://pm.example.org:8443/aftermath/").as_deref(),
            Some("pm.example.org")
        );
        assert_eq!(host_of_url("http://[::1]:8080").as_deref(), Some("[::1]"));
        assert_eq!(host_of_url("pm.example.org"), None);
    }
}
