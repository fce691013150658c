//! Action ids: a short hash of the incident's slug and the action's normalised text, so
//! an action keeps its id while its markup, punctuation or status marker changes, and
//! the same text twice in one document still gets two ids. The extractor gives them;
//! storage gives them again (`rekey`) when an incident's slug is only settled at store.
//!
//! Invariant: an id depends on the slug and the normalised text only; changing
//! `normalise` or the hash changes the id of every stored action.

use super::{Action, Slug};
use sha2::{Digest, Sha256};
use std::collections::HashMap;

/// Lowercase words only: markup, punctuation and markers do not change an action's id.
pub fn normalise(text: &str) -> String {
    if !text.is_ascii() {
        // Lowercasing changes some characters' length and word boundaries (`İ`, final
        // sigma): the general path, exactly as ids have always been made.
        return text
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
    }
    let mut out = String::with_capacity(text.len());
    let mut gap = false;
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(b.to_ascii_lowercase() as char);
        } else {
            gap = true;
        }
    }
    out
}

/// The stable id of an action: a short hash of the incident slug and normalised text.
pub fn action_id(slug: &Slug, text: &str) -> String {
    id_of_normalised(slug, &normalise(text))
}

/// The id of an action whose text is already normalised.
pub fn id_of_normalised(slug: &Slug, normalised: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hasher = Sha256::new();
    hasher.update(slug.as_str().as_bytes());
    hasher.update([0]);
    hasher.update(normalised.as_bytes());
    let digest = hasher.finalize();
    let mut id = String::with_capacity(12);
    for b in &digest[..6] {
        id.push(HEX[usize::from(b >> 4)] as char);
        id.push(HEX[usize::from(b & 0xf)] as char);
    }
    id
}

/// Ids for a list of action texts: the same text twice in one document (two incidents
/// in one report) still gives distinct, stable ids, the second occurrence numbered.
fn numbered_ids<'a>(texts: impl Iterator<Item = &'a str>, slug: &Slug) -> Vec<String> {
    number_ids(texts.map(|text| action_id(slug, text)))
}

/// The second and later occurrences of an id numbered (`abc123-2`).
pub fn number_ids(ids: impl Iterator<Item = String>) -> Vec<String> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    ids.map(|base| {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalising_ascii_and_other_text_gives_the_same_words() {
        assert_eq!(normalise("Add **alerting**, now!"), "add alerting now");
        assert_eq!(normalise("  --  "), "");
        assert_eq!(normalise("Añadir *alertas* ya"), "añadir alertas ya");
        assert_eq!(
            action_id(&Slug::parse("inc").unwrap(), "Add alerting"),
            "1d211c8b504c"
        );
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
}
