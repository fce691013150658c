//! Action forms of the extraction issue (§2): inline fields, tables, status words, a
//! lead-in that makes a list done, and what is not an action.

use super::Form;
use super::doc::{Block, Doc, Fmt, Item};
use super::expect::{Action, Expected};
use super::rng::Rng;
use super::story::{Case, Story, case};
use super::vocab::{self, iso};
use aftermath::model::ActionStatus;
use jiff::civil::Date;

const ALL: &[Fmt] = &[Fmt::Md, Fmt::Rst, Fmt::Txt];
const BOLD: &[Fmt] = &[Fmt::Md, Fmt::Rst];

pub fn forms() -> Vec<Form> {
    vec![
        Form::new(
            "action fields in bold (**Owner:** ana. **Status:** ...)",
            BOLD,
            bold_fields,
        ),
        Form::new("action fields as labels (Owner: @ana)", ALL, label_fields),
        Form::new(
            "action fields in parentheses ((owner: ana, due 1 Apr))",
            ALL,
            paren_fields,
        ),
        Form::new("action owner in brackets ([ana])", ALL, bracket_owner),
        Form::new(
            "action owner after a dash (- ana, by 2024-04-01)",
            ALL,
            dash_owner,
        ),
        Form::new(
            "action table (Owner/Status/Due/Ticket/Priority)",
            ALL,
            table,
        ),
        Form::new("status words: done", ALL, |r, f| {
            status_words(r, f, ActionStatus::Done)
        }),
        Form::new("status words: in progress", ALL, |r, f| {
            status_words(r, f, ActionStatus::InProgress)
        }),
        Form::new("status words: open", ALL, |r, f| {
            status_words(r, f, ActionStatus::Open)
        }),
        Form::new("status words: won't fix", ALL, |r, f| {
            status_words(r, f, ActionStatus::Wontfix)
        }),
        Form::new("status: unknown when nothing says", ALL, |r, f| {
            status_words(r, f, ActionStatus::Unknown)
        }),
        Form::new("lead-in: we have done the following", ALL, lead_in),
        Form::new("not actions: report checklist", ALL, not_checklist),
        Form::new("not actions: priority legend", ALL, not_legend),
        Form::new("not actions: N/A, See above", ALL, not_na),
        Form::new("not actions: lessons, recommendations", ALL, not_lessons),
        Form::new("not actions: template placeholders", ALL, not_placeholder),
    ]
}

/// Status words by class, as people write them in fields and cells.
fn words(status: ActionStatus) -> &'static [&'static str] {
    match status {
        ActionStatus::Done => &[
            "Done",
            "done",
            "Closed",
            "Fixed",
            "Resolved",
            "Merged",
            "Deployed",
            "Shipped",
            "Completed",
            "DONE",
        ],
        ActionStatus::InProgress => &[
            "In progress",
            "In Progress",
            "in review",
            "In review",
            "WIP",
            "Ongoing",
            "ongoing",
            "Started",
        ],
        ActionStatus::Open => &[
            "Todo",
            "TODO",
            "To do",
            "Planned",
            "Not started",
            "Backlog",
            "Open",
        ],
        ActionStatus::Wontfix => &[
            "Won't fix",
            "Wontfix",
            "wontfix",
            "Declined",
            "Won\u{2019}t fix",
        ],
        ActionStatus::Unknown => &[],
    }
}

/// A status class other than unknown.
fn some_status(rng: &mut Rng) -> ActionStatus {
    *rng.pick(&[
        ActionStatus::Done,
        ActionStatus::InProgress,
        ActionStatus::Open,
        ActionStatus::Wontfix,
    ])
}

/// A due date after the incident, as written and as expected.
fn due(rng: &mut Rng, incident: Date) -> (String, String) {
    let later = incident
        .checked_add(jiff::Span::new().days(rng.range(7, 120)))
        .unwrap();
    // Dates without a year only within the incident's year.
    let same_year = later.year() == incident.year();
    let m = vocab::month_name(later);
    let written = match rng.below(5) {
        0 | 1 => iso(later),
        2 => format!("{m} {}, {}", later.day(), later.year()),
        3 if same_year => format!("{} {}", later.day(), &m[..3]),
        4 if same_year => format!("{} {}", &m[..3], later.day()),
        _ => format!("{} {m} {}", later.day(), later.year()),
    };
    (written, iso(later))
}

/// The document around an action section written by `section`.
fn action_case(
    rng: &mut Rng,
    fmt: Fmt,
    section: fn(&mut Rng, Fmt, &mut Story, Date, &mut Doc, &mut Expected),
) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    let d = s.plain_timeline(rng, &mut doc, &mut exp);
    s.cause_section(rng, &mut doc, &mut exp);
    doc.h2(rng.word(&[
        "Action items",
        "Follow-up actions",
        "Action Items",
        "Remediation",
        "Next steps",
    ]));
    section(rng, fmt, &mut s, d, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

fn list(rng: &mut Rng, items: Vec<String>) -> Block {
    let items = items.into_iter().map(Item::new).collect();
    if rng.chance(50) {
        Block::Numbered(items)
    } else {
        Block::Bullets(items)
    }
}

/// One action with fields written by `write(label, value)`, joined by `sep`.
fn fielded(
    rng: &mut Rng,
    s: &mut Story,
    d: Date,
    write: fn(&str, &str) -> String,
    sep: &str,
    at_owner: bool,
) -> (String, Action) {
    let text = s.action();
    let mut a = Action::new(text.clone(), ActionStatus::Unknown);
    let mut fields = Vec::new();
    if rng.chance(80) {
        let p = s.people[rng.below(s.people.len())];
        a.owner = Some(p.to_string());
        let v = if at_owner && rng.chance(50) {
            format!("@{p}")
        } else {
            p.to_string()
        };
        fields.push(write(rng.word(&["Owner", "Owner", "Assignee"]), &v));
    }
    if rng.chance(80) {
        let st = some_status(rng);
        a.status = st;
        fields.push(write("Status", rng.word(words(st))));
    }
    if rng.chance(50) {
        let (w, e) = due(rng, d);
        a.due = Some(e);
        fields.push(write(rng.word(&["Due", "Due date"]), &w));
    }
    if rng.chance(30) {
        let t = vocab::ticket(rng);
        a.ticket = Some(t.clone());
        fields.push(write("Ticket", &t));
    }
    let fields = rng.pick_distinct(&fields, fields.len());
    let line = if fields.is_empty() {
        text
    } else {
        format!("{text}{sep}{}", fields.join(sep))
    };
    (line, a)
}

fn bold_fields(rng: &mut Rng, fmt: Fmt) -> Case {
    action_case(rng, fmt, |rng, _, s, d, doc, exp| {
        let sep = *rng.pick(&[". ", " ", " | "]);
        let mut lines = Vec::new();
        for _ in 0..rng.range(2, 4) {
            let (line, a) = fielded(rng, s, d, |l, v| format!("**{l}:** {v}"), sep, true);
            lines.push(line);
            exp.actions.push(a);
        }
        doc.push(list(rng, lines));
    })
}

fn label_fields(rng: &mut Rng, fmt: Fmt) -> Case {
    action_case(rng, fmt, |rng, _, s, d, doc, exp| {
        let sep = *rng.pick(&[". ", "; ", " \u{2014} "]);
        let mut lines = Vec::new();
        for _ in 0..rng.range(2, 4) {
            let (line, a) = fielded(rng, s, d, |l, v| format!("{l}: {v}"), sep, true);
            lines.push(line);
            exp.actions.push(a);
        }
        doc.push(list(rng, lines));
    })
}

fn paren_fields(rng: &mut Rng, fmt: Fmt) -> Case {
    action_case(rng, fmt, |rng, _, s, d, doc, exp| {
        let mut lines = Vec::new();
        for _ in 0..rng.range(2, 4) {
            let text = s.action();
            let p = s.people[rng.below(s.people.len())];
            let mut a = Action::new(text.clone(), ActionStatus::Unknown);
            a.owner = Some(p.to_string());
            let (w, e) = due(rng, d);
            let inside = match rng.below(4) {
                0 => format!("owner: {p}, due {w}"),
                1 => format!("owner: @{p}; due: {w}"),
                2 => format!("due {w}, owner: {p}"),
                _ => format!("owner: {p}"),
            };
            if inside.contains("due") {
                a.due = Some(e);
            }
            lines.push(format!("{text} ({inside})"));
            exp.actions.push(a);
        }
        doc.push(list(rng, lines));
    })
}

fn bracket_owner(rng: &mut Rng, fmt: Fmt) -> Case {
    action_case(rng, fmt, |rng, _, s, _, doc, exp| {
        let boxes = rng.chance(40);
        let mut lines = Vec::new();
        for _ in 0..rng.range(2, 4) {
            let text = s.action();
            let p = s.people[rng.below(s.people.len())];
            let mut a = Action::new(text.clone(), ActionStatus::Unknown);
            a.owner = Some(p.to_string());
            let mut line = if rng.chance(60) {
                format!("{text} [{p}]")
            } else {
                format!("[{p}] {text}")
            };
            if boxes {
                let done = rng.chance(50);
                line = format!("[{}] {line}", if done { "x" } else { " " });
                a.status = if done {
                    ActionStatus::Done
                } else {
                    ActionStatus::Open
                };
            }
            lines.push(line);
            exp.actions.push(a);
        }
        doc.push(Block::Bullets(lines.into_iter().map(Item::new).collect()));
    })
}

fn dash_owner(rng: &mut Rng, fmt: Fmt) -> Case {
    action_case(rng, fmt, |rng, _, s, d, doc, exp| {
        let dash = *rng.pick(&["\u{2014}", "\u{2013}", "-", "--"]);
        let mut lines = Vec::new();
        for _ in 0..rng.range(2, 4) {
            let text = s.action();
            let p = s.people[rng.below(s.people.len())];
            let mut a = Action::new(text.clone(), ActionStatus::Unknown);
            a.owner = Some(p.to_string());
            let line = if rng.chance(70) {
                let (w, e) = due(rng, d);
                a.due = Some(e);
                format!("{text} {dash} {p}, by {w}")
            } else {
                format!("{text} {dash} {p}")
            };
            lines.push(line);
            exp.actions.push(a);
        }
        doc.push(list(rng, lines));
    })
}

fn table(rng: &mut Rng, fmt: Fmt) -> Case {
    action_case(rng, fmt, |rng, _, s, d, doc, exp| {
        #[derive(Clone, Copy, PartialEq)]
        enum Col {
            Owner,
            Status,
            Due,
            Ticket,
            Priority,
        }
        let mut cols = Vec::new();
        for (col, p) in [
            (Col::Owner, 80),
            (Col::Status, 80),
            (Col::Due, 50),
            (Col::Ticket, 50),
            (Col::Priority, 40),
        ] {
            if rng.chance(p) {
                cols.push(col);
            }
        }
        let cols = rng.pick_distinct(&cols, cols.len());
        let mut head = vec![
            rng.pick(&["Action", "Action item", "Item", "Task", "Follow-up"])
                .to_string(),
        ];
        for c in &cols {
            head.push(
                match c {
                    Col::Owner => *rng.pick(&["Owner", "Assignee"]),
                    Col::Status => *rng.pick(&["Status", "State"]),
                    Col::Due => *rng.pick(&["Due", "Due date", "Target date"]),
                    Col::Ticket => *rng.pick(&["Ticket", "Issue", "Jira"]),
                    Col::Priority => "Priority",
                }
                .to_string(),
            );
        }
        let mut rows = Vec::new();
        for _ in 0..rng.range(2, 4) {
            let text = s.action();
            let mut a = Action::new(text.clone(), ActionStatus::Unknown);
            let mut row = vec![text];
            for c in &cols {
                row.push(match c {
                    Col::Owner => {
                        let p = s.people[rng.below(s.people.len())];
                        a.owner = Some(p.to_string());
                        p.to_string()
                    }
                    Col::Status => {
                        let st = some_status(rng);
                        a.status = st;
                        rng.pick(words(st)).to_string()
                    }
                    Col::Due => {
                        let (w, e) = due(rng, d);
                        a.due = Some(e);
                        w
                    }
                    Col::Ticket => {
                        let t = vocab::ticket(rng);
                        a.ticket = Some(t.clone());
                        t
                    }
                    Col::Priority => rng.pick(&["P1", "P2", "P3", "High", "Low"]).to_string(),
                });
            }
            rows.push(row);
            exp.actions.push(a);
        }
        doc.push(Block::Table(head, rows));
    })
}

/// "Add an alert ..." -> "We have added an alert ...".
fn perfect(text: &str) -> String {
    let (verb, rest) = text.split_once(' ').unwrap_or((text, ""));
    let done = match verb {
        "Add" => "added",
        "Raise" => "raised",
        "Write" => "written",
        "Rate-limit" => "rate-limited",
        "Move" => "moved",
        "Page" => "set up paging for",
        "Split" => "split",
        "Alert" => "set up alerts",
        "Remove" => "removed",
        "Pin" => "pinned",
        "Review" => "reviewed",
        "Run" => "scheduled",
        _ => "handled",
    };
    format!("We have {done} {rest}")
}

/// "Add an alert ..." -> "We will add an alert ...".
fn future(text: &str) -> String {
    let mut c = text.chars();
    let lower: String = match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    };
    format!("We will {lower}")
}

/// One action line saying `status` in one of the ways people do, and its expectation.
fn with_status(rng: &mut Rng, text: &str, status: ActionStatus) -> (String, Action) {
    if status == ActionStatus::Unknown {
        return (text.to_string(), Action::new(text, status));
    }
    // Sentences that carry the status in their tense or verb.
    let sentence = match status {
        ActionStatus::Done if rng.chance(20) => Some(perfect(text)),
        ActionStatus::Open if rng.chance(25) => Some(if rng.chance(50) {
            future(text)
        } else {
            format!(
                "Raise a ticket to {}",
                future(text).trim_start_matches("We will ")
            )
        }),
        _ => None,
    };
    if let Some(s) = sentence {
        return (format!("{s}."), Action::new(s, status));
    }
    let w = *rng.pick(words(status));
    let line = match (status, rng.below(7)) {
        (ActionStatus::Done, 5) => format!("[x] {text}"),
        (ActionStatus::Done, 6) => {
            if rng.chance(50) {
                format!("\u{2705} {text}")
            } else {
                format!("{text} \u{2705}")
            }
        }
        (ActionStatus::Open, 5) => format!("[ ] {text}"),
        (_, 0) => format!("{text} ({w})"),
        (_, 1) => format!("{text} \u{2014} {w}"),
        (_, 2) => format!("{text}. Status: {w}."),
        (_, 3) => format!("[{}] {text}", w.to_uppercase()),
        _ => format!("{w}: {text}"),
    };
    (line, Action::new(text, status))
}

fn status_words(rng: &mut Rng, fmt: Fmt, status: ActionStatus) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    let _ = s.plain_timeline(rng, &mut doc, &mut exp);
    s.cause_section(rng, &mut doc, &mut exp);
    doc.h2(rng.word(&["Action items", "Follow-up actions", "Action Items"]));
    let mut lines = Vec::new();
    for _ in 0..rng.range(2, 4) {
        let text = s.action();
        let (line, a) = with_status(rng, &text, status);
        lines.push(line);
        exp.actions.push(a);
    }
    doc.push(Block::Bullets(lines.into_iter().map(Item::new).collect()));
    case(rng, fmt, &doc, exp)
}

fn lead_in(rng: &mut Rng, fmt: Fmt) -> Case {
    action_case(rng, fmt, |rng, _, s, _, doc, exp| {
        doc.para(rng.word(&[
            "We have done the following:",
            "We have already done the following:",
            "So far we have done the following:",
            "The following has been done:",
        ]));
        let mut lines = Vec::new();
        for _ in 0..rng.range(2, 4) {
            let text = s.action();
            lines.push(text.clone());
            exp.actions.push(Action::new(text, ActionStatus::Done));
        }
        doc.push(list(rng, lines));
        if rng.chance(50) {
            doc.para(rng.word(&["Next, we will:", "We will also:", "Still to do:"]));
            let mut lines = Vec::new();
            for _ in 0..rng.range(1, 3) {
                let text = s.action();
                lines.push(text.clone());
                exp.actions.push(Action::new(text, ActionStatus::Open));
            }
            doc.push(list(rng, lines));
        }
    })
}

/// Two plain checkbox actions and a distraction added by `distract`.
fn not_action_case(
    rng: &mut Rng,
    fmt: Fmt,
    distract: fn(&mut Rng, Fmt, &mut Story, &mut Doc),
) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    let _ = s.plain_timeline(rng, &mut doc, &mut exp);
    s.close(rng, &mut doc, &mut exp);
    distract(rng, fmt, &mut s, &mut doc);
    case(rng, fmt, &doc, exp)
}

fn not_checklist(rng: &mut Rng, fmt: Fmt) -> Case {
    not_action_case(rng, fmt, |rng, _, _, doc| {
        const CHECKS: &[&str] = &[
            "Timeline filled in",
            "Impact figures checked by the service owner",
            "Review meeting scheduled",
            "Report shared with the stakeholders",
            "Link this report from the incident ticket",
            "Fill in the customer impact section",
            "Get sign-off from the incident commander",
        ];
        let n = rng.range(2, 4) as usize;
        let items: Vec<String> = rng
            .pick_distinct(CHECKS, n)
            .into_iter()
            .map(|c| format!("[{}] {c}", if rng.chance(50) { "x" } else { " " }))
            .collect();
        let heading = *rng.pick(&[
            "Postmortem checklist",
            "Report checklist",
            "Before publishing",
            "Review checklist",
        ]);
        if rng.chance(70) {
            doc.h2(heading);
        } else {
            doc.h3(heading);
        }
        doc.bullets(items);
    })
}

fn not_legend(rng: &mut Rng, fmt: Fmt) -> Case {
    not_action_case(rng, fmt, |rng, _, _, doc| {
        let dash = *rng.pick(&["\u{2013}", "-", "\u{2014}", ":"]);
        let legend = vec![
            format!("P1 {dash} needed before the next release"),
            format!("P2 {dash} needed within the quarter"),
            format!("P3 {dash} nice to have"),
        ];
        doc.para(rng.word(&["Priority legend:", "Priorities:", "Legend:"]));
        if rng.chance(50) {
            doc.bullets(legend);
        } else {
            doc.para(&legend.join("\n"));
        }
    })
}

fn not_na(rng: &mut Rng, fmt: Fmt) -> Case {
    not_action_case(rng, fmt, |rng, _, _, doc| {
        doc.h3(rng.word(&[
            "Process changes",
            "Documentation",
            "Longer term",
            "Monitoring",
        ]));
        doc.bullets([*rng.pick(&["N/A", "See above", "n/a", "See above.", "N/A."])]);
    })
}

fn not_lessons(rng: &mut Rng, fmt: Fmt) -> Case {
    not_action_case(rng, fmt, |rng, _, s, doc| {
        let svc = s.svc;
        if rng.chance(50) {
            doc.h2(rng.word(&["Lessons learned", "Lessons Learned", "What we learned"]));
            doc.bullets([
                format!("Alerts on the {svc} fired too late to help"),
                "The runbook did not cover a regional failover".to_string(),
                "Paging the database team early saved time".to_string(),
            ]);
        } else {
            doc.h2(rng.word(&["Recommendations", "Recommendations for other teams"]));
            doc.bullets([
                "Teams should review the retry settings of their clients".to_string(),
                format!("Consider a canary stage for every change to the {svc}"),
                "It may be worth testing failover more often".to_string(),
            ]);
        }
    })
}

fn not_placeholder(rng: &mut Rng, fmt: Fmt) -> Case {
    not_action_case(rng, fmt, |rng, _, _, doc| {
        let placeholder = *rng.pick(&[
            "{{ action }} ({{ owner }}, due {{ date }})",
            "<describe the action> - <owner> - <due date>",
            "[Action item] [Owner] [Due date]",
            "{{action_item}}",
            "<action>",
        ]);
        if let Some(Block::Bullets(items)) = doc.blocks.last_mut() {
            items.push(Item::new(placeholder));
        }
    })
}
