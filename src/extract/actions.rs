//! Follow-up actions: items of action sections (bullets, task lists, tables, paragraphs
//! that state an intent such as "We are going to ..."), task-list items and "Action
//! point:" lines anywhere, and, in documents with no action section, the sentences
//! that commit to follow-up work ("We will conduct a full postmortem"). Each action
//! carries its status (markers, group labels, lead-ins, its own tense; see `status`),
//! owner (`Owner:` fields, `@name`, a leading `[Team]` tag, a trailing "— ana"), due
//! date, ticket, priority and type.
//!
//! Invariant: an action's id depends only on the incident slug and the action's
//! normalised text, so it survives edits elsewhere in the file; ids are unique within
//! one incident. Legends, placeholders, notes about finishing the report and
//! suggestions the document rejects are never actions.

mod status;

use super::sections::{self, Outline, Part, SectionKind};
use super::sentences;
use super::timestamp::{self, DatePart};
use crate::ingest::document::{Block, Link, ListItem, Table};
use crate::model::action_ids::{id_of_normalised, normalise, number_ids};
use crate::model::{Action, ActionStatus, Slug};
use jiff::civil::Date;
use status::{group_label, leading_marker, status_word, trailing_marker};
use std::collections::HashSet;

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
    /// What took the text as an action ("a list item of an action section").
    source: &'static str,
    /// Where the status came from; empty while it is unknown.
    status_from: &'static str,
}

impl Draft {
    /// Sets the status when `status` is known, with the reason.
    fn set_status(&mut self, status: Option<ActionStatus>, from: &'static str) {
        if let Some(status) = status {
            self.status = status;
            self.status_from = from;
        }
    }

    /// The rule shown by `parse --explain` and on the incident page.
    fn rule(&self) -> String {
        let status = if self.status_from.is_empty() {
            "none stated"
        } else {
            self.status_from
        };
        format!("{}; status: {status}", self.source)
    }
}

/// Statuses an action takes when its own text carries no marker: a group label or
/// heading ("Completed", "In Progress:") wins over the action's own tense; the lead-in
/// before its list ("We have done the following:") does not.
#[derive(Clone, Copy, Default)]
struct Inherited {
    /// The status of the group, and what gave it.
    group: Option<(ActionStatus, &'static str)>,
    lead: Option<ActionStatus>,
}

impl Inherited {
    /// Gives an action with no status of its own the group's, its tense's or the
    /// lead-in's, in that order.
    fn apply(self, draft: &mut Draft) {
        if draft.status != ActionStatus::Unknown {
            return;
        }
        if let Some((status, from)) = self.group {
            draft.set_status(Some(status), from);
        } else if let Some(s) = status::from_tense(&draft.text) {
            draft.set_status(Some(s), "the tense of its text");
        } else {
            draft.set_status(self.lead, "the sentence that introduces its list");
        }
    }
}

/// Extracts the document's actions.
pub fn extract(outline: &Outline<'_>, ctx: &ActionContext<'_>) -> Vec<Action> {
    let mut drafts = Vec::new();
    let mut has_action_section = false;
    for section in &outline.sections {
        for part in sections::parts(section) {
            if part.kind == SectionKind::Actions {
                has_action_section = true;
                action_part(&part, ctx, &mut drafts);
            } else {
                other_part(&part, ctx, &mut drafts);
            }
        }
    }
    if !has_action_section {
        commitments(outline, ctx, &mut drafts);
        drafts.sort_by_key(|d| d.line);
    }
    assign_ids(drafts, ctx.slug)
}

fn action_part(part: &Part<'_>, ctx: &ActionContext<'_>, out: &mut Vec<Draft>) {
    // "Review checklist", "Before publishing": the steps of writing the report, even
    // under the action items.
    if part.label.is_some_and(is_report_process) {
        return;
    }
    // A heading that is itself a group label ("### Completed") or a lead-in ("We will
    // also:") sets the status below it.
    let group = part.label.and_then(|l| {
        heading_status(l)
            .map(|s| (s, "the heading above it"))
            .or_else(|| status::lead_in(l).map(|s| (s, "the lead-in above it")))
    });
    let has_items = part
        .blocks
        .iter()
        .any(|b| matches!(b.as_ref(), Block::List(_) | Block::Table(_)));
    for (i, block) in part.blocks.iter().enumerate() {
        let previous = i
            .checked_sub(1)
            .and_then(|j| part.blocks.get(j))
            .and_then(|b| match b.as_ref() {
                Block::Paragraph(p) => Some(p.text.as_str()),
                _ => None,
            });
        match block.as_ref() {
            Block::List(list) => {
                // "The key factors behind this incident are:" introduces causes, not
                // things to do; "P1 - before the next release" lists are legends.
                if previous.is_some_and(|p| introduces_non_actions(&p.to_lowercase()))
                    || is_legend(&list.items)
                {
                    continue;
                }
                let inherited = Inherited {
                    group,
                    lead: previous.and_then(status::lead_in),
                };
                for item in &list.items {
                    list_item(item, inherited, ctx, out);
                }
            }
            Block::Table(table) => table_actions(table, group, ctx, out),
            Block::Paragraph(p) => {
                if ctx.skip_lines.contains(&p.line) || p.text.trim_end().ends_with(':') {
                    continue;
                }
                // "Action items" followed only by a link to the tracker: the link is
                // where the actions are.
                if !has_items && is_bare_link(&p.text) {
                    let mut draft = parse_action_text(&p.text, p.line, ctx);
                    draft.source = "a link to the tracker under an action heading";
                    out.push(draft);
                    continue;
                }
                if marked_lines(&p.text, p.line, group, ctx, out) {
                    continue;
                }
                let labelled = action_label(&p.text);
                let text = labelled.unwrap_or(&p.text);
                let lower = text.to_lowercase();
                let intent = labelled.is_some()
                    || if has_items {
                        starts_with_intent(&lower)
                    } else {
                        states_intent(&lower)
                    };
                if intent {
                    let before = out.len();
                    from_paragraph(text, p.line, group, ctx, out);
                    for draft in &mut out[before..] {
                        draft.source = "a paragraph of an action section that states an intent";
                    }
                }
            }
            _ => {}
        }
    }
}

/// Outside action sections: checklists (to-dos wherever they stand) and "Action
/// point: ..." lines.
fn other_part(part: &Part<'_>, ctx: &ActionContext<'_>, out: &mut Vec<Draft>) {
    let narrative = part.kind != SectionKind::Timeline;
    let report_checklist = part.label.is_some_and(is_report_process);
    for (i, block) in part.blocks.iter().enumerate() {
        match block.as_ref() {
            Block::List(list) => {
                for item in &list.items {
                    if item.task.is_some() {
                        if !report_checklist && !about_the_report(&item.text) {
                            let mut draft = from_item(item, Inherited::default(), ctx);
                            draft.source = "a checklist item outside the action sections";
                            out.push(draft);
                        }
                    } else if narrative && action_label(&item.text).is_some() {
                        let mut draft = from_item(item, Inherited::default(), ctx);
                        draft.source = "an item labelled \"Action:\"";
                        if draft.status == ActionStatus::Unknown
                            && item.children.iter().any(reports_done)
                        {
                            draft.set_status(
                                Some(ActionStatus::Done),
                                "the line under it reports it done",
                            );
                        }
                        out.push(draft);
                    }
                }
            }
            Block::Paragraph(p) if narrative && !ctx.skip_lines.contains(&p.line) => {
                let Some(value) = action_label(&p.text) else {
                    continue;
                };
                let before = out.len();
                from_paragraph(value, p.line, None, ctx, out);
                let done_after = part
                    .blocks
                    .get(i + 1)
                    .is_some_and(|next| reports_done(next.as_ref()));
                for draft in &mut out[before..] {
                    draft.source = "a line labelled \"Action point:\"";
                    // "Action point: create a list." followed by "This has been done."
                    if done_after && draft.status == ActionStatus::Unknown {
                        draft.set_status(
                            Some(ActionStatus::Done),
                            "the paragraph after it reports it done",
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

fn list_item(item: &ListItem, inherited: Inherited, ctx: &ActionContext<'_>, out: &mut Vec<Draft>) {
    // "Planned:" / "In Progress:" / "Done:" with a sub-list: the sub-items are the
    // actions and take the label's status.
    if let Some(status) = group_label(&item.text) {
        let mut any = false;
        let inner = Inherited {
            group: Some((status, "the group label above it")),
            ..inherited
        };
        for child in &item.children {
            if let Block::List(sub) = child {
                for sub_item in &sub.items {
                    list_item(sub_item, inner, ctx, out);
                    any = true;
                }
            }
        }
        if any {
            return;
        }
    }
    let mut draft = from_item(item, inherited, ctx);
    draft.source = "an item of a list in an action section";
    out.push(draft);
}

fn from_item(item: &ListItem, inherited: Inherited, ctx: &ActionContext<'_>) -> Draft {
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
        let status = if checked {
            ActionStatus::Done
        } else {
            ActionStatus::Open
        };
        draft.set_status(Some(status), "its checkbox");
    } else {
        inherited.apply(&mut draft);
    }
    if draft.ticket.is_none() {
        draft.ticket = ticket_link(ctx.links, item.line, last_line);
    }
    draft.details = details.map(|d| sentences::truncate(&d, MAX_DETAILS));
    draft
}

/// A paragraph that states an intent: its first sentence is the action and the rest
/// its details, except that a later sentence committing to something else ("The team
/// will also ...") is an action of its own.
fn from_paragraph(
    text: &str,
    line: u32,
    group: Option<(ActionStatus, &'static str)>,
    ctx: &ActionContext<'_>,
    out: &mut Vec<Draft>,
) {
    let inherited = Inherited { group, lead: None };
    let mut current: Option<(Draft, Vec<&str>)> = None;
    let finish = |(mut draft, rest): (Draft, Vec<&str>), out: &mut Vec<Draft>| {
        if !rest.is_empty() {
            draft.details = Some(sentences::truncate(
                &sentences::collapse(&rest.join(" ")),
                MAX_DETAILS,
            ));
        }
        inherited.apply(&mut draft);
        out.push(draft);
    };
    for (offset, sentence) in sentences::split(text) {
        match current.as_mut() {
            Some((_, rest)) if !commits(sentence) => rest.push(sentence),
            _ => {
                if let Some(done) = current.take() {
                    finish(done, out);
                }
                let at = sentences::line_at(text, line, offset);
                current = Some((parse_action_text(sentence, at, ctx), Vec::new()));
            }
        }
    }
    if let Some(done) = current.take() {
        finish(done, out);
    }
}

/// Lines of an action section's paragraph that each open with a status marker, as
/// plain text writes a checklist ("[DONE]  Add a circuit breaker (owner: rahul)" /
/// "[OPEN]  Add a second acquirer"): one action per marked line, a line without a
/// marker continuing the one above. Returns whether the paragraph was read so.
fn marked_lines(
    text: &str,
    line: u32,
    group: Option<(ActionStatus, &'static str)>,
    ctx: &ActionContext<'_>,
    out: &mut Vec<Draft>,
) -> bool {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let marked = lines.iter().filter(|l| leading_marker(l).is_some()).count();
    if !lines.first().is_some_and(|l| leading_marker(l).is_some()) || 2 * marked < lines.len() {
        return false;
    }
    let mut items: Vec<(u32, String)> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        match items.last_mut() {
            Some((_, item)) if leading_marker(l).is_none() => {
                item.push(' ');
                item.push_str(l);
            }
            _ => items.push((line + i as u32, l.to_string())),
        }
    }
    let inherited = Inherited { group, lead: None };
    for (at, item) in items {
        let mut draft = parse_action_text(&item, at, ctx);
        draft.source = "a line of an action section that opens with a status marker";
        inherited.apply(&mut draft);
        out.push(draft);
    }
    true
}

/// A sentence that commits to work by its own subject: "The team will implement
/// measures", "We'll publish a report". "This will take a week" does not.
fn commits(sentence: &str) -> bool {
    let lower = sentence.to_lowercase().replace('’', "'");
    let words: Vec<&str> = lower.split_whitespace().take(6).collect();
    !matches!(
        words.first(),
        Some(&("this" | "it" | "that" | "these" | "those" | "which" | "there" | "if" | "when"))
    ) && words
        .iter()
        .any(|w| matches!(*w, "will" | "we'll" | "shall"))
}

/// Sentence openings that commit the writer to follow-up work.
const COMMITMENT_OPENINGS: &[&str] = &[
    "we will ",
    "we'll ",
    "we are going to ",
    "we're going to ",
    "we plan to ",
    "we intend to ",
    "i will ",
    "the team will ",
    "our team will ",
];

/// Status-page chatter that opens like a commitment ("We will continue to monitor",
/// "We will provide an update").
const CHATTER: &[&str] = &[
    "continue",
    "update you",
    "update this",
    "an update",
    "updates",
    "further update",
    "let you know",
    "let users know",
    "let everyone know",
    "keep you",
    "provide more",
    "provide further",
    "provide additional",
    "monitor",
    "refer to",
    "be back",
    "notify",
    "share more",
];

/// Documents without an action section (status-page reports, e-mails): the sentences
/// that commit to follow-up work are its actions.
fn commitments(outline: &Outline<'_>, ctx: &ActionContext<'_>, out: &mut Vec<Draft>) {
    for section in &outline.sections {
        for part in sections::parts(section) {
            if matches!(part.kind, SectionKind::Timeline | SectionKind::Lessons) {
                continue;
            }
            for block in &part.blocks {
                let texts: Vec<(&str, u32)> = match block.as_ref() {
                    Block::Paragraph(p) => vec![(&p.text, p.line)],
                    Block::List(l) => l
                        .items
                        .iter()
                        .filter(|i| i.task.is_none())
                        .map(|i| (i.text.as_str(), i.line))
                        .collect(),
                    _ => continue,
                };
                for (text, line) in texts {
                    for (offset, sentence) in sentences::split(text) {
                        let lower = sentences::collapse(sentence)
                            .to_lowercase()
                            .replace('’', "'");
                        let lower = lower.trim_start_matches(['-', '*', '•', ' ']);
                        if COMMITMENT_OPENINGS.iter().any(|o| lower.starts_with(o))
                            && !CHATTER.iter().any(|c| lower.contains(c))
                        {
                            let at = sentences::line_at(text, line, offset);
                            let mut draft = parse_action_text(sentence, at, ctx);
                            draft.source = "a sentence committing to work (no action section)";
                            Inherited::default().apply(&mut draft);
                            out.push(draft);
                        }
                    }
                }
            }
        }
    }
}

fn table_actions(
    table: &Table,
    group: Option<(ActionStatus, &'static str)>,
    ctx: &ActionContext<'_>,
    out: &mut Vec<Draft>,
) {
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
    let due = col(&["due", "deadline", "eta", "target", "by", "when"]);
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
    let inherited = Inherited { group, lead: None };
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
        draft.source = "a row of a table in an action section";
        if let Some(o) = cell(owner) {
            draft.owner = Some(clean_owner(o));
        }
        if let Some(d) = cell(due).and_then(|d| parse_due(d, ctx.year)) {
            draft.due = Some(d);
        }
        draft.set_status(
            cell(status).and_then(status::status_in),
            "the table's status column",
        );
        if draft.status == ActionStatus::Unknown {
            // "PAY-311 **DONE**" in a ticket column: a marker in another cell of the row.
            let marked = (0..row.cells.len())
                .filter(|i| ![Some(text_col), owner, due].contains(&Some(*i)))
                .filter_map(|i| cell(Some(i)))
                .find_map(cell_status);
            draft.set_status(marked, "a marker in another cell of its row");
        }
        inherited.apply(&mut draft);
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

/// The status a cell other than the action's own states: the whole cell is a status
/// word ("done", "pending"), a marker (`[DONE]`, "(todo)"), or it ends in a status word
/// in capitals ("PAY-311 DONE", "#42 IN PROGRESS").
fn cell_status(cell: &str) -> Option<ActionStatus> {
    if let Some(s) = status_word(cell) {
        return Some(s);
    }
    if let Some((s, _)) = leading_marker(cell).or_else(|| trailing_marker(cell)) {
        return Some(s);
    }
    let words: Vec<&str> = cell.split_whitespace().collect();
    let shouted = |w: &&str| {
        w.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !w.chars().any(char::is_lowercase)
    };
    [2, 1].into_iter().find_map(|n| {
        let tail = words.get(words.len().checked_sub(n)?..)?;
        (words.len() > n && tail.iter().all(shouted))
            .then(|| status_word(&tail.join(" ")))
            .flatten()
    })
}

/// Reads status markers, fields (owner, status, due date, ticket, priority), a leading
/// `[Team]` tag and a trailing "— ana" out of an action's text; what remains is the
/// action's text. The status is only what markers and fields say (`Unknown`
/// otherwise); callers add what groups, lead-ins and tense say.
fn parse_action_text(raw: &str, line: u32, ctx: &ActionContext<'_>) -> Draft {
    // "- - We will ..." in signed e-mails: a bullet left in the item's text.
    let mut text = sentences::collapse(raw.trim_start_matches(['-', '•', '*', ' ']));
    if let Some(value) = action_label(&text) {
        text = value.to_string();
    }
    let mut status = ActionStatus::Unknown;
    let mut status_from = "";
    if let Some((s, rest)) = leading_marker(&text) {
        status = s;
        status_from = "a marker before its text";
        text = rest;
    }
    if let Some((s, rest)) = trailing_marker(&text) {
        status = s;
        status_from = "a marker after its text";
        text = rest;
    }
    let mut owner = None;
    if let Some((tag, rest)) = leading_tag(&text).or_else(|| trailing_tag(&text)) {
        owner = Some(tag);
        text = rest;
    }
    // Owner, due date, ticket and priority are looked for in the whole text, fields
    // included; the fields are then cut from the action's text.
    let full = text.clone();
    let mut due = None;
    let mut ticket = None;
    let mut priority = None;
    if let Some(fields) = inline_fields(&text) {
        text = fields.text;
        owner = owner.or(fields.owner);
        if let Some(s) = fields.status {
            status = s;
            status_from = "its status field";
        }
        due = fields.due.and_then(|d| parse_due(&d, ctx.year));
        ticket = fields.ticket;
        priority = fields.priority;
    }
    if let Some((note_status, named, rest)) = trailing_parenthetical(&text, ctx.year) {
        if let Some(s) = note_status {
            status = s;
            status_from = "a status note after its text";
        }
        owner = owner.or(named);
        text = rest;
    }
    if let Some((tail, rest)) = trailing_attribution(&text) {
        match tail {
            Tail::Status(s) => {
                status = s;
                status_from = "a status note after its text";
            }
            Tail::Owner(name) => owner = owner.or(Some(name)),
        }
        text = rest;
    }
    Draft {
        text: sentences::truncate(text.trim(), MAX_ACTION_TEXT),
        status,
        owner: owner.or_else(|| find_owner(&full)),
        due: due.or_else(|| find_due(&full, ctx.year)),
        ticket: ticket.or_else(|| find_ticket(&full)),
        priority: priority.or_else(|| find_priority(&full)),
        kind: bracket_kind(&full),
        details: None,
        line,
        source: "",
        status_from,
    }
}

/// "Action point: create a mailing list" -> "create a mailing list".
fn action_label(text: &str) -> Option<&str> {
    let colon = text.find(':').filter(|c| *c <= 30)?;
    let head = text[..colon].trim_start_matches(['*', '_', ' ']);
    if !["action", "follow", "next"].iter().any(|w| {
        head.get(..w.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(w))
    }) {
        return None;
    }
    let label = sections::normalized_words(head).join(" ");
    let value = text[colon + 1..].trim();
    (matches!(
        label.as_str(),
        "action point"
            | "action points"
            | "action item"
            | "action"
            | "follow up"
            | "followup"
            | "follow up action"
            | "next step"
            | "next steps"
    ) && !value.is_empty())
    .then_some(value)
}

/// "This has been done." under or after an action point.
fn reports_done(block: &Block) -> bool {
    let text = match block {
        Block::Paragraph(p) => p.text.as_str(),
        Block::List(l) => l.items.first().map_or("", |i| i.text.as_str()),
        _ => return false,
    };
    let first = sentences::split(text).first().map_or("", |(_, s)| *s);
    let lower = first.to_lowercase();
    first.split_whitespace().count() <= 8
        && ["this", "that", "it ", "done", "completed", "fixed"]
            .iter()
            .any(|w| lower.starts_with(w))
        && (status::from_tense(first) == Some(ActionStatus::Done)
            || status_word(first) == Some(ActionStatus::Done))
}

/// The status a section heading gives its actions: "Completed", "Actions taken",
/// "Planned improvements", "In progress"; none when it names none or several
/// ("Corrective Actions Taken/Planned").
fn heading_status(heading: &str) -> Option<ActionStatus> {
    let words = sections::normalized_words(heading);
    let mut found: Option<ActionStatus> = None;
    for (i, w) in words.iter().enumerate() {
        let status = match w.as_str() {
            "completed" | "done" | "taken" | "finished" | "implemented" => ActionStatus::Done,
            "planned" | "todo" | "pending" | "upcoming" => ActionStatus::Open,
            "ongoing" => ActionStatus::InProgress,
            "progress" if i > 0 && words[i - 1] == "in" => ActionStatus::InProgress,
            _ => continue,
        };
        if found.is_some_and(|f| f != status) {
            return None;
        }
        found = Some(status);
    }
    found
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

/// "P1 – needed before the next release", "P2 – nice to have": a list defining
/// priority levels, not actions.
fn is_legend(items: &[ListItem]) -> bool {
    items.len() >= 2
        && items.iter().all(|i| {
            let t = i.text.trim();
            let token_end = t.find([' ', '-', '–', '—', ':', '=']).unwrap_or(t.len());
            let token = &t[..token_end];
            let rest = t[token_end..].trim_start();
            is_priority_token(token) && rest.starts_with(['-', '–', '—', ':', '='])
        })
}

/// `P0`-`P4`, `Sev1`, `S2`.
fn is_priority_token(token: &str) -> bool {
    let lower = token.to_lowercase();
    let digits = lower
        .strip_prefix("sev")
        .or_else(|| lower.strip_prefix('p'))
        .or_else(|| lower.strip_prefix('s'));
    digits.is_some_and(|d| d.len() == 1 && d.chars().all(|c| ('0'..='5').contains(&c)))
}

fn is_bare_link(text: &str) -> bool {
    let t = text.trim();
    (t.starts_with("http://") || t.starts_with("https://")) && !t.contains(char::is_whitespace)
}

/// False for what stands in an action list without being an action: "N/A", "See
/// above", template placeholders, notes about finishing the report itself, and
/// suggestions the document reports as rejected.
fn is_an_action(text: &str, norm: &str) -> bool {
    if matches!(
        norm,
        "" | "n a"
            | "na"
            | "none"
            | "nothing"
            | "see above"
            | "see below"
            | "tbd"
            | "tba"
            | "todo"
            | "to do"
            | "action items"
            | "no action items"
    ) {
        return false;
    }
    let t = text.trim();
    if t.contains("{{") || (t.starts_with('<') && t.ends_with('>')) {
        return false;
    }
    // "[Action item] [Owner] [Due date]": a template row of bracketed placeholders.
    if t.starts_with('[') && without_brackets(t).trim().is_empty() {
        return false;
    }
    // Whole words: the normalised text padded with spaces, phrases likewise.
    let padded = format!(" {norm} ");
    let has = |phrases: &[&str]| phrases.iter().any(|p| padded.contains(p));
    if has(&[
        " this document ",
        " this doc ",
        " this report ",
        " this postmortem ",
        " this post mortem ",
        " this write up ",
        " this writeup ",
        " this page ",
    ]) {
        return false;
    }
    !(has(&[" recommended ", " suggested ", " proposed "])
        && has(&[
            " rejected ",
            " declined ",
            " decided against ",
            " decided not ",
        ]))
}

/// "Review checklist", "Postmortem checklist", "Before publishing", "Sign-off": a
/// heading over the steps of writing and publishing the report itself.
fn is_report_process(heading: &str) -> bool {
    let norm = normalise(heading);
    norm.split(' ')
        .any(|w| matches!(w, "checklist" | "publishing" | "signoff"))
        || norm.contains("sign off")
}

/// Text outside square brackets ("[Owner] [Due date]" -> " ").
fn without_brackets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// A checklist item about writing the postmortem itself ("[ ] Timeline complete",
/// "[x] Root cause identified", "[ ] Sign-off from the incident commander"), outside
/// the action sections.
fn about_the_report(text: &str) -> bool {
    let padded = format!(" {} ", normalise(text));
    [
        " timeline ",
        " root cause ",
        " postmortem ",
        " post mortem ",
        " action items ",
        " lessons learned ",
        " incident report ",
        " report ",
        " sign off ",
        " review meeting ",
    ]
    .iter()
    .any(|p| padded.contains(p))
}

/// "[ICL] Removed legacy access": a leading tag that is not a status, ticket, type or
/// footnote names the owner.
fn leading_tag(text: &str) -> Option<(String, String)> {
    let inner_and_rest = text.trim_start().strip_prefix('[')?;
    let close = inner_and_rest.find(']')?;
    let inner = inner_and_rest[..close].trim();
    let rest = inner_and_rest[close + 1..].trim_start_matches([':', ' ', '-']);
    let lower = inner.to_lowercase();
    let words = inner.split_whitespace().count();
    let not_a_name = inner.is_empty()
        || words > 3
        || rest.is_empty()
        || status_word(inner).is_some()
        || is_ticket_id(inner)
        || is_priority_token(inner)
        || inner.starts_with(|c: char| c.is_ascii_digit() || c == '#')
        || inner.contains("://")
        || ["mitigate", "prevent", "detect", "process"].contains(&lower.as_str());
    (!not_a_name).then(|| (inner.to_string(), rest.to_string()))
}

/// "Add alerting [ana]": a trailing tag that could be a leading one names the owner.
fn trailing_tag(text: &str) -> Option<(String, String)> {
    let t = text.trim_end().strip_suffix(']')?;
    let open = t.rfind('[')?;
    let head = t[..open].trim_end();
    if head.split_whitespace().count() < 2 {
        return None;
    }
    let (name, _) = leading_tag(&format!("{}] x", &t[open..]))?;
    Some((name, head.to_string()))
}

/// What follows a dash at the end of an action.
enum Tail {
    Owner(String),
    Status(ActionStatus),
}

/// "Rotate keys (@ana, due 2024-04-01)", "Split the queue (done 2025-06-05, OPS-12)": a
/// closing parenthesis holding only tracking facts (a handle, a due date, a status with
/// or without its date, a ticket) is cut from the text; owner, due date and ticket are
/// read from the whole text as before, and a status there is returned. Anything else in
/// it ("(see the runbook)") keeps the parenthesis in the text.
fn trailing_parenthetical(
    text: &str,
    year: Option<i16>,
) -> Option<(Option<ActionStatus>, Option<String>, String)> {
    let body = text.trim_end().strip_suffix(')')?;
    let open = body.rfind('(')?;
    let head = body[..open].trim_end();
    if head.split_whitespace().count() < 2 {
        return None;
    }
    let mut status = None;
    // A ticket alone ("(#11956)") stays: it is how many teams write the action's link.
    let mut tracking = false;
    // "(Marta, by end of April)": a name beside a due date or a status is the owner.
    let mut named = None;
    let mut dated = false;
    for part in body[open + 1..].split([',', ';']) {
        let part = part.trim();
        let lower = part.to_lowercase();
        let words: Vec<&str> = part.split_whitespace().collect();
        let handle = words.len() == 1 && part.starts_with('@') && part.len() > 1;
        let due = ["due ", "by "]
            .iter()
            .any(|l| lower.starts_with(l) && parse_due(&part[l.len()..], year).is_some());
        let ticket = words.len() == 1 && is_ticket_id(part);
        // "done", "done 2025-06-05", "closed on 2025-06-05".
        let stated = words.first().and_then(|w| status_word(w)).filter(|_| {
            let rest = words[1..].join(" ");
            let rest = rest.trim_start_matches("on ").trim();
            rest.is_empty() || parse_due(rest, year).is_some()
        });
        let name = (1..=3).contains(&words.len())
            && words.iter().all(|w| {
                w.starts_with(|c: char| c.is_uppercase()) && w.chars().all(char::is_alphabetic)
            });
        if stated.is_some() {
            status = stated;
            dated = true;
        } else if name && named.is_none() {
            named = Some(part.to_string());
        } else if !(handle || due || ticket) {
            return None;
        }
        dated |= due;
        tracking |= !ticket;
    }
    if named.is_some() && !dated {
        return None;
    }
    tracking.then(|| (status, named, head.to_string()))
}

/// "Rotate keys — ana, by 2024-04-01", "Rotate keys — Platform team", "Rotate keys —
/// done": an em or en dash before a name (and due date) or a status.
fn trailing_attribution(text: &str) -> Option<(Tail, String)> {
    let (pos, dash) = ["—", "–", " -- ", " - "]
        .iter()
        .filter_map(|d| text.rfind(d).map(|p| (p, d.len())))
        .max()?;
    let head = text[..pos].trim_end();
    if head.split_whitespace().count() < 2 {
        return None;
    }
    let tail = text[pos + dash..].trim().trim_end_matches('.');
    if let Some(s) = status_word(tail) {
        return Some((Tail::Status(s), head.to_string()));
    }
    // "Automate the restore — @carol — SRCH-89": a ticket is read from the whole text
    // and names no one; the owner stands before it.
    if is_ticket_id(tail) || tail.starts_with("http://") || tail.starts_with("https://") {
        return trailing_attribution(head);
    }
    let mut name = tail.split([',', ';', '(']).next()?.trim();
    let dated = name.len() < tail.len();
    for label in [" by ", " due "] {
        if let Some(at) = sentences::find_ignore_case(name, label, 0) {
            name = name[..at].trim();
        }
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    let name_like = (1..=3).contains(&words.len())
        && words
            .iter()
            .all(|w| w.starts_with(|c: char| c.is_alphabetic() || c == '@'))
        && !words.iter().any(|w| {
            matches!(
                w.to_lowercase().as_str(),
                "the" | "a" | "an" | "to" | "for" | "and" | "or" | "of" | "in" | "on" | "with"
            )
        });
    let capitalised = words
        .first()
        .is_some_and(|w| w.starts_with(|c: char| c.is_uppercase() || c == '@'));
    let by_date = dated || name.len() < tail.len();
    // "— dara": a lone lowercase word is a handle, unless it reads as an adverb.
    let handle = words.len() == 1
        && words[0].len() <= 20
        && words[0].chars().all(|c| c.is_ascii_lowercase())
        && !words[0].ends_with("ly")
        && !matches!(
            words[0],
            "later" | "now" | "soon" | "asap" | "tbd" | "optional" | "maybe"
        );
    (name_like && (capitalised || by_date || handle))
        .then(|| (Tail::Owner(name.to_string()), head.to_string()))
}

/// Which field a label names.
#[derive(Clone, Copy, PartialEq)]
enum Field {
    Owner,
    Status,
    Due,
    Ticket,
    Priority,
}

/// Field labels written inline after an action ("Owner: ana. Status: In review.").
const FIELD_LABELS: &[(&str, Field)] = &[
    ("owners", Field::Owner),
    ("owner", Field::Owner),
    ("assignee", Field::Owner),
    ("assigned to", Field::Owner),
    ("responsible", Field::Owner),
    ("dri", Field::Owner),
    ("status", Field::Status),
    ("due date", Field::Due),
    ("due", Field::Due),
    ("deadline", Field::Due),
    ("eta", Field::Due),
    ("target date", Field::Due),
    ("ticket", Field::Ticket),
    ("jira", Field::Ticket),
    ("tracking issue", Field::Ticket),
    ("priority", Field::Priority),
];

/// An action's text with its inline fields cut off, and the fields' values.
#[derive(Default)]
struct Fields {
    text: String,
    owner: Option<String>,
    status: Option<ActionStatus>,
    due: Option<String>,
    ticket: Option<String>,
    priority: Option<String>,
}

/// "Add an alert. Owner: ana. Status: In review. Due: 2024-04-01", "Fix DNS (owner:
/// ana, due 1 Apr)": fields after the action's text. `None` when there are none, or
/// when the text is nothing but fields.
fn inline_fields(text: &str) -> Option<Fields> {
    // (label start, value start, field), found from the colons: most texts have none.
    let mut found: Vec<(usize, usize, Field)> = Vec::new();
    for (colon, _) in text.match_indices(':') {
        let before = text[..colon].trim_end_matches(['*', '_', ' ']);
        for &(label, field) in FIELD_LABELS {
            let Some(pos) = before.len().checked_sub(label.len()) else {
                continue;
            };
            if before.is_char_boundary(pos)
                && before[pos..].eq_ignore_ascii_case(label)
                && !before[..pos]
                    .chars()
                    .last()
                    .is_some_and(char::is_alphanumeric)
            {
                found.push((pos, colon + 1, field));
                break;
            }
        }
    }
    found.sort_by_key(|f| f.0);
    let first = found.first()?.0;
    let head = text[..first]
        .trim_end()
        .trim_end_matches(['(', '[', '-', '–', '—', '|', ',', ';', '*', '_', ' ']);
    if head.split_whitespace().count() < 2 {
        return None;
    }
    let mut fields = Fields {
        text: head.to_string(),
        ..Fields::default()
    };
    for (k, &(_, value_start, field)) in found.iter().enumerate() {
        let value_end = found.get(k + 1).map_or(text.len(), |next| next.0);
        let value = text[value_start..value_end.max(value_start)]
            .trim()
            .trim_matches(['*', '_', ' ', '(', ')', '[', ']', '|', ',', ';'])
            .trim_end_matches(['.', '—', '–', ' '])
            .trim_end_matches(" -")
            .trim();
        // Owner and status values end at the first separator ("ana, due 1 Apr",
        // "Jonas - due 2025-03-31").
        let short = value
            .split([',', ';', ')', '('])
            .next()
            .unwrap_or("")
            .split(". ")
            .next()
            .unwrap_or("");
        let short = [" - ", " – ", " — "]
            .iter()
            .fold(short, |s, dash| s.split(dash).next().unwrap_or(""))
            .trim();
        match field {
            Field::Owner if (1..=4).contains(&short.split_whitespace().count()) => {
                fields.owner = Some(clean_owner(short));
            }
            Field::Status => fields.status = status::status_in(short),
            Field::Due if !value.is_empty() => fields.due = Some(value.to_string()),
            Field::Ticket if !short.is_empty() => {
                fields.ticket = Some(find_ticket(short).unwrap_or_else(|| short.to_string()));
            }
            Field::Priority if !short.is_empty() => fields.priority = Some(short.to_string()),
            _ => {}
        }
    }
    Some(fields)
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
        .map_or(String::new(), |(_, s)| {
            format!(" {} ", sentences::collapse(s))
        });
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
                .take_while(|c| !matches!(c, ',' | ';' | ')' | ']' | '|' | '\n' | '—' | '–'))
                .collect();
            // "Assignee: bo - Status: Deployed": a spaced dash ends the value too.
            let value = value.split(" - ").next().unwrap_or("");
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
            if let Some(d) = month_end(&window, year) {
                return Some(d);
            }
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
        .or_else(|| month_end(text, year))
}

/// "end of April", "the end of April 2025": the month's last day, in the document's
/// year when none is written.
fn month_end(text: &str, year: Option<i16>) -> Option<Date> {
    const MONTHS: [&str; 12] = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    let lower = text.trim().to_lowercase();
    let rest = lower.strip_prefix("the ").unwrap_or(&lower);
    let rest = rest.strip_prefix("end of ")?;
    let mut words = rest.split_whitespace();
    let name = words.next()?.trim_end_matches(['.', ',', ')']);
    let month = MONTHS
        .iter()
        .position(|m| name.len() >= 3 && m.starts_with(name))?;
    let written: Option<i16> = words
        .next()
        .and_then(|w| w.trim_end_matches(['.', ',', ')']).parse().ok())
        .filter(|y| (1970..=2100).contains(y));
    let first = Date::new(written.or(year)?, month as i8 + 1, 1).ok()?;
    Some(first.last_of_month())
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
    sentences::find_ignore_case(text, "priority", 0)?;
    for (level, before, after) in [
        ("high", "high priority", "priority: high"),
        ("medium", "medium priority", "priority: medium"),
        ("low", "low priority", "priority: low"),
        ("critical", "critical priority", "priority: critical"),
    ] {
        if sentences::find_ignore_case(text, before, 0).is_some()
            || sentences::find_ignore_case(text, after, 0).is_some()
        {
            return Some(level.to_string());
        }
    }
    None
}
fn bracket_kind(text: &str) -> Option<String> {
    if !text.contains(['[', '(']) && sentences::find_ignore_case(text, "type:", 0).is_none() {
        return None;
    }
    ["mitigate", "prevent", "detect", "process"]
        .into_iter()
        .find(|k| {
            [("[", "]"), ("(", ")"), ("type: ", "")]
                .iter()
                .any(|(open, close)| {
                    let mut from = 0;
                    while let Some(at) = sentences::find_ignore_case(text, open, from) {
                        from = at + open.len();
                        let rest = &text[from..];
                        if rest
                            .get(..k.len())
                            .is_some_and(|w| w.eq_ignore_ascii_case(k))
                            && rest[k.len()..].starts_with(close)
                        {
                            return true;
                        }
                    }
                    false
                })
        })
        .map(str::to_string)
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

/// Ids for the drafts that are actions (each text normalised once).
fn assign_ids(drafts: Vec<Draft>, slug: &Slug) -> Vec<Action> {
    let mut kept = Vec::with_capacity(drafts.len());
    let mut normalised = Vec::with_capacity(drafts.len());
    for draft in drafts {
        let norm = normalise(&draft.text);
        if !norm.is_empty() && is_an_action(&draft.text, &norm) {
            kept.push(draft);
            normalised.push(norm);
        }
    }
    let ids = number_ids(normalised.iter().map(|n| id_of_normalised(slug, n)));
    kept.into_iter()
        .zip(ids)
        .map(|(d, id)| Action {
            id,
            rule: d.rule(),
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

    use crate::extract::test_blocks::{heading, heading_at, list, para};
    use crate::ingest::document::{Document, TableRow};

    /// (status, text) of the actions extracted from `blocks`.
    fn actions_of(blocks: Vec<Block>) -> Vec<(ActionStatus, String)> {
        full_actions_of(blocks)
            .into_iter()
            .map(|a| (a.status, a.text))
            .collect()
    }

    fn full_actions_of(blocks: Vec<Block>) -> Vec<Action> {
        let doc = Document {
            blocks,
            ..Document::default()
        };
        let slug = Slug::parse("x").unwrap();
        let skip = HashSet::new();
        extract(&sections::outline(&doc), &ctx(&slug, &skip))
    }

    fn owned(v: &[(ActionStatus, &str)]) -> Vec<(ActionStatus, String)> {
        v.iter().map(|(s, t)| (*s, t.to_string())).collect()
    }

    use ActionStatus::{Done, InProgress, Open, Unknown};

    /// A plain-text checklist: each line of the paragraph opens with its status in
    /// brackets; a wrapped line continues the action above it.
    #[test]
    fn each_line_of_a_paragraph_that_opens_with_a_status_marker_is_an_action() {
        let got = full_actions_of(vec![
            heading_at(1, "Gateway timeouts", 1),
            heading("Action items", 2),
            para(
                "[DONE]  Add circuit breaker to acquirer client   (owner: rahul)\n[OPEN]  Add a secondary acquirer\nfor failover\n[WIP]   Dashboard for acquirer latency",
                3,
            ),
        ]);
        let got: Vec<(ActionStatus, &str, Option<&str>, u32)> = got
            .iter()
            .map(|a| (a.status, a.text.as_str(), a.owner.as_deref(), a.line))
            .collect();
        assert_eq!(
            got,
            [
                (
                    Done,
                    "Add circuit breaker to acquirer client",
                    Some("rahul"),
                    3
                ),
                (Open, "Add a secondary acquirer for failover", None, 4),
                (InProgress, "Dashboard for acquirer latency", None, 6),
            ]
        );
    }

    #[test]
    fn an_items_own_tense_gives_its_status() {
        let got = actions_of(vec![
            heading_at(1, "Token leak", 1),
            heading("What we're doing about it", 2),
            list(
                &[
                    "The leaked token has been revoked.",
                    "We enabled SSO for the admin console.",
                    "Deploys will require two approvals.",
                    "We are reworking the on-call handbook.",
                    "Add a canary stage",
                ],
                3,
            ),
        ]);
        assert_eq!(
            got,
            owned(&[
                (Done, "The leaked token has been revoked."),
                (Done, "We enabled SSO for the admin console."),
                (Open, "Deploys will require two approvals."),
                (InProgress, "We are reworking the on-call handbook."),
                (Unknown, "Add a canary stage"),
            ])
        );
    }

    #[test]
    fn a_lead_in_gives_unmarked_items_its_status() {
        let got = actions_of(vec![
            heading("Next steps", 1),
            para("The platform team will do the following. These are:", 3),
            list(
                &["(Already planned) Shard the queue", "Add a canary stage"],
                5,
            ),
            heading("Remediation", 8),
            para("We have done the following:", 9),
            list(
                &["Rotate every key", "We will audit the rest next quarter"],
                10,
            ),
        ]);
        assert_eq!(
            got,
            owned(&[
                (Open, "Shard the queue"),
                (Open, "Add a canary stage"),
                (Done, "Rotate every key"),
                (Open, "We will audit the rest next quarter"),
            ])
        );
    }

    #[test]
    fn a_group_heading_wins_over_the_items_tense() {
        let got = actions_of(vec![
            heading("Actions", 1),
            heading_at(3, "In progress", 2),
            list(&["A standby region will be provisioned"], 3),
            heading_at(3, "Completed", 5),
            list(&["Disk alert thresholds"], 6),
        ]);
        assert_eq!(
            got,
            owned(&[
                (InProgress, "A standby region will be provisioned"),
                (Done, "Disk alert thresholds"),
            ])
        );
    }

    #[test]
    fn each_action_says_what_took_it_and_where_its_status_came_from() {
        let rules: Vec<String> = full_actions_of(vec![
            heading("Follow-up", 1),
            heading_at(3, "Completed", 2),
            list(&["Disk alert thresholds"], 3),
            heading_at(3, "Later", 5),
            list(&["We added a canary stage", "Write the runbook [done]"], 6),
            para("We have done the following:", 9),
            list(&["Paging for lag"], 10),
        ])
        .into_iter()
        .map(|a| a.rule)
        .collect();
        assert_eq!(
            rules,
            [
                "an item of a list in an action section; status: the heading above it",
                "an item of a list in an action section; status: the tense of its text",
                "an item of a list in an action section; status: a marker after its text",
                "an item of a list in an action section; status: the sentence that \
                 introduces its list",
            ]
        );
    }

    #[test]
    fn a_closing_parenthesis_of_tracking_facts_leaves_the_text() {
        let got = full_actions_of(vec![
            heading("Follow-ups", 1),
            list(
                &[
                    "Move the retry queue to its own Redis (@dana, done 2025-06-05)",
                    "Alert on queue depth (@lee, due 2025-06-20)",
                    "Split the config (OPS-12)",
                    "Review the retry budget (see the runbook)",
                ],
                2,
            ),
        ]);
        let got: Vec<(ActionStatus, &str, Option<&str>)> = got
            .iter()
            .map(|a| (a.status, a.text.as_str(), a.owner.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                (Done, "Move the retry queue to its own Redis", Some("@dana")),
                (Unknown, "Alert on queue depth", Some("@lee")),
                (Unknown, "Split the config (OPS-12)", None),
                (Unknown, "Review the retry budget (see the runbook)", None),
            ]
        );
    }

    #[test]
    fn a_marker_in_another_cell_of_a_row_is_its_status() {
        let table = Block::Table(Table {
            header: vec!["Action item".into(), "Owner".into(), "Bug".into()],
            rows: vec![
                TableRow {
                    cells: vec![
                        "Alert on pool saturation".into(),
                        "tom".into(),
                        "PAY-1 DONE".into(),
                    ],
                    line: 4,
                },
                TableRow {
                    cells: vec![
                        "Lint pool sizes".into(),
                        "ana".into(),
                        "PAY-2 (TODO)".into(),
                    ],
                    line: 5,
                },
                TableRow {
                    cells: vec![
                        "Review the retry budget".into(),
                        "li".into(),
                        "PAY-3".into(),
                    ],
                    line: 6,
                },
            ],
            line: 2,
        });
        let got = full_actions_of(vec![heading("Action items", 1), table]);
        let got: Vec<(ActionStatus, Option<String>)> =
            got.into_iter().map(|a| (a.status, a.ticket)).collect();
        assert_eq!(
            got,
            [
                (Done, Some("PAY-1".to_string())),
                (Open, Some("PAY-2".to_string())),
                (Unknown, Some("PAY-3".to_string())),
            ]
        );
    }

    #[test]
    fn a_leading_bracket_tag_is_the_owner() {
        let got = full_actions_of(vec![
            heading("Action items", 1),
            list(
                &[
                    "[Storage team] Raised the volume quota",
                    "[DONE] Drain node 3",
                ],
                3,
            ),
        ]);
        assert_eq!(got[0].owner.as_deref(), Some("Storage team"));
        assert_eq!(
            (got[0].status, got[0].text.as_str()),
            (Done, "Raised the volume quota")
        );
        assert_eq!(got[1].owner, None);
        assert_eq!(got[1].status, Done);
    }

    #[test]
    fn inline_fields_give_owner_status_and_due_date() {
        let slug = Slug::parse("x").unwrap();
        let skip = HashSet::new();
        let c = ctx(&slug, &skip);
        let d = parse_action_text(
            "Add an alert on queue depth. Owner: ana. Status: In review. Due: 2024-04-01",
            1,
            &c,
        );
        assert_eq!(d.text, "Add an alert on queue depth.");
        assert_eq!(d.owner.as_deref(), Some("ana"));
        assert_eq!(d.status, InProgress);
        assert_eq!(d.due.map(|d| d.to_string()).as_deref(), Some("2024-04-01"));
        let d = parse_action_text(
            "Run a restore drill — Assignee: bo — Status: Deployed",
            1,
            &c,
        );
        assert_eq!((d.owner.as_deref(), d.status), (Some("bo"), Done));
        let d = parse_action_text("Pin the base image (owner: bo, due 3 May)", 1, &c);
        assert_eq!(d.text, "Pin the base image");
        assert_eq!(d.owner.as_deref(), Some("bo"));
        assert_eq!(d.due.map(|d| d.to_string()).as_deref(), Some("2024-05-03"));
        // A name beside a due date in a closing parenthesis is the owner; "end of
        // April" is the month's last day, in the document's year.
        let d = parse_action_text(
            "Re-enable the retention job (Marta Lind, by end of April)",
            1,
            &c,
        );
        assert_eq!(d.text, "Re-enable the retention job");
        assert_eq!(d.owner.as_deref(), Some("Marta Lind"));
        assert_eq!(d.due.map(|d| d.to_string()).as_deref(), Some("2024-04-30"));
        // A name alone in parentheses is not a tracking note.
        let d = parse_action_text("Ask the vendor for a fix (Acme Networks)", 1, &c);
        assert_eq!(d.text, "Ask the vendor for a fix (Acme Networks)");
        assert_eq!(d.owner, None);
        // A spaced dash ends a labelled owner as a comma does.
        let d = parse_action_text(
            "Add disk usage to the dashboard - owner: Jonas Berg - due 2024-03-31",
            1,
            &c,
        );
        assert_eq!(d.text, "Add disk usage to the dashboard");
        assert_eq!(d.owner.as_deref(), Some("Jonas Berg"));
        assert_eq!(d.due.map(|d| d.to_string()).as_deref(), Some("2024-03-31"));
    }

    #[test]
    fn a_trailing_dash_names_the_owner_or_the_status() {
        let slug = Slug::parse("x").unwrap();
        let skip = HashSet::new();
        let c = ctx(&slug, &skip);
        let d = parse_action_text("Rotate the signing key — ana, by 2024-04-01", 1, &c);
        assert_eq!(d.text, "Rotate the signing key");
        assert_eq!(d.owner.as_deref(), Some("ana"));
        assert_eq!(d.due.map(|d| d.to_string()).as_deref(), Some("2024-04-01"));
        let d = parse_action_text("Rotate the signing key — done", 1, &c);
        assert_eq!((d.status, d.owner), (Done, None));
        let d = parse_action_text("Retry uploads — especially the large ones", 1, &c);
        assert_eq!(d.owner, None);
        let d = parse_action_text("Retry uploads - dara", 1, &c);
        assert_eq!(
            (d.text.as_str(), d.owner.as_deref()),
            ("Retry uploads", Some("dara"))
        );
        let d = parse_action_text("Retry uploads -- later", 1, &c);
        assert_eq!(d.owner, None);
        let d = parse_action_text("Retry uploads [dara]", 1, &c);
        assert_eq!(
            (d.text.as_str(), d.owner.as_deref()),
            ("Retry uploads", Some("dara"))
        );
        let d = parse_action_text("Retry uploads [OPS-12]", 1, &c);
        assert_eq!(d.owner, None);
    }

    #[test]
    fn action_point_lines_are_actions_anywhere() {
        let got = actions_of(vec![
            heading("Disclosure", 1),
            para("Action point: set up a security announcement list.", 3),
            list(&["This has been done."], 4),
            para("Action point: page on fork detection.", 6),
        ]);
        assert_eq!(
            got,
            owned(&[
                (Done, "set up a security announcement list."),
                (Unknown, "page on fork detection."),
            ])
        );
    }

    #[test]
    fn a_prose_action_section_gives_one_action_per_commitment() {
        let got = actions_of(vec![
            heading("Mitigation", 1),
            para(
                "Affected customers will be refunded. The team will add checks to the \
                 billing job. The table below lists the refunds.",
                3,
            ),
        ]);
        assert_eq!(
            got,
            owned(&[
                (Open, "Affected customers will be refunded."),
                (Open, "The team will add checks to the billing job."),
            ])
        );
    }

    #[test]
    fn without_an_action_section_commitments_in_the_text_are_actions() {
        let got = actions_of(vec![
            para(
                "Logins failed for an hour. We will run a full review of the failover. \
                 We will continue to monitor the service.",
                1,
            ),
            para("We'll share a public write-up of our follow-ups.", 3),
        ]);
        assert_eq!(
            got,
            owned(&[
                (Open, "We will run a full review of the failover."),
                (Open, "We'll share a public write-up of our follow-ups."),
            ])
        );
    }

    #[test]
    fn a_label_line_opens_an_action_section_in_plain_text() {
        let got = actions_of(vec![
            para("Hello all,", 1),
            list(
                &["-----\nfollow-up:", "- We will add a second DNS provider."],
                3,
            ),
        ]);
        assert_eq!(got, owned(&[(Open, "We will add a second DNS provider.")]));
    }

    #[test]
    fn a_link_alone_in_an_action_section_is_where_the_actions_are() {
        let got = actions_of(vec![
            heading("Action items", 1),
            para("https://tracker.example.org/issues?label=incident-42", 3),
        ]);
        assert_eq!(
            got,
            owned(&[(
                Unknown,
                "https://tracker.example.org/issues?label=incident-42"
            )])
        );
    }

    #[test]
    fn legends_placeholders_report_chores_and_rejected_ideas_are_not_actions() {
        let got = actions_of(vec![
            heading("Action items", 1),
            list(&["P1 - must ship before launch", "P2 - nice to have"], 3),
            list(
                &[
                    "N/A",
                    "{{ action }}",
                    "Attach the graphs to this postmortem",
                    "A reviewer suggested we drop IPv4; this was rejected.",
                    "Enable IPv6 on the edge",
                ],
                6,
            ),
        ]);
        assert_eq!(got, owned(&[(Unknown, "Enable IPv6 on the edge")]));
    }

    #[test]
    fn headings_over_the_report_process_hold_no_actions() {
        for h in [
            "Review checklist",
            "Before publishing",
            "Sign-off",
            "Postmortem checklist",
        ] {
            assert!(is_report_process(h), "{h}");
        }
        for h in ["Action items", "Completed", "Follow-up work"] {
            assert!(!is_report_process(h), "{h}");
        }
    }

    #[test]
    fn a_row_of_bracketed_placeholders_is_not_an_action() {
        assert!(!is_an_action("[Owner] [Due date]", "owner due date"));
        assert!(is_an_action("[ops] Rotate the key", "ops rotate the key"));
    }

    #[test]
    fn a_checklist_about_the_report_is_not_actions_but_other_checklists_are() {
        let mut items = list(
            &[
                "Timeline complete",
                "Root cause identified",
                "Rotate the leaked key",
            ],
            3,
        );
        if let Block::List(l) = &mut items {
            for item in &mut l.items {
                item.task = Some(false);
            }
        }
        let got = actions_of(vec![heading("Report checklist", 1), items]);
        assert_eq!(got, owned(&[(Open, "Rotate the leaked key")]));
    }

    #[test]
    fn a_completed_heading_makes_its_items_done_actions() {
        let got = actions_of(vec![
            heading_at(1, "Disk full on db-2", 1),
            heading("Completed", 2),
            list(&["Log rotation on every host"], 3),
        ]);
        assert_eq!(got, owned(&[(Done, "Log rotation on every host")]));
    }

    #[test]
    fn recommendations_are_not_actions() {
        let got = actions_of(vec![
            heading("Corrective actions", 1),
            list(&["Replace the failed PSU"], 2),
            heading("Recommended improvements", 4),
            list(&["Dual power feeds for every rack"], 5),
        ]);
        assert_eq!(got, owned(&[(Unknown, "Replace the failed PSU")]));
    }

    #[test]
    fn a_table_without_a_status_column_reads_the_tense_of_its_rows() {
        let got = actions_of(vec![
            heading("Action Items", 1),
            Block::Table(Table {
                header: vec!["Description".into(), "Owner".into()],
                rows: vec![
                    TableRow {
                        cells: vec!["Added a smoke test for the map".into(), "ana".into()],
                        line: 4,
                    },
                    TableRow {
                        cells: vec!["Add a smoke test for search".into(), "bo".into()],
                        line: 5,
                    },
                ],
                line: 3,
            }),
        ]);
        assert_eq!(
            got,
            owned(&[
                (Done, "Added a smoke test for the map"),
                (Unknown, "Add a smoke test for search"),
            ])
        );
    }

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

    /// A ticket after the last dash is no owner: the owner is the name before it.
    #[test]
    fn a_ticket_after_the_owners_dash_is_not_the_owner() {
        let a = &full_actions_of(vec![
            heading_at(1, "Search outage", 1),
            heading("Follow-ups", 2),
            list(&["Automate snapshot restore — @carol — SRCH-89"], 3),
        ])[0];
        assert_eq!(a.text, "Automate snapshot restore");
        assert_eq!(a.owner.as_deref(), Some("@carol"));
        assert_eq!(a.ticket.as_deref(), Some("SRCH-89"));
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
    fn a_type_in_brackets_or_a_type_field_is_the_kind() {
        assert_eq!(
            bracket_kind("[Prevent] Add a canary").as_deref(),
            Some("prevent")
        );
        assert_eq!(
            bracket_kind("Add a canary (detect)").as_deref(),
            Some("detect")
        );
        assert_eq!(
            bracket_kind("Add a canary. Type: process").as_deref(),
            Some("process")
        );
        assert_eq!(bracket_kind("Add a canary [later]"), None);
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
