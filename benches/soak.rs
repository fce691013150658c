//! Soak: the real server (release build) over 10,000 synthetic incidents for ten
//! minutes, with readers asking for pages without pause and one action change every
//! 100 ms. Records the server's resident memory every 10 s, read and write latency
//! (p50, p99, max) and every error, and says whether memory grew after the warm-up.
//!
//! Run: `cargo bench --bench soak -- [--docs N] [--minutes M] [--readers R]` (release;
//! defaults 10,000 docs, 10 minutes, 2 readers). The corpus is cached under
//! `target/bench/`; the database is imported fresh each run. Results go to stdout;
//! BENCHMARKS.md records them. Bounded: the run stops after `--minutes`, every request
//! has a 30 s timeout, and the server is killed when the harness ends.
//!
//! Under `cargo test --all-targets` it runs as a smoke test: 30 documents, 10 seconds.

#[path = "support/mod.rs"]
mod support;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use support::{Server, corpus, free_port, percentile, root};

struct Args {
    docs: u64,
    duration: Duration,
    readers: usize,
    /// Samples before this are the warm-up: caches filling, the database's pages read
    /// for the first time.
    warm_up: Duration,
}

fn args() -> Args {
    let mut a = Args {
        docs: 10_000,
        duration: Duration::from_secs(600),
        readers: 2,
        warm_up: Duration::from_secs(120),
    };
    let mut benching = false;
    let mut given = false;
    let mut it = std::env::args().skip(1);
    while let Some(x) = it.next() {
        let mut number = |name: &str| -> u64 {
            it.next()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| panic!("{name} N"))
        };
        match x.as_str() {
            "--docs" => {
                a.docs = number("--docs");
                given = true;
            }
            "--minutes" => {
                a.duration = Duration::from_secs(number("--minutes") * 60);
                a.warm_up = a.duration / 5;
                given = true;
            }
            "--readers" => a.readers = number("--readers") as usize,
            "--bench" => benching = true,
            _ => {}
        }
    }
    if !benching && !given {
        a.docs = 30;
        a.duration = Duration::from_secs(10);
        a.warm_up = Duration::from_secs(2);
    }
    a
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_aftermath")
}

/// A fresh database with the corpus imported (the soak writes to it).
fn database(docs: u64, corpus: &Path) -> PathBuf {
    support::imported_database(bin(), &format!("soak-{docs}"), corpus, false)
}

/// `aftermath serve --single-user` over `db`, from a folder with nothing to import;
/// its log (one line per request) is discarded.
fn start_server(db: &Path, metrics_port: u16) -> Server {
    let work = root().join("soak-empty");
    std::fs::create_dir_all(&work).unwrap();
    let port = free_port();
    let mut child = Command::new(bin())
        .current_dir(&work)
        .arg("--database")
        .arg(db)
        .args([
            "serve",
            "--single-user",
            "--listen",
            &format!("127.0.0.1:{port}"),
        ])
        .args(["--metrics-listen", &format!("127.0.0.1:{metrics_port}")])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting server");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let _ = out.read_line(&mut line);
    assert!(
        line.contains("listening on"),
        "server did not start: {line}"
    );
    // Drained to the end, so the server never writes to a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Server {
        child,
        addr: format!("127.0.0.1:{port}").parse().unwrap(),
    }
}

/// A keep-alive HTTP/1.1 connection, reopened after an error.
struct Client {
    addr: SocketAddr,
    stream: Option<BufReader<TcpStream>>,
}

impl Client {
    fn new(addr: SocketAddr) -> Client {
        Client { addr, stream: None }
    }

    /// One request; the status and body. An I/O error closes the connection.
    fn send(
        &mut self,
        method: &str,
        path: &str,
        json: Option<&str>,
    ) -> std::io::Result<(u16, Vec<u8>)> {
        let result = self.try_send(method, path, json);
        if result.is_err() {
            self.stream = None;
        }
        result
    }

    fn try_send(
        &mut self,
        method: &str,
        path: &str,
        json: Option<&str>,
    ) -> std::io::Result<(u16, Vec<u8>)> {
        if self.stream.is_none() {
            let s = TcpStream::connect(self.addr)?;
            s.set_read_timeout(Some(Duration::from_secs(30)))?;
            s.set_nodelay(true)?;
            self.stream = Some(BufReader::new(s));
        }
        let reader = self.stream.as_mut().unwrap();
        let body = json.unwrap_or("");
        let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", self.addr);
        if json.is_some() {
            request.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        request.push_str("\r\n");
        request.push_str(body);
        reader.get_mut().write_all(request.as_bytes())?;
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let (mut length, mut chunked, mut close) = (None, false, false);
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            let Some((name, value)) = l.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.parse::<usize>().ok(),
                "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
                "connection" => close = value.eq_ignore_ascii_case("close"),
                _ => {}
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim(), 16)
                    .map_err(|_| std::io::Error::other("bad chunk size"))?;
                let mut chunk = vec![0; size + 2];
                reader.read_exact(&mut chunk)?;
                if size == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..size]);
            }
        } else if let Some(n) = length {
            body.resize(n, 0);
            reader.read_exact(&mut body)?;
        } else {
            reader.read_to_end(&mut body)?;
            close = true;
        }
        if close {
            self.stream = None;
        }
        Ok((status, body))
    }
}

/// Latencies (ms) and errors of one kind of request.
#[derive(Default)]
struct Tally {
    ms: Vec<f64>,
    errors: u64,
    /// The first few errors, as seen.
    examples: Vec<String>,
}

impl Tally {
    fn record(&mut self, took: Duration, outcome: Result<u16, String>, ok: &[u16]) {
        self.ms.push(took.as_secs_f64() * 1e3);
        let error = match outcome {
            Ok(status) if ok.contains(&status) => return,
            Ok(status) => format!("status {status}"),
            Err(e) => e,
        };
        self.errors += 1;
        if self.examples.len() < 5 {
            self.examples.push(error);
        }
    }
}

fn summary(label: &str, tally: &Tally, seconds: f64) -> String {
    let mut ms = tally.ms.clone();
    ms.sort_by(f64::total_cmp);
    format!(
        "| {label} | {} | {:.1}/s | {:.2} | {:.2} | {:.1} | {} |",
        ms.len(),
        ms.len() as f64 / seconds,
        percentile(&ms, 0.5),
        percentile(&ms, 0.99),
        ms.last().copied().unwrap_or(0.0),
        tally.errors
    )
}

/// Resident memory of `pid` in KB: (total, anonymous, file-backed), from /proc.
fn rss(pid: u32) -> (u64, u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("RssAnon:"), field("RssFile:"))
}

/// What readers ask for (every incident's slug) and what the writer changes (the
/// first actions listed).
fn read_paths(client: &mut Client) -> (Vec<String>, Vec<String>) {
    let mut slugs = Vec::new();
    for page in 0..1000 {
        let path = format!("/api/incidents?limit=1000&offset={}", page * 1000);
        let (status, body) = client.send("GET", &path, None).expect("listing incidents");
        assert_eq!(status, 200);
        let list: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let items = list["incidents"].as_array().expect("incidents");
        slugs.extend(
            items
                .iter()
                .filter_map(|i| i["slug"].as_str().map(str::to_string)),
        );
        if items.len() < 1000 {
            break;
        }
    }
    let (status, body) = client
        .send("GET", "/api/actions", None)
        .expect("listing actions");
    assert_eq!(status, 200);
    let actions: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let ids: Vec<String> = actions
        .as_array()
        .expect("an array of actions")
        .iter()
        .take(500)
        .filter_map(|a| a["id"].as_str().map(str::to_string))
        .collect();
    (slugs, ids)
}

/// A small deterministic generator (xorshift), so every run asks for the same pages.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn main() {
    let a = args();
    let corpus = corpus(a.docs);
    let db = database(a.docs, &corpus);
    let metrics_port = free_port();
    let server = start_server(&db, metrics_port);
    let pid = server.child.id();
    let mut client = Client::new(server.addr);
    let (slugs, ids) = read_paths(&mut client);
    assert!(
        !slugs.is_empty() && !ids.is_empty(),
        "nothing to read or change"
    );
    let (common, rare, _) = aftermath::synth::vocabulary();
    let words: Vec<String> = common
        .iter()
        .take(20)
        .chain(rare.iter().take(40))
        .map(|w| w.to_string())
        .collect();
    eprintln!(
        "soak: {} incidents, {} actions, {} readers, {} s (warm-up {} s), a write every 100 ms",
        slugs.len(),
        ids.len(),
        a.readers,
        a.duration.as_secs(),
        a.warm_up.as_secs()
    );

    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let reads = Arc::new(Mutex::new(Tally::default()));
    let read_count = Arc::new(AtomicU64::new(0));
    let mut threads = Vec::new();
    for r in 0..a.readers {
        let (stop, reads, read_count, slugs, words) = (
            stop.clone(),
            reads.clone(),
            read_count.clone(),
            slugs.clone(),
            words.clone(),
        );
        let addr = server.addr;
        threads.push(std::thread::spawn(move || {
            let mut client = Client::new(addr);
            let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (r as u64 + 1));
            let mut local = Tally::default();
            while !stop.load(Ordering::Relaxed) {
                let slug = &slugs[rng.below(slugs.len())];
                let path = match rng.below(10) {
                    0..=4 => format!("/incidents/{slug}"),
                    5 => "/".to_string(),
                    6 => "/incidents".to_string(),
                    7 => format!("/search?q={}", words[rng.below(words.len())]),
                    8 => "/actions".to_string(),
                    _ => format!("/api/incidents/{slug}"),
                };
                let t = Instant::now();
                let outcome = client
                    .send("GET", &path, None)
                    .map(|(s, _)| s)
                    .map_err(|e| format!("{path}: {e}"));
                local.record(t.elapsed(), outcome, &[200]);
                read_count.fetch_add(1, Ordering::Relaxed);
                if local.ms.len() >= 1000 {
                    let mut all = reads.lock().unwrap();
                    all.ms.append(&mut local.ms);
                    all.errors += std::mem::take(&mut local.errors);
                    all.examples.append(&mut local.examples);
                }
            }
            let mut all = reads.lock().unwrap();
            all.ms.append(&mut local.ms);
            all.errors += local.errors;
            all.examples.append(&mut local.examples);
        }));
    }
    let writes = Arc::new(Mutex::new(Tally::default()));
    {
        let (stop, writes, ids) = (stop.clone(), writes.clone(), ids.clone());
        let addr = server.addr;
        threads.push(std::thread::spawn(move || {
            let mut client = Client::new(addr);
            let mut next = Instant::now();
            let mut n = 0u64;
            while !stop.load(Ordering::Relaxed) {
                next += Duration::from_millis(100);
                let id = &ids[(n as usize * 7919) % ids.len()];
                let body = format!(r#"{{"note":"soak write {n}"}}"#);
                let t = Instant::now();
                let outcome = client
                    .send("POST", &format!("/api/actions/{id}"), Some(&body))
                    .map(|(s, _)| s)
                    .map_err(|e| e.to_string());
                writes.lock().unwrap().record(t.elapsed(), outcome, &[200]);
                n += 1;
                if let Some(wait) = next.checked_duration_since(Instant::now()) {
                    std::thread::sleep(wait);
                }
            }
        }));
    }

    // One sample every 10 s: elapsed, memory, reads so far.
    let mut samples: Vec<(f64, (u64, u64, u64), u64)> = Vec::new();
    println!("| t (s) | RSS (MB) | anon (MB) | file-backed (MB) | reads |");
    println!("|---:|---:|---:|---:|---:|");
    while started.elapsed() < a.duration {
        std::thread::sleep(
            Duration::from_secs(10).min(a.duration.saturating_sub(started.elapsed())),
        );
        let sample = (
            started.elapsed().as_secs_f64(),
            rss(pid),
            read_count.load(Ordering::Relaxed),
        );
        let (t, (total, anon, file), n) = sample;
        println!(
            "| {t:.0} | {:.1} | {:.1} | {:.1} | {n} |",
            total as f64 / 1024.0,
            anon as f64 / 1024.0,
            file as f64 / 1024.0
        );
        samples.push(sample);
    }
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        let _ = t.join();
    }
    let seconds = started.elapsed().as_secs_f64();
    let metrics = Client::new(format!("127.0.0.1:{metrics_port}").parse().unwrap())
        .send("GET", "/metrics", None)
        .map(|(s, b)| (s, String::from_utf8_lossy(&b).into_owned()));
    drop(server);

    let reads = reads.lock().unwrap();
    let writes = writes.lock().unwrap();
    println!();
    println!("| requests | count | rate | p50 (ms) | p99 (ms) | max (ms) | errors |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    println!("{}", summary("reads", &reads, seconds));
    println!("{}", summary("writes (one per 100 ms)", &writes, seconds));
    for e in reads.examples.iter().chain(&writes.examples) {
        println!("error: {e}");
    }
    // Memory after the warm-up: the first sample past it against the rest.
    let after: Vec<&(f64, (u64, u64, u64), u64)> = samples
        .iter()
        .filter(|(t, _, _)| *t >= a.warm_up.as_secs_f64())
        .collect();
    if let (Some(first), Some(last)) = (after.first(), after.last()) {
        let mb = |kb: u64| kb as f64 / 1024.0;
        let peak = after.iter().map(|(_, (r, _, _), _)| *r).max().unwrap_or(0);
        let peak_anon = after
            .iter()
            .map(|(_, (_, an, _), _)| *an)
            .max()
            .unwrap_or(0);
        let growth = mb(last.1.0) - mb(first.1.0);
        let growth_anon = mb(last.1.1) - mb(first.1.1);
        println!();
        println!(
            "RSS after warm-up ({:.0} s): {:.1} MB at first, {:.1} MB at the end ({growth:+.1} MB), peak {:.1} MB; anonymous {:.1} -> {:.1} MB ({growth_anon:+.1} MB), peak {:.1} MB",
            first.0,
            mb(first.1.0),
            mb(last.1.0),
            mb(peak),
            mb(first.1.1),
            mb(last.1.1),
            mb(peak_anon)
        );
        // Growth beyond noise: 5% of the starting size, at least 8 MB.
        let bound = (mb(first.1.0) * 0.05).max(8.0);
        println!(
            "memory after warm-up: {} (growth {growth:+.1} MB, bound {bound:.1} MB)",
            if growth <= bound { "flat" } else { "GREW" }
        );
    }
    match metrics {
        Ok((200, text)) => {
            let line = |prefix: &str| {
                text.lines()
                    .filter(|l| l.starts_with(prefix))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            println!("{}", line("aftermath_database_bytes"));
        }
        other => println!("metrics: {other:?}"),
    }
}
