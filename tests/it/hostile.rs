//! Hostile and broken input against the import and the server (issue 11): links out of
//! the incidents folder, FIFOs and devices, loops, dangling links, huge files, names
//! that collide, names that hold terminal control characters, characters whose case
//! changes their length. Each test builds its own folder of real files.

use crate::support::{
    Env, ProcessGroup, WebSite, aftermath, aftermath_command, aftermath_within, attrs_of,
    default_site, encode, serve, texts, texts_of, unicode_case, web_site_with,
};
use aftermath::import::{Diagnostic, Options, Report, Severity};
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use sqlx::SqlitePool;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// A folder to import beside a folder that must stay private (see [`private`]).
async fn env() -> Env {
    let env = Env::empty().await;
    std::fs::create_dir_all(private(&env)).unwrap();
    std::fs::write(env.docs.join("2024-01-02-good.md"), good("Cache stampede")).unwrap();
    std::fs::write(
        private(&env).join("secret.md"),
        "# Secret\n\nThe root password is hunter2.\n",
    )
    .unwrap();
    env
}

/// Outside the incidents folder: nothing here may be published.
fn private(env: &Env) -> PathBuf {
    env.dir.path().join("private")
}

/// A small postmortem that imports cleanly.
fn good(title: &str) -> String {
    format!(
        "# {title}\n\n## Summary\n\nThe queue stalled for an hour.\n\n## Timeline\n\n\
         - 2024-01-02 10:00 UTC: alerts fired\n- 2024-01-02 11:00 UTC: resolved\n\n\
         ## Root cause\n\nA retry storm.\n\n## Action items\n\n- [ ] Add jitter (owner: ana)\n"
    )
}

/// Imports `paths`, bounded in time: a FIFO or a device must not hang it.
async fn run(env: &Env, paths: &[&Path], allow_outside: bool) -> (Report, Vec<Diagnostic>) {
    let options = Options {
        max_file_bytes: 1 << 20,
        allow_symlinks_outside: allow_outside,
    };
    env.import(paths, &options).await
}

async fn count(pool: &SqlitePool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}

fn find<'a>(diags: &'a [Diagnostic], path_end: &str) -> &'a Diagnostic {
    diags
        .iter()
        .find(|d| d.path.ends_with(path_end))
        .unwrap_or_else(|| panic!("no diagnostic for {path_end}: {diags:?}"))
}

#[tokio::test]
async fn a_symlink_to_a_file_outside_the_folder_is_skipped_with_a_warning() {
    let env = env().await;
    symlink(private(&env).join("secret.md"), env.docs.join("passwd.md")).unwrap();
    symlink("/etc/passwd", env.docs.join("etc-passwd.txt")).unwrap();
    let (report, diags) = run(&env, &[&env.docs], false).await;
    assert_eq!((report.imported, report.failed), (1, 0), "{diags:?}");
    for name in ["passwd.md", "etc-passwd.txt"] {
        let d = find(&diags, name);
        assert_eq!(d.severity, Severity::Warning);
        assert!(d.message.contains("outside the imported folders"), "{d}");
        assert!(d.message.contains("allow_symlinks_outside"), "{d}");
    }
    assert_eq!(count(&env.pool, "select count(*) from incidents").await, 1);
    assert_eq!(
        count(
            &env.pool,
            "select count(*) from search_index where search_index match 'hunter2'"
        )
        .await,
        0,
        "nothing of the private file is searchable"
    );
}

#[tokio::test]
async fn allow_symlinks_outside_imports_the_linked_file() {
    let env = env().await;
    symlink(private(&env).join("secret.md"), env.docs.join("linked.md")).unwrap();
    let (report, diags) = run(&env, &[&env.docs], true).await;
    assert_eq!((report.imported, report.failed), (2, 0), "{diags:?}");
    assert_eq!(
        count(
            &env.pool,
            "select count(*) from incidents where slug = 'secret'"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn a_symlink_between_imported_folders_stays_inside_and_imports_once() {
    let env = env().await;
    let other = env.dir.path().join("more");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("2024-02-01-other.md"), good("Disk full")).unwrap();
    symlink(other.join("2024-02-01-other.md"), env.docs.join("alias.md")).unwrap();
    let (report, diags) = run(&env, &[&env.docs, &other], false).await;
    assert_eq!((report.imported, report.failed), (2, 0), "{diags:?}");
    assert!(
        diags.iter().all(|d| !d.path.ends_with("alias.md")),
        "{diags:?}"
    );
}

#[tokio::test]
async fn a_fifo_and_a_link_to_dev_zero_are_skipped_without_hanging() {
    let env = env().await;
    let fifo = env.docs.join("pipe.md");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    symlink("/dev/zero", env.docs.join("zero.md")).unwrap();
    let started = Instant::now();
    // Even with links out allowed, a device is not a file.
    let (report, diags) = run(&env, &[&env.docs], true).await;
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!((report.imported, report.failed), (1, 0), "{diags:?}");
    assert!(
        find(&diags, "pipe.md")
            .message
            .contains("not a regular file")
    );
    assert!(
        find(&diags, "zero.md")
            .message
            .contains("not a regular file")
    );
    // Named explicitly, the FIFO is an error, still without waiting for a writer.
    let (report, diags) = run(&env, &[&fifo], false).await;
    assert_eq!(report.failed, 1);
    assert_eq!(find(&diags, "pipe.md").severity, Severity::Error);
}

#[tokio::test]
async fn symlink_loops_are_detected_and_the_folder_still_imports() {
    let env = env().await;
    // A link to the folder itself, a pair of links to each other, and (followed
    // because links out are allowed) an outside folder holding a link to its parent.
    symlink(".", env.docs.join("again")).unwrap();
    symlink("b.md", env.docs.join("a.md")).unwrap();
    symlink("a.md", env.docs.join("b.md")).unwrap();
    let outside = private(&env).join("team");
    std::fs::create_dir_all(&outside).unwrap();
    std::fs::write(outside.join("2024-03-01-team.md"), good("Bad deploy")).unwrap();
    symlink("..", outside.join("up")).unwrap();
    symlink(&outside, env.docs.join("team")).unwrap();
    let (report, diags) = run(&env, &[&env.docs], true).await;
    assert_eq!(report.imported, 2, "good and team: {diags:?}");
    let up = find(&diags, "team/up");
    assert_eq!(up.severity, Severity::Warning);
    assert!(up.message.contains("symlink loop"), "{up}");
    for name in ["a.md", "b.md"] {
        let d = find(&diags, name);
        assert_eq!(d.severity, Severity::Error);
        assert!(d.message.contains("cannot follow symlink"), "{d}");
    }
    assert_eq!(report.failed, 2);
}

#[tokio::test]
async fn a_dangling_symlink_is_reported_and_the_rest_of_the_folder_imported() {
    let env = env().await;
    std::fs::write(env.docs.join("2024-01-03-second.md"), good("Lost writes")).unwrap();
    symlink(env.dir.path().join("gone.md"), env.docs.join("dangling.md")).unwrap();
    let (report, diags) = run(&env, &[&env.docs], false).await;
    assert_eq!((report.imported, report.failed), (2, 1), "{diags:?}");
    let d = find(&diags, "dangling.md");
    assert_eq!(d.severity, Severity::Error);
    assert!(d.message.contains("cannot follow symlink"), "{d}");
}

/// The most memory any finished child of this test process used, in KiB.
fn children_peak_kib() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    assert_eq!(
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) },
        0
    );
    usage.ru_maxrss
}

#[test]
fn a_sparse_file_of_one_and_a_half_gigabytes_is_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("2024-01-02-good.md"), good("Slow disk")).unwrap();
    let huge = std::fs::File::create(docs.join("huge.md")).unwrap();
    huge.set_len(1536 << 20).unwrap();
    drop(huge);
    let started = Instant::now();
    let out = aftermath_within(
        &["--database", "x.db", "import", "incidents"],
        dir.path(),
        Duration::from_secs(60),
    );
    let (stdout, stderr) = texts(&out);
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("huge.md:1: error: file is 1610612736 bytes, over the 5242880-byte limit"),
        "{stderr}"
    );
    assert!(
        stdout.contains("imported 1, unchanged 0, failed 1"),
        "{stdout}"
    );
    // Reading the file would have taken 1.5 GB; every child of this test process
    // (other tests' included) stayed far below.
    let peak_mib = children_peak_kib() / 1024;
    assert!(peak_mib < 600, "a child peaked at {peak_mib} MiB");
}

#[tokio::test]
async fn two_long_names_giving_the_same_slug_get_distinct_bounded_slugs() {
    let env = env().await;
    let stem = "database-failover-during-the-quarterly-maintenance-window-".repeat(4);
    for sub in ["a", "b", "c"] {
        std::fs::create_dir_all(env.docs.join(sub)).unwrap();
        std::fs::write(env.docs.join(sub).join(format!("{stem}.md")), good(sub)).unwrap();
    }
    let (report, diags) = run(&env, &[&env.docs], false).await;
    assert_eq!((report.imported, report.failed), (4, 0), "{diags:?}");
    let slugs: Vec<String> = sqlx::query_scalar("select slug from incidents order by slug")
        .fetch_all(&env.pool)
        .await
        .unwrap();
    let unique: std::collections::HashSet<&String> = slugs.iter().collect();
    assert_eq!(unique.len(), 4, "{slugs:?}");
    for slug in &slugs {
        assert!(
            aftermath::model::Slug::parse(slug).is_some(),
            "{slug} is a slug a URL accepts"
        );
    }
    // A second import of the same folder is unchanged, and a new colliding file still
    // finds a free slug.
    std::fs::create_dir_all(env.docs.join("d")).unwrap();
    std::fs::write(env.docs.join("d").join(format!("{stem}.md")), good("d")).unwrap();
    let (report, _) = run(&env, &[&env.docs], false).await;
    assert_eq!((report.imported, report.unchanged), (1, 4));
}

#[test]
fn file_names_and_titles_with_control_characters_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("evil\x1b[2J\x07.md"), b"\x00binary").unwrap();
    std::fs::write(
        docs.join("2024-01-02-title.md"),
        "# Outage \x1b]0;owned\x07 \u{202e}txt.exe\n\nThe queue stalled.\n",
    )
    .unwrap();
    let out = aftermath_within(
        &["--database", "x.db", "import", "incidents"],
        dir.path(),
        Duration::from_secs(60),
    );
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    for text in [&stdout, &stderr] {
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
        assert!(!text.contains('\u{202e}'), "{text:?}");
    }
    assert!(
        stderr.contains(r"evil\u{1b}[2J\u{7}.md:1: error"),
        "{stderr}"
    );
    let out = aftermath(&["parse", "incidents/evil\x1b[2J\x07.md"], dir.path());
    let (_, stderr) = texts(&out);
    assert!(
        stderr.contains(r"evil\u{1b}[2J\u{7}.md:1: error"),
        "{stderr}"
    );
}

/// A document using every character whose lowercase has another byte length, in each
/// field the extractor fills.
fn case_changing_document() -> String {
    std::fs::read_to_string(unicode_case().join("2024-04-01-case-changing.md")).unwrap()
}

#[tokio::test]
async fn a_document_that_breaks_the_parser_costs_only_itself() {
    let env = env().await;
    std::fs::write(
        env.docs.join("2024-01-05-case.md"),
        case_changing_document(),
    )
    .unwrap();
    std::fs::write(env.docs.join("2024-01-06-after.md"), good("After")).unwrap();
    let (report, diags) = run(&env, &[&env.docs], false).await;
    // The document either imports or fails alone; the others import either way.
    assert_eq!(report.imported + report.failed, 3, "{diags:?}");
    assert_eq!(
        report.imported,
        2 + (report.failed == 0) as usize,
        "{diags:?}"
    );
    if report.failed == 1 {
        let d = find(&diags, "2024-01-05-case.md");
        assert!(d.message.contains("a bug, please report it"), "{d}");
    }
    assert!(
        count(
            &env.pool,
            "select count(*) from incidents where slug = '2024-01-06-after'"
        )
        .await
            == 1
    );
}

#[tokio::test]
async fn searching_documents_whose_case_changes_their_length_highlights_at_characters() {
    let site = web_site_with(&[unicode_case()], default_site()).await;
    for q in [
        "outage",
        "istanbul",
        "İstanbul",
        "ⱥⱥ",
        "kubernetes",
        "\u{212a}afka",
    ] {
        let html = site.page(&format!("/search?q={}", encode(q))).await;
        let titles = texts_of(&html, ".results h3 a");
        assert!(
            titles.iter().any(|t| t.contains("İstanbul")),
            "{q}: the document is found: {titles:?}"
        );
        assert!(
            !texts_of(&html, ".snippet mark").is_empty(),
            "{q}: a word is marked"
        );
    }
    let html = site.page("/incidents/2024-04-01-case-changing").await;
    assert!(texts_of(&html, "h1")[0].contains("İstanbul ẞ \u{212a}elvin Ⱥ outage"));
}

/// A single-user site (loopback, writes without signing in), as `serve --single-user`.
async fn single_user_site() -> WebSite {
    web_site_with(
        &[],
        aftermath::web::Site {
            single_user: Some("local".into()),
            ..default_site()
        },
    )
    .await
}

async fn an_action(site: &WebSite) -> String {
    sqlx::query_scalar("select id from actions order by id limit 1")
        .fetch_one(&site.pool)
        .await
        .unwrap()
}

/// The CSRF cookie and form token of an action page, asked for as `host`.
async fn form_token(site: &WebSite, id: &str, host: &str) -> (String, String) {
    let request = Request::get(format!("/actions/{id}"))
        .header(header::HOST, host)
        .body(Body::empty())
        .unwrap();
    let page = site.send(request, Some("127.0.0.1")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let cookie = page.headers[header::SET_COOKIE].to_str().unwrap();
    let cookie = cookie.split(';').next().unwrap().to_string();
    let token = attrs_of(&page.html(), "input[name=csrf]", "value").remove(0);
    (cookie, token)
}

fn change(id: &str, host: &str, cookie: &str, form: &str) -> Request<Body> {
    Request::post(format!("/actions/{id}"))
        .header(header::HOST, host)
        .header(header::ORIGIN, format!("http://{host}"))
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_string()))
        .unwrap()
}

async fn status_of(site: &WebSite, id: &str) -> String {
    sqlx::query_scalar("select status from actions where id = ?")
        .bind(id)
        .fetch_one(&site.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_page_on_another_name_resolving_here_can_neither_read_nor_write() {
    let site = single_user_site().await;
    let id = an_action(&site).await;
    // DNS rebinding: attacker.example now resolves to 127.0.0.1, and the browser sends
    // the attacker's name. Neither the page (and its CSRF token) nor a write get through.
    let read = Request::get(format!("/actions/{id}"))
        .header(header::HOST, "attacker.example:8080")
        .body(Body::empty())
        .unwrap();
    let page = site.send(read, Some("127.0.0.1")).await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(attrs_of(&page.html(), "input[name=csrf]", "value").is_empty());
    let (cookie, token) = form_token(&site, &id, "127.0.0.1:8080").await;
    let write = change(
        &id,
        "attacker.example:8080",
        &cookie,
        &format!("csrf={token}&status=wontfix"),
    );
    let reply = site.send(write, Some("127.0.0.1")).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{}", reply.body);
    assert_ne!(status_of(&site, &id).await, "wontfix");
    // The same write addressed to the server's own address goes through.
    for host in ["127.0.0.1:8080", "localhost:8080"] {
        let (cookie, token) = form_token(&site, &id, host).await;
        let write = change(&id, host, &cookie, &format!("csrf={token}&status=wontfix"));
        let reply = site.send(write, Some("127.0.0.1")).await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "{host}: {}",
            reply.body
        );
        assert_eq!(status_of(&site, &id).await, "wontfix");
        sqlx::query("update actions set status = 'open' where id = ?")
            .bind(&id)
            .execute(&site.pool)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn a_configured_public_host_is_answered() {
    let site = web_site_with(
        &[],
        aftermath::web::Site {
            public_hosts: vec!["postmortems.example.org".into()],
            ..default_site()
        },
    )
    .await;
    for (host, status) in [
        ("postmortems.example.org", StatusCode::OK),
        (
            "postmortems.example.org.attacker.example",
            StatusCode::BAD_REQUEST,
        ),
    ] {
        let request = Request::get("/")
            .header(header::HOST, host)
            .body(Body::empty());
        let page = site.send(request.unwrap(), Some("10.0.0.1")).await;
        assert_eq!(page.status, status, "{host}");
    }
}

#[tokio::test]
async fn back_goes_only_to_same_site_paths_whatever_characters_it_holds() {
    let site = single_user_site().await;
    let id = an_action(&site).await;
    let own_page = format!("/actions/{id}?saved=1");
    let cases = [
        ("/\t/evil.example", own_page.as_str()),
        ("/\n/evil.example", own_page.as_str()),
        ("/\\evil.example", own_page.as_str()),
        ("//evil.example", own_page.as_str()),
        ("https://evil.example/", own_page.as_str()),
        ("/actions\u{1}\u{7f}", own_page.as_str()),
        ("/actions?owner=\u{e9}", own_page.as_str()),
        (
            "/actions?status=open&owner=ana",
            "/actions?status=open&owner=ana",
        ),
    ];
    for (back, want) in cases {
        let (cookie, token) = form_token(&site, &id, "127.0.0.1:8080").await;
        let form = format!("csrf={token}&note=checked&back={}", encode(back));
        let reply = site
            .send(
                change(&id, "127.0.0.1:8080", &cookie, &form),
                Some("127.0.0.1"),
            )
            .await;
        assert_eq!(
            reply.status,
            StatusCode::SEE_OTHER,
            "{back:?}: {}",
            reply.body
        );
        assert_eq!(reply.headers[header::LOCATION], want, "{back:?}");
    }
}

#[tokio::test]
async fn error_responses_carry_the_security_headers_and_images_stay_on_this_site() {
    let site = single_user_site().await;
    let check = |page: &crate::support::Page, what: &str| {
        let csp = page.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap();
        assert!(csp.contains("img-src 'self' data:;"), "{what}: {csp}");
        assert!(!csp.contains("https:"), "{what}: {csp}");
        assert_eq!(
            page.headers[header::X_CONTENT_TYPE_OPTIONS],
            "nosniff",
            "{what}"
        );
        assert_eq!(page.headers[header::X_FRAME_OPTIONS], "DENY", "{what}");
    };
    let page = site.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    check(&page, "a page");
    let page = site.get("/no/such/page").await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    check(&page, "404");
    let huge = Request::post("/login")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::CONTENT_LENGTH, 300 * 1024)
        .body(Body::from(vec![b'a'; 300 * 1024]))
        .unwrap();
    let page = site.send(huge, Some("127.0.0.1")).await;
    assert_eq!(page.status, StatusCode::PAYLOAD_TOO_LARGE);
    check(&page, "413");
    site.pool.close().await;
    let page = site.get("/incidents").await;
    assert_eq!(page.status, StatusCode::INTERNAL_SERVER_ERROR);
    check(&page, "500");

    let remote = web_site_with(
        &[],
        aftermath::web::Site {
            remote_images: true,
            ..default_site()
        },
    )
    .await;
    let page = remote.get("/").await;
    let csp = page.headers[header::CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap();
    assert!(csp.contains("img-src 'self' data: https:;"), "{csp}");
}

#[tokio::test]
async fn x_forwarded_proto_is_believed_only_from_a_trusted_proxy() {
    let site = web_site_with(
        &[],
        aftermath::web::Site {
            trusted_proxies: vec!["10.0.0.1".parse().unwrap()],
            ..default_site()
        },
    )
    .await;
    for (peer, secure) in [("10.0.0.1", true), ("203.0.113.5", false)] {
        let request = Request::get("/login")
            .header("x-forwarded-proto", "https")
            .body(Body::empty())
            .unwrap();
        let page = site.send(request, Some(peer)).await;
        let cookie = page.headers[header::SET_COOKIE].to_str().unwrap();
        assert_eq!(cookie.contains("; Secure"), secure, "{peer}: {cookie}");
    }
}

#[tokio::test]
async fn an_origin_over_plain_http_cannot_post_to_a_site_served_over_https() {
    let site = web_site_with(
        &[],
        aftermath::web::Site {
            single_user: Some("local".into()),
            secure_cookies: true,
            ..default_site()
        },
    )
    .await;
    let id = an_action(&site).await;
    for (origin, status) in [
        ("http://127.0.0.1:8080", StatusCode::FORBIDDEN),
        ("https://127.0.0.1:8080", StatusCode::SEE_OTHER),
    ] {
        let (cookie, token) = form_token(&site, &id, "127.0.0.1:8080").await;
        let mut request = change(
            &id,
            "127.0.0.1:8080",
            &cookie,
            &format!("csrf={token}&note=x"),
        );
        request
            .headers_mut()
            .insert(header::ORIGIN, origin.parse().unwrap());
        let reply = site.send(request, Some("127.0.0.1")).await;
        assert_eq!(reply.status, status, "{origin}: {}", reply.body);
    }
}

#[tokio::test]
async fn the_sanitiser_removes_form_controls_from_documents() {
    let form = "# Password reset\n\n- [x] done item\n\n<form action=\"https://evil.example/\">\
                <input type=\"password\" name=\"p\"><button>Sign in</button></form>\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("2024-05-01-form.md"), form).unwrap();
    let site = web_site_with(&[dir.path().to_path_buf()], default_site()).await;
    let html = site.page("/incidents/2024-05-01-form").await;
    for control in ["form", "input", "button", "select", "textarea"] {
        let inside = scraper::Selector::parse(&format!(".document {control}")).unwrap();
        assert_eq!(html.select(&inside).count(), 0, "{control}");
    }
    assert!(
        texts_of(&html, ".document li")
            .iter()
            .any(|t| t.contains("\u{2611} done item"))
    );
}

/// A running `aftermath serve`, stopped when dropped.
struct Server {
    process: ProcessGroup,
    addr: std::net::SocketAddr,
}

impl Server {
    /// Serves the folder `dir/incidents` from `dir/serve.db` on a free loopback port.
    fn start(dir: &Path) -> Server {
        let (url, process) =
            serve(aftermath_command(dir).args(["--database", "serve.db", "serve"]));
        let addr = url.trim_start_matches("http://").parse().unwrap();
        Server { process, addr }
    }

    /// The server's resident memory, in KiB.
    fn rss_kib(&self) -> u64 {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", self.process.0.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap()
    }
}

/// One GET over a fresh connection: the status and the body's length.
fn http_get(addr: std::net::SocketAddr, path: &str, host: &str) -> Option<(u16, usize)> {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(5)).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .ok()?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let head_end = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let status = std::str::from_utf8(&raw[..head_end])
        .ok()?
        .split(' ')
        .nth(1)?
        .parse()
        .ok()?;
    Some((status, raw.len() - head_end - 4))
}

#[test]
fn eight_hundred_cache_busting_query_strings_do_not_grow_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    std::fs::create_dir_all(&docs).unwrap();
    // A large postmortem: its page is about a megabyte.
    let mut big = good("Large outage");
    for i in 0..6000 {
        big.push_str(&format!(
            "\nParagraph {i}: the replica fell behind while the queue kept growing, and \
             the operators watched the lag climb past every threshold they had set.\n"
        ));
    }
    std::fs::write(docs.join("2024-06-01-large.md"), big).unwrap();
    let server = Server::start(dir.path());
    let page = "/incidents/2024-06-01-large";
    let (status, bytes) = http_get(server.addr, page, "127.0.0.1").unwrap();
    assert_eq!(status, 200);
    assert!(bytes > 800_000, "the page is large: {bytes} bytes");
    let before = server.rss_kib();
    std::thread::scope(|s| {
        for worker in 0..4 {
            let addr = server.addr;
            s.spawn(move || {
                for m in (worker..800).step_by(4) {
                    let (status, _) =
                        http_get(addr, &format!("{page}?m={m}"), "127.0.0.1").expect("an answer");
                    assert_eq!(status, 200);
                }
            });
        }
    });
    let grown_mib = server.rss_kib().saturating_sub(before) / 1024;
    // Unbounded, 800 copies of the page would be about 800 MB; the cache keeps 64 MB.
    assert!(grown_mib < 200, "the server grew by {grown_mib} MiB");
}
