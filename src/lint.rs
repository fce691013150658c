//! The postmortem linter's rules: what a complete postmortem has (impact, a timeline
//! whose times have a zone, a root cause, actions with an owner and a due date,
//! unambiguous dates, no template placeholders left in), checked against what the
//! real pipeline extracted from it. `aftermath lint` reads the files and prints the
//! findings (`cli::lint`).
//!
//! Invariant: pure and deterministic, and judged only from the extracted `Incident`
//! and its `Document`: a postmortem the linter calls complete is one the importer
//! extracts completely, because both read it the same way.

use crate::extract::sections::{self, SectionKind};
use crate::ingest::document::{Block, Document};
use crate::model::Incident;
use std::fmt;

/// One thing a complete postmortem has. The names are those of `[lint] require`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// An impact section with something in it.
    Impact,
    /// A timeline with at least one entry.
    Timeline,
    /// Every timeline time has a zone (stated for the document or beside the time).
    Zone,
    /// At least one root cause.
    RootCause,
    /// At least one action item.
    Actions,
    /// Every open action has an owner.
    Owner,
    /// Every open action has a due date.
    Due,
    /// No numeric date whose day/month order had to be inferred.
    UnambiguousDates,
    /// No template placeholder (`{{ … }}`) left unfilled.
    Placeholders,
}

impl Rule {
    /// Every rule, in the order findings of one line are printed.
    pub const ALL: [Rule; 9] = [
        Rule::Impact,
        Rule::Timeline,
        Rule::Zone,
        Rule::RootCause,
        Rule::Actions,
        Rule::Owner,
        Rule::Due,
        Rule::UnambiguousDates,
        Rule::Placeholders,
    ];

    /// The name used in `aftermath.toml` and in the output.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Impact => "impact",
            Rule::Timeline => "timeline",
            Rule::Zone => "zone",
            Rule::RootCause => "root_cause",
            Rule::Actions => "actions",
            Rule::Owner => "owner",
            Rule::Due => "due",
            Rule::UnambiguousDates => "unambiguous_dates",
            Rule::Placeholders => "placeholders",
        }
    }

    /// The rule with this name, exactly as [`Rule::name`] writes it.
    pub fn parse(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|r| r.name() == name)
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The rules a run checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules(Vec<Rule>);

impl Default for Rules {
    /// Every rule.
    fn default() -> Rules {
        Rules(Rule::ALL.to_vec())
    }
}

/// A rule name that is not one of [`Rule::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown lint rule '{name}' (the rules are {})", known_names())]
pub struct UnknownRule {
    pub name: String,
}

fn known_names() -> String {
    Rule::ALL.map(Rule::name).join(", ")
}

impl Rules {
    /// The rules named, as in `[lint] require = [...]`; an unknown name is an error (a
    /// typo must not silently turn a check off).
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Rules, UnknownRule> {
        let mut rules = Vec::new();
        for name in names {
            let name = name.as_ref();
            let rule = Rule::parse(name.trim()).ok_or_else(|| UnknownRule {
                name: crate::text::printable(name).into_owned(),
            })?;
            if !rules.contains(&rule) {
                rules.push(rule);
            }
        }
        rules.sort();
        Ok(Rules(rules))
    }

    pub fn contains(&self, rule: Rule) -> bool {
        self.0.contains(&rule)
    }
}

/// Something a postmortem is missing, and the line where it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// 1-based; 1 when the problem is the absence of something.
    pub line: u32,
    pub rule: Rule,
    pub message: String,
}

impl Finding {
    fn new(line: u32, rule: Rule, message: impl Into<String>) -> Finding {
        Finding {
            line: line.max(1),
            rule,
            message: message.into(),
        }
    }
}

/// Checks one extracted postmortem against `rules`; findings are ordered by line.
pub fn check(incident: &Incident, document: &Document, rules: &Rules) -> Vec<Finding> {
    let mut out = Vec::new();
    let heading = |kind| heading_line(document, kind);
    if rules.contains(Rule::Impact) {
        // The extractor leaves a section holding only placeholders empty, so an
        // impact heading without an impact is one not filled in yet.
        match (incident.impact.as_deref(), heading(SectionKind::Impact)) {
            (Some(text), _) if !is_unfilled(text) => {}
            (_, Some(line)) => out.push(Finding::new(
                line,
                Rule::Impact,
                "the impact section is not filled in",
            )),
            (_, None) => out.push(Finding::new(
                1,
                Rule::Impact,
                "no impact section: say who was affected, how and for how long",
            )),
        }
    }
    if rules.contains(Rule::Timeline) && incident.timeline.is_empty() {
        out.push(match heading(SectionKind::Timeline) {
            Some(line) => Finding::new(
                line,
                Rule::Timeline,
                "the timeline has no entries with a date or time",
            ),
            None => Finding::new(1, Rule::Timeline, "no timeline"),
        });
    }
    if rules.contains(Rule::Zone) {
        check_zone(incident, &mut out);
    }
    if rules.contains(Rule::RootCause) && incident.root_causes.iter().all(|c| is_unfilled(&c.text))
    {
        out.push(match heading(SectionKind::RootCause) {
            Some(line) => Finding::new(
                line,
                Rule::RootCause,
                "the root cause section is not filled in",
            ),
            None => Finding::new(1, Rule::RootCause, "no root cause"),
        });
    }
    // An action still written as a placeholder is not one yet: the placeholders rule
    // points at it, and it needs no owner or due date until it says something.
    let actions: Vec<_> = incident
        .actions
        .iter()
        .filter(|a| !a.text.contains("{{") && !is_unfilled(&a.text))
        .collect();
    if rules.contains(Rule::Actions) && actions.is_empty() {
        out.push(match heading(SectionKind::Actions) {
            Some(line) => Finding::new(line, Rule::Actions, "the action items are not filled in"),
            None => Finding::new(1, Rule::Actions, "no action items"),
        });
    }
    for action in actions.into_iter().filter(|a| a.status.is_open()) {
        let what = crate::text::truncate(&crate::text::collapse(&action.text), 60);
        let owned = action.owner.as_deref().is_some_and(|o| !is_unfilled(o));
        if rules.contains(Rule::Owner) && !owned {
            out.push(Finding::new(
                action.line,
                Rule::Owner,
                format!("action has no owner: {what}"),
            ));
        }
        if rules.contains(Rule::Due) && action.due.is_none() {
            out.push(Finding::new(
                action.line,
                Rule::Due,
                format!("action has no due date: {what}"),
            ));
        }
    }
    if rules.contains(Rule::UnambiguousDates) {
        // The extractor warns, at the first such date, when the day/month order of
        // numeric dates could only be inferred; nothing in the document settled it.
        for w in &incident.warnings {
            if w.message.starts_with(INFERRED_ORDER) {
                out.push(Finding::new(
                    w.line,
                    Rule::UnambiguousDates,
                    format!("ambiguous date: {}; write dates as YYYY-MM-DD", w.message),
                ));
            }
        }
    }
    if rules.contains(Rule::Placeholders) {
        placeholders(document, &mut out);
    }
    out.sort_by_key(|f| (f.line, f.rule));
    out
}

/// How the extractor's warning about an inferred day/month order begins.
const INFERRED_ORDER: &str = "numeric dates read as";

/// Every time of day in the timeline needs an offset, which the extractor gives only
/// when the document states the zone; a date-only entry needs none.
fn check_zone(incident: &Incident, out: &mut Vec<Finding>) {
    let unzoned: Vec<_> = incident
        .timeline
        .iter()
        .filter(|e| e.at.time.is_some() && e.at.offset.is_none())
        .collect();
    if let Some(first) = unzoned.first() {
        let more = match unzoned.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        out.push(Finding::new(
            first.line,
            Rule::Zone,
            format!(
                "timeline time '{}' has no time zone{more}: state one for the document \
                 (\"All times are in UTC\") or beside each time",
                crate::text::printable(&first.source_text)
            ),
        ));
    } else if incident.timeline.is_empty() && incident.timezone.is_none() {
        out.push(Finding::new(
            1,
            Rule::Zone,
            "no time zone stated for the timeline (\"All times are in UTC\")",
        ));
    }
}

/// The line of the first heading of this kind.
fn heading_line(document: &Document, kind: SectionKind) -> Option<u32> {
    document.blocks.iter().find_map(|b| match b {
        Block::Heading(h) if sections::classify(&h.text) == Some(kind) => Some(h.line),
        _ => None,
    })
}

/// Text that only holds the place of content: template placeholders (`{{ … }}`,
/// `<describe the impact>`) and "TBD"-style notes.
pub fn is_unfilled(text: &str) -> bool {
    let mut rest = String::with_capacity(text.len());
    let mut s = text;
    while let Some(open) = s.find("{{") {
        rest.push_str(&s[..open]);
        match s[open..].find("}}") {
            Some(close) => s = &s[open + close + 2..],
            None => {
                s = "";
            }
        }
    }
    rest.push_str(s);
    let rest = rest.trim();
    let angle = rest.starts_with('<') && rest.ends_with('>') && !rest[1..].contains('<');
    let words: String = rest
        .chars()
        .filter(|c| c.is_alphanumeric() || c.is_whitespace())
        .collect::<String>()
        .to_ascii_lowercase();
    let words = words.trim();
    angle
        || words.is_empty()
        || matches!(
            words,
            "tbd" | "tba" | "todo" | "tk" | "fixme" | "xxx" | "n a" | "na" | "none" | "unknown"
        )
}

/// Template placeholders left in the text: one finding per line, outside code blocks
/// (a postmortem may quote a Helm or Jinja template).
fn placeholders(document: &Document, out: &mut Vec<Finding>) {
    let meta = &document.meta;
    for value in [&meta.title, &meta.date, &meta.timezone]
        .into_iter()
        .flatten()
    {
        if let Some(p) = placeholder_in(value) {
            out.push(Finding::new(meta.line, Rule::Placeholders, unfilled(p)));
            break;
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut report = |line: u32, text: &str| {
        for (i, row) in text.split('\n').enumerate() {
            let line = line + i as u32;
            if let Some(p) = placeholder_in(row)
                && seen.insert(line)
            {
                out.push(Finding::new(line, Rule::Placeholders, unfilled(p)));
            }
        }
    };
    visit_text(&document.blocks, &mut report);
}

fn unfilled(placeholder: &str) -> String {
    format!(
        "template placeholder not filled in: {}",
        crate::text::printable(&crate::text::truncate(placeholder, 60))
    )
}

/// The first `{{ … }}` in one line of text.
fn placeholder_in(text: &str) -> Option<&str> {
    let open = text.find("{{")?;
    let close = text[open..].find("}}")?;
    Some(&text[open..open + close + 2])
}

/// Calls `f` with every text of the document outside code, and its first line.
fn visit_text(blocks: &[Block], f: &mut impl FnMut(u32, &str)) {
    for block in blocks {
        match block {
            Block::Heading(h) => f(h.line, &h.text),
            Block::Paragraph(p) => f(p.line, &p.text),
            Block::List(l) => {
                for item in &l.items {
                    f(item.line, &item.text);
                    visit_text(&item.children, f);
                }
            }
            Block::Table(t) => {
                for cell in &t.header {
                    f(t.line, cell);
                }
                for row in &t.rows {
                    for cell in &row.cells {
                        f(row.line, cell);
                    }
                }
            }
            Block::Quote(q) => visit_text(&q.blocks, f),
            Block::Code(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_round_trip_and_unknown_names_are_refused() {
        for rule in Rule::ALL {
            assert_eq!(Rule::parse(rule.name()), Some(rule));
        }
        let err = Rules::from_names(&["impact", "root-cause"]).unwrap_err();
        assert_eq!(err.name, "root-cause");
        assert!(err.to_string().contains("root_cause"), "{err}");
        let rules = Rules::from_names(&["due", "impact", "due"]).unwrap();
        assert_eq!(rules, Rules(vec![Rule::Impact, Rule::Due]));
        assert_eq!(Rules::from_names::<&str>(&[]).unwrap(), Rules(vec![]));
    }

    #[test]
    fn placeholders_and_tbd_notes_are_not_content() {
        for text in [
            "{{ who was affected and how }}",
            " {{ a }} {{ b }} ",
            "<describe the impact>",
            "TBD",
            "TODO.",
            "N/A",
            "",
        ] {
            assert!(is_unfilled(text), "{text:?}");
        }
        for text in [
            "About 3% of checkouts failed.",
            "Checkouts failed {{ for how long }}",
            "<b>bold</b> and <i>more</i>",
            "Unknown yet, but at least 40 customers",
        ] {
            assert!(!is_unfilled(text), "{text:?}");
        }
    }

    #[test]
    fn a_placeholder_is_found_on_its_own_line_of_a_paragraph() {
        assert_eq!(
            placeholder_in("due: {{ YYYY-MM-DD }})"),
            Some("{{ YYYY-MM-DD }}")
        );
        assert_eq!(placeholder_in("no {{ close"), None);
        let mut lines = Vec::new();
        visit_text(
            &[Block::Paragraph(crate::ingest::document::Paragraph {
                text: "first\nsecond {{ x }}".into(),
                line: 10,
            })],
            &mut |line, text| {
                lines.extend(
                    text.split('\n')
                        .enumerate()
                        .filter_map(|(i, t)| placeholder_in(t).map(|_| line + i as u32)),
                )
            },
        );
        assert_eq!(lines, [11]);
    }
}
