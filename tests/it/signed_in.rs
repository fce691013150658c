//! People who sign in: their incident pages come from a kept copy with only the CSRF
//! token filled in per person, so the tests check that a page is the same as a fresh
//! one after an action change and that one person's token never reaches another; and
//! the paged lists (the API, the actions page) give every row exactly once, also while
//! actions change between pages. A real server on 127.0.0.1 over a real SQLite file.

use super::support::{default_site, web_site_with};
use aftermath::db::accounts;
use scraper::{Html, Selector};
use sqlx::SqlitePool;
use std::collections::{BTreeSet, HashSet};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A response off the wire.
struct Reply {
    status: u16,
    head: String,
    body: String,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }

    fn html(&self) -> Html {
        Html::parse_document(&self.body)
    }
}

/// The site (the samples and `synthetic` generated postmortems, for lists longer than
/// a page) served on a free port of 127.0.0.1.
struct Served {
    base: SocketAddr,
    pool: SqlitePool,
    _site: super::support::WebSite,
    _synthetic: tempfile::TempDir,
}

async fn serve(synthetic: u64) -> Served {
    let generated = tempfile::tempdir().unwrap();
    if synthetic > 0 {
        aftermath::synth::write_corpus(generated.path(), 15, synthetic).unwrap();
    }
    let site = web_site_with(&[generated.path().to_path_buf()], default_site()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = listener.local_addr().unwrap();
    let app = site.app.clone();
    tokio::spawn(async move {
        axum::serve(
            listener,
            app.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
    });
    Served {
        base,
        pool: site.pool.clone(),
        _site: site,
        _synthetic: generated,
    }
}

/// One HTTP/1.1 exchange over a new connection, bounded in time.
async fn exchange(
    base: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    json: Option<&str>,
) -> Reply {
    let work = async {
        let mut stream = tokio::net::TcpStream::connect(base).await.unwrap();
        let body = json.unwrap_or("");
        let mut request =
            format!("{method} {path} HTTP/1.1\r\nHost: {base}\r\nConnection: close\r\n");
        for (k, v) in headers {
            request.push_str(&format!("{k}: {v}\r\n"));
        }
        if json.is_some() {
            request.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        request.push_str("\r\n");
        request.push_str(body);
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).await.unwrap();
        bytes
    };
    let bytes = tokio::time::timeout(Duration::from_secs(60), work)
        .await
        .expect("the server answers within a minute");
    let text = String::from_utf8(bytes).expect("answers are UTF-8");
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    Reply {
        status,
        head: head.to_string(),
        body: if chunked {
            dechunk(body)
        } else {
            body.to_string()
        },
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        body = rest[n..].trim_start_matches("\r\n");
    }
    out
}

async fn get(base: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Reply {
    exchange(base, "GET", path, headers, None).await
}

/// A person with a browser session and an API token.
struct Person {
    cookie: String,
    csrf: String,
    token: String,
}

async fn person(pool: &SqlitePool, name: &str) -> Person {
    let user = accounts::create_user(pool, name, "correct horse battery")
        .await
        .unwrap();
    let (session, csrf) = accounts::create_session(pool, &user).await.unwrap();
    let token = accounts::create_api_token(pool, &user, "test")
        .await
        .unwrap();
    Person {
        cookie: format!("{}={session}", aftermath::web::identity::SESSION_COOKIE),
        csrf,
        token: format!("Bearer {token}"),
    }
}

fn values(html: &Html, selector: &str, attr: &str) -> Vec<String> {
    let s = Selector::parse(selector).unwrap();
    html.select(&s)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// The incident with the most actions, and one of its actions.
async fn incident_with_actions(pool: &SqlitePool) -> (String, String) {
    sqlx::query_as(
        "select i.slug, a.id from actions a join incidents i on i.id = a.incident_id
         where a.removed_at is null
         order by (select count(*) from actions b where b.incident_id = i.id) desc, i.slug, a.position
         limit 1",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

/// The status an incident page shows for an action, and the owner its form holds.
fn shown(html: &Html, id: &str) -> (String, String) {
    let status = Selector::parse(&format!("#action-{id} .badge.status")).unwrap();
    let owner = Selector::parse(&format!("#action-{id} input[name=owner]")).unwrap();
    (
        html.select(&status)
            .next()
            .map(|e| e.text().collect::<String>())
            .unwrap_or_default(),
        html.select(&owner)
            .next()
            .and_then(|e| e.value().attr("value"))
            .unwrap_or_default()
            .to_string(),
    )
}

#[tokio::test]
async fn a_signed_in_incident_page_shows_an_action_change_at_once() {
    let s = serve(0).await;
    let zoe = person(&s.pool, "zoe-quill").await;
    let (slug, id) = incident_with_actions(&s.pool).await;
    let path = format!("/incidents/{slug}");
    let cookie = [("Cookie", zoe.cookie.as_str())];
    let before = get(s.base, &path, &cookie).await;
    assert_eq!(before.status, 200, "{}", before.body);
    // Kept now; asked again it is the same page.
    let again = get(s.base, &path, &cookie).await;
    assert_eq!(again.body, before.body);

    let change = r#"{"status": "in_progress", "owner": "Mira Castellan"}"#;
    let r = exchange(
        s.base,
        "POST",
        &format!("/api/actions/{id}"),
        &[("Authorization", zoe.token.as_str())],
        Some(change),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);

    let after = get(s.base, &path, &cookie).await.html();
    assert_eq!(
        shown(&after, &id),
        ("in progress".to_string(), "Mira Castellan".to_string())
    );
    // The forms still carry this person's token, and only it.
    let tokens = values(&after, "form input[name=csrf]", "value");
    assert!(!tokens.is_empty(), "a signed-in page has action forms");
    assert!(tokens.iter().all(|t| *t == zoe.csrf), "{tokens:?}");
    // The same change seen by someone not signed in (no forms, same status).
    let anonymous = get(s.base, &path, &[]).await.html();
    assert_eq!(shown(&anonymous, &id).0, "in progress");
    assert!(values(&anonymous, "form input[name=csrf]", "value").is_empty());
}

#[tokio::test]
async fn one_persons_csrf_token_never_reaches_another() {
    let s = serve(0).await;
    let (slug, _) = incident_with_actions(&s.pool).await;
    let path = format!("/incidents/{slug}");
    let people = [
        person(&s.pool, "zoe-quill").await,
        person(&s.pool, "yannick-ormsby").await,
    ];
    // Each in turn, several times: the first request renders and keeps the page, the
    // others are filled in from it.
    for round in 0..3 {
        for (k, p) in people.iter().enumerate() {
            let page = get(s.base, &path, &[("Cookie", p.cookie.as_str())]).await;
            assert_eq!(page.status, 200);
            let tokens = values(&page.html(), "form input[name=csrf]", "value");
            assert!(!tokens.is_empty());
            assert!(
                tokens.iter().all(|t| *t == p.csrf),
                "round {round}, person {k}: {tokens:?}"
            );
            let other = &people[1 - k];
            assert!(!page.body.contains(&other.csrf), "the other person's token");
            assert!(!page.body.contains("csrf-placeholder"), "the placeholder");
            for name in ["zoe-quill", "yannick-ormsby"] {
                assert!(!page.body.contains(name), "a page names nobody: {name}");
            }
        }
    }
    // An API token has no CSRF token: its page carries an empty one, not someone's.
    let by_token = get(
        s.base,
        &path,
        &[("Authorization", people[0].token.as_str())],
    )
    .await;
    let tokens = values(&by_token.html(), "form input[name=csrf]", "value");
    assert!(tokens.iter().all(String::is_empty), "{tokens:?}");
    // A token nobody was given, or a session that does not exist, shows the page
    // without forms, even once the page is kept for people who are signed in.
    for (k, v) in [
        ("Authorization", "Bearer not-a-token"),
        ("Cookie", "aftermath_session=not-a-session"),
    ] {
        let page = get(s.base, &path, &[(k, v)]).await;
        assert_eq!(page.status, 200);
        assert!(values(&page.html(), "form input[name=csrf]", "value").is_empty());
    }
    // A cookie value that is not a token is escaped, never markup.
    let hostile = "x\"><b>y";
    let anonymous_cookie = format!("aftermath_csrf={hostile}");
    let page = get(s.base, &path, &[("Cookie", anonymous_cookie.as_str())]).await;
    assert!(!page.body.contains(hostile));
}

/// Follows `Link: rel="next"` from `first`, at most `max_pages` pages, calling
/// `between` after each page; the ids of every row seen, in order.
async fn walk<F, Fut>(
    base: SocketAddr,
    first: &str,
    rows: impl Fn(&serde_json::Value) -> Vec<String>,
    max_pages: usize,
    mut between: F,
) -> Vec<String>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut seen = Vec::new();
    let mut next = Some(first.to_string());
    let mut pages = 0;
    while let Some(path) = next.take() {
        assert!(pages < max_pages, "more than {max_pages} pages");
        let r = get(base, &path, &[]).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
        let json: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        seen.extend(rows(&json));
        next = r.header("link").map(|l| {
            assert!(l.ends_with("; rel=\"next\""), "{l}");
            l.trim_start_matches('<')
                .split_once('>')
                .unwrap()
                .0
                .to_string()
        });
        pages += 1;
        between(pages).await;
    }
    seen
}

fn ids(json: &serde_json::Value, list: Option<&str>, key: &str) -> Vec<String> {
    let items = match list {
        Some(l) => &json[l],
        None => json,
    };
    items
        .as_array()
        .expect("a list")
        .iter()
        .map(|r| r[key].as_str().expect("an id").to_string())
        .collect()
}

#[tokio::test]
async fn walking_the_api_pages_sees_every_action_once_while_actions_change() {
    let s = serve(40).await;
    let zoe = person(&s.pool, "zoe-quill").await;
    let all: Vec<String> =
        sqlx::query_scalar("select id from actions where removed_at is null order by id")
            .fetch_all(&s.pool)
            .await
            .unwrap();
    assert!(
        all.len() > 200,
        "enough actions for many pages: {}",
        all.len()
    );
    // Between pages, someone changes actions on both sides of the walk's position:
    // statuses (which the due and status orders would move), owners and due dates.
    let changes = [
        r#"{"status": "done"}"#,
        r#"{"due": "2001-01-01", "owner": "Ana"}"#,
        r#"{"status": "open", "due": ""}"#,
        r#"{"status": "wontfix"}"#,
    ];
    let pool = s.pool.clone();
    let token = zoe.token.clone();
    let base = s.base;
    let seen = walk(
        s.base,
        "/api/actions?status=all&limit=37",
        |j| ids(j, None, "id"),
        1000,
        |page| {
            let pool = pool.clone();
            let token = token.clone();
            async move {
                let picked: Vec<String> = sqlx::query_scalar(
                    "select id from actions where removed_at is null order by (rowid * 7919 + ?) % 997 limit 3",
                )
                .bind(page as i64)
                .fetch_all(&pool)
                .await
                .unwrap();
                for (k, id) in picked.iter().enumerate() {
                    let body = changes[(page + k) % changes.len()];
                    let r = exchange(
                        base,
                        "POST",
                        &format!("/api/actions/{id}"),
                        &[("Authorization", token.as_str())],
                        Some(body),
                    )
                    .await;
                    assert!(r.status == 200 || r.status == 422, "{}", r.body);
                }
            }
        },
    )
    .await;
    let unique: HashSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "an action was listed twice");
    assert_eq!(
        seen.iter().cloned().collect::<BTreeSet<_>>(),
        all.into_iter().collect::<BTreeSet<_>>(),
        "every action, once"
    );
}

#[tokio::test]
async fn api_pages_are_bounded_and_refuse_what_they_cannot_read() {
    let s = serve(40).await;
    let page = get(s.base, "/api/actions?status=all", &[]).await;
    let rows: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 100, "100 by default");
    let cursor = page.header("x-next-cursor").expect("a next cursor");
    assert!(page.header("link").unwrap().contains(cursor));
    let big = get(s.base, "/api/actions?status=all&limit=5000", &[]).await;
    let rows: serde_json::Value = serde_json::from_str(&big.body).unwrap();
    assert!(rows.as_array().unwrap().len() <= 1000, "at most 1000");
    for bad in [
        "/api/actions?limit=many",
        "/api/actions?cursor=not-ours",
        "/api/incidents?cursor=not-ours",
    ] {
        let r = get(s.base, bad, &[]).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert!(r.body.contains("\"error\""));
    }
    // A cursor of the actions list is not one of the incidents list.
    let r = get(s.base, &format!("/api/incidents?cursor={cursor}"), &[]).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn walking_the_incident_pages_sees_every_incident_once() {
    let s = serve(40).await;
    let all: Vec<String> =
        sqlx::query_scalar("select slug from incidents where removed_at is null")
            .fetch_all(&s.pool)
            .await
            .unwrap();
    let seen = walk(
        s.base,
        "/api/incidents?limit=9",
        |j| {
            assert!(j["total"].as_i64().unwrap() > 0);
            ids(j, Some("incidents"), "slug")
        },
        200,
        |_| async {},
    )
    .await;
    assert_eq!(seen.len(), all.len(), "no incident twice");
    assert_eq!(
        seen.into_iter().collect::<BTreeSet<_>>(),
        all.into_iter().collect::<BTreeSet<_>>()
    );
}

#[tokio::test]
async fn the_actions_page_leads_on_page_by_page_in_every_order() {
    let s = serve(40).await;
    let zoe = person(&s.pool, "zoe-quill").await;
    let all: BTreeSet<String> =
        sqlx::query_scalar("select id from actions where removed_at is null")
            .fetch_all(&s.pool)
            .await
            .unwrap()
            .into_iter()
            .collect();
    for sort in ["due", "age", "incident"] {
        let mut seen = Vec::new();
        let mut next = Some(format!("/actions?status=all&sort={sort}"));
        let mut pages = 0;
        while let Some(path) = next.take() {
            assert!(pages < 100, "too many pages");
            let page = get(s.base, &path, &[("Cookie", zoe.cookie.as_str())]).await;
            assert_eq!(page.status, 200, "{path}");
            let html = page.html();
            let rows = values(&html, "table.worklist tbody tr", "id");
            assert!(rows.len() <= 100);
            seen.extend(
                rows.iter()
                    .map(|r| r.trim_start_matches("action-").to_string()),
            );
            // Every page's forms carry this person's token.
            let tokens = values(&html, "input[name=csrf]", "value");
            assert!(tokens.iter().all(|t| *t == zoe.csrf));
            next = values(&html, "nav.pager a[rel=next]", "href")
                .first()
                .map(|h| h.replace("&amp;", "&"));
            pages += 1;
        }
        assert!(pages > 1, "{sort}: more than one page");
        assert_eq!(seen.len(), all.len(), "{sort}: no action twice");
        assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), all, "{sort}");
    }
}

/// The actions page reads along an index where one serves its order (the due order, the
/// open actions without an owner, the age and incident orders from the incidents'
/// side): page by page, each way must give exactly the rows and the order of the plain
/// query that sorts every match (no limit, the planner's own plan).
#[tokio::test]
async fn every_way_of_reading_the_actions_list_gives_the_sorted_order() {
    use aftermath::db::actions::{ActionFilter, ActionSort, list};
    use aftermath::model::ActionStatus;
    let s = serve(60).await;
    // Some actions without an owner, with and without a due date.
    sqlx::query(
        "update actions set owner = null where rowid % 7 = 0;
         update actions set due = null where rowid % 14 = 0",
    )
    .execute(&s.pool)
    .await
    .unwrap();
    let today = jiff::civil::date(2025, 6, 1);
    for sort in [ActionSort::Due, ActionSort::Age, ActionSort::Incident] {
        for case in ["open", "all", "done", "overdue", "no owner"] {
            let mut filter = ActionFilter::new(today, 30);
            filter.sort = sort;
            match case {
                "open" => filter = filter.open(),
                "done" => filter.statuses = vec![ActionStatus::Done],
                "overdue" => filter.overdue = true,
                "no owner" => filter.no_owner = true,
                _ => {}
            }
            let whole: Vec<String> = list(&s.pool, &filter)
                .await
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect();
            assert!(!whole.is_empty(), "{sort:?} {case}: the sample has some");
            let mut paged = Vec::new();
            let mut page = filter.clone();
            page.limit = Some(7);
            for _ in 0..1000 {
                let rows = list(&s.pool, &page).await.unwrap();
                let Some(last) = rows.last() else { break };
                page.after = Some(last.sort_key.clone());
                paged.extend(rows.into_iter().map(|r| r.id));
            }
            assert_eq!(paged, whole, "{sort:?} {case}");
        }
    }
}

/// The numbers the actions page shows: the counts, then per owner (name, open, overdue).
fn page_counts(html: &Html) -> (Vec<String>, Vec<(String, String, String)>) {
    let strong = Selector::parse("a.count strong").unwrap();
    let counts = html
        .select(&strong)
        .map(|e| e.text().collect::<String>())
        .collect();
    let row = Selector::parse("table.list tbody tr").unwrap();
    let cell = Selector::parse("td").unwrap();
    let owners = html
        .select(&row)
        .map(|r| {
            let c: Vec<String> = r.select(&cell).map(|c| c.text().collect()).collect();
            (c[0].clone(), c[1].clone(), c[2].clone())
        })
        .filter(|(name, _, _)| name != "no owner")
        .collect();
    (counts, owners)
}

/// What the page should show, counted afresh from the database.
async fn fresh_counts(pool: &SqlitePool) -> (Vec<String>, Vec<(String, String, String)>) {
    use aftermath::db::actions;
    let today = aftermath::tracking::today();
    let c = actions::counts(pool, today, default_site().stale_days)
        .await
        .unwrap();
    let counts = [
        c.open,
        c.in_progress,
        c.unknown,
        c.overdue,
        c.stale,
        c.no_owner,
        c.done,
    ]
    .iter()
    .map(|n| n.to_string())
    .collect();
    let owners = actions::per_owner(pool, today)
        .await
        .unwrap()
        .into_iter()
        .map(|o| (o.owner, o.open.to_string(), o.overdue.to_string()))
        .collect();
    (counts, owners)
}

/// A change made through the server updates the counts it keeps (instead of counting
/// every action again): after each of a series of changes the actions page shows what
/// a fresh count says, per status, overdue, stale, without owner and per owner.
#[tokio::test]
async fn the_kept_action_counts_follow_every_change() {
    let s = serve(30).await;
    let zoe = person(&s.pool, "zoe-quill").await;
    let cookie = [("Cookie", zoe.cookie.as_str())];
    let owners_page = "/actions?view=owners";
    let shown = get(s.base, owners_page, &cookie).await.html();
    assert_eq!(page_counts(&shown), fresh_counts(&s.pool).await);
    let ids: Vec<String> =
        sqlx::query_scalar("select id from actions where removed_at is null order by id limit 6")
            .fetch_all(&s.pool)
            .await
            .unwrap();
    let changes = [
        r#"{"status": "done"}"#,
        r#"{"owner": ""}"#,
        r#"{"owner": "Mira Castellan", "due": "2020-01-01"}"#,
        r#"{"status": "wontfix"}"#,
        r#"{"status": "in_progress", "owner": "mira castellan"}"#,
        r#"{"status": "open", "due": "2999-01-01"}"#,
    ];
    for (id, change) in ids.iter().zip(changes) {
        let r = exchange(
            s.base,
            "POST",
            &format!("/api/actions/{id}"),
            &[("Authorization", zoe.token.as_str())],
            Some(change),
        )
        .await;
        assert_eq!(r.status, 200, "{change}: {}", r.body);
        let shown = get(s.base, owners_page, &cookie).await.html();
        let (counts, owners) = page_counts(&shown);
        let (want_counts, want_owners) = fresh_counts(&s.pool).await;
        assert_eq!(counts, want_counts, "after {change}");
        // Owners with the same numbers may come in either case of their name.
        let lower = |v: Vec<(String, String, String)>| -> Vec<(String, String, String)> {
            v.into_iter()
                .map(|(n, o, d)| (n.to_lowercase(), o, d))
                .collect()
        };
        assert_eq!(lower(owners), lower(want_owners), "after {change}");
    }
}
