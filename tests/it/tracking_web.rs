//! Changing actions over HTTP: identity rules, CSRF, bad values, history, sessions,
//! the JSON API, and tracking that survives a re-import. Driven in-process through
//! `web::app` over a real SQLite file.

use super::support::{Page, WebSite, encode, web_site_with};
use aftermath::db;
use aftermath::import::{self, Options};
use aftermath::web::Site;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use scraper::{Html, Selector};
use sqlx::SqlitePool;

/// The samples (and `extra` files) behind a trusted proxy on 127.0.0.1 that sets
/// `X-Forwarded-User`, answering to `aftermath.test`.
async fn site_with(extra: &[(&str, &str)]) -> WebSite {
    let files = tempfile::tempdir().unwrap();
    for (name, text) in extra {
        std::fs::write(files.path().join(name), text).unwrap();
    }
    let site = Site {
        stale_days: 30,
        user_header: Some(header::HeaderName::from_static("x-forwarded-user")),
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        public_hosts: vec!["aftermath.test".into()],
        ..Site::default()
    };
    web_site_with(&[files.path().to_path_buf()], site).await
}

async fn site() -> WebSite {
    site_with(&[]).await
}

/// Sends `req` to the site as if over a connection from `peer`.
async fn send(site: &WebSite, req: Request<Body>, peer: &str) -> Page {
    site.send(req, Some(peer)).await
}

fn get(path: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::get(path);
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::empty()).unwrap()
}

fn post(path: &str, form: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut b = Request::post(path)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::HOST, "aftermath.test");
    for (k, v) in headers {
        b = b.header(*k, *v);
    }
    b.body(Body::from(form.to_string())).unwrap()
}

/// The first action of the CERNphone sample (it has several).
async fn an_action(pool: &SqlitePool) -> String {
    sqlx::query_scalar(
        "select a.id from actions a join incidents i on i.id = a.incident_id
         where i.slug = '2024-07-05-cernphone-outages' order by a.position limit 1",
    )
    .fetch_one(pool)
    .await
    .unwrap()
}

async fn status_of(pool: &SqlitePool, id: &str) -> (String, Option<String>) {
    sqlx::query_as("select status, owner from actions where id = ?")
        .bind(id)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// The CSRF cookie and the token in the page's form, as a proxy-identified user sees it.
async fn form_token(site: &WebSite, path: &str, user: &str) -> (String, String) {
    let r = send(site, get(path, &[("x-forwarded-user", user)]), "127.0.0.1").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cookie = r
        .headers
        .get(header::SET_COOKIE)
        .expect("a CSRF cookie")
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    assert!(
        r.headers[header::SET_COOKIE]
            .to_str()
            .unwrap()
            .contains("HttpOnly")
    );
    let html = Html::parse_document(&r.body);
    let token = html
        .select(&Selector::parse("form input[name=csrf]").unwrap())
        .next()
        .expect("a form with a CSRF token")
        .value()
        .attr("value")
        .unwrap()
        .to_string();
    (cookie, token)
}

/// The CSRF cookie (`name=value`) the sign-in page sets for a visitor without one, and
/// its token.
async fn login_csrf(site: &WebSite) -> (String, String) {
    let login = send(site, get("/login", &[]), "127.0.0.1").await;
    let cookie = login.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = cookie.split_once('=').unwrap().1.to_string();
    (cookie, token)
}

#[tokio::test]
async fn a_trusted_proxy_user_changes_an_action_and_the_history_says_who() {
    let s = site().await;
    let id = an_action(&s.pool).await;
    let path = format!("/actions/{id}");
    let (cookie, token) = form_token(&s, &path, "alice").await;
    let r = send(
        &s,
        post(
            &path,
            &format!("csrf={token}&status=in_progress&owner=alice&due=2027-01-15&note=on+it"),
            &[("cookie", &cookie), ("x-forwarded-user", "alice")],
        ),
        "127.0.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        status_of(&s.pool, &id).await,
        ("in_progress".into(), Some("alice".into()))
    );
    let page = send(&s, get(&path, &[]), "127.0.0.1").await;
    let html = Html::parse_document(&page.body);
    let history: Vec<String> = html
        .select(&Selector::parse("ol.history li").unwrap())
        .map(|li| li.text().collect::<String>())
        .collect();
    assert!(
        history
            .iter()
            .any(|h| h.contains("alice (web)") && h.contains("status")),
        "{history:?}"
    );
    assert!(
        history.iter().any(|h| h.contains("note: on it")),
        "{history:?}"
    );
}

#[tokio::test]
async fn writing_without_an_identity_is_refused() {
    let s = site().await;
    let id = an_action(&s.pool).await;
    let path = format!("/actions/{id}");
    // A CSRF cookie and token from the sign-in page, but no identity.
    let (cookie, token) = login_csrf(&s).await;
    let before = status_of(&s.pool, &id).await;
    let r = send(
        &s,
        post(
            &path,
            &format!("csrf={token}&status=done"),
            &[("cookie", &cookie)],
        ),
        "127.0.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(status_of(&s.pool, &id).await, before);
}

#[tokio::test]
async fn a_proxy_header_from_an_untrusted_address_is_ignored() {
    let s = site().await;
    let id = an_action(&s.pool).await;
    let path = format!("/actions/{id}");
    let r = send(
        &s,
        get(&path, &[("x-forwarded-user", "mallory")]),
        "10.9.9.9",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let html = Html::parse_document(&r.body);
    assert_eq!(
        html.select(&Selector::parse("form input[name=csrf]").unwrap())
            .count(),
        0,
        "no form is offered to an unidentified visitor"
    );
    let (cookie, token) = form_token(&s, &path, "alice").await;
    let before = status_of(&s.pool, &id).await;
    let r = send(
        &s,
        post(
            &path,
            &format!("csrf={token}&status=done"),
            &[("cookie", &cookie), ("x-forwarded-user", "mallory")],
        ),
        "10.9.9.9",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(status_of(&s.pool, &id).await, before);
}

#[tokio::test]
async fn csrf_failures_and_cross_site_posts_are_refused() {
    let s = site().await;
    let id = an_action(&s.pool).await;
    let path = format!("/actions/{id}");
    let (cookie, token) = form_token(&s, &path, "alice").await;
    let before = status_of(&s.pool, &id).await;
    let user = ("x-forwarded-user", "alice");
    for (form, extra) in [
        ("csrf=wrong&status=done".to_string(), None),
        ("status=done".to_string(), None),
        (
            format!("csrf={token}&status=done"),
            Some(("origin", "https://evil.example")),
        ),
        (
            format!("csrf={token}&status=done"),
            Some(("origin", "null")),
        ),
    ] {
        let mut headers = vec![("cookie", cookie.as_str()), user];
        headers.extend(extra);
        let r = send(&s, post(&path, &form, &headers), "127.0.0.1").await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{form} {extra:?}");
    }
    assert_eq!(status_of(&s.pool, &id).await, before);
    // The same post from this site's own origin goes through.
    let r = send(
        &s,
        post(
            &path,
            &format!("csrf={token}&status=done"),
            &[
                ("cookie", &cookie),
                user,
                ("origin", "http://aftermath.test"),
            ],
        ),
        "127.0.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn bad_values_get_a_message_next_to_the_form_never_a_500() {
    let s = site().await;
    let id = an_action(&s.pool).await;
    let path = format!("/actions/{id}");
    let (cookie, token) = form_token(&s, &path, "alice").await;
    let before = status_of(&s.pool, &id).await;
    let long_owner = "x".repeat(10 * 1024);
    for (form, field) in [
        (format!("csrf={token}&status=finished"), "status"),
        (format!("csrf={token}&due=2026-02-30"), "due"),
        (format!("csrf={token}&due=tomorrow"), "due"),
        (format!("csrf={token}&owner={long_owner}"), "owner"),
        (
            format!("csrf={token}&owner={}", encode("bob\u{7}")),
            "owner",
        ),
        (format!("csrf={token}&note={}", "n".repeat(5000)), "note"),
    ] {
        let r = send(
            &s,
            post(
                &path,
                &form,
                &[("cookie", &cookie), ("x-forwarded-user", "alice")],
            ),
            "127.0.0.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}");
        let html = Html::parse_document(&r.body);
        let error: String = html
            .select(&Selector::parse("#form-error").unwrap())
            .next()
            .unwrap_or_else(|| panic!("no error shown for {field}"))
            .text()
            .collect();
        assert!(error.starts_with(field), "{field}: {error}");
        // The form is shown again beside the message.
        assert!(
            html.select(&Selector::parse("form input[name=owner]").unwrap())
                .next()
                .is_some()
        );
    }
    assert_eq!(status_of(&s.pool, &id).await, before);
}

#[tokio::test]
async fn built_in_accounts_sign_in_with_a_secure_session_cookie() {
    let s = site().await;
    db::accounts::create_user(&s.pool, "carol", "correct horse battery")
        .await
        .unwrap();
    let (csrf_cookie, token) = login_csrf(&s).await;
    let wrong = send(
        &s,
        post(
            "/login",
            &format!("csrf={token}&name=carol&password=nope"),
            &[("cookie", &csrf_cookie)],
        ),
        "127.0.0.1",
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let ok = send(
        &s,
        post(
            "/login",
            &format!("csrf={token}&name=carol&password=correct+horse+battery"),
            &[("cookie", &csrf_cookie), ("x-forwarded-proto", "https")],
        ),
        "127.0.0.1",
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    let set = ok.headers[header::SET_COOKIE].to_str().unwrap().to_string();
    for flag in ["HttpOnly", "SameSite=Lax", "Secure"] {
        assert!(set.contains(flag), "{set}");
    }
    let session = set.split(';').next().unwrap().to_string();
    let id = an_action(&s.pool).await;
    let path = format!("/actions/{id}");
    let page = send(&s, get(&path, &[("cookie", &session)]), "127.0.0.1").await;
    let html = Html::parse_document(&page.body);
    let token = html
        .select(&Selector::parse("form input[name=csrf]").unwrap())
        .next()
        .unwrap()
        .value()
        .attr("value")
        .unwrap()
        .to_string();
    let r = send(
        &s,
        post(
            &path,
            &format!("csrf={token}&status=wontfix"),
            &[("cookie", &session)],
        ),
        "127.0.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let events = db::actions::history(&s.pool, &id).await.unwrap();
    assert!(
        events
            .iter()
            .any(|e| e.actor == "carol" && e.field == "status")
    );
}

/// POSTs a sign-in as `name` with `password` from `peer`, with a fresh CSRF cookie.
async fn sign_in(site: &WebSite, name: &str, password: &str, peer: &str) -> Page {
    let (cookie, token) = login_csrf(site).await;
    send(
        site,
        post(
            "/login",
            &format!(
                "csrf={token}&name={}&password={}",
                encode(name),
                encode(password)
            ),
            &[("cookie", &cookie)],
        ),
        peer,
    )
    .await
}

fn login_error(reply: &Page) -> String {
    let html = Html::parse_document(&reply.body);
    html.select(&Selector::parse("p.error[role=alert]").unwrap())
        .map(|e| e.text().collect::<String>())
        .collect()
}

#[tokio::test]
async fn repeated_wrong_passwords_lock_the_name_out_from_that_address_even_for_the_right_password()
{
    let s = site().await;
    for name in ["carol", "dave"] {
        db::accounts::create_user(&s.pool, name, "correct horse battery")
            .await
            .unwrap();
    }
    // The right password before the limit works and wipes earlier failures.
    for _ in 0..4 {
        let r = sign_in(&s, "carol", "nope", "192.0.2.10").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    let r = sign_in(&s, "carol", "correct horse battery", "192.0.2.11").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

    for _ in 0..5 {
        let r = sign_in(&s, "Carol", "nope", "192.0.2.12").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
        assert_eq!(login_error(&r), "That name and password do not match.");
    }
    let locked = sign_in(&s, "carol", "correct horse battery", "192.0.2.12").await;
    assert_eq!(
        locked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "{}",
        locked.body
    );
    // The oldest failure leaves the 15-minute window in (a little under) 15 minutes.
    let message = login_error(&locked);
    assert!(
        [14, 15]
            .map(|m| format!("Too many failed sign-in attempts; try again in {m} minutes."))
            .contains(&message),
        "{message}"
    );
    assert!(locked.headers.get(header::SET_COOKIE).is_none());
    let wait: u64 = locked.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=900).contains(&wait), "{wait}");
    // The form is still there, with the name kept.
    let html = Html::parse_document(&locked.body);
    let name = html
        .select(&Selector::parse("form input[name=name]").unwrap())
        .next()
        .unwrap()
        .value()
        .attr("value")
        .unwrap()
        .to_string();
    assert_eq!(name, "carol");

    // Another account is not locked by carol's failures, nor is carol elsewhere: a
    // stranger's guesses cannot lock the owner out.
    let r = sign_in(&s, "dave", "correct horse battery", "192.0.2.12").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = sign_in(&s, "carol", "correct horse battery", "192.0.2.14").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // A forged CSRF token is still refused first, locked or not.
    let r = send(
        &s,
        post("/login", "csrf=forged&name=carol&password=x", &[]),
        "192.0.2.13",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn one_client_guessing_many_names_is_locked_out_by_its_forwarded_address() {
    let s = site().await;
    db::accounts::create_user(&s.pool, "erin", "correct horse battery")
        .await
        .unwrap();
    // Behind the trusted proxy (127.0.0.1) the client is the address it forwards; what
    // the client itself wrote to the left of it does not count.
    let guess = |name: String, client: &'static str, claimed: String| {
        let site = &s;
        async move {
            let (cookie, token) = login_csrf(site).await;
            let forwarded = format!("{claimed}, {client}");
            send(
                site,
                post(
                    "/login",
                    &format!("csrf={token}&name={name}&password=wrong"),
                    &[("cookie", &cookie), ("x-forwarded-for", &forwarded)],
                ),
                "127.0.0.1",
            )
            .await
        }
    };
    // Twenty failures from one address, each claiming to come from somewhere else.
    for i in 1..=20 {
        let claimed = format!("{i}.{i}.{i}.{i}");
        let r = guess(format!("n{i}"), "198.51.100.7", claimed).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    let r = guess("n21".into(), "198.51.100.7", "6.6.6.6".into()).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", r.body);
    assert!(login_error(&r).starts_with("Too many failed sign-in attempts"));
    // Another client behind the same proxy is unaffected.
    let r = guess("n21".into(), "198.51.100.8", "6.6.6.6".into()).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
}

#[tokio::test]
async fn the_api_needs_a_token_and_reports_bad_values_as_json() {
    let s = site().await;
    let user = db::accounts::create_user(&s.pool, "bot", "a long password")
        .await
        .unwrap();
    let token = db::accounts::create_api_token(&s.pool, &user, "test")
        .await
        .unwrap();
    let id = an_action(&s.pool).await;
    let path = format!("/api/actions/{id}");
    let json_post = |body: &str, auth: Option<&str>| {
        let mut b = Request::post(&path).header(header::CONTENT_TYPE, "application/json");
        if let Some(a) = auth {
            b = b.header(header::AUTHORIZATION, format!("Bearer {a}"));
        }
        b.body(Body::from(body.to_string())).unwrap()
    };
    let r = send(&s, json_post(r#"{"status":"done"}"#, None), "127.0.0.1").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = send(
        &s,
        json_post(r#"{"status":"done"}"#, Some("not-a-token")),
        "127.0.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let r = send(
        &s,
        json_post(r#"{"due":"2026-13-01"}"#, Some(&token)),
        "127.0.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("\"error\""), "{}", r.body);
    let r = send(&s, json_post("{not json", Some(&token)), "127.0.0.1").await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let r = send(
        &s,
        json_post(
            r#"{"status":"done","note":"closed by script"}"#,
            Some(&token),
        ),
        "127.0.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(status_of(&s.pool, &id).await.0, "done");
    let list = send(&s, get("/api/actions?status=done", &[]), "127.0.0.1").await;
    let rows: serde_json::Value = serde_json::from_str(&list.body).unwrap();
    assert!(rows.as_array().unwrap().iter().any(|r| r["id"] == id));
}

#[tokio::test]
async fn a_status_set_in_the_browser_survives_reimporting_a_changed_file() {
    let s = site().await;
    let id = an_action(&s.pool).await;
    let path = format!("/actions/{id}");
    let (cookie, token) = form_token(&s, &path, "alice").await;
    let r = send(
        &s,
        post(
            &path,
            &format!("csrf={token}&status=in_progress&owner=dora"),
            &[("cookie", &cookie), ("x-forwarded-user", "alice")],
        ),
        "127.0.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // Edit the document elsewhere, then re-import it.
    let file = s.docs.join("2024-07-05-cernphone-outages.txt");
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\nAn unrelated closing remark added later.\n");
    std::fs::write(&file, text).unwrap();
    let report = import::import_paths(
        &s.pool,
        std::slice::from_ref(&s.docs),
        &Options {
            max_file_bytes: 5 << 20,
            allow_symlinks_outside: false,
        },
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.imported, 1);
    assert_eq!(
        status_of(&s.pool, &id).await,
        ("in_progress".into(), Some("dora".into()))
    );
    // And the incident page shows it.
    let page = send(
        &s,
        get("/incidents/2024-07-05-cernphone-outages", &[]),
        "127.0.0.1",
    )
    .await;
    let html = Html::parse_document(&page.body);
    let li: String = html
        .select(&Selector::parse(&format!("li#action-{id}")).unwrap())
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(li.contains("in progress") && li.contains("dora"), "{li}");
}

#[tokio::test]
async fn references_to_other_incidents_link_both_ways() {
    let follow_up = "# Follow-up review\n\nThis repeats 2022-12-06-auxtel-network-failure, and see \
        [the Darkmyst outage](../incidents/2019-06-26-darkmyst-services-outage.txt). \
        Tracked in OTG0150847.\n";
    let s = site_with(&[("2025-01-10-follow-up-review.md", follow_up)]).await;
    let page = send(
        &s,
        get("/incidents/2025-01-10-follow-up-review", &[]),
        "127.0.0.1",
    )
    .await;
    let html = Html::parse_document(&page.body);
    let links: Vec<String> = html
        .select(&Selector::parse("ul.references a").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert!(
        links.contains(&"/incidents/2022-12-06-auxtel-network-failure".to_string()),
        "{links:?}"
    );
    assert!(
        links.contains(&"/incidents/2019-06-26-darkmyst-services-outage".to_string()),
        "{links:?}"
    );
    let auxtel = send(
        &s,
        get("/incidents/2022-12-06-auxtel-network-failure", &[]),
        "127.0.0.1",
    )
    .await;
    let html = Html::parse_document(&auxtel.body);
    let back: Vec<String> = html
        .select(&Selector::parse("section[aria-labelledby=backlinks-h] a").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    assert_eq!(back, vec!["/incidents/2025-01-10-follow-up-review"]);
}

#[tokio::test]
async fn the_actions_page_filters_counts_groups_by_owner_and_exports_csv() {
    let s = site().await;
    let all = send(&s, get("/actions?status=all", &[]), "127.0.0.1").await;
    assert_eq!(all.status, StatusCode::OK);
    let html = Html::parse_document(&all.body);
    let items = html
        .select(&Selector::parse("table.worklist tbody tr").unwrap())
        .count();
    let total: i64 = sqlx::query_scalar("select count(*) from actions")
        .fetch_one(&s.pool)
        .await
        .unwrap();
    assert_eq!(items as i64, total);
    let counts: Vec<String> = html
        .select(&Selector::parse("section.counts a.count").unwrap())
        .map(|a| a.text().collect::<String>())
        .collect();
    assert!(counts.iter().any(|c| c.contains("overdue")), "{counts:?}");

    let done = send(&s, get("/actions?status=done", &[]), "127.0.0.1").await;
    let html = Html::parse_document(&done.body);
    let badges: Vec<String> = html
        .select(&Selector::parse("table.worklist tbody tr .badge.status").unwrap())
        .map(|b| b.text().collect::<String>())
        .collect();
    assert!(!badges.is_empty());
    assert!(badges.iter().all(|b| b == "Done"), "{badges:?}");

    let no_owner = send(&s, get("/actions?no_owner=1", &[]), "127.0.0.1").await;
    let html = Html::parse_document(&no_owner.body);
    for li in html.select(&Selector::parse("table.worklist tbody tr").unwrap()) {
        let text: String = li.text().collect();
        assert!(text.contains("no owner"), "{text}");
    }

    let owners = send(&s, get("/actions?view=owners", &[]), "127.0.0.1").await;
    let html = Html::parse_document(&owners.body);
    assert!(
        html.select(&Selector::parse("table.list tbody tr").unwrap())
            .count()
            > 0
    );

    let bad = send(
        &s,
        get("/actions?status=bogus&sort=sideways", &[]),
        "127.0.0.1",
    )
    .await;
    assert_eq!(bad.status, StatusCode::OK);
    let html = Html::parse_document(&bad.body);
    assert_eq!(html.select(&Selector::parse("p.note").unwrap()).count(), 2);

    let one = send(
        &s,
        get(
            "/actions?status=all&incident=2024-07-05-cernphone-outages&owner=&system=",
            &[],
        ),
        "127.0.0.1",
    )
    .await;
    let html = Html::parse_document(&one.body);
    let in_incident: i64 = sqlx::query_scalar(
        "select count(*) from actions a join incidents i on i.id = a.incident_id
         where i.slug = '2024-07-05-cernphone-outages'",
    )
    .fetch_one(&s.pool)
    .await
    .unwrap();
    assert_eq!(
        html.select(&Selector::parse("table.worklist tbody tr").unwrap())
            .count() as i64,
        in_incident
    );
    assert!(
        html.select(
            &Selector::parse("form[aria-label='Filter actions'] input[name=owner]").unwrap()
        )
        .next()
        .is_some()
    );

    let csv = send(&s, get("/actions.csv?status=all", &[]), "127.0.0.1").await;
    assert!(
        csv.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert!(lines[0].starts_with("id,incident,text,status,owner,due,ticket"));
    assert_eq!(lines.len() as i64, total + 1);
}

/// The ids of the actions whose status is `status`, in a stable order.
async fn ids_with_status(pool: &SqlitePool, status: &str) -> Vec<String> {
    sqlx::query_scalar("select id from actions where status = ? and removed_at is null order by id")
        .bind(status)
        .fetch_all(pool)
        .await
        .unwrap()
}

/// (actor, origin, field, new value) of every change recorded for an action.
async fn changes_of(pool: &SqlitePool, id: &str) -> Vec<(String, String, String, Option<String>)> {
    sqlx::query_as(
        "select actor, origin, field, new_value from action_events
         where action_id = ? and origin <> 'document' order by id",
    )
    .bind(id)
    .fetch_all(pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_bulk_change_of_three_actions_is_recorded_in_each_history_like_a_single_one() {
    let s = site().await;
    let picked: Vec<String> = ids_with_status(&s.pool, "unknown").await[..3].to_vec();
    let (cookie, token) = form_token(&s, "/actions?status=unknown", "alice").await;
    let mut form = format!("csrf={token}&filter=status%3Dunknown&scope=selected");
    for id in &picked {
        form.push_str(&format!("&id={id}"));
    }
    form.push_str("&status=in_progress&owner=Carol&note=triaged");
    let r = send(
        &s,
        post(
            "/actions/bulk",
            &form,
            &[("x-forwarded-user", "alice"), ("cookie", &cookie)],
        ),
        "127.0.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let location = r.headers[header::LOCATION].to_str().unwrap();
    assert_eq!(location, "/actions?status=unknown&changed=3");
    for id in &picked {
        assert_eq!(
            status_of(&s.pool, id).await,
            ("in_progress".into(), Some("Carol".into()))
        );
        let changes = changes_of(&s.pool, id).await;
        let fields: Vec<&str> = changes.iter().map(|c| c.2.as_str()).collect();
        assert_eq!(fields, ["status", "owner", "note"], "{id}");
        assert!(
            changes.iter().all(|c| c.0 == "alice" && c.1 == "web"),
            "{changes:?}"
        );
    }
    // The page says what happened.
    let after = send(&s, get(location, &[]), "127.0.0.1").await;
    let html = Html::parse_document(&after.body);
    let notes: Vec<String> = html
        .select(&Selector::parse("p.note").unwrap())
        .map(|n| n.text().collect())
        .collect();
    assert!(
        notes.iter().any(|n| n.contains("Changed 3 actions")),
        "{notes:?}"
    );
}

#[tokio::test]
async fn a_bulk_change_needs_the_form_token_an_identity_and_something_to_set() {
    let s = site().await;
    let id = ids_with_status(&s.pool, "unknown").await.remove(0);
    let (cookie, token) = form_token(&s, "/actions", "alice").await;
    // A forged post without the token.
    let r = send(
        &s,
        post(
            "/actions/bulk",
            &format!("id={id}&status=done"),
            &[("x-forwarded-user", "alice"), ("cookie", &cookie)],
        ),
        "127.0.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Nothing to set, and nothing selected: a message on the page, not a change.
    for (form, says) in [
        (
            format!("csrf={token}&id={id}"),
            "Choose a status or an owner",
        ),
        (
            format!("csrf={token}&scope=selected&status=done"),
            "Select at least one action",
        ),
        (format!("csrf={token}&id={id}&status=finished"), "finished"),
    ] {
        let r = send(
            &s,
            post(
                "/actions/bulk",
                &form,
                &[("x-forwarded-user", "alice"), ("cookie", &cookie)],
            ),
            "127.0.0.1",
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{form}");
        let html = Html::parse_document(&r.body);
        let error: String = html
            .select(&Selector::parse("#bulk-error").unwrap())
            .next()
            .unwrap()
            .text()
            .collect();
        assert!(error.contains(says), "{form}: {error}");
    }
    assert_eq!(status_of(&s.pool, &id).await.0, "unknown");
}

#[tokio::test]
async fn every_unknown_status_is_set_in_one_bulk_change_through_the_unknown_filter() {
    let s = site().await;
    let unknown = ids_with_status(&s.pool, "unknown").await;
    assert!(unknown.len() > 3);
    let page = send(&s, get("/actions?status=unknown", &[]), "127.0.0.1").await;
    let html = Html::parse_document(&page.body);
    let rows: Vec<String> = html
        .select(&Selector::parse("table.worklist tbody tr .badge.status").unwrap())
        .map(|b| b.text().collect())
        .collect();
    assert_eq!(rows.len(), unknown.len());
    assert!(rows.iter().all(|r| r == "Unknown"), "{rows:?}");

    let (cookie, token) = form_token(&s, "/actions?status=unknown", "alice").await;
    let r = send(
        &s,
        post(
            "/actions/bulk",
            &format!("csrf={token}&filter=status%3Dunknown&scope=matching&status=open"),
            &[("x-forwarded-user", "alice"), ("cookie", &cookie)],
        ),
        "127.0.0.1",
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(ids_with_status(&s.pool, "unknown").await.is_empty());
    for id in &unknown {
        let changes = changes_of(&s.pool, id).await;
        assert_eq!(
            changes,
            [(
                "alice".to_string(),
                "web".to_string(),
                "status".to_string(),
                Some("open".to_string())
            )]
        );
    }
}

#[tokio::test]
async fn home_and_the_actions_page_count_open_actions_the_same_way() {
    let s = site().await;
    let home = Html::parse_document(&send(&s, get("/", &[]), "127.0.0.1").await.body);
    let home_counts: Vec<String> = home
        .select(&Selector::parse(".counts .count").unwrap())
        .map(|c| c.text().collect::<String>())
        .collect();
    let home_open = home_counts
        .iter()
        .find(|c| c.contains("open actions"))
        .unwrap();
    let actions = Html::parse_document(&send(&s, get("/actions", &[]), "127.0.0.1").await.body);
    let page_open: String = actions
        .select(&Selector::parse(".counts .count").unwrap())
        .next()
        .unwrap()
        .text()
        .collect();
    let number = |t: &str| -> i64 { t.split_whitespace().next().unwrap().parse().unwrap() };
    let rows = actions
        .select(&Selector::parse("table.worklist tbody tr").unwrap())
        .count() as i64;
    assert_eq!(number(home_open), number(&page_open));
    assert_eq!(
        number(&page_open),
        rows,
        "the default list is the open actions"
    );
    // An incident page counts its actions the same way.
    let open_in_samples: i64 = sqlx::query_scalar(&format!(
        "select count(*) from actions where removed_at is null and status in {}",
        aftermath::db::actions::OPEN_STATUSES
    ))
    .fetch_one(&s.pool)
    .await
    .unwrap();
    assert_eq!(rows, open_in_samples);
}

#[tokio::test]
async fn active_filters_are_chips_that_each_remove_themselves() {
    let s = site().await;
    let page = send(
        &s,
        get("/actions?status=all&owner=erin&no_owner=1&sort=age", &[]),
        "127.0.0.1",
    )
    .await;
    let html = Html::parse_document(&page.body);
    let chips: Vec<(String, String)> = html
        .select(&Selector::parse(".active-filters ul.chips a.chip").unwrap())
        .map(|a| {
            (
                a.text().next().unwrap().trim().to_string(),
                a.value().attr("href").unwrap().to_string(),
            )
        })
        .collect();
    let labels: Vec<&str> = chips.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(labels, ["all statuses", "owner: erin", "no owner"]);
    assert_eq!(chips[0].1, "/actions?owner=erin&no_owner=1&sort=age");
    assert_eq!(chips[1].1, "/actions?status=all&no_owner=1&sort=age");
    assert_eq!(chips[2].1, "/actions?status=all&owner=erin&sort=age");
    // The filter controls fold away.
    assert!(
        html.select(&Selector::parse("details.fold form[aria-label='Filter actions']").unwrap())
            .next()
            .is_some()
    );
}

#[tokio::test]
async fn stale_counts_from_the_later_of_the_incident_date_and_the_last_change() {
    let today = aftermath::tracking::today();
    let recent = today.saturating_sub(jiff::Span::new().days(10));
    let old_doc =
        "# An old outage\n\nDate: 2019-03-04\n\n## Action items\n\n- Rotate the old keys\n";
    let new_doc = format!(
        "# A recent outage\n\nDate: {recent}\n\n## Action items\n\n- Rotate the new keys\n"
    );
    let s = site_with(&[
        ("2019-03-04-an-old-outage.md", old_doc),
        ("recent-outage.md", &new_doc),
    ])
    .await;
    let stale = |slug: &'static str| {
        let pool = s.pool.clone();
        async move {
            let filter = aftermath::db::actions::ActionFilter {
                incident: Some(slug.to_string()),
                ..aftermath::db::actions::ActionFilter::new(today, 30)
            };
            aftermath::db::actions::list(&pool, &filter).await.unwrap()[0].stale
        }
    };
    // Imported just now, but the postmortem is from 2019: its action is stale at once.
    assert!(stale("2019-03-04-an-old-outage").await);
    assert!(!stale("recent-outage").await);
    // A change today starts the count again.
    let id: String = sqlx::query_scalar(
        "select a.id from actions a join incidents i on i.id = a.incident_id
         where i.slug = '2019-03-04-an-old-outage'",
    )
    .fetch_one(&s.pool)
    .await
    .unwrap();
    let change =
        aftermath::tracking::ActionUpdate::from_raw(None, Some("dora"), None, None, None).unwrap();
    aftermath::db::actions::update(
        &s.pool,
        &id,
        &change,
        "alice",
        aftermath::tracking::Origin::Web,
    )
    .await
    .unwrap();
    assert!(!stale("2019-03-04-an-old-outage").await);
}
