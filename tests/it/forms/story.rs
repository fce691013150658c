//! The ordinary parts of a generated postmortem around the one form it exercises: a
//! title, a summary, a plain timeline, one root cause and two checkbox actions, each
//! with its expected extraction. They use only the plainest forms, so that a document
//! fails because of its form and not because of its surroundings.

use super::doc::{Doc, Fmt};
use super::expect::{Action, Expected};
use super::rng::Rng;
use super::vocab::{self, Clock, fill};
use aftermath::model::ActionStatus;
use jiff::civil::Date;

/// One generated document and what it must extract to.
pub struct Case {
    /// The file name without extension.
    pub stem: String,
    pub text: String,
    pub expected: Expected,
}

/// The names and texts one document is written with.
pub struct Story {
    pub svc: &'static str,
    pub title: String,
    events: Vec<String>,
    next_event: usize,
    pub cause: String,
    pub actions: Vec<String>,
    next_action: usize,
    pub people: Vec<&'static str>,
}

const SUMMARIES: &[&str] = &[
    "Customers could not use the {svc} for part of the day, and some requests failed outright.",
    "Requests to the {svc} slowed down and then failed for a share of our customers.",
    "Part of the traffic to the {svc} was rejected. No data was lost.",
    "The {svc} stopped answering for many customers, and the support queue filled up quickly.",
    "Some customers saw errors from the {svc} while others saw very slow pages.",
];

impl Story {
    pub fn new(rng: &mut Rng) -> Story {
        let svc = *rng.pick(vocab::SERVICES);
        let title = format!("{} {svc}", rng.pick(vocab::PROBLEMS));
        let events = rng
            .pick_distinct(vocab::EVENTS, 12)
            .into_iter()
            .map(|e| fill(e, svc))
            .collect();
        let actions = rng
            .pick_distinct(vocab::ACTIONS, 8)
            .into_iter()
            .map(|a| fill(a, svc))
            .collect();
        Story {
            svc,
            title,
            events,
            next_event: 0,
            cause: fill(rng.word(vocab::CAUSES), svc),
            actions,
            next_action: 0,
            people: rng.pick_distinct(vocab::PEOPLE, 6),
        }
    }

    /// The next unused event text.
    pub fn event(&mut self) -> String {
        let e = self.events[self.next_event % self.events.len()].clone();
        self.next_event += 1;
        e
    }

    /// The next unused action text.
    pub fn action(&mut self) -> String {
        let a = self.actions[self.next_action % self.actions.len()].clone();
        self.next_action += 1;
        a
    }

    pub fn summary(&self, rng: &mut Rng) -> String {
        fill(rng.word(SUMMARIES), self.svc)
    }

    /// The title and a summary section.
    pub fn open(&self, rng: &mut Rng) -> (Doc, Expected) {
        let mut doc = Doc::new(&self.title);
        doc.h2(rng.word(&["Summary", "Overview", "Incident summary"]))
            .para(&self.summary(rng));
        let expected = Expected {
            title: self.title.clone(),
            ..Expected::default()
        };
        (doc, expected)
    }

    /// A plain timeline: a section of bullets with full dates and times in UTC. Sets
    /// the expected start date.
    pub fn plain_timeline(&mut self, rng: &mut Rng, doc: &mut Doc, exp: &mut Expected) -> Date {
        let d = vocab::date(rng);
        doc.h2("Timeline");
        let n = rng.range(2, 4) as usize;
        let mut items = Vec::new();
        for c in vocab::clocks(rng, n, 1, 18, false) {
            let text = self.event();
            items.push(format!("{} {} UTC - {text}", vocab::iso(d), c.hm()));
            exp.entry(vocab::at(d, c, Some(0)), text);
        }
        doc.bullets(items);
        exp.started = Some(vocab::iso(d));
        d
    }

    /// The root cause section.
    pub fn cause_section(&self, rng: &mut Rng, doc: &mut Doc, exp: &mut Expected) {
        doc.h2(rng.word(&["Root cause", "Root Cause", "Root causes"]))
            .para(&self.cause);
        exp.causes.push(self.cause.clone());
    }

    /// Two checkbox actions, one done and one open.
    pub fn action_section(&mut self, rng: &mut Rng, doc: &mut Doc, exp: &mut Expected) {
        doc.h2(rng.word(&["Action items", "Follow-up actions", "Action Items"]));
        let (a, b) = (self.action(), self.action());
        doc.bullets([format!("[x] {a}"), format!("[ ] {b}")]);
        exp.actions.push(Action::new(a, ActionStatus::Done));
        exp.actions.push(Action::new(b, ActionStatus::Open));
    }

    /// The root cause and action sections.
    pub fn close(&mut self, rng: &mut Rng, doc: &mut Doc, exp: &mut Expected) {
        self.cause_section(rng, doc, exp);
        self.action_section(rng, doc, exp);
    }
}

/// Renders a document into a case with an ordinary file name.
pub fn case(rng: &mut Rng, fmt: Fmt, doc: &Doc, expected: Expected) -> Case {
    let stem = format!("postmortem-{}", rng.range(100, 99_999));
    named_case(rng, fmt, doc, expected, stem)
}

pub fn named_case(rng: &mut Rng, fmt: Fmt, doc: &Doc, expected: Expected, stem: String) -> Case {
    Case {
        stem,
        text: doc.render(fmt, rng),
        expected,
    }
}

/// The day after.
pub fn next_day(d: Date) -> Date {
    d.tomorrow().unwrap()
}

/// A lower-case clause for prose ("the pager fired for the billing API").
pub fn clause(event: &str) -> String {
    let mut c = event.chars();
    match c.next() {
        Some(f) if !event.starts_with("A ") => f.to_lowercase().chain(c).collect(),
        _ => event.to_string(),
    }
}

/// `HH:MM` written in the 12-hour clock with `suffix(pm)` after it.
pub fn twelve_hour(c: Clock) -> (i8, bool) {
    let pm = c.h >= 12;
    let h = match c.h % 12 {
        0 => 12,
        h => h,
    };
    (h, pm)
}
