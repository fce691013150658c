//! What the benchmarks that run the real server share: where their files go, the
//! cached synthetic corpus, the server process that is killed when dropped, a free
//! port and a percentile. Each bench includes it with `#[path = "support/mod.rs"]`.
//!
//! Each bench uses a part of it, so unused items are allowed here.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Child;

/// `target/bench`, where corpora and databases are kept between runs.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench")
}

/// `corpus` imported by `bin` (`aftermath import -q`) into `target/bench/{name}.db`.
/// With `reuse`, a database whose import finished before (marked by
/// `{name}.db.complete`) is kept; otherwise the database goes first, with its `-wal`
/// and `-shm`, so no log of an older file is read with the new one.
pub fn imported_database(bin: &str, name: &str, corpus: &Path, reuse: bool) -> PathBuf {
    let db = root().join(format!("{name}.db"));
    let done = root().join(format!("{name}.db.complete"));
    if reuse && done.exists() {
        return db;
    }
    let _ = std::fs::remove_file(&done);
    for s in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{s}", db.display()));
    }
    eprintln!("importing {} into {}", corpus.display(), db.display());
    let started = std::time::Instant::now();
    let status = std::process::Command::new(bin)
        .arg("--database")
        .arg(&db)
        .args(["import", "-q"])
        .arg(corpus)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("running aftermath import");
    assert!(status.success(), "the import into {} failed", db.display());
    eprintln!("imported in {:.1} s", started.elapsed().as_secs_f64());
    std::fs::write(&done, b"").unwrap();
    db
}

/// The whole response (head and body) to one GET of `path`, with a bearer token when
/// given; HTTP/1.1 with `Connection: close`.
pub fn http_get(addr: SocketAddr, path: &str, token: Option<&str>) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(std::time::Duration::from_secs(600)))
        .unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    raw
}

/// The status code of a raw HTTP response (0 when it has none).
pub fn status_of(raw: &[u8]) -> u16 {
    String::from_utf8_lossy(&raw[..raw.len().min(64)])
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

/// The synthetic corpus of `docs` documents (seed 1), generated once.
pub fn corpus(docs: u64) -> PathBuf {
    let dir = root().join(format!("corpus-{docs}-1"));
    if !dir.join(".complete").exists() {
        let _ = std::fs::remove_dir_all(&dir);
        eprintln!("generating {docs} documents into {}", dir.display());
        aftermath::synth::write_corpus(&dir, 1, docs).expect("writing corpus");
        std::fs::write(dir.join(".complete"), b"").unwrap();
    }
    dir
}

/// A running `aftermath serve`, killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port on 127.0.0.1 nobody listens on right now.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The value at fraction `p` (0..=1) of `sorted`, by the nearest index; 0 when empty.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}
