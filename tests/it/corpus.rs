//! The shared corpus of real postmortems: everything imports, and each Markdown
//! document and its RST conversion extract the same facts.

use crate::support::shared;
use aftermath::ingest;
use aftermath::model::Incident;
use aftermath::pipeline;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn parse(path: &Path) -> Incident {
    pipeline::parse_file(path, 1 << 20)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .incident
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for dir in [
        shared().join("corpus"),
        shared().join("corpus/rst-from-md"),
        shared().join("seeds"),
    ] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if ingest::format_for_path(&path).is_some() && !path.ends_with("README.md") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[tokio::test]
async fn every_corpus_document_imports_without_failure() {
    let dir = tempfile::tempdir().unwrap();
    let pool = aftermath::db::open(&dir.path().join("c.db")).await.unwrap();
    let files = corpus_files();
    assert!(
        files.len() >= 40,
        "the corpus is there ({} files)",
        files.len()
    );
    let mut errors = Vec::new();
    let report = aftermath::import::import_paths(
        &pool,
        &files,
        &aftermath::import::Options {
            max_file_bytes: 1 << 20,
            allow_symlinks_outside: false,
        },
        |e| {
            if let aftermath::import::Event::Diagnostic(d) = e
                && d.severity == aftermath::import::Severity::Error
            {
                errors.push(d.to_string());
            }
        },
    )
    .await
    .unwrap();
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(report.imported, files.len());
    assert_eq!(report.failed, 0);
}

fn norm(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '*' | '`' | '_' | '\\'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn counts<I: IntoIterator<Item = String>>(items: I) -> BTreeMap<String, usize> {
    let mut map = BTreeMap::new();
    for i in items {
        *map.entry(i).or_insert(0) += 1;
    }
    map
}

/// Every Markdown document of the corpus and the development set, with its pandoc RST
/// conversion: the one shipped in `rst-from-md/` beside it, else the one
/// `scripts/test` made with pandoc into `target/rst-from-md/<set>/`.
fn markdown_pairs() -> Vec<(PathBuf, PathBuf)> {
    let mut pairs = Vec::new();
    for (set, docs) in [
        ("corpus", shared().join("corpus")),
        ("devset", shared().join("devset/docs")),
    ] {
        let shipped = docs
            .parent()
            .map(|p| {
                if set == "corpus" {
                    docs.join("rst-from-md")
                } else {
                    p.join("rst-from-md")
                }
            })
            .unwrap();
        let made = crate::support::root().join("target/rst-from-md").join(set);
        for entry in std::fs::read_dir(&docs).unwrap() {
            let md = entry.unwrap().path();
            if md.extension().is_none_or(|e| e != "md") || md.ends_with("README.md") {
                continue;
            }
            let name = format!("{}.rst", md.file_stem().unwrap().to_string_lossy());
            let rst = [shipped.join(&name), made.join(&name)]
                .into_iter()
                .find(|p| p.exists())
                .unwrap_or_else(|| {
                    panic!(
                        "no RST conversion of {}: scripts/test makes it with pandoc",
                        md.display()
                    )
                });
            pairs.push((md, rst));
        }
    }
    pairs.sort();
    pairs
}

#[test]
fn markdown_and_its_rst_conversion_extract_the_same_facts() {
    let mut pairs = 0;
    let mut problems = Vec::new();
    for (md_path, rst_path) in markdown_pairs() {
        let stem = rst_path.file_stem().unwrap().to_string_lossy().into_owned();
        let (md, rst) = (parse(&md_path), parse(&rst_path));
        pairs += 1;
        // pandoc drops front matter, so a title taken from it has no counterpart.
        let md_text = std::fs::read_to_string(&md_path).unwrap();
        let title_in_front_matter = md_text.starts_with("---")
            && md_text
                .lines()
                .skip(1)
                .take_while(|l| *l != "---")
                .any(|l| l.starts_with("title:"));
        if !title_in_front_matter && norm(&md.title) != norm(&rst.title) {
            problems.push(format!("{stem}: title {:?} vs {:?}", md.title, rst.title));
        }
        let at = |i: &Incident| counts(i.timeline.iter().map(|e| e.at.to_at_string()));
        if at(&md) != at(&rst) {
            problems.push(format!("{stem}: timeline {:?} vs {:?}", at(&md), at(&rst)));
        }
        let st = |i: &Incident| counts(i.actions.iter().map(|a| a.status.as_str().to_string()));
        if st(&md) != st(&rst) {
            problems.push(format!(
                "{stem}: action statuses {:?} vs {:?}",
                st(&md),
                st(&rst)
            ));
        }
    }
    // 15 in the corpus, 21 in the development set.
    assert!(pairs >= 36, "{pairs} pairs");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
