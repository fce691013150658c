//! Sentence splitting and whitespace normalisation for running text.
//!
//! Invariant: sentence offsets are byte offsets into the given text, on char
//! boundaries, so callers can map a sentence back to its source line.

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

/// Collapses runs of whitespace (including line breaks) into single spaces.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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

/// Byte offset in `haystack` of the first match of the ASCII `needle` at or after `from`,
/// ignoring ASCII case. The offset is one of `haystack` itself: offsets found in a
/// lowercased copy are not, because lowercasing changes the byte length of some
/// characters (`İ`, the Kelvin sign).
pub fn find_ignore_case(haystack: &str, needle: &str, from: usize) -> Option<usize> {
    debug_assert!(needle.is_ascii());
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    if n.is_empty() || from > h.len() || h.len() - from < n.len() {
        return None;
    }
    // An ASCII needle can only match at a char boundary of the haystack. Candidates
    // are the positions of its first byte in either case, found with memchr.
    let last = h.len() - n.len();
    let (lower, upper) = (n[0].to_ascii_lowercase(), n[0].to_ascii_uppercase());
    memchr::memchr2_iter(lower, upper, &h[from..=last])
        .map(|p| from + p)
        .find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// Cuts text to at most `max` chars at a word boundary, adding an ellipsis when cut.
pub fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{}…", cut.trim_end_matches([',', ';', ':', ' ']))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_insensitive_search_gives_offsets_in_the_original_text() {
        let text = "İİ KK Owner: Ana";
        let at = find_ignore_case(text, "owner:", 0).expect("found");
        assert_eq!(&text[at..at + 6], "Owner:");
        assert_eq!(find_ignore_case(text, "owner:", at + 1), None);
        assert_eq!(find_ignore_case("ab", "abc", 0), None);
    }

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
    fn offsets_point_into_the_text() {
        let text = "One.\nTwo is here.";
        let got = split(text);
        assert_eq!(got[1], (5, "Two is here."));
        assert_eq!(line_at(text, 10, got[1].0), 11);
    }

    #[test]
    fn truncate_cuts_at_a_word() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("one two three four", 12), "one two…");
    }
}
