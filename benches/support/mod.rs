//! What the benchmarks that run the real server share: where their files go, the
//! cached synthetic corpus, the server process that is killed when dropped, a free
//! port and a percentile. Each bench includes it with `#[path = "support/mod.rs"]`.
//!
//! Each bench uses a part of it, so unused items are allowed here.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Child;

/// `target/bench`, where corpora and databases are kept between runs.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench")
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
