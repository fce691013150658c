//! Pairs the actions of a new version of a document with the actions stored from the
//! last one, so an action keeps its id, tracked values and history when its line is
//! reworded, given an owner or a due date, or has a typo fixed.
//!
//! An action's extracted id is a hash of its text, so any edit changes it; the stored
//! action is found again here by what its text says instead. Texts are compared as
//! words with the owner, the ticket, the due date and the labels around them left out, so adding `— @jane, due 2025-03-01` changes nothing. Words count fully when
//! equal and partly when close (a typo), and a pair scores the share of words the two
//! texts have in common (a Dice coefficient).
//!
//! The assignment is greedy by best score, so each stored action goes to the new one
//! most like it: two actions trading places each keep their own, and an action split in
//! two keeps its history on the closer part. First, pairs alike wherever they stand in
//! the document ([`ANYWHERE`]); then an action still unpaired may take a less alike one
//! that stands in the same place between actions already paired ([`SAME_PLACE`]), which
//! is what a rewording looks like. Ties go to the pair whose positions are closest.
//!
//! Invariant: pure and deterministic; each stored and each new action is in at most one
//! pair; a pair's score is at least [`SAME_PLACE`].

/// Least score for a pair wherever the two stand: most words in common.
pub const ANYWHERE: f64 = 0.5;
/// Least score for a pair standing in the same place between paired actions.
pub const SAME_PLACE: f64 = 0.25;

/// What the matcher needs of one action, stored or new.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub text: &'a str,
    pub owner: Option<&'a str>,
    pub ticket: Option<&'a str>,
    /// YYYY-MM-DD.
    pub due: Option<&'a str>,
    /// Index in its version of the document.
    pub position: usize,
    /// A stored action no longer in its document: it can come back, but a live
    /// action alike to the same degree is preferred.
    pub removed: bool,
}

/// For each new action, the index of the stored action it continues, if any.
pub fn pair(old: &[Side<'_>], new: &[Side<'_>]) -> Vec<Option<usize>> {
    let old_words: Vec<Words> = old.iter().map(Words::of).collect();
    let new_words: Vec<Words> = new.iter().map(Words::of).collect();
    let mut of_new: Vec<Option<usize>> = vec![None; new.len()];
    let mut taken = vec![false; old.len()];

    // Unchanged texts first (the common case, and it leaves few pairs to score): in
    // document order, live actions before removed ones.
    let mut by_key: std::collections::HashMap<&str, Vec<usize>> = Default::default();
    let mut order: Vec<usize> = (0..old.len()).collect();
    order.sort_by_key(|&i| (old[i].removed, old[i].position));
    for i in order {
        by_key.entry(old_words[i].key.as_str()).or_default().push(i);
    }
    for (j, w) in new_words.iter().enumerate() {
        if let Some(list) = by_key.get_mut(w.key.as_str())
            && !list.is_empty()
        {
            let i = list.remove(0);
            of_new[j] = Some(i);
            taken[i] = true;
        }
    }

    // Alike wherever they stand.
    let mut candidates = Vec::new();
    for (j, nw) in new_words.iter().enumerate() {
        if of_new[j].is_some() {
            continue;
        }
        for (i, ow) in old_words.iter().enumerate() {
            if taken[i] {
                continue;
            }
            let score = ow.similarity(nw);
            if score >= SAME_PLACE {
                candidates.push(Candidate {
                    score,
                    removed: old[i].removed,
                    distance: old[i].position.abs_diff(new[j].position),
                    old: i,
                    new: j,
                });
            }
        }
    }
    candidates.sort_by(Candidate::order);
    assign(
        candidates.iter().filter(|c| c.score >= ANYWHERE),
        &mut of_new,
        &mut taken,
    );

    // Alike enough, in the same place: between the same paired live actions.
    let in_place: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| !c.removed && same_place(c, old, new, &of_new))
        .collect();
    assign(in_place.into_iter(), &mut of_new, &mut taken);
    of_new
}

/// A possible pair.
struct Candidate {
    score: f64,
    removed: bool,
    distance: usize,
    old: usize,
    new: usize,
}

impl Candidate {
    /// Best first: higher score, then live before removed, then closer positions, then
    /// document order (so the result never depends on the sort's stability).
    fn order(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
        b.score
            .total_cmp(&a.score)
            .then(a.removed.cmp(&b.removed))
            .then(a.distance.cmp(&b.distance))
            .then(a.new.cmp(&b.new))
            .then(a.old.cmp(&b.old))
    }
}

fn assign<'c>(
    candidates: impl Iterator<Item = &'c Candidate>,
    of_new: &mut [Option<usize>],
    taken: &mut [bool],
) {
    for c in candidates {
        if of_new[c.new].is_none() && !taken[c.old] {
            of_new[c.new] = Some(c.old);
            taken[c.old] = true;
        }
    }
}

/// Whether the stored action stands, among the stored live actions, between the
/// stored partners of the paired new actions nearest before and after the new one.
fn same_place(c: &Candidate, old: &[Side<'_>], new: &[Side<'_>], of_new: &[Option<usize>]) -> bool {
    let partner = |j: usize| {
        of_new[j]
            .filter(|&i| !old[i].removed)
            .map(|i| old[i].position)
    };
    let here = new[c.new].position;
    let before = (0..new.len())
        .filter(|&j| new[j].position < here)
        .filter_map(|j| partner(j).map(|p| (new[j].position, p)))
        .max()
        .map(|(_, p)| p);
    let after = (0..new.len())
        .filter(|&j| new[j].position > here)
        .filter_map(|j| partner(j).map(|p| (new[j].position, p)))
        .min()
        .map(|(_, p)| p);
    let at = old[c.old].position;
    before.is_none_or(|b| b < at) && after.is_none_or(|a| at < a)
}

/// Short words that carry no meaning of their own in an action's text, and the labels
/// that introduce an owner, a due date or a ticket.
const IGNORED: &[&str] = &[
    "a",
    "an",
    "the",
    "to",
    "of",
    "for",
    "in",
    "on",
    "at",
    "by",
    "and",
    "or",
    "with",
    "from",
    "into",
    "is",
    "are",
    "be",
    "we",
    "our",
    "it",
    "its",
    "this",
    "that",
    "as",
    "so",
    "will",
    "owner",
    "owners",
    "assignee",
    "assigned",
    "dri",
    "responsible",
    "due",
    "date",
    "deadline",
    "eta",
    "ticket",
];

/// Month names, left out of an action that has a due date.
const MONTHS: [[&str; 2]; 12] = [
    ["jan", "january"],
    ["feb", "february"],
    ["mar", "march"],
    ["apr", "april"],
    ["may", "may"],
    ["jun", "june"],
    ["jul", "july"],
    ["aug", "august"],
    ["sep", "september"],
    ["oct", "october"],
    ["nov", "november"],
    ["dec", "december"],
];

/// The words a due date (YYYY-MM-DD) can be written with: its year (four or two
/// digits), month (number, with or without a zero, or name) and day (also "1st").
fn due_words(due: &str) -> Vec<String> {
    let mut parts = due.split('-');
    let (Some(year), Some(month), Some(day)) = (parts.next(), parts.next(), parts.next()) else {
        return Vec::new();
    };
    let mut words = vec![year.to_string(), year.get(2..).unwrap_or("").to_string()];
    for part in [month, day] {
        words.push(part.to_string());
        words.push(part.trim_start_matches('0').to_string());
    }
    let day = day.trim_start_matches('0');
    let suffix = match day {
        "1" | "21" | "31" => "st",
        "2" | "22" => "nd",
        "3" | "23" => "rd",
        _ => "th",
    };
    words.push(format!("{day}{suffix}"));
    if let Some(names) = month
        .parse::<usize>()
        .ok()
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
    {
        words.extend(names.iter().map(|n| n.to_string()));
        if month == "09" {
            words.push("sept".into());
        }
    }
    words
}

/// Lowercase words of a text: letters and digits, split at everything else.
fn split(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The words of one action that say what is to be done.
struct Words {
    words: Vec<String>,
    /// Each word's character pairs, for judging near misses.
    pairs: Vec<Vec<(char, char)>>,
    /// The words joined: equal keys mean the same action, unchanged.
    key: String,
}

impl Words {
    fn of(side: &Side<'_>) -> Words {
        let mut fields: Vec<String> = [side.owner, side.ticket]
            .into_iter()
            .flatten()
            .flat_map(split)
            .collect();
        fields.extend(side.due.map(due_words).unwrap_or_default());
        let mut words: Vec<String> = split(side.text)
            .filter(|w| !fields.contains(w) && !IGNORED.contains(&w.as_str()))
            .collect();
        if words.is_empty() {
            // An action that is nothing but a name or a date is still itself.
            words = split(side.text).collect();
        }
        let pairs = words.iter().map(|w| char_pairs(w)).collect();
        let key = words.join(" ");
        Words { words, pairs, key }
    }

    /// How alike two texts are, 0 to 1: twice the weight of the words they share over
    /// the number of words in both. Each word is paired at most once, best first.
    fn similarity(&self, other: &Words) -> f64 {
        let total = self.words.len() + other.words.len();
        if total == 0 {
            return 1.0;
        }
        let mut scores = Vec::new();
        for (a, wa) in self.words.iter().enumerate() {
            for (b, wb) in other.words.iter().enumerate() {
                let s = if wa == wb {
                    1.0
                } else {
                    near_miss(&self.pairs[a], &other.pairs[b])
                };
                if s > 0.0 {
                    scores.push((s, a, b));
                }
            }
        }
        scores.sort_by(|x, y| y.0.total_cmp(&x.0).then((x.1, x.2).cmp(&(y.1, y.2))));
        let mut used_a = vec![false; self.words.len()];
        let mut used_b = vec![false; other.words.len()];
        let mut shared = 0.0;
        for (s, a, b) in scores {
            if !used_a[a] && !used_b[b] {
                used_a[a] = true;
                used_b[b] = true;
                shared += s;
            }
        }
        2.0 * shared / total as f64
    }
}

fn char_pairs(word: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = word.chars().collect();
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Two different words of four letters or more that share most of their character
/// pairs ("alertign", "alerting"; "alerts", "alerting"), scored by the share; 0 otherwise.
fn near_miss(a: &[(char, char)], b: &[(char, char)]) -> f64 {
    if a.len() < 3 || b.len() < 3 {
        return 0.0;
    }
    let mut rest = b.to_vec();
    let mut shared = 0;
    for p in a {
        if let Some(k) = rest.iter().position(|q| q == p) {
            rest.swap_remove(k);
            shared += 1;
        }
    }
    let score = 2.0 * shared as f64 / (a.len() + b.len()) as f64;
    if score >= 0.6 { score } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side(text: &str, position: usize) -> Side<'_> {
        Side {
            text,
            owner: None,
            ticket: None,
            due: None,
            position,
            removed: false,
        }
    }

    fn pairs(old: &[&str], new: &[&str]) -> Vec<Option<usize>> {
        let old: Vec<Side> = old.iter().enumerate().map(|(i, t)| side(t, i)).collect();
        let new: Vec<Side> = new.iter().enumerate().map(|(i, t)| side(t, i)).collect();
        pair(&old, &new)
    }

    #[test]
    fn owner_due_date_and_ticket_do_not_change_what_an_action_says() {
        let old = side("Add alerting on replication lag", 0);
        let new = Side {
            text: "Add alerting on replication lag — @jane, due 2025-03-01 (OPS-1234)",
            owner: Some("@jane"),
            ticket: Some("OPS-1234"),
            due: Some("2025-03-01"),
            ..old
        };
        assert_eq!(Words::of(&old).key, Words::of(&new).key);
        let by = Side {
            due: Some("2025-03-03"),
            ..side("Add alerting on replication lag by March 3rd", 0)
        };
        assert_eq!(Words::of(&old).key, Words::of(&by).key);
        // Without a due date, numbers are part of what the action says.
        let db2 = side("Add alerting on replication lag of db-2", 0);
        assert_ne!(
            Words::of(&db2).key,
            Words::of(&side("Add alerting on replication lag of db-1", 0)).key
        );
    }

    #[test]
    fn a_typo_fix_scores_near_the_top_and_unrelated_texts_near_zero() {
        let a = Words::of(&side("Add alertign on replication lag", 0));
        let b = Words::of(&side("Add alerting on replication lag", 0));
        let c = Words::of(&side("Rotate the TLS certificates", 0));
        assert!(a.similarity(&b) > 0.9, "{}", a.similarity(&b));
        assert_eq!(a.similarity(&c), 0.0);
    }

    #[test]
    fn rewordings_pair_and_new_and_gone_actions_do_not() {
        assert_eq!(
            pairs(
                &[
                    "Add alerting on replication lag",
                    "Rotate the TLS certificates"
                ],
                &[
                    "Page the on-call when replication lag passes a minute",
                    "Write a runbook for failover",
                ],
            ),
            vec![Some(0), None]
        );
    }

    #[test]
    fn actions_trading_places_each_keep_their_own() {
        let old = [
            "Add alerting on replication lag for db-1",
            "Add alerting on replication lag for db-2",
        ];
        assert_eq!(
            pairs(
                &old,
                &[
                    "Add alerting on replication lag of db-2",
                    "Add alerting on replication lag of db-1",
                ]
            ),
            vec![Some(1), Some(0)]
        );
    }

    #[test]
    fn a_split_action_continues_in_its_closer_part() {
        assert_eq!(
            pairs(
                &["Add alerting and a runbook for replication lag"],
                &[
                    "Write a runbook for replication lag",
                    "Add alerting for replication lag",
                ]
            ),
            vec![None, Some(0)]
        );
    }

    #[test]
    fn a_weak_likeness_counts_only_in_the_same_place() {
        let old = [
            "Rotate the TLS certificates",
            "Write a runbook for failover",
            "Add capacity alerts",
        ];
        // In place of the runbook: the same action, reworded.
        let reworded = pairs(
            &old,
            &[
                "Rotate the TLS certificates",
                "Document the failover procedure in the wiki",
                "Add capacity alerts",
            ],
        );
        assert_eq!(reworded, vec![Some(0), Some(1), Some(2)]);
        // Elsewhere, as much alike is not enough.
        let moved = pairs(
            &old,
            &[
                "Document the failover procedure in the wiki",
                "Rotate the TLS certificates",
                "Add capacity alerts",
            ],
        );
        assert_eq!(moved, vec![None, Some(0), Some(2)]);
    }

    #[test]
    fn repeated_texts_pair_in_order_and_live_before_removed() {
        assert_eq!(
            pairs(
                &["Review the runbook", "Review the runbook"],
                &["Review the runbook", "Review the runbook"]
            ),
            vec![Some(0), Some(1)]
        );
        let old = [
            Side {
                removed: true,
                ..side("Review the runbook", 0)
            },
            side("Review the runbook", 1),
        ];
        assert_eq!(pair(&old, &[side("Review the runbook", 0)]), vec![Some(1)]);
    }
}
