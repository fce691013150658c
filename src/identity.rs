//! Who is acting: user names, password hashes, session and API tokens, CSRF checks and
//! the trusted reverse-proxy header.
//!
//! Invariant: secrets never reach the database in the clear. Passwords are stored as
//! argon2 PHC strings; session and API tokens are 32 random bytes shown once and
//! stored only as their SHA-256. A proxy's user header and `X-Forwarded-For` count only
//! when the peer that sent them is one of the configured proxies. Pure apart from randomness and
//! CPU-heavy hashing: no SQL here (that is `db::accounts`).

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use subtle::ConstantTimeEq;

/// Shortest password accepted, in characters.
pub const MIN_PASSWORD_CHARS: usize = 8;
/// Longest user name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// A name or password that cannot be used, worded for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdentityError {
    /// The user name is empty, too long or has characters outside the allowed set.
    #[error(
        "\"{0}\" cannot be a user name. Use 1 to {MAX_NAME_CHARS} letters, digits and . _ - @ +."
    )]
    BadName(String),
    /// The password is shorter than [`MIN_PASSWORD_CHARS`].
    #[error("The password is too short: use at least {MIN_PASSWORD_CHARS} characters.")]
    ShortPassword,
    /// The password hash could not be computed (the system random source failed).
    #[error("The password could not be stored; please try again.")]
    Hashing,
}

/// A user name: 1 to 100 letters, digits and `. _ - @ +` (so e-mail addresses from a
/// single sign-on proxy fit), compared without regard to case in the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserName(String);

impl UserName {
    pub fn parse(raw: &str) -> Result<UserName, IdentityError> {
        let value = raw.trim();
        let ok = !value.is_empty()
            && value.chars().count() <= MAX_NAME_CHARS
            && value
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@' | '+'));
        if ok {
            Ok(UserName(value.to_string()))
        } else {
            let shown: String = raw
                .chars()
                .take(40)
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            Err(IdentityError::BadName(shown))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Hashes a password into an argon2id PHC string (`$argon2id$v=19$...`). CPU-heavy:
/// call it from a blocking task.
pub fn hash_password(password: &str) -> Result<String, IdentityError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(IdentityError::ShortPassword);
    }
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|_| IdentityError::Hashing)?;
    let salt = SaltString::encode_b64(&salt).map_err(|_| IdentityError::Hashing)?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| IdentityError::Hashing)
}

/// Whether `password` matches a PHC string from [`hash_password`]. A damaged hash
/// matches nothing. CPU-heavy: call it from a blocking task.
pub fn password_matches(phc: &str, password: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|hash| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &hash)
            .is_ok()
    })
}

/// A hash to verify against when the user does not exist, so a wrong name takes as
/// long as a wrong password and does not reveal which names exist.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a real password").unwrap_or_default())
}

/// A fresh secret token: 32 random bytes, base64 URL-safe without padding (43 chars).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    // The OS random source failing is not recoverable; issuing a predictable token
    // would be worse than stopping.
    getrandom::fill(&mut bytes).expect("the system random source is unavailable");
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What the database stores for a token: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    format!("{:x}", Sha256::digest(token.as_bytes()))
}

/// Compares two secrets in time that depends only on their lengths, so a CSRF token
/// cannot be guessed byte by byte from response times.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// One configured reverse proxy: an address or a network in CIDR form
/// (`127.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrustedProxy {
    addr: IpAddr,
    prefix: u8,
}

impl TrustedProxy {
    /// Whether `peer` is this proxy or inside this network. IPv4 peers seen as
    /// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) match IPv4 entries.
    pub fn contains(&self, peer: IpAddr) -> bool {
        match (self.addr, peer.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(p)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(p) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(p)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(p) & mask
            }
            _ => false,
        }
    }
}

/// A trusted-proxy entry that is not an address or a network.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("\"{0}\" is not a proxy address: give an IP address or a network such as 10.0.0.0/8")]
pub struct BadProxy(pub String);

impl FromStr for TrustedProxy {
    type Err = BadProxy;

    fn from_str(s: &str) -> Result<TrustedProxy, BadProxy> {
        let bad = || BadProxy(s.to_string());
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s.trim(), None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let addr = addr.to_canonical();
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.parse::<u8>().ok().filter(|p| *p <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(TrustedProxy { addr, prefix })
    }
}

impl From<IpAddr> for TrustedProxy {
    fn from(addr: IpAddr) -> TrustedProxy {
        let addr = addr.to_canonical();
        let prefix = if addr.is_ipv4() { 32 } else { 128 };
        TrustedProxy { addr, prefix }
    }
}

/// The user a reverse proxy vouches for in its header (e.g. `X-Forwarded-User`), but
/// only when the connection comes from one of the `trusted` proxies and the value is
/// a valid user name; otherwise nobody. Anyone can send the header; only a trusted
/// peer's word counts.
pub fn trusted_proxy_user(
    peer: IpAddr,
    header_value: Option<&str>,
    trusted: &[TrustedProxy],
) -> Option<UserName> {
    if !trusted.iter().any(|t| t.contains(peer)) {
        return None;
    }
    UserName::parse(header_value?).ok()
}

/// The address a request really comes from: the connection's `peer`, unless that peer
/// is one of the `trusted` proxies, in which case the `X-Forwarded-For` chain is walked
/// from the right (the hops our own proxies appended) to the first address that is not
/// a trusted proxy. Entries left of that are the client's own claims and are ignored,
/// so a client cannot pick the address it is counted under. An unreadable entry stops
/// the walk at the proxy that passed it on.
pub fn client_ip(peer: IpAddr, forwarded_for: &[&str], trusted: &[TrustedProxy]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|t| t.contains(ip));
    let mut client = peer.to_canonical();
    if !is_trusted(client) {
        return client;
    }
    let hops = forwarded_for
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|h| !h.is_empty());
    for hop in hops.rev() {
        let Ok(ip) = hop.parse::<IpAddr>() else {
            return client;
        };
        client = ip.to_canonical();
        if !is_trusted(client) {
            return client;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_names_allow_email_addresses_but_not_spaces_or_control_characters() {
        assert!(UserName::parse("ihor.o@example.org").is_ok());
        assert_eq!(UserName::parse(" ada ").unwrap().as_str(), "ada");
        for bad in ["", "a b", "x\u{0}", "<script>", &"n".repeat(101)] {
            assert!(UserName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn passwords_hash_to_phc_strings_that_verify() {
        let phc = hash_password("correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$"));
        assert!(password_matches(&phc, "correct horse"));
        assert!(!password_matches(&phc, "correct horsE"));
        assert!(!password_matches("garbage", "correct horse"));
        assert_eq!(hash_password("short"), Err(IdentityError::ShortPassword));
    }

    #[test]
    fn tokens_are_random_url_safe_and_stored_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(
            a.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &b));
        assert!(!constant_time_eq(&a, &a[..42]));
    }

    #[test]
    fn only_trusted_peers_may_name_the_user() {
        let trusted: Vec<TrustedProxy> = ["127.0.0.1", "10.0.0.0/8", "fd00::/8"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let user = |peer: &str, v: Option<&str>| {
            trusted_proxy_user(ip(peer), v, &trusted).map(|u| u.as_str().to_string())
        };
        assert_eq!(user("127.0.0.1", Some("ada")), Some("ada".into()));
        assert_eq!(user("10.20.30.40", Some("ada")), Some("ada".into()));
        assert_eq!(user("::ffff:10.1.2.3", Some("ada")), Some("ada".into()));
        assert_eq!(user("fd12::1", Some("ada")), Some("ada".into()));
        assert_eq!(user("192.168.1.5", Some("ada")), None);
        assert_eq!(user("11.0.0.1", Some("ada")), None);
        assert_eq!(user("127.0.0.1", None), None);
        assert_eq!(user("127.0.0.1", Some("bad name")), None);
        assert!("10.0.0.0/33".parse::<TrustedProxy>().is_err());
        assert!("proxy.local".parse::<TrustedProxy>().is_err());
        let everyone: TrustedProxy = "0.0.0.0/0".parse().unwrap();
        assert!(everyone.contains(ip("8.8.8.8")));
    }

    #[test]
    fn the_client_address_is_the_peer_unless_a_trusted_proxy_forwarded_it() {
        let trusted: Vec<TrustedProxy> = ["127.0.0.1", "10.0.0.0/8"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let client = |peer: &str, xff: &[&str]| client_ip(ip(peer), xff, &trusted);
        // An untrusted peer is the client, whatever it claims.
        assert_eq!(client("192.0.2.7", &["198.51.100.1"]), ip("192.0.2.7"));
        // A trusted proxy's word counts, but only the hop it appended.
        assert_eq!(client("127.0.0.1", &["198.51.100.1"]), ip("198.51.100.1"));
        assert_eq!(
            client("127.0.0.1", &["6.6.6.6, 198.51.100.1, 10.1.1.1"]),
            ip("198.51.100.1")
        );
        assert_eq!(
            client("127.0.0.1", &["6.6.6.6", "198.51.100.1"]),
            ip("198.51.100.1")
        );
        // Without a usable header the proxy itself is all we know.
        assert_eq!(client("127.0.0.1", &[]), ip("127.0.0.1"));
        assert_eq!(client("127.0.0.1", &["10.2.2.2"]), ip("10.2.2.2"));
        assert_eq!(client("10.3.3.3", &["unknown"]), ip("10.3.3.3"));
        assert_eq!(
            client("::ffff:127.0.0.1", &["::ffff:198.51.100.1"]),
            ip("198.51.100.1")
        );
    }
}
