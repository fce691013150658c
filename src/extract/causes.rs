//! Root causes: from root-cause sections, labelled lines ("Root cause: ..."),
//! "Failure #N: ..." headings, lists introduced as causes ("the key factors behind this
//! incident are:"), and, where the document has no root-cause section, causal sentences
//! ("was caused by", "due to").
//!
//! Invariant: causes are returned in document order without duplicates.

use super::sections::{Outline, SectionKind};
use super::sentences;
use crate::ingest::document::{Block, ListItem};
use crate::model::RootCause;
use std::collections::HashSet;

const MAX_CAUSE_TEXT: usize = 300;
/// Causal sentences are a fallback; a handful is what a reader would note.
const MAX_CAUSAL_SENTENCES: usize = 6;

/// Phrases that make a sentence a statement about causes.
const CAUSAL: &[&str] = &[
    "caused by",
    "was caused",
    "were caused",
    "caused because",
    "due to",
    "because of",
    "attributed to",
    "root cause",
    "triggered by",
    "as a result of",
    "resulted from",
    "the cause was",
    "the cause is",
    "the cause of",
    "was triggered",
    "stemmed from",
    "led to the",
    "the reason for",
    "the reason was",
];

/// Finds the root causes of the document.
pub fn extract(outline: &Outline<'_>) -> Vec<RootCause> {
    let mut causes = Vec::new();
    for section in &outline.sections {
        if let Some(h) = section.heading
            && let Some(rest) = failure_heading(&h.text)
        {
            causes.push(cause(rest, h.line));
        }
        let in_cause_section = section.kind == SectionKind::RootCause;
        let has_list = section
            .blocks
            .iter()
            .any(|b| matches!(b, Block::List(_) | Block::Table(_)));
        let mut first_paragraph = true;
        for (i, block) in section.blocks.iter().enumerate() {
            match block {
                Block::Paragraph(p) => {
                    labelled(&p.text, p.line, &mut causes);
                    if in_cause_section && !has_list && !p.text.trim_end().ends_with(':') {
                        let sents = sentences::split(&p.text);
                        let mut took = false;
                        for (offset, s) in &sents {
                            if is_causal(s) {
                                causes.push(cause(s, sentences::line_at(&p.text, p.line, *offset)));
                                took = true;
                            }
                        }
                        if !took
                            && first_paragraph
                            && let Some((offset, s)) = sents.first()
                        {
                            causes.push(cause(s, sentences::line_at(&p.text, p.line, *offset)));
                        }
                        first_paragraph = false;
                    }
                }
                Block::List(list) => {
                    let lead_in = i
                        .checked_sub(1)
                        .and_then(|j| section.blocks.get(j))
                        .is_some_and(
                            |b| matches!(b, Block::Paragraph(p) if introduces_causes(&p.text)),
                        );
                    if in_cause_section || lead_in {
                        for item in &list.items {
                            causes.push(cause(&item_text(item), item.line));
                        }
                    } else {
                        for item in &list.items {
                            labelled(&item.text, item.line, &mut causes);
                        }
                    }
                }
                Block::Table(table) if in_cause_section => {
                    for row in &table.rows {
                        let text = row
                            .cells
                            .iter()
                            .filter(|c| !c.is_empty())
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(" — ");
                        causes.push(cause(&text, row.line));
                    }
                }
                _ => {}
            }
        }
    }
    let has_cause_section = outline
        .sections
        .iter()
        .any(|s| s.kind == SectionKind::RootCause);
    if !has_cause_section {
        let mut sentences = Vec::new();
        causal_sentences(outline, &mut sentences);
        causes.extend(sentences);
        causes.sort_by_key(|c| c.line);
    }
    let mut seen = HashSet::new();
    causes.retain(|c| !c.text.is_empty() && seen.insert(c.text.to_lowercase()));
    causes
}

/// "Failure #2: Nebula Restart Failure" -> "Nebula Restart Failure".
fn failure_heading(text: &str) -> Option<&str> {
    let lower = text.to_lowercase();
    if !(lower.starts_with("failure") || lower.starts_with("problem") || lower.starts_with("issue"))
    {
        return None;
    }
    let (head, rest) = text.split_once([':', '-', '–'])?;
    head.contains(|c: char| c.is_ascii_digit())
        .then_some(rest.trim())
        .filter(|r| !r.is_empty())
}

/// Lines like "Root cause: a memory leak" anywhere in the document.
fn labelled(text: &str, line: u32, causes: &mut Vec<RootCause>) {
    let mut offset = 0;
    for (i, raw) in text.split('\n').enumerate() {
        let line_start = offset;
        offset += raw.len() + 1;
        let Some((label, _)) = raw.split_once(':') else {
            continue;
        };
        let label = label.trim().trim_matches(['*', '_']).to_lowercase();
        if !matches!(
            label.as_str(),
            "root cause"
                | "root causes"
                | "cause"
                | "causes"
                | "trigger"
                | "primary cause"
                | "underlying cause"
                | "problem"
        ) {
            continue;
        }
        // The value runs on over wrapped lines to the end of its first sentence.
        let value_start = line_start + raw.find(':').map_or(0, |p| p + 1);
        let value = text[value_start..].trim_start_matches(['*', '_', ' ']);
        let first = sentences::split(value)
            .into_iter()
            .next()
            .map_or("", |(_, s)| s);
        if !first.trim().is_empty() {
            causes.push(cause(first, line + i as u32));
        }
    }
}

/// "In summary, the key factors behind this incident are:".
fn introduces_causes(text: &str) -> bool {
    let t = text.trim_end().to_lowercase();
    t.ends_with(':')
        && ["factor", "cause", "reason", "why", "contributed"]
            .iter()
            .any(|w| t.contains(w))
}

fn is_causal(sentence: &str) -> bool {
    let lower = sentence.to_lowercase();
    CAUSAL.iter().any(|p| lower.contains(p))
}

/// Item text, with its first sub-item when the item is only a short label.
fn item_text(item: &ListItem) -> String {
    let text = item.text.trim();
    if text.split_whitespace().count() <= 4
        && let Some(child) = first_child_text(item)
    {
        return format!("{}: {}", text.trim_end_matches(':'), child);
    }
    text.to_string()
}

fn first_child_text(item: &ListItem) -> Option<String> {
    item.children.iter().find_map(|b| match b {
        Block::Paragraph(p) => Some(p.text.clone()),
        Block::List(l) => l.items.first().map(|i| i.text.clone()),
        _ => None,
    })
}

fn causal_sentences(outline: &Outline<'_>, causes: &mut Vec<RootCause>) {
    for section in &outline.sections {
        if matches!(section.kind, SectionKind::Actions | SectionKind::Lessons) {
            continue;
        }
        for block in &section.blocks {
            let mut texts: Vec<(&str, u32)> = Vec::new();
            match block {
                Block::Paragraph(p) => texts.push((&p.text, p.line)),
                Block::List(l) => texts.extend(l.items.iter().map(|i| (i.text.as_str(), i.line))),
                Block::Quote(q) => {
                    for b in &q.blocks {
                        if let Block::Paragraph(p) = b {
                            texts.push((&p.text, p.line));
                        }
                    }
                }
                _ => {}
            }
            for (text, line) in texts {
                for (offset, s) in sentences::split(text) {
                    if causes.len() >= MAX_CAUSAL_SENTENCES {
                        return;
                    }
                    if is_causal(s) {
                        causes.push(cause(s, sentences::line_at(text, line, offset)));
                    }
                }
            }
        }
    }
}

fn cause(text: &str, line: u32) -> RootCause {
    let text = sentences::collapse(text.trim_start_matches(['•', '-', '*', ' ']));
    RootCause {
        text: sentences::truncate(&text, MAX_CAUSE_TEXT),
        line,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failure_headings_name_causes() {
        assert_eq!(
            failure_heading("Failure #2: Nebula Restart Failure"),
            Some("Nebula Restart Failure")
        );
        assert_eq!(failure_heading("Failure modes"), None);
    }

    #[test]
    fn causal_sentences_are_recognised() {
        assert!(is_causal(
            "The issue was caused because two hosts used the same IP."
        ));
        assert!(is_causal("Due to a power outage, hosts restarted."));
        assert!(!is_causal("We restarted the hosts."));
    }

    #[test]
    fn lead_in_lines_introduce_causes() {
        assert!(introduces_causes(
            "In summary, the key factors behind this incident are:"
        ));
        assert!(!introduces_causes("The following changes will be made:"));
    }
}
