//! An action's status as its document states it: markers (`[DONE]`, `(in progress)`,
//! `✅`, `TODO:`), status words of columns and group labels, lead-ins ("We have done
//! the following:"), and the tense of the action's own sentence ("We have added",
//! "was introduced", "We will", "We are looking into").
//!
//! Invariant: a status is only read from what the text says; without a marker or a
//! clear tense the answer is `None` (the action's status stays unknown). Words are
//! matched on a lowercased copy, and nothing found there is used to cut the original.

use super::sentences;
use crate::model::ActionStatus;

/// `[DONE]`, `[IN PROGRESS]`, `(Already planned)`, `TODO:`, `DONE -`, `✅`, `[x]`, `[ ]`
/// at the start of the text; the status and the text after the marker.
pub fn leading_marker(text: &str) -> Option<(ActionStatus, String)> {
    let t = text.trim_start();
    for &(glyph, status) in GLYPHS.iter().chain([("[ ]", ActionStatus::Open)].iter()) {
        if let Some(rest) = t.strip_prefix(glyph) {
            return Some((
                status,
                rest.trim_start_matches(['\u{fe0f}', ' ']).to_string(),
            ));
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
    let word_end = t.find([':', '-', '–']).filter(|i| *i <= 14)?;
    // "DONE - ...", "TODO: ...", "Done: ...", "in review: ..." (a word that is not
    // shouted needs the colon).
    let word = t[..word_end].trim();
    let shouted = word
        .chars()
        .all(|c| c.is_uppercase() || c == ' ' || c == '\'' || c == '’');
    let labelled = t[word_end..].starts_with(':');
    let status = status_word(word).filter(|_| shouted || labelled)?;
    Some((
        status,
        t[word_end + 1..]
            .trim_start_matches([':', '-', ' '])
            .to_string(),
    ))
}

/// `(done)`, `(DONE)`, `[in progress]`, `✅` at the end of the text.
pub fn trailing_marker(text: &str) -> Option<(ActionStatus, String)> {
    let t = text.trim_end();
    if let Some((status, rest)) = glyph_at_end(t) {
        return Some((status, rest.trim_end().to_string()));
    }
    // "Add an alert on queue depth — Deployed": a status word after a dash ends it.
    for dash in [" — ", " – ", " -- ", " - "] {
        if let Some(at) = t.rfind(dash)
            && let Some(status) = status_word(&t[at + dash.len()..])
        {
            return Some((status, t[..at].trim_end().to_string()));
        }
    }
    let closing = t.chars().last()?;
    let opening = match closing {
        ')' => '(',
        ']' => '[',
        _ => return None,
    };
    let open = t.rfind(opening)?;
    let status = status_in(&t[open + 1..t.len() - 1])?;
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
pub fn status_word(word: &str) -> Option<ActionStatus> {
    let w = word
        .trim()
        .trim_end_matches([':', '.'])
        .to_lowercase()
        .replace(['_', '-'], " ")
        .replace('’', "'");
    Some(match w.trim() {
        "done" | "complete" | "completed" | "closed" | "fixed" | "resolved" | "finished"
        | "shipped" | "deployed" | "merged" | "implemented" | "released" | "landed" | "yes"
        | "x" | "already done" => ActionStatus::Done,
        "in progress" | "inprogress" | "wip" | "ongoing" | "started" | "in review"
        | "under review" | "doing" | "underway" | "in flight" | "in development" | "partially"
        | "partial" | "partially done" | "partly done" | "partially complete" => {
            ActionStatus::InProgress
        }
        "todo" | "to do" | "open" | "planned" | "already planned" | "not started" | "pending"
        | "new" | "backlog" | "proposed" | "scheduled" | "no" | "raise a ticket"
        | "still to do" | "still open" | "to be done" | "outstanding" | "not yet done"
        | "not done yet" => ActionStatus::Open,
        "wontfix" | "won't fix" | "wont fix" | "will not fix" | "won't do" | "wont do"
        | "declined" | "cancelled" | "canceled" | "dropped" | "rejected" | "abandoned" => {
            ActionStatus::Wontfix
        }
        _ => return None,
    })
}

/// The status a short note states: "done", "✅ Done", "fixed in #4512", "in progress,
/// ETA May", "planned for Q3". Table cells and field values too.
pub fn status_in(note: &str) -> Option<ActionStatus> {
    let note = note.trim();
    if let Some(status) = status_word(note) {
        return Some(status);
    }
    if let Some((status, _)) = leading_marker(note).or_else(|| glyph_at_end(note)) {
        return Some(status);
    }
    let words: Vec<&str> = note
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > 6 {
        return None;
    }
    let two = words.get(..2).map(|w| w.join(" "));
    two.as_deref()
        .and_then(status_word)
        .or_else(|| status_word(words[0]))
        .filter(|_| !matches!(words[0].to_lowercase().as_str(), "yes" | "no" | "new" | "x"))
}

/// Status glyphs of checklists and status columns, read the same before or after an
/// action's text. An empty box is a task not started; the arrows of "syncing" and the
/// hourglass are work under way. Markdown written for GitHub or Slack spells them as
/// shortcodes (":white_check_mark:"), which stay as written in the text.
const GLYPHS: &[(&str, ActionStatus)] = &[
    (":white_check_mark:", ActionStatus::Done),
    (":heavy_check_mark:", ActionStatus::Done),
    (":ballot_box_with_check:", ActionStatus::Done),
    (":white_large_square:", ActionStatus::Open),
    (":construction:", ActionStatus::InProgress),
    (":hourglass:", ActionStatus::InProgress),
    (":hourglass_flowing_sand:", ActionStatus::InProgress),
    (":arrows_counterclockwise:", ActionStatus::InProgress),
    (":x:", ActionStatus::Wontfix),
    ("✅", ActionStatus::Done),
    ("✔", ActionStatus::Done),
    ("☑", ActionStatus::Done),
    ("✓", ActionStatus::Done),
    ("☐", ActionStatus::Open),
    ("⬜", ActionStatus::Open),
    ("🔲", ActionStatus::Open),
    ("◻", ActionStatus::Open),
    ("🚧", ActionStatus::InProgress),
    ("⏳", ActionStatus::InProgress),
    ("⌛", ActionStatus::InProgress),
    ("🔄", ActionStatus::InProgress),
    ("❌", ActionStatus::Wontfix),
    ("✗", ActionStatus::Wontfix),
];

fn glyph_at_end(note: &str) -> Option<(ActionStatus, String)> {
    let t = note.trim_end_matches(['\u{fe0f}', ' ']);
    GLYPHS.iter().find_map(|(glyph, status)| {
        t.strip_suffix(glyph)
            .map(|rest| (*status, rest.to_string()))
    })
}

/// "Planned:", "In Progress:", "Done", "Completed" as a label over a group of actions.
pub fn group_label(text: &str) -> Option<ActionStatus> {
    let t = text.trim();
    if t.split_whitespace().count() > 3 {
        return None;
    }
    status_word(t)
}

/// The status a lead-in paragraph gives the list after it: "We have done the
/// following:" (done), "The team will conduct the following actions." (open), "We are
/// working on these:" (in progress). "We have identified several areas to improve:"
/// says nothing about the items.
pub fn lead_in(text: &str) -> Option<ActionStatus> {
    if let Some(status) = group_label(text) {
        return Some(status);
    }
    let sents = sentences::split(text);
    let sentence = sents
        .iter()
        .find(|(_, s)| s.to_lowercase().contains("following"))
        .or(sents.last())
        .map(|(_, s)| *s)?;
    let lower = apostrophes(sentence.to_lowercase());
    let words = words(&lower);
    for (i, w) in words.iter().enumerate() {
        let next = |k: usize| words.get(i + k).copied().unwrap_or("");
        match *w {
            "will" | "we'll" | "shall" => return Some(ActionStatus::Open),
            "going" | "plan" | "plans" | "planning" | "intend" if next(1) == "to" => {
                return Some(ActionStatus::Open);
            }
            "has" | "have" | "had" | "we've" => {
                // "have been taken", "have already done", "have made these changes".
                let done = (1..=3).any(|k| DONE_LEAD_VERBS.contains(&next(k)));
                if done {
                    return Some(ActionStatus::Done);
                }
            }
            "we" | "team" if DONE_LEAD_VERBS.contains(&next(1)) => {
                return Some(ActionStatus::Done);
            }
            "are" | "we're" | "is" if next(1) == "working" || next(1) == "currently" => {
                return Some(ActionStatus::InProgress);
            }
            _ => {}
        }
    }
    None
}

/// Verbs of a lead-in that reports the listed work as done.
const DONE_LEAD_VERBS: &[&str] = &[
    "done",
    "did",
    "taken",
    "took",
    "completed",
    "implemented",
    "made",
    "deployed",
    "applied",
    "carried",
    "put",
    "fixed",
    "shipped",
    "introduced",
    "added",
    "performed",
];

/// Subordinate clauses start here; a tense after them is not the action's own.
const CLAUSE_BREAKS: &[&str] = &[
    "that", "which", "who", "whom", "whose", "where", "so", "because", "since", "until", "unless",
    "while", "whereby", "although", "though", "if", "when", "once", "after", "before", "whether",
    "as", "sure", "ensure", "verify", "but",
];

/// Participles that say what befell something ("the response was delayed"): a passive
/// of one of these reports the incident, never finished work.
const MISHAPS: &[&str] = &[
    "delayed",
    "affected",
    "impacted",
    "missed",
    "lost",
    "broken",
    "degraded",
    "interrupted",
    "exhausted",
    "overloaded",
    "stuck",
    "caused",
    "triggered",
    "corrupted",
    "failed",
];

/// Words that open a sentence with its subject rather than with a verb.
const DETERMINERS: &[&str] = &[
    "the", "a", "an", "all", "any", "each", "every", "our", "their", "its", "these", "those",
    "some", "most", "affected", "two", "three", "four", "five",
];

/// Openers of a conditional or temporal clause ("If the fix does not help, the loop
/// will be profiled"): the action's own tense comes after its comma.
const CONDITIONAL_OPENERS: &[&str] = &[
    "if", "when", "once", "unless", "before", "after", "until", "while", "should", "in", "going",
    "moving", "as",
];

/// Adverbs that may stand between an auxiliary and its verb, or open an item.
const ADVERBS: &[&str] = &[
    "also",
    "then",
    "now",
    "already",
    "still",
    "currently",
    "actively",
    "successfully",
    "immediately",
    "quickly",
    "fully",
    "temporarily",
    "permanently",
    "manually",
    "automatically",
    "subsequently",
    "finally",
    "later",
    "eventually",
    "since",
    "recently",
    "partially",
    "largely",
];

/// Participles used as adjectives at the head of a noun phrase ("Automated alerts for
/// ...", "Improved dashboards"): an item starting with one is not a report of work done.
const ADJECTIVAL: &[&str] = &[
    "automated",
    "dedicated",
    "detailed",
    "advanced",
    "distributed",
    "centralized",
    "centralised",
    "unified",
    "structured",
    "limited",
    "related",
    "scheduled",
    "targeted",
    "enhanced",
    "increased",
    "improved",
    "expanded",
    "extended",
    "integrated",
    "shared",
    "combined",
    "continued",
    "sustained",
    "tailored",
    "required",
    "expected",
    "unexpected",
    "isolated",
    "coordinated",
    "managed",
    "hosted",
    "nested",
    "embedded",
    "reserved",
    "preferred",
    "signed",
    "versioned",
    "encrypted",
    "weighted",
    "staged",
    "tiered",
    "layered",
    "guided",
    "based",
    "red",
    "proposed",
    "suggested",
    "recommended",
    "planned",
];

/// Irregular participles and past forms.
const IRREGULAR_PAST: &[&str] = &[
    "done",
    "made",
    "built",
    "rebuilt",
    "set",
    "put",
    "run",
    "ran",
    "sent",
    "written",
    "wrote",
    "rewritten",
    "taken",
    "took",
    "shut",
    "begun",
    "began",
    "given",
    "gave",
    "found",
    "brought",
    "kept",
    "held",
    "led",
    "left",
    "told",
    "split",
    "cut",
    "spun",
    "undone",
    "rolled",
    "bought",
];

/// Irregular past forms that are not also the bare verb ("Built a canary stage" is a
/// report; "Set up a canary stage" could be either).
const IRREGULAR_PAST_ONLY: &[&str] = &[
    "done",
    "made",
    "built",
    "rebuilt",
    "sent",
    "written",
    "wrote",
    "rewritten",
    "taken",
    "took",
    "begun",
    "began",
    "given",
    "gave",
    "found",
    "brought",
    "kept",
    "held",
    "left",
    "told",
    "spun",
    "bought",
];

/// The status the tense of the action's first sentence gives: done for past and
/// perfect ("We have added", "Removed X", "was introduced", "has been disabled"), open
/// for future and plans ("will", "are going to", "were to be"), in progress for an
/// ongoing statement ("We are improving", "is being rolled out"). `None` for
/// imperatives, gerunds, noun phrases and modals ("should", "need to").
pub fn from_tense(text: &str) -> Option<ActionStatus> {
    let sents = sentences::split(text);
    let first = sents.first().map_or(text, |(_, s)| *s);
    let lower = apostrophes(strip_item_label(first).to_lowercase());
    let words = words(&lower);
    // "Raise a ticket to ...", "File a ticket for ...": the work is still to be done.
    if matches!(words.first(), Some(&("raise" | "file" | "open" | "create")))
        && matches!(words.get(1), Some(&("a" | "an")))
        && matches!(words.get(2), Some(&("ticket" | "issue" | "bug" | "jira")))
    {
        return Some(ActionStatus::Open);
    }
    let mut start = 0;
    // "If steps 1 and 2 do not help, the loop will be profiled": skip the condition.
    if words
        .first()
        .is_some_and(|w| CONDITIONAL_OPENERS.contains(w))
        && let Some(comma) = words.iter().position(|w| *w == ",")
    {
        start = comma + 1;
    }
    // "Temporarily doubled the rewards": adverbs before the verb.
    while words
        .get(start)
        .is_some_and(|w| ADVERBS.contains(w) || (w.ends_with("ly") && w.len() > 4))
    {
        start += 1;
    }
    match scan(&words, start) {
        Scan::Found(status) => Some(status),
        Scan::Modal => None,
        // "Removed the legacy team", "Documented and published".
        Scan::Nothing => words
            .get(start)
            .is_some_and(|w| initial_past(w))
            .then_some(ActionStatus::Done),
    }
}

/// What a scan of a sentence's main clause found.
enum Scan {
    Found(ActionStatus),
    /// A modal ("should", "need to"): the sentence proposes, it reports nothing.
    Modal,
    Nothing,
}

fn scan(words: &[&str], start: usize) -> Scan {
    use ActionStatus::*;
    let at = |i: usize| words.get(i).copied().unwrap_or("");
    // The word after `i`, skipping adverbs.
    let after = |i: usize| {
        let mut j = i + 1;
        while ADVERBS.contains(&at(j)) {
            j += 1;
        }
        j
    };
    for i in start..words.len() {
        let w = at(i);
        if i > start && CLAUSE_BREAKS.contains(&w) {
            // "The owners who were liquidated will be compensated": after a relative
            // clause on a subject, the main clause's future is still the action's.
            let subject_first = DETERMINERS.contains(&at(start));
            let relative = matches!(w, "who" | "which" | "that");
            let future = words[i..].iter().any(|w| matches!(*w, "will" | "shall"));
            return if subject_first && relative && future {
                Scan::Found(Open)
            } else {
                Scan::Nothing
            };
        }
        match w {
            "will" | "shall" | "we'll" | "i'll" | "they'll" => {
                return if at(i + 1) == "not" {
                    Scan::Modal
                } else {
                    Scan::Found(Open)
                };
            }
            "won't" | "should" | "must" | "need" | "needs" | "could" | "might" | "may"
            | "would" | "can" => return Scan::Modal,
            "to" if at(i + 1) == "be"
                && matches!(at(i.wrapping_sub(1)), "was" | "were" | "is" | "are") =>
            {
                return Scan::Found(Open);
            }
            "going" | "plan" | "plans" | "planning" | "planned" | "intend" | "intends"
                if at(i + 1) == "to" =>
            {
                return Scan::Found(Open);
            }
            "are" | "is" | "am" | "we're" | "i'm" | "they're" => {
                let j = after(i);
                let verb = at(j);
                if verb == "being" && past_form(at(j + 1)) {
                    return Scan::Found(InProgress);
                }
                if verb == "to" && at(j + 1) == "be" {
                    return Scan::Found(Open);
                }
                if verb.ends_with("ing") && verb.len() > 4 && verb != "going" {
                    return Scan::Found(if verb == "planning" { Open } else { InProgress });
                }
                if at(i + 1) == "now" && past_form(verb) {
                    return Scan::Found(Done);
                }
            }
            "has" | "have" | "had" | "we've" | "i've" | "they've" => {
                if at(i + 1) == "to" {
                    return Scan::Modal;
                }
                // "We have for several years enabled", "has been disabled".
                for k in 1..=4 {
                    let v = at(i + k);
                    if ADVERBS.contains(&v) {
                        continue;
                    }
                    if v == "been" {
                        if past_form(at(after(i + k))) {
                            return Scan::Found(Done);
                        }
                        break;
                    }
                    if past_form(v) {
                        return Scan::Found(Done);
                    }
                    if v == "," || v.is_empty() || CLAUSE_BREAKS.contains(&v) {
                        break;
                    }
                }
            }
            "was" | "were" => {
                let j = after(i);
                if at(j) == "to" && at(j + 1) == "be" {
                    return Scan::Found(Open);
                }
                // "was delayed", "were affected": what happened to it, not work done.
                if past_form(at(j)) && !MISHAPS.contains(&at(j)) {
                    return Scan::Found(Done);
                }
            }
            "we" | "i" | "they" | "team" => {
                let j = after(i);
                let verb = at(j);
                let subject = w != "team" || matches!(at(i.wrapping_sub(1)), "the" | "our");
                if subject && verb.ends_with("ed") && past_form(verb)
                    || subject && IRREGULAR_PAST.contains(&verb) && verb != "run" && verb != "set"
                {
                    return Scan::Found(Done);
                }
            }
            _ => {}
        }
    }
    Scan::Nothing
}

/// "Removed the legacy team", "Documented and published": an item opening with a past
/// form reports work done. Participles used as adjectives do not count.
fn initial_past(word: &str) -> bool {
    if ADJECTIVAL.contains(&word) {
        return false;
    }
    IRREGULAR_PAST_ONLY.contains(&word) || (word.ends_with("ed") && past_form(word))
}

/// A past participle or past form: regular "-ed" forms (not "need", "speed", "bed")
/// and the common irregular ones.
fn past_form(word: &str) -> bool {
    // "rate-limited", "re-enabled": the last part carries the tense.
    let word = word.rsplit('-').next().unwrap_or(word);
    if IRREGULAR_PAST.contains(&word) {
        return true;
    }
    word.len() >= 4
        && word.ends_with("ed")
        && word.chars().all(|c| c.is_ascii_alphabetic())
        && (!word.ends_with("eed") || matches!(word, "agreed" | "freed" | "guaranteed"))
        && !matches!(word, "hundred" | "sacred" | "naked" | "wicked" | "kindred")
}

/// Typographic apostrophes as ASCII ones ("we’ll" is "we'll").
fn apostrophes(text: String) -> String {
    if text.contains('’') {
        text.replace('’', "'")
    } else {
        text
    }
}

/// "[ana] Add alerting", "Bug bounty: We will ...", "Hypha + ICL: Investigate ...": the
/// tag or short label before the action's sentence.
fn strip_item_label(text: &str) -> &str {
    let mut t = text.trim_start();
    if t.starts_with('[')
        && let Some(close) = t.find(']')
    {
        t = t[close + 1..].trim_start();
    }
    if let Some(colon) = t.find(':')
        && t[..colon].split_whitespace().count() <= 4
        && !t[colon + 1..].trim().is_empty()
    {
        t = t[colon + 1..].trim_start();
    }
    t
}

/// The words of lowercased text, commas kept as their own tokens and other punctuation
/// dropped.
fn words(lower: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for raw in lower.split_whitespace() {
        let comma = raw.ends_with(',') || raw.ends_with(';');
        let w = raw.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’');
        let w = w.trim_matches(['\'', '’']);
        if !w.is_empty() {
            out.push(w);
        }
        if comma {
            out.push(",");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use ActionStatus::*;

    #[test]
    fn status_labels_may_be_lowercase_or_curly_and_may_follow_a_dash() {
        let lead = |t: &str| leading_marker(t).map(|(s, rest)| (s, rest));
        assert_eq!(
            lead("in review: Tune the cache TTL"),
            Some((InProgress, "Tune the cache TTL".to_string()))
        );
        assert_eq!(lead("wontfix: Drop the v1 API").map(|x| x.0), Some(Wontfix));
        assert_eq!(
            lead("Won’t fix: Drop the v1 API").map(|x| x.0),
            Some(Wontfix)
        );
        assert_eq!(lead("done: Split the config").map(|x| x.0), Some(Done));
        // A hyphenated verb is not a label.
        assert_eq!(lead("Re-enable the canary stage"), None);
        assert_eq!(
            trailing_marker("Add a disk alert — Deployed"),
            Some((Done, "Add a disk alert".to_string()))
        );
        assert_eq!(trailing_marker("Add a disk alert — ana"), None);
    }

    /// A status column of glyphs: the sync arrows are work under way, an empty box
    /// work not started, whichever side of the text they stand.
    #[test]
    fn status_glyphs_for_work_under_way_and_not_started_are_read() {
        assert_eq!(status_in("🔄"), Some(InProgress));
        assert_eq!(status_in(":white_check_mark:"), Some(Done));
        assert_eq!(status_in(":construction: started"), Some(InProgress));
        assert_eq!(
            trailing_marker("Alert on bounce rate :x:"),
            Some((Wontfix, "Alert on bounce rate".to_string()))
        );
        assert_eq!(status_in("⬜"), Some(Open));
        assert_eq!(status_in("✔\u{fe0f}"), Some(Done));
        assert_eq!(
            leading_marker("🔄 Add a cleanup job"),
            Some((InProgress, "Add a cleanup job".to_string()))
        );
        assert_eq!(
            trailing_marker("Add a cleanup job ⬜"),
            Some((Open, "Add a cleanup job".to_string()))
        );
    }

    #[test]
    fn a_still_to_do_label_opens_the_list_below_it() {
        assert_eq!(lead_in("Still to do:"), Some(Open));
        assert_eq!(lead_in("Outstanding:"), Some(Open));
    }

    #[test]
    fn raising_a_ticket_is_work_still_to_do() {
        assert_eq!(
            from_tense("Raise a ticket to move the export off the primary."),
            Some(Open)
        );
        assert_eq!(from_tense("File an issue for the flaky test."), Some(Open));
        // What happened, not what was done.
        assert_eq!(
            from_tense("Paging worked, but our reply to it was delayed."),
            None
        );
        assert_eq!(from_tense("Our reply to the page was delayed."), None);
        assert_eq!(from_tense("The stale flag was removed."), Some(Done));
    }

    #[test]
    fn past_and_perfect_tense_report_work_done() {
        for text in [
            "We have added an alert on queue depth.",
            "The flag has been disabled in all regions.",
            "Removed the legacy admin group from the org.",
            "[ops] Temporarily doubled the disk quota",
            "A read replica was introduced for reporting",
            "Stale sessions were purged at 10:00.",
            "The cron job was shut down.",
            "We rotated every key the same day.",
            "We have for two years required hardware keys.",
            "We have since added a retry budget.",
            "Documented and published the runbook",
            "We have rate-limited retries from the batch client.",
        ] {
            assert_eq!(from_tense(text), Some(Done), "{text}");
        }
    }

    #[test]
    fn future_and_planned_wording_is_open() {
        for text in [
            "We will add an alert on queue depth.",
            "We'll publish a fuller write-up next week.",
            "Old clients were to be blocked at the edge.",
            "All merges will require two approvals.",
            "If caching does not help, the query planner will be tuned.",
            "Pager: We are going to add a second on-call tier.",
            "The users who lost data during the window will be contacted.",
        ] {
            assert_eq!(from_tense(text), Some(Open), "{text}");
        }
    }

    #[test]
    fn ongoing_statements_are_in_progress() {
        for text in [
            "We are improving the onboarding guide.",
            "Retries: We are looking into jittered backoff.",
            "The new index is being rolled out.",
        ] {
            assert_eq!(from_tense(text), Some(InProgress), "{text}");
        }
    }

    #[test]
    fn imperatives_gerunds_noun_phrases_and_modals_say_nothing() {
        for text in [
            "Add an alert on queue depth",
            "Re-enabling the cache warmer",
            "Automated alerts for disk usage",
            "Improved dashboards for the edge",
            "We should have alerting on config load failures.",
            "Create monitoring so that when the job stalls someone is paged",
            "Add a check that will catch a stale flag",
            "Before retrying, ensure the old run is not reverted",
            "Speed up the build",
            "Check every bucket and make sure we've moved it before the cutover",
        ] {
            assert_eq!(from_tense(text), None, "{text}");
        }
    }

    #[test]
    fn lead_ins_give_their_list_a_status() {
        assert_eq!(lead_in("We have done the following:"), Some(Done));
        assert_eq!(lead_in("These changes have been made:"), Some(Done));
        assert_eq!(
            lead_in("The team will carry out the following actions. Those are:"),
            Some(Open)
        );
        assert_eq!(lead_in("Completed:"), Some(Done));
        assert_eq!(
            lead_in("We have identified several areas to improve:"),
            None
        );
    }

    #[test]
    fn markers_and_status_words_are_read() {
        assert_eq!(
            leading_marker("(Already planned) Build a status page").map(|(s, t)| (s, t)),
            Some((Open, "Build a status page".to_string()))
        );
        assert_eq!(
            leading_marker("[ ] Rotate keys").map(|(s, _)| s),
            Some(Open)
        );
        assert_eq!(status_word("In review"), Some(InProgress));
        assert_eq!(status_word("Won't do"), Some(Wontfix));
        assert_eq!(status_word("Merged"), Some(Done));
        assert_eq!(status_in("✅ Done"), Some(Done));
        assert_eq!(status_in("fixed in #4512"), Some(Done));
        assert_eq!(status_in("In progress, ETA May"), Some(InProgress));
        assert_eq!(status_in("no owner yet"), None);
        assert_eq!(
            trailing_marker("Pin the base image (merged 2024-03-02)").map(|(s, t)| (s, t)),
            Some((Done, "Pin the base image".to_string()))
        );
        assert_eq!(
            leading_marker("Done: rotate the keys").map(|(s, t)| (s, t)),
            Some((Done, "rotate the keys".to_string()))
        );
        assert_eq!(leading_marker("Fix-up the docs"), None);
        assert_eq!(
            leading_marker("✔️ Rotate keys").map(|(_, t)| t),
            Some("Rotate keys".into())
        );
    }
}
