//! Every form of the extraction issue (§2), generated: seeded synthetic postmortems,
//! each exercising one form in each format where it exists, with the exact extraction
//! expected, read through `pipeline::parse` and scored per form and format.
//!
//! A document matches when every expected timeline entry is there with its exact
//! instant, every action with its exact status, owner, due date and ticket, every cause,
//! the title and the start date, and nothing else of any of those kinds. Texts match as
//! the shared scorer matches them (the expected words appear in the extracted text).

mod actions;
mod causes;
mod doc;
mod expect;
mod rng;
mod story;
mod timeline;
mod vocab;

use aftermath::pipeline;
use doc::Fmt;
use rng::Rng;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::Path;
use story::Case;

/// Documents per form and format.
const DOCS: usize = 110;
/// The bar of the extraction issue, per form and format.
const BAR: f64 = 99.0;
const SEED: u64 = 0x0af7_e5_2024;

/// One form of §2 and the formats it exists in.
pub struct Form {
    pub name: &'static str,
    pub formats: &'static [Fmt],
    pub make: fn(&mut Rng, Fmt) -> Case,
}

impl Form {
    pub fn new(
        name: &'static str,
        formats: &'static [Fmt],
        make: fn(&mut Rng, Fmt) -> Case,
    ) -> Form {
        Form {
            name,
            formats,
            make,
        }
    }
}

/// How one form did in one format.
struct Score {
    form: &'static str,
    fmt: Fmt,
    docs: usize,
    distinct: usize,
    exact: usize,
    /// Failures by item kind.
    kinds: Vec<(&'static str, usize)>,
    /// The shortest failing document and what was wrong with it.
    example: Option<(String, String, Vec<String>)>,
}

impl Score {
    fn rate(&self) -> f64 {
        100.0 * self.exact as f64 / self.docs as f64
    }
}

fn all_forms() -> Vec<Form> {
    let mut forms = timeline::forms();
    forms.extend(actions::forms());
    forms.extend(causes::forms());
    forms
}

/// Generates and scores one form in one format.
fn score(index: usize, form: &Form, fmt: Fmt) -> Score {
    let mut rng = Rng::new(SEED ^ ((index as u64) << 8) ^ fmt as u64);
    let mut texts = HashSet::new();
    let mut score = Score {
        form: form.name,
        fmt,
        docs: DOCS,
        distinct: 0,
        exact: 0,
        kinds: Vec::new(),
        example: None,
    };
    for _ in 0..DOCS {
        let case = (form.make)(&mut rng, fmt);
        let name = format!("{}.{}", case.stem, fmt.ext());
        let parsed = pipeline::parse(&name, Path::new(&name), case.text.clone());
        let wrong = expect::mismatches(&case.expected, &parsed.incident);
        texts.insert(case.text.clone());
        if wrong.is_empty() {
            score.exact += 1;
            continue;
        }
        let mut kinds: Vec<&str> = wrong.iter().map(|(k, _)| *k).collect();
        kinds.dedup();
        for k in kinds {
            match score.kinds.iter_mut().find(|(kind, _)| *kind == k) {
                Some((_, n)) => *n += 1,
                None => score.kinds.push((k, 1)),
            }
        }
        let shorter = score
            .example
            .as_ref()
            .is_none_or(|(_, text, _)| case.text.len() < text.len());
        if shorter {
            let lines = wrong.into_iter().map(|(_, line)| line).collect();
            score.example = Some((name, case.text, lines));
        }
    }
    score.distinct = texts.len();
    score
}

fn table(scores: &[Score]) -> String {
    let mut out = String::new();
    let width = scores.iter().map(|s| s.form.len()).max().unwrap_or(10);
    let _ = writeln!(
        out,
        "{:width$}  {:8}  {:>5}  {:>7}  failing kinds",
        "form", "format", "docs", "exact"
    );
    for s in scores {
        let kinds: Vec<String> = s.kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
        let _ = writeln!(
            out,
            "{:width$}  {:8}  {:>5}  {:>6.1}%  {}",
            s.form,
            s.fmt.name(),
            s.docs,
            s.rate(),
            kinds.join(", ")
        );
    }
    out
}

fn examples(scores: &[Score]) -> String {
    let mut out = String::new();
    for s in scores.iter().filter(|s| s.rate() < BAR) {
        let Some((name, text, wrong)) = &s.example else {
            continue;
        };
        let _ = writeln!(out, "--- {} / {} ({name}):", s.form, s.fmt.name());
        for w in wrong {
            let _ = writeln!(out, "  * {w}");
        }
        for line in text.lines() {
            let _ = writeln!(out, "  | {line}");
        }
    }
    out
}

#[test]
fn every_form_of_the_extraction_issue_is_read_exactly() {
    let forms = all_forms();
    let jobs: Vec<(usize, &Form, Fmt)> = forms
        .iter()
        .enumerate()
        .flat_map(|(i, f)| f.formats.iter().map(move |fmt| (i, f, *fmt)))
        .collect();
    // Two threads: the machine has two cores and the documents are independent.
    let (a, b) = jobs.split_at(jobs.len() / 2);
    let scores: Vec<Score> = std::thread::scope(|scope| {
        let first = scope.spawn(|| {
            a.iter()
                .map(|(i, f, fmt)| score(*i, f, *fmt))
                .collect::<Vec<_>>()
        });
        let mut second: Vec<Score> = b.iter().map(|(i, f, fmt)| score(*i, f, *fmt)).collect();
        let mut all = first.join().unwrap();
        all.append(&mut second);
        all
    });
    let report = table(&scores);
    println!("{report}");
    let thin: Vec<String> = scores
        .iter()
        .filter(|s| s.distinct < 100)
        .map(|s| {
            format!(
                "{} / {}: {} distinct documents",
                s.form,
                s.fmt.name(),
                s.distinct
            )
        })
        .collect();
    assert!(
        thin.is_empty(),
        "too few distinct documents:\n{}",
        thin.join("\n")
    );
    let failing: Vec<&Score> = scores.iter().filter(|s| s.rate() < BAR).collect();
    assert!(
        failing.is_empty(),
        "{} of {} form/format pairs read under {BAR}% exactly:\n{report}\n{}",
        failing.len(),
        scores.len(),
        examples(&scores)
    );
}
