//! The incident page answers the first questions at a glance: one title, a header
//! block of facts before the document (each time read from the timeline naming its
//! entry), a time axis with a mark per entry linked to its row, and a compact list of
//! actions whose form opens on demand.

use crate::support::{attrs_of, texts_of, web_site};
use scraper::Selector;

const GRAPHITE: &str = "/incidents/2017-10-12-hosted-graphite-network-disruption";
const AUXTEL: &str = "/incidents/2022-12-06-auxtel-network-failure";

/// The header block's facts as (term, text) pairs.
fn facts(html: &scraper::Html) -> Vec<(String, String)> {
    let div = Selector::parse(".glance dl.facts > div").unwrap();
    let dt = Selector::parse("dt").unwrap();
    let dd = Selector::parse("dd").unwrap();
    let text = |e: scraper::ElementRef<'_>| {
        e.text()
            .collect::<String>()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    html.select(&div)
        .map(|d| {
            (
                text(d.select(&dt).next().unwrap()),
                text(d.select(&dd).next().unwrap()),
            )
        })
        .collect()
}

fn fact(facts: &[(String, String)], name: &str) -> String {
    facts
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("no {name} in {facts:?}"))
}

#[tokio::test]
async fn the_header_block_states_start_window_times_to_detect_and_resolve_and_the_actions() {
    let site = web_site(false).await;
    let page = site.page(GRAPHITE).await;
    let facts = facts(&page);
    assert_eq!(fact(&facts, "Started"), "2017-10-12 13:00 UTC");
    assert_eq!(
        fact(&facts, "Impact window"),
        "2017-10-12 13:00 – 17:30 UTC"
    );
    assert_eq!(fact(&facts, "Duration"), "4 h 30 min");
    assert_eq!(fact(&facts, "Time to detect"), "3 h 31 min from entry 3");
    assert_eq!(fact(&facts, "Time to resolve"), "4 h 30 min from entry 6");
    assert_eq!(fact(&facts, "Actions"), "4 open · 0 done");
    // Each time names the entry it came from, and that entry is on the page.
    for href in attrs_of(&page, ".glance .from-entry a", "href") {
        let id = href.trim_start_matches('#');
        assert_eq!(
            attrs_of(&page, &format!("ol.timeline li#{id}"), "id").len(),
            1,
            "{href}"
        );
    }
    let detected = texts_of(&page, "ol.timeline li#entry-3 .what");
    assert!(detected[0].contains("first reports"), "{detected:?}");
    // The summary and the systems come before the document.
    let summary = texts_of(&page, ".glance p.summary");
    assert!(
        summary[0].starts_with("The rollout of the new version"),
        "{summary:?}"
    );
    assert!(!texts_of(&page, ".glance ul.chips a").is_empty());
    let header = page
        .select(&Selector::parse("article.incident > header.incident-head").unwrap())
        .count();
    assert_eq!(header, 1);
}

#[tokio::test]
async fn the_page_has_one_title_and_the_document_does_not_repeat_it() {
    let site = web_site(false).await;
    for slug in [
        "2017-10-12-hosted-graphite-network-disruption",
        "2017-12-08-tacc-power-outage",
        "2019-06-26-darkmyst-services-outage",
        "2022-12-06-auxtel-network-failure",
        "2024-07-05-cernphone-outages",
    ] {
        let page = site.page(&format!("/incidents/{slug}")).await;
        let h1 = texts_of(&page, "h1");
        assert_eq!(h1.len(), 1, "{slug}: {h1:?}");
        let headings = texts_of(
            &page,
            "section.document h1, section.document h2, section.document h3",
        );
        assert!(
            headings.iter().all(|h| !h.eq_ignore_ascii_case(&h1[0])),
            "{slug}: the document repeats the title: {headings:?}"
        );
    }
}

#[tokio::test]
async fn every_timeline_entry_is_a_mark_on_the_axis_linked_to_its_row() {
    let site = web_site(false).await;
    for uri in [GRAPHITE, AUXTEL, "/incidents/2017-12-08-tacc-power-outage"] {
        let page = site.page(uri).await;
        let rows = attrs_of(&page, "ol.timeline li", "id");
        let marks = attrs_of(&page, "figure.timeline-axis svg a.mark", "href");
        assert!(!rows.is_empty(), "{uri}");
        let mut linked: Vec<String> = marks
            .iter()
            .map(|h| h.trim_start_matches('#').to_string())
            .collect();
        linked.sort();
        let mut ids = rows.clone();
        ids.sort();
        assert_eq!(linked, ids, "{uri}: one mark per entry");
        // Ticks with labels, for wide screens and for phones.
        for set in ["ticks-wide", "ticks-narrow"] {
            let labels = texts_of(&page, &format!("svg.axis g.{set} text.tick"));
            assert!(labels.len() >= 2, "{uri} {set}: {labels:?}");
        }
    }
}

#[tokio::test]
async fn a_document_without_a_zone_gets_a_wall_time_axis_that_says_so() {
    let site = web_site(false).await;
    let page = site.page(AUXTEL).await;
    let caption = texts_of(&page, "figure.timeline-axis figcaption");
    assert!(
        caption[0].starts_with("Wall time as written"),
        "{caption:?}"
    );
    assert_eq!(
        fact(&facts(&page), "Started"),
        "2022-12-06 20:30 (wall time)"
    );
    let ticks = texts_of(&page, "svg.axis g.ticks-wide text.tick");
    assert!(ticks.contains(&"20:30".to_string()), "{ticks:?}");
    // A span over midnight breaks the axis at each new date.
    let cern = site.page("/incidents/2024-07-05-cernphone-outages").await;
    let dates = texts_of(&cern, "svg.axis g.ticks-wide text.date");
    assert!(dates.len() >= 2, "{dates:?}");
}

#[tokio::test]
async fn entries_listed_out_of_order_are_marked_with_the_reason() {
    let site = crate::support::web_site_with(
        &[crate::support::root().join("tests/fixtures/timeline-order")],
        crate::support::default_site(),
    )
    .await;
    let page = site.page("/incidents/2023-05-02-out-of-order").await;
    let late = texts_of(&page, "ol.timeline li.late .out-of-order");
    assert_eq!(late.len(), 1, "{late:?}");
    assert!(
        late[0].contains("below the entry at 2023-05-02 10:40"),
        "{late:?}"
    );
    assert_eq!(
        attrs_of(&page, "svg.axis a.mark.late", "href").len(),
        1,
        "the mark shows it too"
    );
}

#[tokio::test]
async fn actions_are_a_compact_list_whose_form_opens_on_demand() {
    let site = web_site(false).await;
    let page = site
        .send(
            axum::http::Request::get(GRAPHITE)
                .body(axum::body::Body::empty())
                .unwrap(),
            Some("127.0.0.1"),
        )
        .await
        .html();
    let items = page
        .select(&Selector::parse("#actions ul.actions > li").unwrap())
        .count();
    assert_eq!(items, 4);
    // Nobody is signed in: no forms at all; the action page is one click away.
    assert_eq!(
        page.select(&Selector::parse("#actions form").unwrap())
            .count(),
        0
    );
    assert_eq!(
        attrs_of(&page, "#actions ul.actions > li > a", "href").len(),
        4
    );
}

#[tokio::test]
async fn a_signed_in_editor_opens_an_actions_form_on_demand() {
    let site = crate::support::web_site_with(
        &[],
        aftermath::web::Site {
            single_user: Some("erin".into()),
            ..crate::support::default_site()
        },
    )
    .await;
    let page = site
        .send(
            axum::http::Request::get(GRAPHITE)
                .body(axum::body::Body::empty())
                .unwrap(),
            Some("127.0.0.1"),
        )
        .await
        .html();
    let forms = page
        .select(&Selector::parse("#actions form").unwrap())
        .count();
    let folded = page
        .select(&Selector::parse("#actions li > details.edit:not([open]) > form").unwrap())
        .count();
    assert_eq!(forms, 4);
    assert_eq!(folded, forms, "every form is folded until asked for");
}

/// Issue 10 §3: the page shows why each cause and action was taken, on hover, as
/// `parse --explain` prints it.
#[tokio::test]
async fn causes_and_actions_say_on_hover_which_rule_took_them() {
    let site = web_site(false).await;
    let page = site.page(GRAPHITE).await;
    let action_rules = attrs_of(&page, "ul.actions li > a[title]", "title");
    assert_eq!(action_rules.len(), 4, "{action_rules:?}");
    assert!(
        action_rules
            .iter()
            .all(|r| r.starts_with("a paragraph of an action section") && r.contains("; status: ")),
        "{action_rules:?}"
    );
    let cause_rules = attrs_of(&page, "#causes-h + ul li .meta[title]", "title");
    assert!(!cause_rules.is_empty());
    assert!(
        cause_rules
            .iter()
            .all(|r| r.starts_with("as written, line ")),
        "{cause_rules:?}"
    );
}
