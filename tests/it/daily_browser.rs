//! The pages an engineer uses every day, in a real headless Chromium: every page kind
//! fits a phone (390 px) and a wide screen (1280 px) without scrolling sideways, the
//! incident page's header block and time axis, a bulk change of three actions with
//! their history, and filters shown as chips that remove themselves. Screenshots of
//! every page land in `target/test-artifacts/`.

use crate::chromium::Browser;
use crate::support::{ProcessGroup, aftermath_command, copy_folder, copy_incidents, hostile, root};
use std::path::Path;

/// `aftermath serve --single-user` (so every form shows) over the samples, the hostile
/// fixtures and a postmortem full of wide tables and long lines.
struct Server {
    base: String,
    _process: ProcessGroup,
    _dir: tempfile::TempDir,
}

fn start_server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    copy_incidents(&docs);
    copy_folder(&hostile(), &docs);
    copy_folder(&root().join("tests/fixtures/wide"), &docs);
    let (base, process) = serve_in(dir.path());
    Server {
        base: base.trim_end_matches('/').to_string(),
        _process: process,
        _dir: dir,
    }
}

fn serve_in(dir: &Path) -> (String, ProcessGroup) {
    crate::support::serve(
        aftermath_command(dir)
            .args(["--database", "web.db", "serve", "--single-user"])
            .env("USER", "browser-tester"),
    )
}

/// Every kind of page, by a name for its screenshot.
const PAGES: &[(&str, &str)] = &[
    ("home", "/"),
    ("incidents", "/incidents"),
    ("incidents-filtered", "/incidents?year=2024&open=1"),
    (
        "incident-zoned",
        "/incidents/2017-10-12-hosted-graphite-network-disruption",
    ),
    (
        "incident-wall-time",
        "/incidents/2022-12-06-auxtel-network-failure",
    ),
    (
        "incident-many-days",
        "/incidents/2024-07-05-cernphone-outages",
    ),
    (
        "incident-wide-table",
        "/incidents/2024-02-02-wide-tables-and-code",
    ),
    ("incident-hostile", "/incidents/2024-03-01-hostile-markdown"),
    ("search", "/search?q=network+system%3Ak8s"),
    ("search-empty", "/search"),
    ("systems", "/systems"),
    ("system", "/systems/Kubernetes"),
    ("tag", "/tags/layout"),
    ("tag-empty", "/tags/no-such-tag"),
    ("actions", "/actions"),
    ("actions-all", "/actions?status=all&sort=incident"),
    ("actions-owners", "/actions?view=owners"),
    ("login", "/login"),
    ("not-found", "/incidents/no-such-incident"),
];

/// `[scrollWidth, innerWidth]` of the page.
async fn widths(browser: &Browser) -> (i64, i64) {
    let w = browser
        .execute("return [document.documentElement.scrollWidth, window.innerWidth];")
        .await;
    (w[0].as_i64().unwrap(), w[1].as_i64().unwrap())
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver; run by scripts/test"]
async fn no_page_scrolls_sideways_on_a_phone_or_a_wide_screen() {
    let server = start_server();
    for (width, height) in [(390, 844), (1280, 900)] {
        let browser = Browser::start(width, height).await;
        // An action's own page, with its history and form.
        browser.goto(&format!("{}/actions", server.base)).await;
        let action = browser
            .execute(
                "return document.querySelector('table.worklist td.what a').getAttribute('href');",
            )
            .await;
        let action = action.as_str().unwrap().to_string();
        let pages = PAGES
            .iter()
            .map(|(n, p)| (*n, p.to_string()))
            .chain([("action", action)]);
        for (name, path) in pages {
            browser.goto(&format!("{}{path}", server.base)).await;
            browser.find("main").await;
            let (scroll, inner) = widths(&browser).await;
            // An emulated phone widens its layout to fit content wider than the
            // screen, so the window's width is checked too.
            let wider = browser
                .execute(&format!(
                    "return Array.from(document.querySelectorAll('body *'))
                        .filter(e => e.getBoundingClientRect().right > {width} + 1)
                        .slice(0, 5)
                        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));"
                ))
                .await;
            assert_eq!(
                inner,
                i64::from(width),
                "{name}: the window is {width} px wide; wider: {wider}"
            );
            assert!(
                scroll <= inner,
                "{name} at {width} px scrolls sideways: {scroll} > {inner}"
            );
            browser.screenshot(&format!("daily-{width}-{name}")).await;
        }
        // The document's wide table and long code line scroll inside their own box.
        browser
            .goto(&format!(
                "{}/incidents/2024-02-02-wide-tables-and-code",
                server.base
            ))
            .await;
        let boxes = browser
            .execute(
                "return ['section.document table', 'section.document pre'].map(s => {
                    const e = document.querySelector(s);
                    return [e.scrollWidth > e.clientWidth, getComputedStyle(e).overflowX];
                });",
            )
            .await;
        if width == 390 {
            for b in boxes.as_array().unwrap() {
                assert_eq!(b[0], true, "wider than a phone: {boxes}");
                assert_eq!(b[1], "auto", "and scrolls in its own box: {boxes}");
            }
        }
        // Text in the graphics stays legible: at least 11 px on every screen.
        for (path, selector) in [
            ("/", ".chart svg text"),
            ("/incidents/2024-07-05-cernphone-outages", "svg.axis text"),
        ] {
            browser.goto(&format!("{}{path}", server.base)).await;
            browser.find("main").await;
            let sizes = browser
                .execute(&format!(
                    "return Array.from(document.querySelectorAll('{selector}'))
                        .filter(t => t.getClientRects().length > 0)
                        .map(t => t.getBoundingClientRect().height);"
                ))
                .await;
            let sizes: Vec<f64> = sizes
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert!(!sizes.is_empty(), "{path}: labels shown at {width} px");
            assert!(
                sizes.iter().all(|h| *h >= 11.0),
                "{path} at {width} px: label heights {sizes:?}"
            );
        }
        // On a phone the extracted facts come before the document.
        if width == 390 {
            browser
                .goto(&format!(
                    "{}/incidents/2017-10-12-hosted-graphite-network-disruption",
                    server.base
                ))
                .await;
            let order = browser
                .execute(
                    "return [document.querySelector('.glance').getBoundingClientRect().top,
                             document.querySelector('aside.extracted').getBoundingClientRect().top,
                             document.querySelector('section.document').getBoundingClientRect().top];",
                )
                .await;
            let tops: Vec<f64> = order
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .collect();
            assert!(tops[0] < tops[2] && tops[1] < tops[2], "{tops:?}");
        }
        assert!(
            browser
                .console()
                .await
                .iter()
                .all(|m| !m.contains("Content Security Policy")),
            "no page needs anything the policy blocks"
        );
        browser.close().await;
    }
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver; run by scripts/test"]
async fn the_incident_page_answers_at_a_glance_and_its_axis_links_to_the_entries() {
    let server = start_server();
    let browser = Browser::start(1280, 900).await;
    browser
        .goto(&format!(
            "{}/incidents/2017-10-12-hosted-graphite-network-disruption",
            server.base
        ))
        .await;
    let glance = browser.text_of(".glance dl.facts").await;
    for fact in [
        "STARTED",
        "2017-10-12 13:00 UTC",
        "IMPACT WINDOW",
        "4 h 30 min",
        "TIME TO DETECT",
        "3 h 31 min",
        "from entry 3",
        "4 open · 0 done",
    ] {
        assert!(glance.contains(fact), "{fact} in {glance:?}");
    }
    assert_eq!(
        browser
            .execute("return document.querySelectorAll('h1').length;")
            .await,
        1,
        "one title"
    );
    // A mark is a link to its row.
    browser
        .find("svg.axis a.mark.detected")
        .await
        .click()
        .await
        .unwrap();
    let url = browser
        .wait_for_url("the entry's anchor", |u| u.contains("#entry-"))
        .await;
    assert!(url.ends_with("#entry-3"), "{url}");
    let target = browser.text_of("ol.timeline li:target .what").await;
    assert!(target.contains("first reports"), "{target}");
    browser.screenshot("daily-incident-mark-followed").await;

    // A document without a zone: a wall-time axis that says so.
    browser
        .goto(&format!(
            "{}/incidents/2022-12-06-auxtel-network-failure",
            server.base
        ))
        .await;
    let caption = browser.text_of("figure.timeline-axis figcaption").await;
    assert!(caption.starts_with("Wall time as written"), "{caption}");
    let ticks = browser
        .execute(
            "return Array.from(document.querySelectorAll('svg.axis g.ticks-wide text.tick'))
                .map(t => t.textContent);",
        )
        .await;
    assert!(
        ticks.as_array().unwrap().len() >= 3,
        "ticks on the axis: {ticks}"
    );
    browser.screenshot("daily-incident-wall-time-axis").await;
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver; run by scripts/test"]
async fn three_actions_changed_at_once_each_record_the_change() {
    let server = start_server();
    let browser = Browser::start(1280, 1000).await;
    browser
        .goto(&format!("{}/actions?status=unknown", server.base))
        .await;
    let ids = browser
        .execute(
            "return Array.from(document.querySelectorAll('table.worklist input[name=id]'))
                .slice(0, 3).map(b => b.value);",
        )
        .await;
    let ids: Vec<String> = ids
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 3);
    for id in &ids {
        browser
            .find(&format!("input#pick-{id}"))
            .await
            .click()
            .await
            .unwrap();
    }
    browser
        .find("fieldset.bulk-bar select[name=status] option[value=wontfix]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .find("fieldset.bulk-bar input[name=owner]")
        .await
        .send_keys("triage-team")
        .await
        .unwrap();
    browser.screenshot("daily-bulk-change-chosen").await;
    browser
        .find("fieldset.bulk-bar button[type=submit]")
        .await
        .click()
        .await
        .unwrap();
    browser
        .wait_for_url("the list again", |u| u.contains("changed=3"))
        .await;
    let note = browser.text_of("main p.note[role=status]").await;
    assert!(note.contains("Changed 3 actions"), "{note}");
    browser.screenshot("daily-bulk-change-done").await;
    for id in &ids {
        browser.goto(&format!("{}/actions/{id}", server.base)).await;
        let history = browser.text_of("ol.history").await;
        assert!(history.contains("browser-tester (web)"), "{history}");
        assert!(history.contains("status: unknown → wontfix"), "{history}");
        assert!(history.contains("owner: — → triage-team"), "{history}");
    }
    browser.close().await;
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver; run by scripts/test"]
async fn filters_show_as_chips_that_remove_themselves() {
    let server = start_server();
    let browser = Browser::start(390, 844).await;
    browser
        .goto(&format!(
            "{}/actions?status=all&owner=dana&overdue=1",
            server.base
        ))
        .await;
    let chips = browser.text_of(".active-filters").await;
    assert!(chips.contains("owner: dana"), "{chips}");
    browser.screenshot("daily-chips-actions").await;
    browser
        .find(".active-filters a.chip[href*='overdue=1']:not([href*='owner'])")
        .await
        .click()
        .await
        .unwrap();
    let url = browser
        .wait_for_url("the owner filter removed", |u| !u.contains("owner="))
        .await;
    assert!(url.contains("overdue=1"), "{url}");

    browser
        .goto(&format!(
            "{}/search?q=checkout+tag%3Alayout+system%3AK8S",
            server.base
        ))
        .await;
    let chips = browser.text_of(".active-filters").await;
    assert!(chips.contains("tag: layout"), "{chips}");
    assert!(chips.contains("system: Kubernetes"), "{chips}");
    browser.screenshot("daily-chips-search").await;
    browser
        .find(".active-filters a.chip[href*='layout']")
        .await
        .click()
        .await
        .unwrap();
    let url = browser
        .wait_for_url("the system filter removed", |u| !u.contains("K8S"))
        .await;
    assert!(url.contains("layout"), "{url}");
    // The filter lists fold away on a phone.
    let open = browser
        .execute("return document.querySelector('details.fold').open;")
        .await;
    assert_eq!(open, false);
    browser.close().await;
}
