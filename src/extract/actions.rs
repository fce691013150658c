//! Follow-up actions: items of action sections (bullets, task lists, tables, paragraphs
//! that state an intent such as "We are going to ..."), task-list items anywhere, with
//! status markers, group labels ("Planned:", "Done:"), owners, due dates, tickets,
//! priority and type.
//!
//! Invariant: an action's id depends only on the incident slug and the action's
//! normalised text, so it survives edits elsewhere in the file; ids are unique within
//! one incident.

use super::sections::{Outline, Section, SectionKind};
use super::sentences;
use super::timestamp::{self, DatePart};
use crate::ingest::document::{Block, Link, ListItem, Table};
use crate::model::{Action, ActionStatus, Slug};
use jiff::civil::Date;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

const MAX_ACTION_TEXT: usize = 300;
const MAX_DETAILS: usize = 2000;

/// Everything the action pass needs besides the outline.
pub struct ActionContext<'a> {
    pub slug: &'a Slug,
    pub links: &'a [Link],
    /// Lines that belong to status-page updates, not to actions.
    pub skip_lines: &'a HashSet<u32>,
    /// Year for due dates written without one.
    pub year: Option<i16>,
}

/// An action before its id is assigned.
struct Draft {
    text: String,
    status: ActionStatus,
    owner: Option<String>,
    due: Option<Date>,
    ticket: Option<String>,
    priority: Option<String>,
    kind: Option<String>,
    details: Option<String>,
    line: u32,
}

/// Extracts the document's actions.
pub fn extract(outline: &Outline<'_>, ctx: &ActionContext<'_>) -> Vec<Action> {
    let mut drafts = Vec::new();
    for section in &outline.sections {
        if section.kind == SectionKind::Actions {
            action_section(section, ctx, &mut drafts);
        } else {
            // Checklists are to-dos wherever they stand.
            for block in &section.blocks {
                if let Block::List(list) = block {
                    for item in list.items.iter().filter(|i| i.task.is_some()) {
                        drafts.push(from_item(item, None, ctx));
                    }
                }
            }
        }
    }
    assign_ids(drafts, ctx.slug)
}

fn action_section(section: &Section<'_>, ctx: &ActionContext<'_>, out: &mut Vec<Draft>) {
    // A heading that is itself a group label ("### Done") sets the status below it.
    let heading_status = section.heading.and_then(|h| group_label(&h.text));
    let has_items = section
        .blocks
        .iter()
        .any(|b| matches!(b, Block::List(_) | Block::Table(_)));
    for (i, block) in section.blocks.iter().enumerate() {
        match block {
            Block::List(list) => {
                let lead_in = i
                    .checked_sub(1)
                    .and_then(|j| section.blocks.get(j))
                    .and_then(|b| match b {
                        Block::Paragraph(p) => Some(p.text.to_lowercase()),
                        _ => None,
                    });
                // "The key factors behind this incident are:" introduces causes, not
                // things to do.
                if lead_in.as_deref().is_some_and(introduces_non_actions) {
                    continue;
                }
                for item in &list.items {
                    list_item(item, heading_status, ctx, out);
                }
            }
            Block::Table(table) => table_actions(table, ctx, out),
            Block::Paragraph(p) => {
                if ctx.skip_lines.contains(&p.line) || p.text.trim_end().ends_with(':') {
                    continue;
                }
                let lower = p.text.to_lowercase();
                let intent = if has_items {
                    starts_with_intent(&lower)
                } else {
                    states_intent(&lower)
                };
                if intent {
                    out.push(from_paragraph(&p.text, p.line, heading_status, ctx));
                }
            }
            _ => {}
        }
    }
}

fn list_item(
    item: &ListItem,
    inherited: Option<ActionStatus>,
    ctx: &ActionContext<'_>,
    out: &mut Vec<Draft>,
) {
    // "Planned:" / "In Progress:" / "Done:" with a sub-list: the sub-items are the
    // actions and take the label's status.
    if let Some(status) = group_label(&item.text) {
        let mut any = false;
        for child in &item.children {
            if let Block::List(sub) = child {
                for sub_item in &sub.items {
                    list_item(sub_item, Some(status), ctx, out);
                    any = true;
                }
            }
        }
        if any {
            return;
        }
    }
    out.push(from_item(item, inherited, ctx));
}

fn from_item(item: &ListItem, inherited: Option<ActionStatus>, ctx: &ActionContext<'_>) -> Draft {
    let last_line = item.line + item.text.matches('\n').count() as u32;
    let mut text = strip_link_labels(&item.text, ctx.links, item.line, last_line);
    let mut details = children_text(&item.children);
    // A short label with its explanation underneath ("Dual Authorizations" / "Any
    // major reconfiguration will require ..."): the action reads as both.
    if text.split_whitespace().count() <= 4
        && !text.contains('.')
        && let Some(first) = first_child(&item.children)
    {
        text = format!("{}: {}", text.trim().trim_end_matches(':'), first);
        details = children_text_after_first(&item.children);
    } else if text.trim_end().ends_with(':')
        && let Some(Block::List(sub)) = item.children.iter().find(|b| matches!(b, Block::List(_)))
    {
        // "Determine whether we could change anything to:" reads only with its sub-items.
        let parts: Vec<String> = sub
            .items
            .iter()
            .map(|i| sentences::collapse(&i.text))
            .collect();
        text = format!("{} {}", text.trim_end(), parts.join("; "));
    }
    let mut draft = parse_action_text(&text, item.line, ctx);
    if let Some(checked) = item.task {
        draft.status = if checked {
            ActionStatus::Done
        } else {
            ActionStatus::Open
        };
    }
    if draft.status == ActionStatus::Unknown
        && let Some(s) = inherited
    {
        draft.status = s;
    }
    if draft.ticket.is_none() {
        draft.ticket = ticket_link(
            ctx.links,
            item.line,
            item.line + item.text.matches('\n').count() as u32,
        );
    }
    draft.details = details.map(|d| sentences::truncate(&d, MAX_DETAILS));
    draft
}

fn from_paragraph(
    text: &str,
    line: u32,
    inherited: Option<ActionStatus>,
    ctx: &ActionContext<'_>,
) -> Draft {
    let sents = sentences::split(text);
    let first = sents.first().map_or(text, |(_, s)| *s);
    let mut draft = parse_action_text(first, line, ctx);
    let rest: Vec<&str> = sents.iter().skip(1).map(|(_, s)| *s).collect();
    if !rest.is_empty() {
        draft.details = Some(sentences::truncate(
            &sentences::collapse(&rest.join(" ")),
            MAX_DETAILS,
        ));
    }
    // Sentences after the first can report progress ("we have already implemented
    // and deployed this").
    if draft.status == ActionStatus::Unknown
        && let Some(s) = inherited
    {
        draft.status = s;
    }
    draft
}

fn table_actions(table: &Table, ctx: &ActionContext<'_>, out: &mut Vec<Draft>) {
    let col = |names: &[&str]| {
        table.header.iter().position(|h| {
            let h = h.to_lowercase();
            names
                .iter()
                .any(|n| h.split(|c: char| !c.is_alphanumeric()).any(|w| w == *n))
        })
    };
    let owner = col(&[
        "owner",
        "owners",
        "assignee",
        "assigned",
        "who",
        "responsible",
        "dri",
    ]);
    let due = col(&["due", "deadline", "eta", "target", "by"]);
    let status = col(&["status", "state", "done", "progress"]);
    let ticket = col(&["ticket", "bug", "issue", "jira", "link", "tracking", "pr"]);
    let priority = col(&["priority", "prio", "severity", "p"]);
    let kind = col(&["type", "kind", "category"]);
    let used: Vec<usize> = [owner, due, status, ticket, priority, kind]
        .into_iter()
        .flatten()
        .collect();
    let text_col = col(&[
        "action",
        "actions",
        "item",
        "task",
        "description",
        "what",
        "todo",
        "summary",
        "title",
    ])
    .or_else(|| (0..table.header.len().max(1)).find(|i| !used.contains(i)))
    .unwrap_or(0);
    for row in &table.rows {
        let cell = |c: Option<usize>| {
            c.and_then(|i| row.cells.get(i))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty() && !matches!(*s, "-" | "—" | "n/a" | "N/A" | "?"))
        };
        let Some(text) = cell(Some(text_col)) else {
            continue;
        };
        let mut draft = parse_action_text(text, row.line, ctx);
        if let Some(o) = cell(owner) {
            draft.owner = Some(clean_owner(o));
        }
        if let Some(d) = cell(due).and_then(|d| parse_due(d, ctx.year)) {
            draft.due = Some(d);
        }
        if let Some(s) = cell(status).and_then(status_word) {
            draft.status = s;
        }
        if let Some(t) = cell(ticket) {
            draft.ticket = Some(find_ticket(t).unwrap_or_else(|| t.to_string()));
        }
        if let Some(p) = cell(priority) {
            draft.priority = Some(p.to_string());
        }
        if let Some(k) = cell(kind) {
            draft.kind = action_kind(k).or_else(|| Some(k.to_lowercase()));
        }
        if draft.ticket.is_none() {
            draft.ticket = ticket_link(ctx.links, row.line, row.line);
        }
        out.push(draft);
    }
}

/// Reads status markers, owner, due date, ticket, priority and type out of an
/// action's text; what remains is the action's text.
fn parse_action_text(raw: &str, line: u32, ctx: &ActionContext<'_>) -> Draft {
    let mut text = sentences::collapse(raw);
    let mut status = ActionStatus::Unknown;
    if let Some((s, rest)) = leading_marker(&text) {
        status = s;
        text = rest;
    }
    if let Some((s, rest)) = trailing_marker(&text) {
        status = s;
        text = rest;
    }
    let owner = find_owner(&text);
    let due = find_due(&text, ctx.year);
    let ticket = find_ticket(&text);
    let priority = find_priority(&text);
    let kind = bracket_kind(&text);
    Draft {
        text: sentences::truncate(text.trim(), MAX_ACTION_TEXT),
        status,
        owner,
        due,
        ticket,
        priority,
        kind,
        details: None,
        line,
    }
}

/// `[DONE]`, `[IN PROGRESS]`, `TODO:`, `DONE -`, `✅` at the start of the text.
fn leading_marker(text: &str) -> Option<(ActionStatus, String)> {
    let t = text.trim_start();
    for (glyph, status) in [
        ("✅", ActionStatus::Done),
        ("✔", ActionStatus::Done),
        ("☑", ActionStatus::Done),
        ("☐", ActionStatus::Open),
        ("❌", ActionStatus::Wontfix),
        ("🚧", ActionStatus::InProgress),
    ] {
        if let Some(rest) = t.strip_prefix(glyph) {
            return Some((status, rest.trim_start().to_string()));
        }
    }
    if let Some(inner) = t.strip_prefix('[').or_else(|| t.strip_prefix('(')) {
        let close = inner.find([']', ')'])?;
        let status = status_word(&inner[..close])?;
        return Some((
            status,
            inner[close + 1..]
                .trim_start_matches([':', '-', ' '])
                .to_string(),
        ));
    }
    let word_end = t.find([':', '-', '–']).filter(|i| *i <= 12)?;
    let status = status_word(&t[..word_end]).filter(|_| {
        t[..word_end]
            .trim()
            .chars()
            .all(|c| c.is_uppercase() || c == ' ')
    })?;
    Some((
        status,
        t[word_end + 1..]
            .trim_start_matches([':', '-', ' '])
            .to_string(),
    ))
}

/// `(done)`, `(DONE)`, `[in progress]`, `✅` at the end of the text.
fn trailing_marker(text: &str) -> Option<(ActionStatus, String)> {
    let t = text.trim_end();
    for (glyph, status) in [
        ("✅", ActionStatus::Done),
        ("✔", ActionStatus::Done),
        ("❌", ActionStatus::Wontfix),
    ] {
        if let Some(rest) = t.strip_suffix(glyph) {
            return Some((status, rest.trim_end().to_string()));
        }
    }
    let closing = t.chars().last()?;
    let opening = match closing {
        ')' => '(',
        ']' => '[',
        _ => return None,
    };
    let open = t.rfind(opening)?;
    let status = status_word(&t[open + 1..t.len() - 1])?;
    Some((
        status,
        t[..open]
            .trim_end()
            .trim_end_matches([',', '-', ':'])
            .trim_end()
            .to_string(),
    ))
}

/// Status words of markers, columns and group labels.
fn status_word(word: &str) -> Option<ActionStatus> {
    let w = word
        .trim()
        .trim_end_matches([':', '.'])
        .to_lowercase()
        .replace(['_', '-'], " ");
    Some(match w.trim() {
        "done" | "complete" | "completed" | "closed" | "fixed" | "resolved" | "finished"
        | "shipped" | "deployed" | "yes" | "x" => ActionStatus::Done,
        "in progress" | "inprogress" | "wip" | "ongoing" | "started" | "in review" | "doing"
        | "underway" | "in flight" => ActionStatus::InProgress,
        "todo" | "to do" | "open" | "planned" | "not started" | "pending" | "new" | "backlog"
        | "proposed" | "no" => ActionStatus::Open,
        "wontfix" | "won't fix" | "wont fix" | "will not fix" | "cancelled" | "canceled"
        | "dropped" | "rejected" | "abandoned" => ActionStatus::Wontfix,
        _ => return None,
    })
}

/// "Planned:", "In Progress:", "Done" as a label over a group of actions.
fn group_label(text: &str) -> Option<ActionStatus> {
    let t = text.trim();
    if t.split_whitespace().count() > 3 {
        return None;
    }
    status_word(t)
}

fn introduces_non_actions(lead_in: &str) -> bool {
    let t = lead_in.trim_end();
    t.ends_with(':')
        && [
            "factor",
            "cause",
            "reason",
            "contributed",
            "went well",
            "went wrong",
            "lesson",
        ]
        .iter()
        .any(|w| t.contains(w))
}

/// Paragraph openings that make the paragraph an action ("We are going to ...").
const INTENT_OPENINGS: &[&str] = &[
    "we are going to",
    "we're going to",
    "we will",
    "we'll",
    "we plan to",
    "we are planning",
    "we're planning",
    "we intend to",
    "we need to",
    "we must",
    "we should",
    "going forward",
    "in the future, we",
    "we are working on",
    "we're working on",
    "we have started",
    "we are adding",
    "we are implementing",
    "we are investigating",
];

/// Intent anywhere in a paragraph, for action sections written as prose.
const INTENT_ANYWHERE: &[&str] = &[
    "going to",
    " will ",
    "plan to",
    "planning to",
    "planned to",
    "scheduled to",
    "need to",
    "needs to",
    " must ",
    "should",
    "intend to",
    "working on",
];

fn starts_with_intent(lower: &str) -> bool {
    INTENT_OPENINGS
        .iter()
        .any(|p| lower.trim_start().starts_with(p))
}

fn states_intent(lower: &str) -> bool {
    let first = sentences::split(lower)
        .first()
        .map_or(String::new(), |(_, s)| format!(" {s} "));
    starts_with_intent(lower) || INTENT_ANYWHERE.iter().any(|p| first.contains(p))
}

/// `@name`, "owner: Name", "(owner Name)", "assigned to Name".
fn find_owner(text: &str) -> Option<String> {
    if let Some(at) = text.find('@') {
        let before = text[..at].chars().last();
        if before.is_none_or(|c| c.is_whitespace() || c == '(' || c == ',') {
            let name: String = text[at + 1..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'))
                .collect();
            let name = name.trim_end_matches('.');
            if !name.is_empty() && !text[at + 1..].starts_with(|c: char| c.is_ascii_digit()) {
                return Some(format!("@{name}"));
            }
        }
    }
    for label in [
        "owner:",
        "owner -",
        "owners:",
        "owner ",
        "assigned to ",
        "assignee:",
        "responsible:",
        "dri:",
    ] {
        if let Some(pos) = sentences::find_ignore_case(text, label, 0) {
            let start = pos + label.len();
            let value: String = text[start..]
                .trim_start()
                .chars()
                .take_while(|c| !matches!(c, ',' | ';' | ')' | ']' | '|' | '\n'))
                .collect();
            let value = clean_owner(value.trim());
            let words = value.split_whitespace().count();
            if (1..=4).contains(&words) {
                return Some(value);
            }
        }
    }
    None
}

fn clean_owner(s: &str) -> String {
    let s = s.trim().trim_matches(['*', '_', '`']).trim_end_matches('.');
    sentences::truncate(s, 80)
}

/// "due 2021-09-30", "by 2021-09-30", "deadline: Oct 1".
fn find_due(text: &str, year: Option<i16>) -> Option<Date> {
    for label in [
        "due date:",
        "due:",
        "due by",
        "due on",
        "due ",
        "deadline:",
        "deadline ",
        "eta:",
        "eta ",
        "by ",
    ] {
        let mut from = 0;
        while let Some(pos) = sentences::find_ignore_case(text, label, from) {
            let start = pos + label.len();
            from = start;
            if pos > 0 && text.as_bytes()[pos - 1].is_ascii_alphanumeric() {
                continue;
            }
            let window: String = text[start..].chars().take(30).collect();
            if let Some(found) = timestamp::find(window.trim_start())
                .into_iter()
                .find(|f| f.start < 3)
                && let Some(part) = found.date
                && let Some(d) = date_of(part, year)
            {
                return Some(d);
            }
        }
    }
    None
}

fn parse_due(text: &str, year: Option<i16>) -> Option<Date> {
    timestamp::parse_date(text)
        .and_then(|p| date_of(p, year))
        .or_else(|| {
            timestamp::find(text)
                .into_iter()
                .find_map(|f| f.date.and_then(|p| date_of(p, year)))
        })
}

/// Due dates: ISO order for numeric dates unless a part says otherwise.
fn date_of(part: DatePart, year: Option<i16>) -> Option<Date> {
    match part {
        DatePart::Full(d) => Some(d),
        DatePart::MonthDay { month, day } => Date::new(year?, month, day).ok(),
        DatePart::Numeric {
            first,
            second,
            year: y,
        } => {
            let y = y.or(year)?;
            let (m, d) = if first > 12 {
                (second, first)
            } else {
                (first, second)
            };
            Date::new(y, m, d).ok()
        }
    }
}

/// Ticket ids (`OPS-1234`, `OTG0150847`, `#123`) or issue links written in the text.
fn find_ticket(text: &str) -> Option<String> {
    for word in
        text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | ',' | ';'))
    {
        let w = word.trim_end_matches(['.', ':']);
        if w.starts_with("http://") || w.starts_with("https://") {
            if looks_like_ticket_url(w) {
                return Some(w.to_string());
            }
            continue;
        }
        if is_ticket_id(w) {
            return Some(w.to_string());
        }
    }
    None
}

/// `ABC-123` (Jira style), `OTG0150847` (letters then 4+ digits), `#123` (issue number).
pub fn is_ticket_id(w: &str) -> bool {
    if let Some(num) = w.strip_prefix('#') {
        return (1..=7).contains(&num.len()) && num.chars().all(|c| c.is_ascii_digit());
    }
    let letters = w.chars().take_while(|c| c.is_ascii_uppercase()).count();
    if !(2..=10).contains(&letters) {
        return false;
    }
    let rest = &w[letters..];
    if let Some(num) = rest.strip_prefix('-') {
        return (1..=8).contains(&num.len()) && num.chars().all(|c| c.is_ascii_digit());
    }
    (4..=10).contains(&rest.len()) && rest.chars().all(|c| c.is_ascii_digit())
}

fn looks_like_ticket_url(url: &str) -> bool {
    [
        "/issues/",
        "/pull/",
        "/merge_requests/",
        "/browse/",
        "/ticket",
        "/tickets/",
        "show_bug",
        "/bugs/",
        "/-/issues/",
    ]
    .iter()
    .any(|p| url.contains(p))
}

/// "Keep our own apt mirror Issue": the visible text of a trailing ticket link is a
/// label, not part of the action.
fn strip_link_labels(text: &str, links: &[Link], first: u32, last: u32) -> String {
    let mut out = text.trim_end().to_string();
    for link in links
        .iter()
        .filter(|l| l.line >= first && l.line <= last && looks_like_ticket_url(&l.target))
    {
        if link.text.is_empty() || link.text.split_whitespace().count() > 3 {
            continue;
        }
        if let Some(rest) = out.strip_suffix(link.text.as_str())
            && rest.ends_with(char::is_whitespace)
        {
            out = rest.trim_end().to_string();
        }
    }
    out
}

/// An issue link on the action's lines, when the text itself names no ticket.
fn ticket_link(links: &[Link], first: u32, last: u32) -> Option<String> {
    links
        .iter()
        .filter(|l| l.line >= first && l.line <= last)
        .find(|l| looks_like_ticket_url(&l.target))
        .map(|l| l.target.clone())
}

fn find_priority(text: &str) -> Option<String> {
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if word.len() == 2
            && word.starts_with('P')
            && word[1..].chars().all(|c| ('0'..='4').contains(&c))
        {
            return Some(word.to_string());
        }
    }
    let lower = text.to_lowercase();
    for level in ["high", "medium", "low", "critical"] {
        if lower.contains(&format!("{level} priority"))
            || lower.contains(&format!("priority: {level}"))
        {
            return Some(level.to_string());
        }
    }
    None
}

fn bracket_kind(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    ["mitigate", "prevent", "detect", "process"]
        .iter()
        .find(|k| {
            lower.contains(&format!("[{k}]"))
                || lower.contains(&format!("({k})"))
                || lower.contains(&format!("type: {k}"))
        })
        .map(|k| k.to_string())
}

fn action_kind(text: &str) -> Option<String> {
    let lower = text.to_lowercase();
    [
        ("mitigat", "mitigate"),
        ("prevent", "prevent"),
        ("detect", "detect"),
        ("process", "process"),
        ("repair", "mitigate"),
    ]
    .iter()
    .find(|(stem, _)| lower.contains(stem))
    .map(|(_, k)| k.to_string())
}

fn first_child(children: &[Block]) -> Option<String> {
    children.iter().find_map(|b| match b {
        Block::Paragraph(p) => Some(sentences::collapse(&p.text)),
        Block::List(l) => l.items.first().map(|i| sentences::collapse(&i.text)),
        _ => None,
    })
}

fn children_text(children: &[Block]) -> Option<String> {
    let mut parts = Vec::new();
    for b in children {
        collect_text(b, &mut parts);
    }
    (!parts.is_empty()).then(|| parts.join("\n"))
}

fn children_text_after_first(children: &[Block]) -> Option<String> {
    let mut parts = Vec::new();
    for b in children {
        collect_text(b, &mut parts);
    }
    (parts.len() > 1).then(|| parts[1..].join("\n"))
}

fn collect_text(block: &Block, parts: &mut Vec<String>) {
    match block {
        Block::Paragraph(p) => parts.push(sentences::collapse(&p.text)),
        Block::List(l) => {
            for item in &l.items {
                parts.push(format!("- {}", sentences::collapse(&item.text)));
                for c in &item.children {
                    collect_text(c, parts);
                }
            }
        }
        Block::Code(c) => parts.push(c.text.clone()),
        Block::Quote(q) => {
            for b in &q.blocks {
                collect_text(b, parts);
            }
        }
        Block::Heading(h) => parts.push(h.text.clone()),
        Block::Table(t) => {
            for r in &t.rows {
                parts.push(r.cells.join(" | "));
            }
        }
    }
}

/// Lowercase words only: markup, punctuation and markers do not change an action's id.
pub fn normalise(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The stable id of an action: a short hash of the incident slug and normalised text.
pub fn action_id(slug: &Slug, text: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(slug.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(normalise(text).as_bytes());
    let digest = hasher.finalize();
    digest[..6].iter().map(|b| format!("{b:02x}")).collect()
}

/// Ids for a list of action texts: the same text twice in one document (two incidents
/// in one report) still gives distinct, stable ids, the second occurrence numbered.
fn numbered_ids<'a>(texts: impl Iterator<Item = &'a str>, slug: &Slug) -> Vec<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    texts
        .map(|text| {
            let base = action_id(slug, text);
            let n = counts.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 { base } else { format!("{base}-{n}") }
        })
        .collect()
}

/// Recomputes action ids after the incident had to take another slug.
pub fn rekey(actions: &mut [Action], slug: &Slug) {
    let ids = numbered_ids(actions.iter().map(|a| a.text.as_str()), slug);
    for (action, id) in actions.iter_mut().zip(ids) {
        action.id = id;
    }
}

fn assign_ids(drafts: Vec<Draft>, slug: &Slug) -> Vec<Action> {
    let drafts: Vec<Draft> = drafts
        .into_iter()
        .filter(|d| !normalise(&d.text).is_empty())
        .collect();
    let ids = numbered_ids(drafts.iter().map(|d| d.text.as_str()), slug);
    drafts
        .into_iter()
        .zip(ids)
        .map(|(d, id)| Action {
            id,
            text: d.text,
            status: d.status,
            owner: d.owner,
            due: d.due,
            ticket: d.ticket,
            priority: d.priority,
            kind: d.kind,
            details: d.details,
            line: d.line,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(slug: &'a Slug, skip: &'a HashSet<u32>) -> ActionContext<'a> {
        ActionContext {
            slug,
            links: &[],
            skip_lines: skip,
            year: Some(2024),
        }
    }

    #[test]
    fn markers_set_status_and_leave_the_text() {
        let slug = Slug::parse("x").unwrap();
        let skip = HashSet::new();
        let c = ctx(&slug, &skip);
        let d = parse_action_text("[DONE] Adding monitoring for specific log entries.", 1, &c);
        assert_eq!(d.status, ActionStatus::Done);
        assert_eq!(d.text, "Adding monitoring for specific log entries.");
        let d = parse_action_text("[IN PROGRESS] Investigation of a leak", 1, &c);
        assert_eq!(d.status, ActionStatus::InProgress);
        let d = parse_action_text("Stop the bleeding (done)", 1, &c);
        assert_eq!(
            (d.status, d.text.as_str()),
            (ActionStatus::Done, "Stop the bleeding")
        );
        let d = parse_action_text("TODO: write runbook", 1, &c);
        assert_eq!(
            (d.status, d.text.as_str()),
            (ActionStatus::Open, "write runbook")
        );
        let d = parse_action_text("Rotate keys ✅", 1, &c);
        assert_eq!(d.status, ActionStatus::Done);
    }

    #[test]
    fn owners_due_dates_and_tickets_are_read_from_text() {
        let slug = Slug::parse("x").unwrap();
        let skip = HashSet::new();
        let c = ctx(&slug, &skip);
        let d = parse_action_text("Add alerting @jdoe due 2024-09-30 (OPS-1234)", 1, &c);
        assert_eq!(d.owner.as_deref(), Some("@jdoe"));
        assert_eq!(d.due.map(|d| d.to_string()).as_deref(), Some("2024-09-30"));
        assert_eq!(d.ticket.as_deref(), Some("OPS-1234"));
        let d = parse_action_text("Fix DNS (owner: Ann Lee)", 1, &c);
        assert_eq!(d.owner.as_deref(), Some("Ann Lee"));
        let d = parse_action_text("see https://github.com/o/r/issues/198", 1, &c);
        assert_eq!(
            d.ticket.as_deref(),
            Some("https://github.com/o/r/issues/198")
        );
    }

    #[test]
    fn ticket_ids_have_a_shape() {
        assert!(is_ticket_id("OTG0150847"));
        assert!(is_ticket_id("OPS-12"));
        assert!(is_ticket_id("#42"));
        assert!(!is_ticket_id("UTC"));
        assert!(!is_ticket_id("HTTP-"));
        assert!(!is_ticket_id("2019"));
    }

    #[test]
    fn ids_ignore_markup_and_case_but_not_words() {
        let slug = Slug::parse("inc").unwrap();
        assert_eq!(
            action_id(&slug, "Add **alerting**."),
            action_id(&slug, "add alerting")
        );
        assert_ne!(
            action_id(&slug, "add alerting"),
            action_id(&slug, "add paging")
        );
        let other = Slug::parse("other").unwrap();
        assert_ne!(
            action_id(&slug, "add alerting"),
            action_id(&other, "add alerting")
        );
    }

    #[test]
    fn intent_paragraphs_are_recognised() {
        assert!(starts_with_intent(
            "we are going to revisit the rollout process."
        ));
        assert!(states_intent(
            "it is also worth noting that we are planning to retire dds."
        ));
        assert!(!states_intent("kafka does not use multicast traffic."));
    }
}
