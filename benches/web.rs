//! Web benchmark: search latency end to end over HTTP, against `rg -l` over the same
//! files, and page throughput under a bounded `wrk` load, against nginx serving a static
//! 20 KB file on the same machine in the same run.
//!
//! Every page kind is measured twice: anonymously and signed in with an API token
//! (people who sign in never share the anonymous page cache), beside nginx in the same
//! run. Then, signed in: searches over distinct queries from 8 concurrent clients (no
//! cache can answer them), `/actions` and each of its filters, and a walk of every
//! page of `/api/actions`.
//!
//! Run: `cargo bench --bench web -- [--docs N] [--rounds R] [--no-wrk] [--no-rg]
//! [--slowest K] [--wrk-seconds S] [--bin PATH] [--db-suffix X]` (release mode;
//! needs `rg`, `wrk` and `nginx` on PATH or in /usr/sbin for the baselines, which
//! `scripts/bench` installs). The corpus and its database are cached under
//! `target/bench/`. Results go to stdout; BENCHMARKS.md records them.

#[path = "support/mod.rs"]
mod support;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use support::{Server, corpus, free_port, percentile, root};

struct Args {
    docs: u64,
    rounds: usize,
    wrk: bool,
    /// Print this many of the slowest queries of each kind.
    slowest: usize,
    /// Run the `rg -l` baseline.
    rg: bool,
    /// Seconds of each wrk run.
    wrk_seconds: u32,
}

fn args() -> Args {
    let mut a = Args {
        docs: 10_000,
        rounds: 3,
        wrk: true,
        slowest: 0,
        rg: true,
        wrk_seconds: 10,
    };
    let mut benching = false;
    let mut docs_given = false;
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        match x.as_str() {
            "--docs" => {
                a.docs = it.next().and_then(|v| v.parse().ok()).expect("--docs N");
                docs_given = true;
            }
            "--rounds" => a.rounds = it.next().and_then(|v| v.parse().ok()).expect("--rounds R"),
            "--no-wrk" => a.wrk = false,
            "--no-rg" => a.rg = false,
            "--bin" => {
                let path = it.next().expect("--bin PATH");
                BIN.set(path).expect("--bin given once");
            }
            "--wrk-seconds" => {
                a.wrk_seconds = it
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--wrk-seconds S")
            }
            "--slowest" => a.slowest = it.next().and_then(|v| v.parse().ok()).expect("--slowest K"),
            "--bench" => benching = true,
            _ => {}
        }
    }
    // Under `cargo test --all-targets` this runs as a smoke test on a tiny corpus.
    if !benching && !docs_given {
        a.docs = 30;
        a.rounds = 1;
        a.wrk = false;
    }
    a
}

/// The `aftermath` binary every step runs: this build, or `--bin PATH` (an earlier
/// build, to measure before and after with the same harness).
static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();

fn bin() -> &'static str {
    BIN.get_or_init(|| env!("CARGO_BIN_EXE_aftermath").to_string())
}

/// Imports the corpus once into a cached database.
fn database(docs: u64, corpus: &Path) -> PathBuf {
    let suffix = std::env::args()
        .skip_while(|a| a != "--db-suffix")
        .nth(1)
        .unwrap_or_default();
    support::imported_database(bin(), &format!("web-{docs}{suffix}"), corpus, true)
}

/// An API token for a bench user (created once per database; a new token each run).
fn token(db: &Path) -> String {
    let run = |args: &[&str]| {
        Command::new(bin())
            .arg("--database")
            .arg(db)
            .args(args)
            .env("AFTERMATH_PASSWORD", "bench-password-1")
            .stderr(Stdio::null())
            .output()
            .expect("running aftermath user")
    };
    // Fails harmlessly when the user exists from an earlier run.
    let _ = run(&["user", "add", "bench"]);
    let out = run(&["user", "token", "bench"]);
    assert!(out.status.success(), "creating a token");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .to_string()
}

fn start_server(db: &Path) -> Server {
    let work = root().join("web-empty");
    std::fs::create_dir_all(work.join("incidents")).unwrap();
    let port = free_port();
    let mut child = Command::new(bin())
        .current_dir(&work)
        .arg("--database")
        .arg(db)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting server");
    let mut out = child.stdout.take().unwrap();
    let mut buf = [0u8; 256];
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut seen = String::new();
    while !seen.contains("listening on") && Instant::now() < deadline {
        let n = out.read(&mut buf).unwrap_or(0);
        if n == 0 {
            break;
        }
        seen.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(
        seen.contains("listening on"),
        "server did not start: {seen}"
    );
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    // The figures are of a server at rest: its start-up check (`quick_check`, 9 s of
    // one core at 100,000 incidents) and start-up work are done once `/readyz` says
    // so.
    let started = Instant::now();
    while !response_text(addr, "/readyz").contains("no damage") {
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "the server's start-up check took over ten minutes"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    eprintln!(
        "server ready (start-up check done) {:.1} s after it listened",
        started.elapsed().as_secs_f64()
    );
    Server { child, addr }
}

/// One GET, returning status and body length. HTTP/1.1 with Connection: close.
fn get(addr: SocketAddr, path: &str) -> (u16, usize) {
    let (status, _, len) = fetch(addr, path, None);
    (status, len)
}

/// The whole response to a GET of `path` (head and body) as text.
fn response_text(addr: SocketAddr, path: &str) -> String {
    String::from_utf8_lossy(&support::http_get(addr, path, None)).into_owned()
}

/// One GET with an optional bearer token: status, header block, response length.
fn fetch(addr: SocketAddr, path: &str, token: Option<&str>) -> (u16, String, usize) {
    let raw = support::http_get(addr, path, token);
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..end]).to_string();
    (support::status_of(&raw), head, raw.len())
}

/// One client's connection, kept open between its requests as a browser keeps it.
struct KeepAlive {
    addr: SocketAddr,
    stream: Option<std::io::BufReader<TcpStream>>,
}

impl KeepAlive {
    fn new(addr: SocketAddr) -> KeepAlive {
        KeepAlive { addr, stream: None }
    }

    /// GETs `path` and reads the whole response; returns its status.
    fn get(&mut self, path: &str, token: Option<&str>) -> u16 {
        use std::io::BufRead;
        let addr = self.addr;
        let stream = self.stream.get_or_insert_with(|| {
            let s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
            s.set_nodelay(true).unwrap();
            std::io::BufReader::new(s)
        });
        let auth = token
            .map(|t| format!("Authorization: Bearer {t}\r\n"))
            .unwrap_or_default();
        write!(
            stream.get_mut(),
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}\r\n"
        )
        .unwrap();
        let mut line = String::new();
        stream.read_line(&mut line).unwrap();
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let (mut length, mut chunked, mut close) = (None, false, false);
        loop {
            line.clear();
            stream.read_line(&mut line).unwrap();
            let header = line.trim_end().to_ascii_lowercase();
            if header.is_empty() {
                break;
            }
            if let Some(v) = header.strip_prefix("content-length:") {
                length = v.trim().parse::<usize>().ok();
            }
            chunked |= header.starts_with("transfer-encoding:") && header.contains("chunked");
            close |= header.starts_with("connection:") && header.contains("close");
        }
        if chunked {
            loop {
                line.clear();
                stream.read_line(&mut line).unwrap();
                let size = usize::from_str_radix(line.trim(), 16).unwrap_or(0);
                let mut chunk = vec![0; size + 2];
                stream.read_exact(&mut chunk).unwrap();
                if size == 0 {
                    break;
                }
            }
        } else if let Some(n) = length {
            let mut body = vec![0; n];
            stream.read_exact(&mut body).unwrap();
        } else {
            close = true;
            stream.read_to_end(&mut Vec::new()).unwrap();
        }
        if close {
            self.stream = None;
        }
        status
    }
}

fn encode(q: &str) -> String {
    percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// Query sets drawn from the corpus vocabulary: frequent and rare words, adjacent
/// word pairs as phrases, and four-letter prefixes.
fn queries(corpus: &Path) -> Vec<(&'static str, String, String)> {
    let mut counts: std::collections::HashMap<String, usize> = Default::default();
    let mut pairs: Vec<(String, String)> = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.ends_with(".complete"))
        .collect();
    files.sort();
    for f in files.iter().step_by((files.len() / 200).max(1)) {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        let words: Vec<String> = text
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| w.len() >= 5)
            .map(str::to_lowercase)
            .collect();
        let mut doc_words: std::collections::HashSet<&String> = Default::default();
        for w in &words {
            doc_words.insert(w);
        }
        for w in doc_words {
            *counts.entry(w.clone()).or_default() += 1;
        }
        if let Some(pair) = words.windows(2).nth(pairs.len() % 7 + 3) {
            pairs.push((pair[0].clone(), pair[1].clone()));
        }
    }
    let mut by_freq: Vec<(String, usize)> = counts.into_iter().collect();
    by_freq.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = Vec::new();
    // Frequent words (the hard case for ranking), then a spread down to rare ones.
    let n = by_freq.len();
    for i in (0..20).chain((0..20).map(|k| 20 + k * (n.saturating_sub(21)) / 20)) {
        if let Some((w, _)) = by_freq.get(i) {
            out.push(("word", w.clone(), w.clone()));
        }
    }
    for (a, b) in pairs.iter().take(30) {
        out.push(("phrase", format!("\"{a} {b}\""), format!("{a} {b}")));
    }
    for (w, _) in by_freq.iter().step_by((n / 30).max(1)).take(30) {
        let p: String = w.chars().take(4).collect();
        out.push(("prefix", format!("{p}*"), p));
    }
    out
}

fn report(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{label:<34} n={:<4} p50 {:>8.2} ms  p90 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms",
        ms.len(),
        percentile(&ms, 0.5),
        percentile(&ms, 0.9),
        percentile(&ms, 0.99),
        ms.last().copied().unwrap_or(0.0)
    );
}

fn have(cmd: &str) -> Option<PathBuf> {
    for dir in ["/usr/bin", "/usr/sbin", "/usr/local/bin", "/bin", "/sbin"] {
        let p = Path::new(dir).join(cmd);
        if p.exists() {
            return Some(p);
        }
    }
    None
}

fn search_latency(server: &Server, corpus: &Path, a: &Args) {
    let (rounds, slowest) = (a.rounds, a.slowest);
    let qs = queries(corpus);
    // Warm up once.
    for (_, q, _) in &qs {
        get(server.addr, &format!("/search?q={}", encode(q)));
    }
    // Every request carries a fresh `n`, so the page cache never answers: these are
    // the costs of a search nobody ran in the last seconds.
    let mut n = 0u64;
    for kind in ["word", "phrase", "prefix"] {
        let mut ms = Vec::new();
        let mut by_query = Vec::new();
        for _ in 0..rounds {
            for (k, q, _) in qs.iter().filter(|(k, _, _)| *k == kind) {
                n += 1;
                let start = Instant::now();
                let (status, _) = get(server.addr, &format!("/search?q={}&n={n}", encode(q)));
                let took = start.elapsed().as_secs_f64() * 1000.0;
                ms.push(took);
                by_query.push((took, q));
                assert_eq!(status, 200, "{k} query {q}");
            }
        }
        report(&format!("aftermath /search, {kind}"), ms);
        by_query.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (took, q) in by_query.iter().take(slowest) {
            println!("    {took:>8.2} ms  {q}");
        }
    }
    if !a.rg {
        return;
    }
    if let Some(rg) = have("rg") {
        for kind in ["word", "phrase", "prefix"] {
            let mut ms = Vec::new();
            for (_, _, literal) in qs.iter().filter(|(k, _, _)| *k == kind) {
                let start = Instant::now();
                let _ = Command::new(&rg)
                    .args(["-l", "-i", "-F", "-j", "2", "--", literal])
                    .arg(corpus)
                    .stdout(Stdio::null())
                    .status();
                ms.push(start.elapsed().as_secs_f64() * 1000.0);
            }
            report(&format!("baseline rg -l, {kind}"), ms);
        }
    } else {
        println!("baseline rg -l: rg not installed (apt-get install ripgrep)");
    }
}

/// Requests per second, and whether any error or timeout was reported; signed in
/// with `token` when given.
fn wrk(url: &str, seconds: u32, token: Option<&str>) -> Option<(f64, String)> {
    let wrk = have("wrk")?;
    let mut command = Command::new(wrk);
    command.args(["-t2", "-c50", &format!("-d{seconds}s"), "--timeout", "5s"]);
    if let Some(t) = token {
        command.args(["-H", &format!("Authorization: Bearer {t}")]);
    }
    let out = command.arg(url).output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    let rps = text
        .lines()
        .find(|l| l.starts_with("Requests/sec:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())?;
    let problems: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("Socket errors") || l.contains("Non-2xx"))
        .collect();
    Some((rps, problems.join("; ")))
}

struct Nginx {
    child: Child,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its workers; SIGKILL (Child::kill) would leave
        // them running, orphaned, after every run.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn nginx(port: u16) -> Option<Nginx> {
    let bin = have("nginx")?;
    let dir = root().join("nginx");
    std::fs::create_dir_all(dir.join("html")).ok()?;
    std::fs::create_dir_all(dir.join("logs")).ok()?;
    let page = "<p>static</p>\n".repeat(20 * 1024 / 14);
    std::fs::write(dir.join("html/page.html"), page).ok()?;
    let conf = format!(
        "worker_processes 2;\ndaemon off;\nerror_log {d}/logs/error.log;\npid {d}/logs/nginx.pid;\n\
         events {{ worker_connections 1024; }}\n\
         http {{ access_log off; client_body_temp_path {d}/tmp; proxy_temp_path {d}/tmp; \
         fastcgi_temp_path {d}/tmp; uwsgi_temp_path {d}/tmp; scgi_temp_path {d}/tmp;\n\
         server {{ listen 127.0.0.1:{port}; root {d}/html; }} }}\n",
        d = dir.display()
    );
    std::fs::create_dir_all(dir.join("tmp")).ok()?;
    std::fs::write(dir.join("nginx.conf"), conf).ok()?;
    let child = Command::new(bin)
        .args(["-p"])
        .arg(&dir)
        .arg("-c")
        .arg(dir.join("nginx.conf"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    std::thread::sleep(Duration::from_millis(500));
    Some(Nginx { child })
}

fn throughput(server: &Server, seconds: u32, token: &str) {
    let port = free_port();
    let nginx_rps = match nginx(port) {
        Some(_guard) => {
            let r = wrk(&format!("http://127.0.0.1:{port}/page.html"), seconds, None);
            r.map(|(rps, problems)| {
                println!("baseline nginx static 20 KB       {rps:>10.0} req/s {problems}");
                rps
            })
        }
        None => {
            println!("baseline nginx: not installed (apt-get install nginx)");
            None
        }
    };
    let (_, list_body) = get(server.addr, "/incidents");
    let first = {
        // The first incident link on the list page.
        let mut s = TcpStream::connect(server.addr).unwrap();
        write!(
            s,
            "GET /incidents HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            server.addr
        )
        .unwrap();
        let mut body = String::new();
        s.read_to_string(&mut body).unwrap();
        body.split("href=\"/incidents/")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap_or("")
            .to_string()
    };
    let _ = list_body;
    for (label, path, target, who) in [
        ("incident page", format!("/incidents/{first}"), 0.80, None),
        (
            "incident page, signed in",
            format!("/incidents/{first}"),
            0.40,
            Some(token),
        ),
        ("incidents list", "/incidents".to_string(), 0.25, None),
        (
            "incidents list, signed in",
            "/incidents".to_string(),
            0.25,
            Some(token),
        ),
        ("home", "/".to_string(), 0.25, None),
        ("home, signed in", "/".to_string(), 0.25, Some(token)),
        (
            "search (word)",
            "/search?q=database".to_string(),
            0.25,
            None,
        ),
        (
            "search (word), signed in",
            "/search?q=database".to_string(),
            0.25,
            Some(token),
        ),
        (
            "actions, signed in",
            "/actions".to_string(),
            0.0,
            Some(token),
        ),
    ] {
        match wrk(&format!("http://{}{path}", server.addr), seconds, who) {
            Some((rps, problems)) => {
                let vs = nginx_rps
                    .map(|n| {
                        format!(
                            "{:>5.0}% of nginx{}",
                            100.0 * rps / n,
                            if target > 0.0 {
                                format!(" (target >= {:.0}%)", target * 100.0)
                            } else {
                                String::new()
                            }
                        )
                    })
                    .unwrap_or_default();
                println!("aftermath {label:<26} {rps:>10.0} req/s {vs} {problems}");
            }
            None => println!("aftermath {label}: wrk not installed (apt-get install wrk)"),
        }
    }
}

/// Signed-in searches over distinct queries (each asked once per round, with a fresh
/// parameter so no cache answers) from `clients` threads at once: first each client
/// keeping its connection open, as a browser does (what the target is for), then
/// with a new connection per search.
fn concurrent_search(server: &Server, corpus: &Path, token: &str, clients: usize, rounds: usize) {
    let qs: Vec<String> = queries(corpus).into_iter().map(|(_, q, _)| q).collect();
    for keep_alive in [true, false] {
        let addr = server.addr;
        let start = Instant::now();
        let handles: Vec<_> = (0..clients)
            .map(|c| {
                let qs = qs.clone();
                let token = token.to_string();
                std::thread::spawn(move || {
                    let mut client = KeepAlive::new(addr);
                    let mut ms = Vec::new();
                    for r in 0..rounds {
                        // Each client starts at its own place in the list.
                        for k in 0..qs.len() {
                            let q = &qs[(k + c * qs.len() / clients) % qs.len()];
                            let path =
                                format!("/search?q={}&c={c}&r={r}&k={keep_alive}", encode(q));
                            let t = Instant::now();
                            let status = if keep_alive {
                                client.get(&path, Some(&token))
                            } else {
                                fetch(addr, &path, Some(&token)).0
                            };
                            ms.push(t.elapsed().as_secs_f64() * 1000.0);
                            assert_eq!(status, 200, "{path}");
                        }
                    }
                    ms
                })
            })
            .collect();
        let ms: Vec<f64> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        let n = ms.len();
        let how = if keep_alive {
            "kept connections"
        } else {
            "a connection each"
        };
        report(&format!("search, distinct, {clients} clients, {how}"), ms);
        println!(
            "    {n} searches in {:.1} s = {:.0} searches/s{}",
            start.elapsed().as_secs_f64(),
            n as f64 / start.elapsed().as_secs_f64(),
            if keep_alive {
                " (target p99 < 25 ms)"
            } else {
                ""
            }
        );
    }
}

/// `/actions` and each filter, signed in, one request at a time.
fn actions_latency(server: &Server, token: &str, rounds: usize) {
    let paths = [
        "/actions",
        "/actions?overdue=1",
        "/actions?stale=1",
        "/actions?no_owner=1",
        "/actions?status=done",
        "/actions?status=all",
        "/actions?owner=ben",
        "/actions?system=kafka",
        "/actions?sort=age",
        "/actions?sort=incident",
        "/actions?view=owners",
    ];
    // Once to warm the memoised counts; the figures are what a filter change costs.
    for p in paths {
        fetch(server.addr, p, Some(token));
    }
    let mut all = Vec::new();
    for p in paths {
        let mut ms = Vec::new();
        for _ in 0..rounds.max(1) * 5 {
            let t = Instant::now();
            let (status, _, _) = fetch(server.addr, p, Some(token));
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            assert_eq!(status, 200, "{p}");
        }
        all.extend(ms.iter().copied());
        report(&format!("signed in {p}"), ms);
    }
    report("signed in /actions, every filter", all);
}

/// Every page of `/api/actions?status=all` by its `Link: rel="next"`.
fn api_walk(server: &Server, token: &str, limit: u32) {
    let start = Instant::now();
    let mut next = Some(format!("/api/actions?status=all&limit={limit}"));
    let (mut pages, mut bytes, mut ms) = (0, 0usize, Vec::new());
    while let Some(path) = next.take() {
        let t = Instant::now();
        let (status, head, len) = fetch(server.addr, &path, Some(token));
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
        assert_eq!(status, 200, "{path}");
        bytes += len;
        pages += 1;
        next = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("link:"))
            .and_then(|l| l.split_once('<'))
            .and_then(|(_, rest)| rest.split_once('>'))
            .map(|(url, _)| url.to_string());
        assert!(pages < 100_000, "the walk ends");
    }
    let took = start.elapsed().as_secs_f64();
    report(&format!("api walk, page of {limit}"), ms);
    println!(
        "    {pages} pages, {:.1} MB in {took:.2} s",
        bytes as f64 / 1e6
    );
}

fn main() {
    let a = args();
    let corpus = corpus(a.docs);
    let db = database(a.docs, &corpus);
    println!(
        "web benchmark: {} documents, {} rounds, {} cores, server {}",
        a.docs,
        a.rounds,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
        bin()
    );
    let token = token(&db);
    let server = start_server(&db);
    println!(
        "load: {}",
        if a.wrk && have("wrk").is_some() {
            format!(
                "wrk -t2 -c50 -d{}s; nginx static 20 KB as baseline",
                a.wrk_seconds
            )
        } else {
            "no wrk (--no-wrk or not installed): latencies only, from this program".into()
        }
    );
    search_latency(&server, &corpus, &a);
    concurrent_search(&server, &corpus, &token, 8, a.rounds.min(2));
    actions_latency(&server, &token, a.rounds);
    api_walk(&server, &token, 1000);
    if a.wrk {
        throughput(&server, a.wrk_seconds, &token);
    }
}
