//! Plain-text helpers that several layers use (extraction, the database's search
//! texts, the CLI, the digest): collapsing whitespace, cutting at a word, finding a
//! word whatever its case, and escaping what a terminal would obey.
//!
//! Invariant: every offset returned or cut at is a char boundary of the text itself,
//! never one found in a lowercased or otherwise changed copy.

use std::borrow::Cow;

/// Collapses runs of whitespace (including line breaks) into single spaces.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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

/// `text` with control characters (and the bidirectional overrides that reorder what a
/// terminal shows) written as `\u{..}` escapes: a file name or a document's text can
/// hold anything, and none of it may move the cursor or recolour the user's terminal.
pub fn printable(text: &str) -> Cow<'_, str> {
    fn hostile(c: char) -> bool {
        c.is_control()
            || matches!(c, '\u{200e}' | '\u{200f}' | '\u{061c}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(hostile) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if hostile(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
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
    fn truncate_cuts_at_a_word() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("one two three four", 12), "one two…");
    }

    #[test]
    fn printable_escapes_control_and_reordering_characters_only() {
        assert!(matches!(
            printable("incidents/2024 outage é.md"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            printable("a\u{1b}[2Jb\u{7}\u{202e}c\u{9b}d\n"),
            r"a\u{1b}[2Jb\u{7}\u{202e}c\u{9b}d\u{a}"
        );
    }
}
