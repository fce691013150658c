//! One headless Chromium for every browser test, driven over WebDriver by fantoccini:
//! chromedriver in its own process group (ended with its browsers even when a test
//! panics), a fresh profile, waiting for elements and addresses, the console, and
//! screenshots under `target/test-artifacts/`.

use crate::support::{ProcessGroup, free_port, root, until};
use fantoccini::elements::Element;
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The longest any single wait for the browser may take.
pub const WAIT: Duration = Duration::from_secs(30);

/// One WebDriver session in headless Chromium.
pub struct Browser {
    client: Client,
    _profile: tempfile::TempDir,
    // Dropped last: chromedriver and the browsers it started end with it.
    _chromedriver: ProcessGroup,
}

fn program(env_var: &str, default: &str) -> String {
    std::env::var(env_var).unwrap_or_else(|_| default.to_string())
}

/// chromedriver's console log (`/se/log`), which the W3C protocol has no command for.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

impl Browser {
    /// Starts chromedriver and a Chromium session with a window of `width` × `height`
    /// (a phone's screen, emulated, below 500 px).
    pub async fn start(width: u32, height: u32) -> Browser {
        let port = free_port();
        let chromedriver = ProcessGroup::spawn(
            Command::new(program("CHROMEDRIVER", "chromedriver"))
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        let driver = format!("http://127.0.0.1:{port}");
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
                format!("--window-size={width},{height}"),
                format!("--user-data-dir={}", profile.path().display()),
            ]
        });
        let binary = program("CHROME_BIN", "/usr/bin/chromium");
        if Path::new(&binary).exists() {
            options["binary"] = json!(binary);
        }
        // Chromium's windows are at least 500 px wide: a phone is emulated instead, a
        // device of that size that honours the page's viewport meta as a phone does.
        if width < 500 {
            options["mobileEmulation"] = json!({
                "deviceMetrics": {
                    "width": width, "height": height, "pixelRatio": 1.0,
                    "mobile": true, "touch": true
                }
            });
        }
        let capabilities = json!({
            "browserName": "chrome",
            "goog:loggingPrefs": { "browser": "ALL" },
            "goog:chromeOptions": options,
            "pageLoadStrategy": "normal",
            "timeouts": { "pageLoad": 30_000, "script": 10_000, "implicit": 0 },
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("an object")
        };
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        // chromedriver takes a moment to listen: the first sessions may be refused.
        let client = until("a Chromium session from chromedriver", WAIT, || {
            let mut builder = ClientBuilder::new(connector.clone());
            builder.capabilities(capabilities.clone());
            let driver = driver.clone();
            async move { builder.connect(&driver).await.map_err(|e| e.to_string()) }
        })
        .await;
        Browser {
            client,
            _profile: profile,
            _chromedriver: chromedriver,
        }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("the page loads");
    }

    pub async fn current_url(&self) -> String {
        self.client.current_url().await.unwrap().to_string()
    }

    pub async fn title(&self) -> String {
        self.client.title().await.unwrap()
    }

    /// Waits until the address satisfies `want`, then returns it.
    pub async fn wait_for_url(&self, what: &str, want: impl Fn(&str) -> bool) -> String {
        until(what, WAIT, || async {
            let url = self.current_url().await;
            if want(&url) {
                Ok(url)
            } else {
                Err(format!("at {url}"))
            }
        })
        .await
    }

    /// The first element matching a CSS selector, waiting for it to appear.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("an element matching {css}: {e}"))
    }

    /// The rendered text of the first element matching `css`.
    pub async fn text_of(&self, css: &str) -> String {
        self.find(css).await.text().await.unwrap()
    }

    /// Runs `script` in the page and returns what it returns.
    pub async fn execute(&self, script: &str) -> Value {
        self.client
            .execute(script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("running {script}: {e}"))
    }

    /// Console messages and failed loads since the last call (chromedriver's log).
    pub async fn console(&self) -> Vec<String> {
        let log = self.client.issue_cmd(BrowserLog).await.unwrap();
        log.as_array()
            .into_iter()
            .flatten()
            .map(|entry| format!("{} {}", entry["level"], entry["message"]))
            .collect()
    }

    /// Saves a PNG of the viewport to `target/test-artifacts/{name}.png`, after checking
    /// that nothing on the page is wider than the window.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let widths = self
            .execute(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth];",
            )
            .await;
        assert!(
            widths[0].as_i64() <= widths[1].as_i64(),
            "{name}: the page scrolls sideways: {widths}"
        );
        let png = self.client.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        let dir = root().join("target/test-artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Ends the session (chromedriver and the browser end when the guard drops).
    pub async fn close(self) {
        let _ = self.client.close().await;
    }
}
