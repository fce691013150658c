//! `/insights` benchmark: latency of the page, its filters and its CSV over HTTP at a
//! corpus size, signed in with an API token so no page cache answers (what a person
//! who signs in sees every time). The first request computes and stores every
//! incident's figures (what `/insights` does once after an import) and is reported on
//! its own; the rounds after it read the stored figures, and the server keeps each
//! filter's aggregate until the incidents change, so the last line asks for every
//! filter value the page offers once: what the first person to ask for each waits.
//!
//! Run: `cargo bench --bench insights -- [--docs N] [--rounds R]` (release mode). The
//! synthetic corpus (`synth`, seed 1) and its database are kept under `target/bench/`
//! (`corpus-N-1`, shared with the other benches; `insights-N.db`, this bench's own).
//! Results go to stdout; BENCHMARKS.md records them.

#[path = "support/mod.rs"]
mod support;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use support::{Server, corpus, root};

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_aftermath")
}

fn aftermath(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(bin())
        .arg("--database")
        .arg(db)
        .args(args)
        .env("AFTERMATH_PASSWORD", "bench-password-1")
        .stderr(Stdio::inherit())
        .output()
        .expect("running aftermath")
}

/// The corpus imported once into this bench's database.
fn database(docs: u64, corpus: &Path) -> PathBuf {
    support::imported_database(
        env!("CARGO_BIN_EXE_aftermath"),
        &format!("insights-{docs}"),
        corpus,
        true,
    )
}

/// A new API token for the bench user (created on first use).
fn token(db: &Path) -> String {
    let _ = aftermath(db, &["user", "add", "bench"]);
    let out = aftermath(db, &["user", "token", "bench"]);
    assert!(out.status.success(), "creating a token");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .last()
        .unwrap_or("")
        .trim()
        .to_string()
}

fn start_server(db: &Path) -> Server {
    let work = root().join("insights-empty");
    std::fs::create_dir_all(work.join("incidents")).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
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
    let mut seen = String::new();
    let mut buf = [0u8; 256];
    let deadline = Instant::now() + Duration::from_secs(60);
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
    Server {
        child,
        addr: format!("127.0.0.1:{port}").parse().unwrap(),
    }
}

/// One signed-in GET: status, body, milliseconds until the response was read.
fn get(addr: SocketAddr, path: &str, token: &str) -> (u16, String, f64) {
    let started = Instant::now();
    let raw = support::http_get(addr, path, Some(token));
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    (
        support::status_of(&raw),
        String::from_utf8_lossy(&raw).into_owned(),
        ms,
    )
}

/// Nearest rank, as the page itself computes its percentiles.
fn nearest_rank(sorted: &[f64], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[(p * sorted.len()).div_ceil(100).max(1) - 1]
}

fn report(label: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    println!(
        "{label:<28} n={:<4} p50 {:>8.1} ms  p99 {:>8.1} ms  max {:>8.1} ms",
        ms.len(),
        nearest_rank(&ms, 50),
        nearest_rank(&ms, 99),
        ms.last().copied().unwrap_or(0.0)
    );
}

fn main() {
    let mut docs = 10_000u64;
    let mut rounds = 20usize;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--docs" => docs = it.next().and_then(|v| v.parse().ok()).expect("--docs N"),
            "--rounds" => rounds = it.next().and_then(|v| v.parse().ok()).expect("--rounds R"),
            _ => {}
        }
    }
    let corpus = corpus(docs);
    let db = database(docs, &corpus);
    let token = token(&db);
    let server = start_server(&db);
    println!("/insights over {docs} synthetic incidents, signed in (no page cache)");
    // The first request starts computing every incident's figures and answers within
    // ten seconds with what is stored; reloads show them all once they are done.
    let started = Instant::now();
    let (status, mut page, first) = get(server.addr, "/insights", &token);
    assert_eq!(status, 200);
    println!("first request: {first:.0} ms");
    for _ in 0..120 {
        if !page.contains("still being computed") {
            break;
        }
        std::thread::sleep(Duration::from_secs(2));
        page = get(server.addr, "/insights", &token).1;
    }
    assert!(!page.contains("still being computed"), "figures never done");
    println!(
        "every incident's figures computed and stored after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let (_, page, _) = get(server.addr, "/insights", &token);
    // A year, a system and a severity that the page offers as filters.
    let option = |name: &str| -> String {
        let at = page
            .find(&format!("name=\"{name}\""))
            .expect("the filter is on the page");
        let rest = &page[at..];
        let values: Vec<&str> = rest
            .split("<option value=\"")
            .skip(2)
            .take(1)
            .map(|v| v.split('"').next().unwrap_or(""))
            .collect();
        values.first().copied().unwrap_or("").to_string()
    };
    let paths = [
        "/insights".to_string(),
        format!("/insights?year={}", option("year")),
        format!("/insights?system={}", option("system").replace(' ', "%20")),
        format!(
            "/insights?severity={}",
            option("severity").replace(' ', "%20")
        ),
        "/insights.csv".to_string(),
    ];
    let mut all = Vec::new();
    for path in &paths {
        let mut ms = Vec::with_capacity(rounds);
        for _ in 0..rounds {
            let (status, _, t) = get(server.addr, path, &token);
            assert_eq!(status, 200, "{path}");
            ms.push(t);
        }
        all.extend(ms.iter().copied());
        report(path, ms);
    }
    report("all of the above", all);
    // Each filter value the page offers, asked for once: a filter's figures are kept
    // until the incidents change, so these are what the first person to ask for each
    // one waits (every value is distinct, none was asked for above but the first).
    let mut cold = Vec::new();
    for name in ["system", "tag", "severity", "year"] {
        let Some(at) = page.find(&format!("name=\"{name}\"")) else {
            continue;
        };
        let select = &page[at..page[at..].find("</select>").map_or(page.len(), |e| at + e)];
        for value in select
            .split("<option value=\"")
            .skip(2)
            .filter_map(|v| v.split('"').next())
        {
            let value = value.replace("&amp;", "%26").replace(' ', "%20");
            let path = format!("/insights?{name}={value}");
            if paths.contains(&path) {
                continue;
            }
            let (status, _, t) = get(server.addr, &path, &token);
            assert_eq!(status, 200, "{path}");
            cold.push(t);
        }
    }
    report("each filter, first request", cold);
}
