//! The web UI over a real SQLite file holding the five sample incidents (and, where
//! said, the hostile fixtures), driven in-process and read with CSS selectors.

use crate::support::{WebSite, attrs_of, encode, texts_of, web_site};
use proptest::prelude::*;
use scraper::{Html, Selector};

const AUXTEL: &str = "2022-12-06-auxtel-network-failure";
const CERNPHONE: &str = "2024-07-05-cernphone-outages";
const HOSTILE: [&str; 3] = [
    "2024-03-01-hostile-markdown",
    "2024-03-02-hostile-rst",
    "2024-03-03-hostile-text",
];

/// The samples only (the hostile fixtures would change every count).
async fn samples() -> WebSite {
    web_site(false).await
}

fn count(html: &Html, selector: &str) -> usize {
    html.select(&Selector::parse(selector).unwrap()).count()
}

/// The slugs linked from the incidents table, in order.
fn listed(html: &Html) -> Vec<String> {
    attrs_of(html, "table.list tbody tr td:nth-child(2) > a", "href")
        .into_iter()
        .map(|h| h.trim_start_matches("/incidents/").to_string())
        .collect()
}

/// The slugs linked from the search results, in order.
fn results(html: &Html) -> Vec<String> {
    attrs_of(html, "ol.results li h3 a", "href")
        .into_iter()
        .map(|h| h.trim_start_matches("/incidents/").to_string())
        .collect()
}

#[tokio::test]
async fn home_shows_every_incident_the_monthly_chart_and_top_systems() {
    let site = samples().await;
    let home = site.page("/").await;
    let counts = texts_of(&home, ".counts .count strong");
    assert_eq!(counts[0], "5", "{counts:?}");
    assert_eq!(count(&home, "ul.incidents li a[href^='/incidents/']"), 5);
    let recent = attrs_of(&home, "ul.incidents li a", "href");
    assert_eq!(recent[0], format!("/incidents/{CERNPHONE}"), "newest first");
    // One bar per month, labelled "YYYY-MM: n"; the newest months are in the chart.
    assert!(count(&home, "figure.chart svg rect.bar") >= 2);
    let bars = texts_of(&home, "figure.chart svg g > title");
    assert!(bars.contains(&"2024-07: 1".to_string()), "{bars:?}");
    assert!(bars.contains(&"2022-12: 1".to_string()), "{bars:?}");
    assert!(count(&home, "ul.systems li a[href^='/systems/']") >= 1);
}

#[tokio::test]
async fn incidents_list_is_newest_first_by_default() {
    let site = samples().await;
    let list = site.page("/incidents").await;
    let slugs = listed(&list);
    assert_eq!(slugs.len(), 5);
    assert_eq!(slugs[0], CERNPHONE);
    assert_eq!(slugs[4], "2017-10-12-hosted-graphite-network-disruption");
    let dates = texts_of(&list, "table.list tbody tr td:nth-child(1)");
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
}

#[tokio::test]
async fn year_filter_keeps_only_that_year() {
    let site = samples().await;
    let list = site.page("/incidents?year=2017").await;
    assert_eq!(
        listed(&list),
        [
            "2017-12-08-tacc-power-outage",
            "2017-10-12-hosted-graphite-network-disruption"
        ]
    );
    assert_eq!(
        texts_of(&list, "nav.filters a[aria-current]"),
        ["2017"],
        "the chosen year is marked"
    );
    // A bad year is ignored with a note, not an error.
    let bad = site.page("/incidents?year=soon").await;
    assert_eq!(listed(&bad).len(), 5);
    assert_eq!(count(&bad, "p.note"), 1);
}

#[tokio::test]
async fn system_filter_keeps_incidents_touching_that_system() {
    let site = samples().await;
    let list = site.page("/incidents").await;
    // Take the system filter the page offers first and follow it.
    let sel = Selector::parse("nav.filters h2 + ul a").unwrap();
    let systems: Vec<(String, String)> = list
        .select(&sel)
        .filter(|a| a.value().attr("href").unwrap().contains("system="))
        .map(|a| {
            (
                a.text().collect(),
                a.value().attr("href").unwrap().to_string(),
            )
        })
        .collect();
    assert!(!systems.is_empty(), "the list offers system filters");
    let (name, href) = &systems[0];
    let filtered = site.page(href).await;
    let rows = texts_of(&filtered, "table.list tbody tr td:nth-child(3)");
    assert!(!rows.is_empty() && rows.len() < 5, "{name}: {rows:?}");
    for systems in &rows {
        assert!(systems.contains(name.as_str()), "{name} in {systems}");
    }
    // The filter is named in the query, case-insensitively.
    let by_name = site
        .page(&format!(
            "/incidents?system={}",
            encode(&name.to_uppercase())
        ))
        .await;
    assert_eq!(listed(&by_name), listed(&filtered));
}

#[tokio::test]
async fn open_actions_filter_keeps_incidents_with_open_actions() {
    let site = samples().await;
    let all = site.page("/incidents").await;
    let open_counts = texts_of(&all, "table.list tbody tr td:nth-child(4)");
    let with_open = open_counts.iter().filter(|n| *n != "0").count();
    assert!(with_open > 0 && with_open < 5, "{open_counts:?}");
    let open = site.page("/incidents?open=1").await;
    let counts = texts_of(&open, "table.list tbody tr td:nth-child(4)");
    assert_eq!(counts.len(), with_open);
    assert!(counts.iter().all(|n| n != "0"), "{counts:?}");
    assert!(listed(&open).contains(&CERNPHONE.to_string()));
}

#[tokio::test]
async fn sorting_by_title_ascending_orders_rows_alphabetically() {
    let site = samples().await;
    let list = site.page("/incidents?sort=title&order=asc").await;
    let titles = texts_of(&list, "table.list tbody tr td:nth-child(2) > a");
    assert_eq!(titles.len(), 5);
    let mut sorted = titles.clone();
    sorted.sort_by_key(|t| t.to_lowercase());
    assert_eq!(titles, sorted);
    let desc = site.page("/incidents?sort=title&order=desc").await;
    let mut reversed = texts_of(&desc, "table.list tbody tr td:nth-child(2) > a");
    reversed.reverse();
    assert_eq!(reversed, titles);
    // The column header offers the opposite order next.
    let header = attrs_of(&list, "table.list thead th:nth-child(2) a", "href");
    assert_eq!(header, ["/incidents?sort=title&order=desc"]);
}

#[tokio::test]
async fn incident_page_shows_document_timeline_causes_and_actions() {
    let site = samples().await;
    let page = site.page(&format!("/incidents/{CERNPHONE}")).await;
    let h1 = texts_of(&page, "article.incident h1");
    assert!(h1[0].contains("CERNphone"), "{h1:?}");
    assert!(
        texts_of(&page, "section.document")[0].contains("Memory leak"),
        "the document itself is shown"
    );
    let sources = texts_of(&page, "aside.extracted ol.timeline li .source");
    let instants = texts_of(&page, "aside.extracted ol.timeline li .instant");
    assert!(sources.len() >= 3, "{sources:?}");
    assert_eq!(sources.len(), instants.len());
    assert!(
        sources.iter().any(|s| s.contains("05/07/2024 23:59")),
        "{sources:?}"
    );
    let causes = texts_of(&page, "section[aria-labelledby=causes-h] li");
    assert!(
        causes.iter().any(|c| c.contains("Memory leak")),
        "{causes:?}"
    );
    let actions = texts_of(&page, "aside.extracted ul.actions li");
    assert!(actions.len() >= 3, "{actions:?}");
    assert!(
        actions.iter().any(|a| a.contains("monitoring")),
        "{actions:?}"
    );
    assert!(count(&page, "ul.actions li.status-done") >= 2);
}

#[tokio::test]
async fn each_timeline_entry_says_on_hover_which_rule_took_it() {
    let site = samples().await;
    let page = site.page("/incidents/2017-12-08-tacc-power-outage").await;
    let titles = attrs_of(&page, "ol.timeline li .source", "title");
    assert!(!titles.is_empty());
    for t in &titles {
        assert!(t.starts_with("as written, line "), "{t}");
        assert!(
            t.contains("; timeline: ") || t.contains("; narrative: "),
            "{t}"
        );
    }
    assert!(
        titles
            .iter()
            .any(|t| t.contains("zone stated for the whole document")),
        "{titles:?}"
    );
}

#[tokio::test]
async fn timeline_shows_original_text_beside_the_utc_instant() {
    let site = samples().await;
    let page = site
        .page("/incidents/2017-10-12-hosted-graphite-network-disruption")
        .await;
    let entries = texts_of(&page, "ol.timeline li .when");
    let utc: Vec<&String> = entries.iter().filter(|e| e.ends_with(" UTC")).collect();
    assert!(!utc.is_empty(), "{entries:?}");
    let sources = texts_of(&page, "ol.timeline li .source");
    let instants = texts_of(&page, "ol.timeline li .instant");
    let pair = sources
        .iter()
        .zip(&instants)
        .find(|(s, _)| s.contains("16:13"))
        .unwrap_or_else(|| panic!("an entry written 16:13: {sources:?}"));
    assert_eq!(pair.1, "2017-10-12 16:13 UTC", "{pair:?}");
    // TACC's times are written in US Central time; the instant is converted.
    let tacc = site.page("/incidents/2017-12-08-tacc-power-outage").await;
    let sources = texts_of(&tacc, "ol.timeline li .source");
    let instants = texts_of(&tacc, "ol.timeline li .instant");
    let i = sources
        .iter()
        .position(|s| s == "2017-12-08 2:45pm")
        .unwrap_or_else(|| panic!("{sources:?}"));
    assert_eq!(instants[i], "2017-12-08 20:45 UTC");
    // Without a stated zone the wall time is shown and no offset is invented.
    let cern = site.page(&format!("/incidents/{CERNPHONE}")).await;
    let instants = texts_of(&cern, "ol.timeline li .instant");
    assert!(
        instants.iter().all(|i| i.ends_with("(no zone stated)")),
        "{instants:?}"
    );
}

/// The related incidents of `slug`: (slug, reason), best first.
async fn related(site: &WebSite, slug: &str) -> Vec<(String, String)> {
    let page = site.page(&format!("/incidents/{slug}")).await;
    let links = attrs_of(&page, ".related ol li > a", "href");
    let reasons = texts_of(&page, ".related ol li .reason");
    assert_eq!(links.len(), reasons.len());
    links
        .into_iter()
        .map(|h| h.trim_start_matches("/incidents/").to_string())
        .zip(reasons)
        .collect()
}

#[tokio::test]
async fn auxtel_and_cernphone_are_each_others_first_related_incident() {
    let site = samples().await;
    for (from, to) in [(AUXTEL, CERNPHONE), (CERNPHONE, AUXTEL)] {
        let rows = related(&site, from).await;
        assert!(!rows.is_empty(), "{from} has related incidents");
        let (first, reason) = &rows[0];
        assert_eq!(first, to, "{from}: {rows:?}");
        let reason = reason.to_lowercase();
        assert!(
            reason.contains("ip conflict") || reason.contains("ip address conflict"),
            "{from} -> {to}: {reason}"
        );
    }
}

#[tokio::test]
async fn search_finds_a_word_and_highlights_it() {
    let site = samples().await;
    let page = site.page("/search?q=kamailio").await;
    assert_eq!(results(&page), [CERNPHONE]);
    let marks = texts_of(&page, "ol.results li .snippet mark");
    assert!(!marks.is_empty());
    assert!(
        marks.iter().all(|m| m.eq_ignore_ascii_case("kamailio")),
        "{marks:?}"
    );
    assert_eq!(texts_of(&page, "#results-h"), ["1 incident"]);
    // The query stays in the box.
    assert_eq!(attrs_of(&page, "input#q", "value"), ["kamailio"]);
}

#[tokio::test]
async fn search_matches_phrases_only_in_order() {
    let site = samples().await;
    let phrase = site
        .page(&format!("/search?q={}", encode("\"same IP\"")))
        .await;
    assert!(
        results(&phrase).contains(&AUXTEL.to_string()),
        "{:?}",
        results(&phrase)
    );
    let reversed = site
        .page(&format!("/search?q={}", encode("\"IP same\"")))
        .await;
    assert!(results(&reversed).is_empty(), "{:?}", results(&reversed));
}

#[tokio::test]
async fn search_matches_prefixes() {
    let site = samples().await;
    let page = site.page(&format!("/search?q={}", encode("kamail*"))).await;
    assert_eq!(results(&page), [CERNPHONE]);
    let marks = texts_of(&page, "ol.results li .snippet mark");
    assert!(
        marks.iter().any(|m| m.eq_ignore_ascii_case("kamailio")),
        "{marks:?}"
    );
}

#[tokio::test]
async fn search_facets_count_matches_and_system_filter_narrows() {
    let site = samples().await;
    let page = site.page("/search?q=network").await;
    let all = results(&page);
    assert!(all.len() >= 2, "{all:?}");
    // Year facets count the matching incidents.
    let sel = Selector::parse("nav.filters li").unwrap();
    let mut year_total = 0;
    let mut system_facets = Vec::new();
    for li in page.select(&sel) {
        let a = li.select(&Selector::parse("a").unwrap()).next().unwrap();
        let href = a.value().attr("href").unwrap().to_string();
        let label: String = a.text().collect();
        let Some(n) = li
            .select(&Selector::parse(".meta").unwrap())
            .next()
            .map(|m| {
                m.text()
                    .collect::<String>()
                    .trim()
                    .parse::<usize>()
                    .unwrap()
            })
        else {
            continue;
        };
        if href.contains("year%3A") {
            year_total += n;
        }
        if href.contains("system%3A") {
            system_facets.push((label, href, n));
        }
    }
    assert_eq!(year_total, all.len(), "every dated match counted once");
    assert!(!system_facets.is_empty(), "system facets offered");
    let (label, href, n) = &system_facets[0];
    let narrowed = site.page(href).await;
    let kept = results(&narrowed);
    assert_eq!(kept.len(), *n, "{label}: {kept:?}");
    assert!(kept.iter().all(|s| all.contains(s)));
    // The same filter typed by hand.
    let typed = site
        .page(&format!(
            "/search?q={}",
            encode(&format!("network system:\"{label}\""))
        ))
        .await;
    assert_eq!(results(&typed), kept);
}

#[tokio::test]
async fn search_with_only_a_filter_lists_matching_incidents() {
    let site = samples().await;
    let page = site.page("/search?q=year%3A2017").await;
    let mut slugs = results(&page);
    slugs.sort();
    assert_eq!(
        slugs,
        [
            "2017-10-12-hosted-graphite-network-disruption",
            "2017-12-08-tacc-power-outage"
        ]
    );
}

#[tokio::test]
async fn odd_search_input_gets_a_page_not_an_error() {
    let site = samples().await;
    let long = "network ".repeat(1300);
    let inputs = [
        "\"",
        "*",
        "NEAR(",
        "-",
        "--",
        "a AND OR NOT",
        "^x",
        "col:umn",
        "system:",
        "year:abc",
        "\"unclosed phrase",
        "kafka\u{0}",
        "Zürich 東京 🔥",
        "(((",
        "'; drop table incidents; --",
        long.as_str(),
    ];
    for q in inputs {
        let page = site.get(&format!("/search?q={}", encode(q))).await;
        assert_eq!(page.status, 200, "{q:.40}: {}", page.body);
        let html = page.html();
        let said = count(&html, "p.note") + count(&html, "#results-h");
        assert!(said > 0, "{q:.40}: a message or results");
    }
    let long_page = site.page(&format!("/search?q={}", encode(&long))).await;
    assert!(
        texts_of(&long_page, "p.note")
            .iter()
            .any(|n| n.contains("long")),
        "the truncation is explained"
    );
    // The database is intact.
    assert_eq!(listed(&site.page("/incidents").await).len(), 5);
}

#[tokio::test]
async fn repeated_query_parameters_keep_the_first_value() {
    let site = samples().await;
    let list = site.page("/incidents?year=2017&year=2018&open=x").await;
    assert_eq!(listed(&list).len(), 2);
    let search = site
        .page("/search?q=kamailio&q=nothing&page=1&page=x")
        .await;
    assert_eq!(results(&search), [CERNPHONE]);
}

#[tokio::test]
async fn empty_search_shows_the_form() {
    let site = samples().await;
    let page = site.page("/search").await;
    assert_eq!(count(&page, "form.search-big input[name=q]"), 1);
    assert_eq!(count(&page, "ol.results"), 0);
}

#[tokio::test]
async fn systems_and_tags_pages_list_their_incidents() {
    let site = samples().await;
    let index = site.page("/systems").await;
    let hrefs = attrs_of(&index, "section[aria-labelledby=sys-h] ul li a", "href");
    assert!(!hrefs.is_empty());
    let system = site.page(&hrefs[0]).await;
    assert!(count(&system, "ul.incidents li a[href^='/incidents/']") >= 1);
    // Every system linked from an incident page has a page.
    let incident = site.page(&format!("/incidents/{CERNPHONE}")).await;
    for href in attrs_of(&incident, "ul.chips a", "href") {
        let page = site.page(&href).await;
        assert!(
            attrs_of(&page, "ul.incidents li a", "href")
                .contains(&format!("/incidents/{CERNPHONE}")),
            "{href}"
        );
    }
    let missing = site.get("/systems/no-such-system").await;
    assert_eq!(missing.status, 404);
    let missing = site.get("/tags/no-such-tag").await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn every_system_and_tag_listed_has_a_page_with_its_incidents() {
    let site = web_site(true).await;
    let index = site.page("/systems").await;
    let sel = Selector::parse("ul.systems li").unwrap();
    let link = Selector::parse("a").unwrap();
    let mut seen = 0;
    for li in index.select(&sel) {
        let a = li.select(&link).next().unwrap();
        let href = a.value().attr("href").unwrap();
        let n: usize = li.text().last().unwrap().trim().parse().unwrap();
        let page = site.page(href).await;
        assert_eq!(
            count(&page, "ul.incidents li a[href^='/incidents/']"),
            n,
            "{href}"
        );
        seen += 1;
    }
    assert!(seen > 5, "{seen} systems and tags");
}

#[tokio::test]
async fn a_page_past_the_end_of_the_list_says_so() {
    let site = samples().await;
    let page = site.page("/incidents?page=99").await;
    assert_eq!(listed(&page).len(), 5, "the last page is shown instead");
    assert_eq!(count(&page, "p.note"), 1);
}

#[tokio::test]
async fn not_found_page_is_useful() {
    let site = samples().await;
    for uri in ["/no/such/page", "/incidents/no-such-incident"] {
        let page = site.get(uri).await;
        assert_eq!(page.status, 404, "{uri}");
        let html = page.html();
        let links = attrs_of(&html, "main a", "href");
        assert!(links.contains(&"/".to_string()), "{uri}: {links:?}");
        assert!(links.contains(&"/search".to_string()), "{uri}: {links:?}");
        assert_eq!(count(&html, "form[role=search] input[name=q]"), 1);
        assert!(texts_of(&html, "h1")[0].contains("404"));
    }
}

#[tokio::test]
async fn a_failing_database_gives_an_error_page_without_details() {
    let site = samples().await;
    sqlx::query("drop table incident_systems")
        .execute(&site.pool)
        .await
        .unwrap();
    for uri in ["/", "/incidents", "/systems"] {
        let page = site.get(uri).await;
        assert_eq!(page.status, 500, "{uri}");
        let html = page.html();
        assert!(texts_of(&html, "h1")[0].contains("500"), "{uri}");
        assert!(
            !page.body.contains("incident_systems") && !page.body.contains("SQL"),
            "{uri}: internal details shown: {}",
            page.body
        );
        assert!(attrs_of(&html, "main a", "href").contains(&"/".to_string()));
        assert!(
            page.headers.contains_key("content-security-policy"),
            "{uri}"
        );
    }
    // Search reports a failed query as a note on the page.
    let search = site.get("/search?q=network").await;
    assert_eq!(search.status, 200);
    assert_eq!(count(&search.html(), "p.note"), 1);
    assert!(!search.body.contains("incident_systems"));
}

#[tokio::test]
async fn every_page_carries_the_security_headers() {
    let site = samples().await;
    for uri in [
        "/",
        "/incidents",
        &format!("/incidents/{AUXTEL}"),
        "/search?q=ip",
        "/systems",
        "/static/style.css",
        "/nowhere",
    ] {
        let page = site.get(uri).await;
        let header = |name: &str| {
            page.headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_else(|| panic!("{uri}: no {name}"))
                .to_string()
        };
        let csp = header("content-security-policy");
        assert!(csp.contains("default-src 'none'"), "{uri}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{uri}: {csp}");
        assert!(
            !csp.contains("script-src"),
            "{uri}: no script source at all: {csp}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{uri}");
        assert!(!header("referrer-policy").is_empty(), "{uri}");
    }
    let css = site.get("/static/style.css").await;
    assert_eq!(css.status, 200);
    assert!(
        css.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css")
    );
}

/// Every way script, frames or styles could get into a page: returns what was found.
fn dangers(html: &Html) -> Vec<String> {
    let mut found = Vec::new();
    let all = Selector::parse("*").unwrap();
    let body = Selector::parse("body *").unwrap();
    for el in html.select(&all) {
        let name = el.value().name();
        if matches!(
            name,
            "script" | "iframe" | "object" | "embed" | "frame" | "base" | "applet"
        ) {
            found.push(format!("<{name}>"));
        }
        if name == "meta" && el.value().attr("http-equiv").is_some() {
            found.push("<meta http-equiv>".into());
        }
        for (attr, value) in el.value().attrs() {
            if attr.to_ascii_lowercase().starts_with("on") || attr == "srcdoc" {
                found.push(format!("<{name} {attr}>"));
            }
            let squeezed: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if squeezed.starts_with("javascript:")
                || squeezed.starts_with("vbscript:")
                || (squeezed.starts_with("data:") && attr != "content")
            {
                found.push(format!("<{name} {attr}={value:?}>"));
            }
        }
    }
    for el in html.select(&body) {
        let name = el.value().name();
        if name == "style" || el.value().attr("style").is_some() || name == "link" {
            found.push(format!("<{name}> styles in the body"));
        }
        if name == "form" && el.value().attr("action") != Some("/search") {
            found.push("a foreign form".into());
        }
    }
    found
}

#[tokio::test]
async fn hostile_documents_render_without_script_handlers_frames_or_styles() {
    let site = web_site(true).await;
    for slug in HOSTILE {
        let page = site.page(&format!("/incidents/{slug}")).await;
        assert_eq!(dangers(&page), Vec::<String>::new(), "{slug}");
        assert_eq!(count(&page, "script"), 0, "{slug}");
        assert_eq!(count(&page, "[href^='javascript' i]"), 0, "{slug}");
        // The document is still shown (its title heading is the page's own).
        let document = texts_of(&page, "section.document");
        assert!(
            document[0].contains("Timeline"),
            "{slug}: the document is still shown: {document:?}"
        );
        let title = texts_of(&page, "title");
        assert!(title[0].contains("Hostile"), "{slug}: {title:?}");
        // What looked like markup in RST or text is shown as text, not dropped.
        if !slug.ends_with("markdown") {
            assert!(
                document[0].contains("<script>"),
                "{slug}: markup shown as text: {document:?}"
            );
        }
    }
    // Lists and search results that show hostile titles and snippets stay inert.
    for uri in [
        "/",
        "/incidents",
        "/search?q=pwned",
        "/search?q=hostile",
        "/search?q=script",
        "/tags/hostile",
        "/systems",
    ] {
        let page = site.get(uri).await;
        assert!(page.status == 200 || page.status == 404, "{uri}");
        assert_eq!(dangers(&page.html()), Vec::<String>::new(), "{uri}");
    }
}

#[tokio::test]
async fn hostile_text_in_the_query_is_escaped() {
    let site = samples().await;
    let q = "<script>window.__pwned=1</script> \"><img src=x onerror=alert(1)>";
    let page = site.page(&format!("/search?q={}", encode(q))).await;
    assert_eq!(dangers(&page), Vec::<String>::new());
    assert_eq!(attrs_of(&page, "input#q", "value"), [q]);
    let missing = site.get(&format!("/{}", encode(q))).await;
    assert_eq!(missing.status, 404);
    assert_eq!(dangers(&missing.html()), Vec::<String>::new());
}

/// Text mixing FTS5 syntax, filters and unicode.
fn search_soup() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "\"", "*", "-", "(", ")", ":", "^", "+", "NEAR", "NEAR(", "AND", "OR", "NOT", "{", "}",
        "[", "]", "'", "\\", "%", "&", "=", "#", "system:", "tag:", "year:", "status:", "open",
        "2017", "ip", "network", "kamail", "é", "ß", "İ", "東京", "🔥", "\u{200b}", "\u{0}", "\t",
        " ", " ", "  ",
    ]);
    prop_oneof![
        prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat()),
        "\\PC{0,60}",
    ]
}

#[test]
fn random_searches_never_fail_on_the_server() {
    use proptest::test_runner::{Config, TestRunner};
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let site = rt.block_on(samples());
    let mut runner = TestRunner::new(Config {
        cases: 64,
        max_shrink_iters: 200,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&search_soup(), |q| {
            let page = rt.block_on(site.get(&format!("/search?q={}", encode(&q))));
            prop_assert_eq!(page.status.as_u16(), 200, "{:?}: {}", q, page.body);
            Ok(())
        })
        .unwrap();
}

#[tokio::test]
async fn active_search_filters_are_chips_and_a_filter_is_never_offered_twice() {
    let site = samples().await;
    let page = site
        .page(&format!(
            "/search?q={}",
            encode("network system:Kubernetes")
        ))
        .await;
    let chips = texts_of(&page, ".active-filters a.chip");
    assert_eq!(chips.len(), 1, "{chips:?}");
    assert!(chips[0].starts_with("system: Kubernetes"), "{chips:?}");
    // Removing the chip leaves the words.
    let removed = attrs_of(&page, ".active-filters a.chip", "href");
    assert_eq!(removed, ["/search?q=network"]);
    // The facet for the system already applied is not offered again.
    let offered = attrs_of(&page, "nav.filters a", "href");
    assert!(!offered.is_empty());
    assert!(
        offered.iter().all(|h| h.matches("Kubernetes").count() == 1),
        "{offered:?}"
    );
    let kubernetes = texts_of(&page, "nav.filters a");
    assert!(
        !kubernetes.contains(&"Kubernetes".to_string()),
        "{kubernetes:?}"
    );
    // A filter-only search with its one chip removed goes back to the empty search.
    let only = site.page("/search?q=tag%3Adb").await;
    assert_eq!(
        attrs_of(&only, ".active-filters a.chip", "href"),
        ["/search"]
    );
}

#[tokio::test]
async fn a_system_alias_finds_the_system_by_any_of_its_names() {
    let site = samples().await;
    let by_name = results(&site.page("/search?q=kubernetes").await);
    let by_alias = results(&site.page("/search?q=k8s").await);
    assert!(by_name.contains(&AUXTEL.to_string()), "{by_name:?}");
    assert_eq!(by_alias, by_name, "k8s finds what kubernetes finds");
    let filtered = results(&site.page("/search?q=system%3Ak8s").await);
    assert!(filtered.contains(&AUXTEL.to_string()), "{filtered:?}");
    // The system page answers to the alias too.
    let page = site.page("/systems/k8s").await;
    assert_eq!(texts_of(&page, "h1"), ["system Kubernetes"]);
}

#[tokio::test]
async fn search_snippets_never_cut_a_word_in_half() {
    let site = samples().await;
    let bare = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    for q in ["network", "power", "database"] {
        let page = site.page(&format!("/search?q={q}")).await;
        let snippets = texts_of(&page, "ol.results li .snippet");
        assert!(!snippets.is_empty(), "{q}");
        let mut words = std::collections::HashSet::new();
        for slug in results(&page) {
            let html = site.page(&format!("/incidents/{slug}")).await;
            for text in texts_of(&html, "section.document, h1, .glance p") {
                words.extend(text.split_whitespace().map(bare));
            }
        }
        for s in &snippets {
            let inner: Vec<&str> = s.trim_matches('…').split_whitespace().collect();
            if s.ends_with('…') {
                let last = bare(inner[inner.len() - 1]);
                assert!(words.contains(&last), "cut mid-word at the end: {s:?}");
            }
            if s.starts_with('…') {
                let first = bare(inner[0]);
                assert!(words.contains(&first), "cut mid-word at the start: {s:?}");
            }
        }
    }
}

#[tokio::test]
async fn a_tag_without_incidents_gets_a_page_saying_so() {
    let site = samples().await;
    let page = site.get("/tags/no-such-tag").await;
    assert_eq!(page.status, 404);
    let html = page.html();
    assert_eq!(texts_of(&html, "h1"), ["tag no-such-tag"]);
    let note = texts_of(&html, "main p.note");
    assert!(note[0].contains("No incident is tagged"), "{note:?}");
    assert!(
        !page.body.contains("renamed"),
        "not the generic not-found page"
    );
    let system = site.get("/systems/no-such-system").await;
    assert_eq!(system.status, 404);
    assert!(texts_of(&system.html(), "main p.note")[0].contains("No incident names the system"));
}

/// Once a search has built the kept facet values, searches count facets from them, and
/// get what counting in SQL gives; a change made by another connection is counted at
/// once (the kept values are of an older version) and kept again after a rebuild.
#[tokio::test]
async fn kept_search_facets_agree_with_sql_and_follow_changes_from_outside() {
    use aftermath::db::browse;
    use aftermath::db::search_memo::SearchMemo;
    use std::sync::Arc;
    let site = samples().await;
    let pool = &site.pool;
    let query = aftermath::search::Query::parse("network");
    let version = || async { aftermath::db::incidents_version(pool).await.unwrap() };
    let kept_at = |memo: Arc<SearchMemo>, v: i64| async move {
        crate::support::until(
            "facet values kept",
            std::time::Duration::from_secs(20),
            || {
                let memo = memo.clone();
                async move {
                    let kept = memo.facets_version();
                    (kept == Some(v))
                        .then_some(())
                        .ok_or_else(|| format!("kept at {kept:?}"))
                }
            },
        )
        .await
    };
    let memo = Arc::new(SearchMemo::default());
    // Counted in SQL (nothing kept yet); this starts the build.
    let counted = browse::search(pool, &memo, &query, 0, 20).await.unwrap();
    assert!(!counted.facets.systems.is_empty(), "{:?}", counted.facets);
    kept_at(memo.clone(), version().await).await;
    let kept = browse::search(pool, &memo, &query, 0, 20).await.unwrap();
    assert_eq!(kept.facets, counted.facets);

    // Another connection tags every match and removes one of them.
    let other = site.other_connection().await;
    let ids: Vec<i64> = sqlx::query_scalar(
        "select rowid from search_index where search_index match 'network' order by rowid",
    )
    .fetch_all(&other)
    .await
    .unwrap();
    assert!(ids.len() >= 2, "{ids:?}");
    for id in &ids {
        sqlx::query(
            "insert or ignore into incident_tags (incident_id, tag) values (?, 'kept-facet-probe')",
        )
        .bind(id)
        .execute(&other)
        .await
        .unwrap();
    }
    sqlx::query("update incidents set removed_at = '2026-01-01T00:00:00Z' where id = ?")
        .bind(ids[0])
        .execute(&other)
        .await
        .unwrap();
    let after = browse::search(pool, &memo, &query, 0, 20).await.unwrap();
    let probe = |r: &browse::SearchResults| {
        r.facets
            .tags
            .iter()
            .find(|(t, _)| t == "kept-facet-probe")
            .map(|(_, n)| *n)
    };
    assert_eq!(probe(&after), Some(after.total.min(browse::FACET_SAMPLE)));
    let years = |r: &browse::SearchResults| r.facets.years.iter().map(|(_, n)| n).sum::<i64>();
    assert!(
        years(&after) < years(&kept),
        "the removed incident's year is not counted"
    );
    // Rebuilt at the new version, the kept values give the same.
    kept_at(memo.clone(), version().await).await;
    let again = browse::search(pool, &memo, &query, 0, 20).await.unwrap();
    assert_eq!(again.facets, after.facets);
}

/// A prefix is searched as the words it completes to once their list is kept: the same
/// incidents match, and a word written by another connection after the list was read
/// is still found (the list is of an older version, so the prefix is used as typed).
#[tokio::test]
async fn a_prefix_written_as_its_completions_matches_the_same_incidents() {
    use aftermath::db::browse;
    use aftermath::db::search_memo::SearchMemo;
    use std::sync::Arc;
    let site = samples().await;
    let pool = &site.pool;
    let matching = |prefix: &'static str| async move {
        sqlx::query_scalar::<_, i64>("select count(*) from search_index where search_index match ?")
            .bind(format!("\"{prefix}\"*"))
            .fetch_one(pool)
            .await
            .unwrap()
    };
    let memo = Arc::new(SearchMemo::default());
    // `d*` has more completions than are written out; the others fewer.
    for prefix in ["fail", "net", "d", "zzzq"] {
        let query = aftermath::search::Query::parse(&format!("{prefix}*"));
        for _ in 0..2 {
            let found = browse::search(pool, &memo, &query, 0, 20).await.unwrap();
            assert_eq!(found.total, matching(prefix).await, "{prefix}*");
        }
    }
    let query = aftermath::search::Query::parse("fail*");
    let before = browse::search(pool, &memo, &query, 0, 20).await.unwrap();
    assert!(before.total > 0);
    let other = site.other_connection().await;
    sqlx::query(
        "insert into search_index (rowid, title, causes, summary, body)
         values (990001, 'failzzzq', '', '', '')",
    )
    .execute(&other)
    .await
    .unwrap();
    sqlx::query(
        "update incidents set title = title || ' ' where id = (select min(id) from incidents)",
    )
    .execute(&other)
    .await
    .unwrap();
    let after = browse::search(pool, &memo, &query, 0, 20).await.unwrap();
    assert_eq!(after.total, before.total + 1);
    assert_eq!(after.total, matching("fail").await);
}

/// Over more than 2,000 incidents, where a query of common words is ranked in tiers:
/// each page holds matches only, no incident comes twice across pages, and the count
/// is exact up to the cap, whether more or fewer than the cap match.
#[tokio::test]
async fn searches_of_common_words_page_through_matches_once_and_count_them() {
    use aftermath::db::browse;
    use aftermath::db::search_memo::SearchMemo;
    use std::sync::Arc;
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    aftermath::synth::write_corpus(&docs, 5, 2_100).unwrap();
    let pool = aftermath::db::open(&dir.path().join("many.db"))
        .await
        .unwrap();
    let options = aftermath::import::Options {
        max_file_bytes: 1024 * 1024,
        allow_symlinks_outside: false,
    };
    aftermath::import::import_paths(&pool, std::slice::from_ref(&docs), &options, |_| {})
        .await
        .unwrap();
    let top: Vec<String> =
        sqlx::query_scalar("select term from search_vocab order by doc desc, term limit 2")
            .fetch_all(&pool)
            .await
            .unwrap();
    let (a, b) = (&top[0], &top[1]);
    let memo = Arc::new(SearchMemo::default());
    let mut sizes = Vec::new();
    for (typed, fts) in [
        (a.clone(), format!("\"{a}\"")),
        (format!("{a} {b}"), format!("\"{a}\" AND \"{b}\"")),
        (format!("\"{a} {b}\""), format!("\"{a} {b}\"")),
        (format!("\"{b} {a}\""), format!("\"{b} {a}\"")),
    ] {
        let query = aftermath::search::Query::parse(&typed);
        let matching: Vec<i64> = sqlx::query_scalar(
            "select rowid from search_index where search_index match ?
             order by bm25(search_index, 10.0, 5.0, 5.0, 1.0)",
        )
        .bind(&fts)
        .fetch_all(&pool)
        .await
        .unwrap();
        sizes.push(matching.len());
        let mut seen = std::collections::HashSet::new();
        for page in 0..4 {
            let found = browse::search(&pool, &memo, &query, page * 20, 20)
                .await
                .unwrap();
            assert_eq!(found.total, matching.len().min(1000) as i64, "{typed}");
            assert_eq!(found.more, matching.len() > 1000, "{typed}");
            let ids: Vec<i64> = found.hits.iter().map(|h| h.summary.id).collect();
            let expected = matching.len().saturating_sub(page as usize * 20).min(20);
            assert_eq!(ids.len(), expected, "{typed}, page {}", page + 1);
            for id in &ids {
                assert!(matching.contains(id), "{typed}: {id} does not match");
                assert!(seen.insert(*id), "{typed}: {id} shown twice");
            }
        }
    }
    // Counts above and below the cap were checked.
    assert!(sizes.iter().any(|n| *n > 1000), "{sizes:?}");
    assert!(sizes.iter().any(|n| (21..=1000).contains(n)), "{sizes:?}");
}
