//! What a generated document must extract to, and the exact comparison with what the
//! extractor gave: every expected item found with its exact instant or status and
//! fields, and nothing else of that kind.

use aftermath::model::{ActionStatus, Incident};

/// Whether an extracted text says what was expected: the expected words appear in it,
/// up to case, markup and surrounding punctuation (the shared scorer's rule). Titles
/// are compared whole.
fn says(got: &str, want: &str) -> bool {
    norm(got).contains(&norm(want))
}

#[derive(Clone, Debug)]
pub struct Entry {
    /// As `EventTime::to_at_string` prints it.
    pub at: String,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Action {
    pub text: String,
    pub status: ActionStatus,
    pub owner: Option<String>,
    /// `YYYY-MM-DD`.
    pub due: Option<String>,
    pub ticket: Option<String>,
}

impl Action {
    pub fn new(text: impl Into<String>, status: ActionStatus) -> Action {
        Action {
            text: text.into(),
            status,
            owner: None,
            due: None,
            ticket: None,
        }
    }
}

/// The whole expected extraction of one document.
#[derive(Clone, Debug, Default)]
pub struct Expected {
    pub title: String,
    /// `YYYY-MM-DD`.
    pub started: Option<String>,
    pub timeline: Vec<Entry>,
    /// Phrases, one per cause.
    pub causes: Vec<String>,
    pub actions: Vec<Action>,
}

impl Expected {
    pub fn entry(&mut self, at: String, text: impl Into<String>) {
        self.timeline.push(Entry {
            at,
            text: text.into(),
        });
    }
}

/// Lowercase, markup and quotes removed, whitespace collapsed, and the punctuation a
/// sentence or label ends with trimmed.
pub fn norm(s: &str) -> String {
    let cleaned: String = s
        .chars()
        .map(|c| match c {
            '*' | '`' | '_' => ' ',
            '\u{2018}' | '\u{2019}' => '\'',
            c => c,
        })
        .collect();
    let words = cleaned.split_whitespace().collect::<Vec<_>>().join(" ");
    words
        .trim_matches(|c: char| c.is_whitespace() || ".:;,-\u{2013}\u{2014}".contains(c))
        .to_lowercase()
}

fn owner_norm(s: &str) -> String {
    s.trim().trim_start_matches('@').to_lowercase()
}

/// Which kinds of item a document got wrong, each with a line saying how.
pub fn mismatches(exp: &Expected, got: &Incident) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if norm(&got.title) != norm(&exp.title) || got.title.trim() != got.title {
        out.push((
            "title",
            format!("title {:?}, want {:?}", got.title, exp.title),
        ));
    }
    let started = got.started.map(|d| d.to_string());
    if started != exp.started {
        out.push((
            "started",
            format!("started {started:?}, want {:?}", exp.started),
        ));
    }

    let mut used = vec![false; got.timeline.len()];
    for want in &exp.timeline {
        let hit = got.timeline.iter().enumerate().find(|(i, e)| {
            !used[*i] && e.at.to_at_string() == want.at && says(&e.text, &want.text)
        });
        match hit {
            Some((i, _)) => used[i] = true,
            None => out.push((
                "timeline",
                format!("missed entry {} {:?}", want.at, want.text),
            )),
        }
    }
    for (e, u) in got.timeline.iter().zip(&used) {
        if !u {
            out.push((
                "timeline",
                format!("unexpected entry {} {:?}", e.at.to_at_string(), e.text),
            ));
        }
    }

    let mut used = vec![false; got.root_causes.len()];
    for want in &exp.causes {
        match (0..got.root_causes.len())
            .find(|i| !used[*i] && says(&got.root_causes[*i].text, want))
        {
            Some(i) => used[i] = true,
            None => out.push(("causes", format!("missed cause {:?}", want))),
        }
    }
    for (c, u) in got.root_causes.iter().zip(&used) {
        if !u {
            out.push(("causes", format!("unexpected cause {:?}", c.text)));
        }
    }

    let mut used = vec![false; got.actions.len()];
    for want in &exp.actions {
        let same_text = |i: &usize| !used[*i] && says(&got.actions[*i].text, &want.text);
        let exact = (0..got.actions.len()).filter(same_text).find(|i| {
            let a = &got.actions[*i];
            a.status == want.status
                && a.owner.as_deref().map(owner_norm) == want.owner.as_deref().map(owner_norm)
                && a.due.map(|d| d.to_string()) == want.due
                && a.ticket.as_deref().map(str::trim) == want.ticket.as_deref()
        });
        if let Some(i) = exact {
            used[i] = true;
            continue;
        }
        match (0..got.actions.len()).find(same_text) {
            Some(i) => {
                used[i] = true;
                let a = &got.actions[i];
                out.push((
                    "actions",
                    format!(
                        "action {:?}: got status {} owner {:?} due {:?} ticket {:?}, want {} {:?} {:?} {:?}",
                        want.text,
                        a.status,
                        a.owner,
                        a.due.map(|d| d.to_string()),
                        a.ticket,
                        want.status,
                        want.owner,
                        want.due,
                        want.ticket
                    ),
                ));
            }
            None => out.push(("actions", format!("missed action {:?}", want.text))),
        }
    }
    for (a, u) in got.actions.iter().zip(&used) {
        if !u {
            out.push((
                "actions",
                format!("unexpected action {:?} [{}]", a.text, a.status),
            ));
        }
    }
    out
}

#[test]
fn normalising_ignores_case_markup_and_closing_punctuation() {
    assert_eq!(norm("**Pager** fired."), "pager fired");
    assert_eq!(norm("  Outage begins: "), "outage begins");
    assert_eq!(norm("We\u{2019}ll add it —"), "we'll add it");
}
