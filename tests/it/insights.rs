//! `/insights` over invented postmortems whose figures were computed by hand: medians
//! and p90s (nearest rank) per quarter and overall, on the page, in the table and in
//! the CSV; how many incidents each figure comes from and the list behind it; filters;
//! the front matter override of the detection time; bad query values.

use crate::support::texts_of;

/// Imports `docs` into `pool` as `aftermath import` would.
async fn import_folder(
    pool: &sqlx::SqlitePool,
    docs: &std::path::Path,
) -> aftermath::import::Report {
    aftermath::import::import_paths(
        pool,
        &[docs.to_path_buf()],
        &aftermath::import::Options {
            max_file_bytes: 1024 * 1024,
            allow_symlinks_outside: false,
        },
        |_| {},
    )
    .await
    .unwrap()
}

/// An app over a fresh database holding only `files` (name, text), imported for real.
pub struct Site {
    pub dir: tempfile::TempDir,
    pub app: axum::Router,
}

pub async fn site(files: &[(String, String)]) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    std::fs::create_dir_all(&docs).unwrap();
    for (name, text) in files {
        std::fs::write(docs.join(name), text).unwrap();
    }
    let pool = aftermath::db::open(&dir.path().join("insights.db"))
        .await
        .unwrap();
    let report = import_folder(&pool, &docs).await;
    assert_eq!(report.failed, 0);
    let app = aftermath::web::app(aftermath::web::AppState::new(
        pool.clone(),
        crate::support::default_site(),
    ));
    Site { dir, app }
}

impl Site {
    pub async fn get(&self, uri: &str) -> (u16, String) {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        let request = axum::http::Request::get(uri)
            .body(axum::body::Body::empty())
            .unwrap();
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status().as_u16();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(bytes.to_vec()).unwrap())
    }

    pub async fn page(&self, uri: &str) -> scraper::Html {
        let (status, body) = self.get(uri).await;
        assert_eq!(status, 200, "GET {uri}:\n{body}");
        scraper::Html::parse_document(&body)
    }
}

/// A postmortem with the given front matter extras, timeline and actions.
pub fn postmortem(
    title: &str,
    date: &str,
    severity: &str,
    system: &str,
    extra: &str,
    body: &str,
    timeline: &str,
    actions: &str,
) -> String {
    format!(
        "---\ntitle: {title}\ndate: {date}\nseverity: {severity}\nsystems: [{system}]\ntags: [db]\n{extra}---\n\
         # {title}\n\n## Summary\n\n{body}\n\n## Impact\n\nCustomers could not pay for their orders.\n\n\
         ## Timeline\n\n{timeline}\n\n## Root cause\n\nA connection pool was exhausted by a slow query.\n\n\
         ## Action items\n\n{actions}\n"
    )
}

/// Seven invented incidents. Minutes from the start (the first timed entry):
///
/// | incident | quarter | detected | resolved | note |
/// |---|---|---|---|---|
/// | a | 2024-Q1 | 12 ("paged") | 60 ("restored") | |
/// | b | 2024-Q1 | 5 ("alert") | 30 ("resolved") | |
/// | c | 2024-Q1 | 30 ("report") | 240 ("fixed") | SEV3 |
/// | d | 2024-Q1 | — no word | 90 ("restored") | SEV3 |
/// | e | 2024-Q1 | 20 | 45 ("recovered") | no zone: wall time, one clock |
/// | f | 2024-Q2 | — | — | one timed entry only |
/// | g | 2024-Q2 | 10 (front matter; the words say 45) | 120 | system database |
///
/// Nearest rank, position ⌈p·n/100⌉ of the sorted values:
/// * Q1 detect [5, 12, 20, 30]: median #2 = 12 min, p90 #4 = 30 min, from 4 of 5.
/// * Q1 resolve [30, 45, 60, 90, 240]: median #3 = 60 min, p90 #5 = 240 min, 5 of 5.
/// * Q2 detect [10], resolve [120], from 1 of 2.
/// * All detect [5, 10, 12, 20, 30]: median #3 = 12 min, p90 #5 = 30 min, 5 of 7.
/// * All resolve [30, 45, 60, 90, 120, 240]: median #3 = 60, p90 #6 = 240, 6 of 7.
/// * Impact equals resolve for each (every one with a resolution).
pub fn invented() -> Vec<(String, String)> {
    let body = "The checkout service returned errors to customers.";
    let pm =
        |name: &str, title: &str, date: &str, sev: &str, sys: &str, extra: &str, timeline: &str| {
            (
                format!("{name}.md"),
                postmortem(
                    title,
                    date,
                    sev,
                    sys,
                    extra,
                    body,
                    timeline,
                    "- [ ] Tune the pool (owner: bob, due: 2024-09-01)",
                ),
            )
        };
    vec![
        pm(
            "2024-01-10-a",
            "Checkout errors A",
            "2024-01-10",
            "SEV2",
            "payments",
            "",
            "- 2024-01-10 10:00 UTC: Error rate rises\n- 2024-01-10 10:12 UTC: Alert fires and the on-call engineer is paged\n- 2024-01-10 11:00 UTC: Service restored",
        ),
        pm(
            "2024-02-03-b",
            "Checkout errors B",
            "2024-02-03",
            "SEV2",
            "payments",
            "",
            "- 2024-02-03 08:00 UTC: Latency climbs\n- 2024-02-03 08:05 UTC: Alert fires\n- 2024-02-03 08:30 UTC: Issue resolved",
        ),
        pm(
            "2024-02-20-c",
            "Checkout errors C",
            "2024-02-20",
            "SEV3",
            "payments",
            "",
            "- 2024-02-20 09:00 UTC: Deploy starts\n- 2024-02-20 09:30 UTC: Customers report failures\n- 2024-02-20 13:00 UTC: Fixed by a rollback",
        ),
        pm(
            "2024-03-05-d",
            "Checkout errors D",
            "2024-03-05",
            "SEV3",
            "payments",
            "",
            "- 2024-03-05 14:00 UTC: Queue grows\n- 2024-03-05 14:40 UTC: Engineers look at the queue\n- 2024-03-05 15:30 UTC: Queue drained and service restored",
        ),
        pm(
            "2024-03-28-e",
            "Checkout errors E",
            "2024-03-28",
            "SEV2",
            "payments",
            "",
            "- 2024-03-28 07:00: Errors begin\n- 2024-03-28 07:20: Alert fires\n- 2024-03-28 07:45: Service recovered",
        ),
        pm(
            "2024-04-15-f",
            "Checkout errors F",
            "2024-04-15",
            "SEV2",
            "payments",
            "",
            "- 2024-04-15 10:00 UTC: Errors begin",
        ),
        pm(
            "2024-05-02-g",
            "Database failover G",
            "2024-05-02",
            "SEV1",
            "database",
            "detected: 2024-05-02T12:10Z\n",
            "- 2024-05-02 12:00 UTC: Primary database stops answering\n- 2024-05-02 12:45 UTC: Alert fires\n- 2024-05-02 14:00 UTC: Failover complete, incident resolved",
        ),
    ]
}

/// The table's rows: (quarter, cells as text), footer last.
fn table(html: &scraper::Html) -> Vec<Vec<String>> {
    let tr = scraper::Selector::parse("table.insights tbody tr, table.insights tfoot tr").unwrap();
    let cell = scraper::Selector::parse("th, td").unwrap();
    html.select(&tr)
        .map(|r| {
            r.select(&cell)
                .map(|c| {
                    c.text()
                        .collect::<String>()
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect()
        })
        .collect()
}

fn row<'a>(rows: &'a [Vec<String>], label: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r[0] == label)
        .unwrap_or_else(|| panic!("no row {label} in {rows:?}"))
}

#[tokio::test]
async fn insights_show_hand_computed_medians_and_p90s_per_quarter() {
    let site = site(&invented()).await;
    let page = site.page("/insights").await;
    let rows = table(&page);
    // Newest quarter first, then the overall row.
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(
        row(&rows, "2024-Q1"),
        [
            "2024-Q1",
            "5",
            "12 min",
            "30 min from 4 of 5",
            "1 h",
            "4 h from 5 of 5",
            "1 h",
            "4 h from 5 of 5"
        ]
    );
    assert_eq!(
        row(&rows, "2024-Q2"),
        [
            "2024-Q2",
            "2",
            "10 min",
            "10 min from 1 of 2",
            "2 h",
            "2 h from 1 of 2",
            "2 h",
            "2 h from 1 of 2"
        ]
    );
    assert_eq!(
        row(&rows, "All"),
        [
            "All",
            "7",
            "12 min",
            "30 min from 5 of 7",
            "1 h",
            "4 h from 6 of 7",
            "1 h",
            "4 h from 6 of 7"
        ]
    );
    // Each figure says why the others were left out.
    let from = texts_of(&page, "ul.overall-from li");
    // d has no word for detection; f has one timed entry only.
    assert!(
        from[0].contains("from 5 of 7")
            && from[0].contains("2: no entry says when it was detected"),
        "{from:?}"
    );
    assert!(
        from[2].contains("from 6 of 7") && from[2].contains("1: only one time in its timeline"),
        "{from:?}"
    );
    // Four charts, drawn on the server, each bar a link.
    assert_eq!(texts_of(&page, "figure.insight-chart svg").len(), 4);
    assert_eq!(texts_of(&page, "#chart-count svg a").len(), 2);
}

#[tokio::test]
async fn the_csv_holds_the_same_figures_in_seconds() {
    let site = site(&invented()).await;
    let (status, csv) = site.get("/insights.csv").await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines,
        [
            "quarter,incidents,detect_from,detect_median_seconds,detect_p90_seconds,resolve_from,resolve_median_seconds,resolve_p90_seconds,impact_from,impact_median_seconds,impact_p90_seconds",
            "2024-Q1,5,4,720,1800,5,3600,14400,5,3600,14400",
            "2024-Q2,2,1,600,600,1,7200,7200,1,7200,7200",
            "all,7,5,720,1800,6,3600,14400,6,3600,14400",
        ]
    );
    // Filtered: SEV3 is c and d. Resolve [90, 240]: median #1 = 5400, p90 #2 = 14400.
    let (_, csv) = site.get("/insights.csv?severity=SEV3").await;
    assert!(
        csv.lines()
            .any(|l| l == "2024-Q1,2,1,1800,1800,2,5400,14400,2,5400,14400"),
        "{csv}"
    );
}

#[tokio::test]
async fn every_figure_links_to_the_incidents_it_came_from() {
    let site = site(&invented()).await;
    let page = site.page("/insights").await;
    let links = crate::support::attrs_of(&page, "table.insights tbody a.from", "href");
    let detect_q1 = links
        .iter()
        .find(|h| h.contains("quarter=2024-Q1") && h.contains("measure=detect"))
        .expect("a link behind Q1's time to detect");
    let list = site.page(detect_q1).await;
    assert_eq!(texts_of(&list, "ul.used li").len(), 4);
    let left = texts_of(&list, "ul.left-out li");
    assert_eq!(left.len(), 1);
    assert!(
        left[0].contains("Checkout errors D")
            && left[0].contains("no entry says when it was detected"),
        "{left:?}"
    );
}

#[tokio::test]
async fn filters_by_system_severity_and_year_narrow_the_figures() {
    let site = site(&invented()).await;
    let rows = table(&site.page("/insights?system=database").await);
    assert_eq!(row(&rows, "All")[1], "1");
    assert_eq!(row(&rows, "All")[2], "10 min");
    // A year shows its four quarters, empty ones too.
    let rows = table(&site.page("/insights?year=2024").await);
    let labels: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(labels, ["2024-Q4", "2024-Q3", "2024-Q2", "2024-Q1", "All"]);
    assert_eq!(row(&rows, "2024-Q3")[1], "0");
    assert_eq!(row(&rows, "2024-Q3")[2], "–");
}

/// The server keeps each filter's figures and the filter choices until the incidents
/// change: a change made by another process (here a second connection importing, as
/// `aftermath import` would) shows on the next computation, not after a delay.
#[tokio::test]
async fn figures_and_filters_follow_an_import_made_outside_the_server() {
    let site = site(&invented()).await;
    let rows = table(&site.page("/insights?system=database").await);
    assert_eq!(row(&rows, "All")[1], "1");
    let page = site.get("/insights").await.1;
    assert!(!page.contains("queueing"), "no such system yet");
    let docs = site.dir.path().join("incidents");
    std::fs::write(
        docs.join("2024-06-01-h.md"),
        postmortem(
            "Database stall H",
            "2024-06-01",
            "SEV2",
            "database, queueing",
            "",
            "The database stalled.",
            "- 2024-06-01 09:00 UTC: Writes stall\n- 2024-06-01 09:04 UTC: Alert fires\n- 2024-06-01 09:30 UTC: Service restored",
            "- [ ] Add a stall alarm (owner: ann, due: 2024-09-01)",
        ),
    )
    .unwrap();
    let other = aftermath::db::open(&site.dir.path().join("insights.db"))
        .await
        .unwrap();
    let report = import_folder(&other, &docs).await;
    assert_eq!(report.imported, 1);
    // Anonymous pages are kept whole for a few seconds by URL (`web::cache`); a
    // parameter the page does not know makes a new URL for the same filter, so what
    // answers is the filter's kept figures.
    let rows = table(&site.page("/insights?system=database&after=1").await);
    assert_eq!(row(&rows, "All")[1], "2", "{rows:?}");
    // Detected 4 min after the start, resolved after 30: medians of [10, 4] and
    // [120, 30] by nearest rank are the lower values.
    assert_eq!(row(&rows, "All")[2], "4 min", "{rows:?}");
    let page = site.get("/insights?after=1").await.1;
    assert!(
        page.contains("queueing"),
        "the new system is a filter choice"
    );
    // Editing it is a change too: moved to another system, it leaves this filter.
    let text = std::fs::read_to_string(docs.join("2024-06-01-h.md")).unwrap();
    std::fs::write(
        docs.join("2024-06-01-h.md"),
        text.replace("[database, queueing]", "[queueing]"),
    )
    .unwrap();
    import_folder(&other, &docs).await;
    let rows = table(&site.page("/insights?system=database&after=2").await);
    assert_eq!(row(&rows, "All")[1], "1", "{rows:?}");
}

#[tokio::test]
async fn bad_query_values_get_a_message_not_an_error() {
    let site = site(&invented()).await;
    for uri in [
        "/insights?year=abc",
        "/insights?year=99999999999999999999",
        "/insights?system=%FF%FE",
        "/insights/incidents?quarter=2024-Q9&measure=nonsense",
        "/insights.csv?year=%3Cscript%3E",
    ] {
        let (status, body) = site.get(uri).await;
        assert_eq!(status, 200, "{uri}");
        assert!(!body.contains("<script>"), "{uri}");
    }
    let page = site.page("/insights?year=abc").await;
    assert!(texts_of(&page, "p.note")[0].contains("is not a year"));
}

#[tokio::test]
async fn the_front_matter_overrides_the_detection_time_and_the_page_shows_the_rule() {
    let site = site(&invented()).await;
    let page = site.page("/incidents/2024-05-02-g").await;
    let detect: Vec<String> = texts_of(&page, ".glance .from-entry dd")
        .into_iter()
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(detect[0], "10 min from the front matter");
    assert_eq!(detect[1], "2 h from entry 3");
    let rule = texts_of(&page, ".milestone-rule p");
    assert!(rule[0].contains("detected:"), "{rule:?}");
    // Without an override the words decide, and the entry is named.
    let page = site.page("/incidents/2024-01-10-a").await;
    let detect = texts_of(&page, ".glance .from-entry dd");
    assert!(
        detect[0].split_whitespace().collect::<Vec<_>>().join(" ") == "12 min from entry 2",
        "{detect:?}"
    );
}

/// Three pairs of incidents naming the same failure, each earlier one with one action:
/// * DNS: done in its document, due 2023-05-20, before the later one (2024-02-01):
///   a recurrence.
/// * Certificate: still open: not a recurrence.
/// * Disk: done, but due 2024-05-01, after the later one started (2024-04-01): not one.
fn pairs() -> Vec<(String, String)> {
    let tl = |d: &str| {
        format!(
            "- {d} 10:00 UTC: Errors begin\n- {d} 10:10 UTC: Alert fires\n- {d} 11:00 UTC: Service restored"
        )
    };
    let pm = |name: &str, title: &str, date: &str, sys: &str, body: &str, action: &str| {
        (
            format!("{name}.md"),
            postmortem(title, date, "SEV2", sys, "", body, &tl(date), action),
        )
    };
    vec![
        pm(
            "2023-05-01-dns-edge",
            "Edge DNS failure",
            "2023-05-01",
            "dns",
            "A DNS failure at the edge: dns resolution stopped for the checkout domain.",
            "- [x] Add a second resolver (owner: ann, due: 2023-05-20)",
        ),
        pm(
            "2024-02-01-dns-again",
            "Checkout DNS failure",
            "2024-02-01",
            "dns",
            "Another DNS failure: dns resolution of the checkout domain failed again.",
            "- [ ] Monitor the resolvers (owner: ann, due: 2024-03-01)",
        ),
        pm(
            "2023-06-01-cert",
            "API certificate expired",
            "2023-06-01",
            "api-gateway",
            "The certificate expired on the API gateway and clients were refused.",
            "- [ ] Automate certificate renewal (owner: bo, due: 2023-07-01)",
        ),
        pm(
            "2024-03-01-cert-again",
            "Gateway certificate expired",
            "2024-03-01",
            "api-gateway",
            "An expired certificate on the API gateway refused clients again.",
            "- [ ] Alert before expiry (owner: bo, due: 2024-04-01)",
        ),
        pm(
            "2023-07-01-disk",
            "Log disk full",
            "2023-07-01",
            "logging",
            "The log volume was out of disk: disk full on the collectors.",
            "- [x] Rotate logs hourly (owner: cy, due: 2024-05-01)",
        ),
        pm(
            "2024-04-01-disk-again",
            "Collector disk full",
            "2024-04-01",
            "logging",
            "Disk full again on the log collectors: no space left on the volume.",
            "- [ ] Bigger volumes (owner: cy, due: 2024-06-01)",
        ),
    ]
}

#[tokio::test]
async fn an_incident_that_recurred_after_its_actions_were_done_is_found_and_the_others_not() {
    let site = site(&pairs()).await;
    let page = site.page("/recurrences").await;
    let later = texts_of(&page, "li.recurrence a.later");
    let earlier = texts_of(&page, "li.recurrence a.earlier");
    assert_eq!(later, ["Checkout DNS failure"]);
    assert_eq!(earlier, ["Edge DNS failure"]);
    let reason = texts_of(&page, "li.recurrence p.reason");
    assert!(
        reason[0].contains("same failure: DNS failure"),
        "{reason:?}"
    );
    let closed = texts_of(&page, "li.recurrence p");
    assert!(closed[1].contains("closed by 2023-05-20"), "{closed:?}");
    // Both incident pages say so, each naming the other.
    let page = site.page("/incidents/2024-02-01-dns-again").await;
    let notice = texts_of(&page, ".recurred");
    assert_eq!(notice.len(), 1);
    assert!(
        notice[0].contains("Recurred after its actions were closed")
            && notice[0].contains("Edge DNS failure")
    );
    let page = site.page("/incidents/2023-05-01-dns-edge").await;
    let notice = texts_of(&page, ".recurred");
    assert!(notice[0].contains("Checkout DNS failure"), "{notice:?}");
    // The pairs whose actions were open, or closed too late, have no notice, though
    // they are related by the same failure.
    for (slug, earlier) in [
        ("2024-03-01-cert-again", "API certificate expired"),
        ("2024-04-01-disk-again", "Log disk full"),
    ] {
        let page = site.page(&format!("/incidents/{slug}")).await;
        assert!(texts_of(&page, ".recurred").is_empty(), "{slug}");
        let related = texts_of(&page, "section.related li");
        assert!(
            related
                .iter()
                .any(|r| r.contains(earlier) && r.contains("same failure")),
            "{slug}: {related:?}"
        );
    }
    // The home page counts it and links to the list.
    let home = site.page("/").await;
    let count = texts_of(&home, "a.count[href='/recurrences'] strong");
    assert_eq!(count, ["1"]);
}

/// Checks an Atom document with Python's XML parser against the rules of RFC 4287 a
/// reader relies on; prints `ok <entries>` or the first broken rule.
const ATOM_CHECK: &str = r#"
import re, sys, xml.etree.ElementTree as ET
A = "{http://www.w3.org/2005/Atom}"
date = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
iri = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
def fail(why):
    print(why); sys.exit(0)
feed = ET.fromstring(sys.stdin.buffer.read())
if feed.tag != A + "feed": fail("root is " + feed.tag)
def one(parent, name, where):
    found = parent.findall(A + name)
    if len(found) != 1: fail(f"{where} has {len(found)} {name}")
    return found[0]
one(feed, "title", "feed")
if not iri.match(one(feed, "id", "feed").text or ""): fail("feed id is not an IRI")
if not date.match(one(feed, "updated", "feed").text or ""): fail("feed updated is not RFC 3339")
if not [l for l in feed.findall(A + "link") if l.get("rel") == "self"]: fail("no self link")
alternates = [(l.get("type"), l.get("hreflang")) for l in feed.findall(A + "link") if l.get("rel", "alternate") == "alternate"]
if len(alternates) != len(set(alternates)): fail("two alternate links of one type")
feed_author = feed.findall(A + "author")
ids = set()
entries = feed.findall(A + "entry")
for e in entries:
    i = one(e, "id", "entry").text or ""
    if not iri.match(i): fail("entry id is not an IRI: " + i)
    if i in ids: fail("duplicate entry id " + i)
    ids.add(i)
    one(e, "title", "entry")
    if not date.match(one(e, "updated", "entry").text or ""): fail("entry updated is not RFC 3339")
    for p in e.findall(A + "published"):
        if not date.match(p.text or ""): fail("entry published is not RFC 3339")
    if not feed_author and not e.findall(A + "author"): fail("entry without author")
    links = [l for l in e.findall(A + "link") if l.get("rel", "alternate") == "alternate"]
    if not e.findall(A + "content") and not links: fail("entry without content or link")
    for l in links:
        if not iri.match(l.get("href") or ""): fail("link is not absolute")
print("ok", len(entries))
"#;

fn atom_check(xml: &str) -> String {
    use std::io::Write;
    let mut child = std::process::Command::new("python3")
        .args(["-c", ATOM_CHECK])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(xml.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout).trim(),
        String::from_utf8_lossy(&out.stderr).trim()
    )
}

#[tokio::test]
async fn both_feeds_are_valid_atom_even_with_markup_and_control_characters_in_titles() {
    let mut files = invented();
    files.push((
        "2024-06-01-hostile.md".into(),
        postmortem(
            "\"Tom & Jerry <b>bold</b> ]]> \\a bell\"",
            "2024-06-01",
            "SEV2",
            "payments",
            "",
            "Text with <script>alert(1)</script> & an ampersand.",
            "- 2024-06-01 10:00 UTC: Errors begin",
            "- [ ] Escape <everything> & more (owner: eve, due: 2024-07-01)",
        ),
    ));
    let site = site(&files).await;
    let (status, xml) = site.get("/feed.atom").await;
    assert_eq!(status, 200);
    assert_eq!(atom_check(&xml), "ok 8", "{xml}");
    // Markup in a title is text: escaped, never an element.
    assert!(
        xml.contains("Tom &#38; Jerry &#60;b&#62;bold") && !xml.contains("<b>"),
        "{xml}"
    );
    // Every invented action is open and was due in 2024: all overdue.
    let (status, xml) = site.get("/actions/overdue.atom").await;
    assert_eq!(status, 200);
    assert_eq!(atom_check(&xml), "ok 8", "{xml}");
    // Longest overdue first; the ampersand escaped (Markdown drops the inline tag).
    assert!(
        xml.contains("<title>Overdue since 2024-07-01: Escape &#38; more</title>"),
        "{xml}"
    );
    // The checker itself refuses what is not Atom.
    assert_ne!(
        atom_check("<feed xmlns=\"http://www.w3.org/2005/Atom\"/>"),
        "ok 0"
    );
    assert!(atom_check("<feed><unclosed></feed>").contains("Error"));
}

/// `aftermath serve` over the invented incidents and the recurrence pairs.
fn serve_invented() -> (String, crate::support::ProcessGroup, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    std::fs::create_dir_all(&docs).unwrap();
    for (name, text) in invented().into_iter().chain(pairs()) {
        std::fs::write(docs.join(name), text).unwrap();
    }
    let (base, process) =
        crate::support::serve(crate::support::aftermath_command(dir.path()).args([
            "--database",
            "web.db",
            "serve",
        ]));
    (base.trim_end_matches('/').to_string(), process, dir)
}

#[tokio::test]
#[ignore = "needs chromium and chromedriver; run by scripts/test"]
async fn insights_and_recurrences_read_on_a_phone_and_a_wide_screen() {
    let (base, _server, _dir) = serve_invented();
    for (width, height) in [(390, 844), (1280, 900)] {
        let browser = crate::chromium::Browser::start(width, height).await;
        for (name, path) in [("insights", "/insights"), ("recurrences", "/recurrences")] {
            browser.goto(&format!("{base}{path}")).await;
            browser.find("main h1").await;
            // The charts' labels keep a legible size at every width (no viewBox).
            let smallest = browser
                .execute(
                    "return Math.min(1000, ...Array.from(document.querySelectorAll('svg text'))
                        .map(e => parseFloat(getComputedStyle(e).fontSize)));",
                )
                .await;
            assert!(
                smallest.as_f64().unwrap() >= 11.0,
                "{name} at {width}: {smallest}"
            );
            // `screenshot` also checks that nothing is wider than the window.
            browser
                .screenshot(&format!("insights-{width}-{name}"))
                .await;
        }
        // A bar of the chart is a link to the incidents it counts.
        browser.goto(&format!("{base}/insights")).await;
        browser
            .find("#chart-detect svg a")
            .await
            .click()
            .await
            .unwrap();
        let url = browser
            .wait_for_url("the list behind a bar", |u| {
                u.contains("/insights/incidents")
            })
            .await;
        assert!(url.contains("measure=detect"), "{url}");
        browser.screenshot(&format!("insights-{width}-list")).await;
        browser.close().await;
    }
}
