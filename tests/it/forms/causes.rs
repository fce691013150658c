//! Root-cause forms of the extraction issue (§2): sections under their common names,
//! causal sentences when there is no such section, and what is not a cause.

use super::Form;
use super::doc::{Block, Doc, Fmt};
use super::expect::Expected;
use super::rng::Rng;
use super::story::{Case, Story, case};
use super::vocab;

const ALL: &[Fmt] = &[Fmt::Md, Fmt::Rst, Fmt::Txt];

pub fn forms() -> Vec<Form> {
    vec![
        Form::new("cause section under a common name", ALL, named_section),
        Form::new(
            "causal sentences without a cause section",
            ALL,
            causal_sentences,
        ),
        Form::new(
            "not causes: apologies, thanks, quotes, logs",
            ALL,
            not_causes,
        ),
    ]
}

/// The document with `causes` written in place of the usual cause section.
fn cause_case(
    rng: &mut Rng,
    fmt: Fmt,
    causes: fn(&mut Rng, &Story, &mut Doc, &mut Expected),
) -> Case {
    let mut s = Story::new(rng);
    let (mut doc, mut exp) = s.open(rng);
    let _ = s.plain_timeline(rng, &mut doc, &mut exp);
    causes(rng, &s, &mut doc, &mut exp);
    s.action_section(rng, &mut doc, &mut exp);
    case(rng, fmt, &doc, exp)
}

fn cause_sentences(rng: &mut Rng, s: &Story, n: usize) -> Vec<String> {
    rng.pick_distinct(vocab::CAUSES, n)
        .into_iter()
        .map(|c| vocab::fill(c, s.svc))
        .collect()
}

fn named_section(rng: &mut Rng, fmt: Fmt) -> Case {
    cause_case(rng, fmt, |rng, s, doc, exp| {
        doc.h2(rng.word(&[
            "Root cause",
            "Root causes",
            "Root Cause(s)",
            "Cause",
            "Causes",
            "Trigger",
            "Why did it happen?",
            "What went wrong",
            "Contributing factors",
            "Technical details",
            "Analysis",
        ]));
        let n = rng.range(1, 3) as usize;
        let causes = cause_sentences(rng, s, n);
        if n == 1 || rng.chance(30) {
            doc.para(&causes.join(" "));
        } else {
            doc.bullets(causes.iter().cloned());
        }
        exp.causes.extend(causes);
    })
}

/// Noun phrases a causal cue can lead into.
const REASONS: &[&str] = &[
    "a config push that set the connection limit to zero",
    "an expired certificate on the internal load balancer",
    "a schema migration that locked the main table",
    "a retry loop without backoff in the mobile client",
    "a full disk on the primary node",
    "a stale metric read by the autoscaler",
    "a deleted feature flag whose default turned caching off",
];

fn causal_sentences(rng: &mut Rng, fmt: Fmt) -> Case {
    cause_case(rng, fmt, |rng, s, doc, exp| {
        let reason = *rng.pick(REASONS);
        let svc = s.svc;
        let sentence = match rng.below(6) {
            0 => format!("The outage was caused by {reason}."),
            1 => format!("Writes to the {svc} failed because of {reason}."),
            2 => format!("The {svc} went down due to {reason}."),
            3 => format!("The root cause was {reason}."),
            4 => format!("The failure was triggered by {reason}."),
            _ => format!("Requests to the {svc} timed out as a result of {reason}."),
        };
        // Into the summary paragraph, after what it says about impact.
        if let Some(Block::Para(p)) = doc.blocks.get_mut(1) {
            p.push(' ');
            p.push_str(&sentence);
        }
        exp.causes.push(reason.to_string());
    })
}

fn not_causes(rng: &mut Rng, fmt: Fmt) -> Case {
    cause_case(rng, fmt, |rng, s, doc, exp| {
        doc.h2(rng.word(&["Root cause", "Root causes", "Cause"]));
        let cause = cause_sentences(rng, s, 1).remove(0);
        let mut blocks = vec![Block::Para(cause.clone())];
        exp.causes.push(cause);
        let svc = s.svc;
        let noise = [
            Block::Para(
                "We apologise for the disruption this caused to our customers.".to_string(),
            ),
            Block::Para("Thanks to everyone who stayed late to restore service.".to_string()),
            Block::Quote(format!(
                "The whole {svc} dashboard is red, is anyone on it?"
            )),
            Block::Code("ERROR pool exhausted: 0 of 64 connections free".to_string()),
            Block::Para(
                "At first we suspected the network, but packet captures ruled that out."
                    .to_string(),
            ),
        ];
        let n = rng.range(1, 3) as usize;
        blocks.extend(rng.pick_distinct(&noise, n));
        let blocks = rng.pick_distinct(&blocks, blocks.len());
        for b in blocks {
            doc.push(b);
        }
    })
}
