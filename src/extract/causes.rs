//! Root causes: the statements of root-cause sections (under any of their names, or
//! after a "Root cause:" label line), labelled fields ("Root cause: ...", "Trigger:
//! ..."), "Failure #N: ..." headings, lists introduced as causes ("the key factors
//! behind this incident are:"), and, where none of these says anything, a "What went
//! wrong" section and the document's causal sentences ("was caused by", "due to",
//! "the problem was that").
//!
//! Invariant: causes are returned in document order without duplicates; apologies,
//! questions, log lines, rejected hypotheses and promises to investigate are never
//! causes.

use super::sections::{self, Outline, Part, SectionKind};
use super::sentences;
use crate::ingest::document::{Block, ListItem};
use crate::model::RootCause;
use aho_corasick::{AhoCorasick, AhoCorasickKind};
use std::collections::HashSet;
use std::hash::Hasher;
use std::sync::LazyLock;

/// A cause is a statement, often a whole paragraph; longer ones are cut.
const MAX_CAUSE_TEXT: usize = 700;
/// Causal sentences are a fallback; a handful is what a reader would note.
const MAX_CAUSAL_SENTENCES: usize = 6;

/// Phrases that make a sentence a statement about causes (matched in lowercase).
const CAUSAL: &[&str] = &[
    "caused by",
    "was caused",
    "were caused",
    "caused because",
    "caused the ",
    "caused a ",
    "caused an ",
    "causing ",
    "can cause",
    "could cause",
    "would cause",
    "due to",
    "because",
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
    "the underlying issue",
    "the underlying cause",
    "the underlying problem",
    "the problem was that",
    "the problem was a ",
    "the problem was an ",
    "the problem was the ",
    "the issue was that",
    "the issue was a ",
    "the issue was an ",
    "the issue was the ",
    "origin of the",
    // Status-page updates: "The issue has been identified as an expired certificate".
    "been identified as",
    "was identified as",
    "were identified as",
    "traced to",
    "traced back to",
];

/// Phrases of sentences that use causal words without stating a cause: apologies and
/// thanks, hypotheses the document rejects.
const NOT_CAUSES: &[&str] = &[
    "apologi",
    "apology",
    "sorry",
    "inconvenience",
    "thank",
    "ruled out",
    "was not the cause",
    "were not the cause",
    "not the root cause",
    "was not caused",
    "were not caused",
    "turned out not",
    "initially suspected",
    "initially thought",
    "initially believed",
    "first suspected",
    "we suspected",
];

/// Words that, next to "root cause", make a sentence about finding the cause rather
/// than stating it ("the root cause was identified", "we will look at the root cause").
const FINDING_THE_CAUSE: &[&str] = &[
    "identif",
    "find",
    "found",
    "determin",
    "investigat",
    "analys",
    "looking",
    "look into",
    "understand",
    "unknown",
    "not yet",
    "discover",
    "pinpoint",
];

/// Finds the root causes of the document.
pub fn extract(outline: &Outline<'_>) -> Vec<RootCause> {
    // What cause sections and cause fields state; failure headings and lists
    // introduced as causes only complement the causal sentences of the narrative.
    let mut causes = Vec::new();
    let mut complements = Vec::new();
    for section in &outline.sections {
        if let Some(h) = section.heading
            && let Some(rest) = failure_heading(&h.text)
        {
            complements.push(cause(rest, h.line, "a heading that names the failure"));
        }
        for part in sections::parts(section) {
            if part.kind == SectionKind::RootCause {
                // "Technical details" and "Analysis" sections explain as much as they
                // state: what they say does not stand for the narrative's reasons.
                let weak = part.label.is_some_and(explains_more_than_states);
                if weak {
                    cause_part(
                        &part,
                        "a statement of an explanatory section (\"Technical details\"), \
                         beside the stated causes",
                        &mut complements,
                    );
                } else {
                    cause_part(&part, "a statement of a root-cause section", &mut causes);
                }
            } else {
                other_part(&part, &mut causes, &mut complements);
            }
        }
    }
    let stated = !causes.is_empty();
    causes.append(&mut complements);
    if !stated {
        // Without a cause section that states something, the causal sentences of the
        // narrative say why; failing those, a "What went wrong" section plays the role
        // of a cause section.
        let before = causes.len();
        causal_sentences(outline, &mut causes);
        if causes.len() == before {
            for section in &outline.sections {
                for part in sections::parts(section) {
                    if part.kind == SectionKind::Lessons && part.label.is_some_and(went_wrong) {
                        cause_part(
                            &part,
                            "a statement of a \"what went wrong\" section (no cause section)",
                            &mut causes,
                        );
                    }
                }
            }
        }
    }
    causes.sort_by_key(|c| c.line);
    let mut seen = HashSet::new();
    causes.retain(|c| !c.text.is_empty() && seen.insert(dedup_key(&c.text)));
    causes
}

/// The blocks of a root-cause section: each paragraph is one statement (its sentences
/// that state something), each list item and table row one cause.
fn cause_part(part: &Part<'_>, rule: &'static str, causes: &mut Vec<RootCause>) {
    let prefix = if part.label.is_some_and(is_trigger_label) {
        "Trigger: "
    } else {
        ""
    };
    let add = |causes: &mut Vec<RootCause>, text: &str, line: u32| {
        let mut c = cause(text, line, rule);
        if !prefix.is_empty() && !c.text.to_lowercase().starts_with("trigger") {
            c.text = format!("{prefix}{}", c.text);
        }
        causes.push(c);
    };
    for (i, block) in part.blocks.iter().enumerate() {
        let next = part.blocks.get(i + 1).map(|b| b.as_ref());
        match block.as_ref() {
            Block::Paragraph(p) => {
                if labelled(&p.text, p.line, causes) {
                    continue;
                }
                let leads_list = matches!(next, Some(Block::List(_) | Block::Table(_)));
                // Each sentence of a cause section's paragraph is a cause of its own:
                // "The disk filled up. The alert on it had been muted."
                for (offset, sentence) in statements(&p.text, leads_list) {
                    add(
                        causes,
                        &sentence,
                        sentences::line_at(&p.text, p.line, offset),
                    );
                }
            }
            Block::List(list) => {
                let lead_in =
                    i.checked_sub(1)
                        .and_then(|j| part.blocks.get(j))
                        .and_then(|b| match b.as_ref() {
                            Block::Paragraph(p) if p.text.trim_end().ends_with(':') => {
                                Some(p.text.as_str())
                            }
                            _ => None,
                        });
                // "This conclusion is supported by the following observations:" lists
                // evidence, not causes.
                if lead_in.is_some_and(|l| !mentions_causes(l)) {
                    continue;
                }
                for item in &list.items {
                    if labelled(&item.text, item.line, causes) {
                        continue;
                    }
                    let text = item_text(item);
                    if states_something(&text) {
                        add(causes, &text, item.line);
                    }
                }
            }
            Block::Table(table) => {
                for row in &table.rows {
                    let text = row
                        .cells
                        .iter()
                        .filter(|c| !c.is_empty())
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" — ");
                    add(causes, &text, row.line);
                }
            }
            // Quotes and code are log lines and chat, not statements of cause.
            _ => {}
        }
    }
}

/// Outside cause sections: labelled lines, and lists introduced as causes.
fn other_part(part: &Part<'_>, causes: &mut Vec<RootCause>, listed: &mut Vec<RootCause>) {
    for (i, block) in part.blocks.iter().enumerate() {
        match block.as_ref() {
            Block::Paragraph(p) => {
                labelled(&p.text, p.line, causes);
            }
            Block::List(list) => {
                let lead_in = i
                    .checked_sub(1)
                    .and_then(|j| part.blocks.get(j))
                    .is_some_and(
                        |b| matches!(b.as_ref(), Block::Paragraph(p) if introduces_causes(&p.text)),
                    );
                for item in &list.items {
                    if !labelled(&item.text, item.line, causes) && lead_in {
                        listed.push(cause(
                            &item_text(item),
                            item.line,
                            "an item of a list introduced as causes",
                        ));
                    }
                }
            }
            _ => {}
        }
    }
}

/// A paragraph of a cause section as one statement: its sentences without questions
/// (template prompts such as "What caused this situation?"), apologies, rejected
/// hypotheses and promises to investigate; `None` for log lines. A last sentence that
/// introduces a list (`leads_list`) belongs to the list.
/// The sentences of a cause paragraph that state something, each with its offset.
fn statements(text: &str, leads_list: bool) -> Vec<(usize, String)> {
    let lead_in = leads_list && text.trim_end().ends_with(':');
    let sents = sentences::split(text);
    let last = sents.len().saturating_sub(1);
    sents
        .iter()
        .enumerate()
        .filter(|(i, _)| !(lead_in && *i == last))
        .filter(|(_, (_, s))| !looks_like_log(s) && states_something(s))
        .map(|(_, (offset, s))| (*offset, s.trim_end_matches(':').to_string()))
        .collect()
}

/// False for questions, apologies, rejected hypotheses, sentences about finding the
/// cause, log lines, and fragments too short to say anything.
fn states_something(sentence: &str) -> bool {
    let s = sentence.trim();
    !s.ends_with('?') && s.split_whitespace().nth(1).is_some() && !looks_like_log(s) && !left_out(s)
}

/// Apologies, thanks, rejected hypotheses, and sentences about finding the cause
/// ("Within the hour the root cause was identified", "we will start looking at the root
/// cause"); "The root cause was identified as X" still states X.
fn left_out(text: &str) -> bool {
    // One automaton over all four lists; the pattern's list is its group.
    static GROUPS: LazyLock<(Phrases, Vec<usize>)> = LazyLock::new(|| {
        let lists: [&[&str]; 4] = [
            NOT_CAUSES,
            &["root cause"],
            FINDING_THE_CAUSE,
            &["identified as", "determined to be", "found to be"],
        ];
        let mut phrases = Vec::new();
        let mut groups = Vec::new();
        for (group, list) in lists.iter().enumerate() {
            for phrase in *list {
                phrases.push(*phrase);
                groups.push(group);
            }
        }
        (Phrases::new(&phrases), groups)
    });
    let (phrases, groups) = &*GROUPS;
    let mut seen = [false; 4];
    for index in phrases.matches(text) {
        seen[groups[index]] = true;
        if seen[0] {
            return true;
        }
    }
    let [_, root_cause, finding, stated_as] = seen;
    root_cause && finding && !stated_as
}
/// Log lines, and template placeholders (`{{ root cause }}`), which say nothing yet.
fn looks_like_log(s: &str) -> bool {
    s.starts_with(['{', '<', '$', '#'])
        || s.contains("{{")
        || s.contains("\"level\"")
        || s.contains(" level=")
        || s.contains(" err=")
}

/// Phrases found case-insensitively (ASCII) in the original text, a line break inside
/// a phrase counting as its space; build one per phrase list, once, in a `LazyLock`.
pub(super) struct Phrases {
    automaton: AhoCorasick,
    /// The phrase each pattern (a spelling with spaces or line breaks) stands for.
    phrase_of: Vec<usize>,
}

impl Phrases {
    pub(super) fn new(phrases: &[&str]) -> Phrases {
        let mut patterns: Vec<String> = Vec::new();
        let mut phrase_of = Vec::new();
        for (index, phrase) in phrases.iter().enumerate() {
            let mut variants = vec![String::new()];
            for c in phrase.chars() {
                if c == ' ' {
                    variants = variants
                        .into_iter()
                        .flat_map(|v| [format!("{v} "), format!("{v}\n")])
                        .collect();
                } else {
                    variants.iter_mut().for_each(|v| v.push(c));
                }
            }
            phrase_of.extend(std::iter::repeat_n(index, variants.len()));
            patterns.extend(variants);
        }
        let automaton = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("literal phrases build an automaton");
        Phrases {
            automaton,
            phrase_of,
        }
    }

    pub(super) fn in_text(&self, text: &str) -> bool {
        self.automaton.is_match(text)
    }

    /// The index of each phrase found, overlapping ones included, in text order.
    pub(super) fn matches<'t>(&'t self, text: &'t str) -> impl Iterator<Item = usize> + 't {
        self.automaton
            .find_overlapping_iter(text)
            .map(|m| self.phrase_of[m.pattern().as_usize()])
    }
}

/// A heading or label that names the trigger of the incident ("Trigger", "Triggers:").
fn is_trigger_label(label: &str) -> bool {
    sections::normalized_words(label)
        .first()
        .is_some_and(|w| w.starts_with("trigger"))
}

/// "Technical details", "Analysis": cause sections by role, not by name.
fn explains_more_than_states(label: &str) -> bool {
    let words = sections::normalized_words(label);
    words
        .iter()
        .any(|w| w.starts_with("technical") || w.starts_with("analys") || w == "details")
        && !words.iter().any(|w| {
            w.starts_with("cause") || w == "root" || w.starts_with("trigger") || w == "why"
        })
}

/// "What went wrong", "Things that went wrong".
fn went_wrong(label: &str) -> bool {
    let words = sections::normalized_words(label);
    words.windows(2).any(|w| w[0] == "went" && w[1] == "wrong")
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

/// Labels of a cause field ("Root cause: a memory leak"); a trigger label keeps its
/// name in front of the cause.
fn cause_label(label: &str) -> Option<&'static str> {
    const LABELS: &[(&str, &str)] = &[
        ("trigger", "Trigger: "),
        ("triggers", "Trigger: "),
        ("triggered by", "Trigger: "),
        ("root cause", ""),
        ("root causes", ""),
        ("cause", ""),
        ("causes", ""),
        ("primary cause", ""),
        ("underlying cause", ""),
        ("proximate cause", ""),
        ("contributing factor", ""),
        ("contributing factors", ""),
        ("problem", ""),
    ];
    LABELS
        .iter()
        .find(|(l, _)| l.eq_ignore_ascii_case(label))
        .map(|(_, prefix)| *prefix)
}
/// Lines like "Root cause: a memory leak" or "- Trigger: a deploy"; true when the text
/// had such a line (its cause, if any, is added).
fn labelled(text: &str, line: u32, causes: &mut Vec<RootCause>) -> bool {
    if !text.contains(':') {
        return false;
    }
    let mut found = false;
    let mut offset = 0;
    for (i, raw) in text.split('\n').enumerate() {
        let line_start = offset;
        offset += raw.len() + 1;
        // A label is short: its colon is near the start of the line.
        let head = &raw.as_bytes()[..raw.len().min(32)];
        let Some(colon) = head.iter().position(|&b| b == b':') else {
            continue;
        };
        let label = raw[..colon].trim().trim_matches(['*', '_']);
        let Some(prefix) = cause_label(label) else {
            continue;
        };
        // The value runs on over wrapped lines to the end of its first sentence.
        let value_start = line_start + colon + 1;
        let value = text[value_start..].trim_start_matches(['*', '_', ' ']);
        let first = sentences::split(value)
            .into_iter()
            .next()
            .map_or("", |(_, s)| s);
        if first.trim().is_empty() {
            continue;
        }
        found = true;
        if states_something(first) {
            let mut c = cause(
                first,
                line + i as u32,
                "a labelled line (\"Root cause: ...\")",
            );
            c.text = format!("{prefix}{}", c.text);
            causes.push(c);
        }
    }
    found
}

/// "In summary, the key factors behind this incident are:".
fn introduces_causes(text: &str) -> bool {
    let t = text.trim_end().to_lowercase();
    t.ends_with(':')
        && ["factor", "cause", "reason", "why", "contributed"]
            .iter()
            .any(|w| t.contains(w))
}

/// A lead-in inside a cause section that speaks of causes ("Two things went wrong:"),
/// as opposed to one that introduces evidence or steps.
fn mentions_causes(text: &str) -> bool {
    let t = text.to_lowercase();
    [
        "cause",
        "factor",
        "reason",
        "why",
        "contribut",
        "because",
        "due",
        "led ",
        "lead ",
        "result",
        "trigger",
        "issue",
        "problem",
        "fail",
        "wrong",
        "bug",
        "error",
        "mistake",
        "worse",
    ]
    .iter()
    .any(|w| t.contains(w))
}

fn is_causal(sentence: &str) -> bool {
    static CAUSAL_PHRASES: LazyLock<Phrases> = LazyLock::new(|| Phrases::new(CAUSAL));
    CAUSAL_PHRASES.in_text(sentence)
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

/// Causal sentences of the narrative: paragraphs and list items outside the action
/// and lesson sections (a notice quoted in a timeline can be the only place that says
/// why).
fn causal_sentences(outline: &Outline<'_>, causes: &mut Vec<RootCause>) {
    let mut taken = 0;
    for section in &outline.sections {
        for part in sections::parts(section) {
            // Cause sections have been read whole already.
            if matches!(
                part.kind,
                SectionKind::Actions | SectionKind::Lessons | SectionKind::RootCause
            ) {
                continue;
            }
            for block in &part.blocks {
                let mut texts: Vec<(&str, u32)> = Vec::new();
                match block.as_ref() {
                    Block::Paragraph(p) => texts.push((&p.text, p.line)),
                    Block::List(l) => {
                        texts.extend(l.items.iter().map(|i| (i.text.as_str(), i.line)))
                    }
                    _ => {}
                }
                for (text, line) in texts {
                    // Most paragraphs give no reason: only those with one are split.
                    if !is_causal(text) {
                        continue;
                    }
                    for (offset, s) in sentences::split(text) {
                        if taken >= MAX_CAUSAL_SENTENCES {
                            return;
                        }
                        if is_causal(s) && states_something(s) {
                            causes.push(cause(
                                s,
                                sentences::line_at(text, line, offset),
                                "a causal sentence of the narrative (no cause section states one)",
                            ));
                            taken += 1;
                        }
                    }
                }
            }
        }
    }
}

fn cause(text: &str, line: u32, rule: &'static str) -> RootCause {
    let text = collapse(text.trim_start_matches(['•', '-', '*', ' ']));
    let text = if text.len() <= MAX_CAUSE_TEXT {
        text
    } else {
        sentences::truncate(&text, MAX_CAUSE_TEXT)
    };
    RootCause {
        text,
        line,
        rule: rule.to_string(),
    }
}

/// Runs of whitespace as one space, in one pass (causes are whole paragraphs).
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The same cause with and without its "Trigger:" label is one cause: a hash of its
/// lowercase words without a leading "trigger" (a hash, not a string: causes are whole
/// paragraphs).
fn dedup_key(text: &str) -> u64 {
    let mut hasher = rustc_hash::FxHasher::default();
    if text.is_ascii() {
        let mut bytes = text
            .bytes()
            .skip_while(|b| !b.is_ascii_alphanumeric())
            .peekable();
        // A leading "trigger" word is the label.
        let lead: Vec<u8> = bytes
            .clone()
            .take_while(u8::is_ascii_alphanumeric)
            .take(8)
            .collect();
        if lead.eq_ignore_ascii_case(b"trigger") {
            bytes.nth(6);
        }
        let (mut gap, mut started) = (false, false);
        for b in bytes {
            if b.is_ascii_alphanumeric() {
                if gap && started {
                    hasher.write_u8(b' ');
                }
                (gap, started) = (false, true);
                hasher.write_u8(b.to_ascii_lowercase());
            } else {
                gap = true;
            }
        }
        return hasher.finish();
    }
    let mut words = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .peekable();
    if words
        .peek()
        .is_some_and(|w| w.eq_ignore_ascii_case("trigger"))
    {
        words.next();
    }
    let mut first = true;
    for word in words {
        if !first {
            hasher.write_u8(b' ');
        }
        first = false;
        for c in word.chars().flat_map(char::to_lowercase) {
            if c.is_ascii() {
                hasher.write_u8(c as u8);
            } else {
                hasher.write_u32(c as u32);
            }
        }
    }
    hasher.finish()
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::test_blocks::{heading, list, para};
    use crate::ingest::document::{Document, Quote};

    fn causes_of(blocks: Vec<Block>) -> Vec<String> {
        let doc = Document {
            blocks,
            ..Document::default()
        };
        extract(&sections::outline(&doc))
            .into_iter()
            .map(|c| c.text)
            .collect()
    }

    #[test]
    fn a_cause_and_its_trigger_label_share_a_key() {
        assert_eq!(
            dedup_key("Trigger: A **bulk** import."),
            dedup_key("a bulk-import")
        );
        assert_ne!(dedup_key("a bulk import"), dedup_key("a bulk export"));
        assert_eq!(dedup_key("Trigger: Ünïcode fix"), dedup_key("ünïcode  fix"));
        assert_eq!(dedup_key("Triggers fire"), dedup_key("triggers fire"));
        assert_ne!(dedup_key("Triggers fire"), dedup_key("fire"));
    }

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
        assert!(is_causal(
            "The problem was that both caches expired at once."
        ));
        assert!(is_causal("A nightly job caused the\nqueue to overflow."));
        assert!(!is_causal("We restarted the hosts."));
    }

    #[test]
    fn lead_in_lines_introduce_causes() {
        assert!(introduces_causes(
            "In summary, the key factors behind this incident are:"
        ));
        assert!(!introduces_causes("The following changes will be made:"));
    }

    #[test]
    fn every_sentence_of_a_cause_section_is_a_statement() {
        let got = causes_of(vec![
            heading("Why did it happen", 1),
            para(
                "The cache cluster ran out of memory. Eviction was disabled in March.",
                3,
            ),
            para(
                "This, together with a retry storm from the mobile clients, kept it down.",
                5,
            ),
        ]);
        assert_eq!(
            got,
            [
                "The cache cluster ran out of memory.",
                "Eviction was disabled in March.",
                "This, together with a retry storm from the mobile clients, kept it down."
            ]
        );
    }

    #[test]
    fn template_prompts_and_log_quotes_are_not_causes() {
        let got = causes_of(vec![
            heading("Root Causes", 1),
            para(
                "What caused this situation? A stale feature flag hid the map.",
                3,
            ),
            para("It failed with errors like:", 5),
            Block::Quote(Quote {
                blocks: vec![para("{\"level\":\"fatal\",\"msg\":\"bad config\"}", 7)],
                line: 7,
            }),
        ]);
        assert_eq!(
            got,
            [
                "A stale feature flag hid the map.",
                "It failed with errors like"
            ]
        );
    }

    #[test]
    fn each_cause_says_what_took_it() {
        let doc = Document {
            blocks: vec![
                heading("Outage", 1),
                para(
                    "The queue stalled because a consumer leaked connections.",
                    3,
                ),
                heading("Details", 5),
                para("Root cause: an unbounded retry loop.", 6),
            ],
            ..Document::default()
        };
        let rules: Vec<String> = extract(&sections::outline(&doc))
            .into_iter()
            .map(|c| c.rule)
            .collect();
        assert_eq!(rules, ["a labelled line (\"Root cause: ...\")"]);
        let doc = Document {
            blocks: vec![
                heading("Outage", 1),
                para(
                    "The queue stalled because a consumer leaked connections.",
                    3,
                ),
            ],
            ..Document::default()
        };
        let rules: Vec<String> = extract(&sections::outline(&doc))
            .into_iter()
            .map(|c| c.rule)
            .collect();
        assert_eq!(
            rules,
            ["a causal sentence of the narrative (no cause section states one)"]
        );
    }

    #[test]
    fn template_placeholders_are_not_causes() {
        let got = causes_of(vec![
            heading("Root cause", 1),
            para("{{ What caused the incident }}", 3),
            list(&["Cause: {{ cause }}"], 5),
        ]);
        assert!(got.is_empty(), "{got:?}");
    }

    #[test]
    fn a_list_of_observations_in_a_cause_section_is_evidence_not_causes() {
        let got = causes_of(vec![
            heading("Root Cause", 1),
            para("Upstream packet loss in the region caused the stall.", 3),
            para("This is supported by what we saw:", 5),
            list(&["Links stayed up", "No local errors"], 6),
            para("Two things made it worse:", 9),
            list(&["Retries without backoff"], 10),
        ]);
        assert_eq!(
            got,
            [
                "Upstream packet loss in the region caused the stall.",
                "Retries without backoff"
            ]
        );
    }

    #[test]
    fn a_technical_details_section_does_not_silence_the_causal_sentences() {
        let got = causes_of(vec![
            heading("Summary", 1),
            para("A race in the cache loader can cause stale reads.", 3),
            heading("Technical details", 5),
            para("The loader keeps one lock per shard.", 7),
        ]);
        assert_eq!(
            got,
            [
                "A race in the cache loader can cause stale reads.",
                "The loader keeps one lock per shard."
            ]
        );
        let got = causes_of(vec![
            heading("Summary", 1),
            para("A race in the cache loader can cause stale reads.", 3),
            heading("Root cause", 5),
            para("The loader keeps one lock per shard.", 7),
        ]);
        assert_eq!(got, ["The loader keeps one lock per shard."]);
    }

    #[test]
    fn a_trigger_section_prefixes_its_causes() {
        let got = causes_of(vec![
            heading("Trigger", 1),
            para("A bulk import of 40,000 users.", 3),
        ]);
        assert_eq!(got, ["Trigger: A bulk import of 40,000 users."]);
    }

    #[test]
    fn labelled_fields_are_causes_once_with_their_trigger_label() {
        let got = causes_of(vec![
            heading("Overview", 1),
            list(
                &[
                    "Impact: slow checkouts.",
                    "Root Causes: A missing index on the orders table.",
                    "Trigger: A marketing e-mail to all customers.",
                ],
                3,
            ),
            heading("Trigger", 7),
            para("A marketing e-mail to all customers.", 9),
        ]);
        assert_eq!(
            got,
            [
                "A missing index on the orders table.",
                "Trigger: A marketing e-mail to all customers."
            ]
        );
    }

    #[test]
    fn a_label_line_opens_a_cause_section_in_plain_text() {
        let got = causes_of(vec![
            para("Hi all,", 1),
            list(&["-----\nroot cause:"], 3),
            para("A full disk on the primary stopped all writes.", 5),
            list(&["-----\ncontacts:"], 7),
            para("Mail us because we care.", 9),
        ]);
        assert_eq!(got, ["A full disk on the primary stopped all writes."]);
    }

    #[test]
    fn a_cause_section_that_only_promises_an_investigation_falls_back_to_causal_sentences() {
        let got = causes_of(vec![
            para(
                "At 05:00 a config push caused the API to reject all logins.",
                1,
            ),
            heading("Root cause", 3),
            para(
                "We will start looking at the root cause once service is back.",
                5,
            ),
        ]);
        assert_eq!(
            got,
            ["At 05:00 a config push caused the API to reject all logins."]
        );
    }

    #[test]
    fn apologies_rejected_hypotheses_and_finding_the_cause_are_not_causes() {
        let got = causes_of(vec![
            para("We apologise for the trouble caused by this outage.", 1),
            para(
                "We first suspected the load balancer, but it was ruled out.",
                3,
            ),
            para("Within an hour the root cause was identified.", 5),
            para("The outage was due to an expired certificate.", 7),
        ]);
        assert_eq!(got, ["The outage was due to an expired certificate."]);
    }

    /// Status-page updates state causes as what the issue "has been identified as" or
    /// was "traced to"; "has been identified" alone says nothing of the cause.
    #[test]
    fn an_issue_identified_as_or_traced_to_something_is_a_cause() {
        let got = causes_of(vec![
            para(
                "Identified - The issue has been identified as an expired TLS certificate on the gateway.",
                3,
            ),
            para(
                "Monitoring - The errors were traced to one overloaded shard.",
                5,
            ),
            para(
                "Investigating - The issue has been identified and a fix is being deployed.",
                7,
            ),
        ]);
        assert_eq!(
            got,
            [
                "Identified - The issue has been identified as an expired TLS certificate on the gateway.",
                "Monitoring - The errors were traced to one overloaded shard."
            ]
        );
    }

    #[test]
    fn without_a_cause_section_or_causal_sentences_what_went_wrong_plays_its_role() {
        let got = causes_of(vec![
            heading("What went wrong", 1),
            list(&["The backup job had silently failed for a week"], 3),
        ]);
        assert_eq!(got, ["The backup job had silently failed for a week"]);
        let got = causes_of(vec![
            para("The disk filled up because logs were never rotated.", 1),
            heading("What went wrong", 3),
            list(&["Nobody saw the alert"], 5),
        ]);
        assert_eq!(got, ["The disk filled up because logs were never rotated."]);
    }
}
