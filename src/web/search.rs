//! Full-text search over every postmortem.

use super::query::LenientQuery;
use super::views::IncidentItem;
use super::{AppError, AppState, format, page};
use crate::db::browse;
use crate::render::{self, SafeHtml};
use crate::search::Query as SearchQuery;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use serde::Deserialize;

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

const PER_PAGE: i64 = 20;
const SNIPPET_CHARS: usize = 240;

#[derive(Debug, Default, Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    page: Option<String>,
}

/// One result as shown.
pub struct ResultView {
    pub incident: IncidentItem,
    pub snippet: SafeHtml,
}

/// An active filter: what it says and the search without it.
pub struct Chip {
    pub label: String,
    pub href: String,
}

/// A facet value: label, link that adds it to the query, count.
pub struct FacetView {
    pub label: String,
    pub href: String,
    pub count: i64,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    title: String,
    q: String,
    searched: bool,
    results: Vec<ResultView>,
    total: i64,
    more: bool,
    facet_sample: i64,
    notes: Vec<String>,
    chips: Vec<Chip>,
    years: Vec<FacetView>,
    systems: Vec<FacetView>,
    tags: Vec<FacetView>,
    /// The link adding `status:open`, unless the query has it.
    open_href: Option<String>,
    prev_href: Option<String>,
    next_href: Option<String>,
}

fn href(q: &str, page: i64) -> String {
    if page > 1 {
        format!("/search?q={}&page={page}", format::query_value(q))
    } else {
        format!("/search?q={}", format::query_value(q))
    }
}

/// A window of about [`SNIPPET_CHARS`] characters of `text` around the first word
/// that starts with one of `words`, cut at character boundaries of `text` and, inside
/// the text, at whitespace on both ends, so no word is cut in half.
fn snippet(text: &str, words: &[String]) -> String {
    let pos = render::first_word_match(text, words).unwrap_or(0);
    let mut start = text[..pos]
        .char_indices()
        .rev()
        .nth(SNIPPET_CHARS / 3 - 1)
        .map_or(0, |(i, _)| i);
    // Start at a word.
    if start > 0
        && let Some(space) = text[start..pos].find(char::is_whitespace)
    {
        start += space + 1;
    }
    let mut end = text[start..]
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(i, _)| start + i);
    // End at a word: back to the last whitespace, unless that would cut the match off.
    if end < text.len()
        && !text[end..].starts_with(char::is_whitespace)
        && let Some(space) = text[start..end].rfind(char::is_whitespace)
        && start + space > pos
    {
        end = start + space;
    }
    let mut s = text[start..end]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if start > 0 {
        s.insert_str(0, "… ");
    }
    if end < text.len() {
        s.push_str(" …");
    }
    s
}

/// One hit's snippet. Cutting and highlighting are pure functions of the text, tested
/// over hostile Unicode; should one still fail on some document, that hit shows no
/// snippet and the page (every other hit) is served.
fn hit_snippet(text: &str, words: &[String]) -> SafeHtml {
    std::panic::catch_unwind(|| render::highlight(&snippet(text, words), words)).unwrap_or_else(
        |_| {
            tracing::error!("search snippet failed; the hit is shown without one");
            SafeHtml::default()
        },
    )
}

async fn search(
    State(state): State<AppState>,
    LenientQuery(params): LenientQuery<SearchParams>,
) -> Result<Html<String>, AppError> {
    let q = params.q.unwrap_or_default();
    let query = SearchQuery::parse(&q);
    let mut notes = query.notes.clone();
    if query.truncated {
        notes.push(format!(
            "The query was long; only its first {} characters were used.",
            crate::search::MAX_QUERY_CHARS
        ));
    }
    let page_no = params
        .page
        .and_then(|p| p.parse::<i64>().ok())
        .filter(|p| (1..=500).contains(p))
        .unwrap_or(1);
    let searched = !query.is_empty();
    let results = if searched {
        match browse::search(
            &state.pool,
            &state.cache.search,
            &query,
            (page_no - 1) * PER_PAGE,
            PER_PAGE,
        )
        .await
        {
            Ok(r) => r,
            Err(e) => {
                // The expression is always well-formed, but an FTS5 limit (say, too
                // complex a query) must still give a message, not an error page.
                tracing::warn!(error = %e, "search failed");
                notes.push("That search could not be run. Try fewer or simpler terms.".into());
                browse::SearchResults::default()
            }
        }
    } else {
        if !q.trim().is_empty() && notes.is_empty() {
            notes.push("Nothing to search for: type a word, a \"phrase\" or a prefix*.".into());
        }
        browse::SearchResults::default()
    };
    let words = query.highlight_words();
    let mut views = Vec::with_capacity(results.hits.len());
    for hit in results.hits {
        let first_match = |text: &str| render::first_word_match(text, &words);
        let text = hit.snippet_text(
            |summary| words.is_empty() || first_match(summary).is_some(),
            first_match,
        );
        views.push(ResultView {
            snippet: hit_snippet(&text, &words),
            incident: hit.summary.into(),
        });
    }
    // A value already filtered on is a chip, not offered again.
    let facet = |values: Vec<(String, i64)>, key: &str| -> Vec<FacetView> {
        values
            .into_iter()
            .filter_map(|(v, n)| {
                let added = crate::search::with_filter(&q, key, &v);
                (added != q.trim()).then(|| FacetView {
                    href: href(&added, 1),
                    label: v,
                    count: n,
                })
            })
            .collect()
    };
    let chips = crate::search::filter_chips(&q)
        .into_iter()
        .map(|(label, rest)| Chip {
            label,
            href: if rest.is_empty() {
                "/search".to_string()
            } else {
                href(&rest, 1)
            },
        })
        .collect();
    let pages = (results.total + PER_PAGE - 1) / PER_PAGE;
    page(&SearchPage {
        title: if searched {
            format!("Search: {q}")
        } else {
            "Search".into()
        },
        searched,
        total: results.total,
        more: results.more,
        facet_sample: browse::FACET_SAMPLE,
        results: views,
        notes,
        years: facet(results.facets.years, "year"),
        systems: facet(results.facets.systems, "system"),
        tags: facet(results.facets.tags, "tag"),
        open_href: (!query.open_actions)
            .then(|| href(&crate::search::with_filter(&q, "status", "open"), 1)),
        chips,
        prev_href: (page_no > 1).then(|| href(&q, page_no - 1)),
        next_href: (page_no < pages).then(|| href(&q, page_no + 1)),
        q,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_centre_on_the_first_match() {
        let text = format!("{} kafka broke {}", "a ".repeat(200), "b ".repeat(200));
        let s = snippet(&text, &["kafka".into()]);
        assert!(s.contains("kafka"));
        assert!(s.starts_with('…') && s.ends_with('…'));
    }

    #[test]
    fn snippets_cut_at_characters_whatever_the_case_changes() {
        for filler in ["\u{212a}€ȺȺİẞ ", "é", "ẞ", "\u{212a}"] {
            let text = format!("{} outage {}", filler.repeat(150), filler.repeat(150));
            let s = snippet(&text, &["outage".into()]);
            assert!(s.contains("outage"), "{s}");
            assert!(s.chars().count() <= SNIPPET_CHARS + 4, "{s}");
        }
        let s = snippet("\u{212a} €outage ȺȺ", &["outage".into()]);
        assert_eq!(s, "\u{212a} €outage ȺȺ");
    }

    #[test]
    fn snippets_end_at_a_word() {
        let text = format!("{} kafka {}", "lead ".repeat(10), "abcdefghij ".repeat(60));
        let s = snippet(&text, &["kafka".into()]);
        assert!(s.ends_with("abcdefghij …"), "{s}");
        let words: Vec<&str> = s.trim_end_matches(" …").split(' ').collect();
        assert!(
            words
                .iter()
                .all(|w| *w == "lead" || *w == "kafka" || *w == "abcdefghij"),
            "{s}"
        );
    }

    /// The body is read only as far as a snippet needs, and the snippet is the one the
    /// whole body gives, wherever the match lies (before, across and after the reader's
    /// chunk boundaries, among characters of every byte length) and when there is none.
    #[test]
    fn snippets_read_part_of_a_long_body_and_are_the_same() {
        use crate::db::document::Stored;
        let words: Vec<String> = vec!["kafka".into(), "rebal".into()];
        let first = |t: &str| render::first_word_match(t, &words);
        let filler = "lag ȺẞẞX 𝔘𝔫 é\u{212a}  grew\n".repeat(1200);
        for at in
            (0..filler.len())
                .step_by(811)
                .chain([4090, 4096, 8190, filler.len() - 3, filler.len()])
        {
            let at = (at..=filler.len())
                .find(|&i| filler.is_char_boundary(i))
                .unwrap();
            for word in ["kafka", "Rebalancing", "(KAFKA)", "nothing"] {
                let body = format!("{} {word} {}", &filler[..at], &filler[at..]);
                let blob = Stored {
                    body: body.clone(),
                    ..Default::default()
                }
                .encode();
                let read = Stored::snippet_text(&blob, |_| false, first);
                assert!(body.starts_with(&read), "a prefix of the body, at {at}");
                assert_eq!(
                    snippet(&read, &words),
                    snippet(&body, &words),
                    "{word} at {at}"
                );
                if word != "nothing" && at < 20_000 {
                    assert!(read.len() < 30_000, "{word} at {at}: read {}", read.len());
                }
            }
        }
    }
}
