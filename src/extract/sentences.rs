//! Sentence splitting and whitespace normalisation for running text.
//!
//! Invariant: sentence offsets are byte offsets into the given text, on char
//! boundaries, so callers can map a sentence back to its source line.

// The generic helpers live in `crate::text`; extraction code keeps reaching them here.
pub use crate::text::{collapse, find_ignore_case, truncate};

/// Words whose trailing period does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "etc", "vs", "approx", "dr", "mr", "mrs", "ms", "st", "no", "fig", "jan", "feb",
    "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mon", "tue", "wed",
    "thu", "fri", "sat", "sun", "inc", "ltd", "co", "corp", "est", "cf", "al", "ca",
];

/// Splits text into sentences: `(byte offset, sentence)` pairs, sentences trimmed.
pub fn split(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let boundary = match b {
            b'.' | b'!' | b'?' => ends_sentence(text, i),
            // A blank line always ends a sentence.
            b'\n' => {
                text[i + 1..].starts_with('\n')
                    || text[i + 1..]
                        .trim_start_matches([' ', '\t'])
                        .starts_with('\n')
            }
            _ => false,
        };
        if boundary {
            push(&mut out, text, start, i + 1);
            start = i + 1;
        }
        i += 1;
    }
    push(&mut out, text, start, text.len());
    out
}

fn push<'a>(out: &mut Vec<(usize, &'a str)>, text: &'a str, start: usize, end: usize) {
    let piece = &text[start..end];
    let trimmed = piece.trim_start();
    let offset = start + (piece.len() - trimmed.len());
    let trimmed = trimmed.trim_end();
    if !trimmed.is_empty() {
        out.push((offset, trimmed));
    }
}

/// A `.`, `!` or `?` at byte `i` ends a sentence when whitespace follows and the next
/// word starts like a sentence, and the period does not close an abbreviation or sit
/// inside a number.
fn ends_sentence(text: &str, i: usize) -> bool {
    let after = &text[i + 1..];
    let Some(next) = after.chars().next() else {
        return true;
    };
    if !next.is_whitespace() {
        // "...)." and quotes are handled by the next char being whitespace later.
        return false;
    }
    let rest = after.trim_start();
    let Some(first) = rest.chars().next() else {
        return true;
    };
    if !(first.is_uppercase()
        || first.is_ascii_digit()
        || matches!(first, '"' | '\'' | '(' | '[' | '“' | '‘' | '*' | '•' | '-'))
    {
        return false;
    }
    if text.as_bytes()[i] != b'.' {
        return true;
    }
    let before = &text[..i];
    // "Routing Degradation . Regional": a period standing between spaces is a
    // separator, not the end of a sentence.
    if before.ends_with([' ', '\t']) {
        return false;
    }
    let word: String = before
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '.')
        .collect::<Vec<char>>()
        .into_iter()
        .rev()
        .collect();
    let lower = word.to_lowercase();
    // Single letters are initials ("J. Smith") or list markers.
    if lower.chars().count() == 1 && lower.chars().all(char::is_alphabetic) {
        return false;
    }
    !ABBREVIATIONS.contains(&lower.as_str())
}

/// The line of the byte `offset` inside a text that starts on `first_line`.
pub fn line_at(text: &str, first_line: u32, offset: usize) -> u32 {
    let offset = offset.min(text.len());
    first_line
        + text.as_bytes()[..offset]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_sentence_ends_but_not_abbreviations_or_numbers() {
        let text = "At 16:13 UTC we begin. We start to notice issues, e.g. restarts.\nEstimated 1.21B queries lost. Sept. 18th was fine! Done";
        let got: Vec<&str> = split(text).into_iter().map(|(_, s)| s).collect();
        assert_eq!(
            got,
            [
                "At 16:13 UTC we begin.",
                "We start to notice issues, e.g. restarts.",
                "Estimated 1.21B queries lost.",
                "Sept. 18th was fine!",
                "Done"
            ]
        );
    }

    #[test]
    fn a_period_between_spaces_separates_but_does_not_end_a_sentence() {
        let got: Vec<&str> = split("Routing Degradation . Regional (Paris). Next one.")
            .into_iter()
            .map(|(_, s)| s)
            .collect();
        assert_eq!(
            got,
            ["Routing Degradation . Regional (Paris).", "Next one."]
        );
    }

    #[test]
    fn offsets_point_into_the_text() {
        let text = "One.\nTwo is here.";
        let got = split(text);
        assert_eq!(got[1], (5, "Two is here."));
        assert_eq!(line_at(text, 10, got[1].0), 11);
    }
}
