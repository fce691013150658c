//! Import benchmark: parse-only and full-import throughput over a synthetic corpus,
//! compared in the same run with (a) a raw pulldown-cmark pass over the same files and
//! (b) a raw insert of the same texts into an FTS5 table in one transaction; plus the
//! time to re-import the unchanged corpus, the import's peak memory and the database
//! size.
//!
//! Run: `cargo bench --bench import -- [--docs N] [--seed S] [--parse-only]` (release
//! mode; `--parse-only` stops after the parse figures). The corpus is generated once into
//! `target/bench/corpus-N-S` and reused.

use aftermath::ingest;
use aftermath::pipeline;
use pulldown_cmark::Parser;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

struct Args {
    docs: u64,
    seed: u64,
    /// Stop after the parse-only figure and its raw baseline (`--parse-only`).
    parse_only: bool,
}

fn args() -> Args {
    let mut args = Args {
        docs: 10_000,
        seed: 1,
        parse_only: false,
    };
    let mut it = std::env::args().skip(1);
    let mut benching = false;
    let mut docs_given = false;
    while let Some(a) = it.next() {
        match a.as_str() {
            "--docs" => {
                args.docs = it.next().and_then(|v| v.parse().ok()).expect("--docs N");
                docs_given = true;
            }
            "--bench" => benching = true,
            "--parse-only" => args.parse_only = true,
            "--seed" => args.seed = it.next().and_then(|v| v.parse().ok()).expect("--seed S"),
            _ => {}
        }
    }
    // `cargo test --all-targets` runs this binary without --bench: a smoke run that
    // proves the harness works, not a measurement.
    if !benching && !docs_given {
        args.docs = 40;
    }
    args
}

fn corpus(args: &Args) -> (PathBuf, Vec<PathBuf>, u64) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("target/bench/corpus-{}-{}", args.docs, args.seed));
    let marker = dir.join(".complete");
    if !marker.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        eprintln!("generating {} documents into {}", args.docs, dir.display());
        aftermath::synth::write_corpus(&dir, args.seed, args.docs).expect("writing corpus");
        std::fs::write(&marker, b"").unwrap();
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| ingest::format_for_path(p).is_some())
        .collect();
    files.sort();
    let bytes = files.iter().map(|f| f.metadata().unwrap().len()).sum();
    (dir, files, bytes)
}

/// Drops the corpus from the page cache is not possible without root; instead every
/// measurement reads the files once beforehand so all runs see a warm cache.
fn warm(files: &[PathBuf]) {
    for f in files {
        let _ = std::fs::read(f);
    }
}

fn rate(n: usize, bytes: u64, d: Duration) -> String {
    let s = d.as_secs_f64();
    format!(
        "{:>9.0} docs/s {:>7.1} MB/s {:>8.2} s",
        n as f64 / s,
        bytes as f64 / s / 1e6,
        s
    )
}

fn raw_markdown(files: &[PathBuf]) -> Duration {
    let start = Instant::now();
    let mut events = 0usize;
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        events += Parser::new_ext(&text, ingest::markdown::options()).count();
    }
    std::hint::black_box(events);
    start.elapsed()
}

fn parse_only(files: &[PathBuf]) -> Duration {
    let start = Instant::now();
    let mut entries = 0usize;
    for f in files {
        let parsed = pipeline::parse_file(f, u64::MAX).unwrap();
        entries += parsed.incident.timeline.len() + parsed.incident.actions.len();
    }
    std::hint::black_box(entries);
    start.elapsed()
}

/// The import's writer alone: at most 10,000 files are parsed in advance (held in
/// memory), then stored into an empty database by the same code `aftermath import`
/// uses, without the refresh of related incidents and links. Full-import throughput
/// cannot exceed this rate.
fn store_only(files: &[PathBuf], db: &Path) -> (usize, Duration) {
    let files = &files[..files.len().min(10_000)];
    let prepared: Vec<_> = files
        .iter()
        .map(|f| aftermath::import::prepare_file(f).unwrap())
        .collect();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
        }
        let pool = aftermath::db::open(db).await.unwrap();
        let report = aftermath::import::store_prepared(&pool, prepared)
            .await
            .unwrap();
        assert_eq!(report.imported, files.len(), "every file stored");
        pool.close().await;
        (files.len(), report.elapsed)
    })
}

fn raw_fts(files: &[PathBuf], db: &Path) -> Duration {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let _ = std::fs::remove_file(db);
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(db)
            .create_if_missing(true)
            .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
            .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
        let pool = sqlx::SqlitePool::connect_with(opts).await.unwrap();
        sqlx::query("create virtual table docs using fts5(body)")
            .execute(&pool)
            .await
            .unwrap();
        let start = Instant::now();
        let mut tx = pool.begin().await.unwrap();
        for f in files {
            let text = std::fs::read_to_string(f).unwrap();
            sqlx::query("insert into docs (body) values (?)")
                .bind(text)
                .execute(&mut *tx)
                .await
                .unwrap();
        }
        tx.commit().await.unwrap();
        let elapsed = start.elapsed();
        pool.close().await;
        elapsed
    })
}

/// Peak resident memory of waited-for children, in MB (Linux reports kilobytes).
fn children_peak_mb() -> f64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own.
    unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    usage.ru_maxrss as f64 / 1024.0
}

fn import(dir: &Path, db: &Path) -> (Duration, String) {
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_aftermath"))
        .arg("--database")
        .arg(db)
        .args(["import", "-q"])
        .arg(dir)
        .output()
        .expect("running aftermath import");
    let elapsed = start.elapsed();
    assert!(
        out.status.success(),
        "import failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        elapsed,
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
    )
}

fn file_size(p: &Path) -> u64 {
    let mut total = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    for ext in ["-wal", "-shm"] {
        let mut s = p.as_os_str().to_owned();
        s.push(ext);
        total += std::fs::metadata(PathBuf::from(s))
            .map(|m| m.len())
            .unwrap_or(0);
    }
    total
}

fn main() {
    let args = args();
    let (dir, files, bytes) = corpus(&args);
    let n = files.len();
    let work = dir.with_extension("work");
    std::fs::create_dir_all(&work).unwrap();
    warm(&files);
    println!(
        "corpus: {n} documents, {:.1} MB, seed {}",
        bytes as f64 / 1e6,
        args.seed
    );

    let md = raw_markdown(&files);
    println!(
        "baseline (a) raw read + pulldown-cmark pass  {}",
        rate(n, bytes, md)
    );
    let parse = parse_only(&files);
    println!(
        "aftermath parse only (1 thread)               {}",
        rate(n, bytes, parse)
    );
    println!(
        "parse only / raw pulldown-cmark pass: {:.1} raw passes per document",
        parse.as_secs_f64() / md.as_secs_f64()
    );
    if args.parse_only {
        return;
    }

    let fts = raw_fts(&files, &work.join("raw-fts.db"));
    println!(
        "baseline (b) raw FTS5 insert, one transaction {}",
        rate(n, bytes, fts)
    );

    let db = work.join("aftermath.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let (full, summary) = import(&dir, &db);
    let peak = children_peak_mb();
    println!(
        "aftermath full import                         {}   [{summary}]",
        rate(n, bytes, full)
    );
    let (again, summary) = import(&dir, &db);
    println!(
        "aftermath re-import, unchanged                {}   [{summary}]",
        rate(n, bytes, again)
    );
    let size = file_size(&db);
    // Last: it holds the parsed corpus in this process, and a child started after
    // that would report this process's memory as its own peak.
    let (stored, store) = store_only(&files, &work.join("store-only.db"));
    let store_bytes: u64 = files[..stored]
        .iter()
        .map(|f| f.metadata().unwrap().len())
        .sum();
    println!(
        "aftermath writer only ({stored} files parsed first) {}",
        rate(stored, store_bytes, store)
    );

    let fts_rate = n as f64 / fts.as_secs_f64();
    let import_rate = n as f64 / full.as_secs_f64();
    println!();
    println!(
        "full import / raw FTS5 insert rate: {:.0}% (target >= 70%)",
        100.0 * import_rate / fts_rate
    );
    println!(
        "writer alone / raw FTS5 insert rate: {:.0}% (the ceiling of the full import)",
        100.0 * (stored as f64 / store.as_secs_f64()) / fts_rate
    );
    println!(
        "re-import unchanged / raw read-and-parse time: {:.2}x (target <= 2x)",
        again.as_secs_f64() / md.as_secs_f64()
    );
    println!("peak memory of the import: {peak:.0} MB (target < 300 MB at 100,000 documents)");
    println!(
        "database size: {:.1} MB = {:.2}x the text (target <= 2x)",
        size as f64 / 1e6,
        size as f64 / bytes as f64
    );
}
