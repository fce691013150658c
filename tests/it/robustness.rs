//! The parsers never panic: random text, and real documents truncated and mangled.

use crate::support::{incidents, shared};
use aftermath::ingest;
use aftermath::model::Format;
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
        let parsed = ingest::parse(name, Path::new(name), text.to_string());
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
