//! Atom feeds (RFC 4287): `/feed.atom`, the postmortems imported most recently, and
//! `/actions/overdue.atom`, the open actions past their due date. Each has the feed's
//! id, title, updated time, author and self link, and each entry an id, a title, an
//! updated time, a link to its page and a summary.
//!
//! Invariant: every document string reaches the XML through askama's escaping, with
//! the characters XML 1.0 does not allow (control characters) removed first; links are
//! absolute, built from the Host the request was checked against (`host`).

use super::{AppError, AppState, format};
use crate::db::{actions, feeds};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/feed.atom", get(postmortems))
        .route("/actions/overdue.atom", get(overdue))
}

/// Entries in a feed at most.
const ENTRIES: i64 = 50;

/// Text without the characters XML 1.0 forbids (C0 controls but tab, line feed and
/// carriage return; U+FFFE and U+FFFF), which no escaping can make valid.
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{fffe}' && c != '\u{ffff}')
        })
        .collect()
}

/// `http://host` (or `https` on a site that says it is served over TLS).
fn base(state: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()))
        .unwrap_or("localhost");
    let scheme = if state.site.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{}", xml_text(host))
}

/// One entry of a feed.
pub struct Entry {
    pub id: String,
    pub title: String,
    pub updated: String,
    pub published: Option<String>,
    pub link: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "feed.xml")]
struct Feed {
    id: String,
    title: String,
    subtitle: String,
    updated: String,
    self_link: String,
    alternate: String,
    entries: Vec<Entry>,
}

fn atom(feed: &Feed) -> Result<Response, AppError> {
    Ok((
        [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
        feed.render()?,
    )
        .into_response())
}

/// The newest `updated` of the entries, or now for an empty feed.
fn newest(entries: &[Entry]) -> String {
    entries
        .iter()
        .map(|e| e.updated.clone())
        .max()
        .unwrap_or_else(crate::db::now)
}

async fn postmortems(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    let base = base(&state, &headers);
    let entries: Vec<Entry> = feeds::recent_imports(&state.pool, ENTRIES)
        .await?
        .into_iter()
        .map(|i| {
            let link = format!("{base}/incidents/{}", format::path_segment(&i.slug));
            let mut facts = Vec::new();
            if let Some(s) = &i.started {
                facts.push(format!("Started {s}"));
            }
            if let Some(s) = &i.severity {
                facts.push(format!("severity {s}"));
            }
            let mut summary = facts.join(", ");
            if let Some(s) = &i.summary {
                if !summary.is_empty() {
                    summary.push_str(". ");
                }
                summary.push_str(&crate::text::truncate(&crate::text::collapse(s), 600));
            }
            Entry {
                id: link.clone(),
                title: xml_text(&i.title),
                updated: i.updated_at,
                published: Some(i.imported_at),
                link,
                summary: xml_text(&summary),
            }
        })
        .collect();
    atom(&Feed {
        id: format!("{base}/feed.atom"),
        title: "Aftermath: new postmortems".into(),
        subtitle: "Postmortems as they are imported, newest first.".into(),
        updated: newest(&entries),
        self_link: format!("{base}/feed.atom"),
        alternate: format!("{base}/incidents"),
        entries,
    })
}

async fn overdue(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    let base = base(&state, &headers);
    let today = crate::tracking::today();
    let mut filter = actions::ActionFilter::new(today, state.site.stale_days).open();
    filter.overdue = true;
    filter.limit = Some(ENTRIES * 4);
    let entries: Vec<Entry> = actions::list(&state.pool, &filter)
        .await?
        .into_iter()
        .map(|a| {
            let link = format!("{base}/actions/{}", format::path_segment(&a.id));
            let summary = format!(
                "Due {}, {}; {} (incident: {}).",
                a.due.as_deref().unwrap_or("?"),
                a.owner
                    .as_deref()
                    .map(|o| format!("owner {o}"))
                    .unwrap_or_else(|| "no owner".into()),
                a.status.label(),
                a.incident_title
            );
            Entry {
                id: link.clone(),
                title: xml_text(&format!(
                    "Overdue since {}: {}",
                    a.due.as_deref().unwrap_or("?"),
                    crate::text::truncate(&crate::text::collapse(&a.text), 200)
                )),
                updated: a.updated_at,
                published: None,
                link,
                summary: xml_text(&summary),
            }
        })
        .collect();
    atom(&Feed {
        id: format!("{base}/actions/overdue.atom"),
        title: "Aftermath: overdue actions".into(),
        subtitle: "Open follow-up actions past their due date, the longest overdue first.".into(),
        updated: newest(&entries),
        self_link: format!("{base}/actions/overdue.atom"),
        alternate: format!("{base}/actions?overdue=1"),
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_forbids_are_removed() {
        assert_eq!(xml_text("a\u{7}b\tc\u{ffff}"), "ab\tc");
    }
}
