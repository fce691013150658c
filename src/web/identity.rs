//! Who is making a request, and the CSRF token their forms must carry.
//!
//! An identity comes from, in order: a session cookie (built-in accounts), a bearer API
//! token, a user header set by a trusted reverse proxy (only when the connection comes
//! from a configured proxy address), or single-user mode on a loopback-only server.
//! Every visitor gets a CSRF token: the session's, or a random one in an HttpOnly
//! cookie; a form post must echo it and, when the browser sends an Origin, come from
//! this site.
//!
//! Invariant: reading never needs an identity; every write checks [`Visitor::writer`]
//! and, for browser forms, [`Visitor::check_form`].

use super::{AppError, AppState};
use crate::db::accounts;
use crate::identity;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{HeaderMap, header, request::Parts};
use std::net::{IpAddr, SocketAddr};

/// The session cookie of built-in accounts.
pub const SESSION_COOKIE: &str = "aftermath_session";
/// The CSRF cookie of visitors without a session.
pub const CSRF_COOKIE: &str = "aftermath_csrf";

/// How the identity was established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session,
    Token,
    Proxy,
    SingleUser,
    Anonymous,
}

/// The person behind a request.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub user: Option<String>,
    pub via: Via,
    /// The token forms must carry.
    pub csrf: String,
    /// A CSRF cookie to set because the visitor had none.
    pub new_csrf_cookie: bool,
    /// Whether cookies get the Secure flag (the request came over TLS).
    pub secure: bool,
    pub session_token: Option<String>,
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
        .filter(|v| !v.is_empty() && v.len() <= 128)
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let site = &state.site;
        let headers = &parts.headers;
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        // Only a trusted proxy knows how the browser reached it; anyone else could
        // claim https to change how cookies and the Origin check treat them.
        let from_proxy = peer.is_some_and(|p| site.trusted_proxies.iter().any(|t| t.contains(p)));
        let secure = site.secure_cookies
            || from_proxy
                && headers
                    .get("x-forwarded-proto")
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
        let csrf_cookie = cookie(headers, CSRF_COOKIE).map(str::to_string);
        let anonymous_csrf = || {
            (
                csrf_cookie.clone().unwrap_or_else(identity::new_token),
                csrf_cookie.is_none(),
            )
        };

        if let Some(token) = cookie(headers, SESSION_COOKIE)
            && let Some((user, csrf)) = accounts::session_user(&state.pool, token).await?
        {
            return Ok(Visitor {
                user: Some(user.name),
                via: Via::Session,
                csrf,
                new_csrf_cookie: false,
                secure,
                session_token: Some(token.to_string()),
            });
        }
        if let Some(auth) = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            && let Some(token) = auth.strip_prefix("Bearer ")
        {
            let user = accounts::token_user(&state.pool, token.trim()).await?;
            return Ok(Visitor {
                user: user.map(|u| u.name),
                via: Via::Token,
                csrf: String::new(),
                new_csrf_cookie: false,
                secure,
                session_token: None,
            });
        }
        let (csrf, new_csrf_cookie) = anonymous_csrf();
        if let (Some(name), Some(peer)) = (&site.user_header, peer) {
            let value = headers.get(name).and_then(|v| v.to_str().ok());
            if let Some(user) = identity::trusted_proxy_user(peer, value, &site.trusted_proxies) {
                let user = accounts::ensure_user(&state.pool, &user)
                    .await
                    .map_err(|e| AppError::Forbidden(e.to_string()))?;
                return Ok(Visitor {
                    user: Some(user.name),
                    via: Via::Proxy,
                    csrf,
                    new_csrf_cookie,
                    secure,
                    session_token: None,
                });
            }
        }
        if let Some(name) = &site.single_user {
            return Ok(Visitor {
                user: Some(name.clone()),
                via: Via::SingleUser,
                csrf,
                new_csrf_cookie,
                secure,
                session_token: None,
            });
        }
        Ok(Visitor {
            user: None,
            via: Via::Anonymous,
            csrf,
            new_csrf_cookie,
            secure,
            session_token: None,
        })
    }
}

/// The address a request comes from: the connection's peer, or the client a trusted
/// proxy forwarded it for (see [`identity::client_ip`]). `None` when the server was
/// not started with connection info (tests driving the router directly).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub Option<IpAddr>);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Some(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
        else {
            return Ok(ClientAddr(None));
        };
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect();
        Ok(ClientAddr(Some(identity::client_ip(
            peer,
            &forwarded,
            &state.site.trusted_proxies,
        ))))
    }
}

impl Visitor {
    /// The name writes are recorded under; refuses visitors without an identity.
    pub fn writer(&self) -> Result<&str, AppError> {
        self.user.as_deref().ok_or(AppError::SignInRequired)
    }

    /// Checks a browser form post: the CSRF token must match, and a stated Origin must
    /// be this site: the same host, over http or https, and https when the site is known
    /// to be served over TLS (a page served over plain http, which anyone on the network
    /// can rewrite, must not post to the https site).
    pub fn check_form(&self, token: &str, headers: &HeaderMap) -> Result<(), AppError> {
        let refused = || {
            AppError::Forbidden(
            "This form has expired or did not come from this site. Reload the page and try again."
                .into(),
        )
        };
        if self.via == Via::Token {
            return Ok(());
        }
        if self.csrf.is_empty() || !identity::constant_time_eq(token, &self.csrf) {
            return Err(refused());
        }
        if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            let Some((scheme, origin_host)) = origin.split_once("://") else {
                return Err(refused());
            };
            let scheme_ok = match scheme.to_ascii_lowercase().as_str() {
                "https" => true,
                "http" => !self.secure,
                _ => false,
            };
            if !scheme_ok || Some(origin_host.trim_end_matches('/')) != host {
                return Err(refused());
            }
        }
        Ok(())
    }

    /// The Set-Cookie header value for a new CSRF cookie, if one is needed.
    pub fn csrf_set_cookie(&self) -> Option<String> {
        self.new_csrf_cookie.then(|| {
            format!(
                "{CSRF_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{}",
                self.csrf,
                if self.secure { "; Secure" } else { "" }
            )
        })
    }
}
