//! Query strings read leniently: a link someone pasted twice (`?year=2017&year=2018`) or
//! a parameter that does not decode still shows the page, never a bare 400.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use std::convert::Infallible;

/// Like `axum::extract::Query`, but a repeated key keeps its first value and a query that
/// still cannot be read gives `T::default()`, so the handler's own notes explain what
/// was ignored.
#[derive(Debug, Default)]
pub struct LenientQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for LenientQuery<T>
where
    T: DeserializeOwned + Default,
    S: Send + Sync,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Infallible> {
        Ok(LenientQuery(parse(parts.uri.query().unwrap_or(""))))
    }
}

fn parse<T: DeserializeOwned + Default>(raw: &str) -> T {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).unwrap_or_default();
    let mut first: Vec<(String, String)> = Vec::with_capacity(pairs.len());
    for (k, v) in pairs {
        if !first.iter().any(|(seen, _)| *seen == k) {
            first.push((k, v));
        }
    }
    serde_urlencoded::to_string(&first)
        .ok()
        .and_then(|q| serde_urlencoded::from_str(&q).ok())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Deserialize, PartialEq)]
    struct P {
        q: Option<String>,
    }

    #[test]
    fn repeated_keys_keep_the_first_value() {
        assert_eq!(parse::<P>("q=a&q=b").q.as_deref(), Some("a"));
        assert_eq!(parse::<P>("q=%FF&x=1").q.as_deref(), Some("\u{fffd}"));
        assert_eq!(parse::<P>("").q, None);
    }
}
