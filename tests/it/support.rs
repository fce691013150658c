//! Paths and helpers shared by the integration tests.

use aftermath::import::{self, Diagnostic, Options, Report};
use sqlx::SqlitePool;
use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` beside the repository: seeds, golden files, corpus, tools.
pub fn shared() -> PathBuf {
    root().join("../shared")
}

/// The sample incidents.
pub fn incidents() -> PathBuf {
    root().join("incidents")
}

/// The `aftermath` binary built for these tests, to run in `cwd`, with no database or
/// config file named by the environment.
pub fn aftermath_command(cwd: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aftermath"));
    command
        .current_dir(cwd)
        .env_remove("AFTERMATH_DATABASE")
        .env_remove("AFTERMATH_CONFIG");
    command
}

/// Runs the `aftermath` binary built for these tests.
pub fn aftermath(args: &[&str], cwd: &Path) -> Output {
    aftermath_command(cwd)
        .args(args)
        .output()
        .expect("running aftermath")
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs the `aftermath` binary like [`aftermath`], but kills it and fails the test when
/// it runs longer than `limit` (a FIFO or a device read by mistake would hang it).
pub fn aftermath_within(args: &[&str], cwd: &Path, limit: Duration) -> Output {
    let mut child = aftermath_command(cwd)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("running aftermath");
    // Drain both pipes while waiting, so a chatty run cannot block on a full pipe.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stdout.read_to_end(&mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stderr.read_to_end(&mut b);
        b
    });
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("aftermath {args:?} ran longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// A child process in its own process group, ended with everything it started (a
/// server's workers, chromedriver's browsers) when dropped, even when the test panics.
pub struct ProcessGroup(pub Child);

impl ProcessGroup {
    /// Starts `command` as the leader of a new process group.
    pub fn spawn(command: &mut Command) -> ProcessGroup {
        let child = command
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {:?}: {e}", command.get_program()));
        ProcessGroup(child)
    }
}

impl Drop for ProcessGroup {
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

/// Starts `aftermath serve` as `command` describes it (global flags, `serve` and its
/// flags) on a free loopback port, waits for the address it prints and then for its
/// start-up import (which runs while it serves) to finish. A server that does not start
/// fails the test with what it wrote to stderr.
pub fn serve(command: &mut Command) -> (String, ProcessGroup) {
    serve_logging(command, None)
}

/// Like [`serve`], writing the server's log (its stderr) to `log` when given, for
/// tests that read it.
pub fn serve_logging(command: &mut Command, log: Option<&Path>) -> (String, ProcessGroup) {
    let (url, process) = serve_while_importing(command, log);
    let started = Instant::now();
    while http(&url, "GET", "/readyz", None)
        .1
        .contains(r#""detail":"importing""#)
    {
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "the start-up import of {url} took over five minutes"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (url, process)
}

/// Like [`serve_logging`], returning as soon as the server listens, while its start-up
/// import may still run.
pub fn serve_while_importing(command: &mut Command, log: Option<&Path>) -> (String, ProcessGroup) {
    let stderr_to = match log {
        Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
        None => Stdio::piped(),
    };
    let mut process = ProcessGroup::spawn(
        command
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(stderr_to),
    );
    let stdout = process.0.stdout.take().unwrap();
    let mut stderr: Box<dyn Read + Send> = match process.0.stderr.take() {
        Some(pipe) => Box::new(pipe),
        None => Box::new(std::io::empty()),
    };
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(url) = line.trim().strip_prefix("listening on ") {
                let _ = tx.send(url.trim_end_matches('/').to_string());
            }
        }
    });
    // Drained all along, so a chatty server never blocks on a full pipe.
    let errors = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(url) => (url, process),
        Err(_) => {
            drop(process);
            let errors = match log {
                Some(path) => std::fs::read_to_string(path).unwrap_or_default(),
                None => errors.join().unwrap_or_default(),
            };
            panic!("serve did not start:\n{errors}");
        }
    }
}

/// Polls `f` until it succeeds, for at most `limit`; a timeout reports the last error.
pub async fn until<T, F>(what: &str, limit: Duration, mut f: impl FnMut() -> F) -> T
where
    F: std::future::Future<Output = Result<T, String>>,
{
    let deadline = Instant::now() + limit;
    loop {
        match f().await {
            Ok(v) => return v,
            Err(e) if Instant::now() >= deadline => {
                panic!("timed out waiting for {what}; last: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
        }
    }
}

/// A temporary folder holding `incidents/` and the database `test.db`: where the import
/// and tracking tests start.
pub struct Env {
    pub dir: tempfile::TempDir,
    /// The `incidents/` folder.
    pub docs: PathBuf,
    pub pool: SqlitePool,
}

impl Env {
    /// An empty `incidents/` folder and a new database.
    pub async fn empty() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let docs = dir.path().join("incidents");
        std::fs::create_dir_all(&docs).unwrap();
        let pool = aftermath::db::open(&dir.path().join("test.db"))
            .await
            .unwrap();
        Env { dir, docs, pool }
    }

    /// The sample incidents in `incidents/`, not imported yet.
    pub async fn samples() -> Env {
        let env = Env::empty().await;
        copy_incidents(&env.docs);
        env
    }

    /// Imports `paths`, bounded to a minute (a FIFO or a device read by mistake must not
    /// hang the test): the report and every diagnostic.
    pub async fn import(&self, paths: &[&Path], options: &Options) -> (Report, Vec<Diagnostic>) {
        let mut diags = Vec::new();
        let paths: Vec<PathBuf> = paths.iter().map(|p| p.to_path_buf()).collect();
        let run = import::import_paths(&self.pool, &paths, options, |e| {
            if let import::Event::Diagnostic(d) = e {
                diags.push(d.clone())
            }
        });
        let report = tokio::time::timeout(Duration::from_secs(60), run)
            .await
            .expect("the import finishes")
            .unwrap();
        (report, diags)
    }
}

/// Stdout and stderr as text.
pub fn texts(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Copies the sample incidents into a fresh folder.
pub fn copy_incidents(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(incidents()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// Hostile postmortems (script, event handlers, `javascript:` links, frames, inline
/// style) in Markdown, reStructuredText and plain text.
pub fn hostile() -> PathBuf {
    root().join("tests/fixtures/hostile")
}

/// Copies every file of `from` into `to` (created if needed).
pub fn copy_folder(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// The web application over a real SQLite file holding the sample incidents and the
/// hostile fixtures, driven in-process.
pub struct WebSite {
    _dir: tempfile::TempDir,
    /// The imported `incidents/` folder.
    pub docs: PathBuf,
    pub app: axum::Router,
    /// The database behind the app, to break it on purpose.
    pub pool: sqlx::SqlitePool,
}

/// A page as the server returned it.
pub struct Page {
    pub status: axum::http::StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl Page {
    /// The body parsed as an HTML document.
    pub fn html(&self) -> scraper::Html {
        scraper::Html::parse_document(&self.body)
    }
}

/// Imports `incidents/` (and the hostile fixtures, when asked) into a fresh database and
/// builds the app over it.
pub async fn web_site(with_hostile: bool) -> WebSite {
    let extra = if with_hostile {
        vec![hostile()]
    } else {
        vec![]
    };
    web_site_with(&extra, default_site()).await
}

/// The site settings of most tests: nothing configured but the stale-action age.
pub fn default_site() -> aftermath::web::Site {
    aftermath::web::Site {
        stale_days: 30,
        ..aftermath::web::Site::default()
    }
}

/// The postmortems whose characters change byte length when their case changes (`İ`,
/// `ẞ`, the Kelvin sign, `Ⱥ`), in every field the extractor fills.
pub fn unicode_case() -> PathBuf {
    root().join("tests/fixtures/unicode-case")
}

/// Imports `incidents/` and the files of the `extra` folders into a fresh database and
/// builds the app over it with the settings of `site`.
pub async fn web_site_with(extra: &[PathBuf], site: aftermath::web::Site) -> WebSite {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("incidents");
    copy_incidents(&docs);
    for folder in extra {
        copy_folder(folder, &docs);
    }
    let pool = aftermath::db::open(&dir.path().join("web.db"))
        .await
        .unwrap();
    let report = aftermath::import::import_paths(
        &pool,
        std::slice::from_ref(&docs),
        &aftermath::import::Options {
            max_file_bytes: 1024 * 1024,
            allow_symlinks_outside: false,
        },
        |_| {},
    )
    .await
    .unwrap();
    assert_eq!(report.failed, 0, "every fixture imports");
    let app = aftermath::web::app(aftermath::web::AppState::new(pool.clone(), site));
    WebSite {
        _dir: dir,
        docs,
        app,
        pool,
    }
}

impl WebSite {
    /// A second connection pool to the site's database, as another process writing
    /// to it would have.
    pub async fn other_connection(&self) -> sqlx::SqlitePool {
        let db = self.docs.parent().unwrap().join("web.db");
        sqlx::SqlitePool::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap()
    }

    /// GETs `uri` (path and query, already percent-encoded).
    pub async fn get(&self, uri: &str) -> Page {
        let request = axum::http::Request::get(uri)
            .body(axum::body::Body::empty())
            .unwrap();
        self.send(request, None).await
    }

    /// Sends `request`, as if it came over a connection from `peer` when one is given.
    pub async fn send(
        &self,
        mut request: axum::http::Request<axum::body::Body>,
        peer: Option<&str>,
    ) -> Page {
        use http_body_util::BodyExt;
        use tower::ServiceExt;
        if let Some(peer) = peer {
            let addr: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
            request
                .extensions_mut()
                .insert(axum::extract::ConnectInfo(addr));
        }
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Page {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).expect("pages are UTF-8"),
        }
    }

    /// GETs `uri` and insists on 200 OK.
    pub async fn page(&self, uri: &str) -> scraper::Html {
        let page = self.get(uri).await;
        assert_eq!(page.status, 200, "GET {uri}:\n{}", page.body);
        page.html()
    }
}

/// The text of every element matching `selector`, whitespace collapsed.
pub fn texts_of(html: &scraper::Html, selector: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    html.select(&sel)
        .map(|e| e.text().collect::<Vec<_>>().join(" "))
        .map(|t| t.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// The value of `attr` on every element matching `selector`.
pub fn attrs_of(html: &scraper::Html, selector: &str, attr: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).unwrap();
    html.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// Percent-encodes a query-string or form value (all but RFC 3986's unreserved
/// characters).
pub fn encode(value: &str) -> String {
    const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~');
    percent_encoding::utf8_percent_encode(value, ESCAPED).to_string()
}

/// One HTTP/1.1 request over a new connection to the server at `base`
/// (`http://127.0.0.1:PORT`), with a JSON body when one is given; the status and body.
pub fn http(base: &str, method: &str, path: &str, json: Option<&str>) -> (u16, String) {
    let reply = http_exchange(base, method, path, json);
    (reply.status, reply.body)
}

/// A response read off the wire: the status, the header block as sent, the body.
pub struct Reply {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Reply {
    /// The value of header `name` (any case), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (n, v) = line.split_once(':')?;
            n.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// Like [`http`], keeping the response's headers.
pub fn http_exchange(base: &str, method: &str, path: &str, json: Option<&str>) -> Reply {
    use std::io::Write;
    let addr = base.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let body = json.unwrap_or("");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if json.is_some() {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).into_owned();
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let (head, body) = response
        .split_once("\r\n\r\n")
        .map(|(h, b)| (h.to_string(), b.to_string()))
        .unwrap_or((response.clone(), String::new()));
    Reply { status, head, body }
}
