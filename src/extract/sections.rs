//! Sections: which part of a postmortem each block belongs to, decided once from
//! headings through one synonym table, whatever the source format.
//!
//! Invariant: every block of the document (except the title heading) appears in exactly
//! one `Section`, in document order; a heading that matches no synonym inherits the kind
//! of the heading it is nested under.

use crate::ingest::document::{Block, Document, Heading, List, ListItem};
use std::borrow::Cow;
use std::sync::LazyLock;

/// What a section of a postmortem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SectionKind {
    Summary,
    Impact,
    RootCause,
    Detection,
    Resolution,
    Timeline,
    Actions,
    Lessons,
    /// Narrative, background, appendices: anything else.
    Other,
}

/// Heading phrases per kind. Each phrase is a sequence of word prefixes: "root cause"
/// matches "Root Causes", "action" matches "Action Items". The kind whose phrase starts
/// earliest in the heading wins, so "Root cause, Detection, Resolving" is a root-cause
/// section and "Summary & Impact" a summary.
const SYNONYMS: &[(SectionKind, &[&str])] = &[
    (
        SectionKind::Summary,
        &[
            "summary",
            "abstract",
            "overview",
            "description",
            "tl dr",
            "tldr",
            "synopsis",
            "executive summary",
            "what happened",
        ],
    ),
    (
        SectionKind::Impact,
        &[
            "impact",
            "effect",
            "customer impact",
            "user impact",
            "blast radius",
        ],
    ),
    (
        SectionKind::RootCause,
        &[
            "root cause",
            "cause",
            "trigger",
            "contributing factor",
            "technical detail",
            "why did",
            "why it happen",
            "whys",
            "what caused",
            "origin of",
            "analysis",
        ],
    ),
    (
        SectionKind::Detection,
        &["detection", "detect", "how we found", "how was it found"],
    ),
    (
        SectionKind::Resolution,
        &[
            "resolution",
            "resolv",
            "recovery",
            "mitigation and resolution",
            "remedy",
            "how it was fixed",
        ],
    ),
    (
        SectionKind::Timeline,
        &[
            "timeline",
            "time line",
            "sequence of events",
            "chronology",
            "chronological",
            "events",
            "timestamps",
        ],
    ),
    (
        SectionKind::Actions,
        &[
            "action",
            "follow up",
            "followup",
            "corrective",
            "remediation",
            "mitigation",
            "what are we going to do",
            "what we are going to do",
            "what we will do",
            "next step",
            "outcome",
            "preventive",
            "preventative",
            "prevention",
            "to do",
            "todo",
            "improvement",
            "future work",
            "doing about",
            "what we re doing",
            "what we are doing",
            "looking forward",
            "going forward",
            "completed",
            // "How do we prevent this?", "Preventing recurrence": what will be done,
            // not what stopped something ("What prevented a faster fix").
            "prevent this",
            "prevent it",
            "prevent recur",
            "prevent future",
            "prevent similar",
            "prevent the same",
            "prevent such",
            "what will we do",
            "what we ll do",
            "what we will change",
            "what we ll change",
            "what will we change",
            "what we are changing",
            "what we re changing",
        ],
    ),
    (
        SectionKind::Lessons,
        &[
            "lesson",
            "what went well",
            "what went wrong",
            "where we got lucky",
            "went well",
            "went wrong",
            "got lucky",
            "takeaway",
            "learning",
            "retrospective",
            "reflection",
            // Recommendations are advice the document does not commit to; they are
            // read as lessons, not as actions.
            "recommend",
        ],
    ),
];

/// Classifies a heading by the synonym table; `None` when nothing matches.
pub fn classify(heading: &str) -> Option<SectionKind> {
    classify_at(heading).map(|(_, kind)| kind)
}

/// A heading that is only a section name ("Summary", "Root causes", "Timeline of
/// events"), as opposed to a title that happens to contain one ("After Action Report").
pub fn is_section_name(heading: &str) -> bool {
    classify_at(heading).is_some_and(|(pos, _)| pos == 0) && normalized_words(heading).len() <= 5
}

/// The synonym table split into words once.
fn phrases() -> &'static [(SectionKind, Vec<&'static str>)] {
    static PHRASES: LazyLock<Vec<(SectionKind, Vec<&'static str>)>> = LazyLock::new(|| {
        SYNONYMS
            .iter()
            .flat_map(|(kind, phrases)| {
                phrases.iter().map(move |p| (*kind, p.split(' ').collect()))
            })
            .collect()
    });
    &PHRASES
}

/// The kind and the word position where its phrase starts.
fn classify_at(heading: &str) -> Option<(usize, SectionKind)> {
    let words = normalized_words(heading);
    if words.is_empty() {
        return None;
    }
    let mut best: Option<(usize, usize, SectionKind)> = None;
    for (kind, parts) in phrases() {
        if let Some(pos) = find_phrase(&words, parts) {
            // Earliest position wins; at the same position the longer phrase wins
            // ("mitigation and resolution" over "mitigation").
            let better = match best {
                None => true,
                Some((p, len, _)) => pos < p || (pos == p && parts.len() > len),
            };
            if better {
                best = Some((pos, parts.len(), *kind));
            }
        }
    }
    best.map(|(pos, _, kind)| (pos, kind))
}

fn find_phrase(words: &[String], parts: &[&str]) -> Option<usize> {
    if parts.is_empty() || words.len() < parts.len() {
        return None;
    }
    (0..=words.len() - parts.len()).find(|&i| {
        parts
            .iter()
            .enumerate()
            .all(|(j, p)| words[i + j].starts_with(p))
    })
}

/// Lowercase words with numbering, punctuation and markup removed ("2.1 Root-Cause:" ->
/// ["root", "cause"]).
pub fn normalized_words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty() && !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect()
}

/// A run of blocks under one heading.
#[derive(Debug)]
pub struct Section<'a> {
    pub heading: Option<&'a Heading>,
    pub kind: SectionKind,
    pub blocks: Vec<&'a Block>,
}

/// The document split into its title and its sections.
#[derive(Debug)]
pub struct Outline<'a> {
    /// The heading that is the document's own title, if it has one.
    pub title: Option<&'a Heading>,
    pub sections: Vec<Section<'a>>,
}

/// Splits a document into sections, deciding its title heading first.
pub fn outline(doc: &Document) -> Outline<'_> {
    let title = title_heading(doc);
    let mut sections = vec![Section {
        heading: None,
        kind: SectionKind::Other,
        blocks: Vec::new(),
    }];
    // Open headings: (level, effective kind).
    let mut stack: Vec<(u8, SectionKind)> = Vec::new();
    for block in &doc.blocks {
        let Block::Heading(h) = block else {
            if let Some(current) = sections.last_mut() {
                current.blocks.push(block);
            }
            continue;
        };
        if title.is_some_and(|t| std::ptr::eq(t, h)) {
            continue;
        }
        while stack.last().is_some_and(|(level, _)| *level >= h.level) {
            stack.pop();
        }
        let parent = stack.last().map_or(SectionKind::Other, |(_, kind)| *kind);
        let kind = match classify(&h.text) {
            // A sub-heading that names a section kind only counts when it is not a
            // dated entry inside a timeline ("2017-12-08 2:45pm" under "Timeline").
            Some(kind) if parent != SectionKind::Timeline || !starts_with_digit(&h.text) => kind,
            _ => parent,
        };
        stack.push((h.level, kind));
        sections.push(Section {
            heading: Some(h),
            kind,
            blocks: Vec::new(),
        });
    }
    Outline { title, sections }
}

/// A run of a section's blocks read under one kind: the whole section, or, in a section
/// of no specific kind, the blocks after a label line ("Root cause:", "---" then
/// "follow-up:"), which is how plain-text and e-mail postmortems mark their sections.
#[derive(Debug)]
pub struct Part<'a> {
    pub kind: SectionKind,
    /// The heading or label the part starts under.
    pub label: Option<&'a str>,
    pub blocks: Vec<Cow<'a, Block>>,
}

/// Splits a section at its label lines (paragraphs, or list items without children,
/// that are only a label). Sections of a specific kind (actions, root cause, timeline)
/// are not split: a label there names a group ("Detection:", "Completed:"), not a new
/// section.
pub fn parts<'a>(section: &Section<'a>) -> Vec<Part<'a>> {
    let mut parts = vec![Part {
        kind: section.kind,
        label: section.heading.map(|h| h.text.as_str()),
        blocks: Vec::new(),
    }];
    let splits = !matches!(
        section.kind,
        SectionKind::Actions | SectionKind::RootCause | SectionKind::Timeline
    );
    for &block in &section.blocks {
        if !splits {
            parts[0].blocks.push(Cow::Borrowed(block));
            continue;
        }
        let paragraph_label = match block {
            Block::Paragraph(p) => label_kind(&p.text).map(|kind| (kind, p.text.as_str())),
            _ => None,
        };
        if let Some((kind, label)) = paragraph_label {
            parts.push(Part {
                kind,
                label: Some(label),
                blocks: Vec::new(),
            });
            continue;
        }
        match block {
            Block::List(list)
                if list
                    .items
                    .iter()
                    .any(|i| i.children.is_empty() && label_kind(&i.text).is_some()) =>
            {
                let mut run: Vec<ListItem> = Vec::new();
                for item in &list.items {
                    let label = item.children.is_empty().then(|| label_kind(&item.text));
                    if let Some(Some(kind)) = label {
                        flush_items(&mut parts, &mut run, list);
                        parts.push(Part {
                            kind,
                            label: Some(item.text.as_str()),
                            blocks: Vec::new(),
                        });
                    } else {
                        run.push(item.clone());
                    }
                }
                flush_items(&mut parts, &mut run, list);
            }
            _ => {
                if let Some(last) = parts.last_mut() {
                    last.blocks.push(Cow::Borrowed(block));
                }
            }
        }
    }
    parts.retain(|p| !p.blocks.is_empty() || p.label.is_some());
    parts
}

fn flush_items(parts: &mut [Part<'_>], run: &mut Vec<ListItem>, list: &List) {
    if run.is_empty() {
        return;
    }
    let items = std::mem::take(run);
    if let Some(last) = parts.last_mut() {
        last.blocks.push(Cow::Owned(Block::List(List {
            ordered: list.ordered,
            line: items[0].line,
            items,
        })));
    }
}

/// The kind a label line names: "Root cause:" is a root-cause label, "Reporting
/// issues:" a label of no specific kind (`Other`); `None` when the text is not a label
/// at all (a sentence, a lead-in such as "We did the following:"). Lines of only
/// punctuation (a "-----" rule above the label) are ignored.
pub fn label_kind(text: &str) -> Option<SectionKind> {
    if !text.trim_end_matches(['*', '_', ' ', '\n']).ends_with(':') {
        return None;
    }
    let mut lines = text
        .lines()
        .map(str::trim)
        .filter(|l| l.chars().any(char::is_alphanumeric));
    let line = lines.next()?;
    if lines.next().is_some() {
        return None;
    }
    let label = line
        .trim_matches(['*', '_', ' '])
        .strip_suffix(':')?
        .trim_matches(['*', '_', ' ']);
    let words = normalized_words(label);
    const NOT_LABELS: &[&str] = &[
        "we",
        "i",
        "the",
        "this",
        "these",
        "those",
        "our",
        "it",
        "they",
        "following",
        "here",
        "below",
        "as",
        "see",
        "for",
        "e",
        "note",
    ];
    if words.is_empty() || words.len() > 4 || NOT_LABELS.contains(&words[0].as_str()) {
        return None;
    }
    match classify(label) {
        Some(kind) => Some(kind),
        None => (words.len() <= 3).then_some(SectionKind::Other),
    }
}

fn starts_with_digit(text: &str) -> bool {
    text.trim_start()
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit())
}

/// The first block is the title when it is a heading at the document's top level that
/// does not name a section ("Summary" opening a document is a section, not a title),
/// is not a template field ("Owner: …") and is not just a date (a post's dateline).
fn title_heading(doc: &Document) -> Option<&Heading> {
    let Some(Block::Heading(first)) = doc.blocks.first() else {
        return None;
    };
    let min_level = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(h) => Some(h.level),
            _ => None,
        })
        .min()?;
    let is_title = first.level == min_level
        && !is_section_name(&first.text)
        && !is_field_label(&first.text)
        && !is_only_a_date(&first.text);
    if !is_title {
        return None;
    }
    if is_banner(&first.text)
        && let Some(subtitle) = subtitle(doc)
    {
        return Some(subtitle);
    }
    Some(first)
}

/// "Cumulo · Technical Incident Report", "Service Health", "Status Dashboard": a
/// heading that names the kind of page or its publisher, not the incident.
fn is_banner(text: &str) -> bool {
    const REPORT: &[&str] = &[
        "report",
        "postmortem",
        "post",
        "mortem",
        "rca",
        "review",
        "analysis",
    ];
    const GENERIC: &[&str] = &[
        "technical",
        "incident",
        "incidents",
        "report",
        "reports",
        "postmortem",
        "post",
        "mortem",
        "rca",
        "review",
        "analysis",
        "public",
        "summary",
        "the",
        "a",
        "an",
        "of",
        "for",
        "and",
    ];
    const CHROME: &[&str] = &["status", "dashboard", "health"];
    if text.chars().any(|c| c.is_ascii_digit()) {
        return false;
    }
    let words: Vec<String> = text
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let has = |set: &[&str]| words.iter().any(|w| set.contains(&w.as_str()));
    let meaningful = words
        .iter()
        .filter(|w| !GENERIC.contains(&w.as_str()))
        .count();
    (has(REPORT) && meaningful <= 1) || (has(CHROME) && words.len() <= 5)
}

/// The heading that names the incident under a banner: the next heading among the
/// first few blocks that is not a section name, a field, a date or another banner.
fn subtitle(doc: &Document) -> Option<&Heading> {
    doc.blocks
        .iter()
        .skip(1)
        .take(4)
        .filter_map(|b| match b {
            Block::Heading(h) => Some(h),
            _ => None,
        })
        .next()
        .filter(|h| {
            !is_section_name(&h.text)
                && !is_field_label(&h.text)
                && !is_only_a_date(&h.text)
                && !is_banner(&h.text)
                && h.text.split_whitespace().count() >= 2
        })
}

/// "April 29, 2011", "Posted on Tuesday, 3 March 2020": a line that says when, not
/// what.
fn is_only_a_date(text: &str) -> bool {
    let found = super::timestamp::find(text);
    let Some(f) = found.first().filter(|f| f.date.is_some()) else {
        return false;
    };
    const FILLER: &[&str] = &[
        "on",
        "posted",
        "published",
        "updated",
        "date",
        "dated",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    [&text[..f.start], &text[f.end..]].iter().all(|part| {
        part.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .all(|w| FILLER.contains(&w.to_lowercase().as_str()))
    })
}

/// "Owner: @someone", "Date:", "Authors: ..." — template fields set as headings, which
/// are never the document's title.
fn is_field_label(text: &str) -> bool {
    let Some((label, _)) = text.split_once(':') else {
        return false;
    };
    let label = label.trim().to_lowercase();
    label.len() <= 24
        && matches!(
            label.as_str(),
            "owner"
                | "owners"
                | "author"
                | "authors"
                | "date"
                | "status"
                | "severity"
                | "involved"
                | "participants"
                | "attendees"
                | "meeting"
                | "incident commander"
                | "reviewers"
                | "editor"
                | "editors"
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use SectionKind::*;

    #[test]
    fn a_dateline_is_not_a_title() {
        for line in [
            "April 29, 2011",
            "Posted on Tuesday, 3 March 2020",
            "2019-06-26",
        ] {
            assert!(is_only_a_date(line), "{line}");
        }
        for line in [
            "2019-06-26: Differ Process Pool Broken",
            "Outage on April 29, 2011",
            "Summary",
        ] {
            assert!(!is_only_a_date(line), "{line}");
        }
    }

    #[test]
    fn headings_map_to_kinds_through_synonyms() {
        let cases = [
            ("Summary", Some(Summary)),
            ("TL;DR", Some(Summary)),
            ("Description of the Incident", Some(Summary)),
            ("Effect(s):", Some(Impact)),
            ("Root cause, Detection, Resolving", Some(RootCause)),
            ("Summary & Impact | OTG0150847", Some(Summary)),
            ("Contributing Factors", Some(RootCause)),
            ("Technical Details", Some(RootCause)),
            ("Assess and resolve", Some(Resolution)),
            ("Recovery", Some(Resolution)),
            ("Sequence of Events", Some(Timeline)),
            ("Corrective Actions Taken/Planned", Some(Actions)),
            ("What are we going to do in the future?", Some(Actions)),
            ("Follow up actions", Some(Actions)),
            ("Mitigation Strategies", Some(Actions)),
            ("Outcomes", Some(Actions)),
            ("How do we prevent this?", Some(Actions)),
            ("Preventing recurrence", Some(Actions)),
            ("What we'll change", Some(Actions)),
            ("What prevented a faster fix?", None),
            ("Where we got lucky", Some(Lessons)),
            ("What Went Well", Some(Lessons)),
            ("2. Lessons Learned", Some(Lessons)),
            ("Background", None),
            ("Agenda", None),
        ];
        assert!(is_section_name("Root causes"));
        assert!(!is_section_name(
            "After Action Report 26-27 June 2019 Outages"
        ));
        for (heading, want) in cases {
            assert_eq!(classify(heading), want, "{heading}");
        }
    }

    fn heading(level: u8, text: &str, line: u32) -> Block {
        Block::Heading(Heading {
            level,
            text: text.into(),
            line,
        })
    }

    fn para(text: &str, line: u32) -> Block {
        Block::Paragraph(crate::ingest::document::Paragraph {
            text: text.into(),
            line,
        })
    }

    #[test]
    fn sub_headings_inherit_their_parent_kind_and_the_title_is_set_apart() {
        let doc = Document {
            blocks: vec![
                heading(1, "2017-12-08: TACC Power Outage", 1),
                heading(2, "Timeline", 3),
                heading(3, "2017-12-08 2:45pm", 5),
                para("We recognized", 6),
                heading(2, "Action items", 8),
                heading(3, "Process", 9),
                para("Do things", 10),
            ],
            ..Document::default()
        };
        let outline = outline(&doc);
        assert_eq!(outline.title.map(|h| h.line), Some(1));
        let kinds: Vec<SectionKind> = outline.sections.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, [Other, Timeline, Timeline, Actions, Actions]);
        assert_eq!(outline.sections[2].blocks.len(), 1);
    }

    #[test]
    fn a_banner_gives_way_to_the_heading_that_names_the_incident() {
        for banner in [
            "Acme · Technical Incident Report",
            "Postmortem",
            "Service Health",
            "Example Cloud Status Dashboard",
        ] {
            assert!(is_banner(banner), "{banner}");
        }
        for title in [
            "Database failover on 2024-03-03",
            "Incident report: queue backlog in the EU region",
            "Elevated latency and errors",
        ] {
            assert!(!is_banner(title), "{title}");
        }
        let doc = Document {
            blocks: vec![
                heading(1, "Acme · Technical Incident Report", 1),
                heading(2, "Queue backlog delays invoices", 2),
                heading(2, "Summary", 4),
                para("x", 5),
            ],
            ..Document::default()
        };
        assert_eq!(outline(&doc).title.map(|h| h.line), Some(2));
        // A banner over a section name keeps the banner as the title.
        let doc = Document {
            blocks: vec![heading(1, "Postmortem", 1), heading(2, "Summary", 3)],
            ..Document::default()
        };
        assert_eq!(outline(&doc).title.map(|h| h.line), Some(1));
    }

    #[test]
    fn label_lines_name_a_kind_and_sentences_are_not_labels() {
        assert_eq!(label_kind("Root cause:"), Some(RootCause));
        assert_eq!(label_kind("-----\nsystem wide follow-up:"), Some(Actions));
        assert_eq!(label_kind("Contacts:"), Some(Other));
        assert_eq!(label_kind("We did the following:"), None);
        assert_eq!(label_kind("Root cause: a full disk"), None);
        for (heading, kind) in [
            ("Origin of the incident", RootCause),
            ("5 Whys", RootCause),
            ("Why it happened", RootCause),
            ("What we're doing about it", Actions),
            ("Looking Forward", Actions),
            ("Completed", Actions),
            ("Recommended Improvements", Lessons),
            ("Recommendations", Lessons),
        ] {
            assert_eq!(classify(heading), Some(kind), "{heading}");
        }
    }

    #[test]
    fn a_label_line_splits_a_section_of_no_kind() {
        let doc = Document {
            blocks: vec![
                para("Hi,", 1),
                Block::List(List {
                    ordered: false,
                    line: 3,
                    items: ["-----\nroot cause:", "a disk filled up"]
                        .iter()
                        .enumerate()
                        .map(|(i, t)| ListItem {
                            text: (*t).into(),
                            line: 3 + i as u32,
                            task: None,
                            children: Vec::new(),
                        })
                        .collect(),
                }),
            ],
            ..Document::default()
        };
        let outline = outline(&doc);
        let parts = parts(&outline.sections[0]);
        let kinds: Vec<SectionKind> = parts.iter().map(|p| p.kind).collect();
        assert_eq!(kinds, [Other, RootCause]);
        assert_eq!(parts[1].blocks.len(), 1);
    }

    #[test]
    fn a_leading_section_name_is_not_a_title() {
        let doc = Document {
            blocks: vec![
                heading(1, "Abstract", 5),
                para("x", 7),
                heading(1, "Mitigation", 9),
            ],
            ..Document::default()
        };
        let outline = outline(&doc);
        assert!(outline.title.is_none());
        assert_eq!(outline.sections[1].kind, Summary);
    }
}
