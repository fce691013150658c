//! The parsers never panic: random text, and real documents truncated and mangled. A
//! whole-folder import of random files of every kind never panics, imports every good
//! file and says in its exit code whether something failed; search and every page that
//! shows document text never answer 5xx, whatever the case-changing characters in them.

use crate::support::{aftermath_within, default_site, incidents, shared, texts, web_site_with};
use aftermath::ingest;
use aftermath::model::Format;
use aftermath::pipeline;
use proptest::prelude::*;
use std::path::Path;

fn samples() -> Vec<String> {
    let mut out = Vec::new();
    for dir in [
        incidents(),
        shared().join("corpus"),
        shared().join("corpus/rst-from-md"),
    ] {
        for entry in std::fs::read_dir(dir).unwrap() {
            if let Ok(text) = std::fs::read_to_string(entry.unwrap().path()) {
                out.push(text);
            }
        }
    }
    out
}

/// Runs every front end and the extractor; checks what must hold for any input.
fn check(text: &str) {
    let text = &ingest::normalize_line_endings(text.to_string());
    for (format, name) in [
        (Format::Markdown, "x.md"),
        (Format::Rst, "x.rst"),
        (Format::Text, "x.txt"),
    ] {
        let doc = ingest::document(format, text);
        let parsed = pipeline::parse(name, Path::new(name), text.to_string());
        let lines = text.lines().count() as u32 + 1;
        for w in &parsed.incident.warnings {
            assert!(
                w.line <= lines.max(1),
                "warning line {} beyond {lines} lines",
                w.line
            );
        }
        for e in &parsed.incident.timeline {
            assert!(e.line >= 1 && e.line <= lines, "timeline line {}", e.line);
        }
        for a in &parsed.incident.actions {
            assert!(a.line >= 1 && a.line <= lines, "action line {}", a.line);
        }
        let _ = doc.plain_text();
    }
}

/// Text built from the characters that drive the parsers' decisions.
fn markup_soup() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "\n",
        "\n\n",
        " ",
        "  ",
        "\t",
        "#",
        "## ",
        "- ",
        "* ",
        "• ",
        "1. ",
        "(2) ",
        "#. ",
        "|",
        "---",
        "===",
        "~~~",
        "```",
        "::",
        ".. ",
        ".. note::",
        ".. raw:: html",
        ":field: ",
        "`",
        "``",
        "**",
        "_",
        "[x] ",
        "[ ] ",
        "[DONE] ",
        "12/08/2017",
        "2017-12-08",
        "08:45",
        "~ 10:37",
        "4pm",
        "0130 UTC",
        "UTC",
        "CST",
        "All times central.",
        "+02:00",
        "Oct 12, 2017",
        "Posted ",
        "Timeline",
        "Root cause:",
        "Action items",
        "Summary",
        "é",
        "🔥",
        "\u{200b}",
        "\r",
        "<script>",
        "[a](b)",
        "+---+---+",
        "| a | b |",
        ">",
        "1)",
        "@owner",
        "due 2024-01-02",
        "OPS-12",
        "Failure #1: ",
        "Resolved",
        "\\",
        "[03-26 17:40] ",
        "2025-DEC-5",
        "Aug-27-2021",
        "6.15 AM",
        "14h30",
        "| Time (UTC) | Event |",
        "|---|---|",
        "Incident Date: ",
        "Posted Nov 06, 2023 - 11:43 PST",
        "Timeline (UTC)",
        "Day 2 (2024-03-04)",
        "Outage begins: ",
        " at ",
        "between ",
        " and ",
        "<jane at example.org>",
    ]);
    prop::collection::vec(pieces, 0..120).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, max_shrink_iters: 200, ..ProptestConfig::default() })]

    #[test]
    fn random_markup_never_panics(text in markup_soup()) {
        check(&text);
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC{0,400}") {
        check(&text);
    }

    #[test]
    fn truncated_and_mangled_documents_never_panic(
        index in 0usize..64,
        cut in 0.0f64..1.0,
        splice_at in 0.0f64..1.0,
        splice in "[\\s\\S]{0,12}",
    ) {
        let docs = samples();
        let doc = &docs[index % docs.len()];
        let boundary = |f: f64| {
            let mut i = (doc.len() as f64 * f) as usize;
            while !doc.is_char_boundary(i) { i -= 1; }
            i
        };
        let truncated = &doc[..boundary(cut)];
        check(truncated);
        let at = boundary(splice_at.min(cut));
        let mangled = format!("{}{}{}", &doc[..at], splice, &doc[at..boundary(cut)]);
        check(&mangled);
    }
}

/// Characters whose lowercase has another byte length (`İ`, `ẞ`, the Kelvin sign, `Ⱥ`),
/// their lowercase forms, and the ASCII and punctuation around them in real text.
fn case_word() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "İ",
        "ẞ",
        "\u{212a}",
        "Ⱥ",
        "ⱥ",
        "ı",
        "ß",
        "i",
        "k",
        "s",
        "o",
        "u",
        "t",
        "a",
        "g",
        "e",
        "€",
        "-",
        "outage",
        "ȺȺ",
        "\u{212a} €",
    ]);
    prop::collection::vec(pieces, 1..6).prop_map(|v| v.concat())
}

fn case_line() -> impl Strategy<Value = String> {
    prop::collection::vec(case_word(), 1..8).prop_map(|v| v.join(" "))
}

/// A postmortem with case-changing characters in every field the extractor fills.
fn case_document() -> impl Strategy<Value = String> {
    (
        case_line(),
        case_word(),
        prop::collection::vec(case_line(), 1..4),
        prop::collection::vec(case_line(), 1..4),
    )
        .prop_map(|(title, word, lines, actions)| {
            let mut doc = format!(
                "---\ntitle: \"{title}\"\ntags: [\"{word}\"]\nsystems: [\"{word}\"]\n---\n\n\
                 # {title}\n\n## Summary\n\n{}\n\n## Timeline\n\n",
                lines.join(" ")
            );
            for (i, line) in lines.iter().enumerate() {
                doc.push_str(&format!("- 2024-03-0{} 1{i}:00 UTC: {line}\n", i + 1));
            }
            doc.push_str(&format!(
                "\n## Root cause\n\n{}\n\n## Action items\n\n",
                lines[0]
            ));
            for (i, action) in actions.iter().enumerate() {
                doc.push_str(&format!(
                    "- [ ] {action} (owner: {word}, due 2024-04-0{}, OPS-{i})\n",
                    i + 1
                ));
            }
            doc
        })
}

/// One entry of a folder to import, and what the import must make of it.
#[derive(Debug, Clone)]
enum Entry {
    /// A postmortem: imported.
    Good(String),
    /// Bytes as they come: imported when they decode as text, else a failure.
    Bytes(Vec<u8>),
    /// Only whitespace: a failure.
    Empty,
    /// A FIFO with a postmortem's name: skipped with a warning, never opened.
    Fifo,
    /// A symlink to nothing: a failure.
    Dangling,
    /// A symlink to a file outside the folder: skipped with a warning.
    Outside,
    /// A sparse file over the size limit: a failure, without reading it.
    Huge,
}

fn entry() -> impl Strategy<Value = Entry> {
    prop_oneof![
        4 => case_document().prop_map(Entry::Good),
        2 => prop::collection::vec(any::<u8>(), 1..400).prop_map(Entry::Bytes),
        2 => case_line().prop_map(|l| Entry::Bytes(l.into_bytes())),
        1 => Just(Entry::Empty),
        1 => Just(Entry::Fifo),
        1 => Just(Entry::Dangling),
        1 => Just(Entry::Outside),
        1 => Just(Entry::Huge),
    ]
}

/// The import's limit in the property test (`--max-file-bytes`).
const LIMIT: u64 = 64 * 1024;

/// Writes `entries` as `incidents/f0.md`, `incidents/sub/f1.md`, ... and returns how
/// many must be imported and how many must fail.
fn write_folder(dir: &Path, entries: &[Entry]) -> (usize, usize) {
    let outside = dir.join("outside.md");
    std::fs::write(&outside, "# Private\n\nNot for the site.\n").unwrap();
    let (mut imported, mut failed) = (0, 0);
    for (i, e) in entries.iter().enumerate() {
        // Every third file one folder down.
        let folder = if i % 3 == 2 {
            dir.join("incidents/sub")
        } else {
            dir.join("incidents")
        };
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join(format!("f{i}.md"));
        match e {
            Entry::Good(text) => {
                std::fs::write(&path, text).unwrap();
                imported += 1;
            }
            Entry::Bytes(bytes) => {
                std::fs::write(&path, bytes).unwrap();
                if ingest::decode(bytes, LIMIT).is_ok() {
                    imported += 1;
                } else {
                    failed += 1;
                }
            }
            Entry::Empty => {
                std::fs::write(&path, " \n\t\n").unwrap();
                failed += 1;
            }
            Entry::Fifo => {
                let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
                assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
            }
            Entry::Dangling => {
                std::os::unix::fs::symlink(dir.join("nowhere.md"), &path).unwrap();
                failed += 1;
            }
            Entry::Outside => std::os::unix::fs::symlink(&outside, &path).unwrap(),
            Entry::Huge => {
                let f = std::fs::File::create(&path).unwrap();
                f.set_len(1 << 30).unwrap();
                failed += 1;
            }
        }
    }
    (imported, failed)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 20, ..ProptestConfig::default() })]

    #[test]
    fn importing_a_folder_of_random_files_imports_every_good_one_and_says_what_failed(
        entries in prop::collection::vec(entry(), 1..10),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let (imported, failed) = write_folder(dir.path(), &entries);
        let limit = LIMIT.to_string();
        let out = aftermath_within(
            &["--database", "x.db", "import", "incidents", "--max-file-bytes", &limit],
            dir.path(),
            std::time::Duration::from_secs(60),
        );
        let (stdout, stderr) = texts(&out);
        prop_assert!(!stderr.contains("panicked"), "{}", stderr);
        let summary = stdout.lines().last().unwrap_or_default();
        prop_assert!(
            summary.starts_with(&format!("imported {imported}, unchanged 0, failed {failed},")),
            "expected {} imported, {} failed: {}\n{}", imported, failed, summary, stderr
        );
        prop_assert_eq!(out.status.success(), failed == 0, "{}", stderr);
        for (i, e) in entries.iter().enumerate() {
            if matches!(e, Entry::Good(_)) {
                prop_assert!(stdout.contains(&format!("  f{i}  ")), "f{} stored: {}", i, stdout);
            }
        }
        prop_assert!(!stdout.contains("Private"), "the outside file stays out");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, max_shrink_iters: 10, ..ProptestConfig::default() })]

    #[test]
    fn search_and_every_page_showing_document_text_never_fail(
        docs in prop::collection::vec(case_document(), 1..4),
        queries in prop::collection::vec(case_line(), 1..6),
    ) {
        let dir = tempfile::tempdir().unwrap();
        for (i, doc) in docs.iter().enumerate() {
            std::fs::write(dir.path().join(format!("2024-03-0{}-case-{i}.md", i + 1)), doc).unwrap();
        }
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let failures = runtime.block_on(async {
            let site = web_site_with(&[dir.path().to_path_buf()], default_site()).await;
            let mut paths = vec!["/".to_string(), "/incidents".into(), "/systems".into(), "/actions".into()];
            for q in &queries {
                let q = crate::support::encode(q);
                paths.push(format!("/search?q={q}"));
                paths.push(format!("/search?q={q}*"));
                paths.push(format!("/actions?owner={q}"));
            }
            for i in 0..docs.len() {
                let slug = format!("2024-03-0{}-case-{i}", i + 1);
                paths.push(format!("/incidents/{slug}"));
                paths.push(format!("/api/incidents/{slug}"));
            }
            let mut failures = Vec::new();
            let mut seen = std::collections::HashSet::new();
            while let Some(path) = paths.pop() {
                if !seen.insert(path.clone()) || seen.len() > 300 {
                    continue;
                }
                let page = site.get(&path).await;
                if page.status.is_server_error() {
                    failures.push(format!("{path}: {}", page.status));
                }
                if path.starts_with("/incidents/") && page.status != 200 {
                    failures.push(format!("{path}: {}, the document's page", page.status));
                }
                // Follow the links to the pages of the systems, tags and actions shown.
                if path.starts_with("/incidents/") {
                    let html = page.html();
                    for href in crate::support::attrs_of(&html, "a", "href") {
                        if ["/systems/", "/tags/", "/actions/", "/search?"].iter().any(|p| href.starts_with(p)) {
                            paths.push(href.replace("&amp;", "&"));
                        }
                    }
                }
            }
            (failures, seen.len())
        });
        let (failures, visited) = failures;
        prop_assert!(failures.is_empty(), "{:?}", failures);
        prop_assert!(visited > 4 + 2 * queries.len() + 2 * docs.len(), "{} pages", visited);
    }
}
