//! The web UI in a real headless Chromium: search through the form, follow results and
//! related incidents, and open hostile documents to prove no script runs.
//!
//! fantoccini is a dev-dependency, but without its default TLS features it needs a
//! `hyper-util` connector this crate cannot name (hyper-util is not a direct
//! dependency). chromedriver speaks plain HTTP on loopback, so a few lines of W3C
//! WebDriver over a `TcpStream` do the same job here.

use crate::support::{copy_folder, copy_incidents, free_port, hostile, root};
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The longest any single wait in this file may take.
const WAIT: Duration = Duration::from_secs(30);

/// A child process in its own process group, ended (with everything it started) when
/// dropped, even if the test panics.
struct Group(Child);

impl Group {
    fn spawn(command: &mut Command) -> Group {
        let child = command
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {:?}: {e}", command.get_program()));
        Group(child)
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        let pgid = self.0.id() as libc::pid_t;
        // SAFETY: signalling a process group this guard created; no memory is touched.
        unsafe { libc::kill(-pgid, libc::SIGTERM) };
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        // SAFETY: as above; whatever ignored SIGTERM in the group is killed.
        unsafe { libc::kill(-pgid, libc::SIGKILL) };
        let _ = self.0.wait();
    }
}

fn program(env_var: &str, default: &str) -> String {
    std::env::var(env_var).unwrap_or_else(|_| default.to_string())
}

/// Polls `f` until it succeeds, for at most [`WAIT`]; a timeout reports the last error.
fn until<T>(what: &str, mut f: impl FnMut() -> Result<T, String>) -> T {
    let deadline = Instant::now() + WAIT;
    loop {
        match f() {
            Ok(v) => return v,
            Err(e) if Instant::now() >= deadline => {
                panic!("timed out waiting for {what}; last: {e}")
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// `aftermath serve` over a temporary folder holding the samples and hostile fixtures.
struct Server {
    url: String,
    _process: Group,
    _dir: tempfile::TempDir,
}

fn start_server() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    copy_incidents(&docs);
    copy_folder(&hostile(), &docs);
    let (url, process) = serve_in(dir.path(), &[]);
    Server {
        url,
        _process: process,
        _dir: dir,
    }
}

/// Runs `aftermath serve` in `dir` (its `incidents/` and `web.db`) and waits for the
/// address it listens on.
fn serve_in(dir: &Path, extra: &[&str]) -> (String, Group) {
    let mut process = Group::spawn(
        Command::new(env!("CARGO_BIN_EXE_aftermath"))
            .args(["--database", "web.db", "serve", "--listen", "127.0.0.1:0"])
            .args(extra)
            .current_dir(dir)
            .env_remove("AFTERMATH_DATABASE")
            .env_remove("AFTERMATH_CONFIG")
            .env("USER", "browser-tester")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null()),
    );
    let stdout = process.0.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.strip_prefix("listening on ") {
                let _ = tx.send(url.trim().to_string());
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("aftermath serve printed its address");
    (url.trim_end_matches('/').to_string(), process)
}

/// One W3C WebDriver session in headless Chromium.
struct Browser {
    driver: SocketAddr,
    session: String,
    _profile: tempfile::TempDir,
    // Dropped last: the session is closed first, then chromedriver and its browser.
    _chromedriver: Group,
}

/// The W3C key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One HTTP/1.1 request to chromedriver; the JSON `value`, or the WebDriver error.
fn webdriver(
    addr: SocketAddr,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<Value, String> {
    let mut stream =
        TcpStream::connect_timeout(&addr, Duration::from_secs(5)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream.set_write_timeout(Some(WAIT)).unwrap();
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    // chromedriver keeps the connection open whatever the request says, so the body is
    // read by its length rather than to the end of the stream.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    let split = loop {
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err(format!("{method} {path}: connection closed in the header"));
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_lowercase();
    let header = |name: &str| {
        head.lines()
            .filter_map(|l| l.split_once(':'))
            .find(|(k, _)| k.trim() == name)
            .map(|(_, v)| v.trim().to_string())
    };
    let mut payload = raw[split + 4..].to_vec();
    let chunked = header("transfer-encoding").is_some_and(|v| v.contains("chunked"));
    let length: Option<usize> = header("content-length").and_then(|v| v.parse().ok());
    loop {
        let complete = match length {
            Some(len) => payload.len() >= len,
            None if chunked => payload.ends_with(b"0\r\n\r\n"),
            None => false,
        };
        if complete {
            break;
        }
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        payload.extend_from_slice(&buf[..n]);
    }
    if chunked {
        payload = dechunk(&payload);
    }
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no HTTP status")?;
    let json: Value = serde_json::from_slice(&payload).map_err(|e| e.to_string())?;
    let value = json.get("value").cloned().unwrap_or(Value::Null);
    if status >= 400 {
        return Err(format!("{method} {path}: {status} {value}"));
    }
    Ok(value)
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&data[..eol]);
        let size =
            usize::from_str_radix(size.split(';').next().unwrap_or("0").trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = eol + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}

impl Browser {
    fn start() -> Browser {
        let port = free_port();
        let chromedriver = Group::spawn(
            Command::new(program("CHROMEDRIVER", "chromedriver"))
                .arg(format!("--port={port}"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        let driver: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        until("chromedriver to be ready", || {
            let v = webdriver(driver, "GET", "/status", None)?;
            if v["ready"] == true {
                Ok(v)
            } else {
                Err(format!("not ready: {v}"))
            }
        });
        let profile = tempfile::tempdir().unwrap();
        let mut options = json!({
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
                "--window-size=1280,1024",
                format!("--user-data-dir={}", profile.path().display()),
            ]
        });
        let binary = program("CHROME_BIN", "/usr/bin/chromium");
        if Path::new(&binary).exists() {
            options["binary"] = json!(binary);
        }
        let capabilities = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "goog:loggingPrefs": { "browser": "ALL" },
                    "goog:chromeOptions": options,
                    "pageLoadStrategy": "normal",
                    "timeouts": { "pageLoad": 30_000, "script": 10_000, "implicit": 0 },
                }
            }
        });
        let session = webdriver(driver, "POST", "/session", Some(&capabilities))
            .expect("chromedriver starts a Chromium session");
        Browser {
            driver,
            session: session["sessionId"].as_str().unwrap().to_string(),
            _profile: profile,
            _chromedriver: chromedriver,
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let path = format!("/session/{}{path}", self.session);
        webdriver(self.driver, method, &path, body.as_ref()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn goto(&self, url: &str) {
        self.call("POST", "/url", Some(json!({ "url": url })));
    }

    fn current_url(&self) -> String {
        self.call("GET", "/url", None).as_str().unwrap().to_string()
    }

    /// Waits until the address satisfies `want`, then returns it.
    fn wait_for_url(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        until(what, || {
            let url = self.current_url();
            if want(&url) {
                Ok(url)
            } else {
                Err(format!("at {url}"))
            }
        })
    }

    /// The first element matching a CSS selector, waiting for it to appear.
    fn find(&self, css: &str) -> String {
        let path = format!("/session/{}/element", self.session);
        let body = json!({ "using": "css selector", "value": css });
        until(&format!("an element matching {css}"), || {
            let v = webdriver(self.driver, "POST", &path, Some(&body))?;
            v[ELEMENT]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("not an element: {v}"))
        })
    }

    fn type_into(&self, element: &str, text: &str) {
        self.call(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    fn click(&self, element: &str) {
        self.call(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    fn text(&self, element: &str) -> String {
        let v = self.call("GET", &format!("/element/{element}/text"), None);
        v.as_str().unwrap_or_default().to_string()
    }

    fn execute(&self, script: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
    }

    /// Console messages and failed loads since the last call (chromedriver's log).
    fn console(&self) -> Vec<String> {
        let log = self.call("POST", "/se/log", Some(json!({ "type": "browser" })));
        log.as_array()
            .into_iter()
            .flatten()
            .map(|entry| format!("{} {}", entry["level"], entry["message"]))
            .collect()
    }

    /// Saves a PNG of the viewport to `target/test-artifacts/{name}.png`, after checking
    /// that nothing on the page is wider than the window.
    fn screenshot(&self, name: &str) -> PathBuf {
        let widths = self.execute(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
        );
        assert!(
            widths[0].as_i64() <= widths[1].as_i64(),
            "{name}: the page scrolls sideways: {widths}"
        );
        use base64::Engine;
        let data = self.call("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let dir = root().join("target/test-artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let path = format!("/session/{}", self.session);
        let _ = webdriver(self.driver, "DELETE", &path, None);
    }
}

/// What a page's scripts could have changed, read from inside the page.
const PROBE: &str = "return {
    pwned: typeof window.__pwned,
    topPwned: typeof window.top.__pwned,
    title: document.title,
    scripts: document.scripts.length,
    frames: document.querySelectorAll('iframe, object, embed').length,
    bodyHidden: getComputedStyle(document.body).display === 'none',
    handlers: Array.from(document.querySelectorAll('*')).filter(e =>
        Array.from(e.attributes).some(a => a.name.toLowerCase().startsWith('on'))).length,
    jsLinks: Array.from(document.querySelectorAll('[href], [src], [action], [formaction]'))
        .filter(e => ['href', 'src', 'action', 'formaction'].some(n =>
            (e.getAttribute(n) || '').replace(/[\\s\\u0000-\\u001f]/g, '').toLowerCase()
                .startsWith('javascript:'))).length,
};";

#[test]
#[ignore = "needs chromium and chromedriver; run by scripts/test"]
fn a_reader_searches_follows_related_incidents_and_hostile_pages_stay_inert() {
    let server = start_server();
    let browser = Browser::start();
    let base = server.url.trim_end_matches('/').to_string();

    browser.goto(&format!("{base}/"));
    let heading = browser.find("main h1");
    assert_eq!(browser.text(&heading), "Incident knowledge base");
    browser.screenshot("01-home");
    assert_eq!(browser.console(), Vec::<String>::new(), "01-home");

    // Search through the form in the page header, as a reader would.
    let input = browser.find("form.search input[name=q]");
    browser.type_into(&input, "kamailio");
    let submit = browser.find("form.search button[type=submit]");
    browser.click(&submit);
    browser.wait_for_url("the search results", |u| u.contains("/search?q=kamailio"));
    let first = browser.find("ol.results li h3 a");
    assert!(browser.text(&first).to_lowercase().contains("cernphone"));
    let mark = browser.find("ol.results .snippet mark");
    assert_eq!(browser.text(&mark).to_lowercase(), "kamailio");
    browser.screenshot("02-search");
    assert_eq!(browser.console(), Vec::<String>::new(), "02-search");

    browser.click(&first);
    browser.wait_for_url("the CERNphone incident", |u| {
        u.ends_with("/incidents/2024-07-05-cernphone-outages")
    });
    browser.find("section.document");
    browser.screenshot("03-cernphone");
    assert_eq!(browser.console(), Vec::<String>::new(), "03-cernphone");

    let related = browser.find(".related ol li a");
    browser.click(&related);
    browser.wait_for_url("the AuxTel incident", |u| {
        u.ends_with("/incidents/2022-12-06-auxtel-network-failure")
    });
    browser.find("aside.extracted ol.timeline");
    browser.screenshot("04-auxtel");
    assert_eq!(browser.console(), Vec::<String>::new(), "04-auxtel");

    for slug in [
        "2024-03-01-hostile-markdown",
        "2024-03-02-hostile-rst",
        "2024-03-03-hostile-text",
    ] {
        browser.goto(&format!("{base}/incidents/{slug}"));
        browser.find("section.document");
        // Give anything scheduled (onerror, onload, a refresh) time to fire.
        std::thread::sleep(Duration::from_millis(500));
        let probe = browser.execute(PROBE);
        assert_eq!(probe["pwned"], "undefined", "{slug}: {probe}");
        assert_eq!(probe["topPwned"], "undefined", "{slug}: {probe}");
        assert_eq!(probe["scripts"], 0, "{slug}: {probe}");
        assert_eq!(probe["frames"], 0, "{slug}: {probe}");
        assert_eq!(probe["handlers"], 0, "{slug}: {probe}");
        assert_eq!(probe["jsLinks"], 0, "{slug}: {probe}");
        assert_eq!(probe["bodyHidden"], false, "{slug}: {probe}");
        let title = probe["title"].as_str().unwrap_or_default();
        assert!(!title.contains("PWNED"), "{slug}: title {title:?}");
        assert!(title.contains("Hostile"), "{slug}: title {title:?}");
        assert!(
            browser.current_url().ends_with(slug),
            "{slug}: nothing navigated away"
        );
        browser.screenshot(&format!("05-{slug}"));
        // A blocked script or style would be reported here; the relative image the
        // sanitiser keeps may fail to load, which is harmless.
        let console = browser.console();
        assert!(
            console
                .iter()
                .all(|m| !m.contains("Content Security Policy") && !m.contains("Refused")),
            "{slug}: {console:?}"
        );
    }
}

#[test]
#[ignore = "needs chromium and chromedriver; run by scripts/test"]
fn a_status_set_in_the_browser_survives_a_reimport_and_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    copy_incidents(&docs);
    let browser = Browser::start();
    let slug = "2024-07-05-cernphone-outages";

    let (base, server) = serve_in(dir.path(), &["--single-user"]);
    browser.goto(&format!("{base}/incidents/{slug}"));
    browser.find("ul.actions li form");
    let id = browser
        .execute("return document.querySelector('ul.actions li').id.replace('action-', '');");
    let id = id.as_str().unwrap().to_string();
    let item = format!("li#action-{id}");
    let option = browser.find(&format!(
        "{item} select[name=status] option[value=in_progress]"
    ));
    browser.click(&option);
    browser.execute(&format!(
        "document.querySelector('{item} input[name=owner]').value = '';"
    ));
    let owner = browser.find(&format!("{item} input[name=owner]"));
    browser.type_into(&owner, "erin");
    let note = browser.find(&format!("{item} input[name=note]"));
    browser.type_into(&note, "fixed in production");
    browser.screenshot("10-action-form");
    let save = browser.find(&format!("{item} button[type=submit]"));
    browser.click(&save);
    browser.wait_for_url("the incident page again", |u| u.ends_with("#actions"));
    let badge = browser.find(&format!("{item} .badge.status"));
    assert_eq!(browser.text(&badge), "in progress");
    browser.screenshot("11-action-saved");
    drop(server);

    // The document changes elsewhere and is imported again while the server is down.
    let file = docs.join(format!("{slug}.txt"));
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str("\nA later remark appended to the postmortem.\n");
    std::fs::write(&file, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_aftermath"))
        .args(["--database", "web.db", "import", "-q"])
        .current_dir(dir.path())
        .env_remove("AFTERMATH_DATABASE")
        .env_remove("AFTERMATH_CONFIG")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 1"));

    let (base, _server) = serve_in(dir.path(), &[]);
    browser.goto(&format!("{base}/actions/{id}"));
    let facts = browser.find("dl.facts");
    let facts = browser.text(&facts);
    assert!(facts.contains("In progress"), "{facts}");
    assert!(facts.contains("erin"), "{facts}");
    let history = browser.find("ol.history");
    let history = browser.text(&history);
    assert!(history.contains("browser-tester (web)"), "{history}");
    assert!(history.contains("status:"), "{history}");
    assert!(history.contains("note: fixed in production"), "{history}");
    browser.screenshot("12-action-after-restart");
}
