//! Delivering digests: the SMTP URL, the message (multipart/alternative: text, then
//! HTML) and a small backend enum, SMTP in production and stdout for `--dry-run`.
//!
//! Invariant: the SMTP password is never logged or put in an error message, and a
//! connection without TLS is only ever made to a loopback address.

use super::compose::Rendered;
use anyhow::{Context, bail};
use lettre::message::{Mailbox, MultiPart, header};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::io::Write;
use std::net::IpAddr;
use std::time::Duration;

/// How the connection is secured, from the URL's scheme and `tls` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// `smtps://`: TLS from the first byte (port 465 by default).
    Wrapper,
    /// `smtp://…?tls=required`: STARTTLS or fail (port 587 by default).
    Required,
    /// `smtp://…?tls=opportunistic`: STARTTLS when offered (port 587 by default).
    Opportunistic,
    /// `smtp://…?tls=none` or no `tls`: plain text, loopback hosts only (port 25).
    None,
}

/// An SMTP URL in lettre's form, parsed.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    pub tls: TlsMode,
    pub host: String,
    pub port: u16,
    pub user: Option<String>,
    password: Option<String>,
    /// The name sent in EHLO, from the URL's path.
    pub hello_name: Option<String>,
}

// Written by hand so that the password never reaches a log line.
impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpUrl")
            .field("tls", &self.tls)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .finish()
    }
}

impl SmtpUrl {
    /// Parses `smtp://[user[:password]@]host[:port][/ehlo-name][?tls=required|opportunistic|none]`
    /// or `smtps://…`, refusing plain text to a host that is not loopback.
    pub fn parse(url: &str) -> anyhow::Result<SmtpUrl> {
        let (scheme, rest) = url
            .split_once("://")
            .context("the smtp url needs a scheme: smtp:// or smtps://")?;
        let (rest, query) = match rest.split_once('?') {
            Some((r, q)) => (r, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match rest.split_once('/') {
            Some((a, p)) => (a, p.trim_matches('/')),
            None => (rest, ""),
        };
        let (userinfo, hostport) = match authority.rsplit_once('@') {
            Some((u, h)) => (Some(u), h),
            None => (None, authority),
        };
        let (user, password) = match userinfo {
            Some(u) => match u.split_once(':') {
                Some((u, p)) => (Some(percent_decode(u)?), Some(percent_decode(p)?)),
                None => (Some(percent_decode(u)?), None),
            },
            None => (None, None),
        };
        let (host, port) = split_host_port(hostport)?;
        if host.is_empty() {
            bail!("the smtp url has no host");
        }
        let mut tls_param = None;
        for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("tls", v)) => tls_param = Some(v.to_ascii_lowercase()),
                _ => bail!("unknown smtp url parameter {pair:?} (only tls= is understood)"),
            }
        }
        let tls = match (scheme.to_ascii_lowercase().as_str(), tls_param.as_deref()) {
            ("smtps", None | Some("required" | "wrapper")) => TlsMode::Wrapper,
            ("smtp", Some("required")) => TlsMode::Required,
            ("smtp", Some("opportunistic")) => TlsMode::Opportunistic,
            ("smtp", None | Some("none")) => TlsMode::None,
            (scheme, tls) => bail!(
                "unsupported smtp url: scheme {scheme:?} with tls={}",
                tls.unwrap_or("")
            ),
        };
        if tls != TlsMode::Required && tls != TlsMode::Wrapper && !is_loopback(&host) {
            bail!(
                "refusing to send mail to {host} without TLS: use smtps:// or ?tls=required \
                 (plain text is allowed to loopback addresses only)"
            );
        }
        let port = port.unwrap_or(match tls {
            TlsMode::Wrapper => 465,
            TlsMode::Required | TlsMode::Opportunistic => 587,
            TlsMode::None => 25,
        });
        Ok(SmtpUrl {
            tls,
            host,
            port,
            user: user.filter(|u| !u.is_empty()),
            password,
            hello_name: (!path.is_empty()).then(|| path.to_string()),
        })
    }

    /// True when the URL itself carries a password.
    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }
}

fn split_host_port(hostport: &str) -> anyhow::Result<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = hostport.strip_prefix('[') {
        let (host, after) = rest
            .split_once(']')
            .context("unclosed [ in the smtp host")?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    let port = match port {
        Some(p) => Some(p.parse().with_context(|| format!("bad smtp port {p:?}"))?),
        None => None,
    };
    Ok((host.to_ascii_lowercase(), port))
}

/// The user info of the SMTP URL decoded. `percent-encoding` passes a malformed escape
/// through as written; a typo in a password is refused here instead, as before.
fn percent_decode(s: &str) -> anyhow::Result<String> {
    let well_formed = s.split('%').skip(1).all(|after| {
        after
            .as_bytes()
            .get(..2)
            .is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit))
    });
    anyhow::ensure!(well_formed, "bad %-escape in the smtp url");
    Ok(percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .context("the smtp url's user info is not UTF-8")?
        .into_owned())
}

/// True for `localhost` and loopback IP addresses.
pub fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Everything needed to reach the SMTP server.
#[derive(Clone)]
pub struct SmtpSettings {
    pub url: SmtpUrl,
    /// From `AFTERMATH_SMTP_PASSWORD` or `smtp_password_file`; wins over the URL's.
    pub password: Option<String>,
    /// Accept any server certificate. For tests against a self-signed server only.
    pub accept_invalid_certs: bool,
    /// Gives up on a connection or command after this long.
    pub timeout: Duration,
}

impl std::fmt::Debug for SmtpSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSettings")
            .field("url", &self.url)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("accept_invalid_certs", &self.accept_invalid_certs)
            .finish()
    }
}

/// Builds the lettre transport for these settings.
pub fn transport(s: &SmtpSettings) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
    let url = &s.url;
    let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(url.host.clone())
        .port(url.port)
        .timeout(Some(s.timeout));
    if url.tls != TlsMode::None {
        let params = TlsParameters::builder(url.host.clone())
            .dangerous_accept_invalid_certs(s.accept_invalid_certs)
            .build()
            .context("setting up TLS for smtp")?;
        builder = builder.tls(match url.tls {
            TlsMode::Wrapper => Tls::Wrapper(params),
            TlsMode::Required => Tls::Required(params),
            _ => Tls::Opportunistic(params),
        });
    }
    if let Some(name) = &url.hello_name {
        builder = builder.hello_name(lettre::transport::smtp::extension::ClientId::Domain(
            name.clone(),
        ));
    }
    if let Some(user) = &url.user {
        let password = s
            .password
            .clone()
            .or_else(|| url.password.clone())
            .unwrap_or_default();
        builder = builder.credentials(Credentials::new(user.clone(), password));
    }
    Ok(builder.build())
}

/// One message to deliver.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The lowercased address: the key its send is recorded under.
    pub recipient: String,
    /// team | owner
    pub kind: &'static str,
    pub rendered: Rendered,
}

/// Builds the MIME message: From, To, Subject, Date, Message-ID and a
/// multipart/alternative body with the text part first.
pub fn message(from: &Mailbox, out: &Outgoing) -> anyhow::Result<Message> {
    let to: Mailbox = out
        .recipient
        .parse()
        .with_context(|| format!("bad recipient address {:?}", out.recipient))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(out.rendered.subject.clone())
        .message_id(None)
        .date_now()
        .header(header::MIME_VERSION_1_0)
        .multipart(MultiPart::alternative_plain_html(
            out.rendered.text.clone(),
            out.rendered.html.clone(),
        ))
        .context("building the digest message")
}

/// Where messages go.
pub enum Backend {
    /// A real SMTP server.
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
    /// Printed readably for `--dry-run` (the HTML part only when `html`); nothing is
    /// sent or recorded.
    Stdout { html: bool },
}

impl Backend {
    /// Delivers one message; the error is a one-line description fit for logs.
    /// Returns the Message-ID of what was sent.
    pub async fn send(&self, from: &Mailbox, out: &Outgoing) -> Result<Option<String>, String> {
        match self {
            Backend::Smtp(transport) => {
                let message = message(from, out).map_err(|e| format!("{e:#}"))?;
                let id = message
                    .headers()
                    .get_raw("Message-ID")
                    .map(|s| s.to_string());
                transport
                    .send(message)
                    .await
                    .map_err(|e| format!("smtp: {e}"))?;
                Ok(id)
            }
            Backend::Stdout { html } => {
                let mut stdout = std::io::stdout().lock();
                print_message(&mut stdout, from, out, *html).map_err(|e| e.to_string())?;
                Ok(None)
            }
        }
    }
}

/// The readable form `--dry-run` prints: headers, then the text part (and the HTML
/// part when `html`) under a marker.
pub fn print_message(
    w: &mut impl Write,
    from: &Mailbox,
    out: &Outgoing,
    html: bool,
) -> std::io::Result<()> {
    writeln!(w, "From: {from}")?;
    writeln!(w, "To: {}", out.recipient)?;
    writeln!(w, "Subject: {}", out.rendered.subject)?;
    writeln!(w, "X-Aftermath-Digest: {}", out.kind)?;
    writeln!(w)?;
    writeln!(w, "--- text/plain")?;
    writeln!(w, "{}", out.rendered.text.trim_end())?;
    if html {
        writeln!(w, "--- text/html")?;
        writeln!(w, "{}", out.rendered.html.trim_end())?;
    }
    writeln!(w, "--- end")?;
    writeln!(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starttls_url_with_user_and_default_port() {
        let u = SmtpUrl::parse("smtp://user@mail.example.org?tls=required").unwrap();
        assert_eq!(u.tls, TlsMode::Required);
        assert_eq!(u.host, "mail.example.org");
        assert_eq!(u.port, 587);
        assert_eq!(u.user.as_deref(), Some("user"));
        assert!(!u.has_password());
    }

    #[test]
    fn smtps_url_with_password_and_port() {
        let u = SmtpUrl::parse("smtps://me%40x.org:p%3Ass@mail.example.org:2465").unwrap();
        assert_eq!(u.tls, TlsMode::Wrapper);
        assert_eq!(u.port, 2465);
        assert_eq!(u.user.as_deref(), Some("me@x.org"));
        assert_eq!(u.password.as_deref(), Some("p:ss"));
        assert!(!format!("{u:?}").contains("p:ss"));
    }

    #[test]
    fn plain_text_is_refused_to_remote_hosts() {
        assert!(SmtpUrl::parse("smtp://mail.example.org:25?tls=none").is_err());
        assert!(SmtpUrl::parse("smtp://mail.example.org").is_err());
        assert!(SmtpUrl::parse("smtp://mail.example.org?tls=opportunistic").is_err());
        let u = SmtpUrl::parse("smtp://127.0.0.1:2525?tls=none").unwrap();
        assert_eq!((u.tls, u.port), (TlsMode::None, 2525));
        assert!(SmtpUrl::parse("smtp://[::1]:2525?tls=none").is_ok());
        assert!(SmtpUrl::parse("smtp://localhost").is_ok());
    }

    #[test]
    fn nonsense_urls_are_errors() {
        assert!(SmtpUrl::parse("mail.example.org").is_err());
        assert!(SmtpUrl::parse("http://mail.example.org").is_err());
        assert!(SmtpUrl::parse("smtp://mail.example.org?tls=maybe").is_err());
        assert!(SmtpUrl::parse("smtp://mail.example.org:notaport?tls=required").is_err());
    }
}
