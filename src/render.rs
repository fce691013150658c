//! The one place user text becomes HTML. Markdown goes through pulldown-cmark,
//! reStructuredText and plain text through the shared document model; every result
//! then passes through the same ammonia policy and comes out as [`SafeHtml`].
//!
//! Invariant: a [`SafeHtml`] is only ever built by [`sanitize`] or [`escape`]; templates
//! mark nothing else as safe. Links keep only http, https and mailto schemes, no script,
//! style, event handler, inline style or form control survives (a task list's box is a
//! character, [`TASK_OPEN`] or [`TASK_DONE`], not an `<input>`).

use crate::ingest::document::{Block, Document, ListItem};
use crate::model::Format;
use askama::filters::Escaper;
use std::fmt::Write;
use std::sync::LazyLock;

/// HTML that went through the sanitiser (or was escaped), safe to place in a page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SafeHtml(String);

impl SafeHtml {
    /// The HTML text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The HTML text, consumed.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for SafeHtml {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// askama prints a `SafeHtml` without escaping it again.
impl askama::filters::HtmlSafe for SafeHtml {}

static POLICY: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer nofollow"))
        .add_tags(["mark"])
        .add_generic_attributes(["id"])
        .id_prefix(Some("doc-"))
        .add_tag_attributes("td", ["align"])
        .add_tag_attributes("th", ["align"]);
    b
});

/// How an open task-list item is marked: a character, so no `<input>` is needed (a
/// document's author could dress any `<input>` up as a password field).
pub const TASK_OPEN: &str = "\u{2610} ";
/// How a done task-list item is marked.
pub const TASK_DONE: &str = "\u{2611} ";

/// Sanitises arbitrary HTML with the project's single policy.
pub fn sanitize(html: &str) -> SafeHtml {
    SafeHtml(POLICY.clean(html).to_string())
}

/// Escapes plain text for HTML.
pub fn escape(text: &str) -> SafeHtml {
    let mut out = String::with_capacity(text.len() + 16);
    push_escaped(&mut out, text);
    SafeHtml(out)
}

/// Appends `text` escaped with askama's HTML escaper, the one the templates use.
fn push_escaped(out: &mut String, text: &str) {
    // Writing to a String cannot fail.
    let _ = askama::filters::Html.write_escaped_str(out, text);
}

/// Renders a whole stored document from its source: Markdown by its own renderer, the
/// other formats through the shared document model. Without a kept source (incidents
/// imported before sources were stored), its plain text is read as a text document.
pub fn document(format: Format, source: Option<&str>, body: &str) -> SafeHtml {
    document_titled(format, source, body, "")
}

/// Renders a whole stored document like [`document`], leaving out its first block when
/// that is a heading saying `title`: the page shows the title once, above the document.
pub fn document_titled(format: Format, source: Option<&str>, body: &str, title: &str) -> SafeHtml {
    // A bug in a front end or the renderer costs this document its layout, not the
    // page: it is then shown as written.
    std::panic::catch_unwind(|| match (format, source) {
        (Format::Markdown, Some(source)) => markdown_titled(strip_front_matter(source), title),
        (format, Some(source)) => {
            let mut doc = crate::ingest::document(format, source);
            drop_title(&mut doc, title);
            from_model(&doc)
        }
        (_, None) => {
            let mut doc = crate::ingest::document(Format::Text, body);
            drop_title(&mut doc, title);
            from_model(&doc)
        }
    })
    .unwrap_or_else(|_| {
        tracing::error!("rendering a document failed; it is shown as plain text");
        let mut out = String::from("<pre>");
        push_escaped(&mut out, source.unwrap_or(body));
        out.push_str("</pre>");
        SafeHtml(out)
    })
}

/// Markdown (CommonMark with GFM tables, task lists, strikethrough) to safe HTML.
pub fn markdown(text: &str) -> SafeHtml {
    markdown_titled(text, "")
}

/// Markdown to safe HTML without its first block when that is a heading saying `title`.
fn markdown_titled(text: &str, title: &str) -> SafeHtml {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES;
    let mut events: Vec<Event<'_>> = Parser::new_ext(text, options)
        .map(|event| match event {
            Event::TaskListMarker(done) => {
                Event::Text(if done { TASK_DONE } else { TASK_OPEN }.into())
            }
            other => other,
        })
        .collect();
    if matches!(events.first(), Some(Event::Start(Tag::Heading { .. })))
        && let Some(end) = events
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::Heading(_))))
    {
        let heading: String = events[..end]
            .iter()
            .filter_map(|e| match e {
                Event::Text(t) | Event::Code(t) => Some(t.as_ref()),
                _ => None,
            })
            .collect();
        if says_title(&heading, title) {
            events.drain(..=end);
        }
    }
    let mut out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    sanitize(&out)
}

/// Removes the document's first block when it is a heading saying `title`.
fn drop_title(doc: &mut Document, title: &str) {
    if let Some(Block::Heading(h)) = doc.blocks.first()
        && says_title(&h.text, title)
    {
        doc.blocks.remove(0);
    }
}

/// Whether a heading says the title: the same words, or the title's words inside it
/// ("Postmortem: DNS outage" says "DNS outage"; "Summary" does not say "Summary of
/// the outage").
fn says_title(heading: &str, title: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    };
    let (heading, title) = (words(heading), words(title));
    !title.is_empty()
        && (heading == title || heading.windows(title.len()).any(|w| w == title.as_slice()))
}

/// Front matter is shown as extracted facts beside the document, not as text in it.
fn strip_front_matter(source: &str) -> &str {
    for fence in ["---", "+++"] {
        if let Some(rest) = source.strip_prefix(fence)
            && rest.starts_with(['\n', '\r'])
        {
            let mut offset = fence.len();
            for line in rest.split_inclusive('\n') {
                offset += line.len();
                if offset > fence.len() + line.len() && line.trim_end() == fence {
                    return &source[offset..];
                }
            }
        }
    }
    source
}

/// The shared document model (RST and plain text) to safe HTML.
pub fn from_model(doc: &Document) -> SafeHtml {
    let mut out = String::new();
    for block in &doc.blocks {
        push_block(&mut out, block);
    }
    sanitize(&out)
}

fn push_block(out: &mut String, block: &Block) {
    match block {
        Block::Heading(h) => {
            let level = h.level.clamp(1, 5) + 1;
            let _ = write!(out, "<h{level}>");
            push_inline(out, &h.text);
            let _ = writeln!(out, "</h{level}>");
        }
        Block::Paragraph(p) => {
            out.push_str("<p>");
            for (i, line) in p.text.lines().enumerate() {
                if i > 0 {
                    out.push_str("<br>\n");
                }
                push_inline(out, line);
            }
            out.push_str("</p>\n");
        }
        Block::List(l) => {
            let tag = if l.ordered { "ol" } else { "ul" };
            let _ = writeln!(out, "<{tag}>");
            for item in &l.items {
                push_item(out, item);
            }
            let _ = writeln!(out, "</{tag}>");
        }
        Block::Table(t) => {
            out.push_str("<table>\n");
            if !t.header.is_empty() {
                out.push_str("<thead><tr>");
                for cell in &t.header {
                    out.push_str("<th>");
                    push_inline(out, cell);
                    out.push_str("</th>");
                }
                out.push_str("</tr></thead>\n");
            }
            out.push_str("<tbody>\n");
            for row in &t.rows {
                out.push_str("<tr>");
                for cell in &row.cells {
                    out.push_str("<td>");
                    push_inline(out, cell);
                    out.push_str("</td>");
                }
                out.push_str("</tr>\n");
            }
            out.push_str("</tbody></table>\n");
        }
        Block::Code(c) => {
            out.push_str("<pre><code>");
            push_escaped(out, &c.text);
            out.push_str("</code></pre>\n");
        }
        Block::Quote(q) => {
            out.push_str("<blockquote>\n");
            for b in &q.blocks {
                push_block(out, b);
            }
            out.push_str("</blockquote>\n");
        }
    }
}

fn push_item(out: &mut String, item: &ListItem) {
    out.push_str("<li>");
    if let Some(done) = item.task {
        out.push_str(if done { TASK_DONE } else { TASK_OPEN });
    }
    push_inline(out, &item.text);
    for child in &item.children {
        out.push('\n');
        push_block(out, child);
    }
    out.push_str("</li>\n");
}

/// Escapes text and turns bare http(s) URLs into links.
fn push_inline(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(start) = find_url(rest) {
        push_escaped(out, &rest[..start]);
        let url_len = rest[start..]
            .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '`'))
            .unwrap_or(rest.len() - start);
        let mut url = &rest[start..start + url_len];
        url = url.trim_end_matches(['.', ',', ')', ';', ':', '\'', ']']);
        out.push_str("<a href=\"");
        push_escaped(out, url);
        out.push_str("\">");
        push_escaped(out, url);
        out.push_str("</a>");
        rest = &rest[start + url.len()..];
    }
    push_escaped(out, rest);
}

fn find_url(text: &str) -> Option<usize> {
    let http = text.find("http://");
    let https = text.find("https://");
    match (http, https) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Wraps each word of `text` that starts with one of `terms` (ignoring case) in
/// `<mark>`, escaping the rest. Used for search snippets.
pub fn highlight(text: &str, terms: &[String]) -> SafeHtml {
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for (start, end) in word_matches(text, terms) {
        push_escaped(&mut out, &text[at..start]);
        out.push_str("<mark>");
        push_escaped(&mut out, &text[start..end]);
        out.push_str("</mark>");
        at = end;
    }
    push_escaped(&mut out, &text[at..]);
    SafeHtml(out)
}

/// The byte ranges of the words of `text` that start with one of `terms`, ignoring
/// case, in order. A word is a run of alphanumeric characters; a range covers its whole
/// word (a prefix match is extended to the word's end).
///
/// Case is compared character by character on `text` itself, never through a
/// lowercased copy: lowercasing changes the byte length of some characters (`İ`, the
/// Kelvin sign, `Ⱥ`), so an offset in the copy is not an offset in `text`, even when
/// the two have the same length overall. Every range is on character boundaries.
pub fn word_matches<'a>(
    text: &'a str,
    terms: &'a [String],
) -> impl Iterator<Item = (usize, usize)> + 'a {
    let mut rest = text.char_indices().peekable();
    let mut previous_alphanumeric = false;
    std::iter::from_fn(move || {
        while let Some((i, c)) = rest.next() {
            let word_start = c.is_alphanumeric() && !previous_alphanumeric;
            previous_alphanumeric = c.is_alphanumeric();
            if !word_start {
                continue;
            }
            let Some(matched) = terms
                .iter()
                .filter_map(|t| prefix_len_ignoring_case(&text[i..], t))
                .max()
            else {
                continue;
            };
            // Skip to the end of the match, then to the end of its word.
            let mut end = i + matched;
            while let Some(&(j, c)) = rest.peek() {
                if j >= end && !c.is_alphanumeric() {
                    break;
                }
                previous_alphanumeric = c.is_alphanumeric();
                end = end.max(j + c.len_utf8());
                rest.next();
            }
            return Some((i, end));
        }
        None
    })
}

/// Where the first word of `text` that starts with one of `terms` begins: the start of
/// [`word_matches`]'s first range, found by scanning bytes. Only a byte that can begin
/// a match is looked at closer: a term's first letter in either case, or the lead byte
/// of a non-ASCII character (whose lowercase may begin with that letter: the Kelvin
/// sign, `İ`). A search hit's document is scanned for its snippet, and on ASCII text
/// this is several times faster than walking every character.
pub fn first_word_match(text: &str, terms: &[String]) -> Option<usize> {
    if terms
        .iter()
        .any(|t| t.as_bytes().first().is_some_and(|b| !b.is_ascii()))
    {
        return word_matches(text, terms).next().map(|(start, _)| start);
    }
    let mut can_start = [false; 256];
    for b in terms.iter().filter_map(|t| t.as_bytes().first()) {
        can_start[b.to_ascii_lowercase() as usize] = true;
        can_start[b.to_ascii_uppercase() as usize] = true;
    }
    can_start[0xC0..].fill(true);
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if !can_start[b as usize] {
            continue;
        }
        // `i` is a character boundary: the byte is ASCII or a lead byte.
        let rest = &text[i..];
        let word_start = rest.chars().next().is_some_and(char::is_alphanumeric)
            && !text[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric);
        if word_start
            && terms
                .iter()
                .any(|t| prefix_len_ignoring_case(rest, t).is_some())
        {
            return Some(i);
        }
    }
    None
}

/// When `text` starts with `term` ignoring case, the byte length in `text` of the
/// characters that matched it (a character whose lowercase only begins the match counts
/// whole).
fn prefix_len_ignoring_case(text: &str, term: &str) -> Option<usize> {
    // Most words differ from the term at their first letter: when both first letters
    // are ASCII that is decided on the bytes (a snippet tries every word of a text).
    if let (Some(t), Some(w)) = (text.as_bytes().first(), term.as_bytes().first())
        && t.is_ascii()
        && w.is_ascii()
        && !t.eq_ignore_ascii_case(w)
    {
        return None;
    }
    let mut wanted = term.chars().flat_map(folded).peekable();
    wanted.peek()?;
    for (i, c) in text.char_indices() {
        for lower in folded(c) {
            match wanted.next() {
                Some(w) if w == lower => {}
                Some(_) => return None,
                None => return Some(i + c.len_utf8()),
            }
        }
        if wanted.peek().is_none() {
            return Some(i + c.len_utf8());
        }
    }
    None
}

/// `c` lowercased, without combining accents: `İ` lowercases to `i` and a combining dot,
/// and the search index (which removes diacritics) finds it when `istanbul` is typed.
fn folded(c: char) -> impl Iterator<Item = char> {
    c.to_lowercase()
        .filter(|l| !('\u{300}'..='\u{36f}').contains(l))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_and_event_handlers_are_removed() {
        let html = markdown(
            "# Hi\n\n<script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n[x](javascript:alert(3))\n",
        );
        let s = html.as_str();
        assert!(!s.contains("<script"), "{s}");
        assert!(!s.contains("onerror"), "{s}");
        assert!(!s.contains("javascript:"), "{s}");
        assert!(s.contains("<h1"), "{s}");
    }

    #[test]
    fn form_controls_are_removed_and_task_boxes_are_characters() {
        let html = markdown(
            "- [ ] open\n- [x] done\n\n<form action=/x><input type=password name=p>\
             <button>Go</button><select><option>a</option></select><textarea>t</textarea></form>\n",
        );
        let s = html.as_str();
        for tag in [
            "<form",
            "<input",
            "<button",
            "<select",
            "<textarea",
            "<option",
        ] {
            assert!(!s.contains(tag), "{tag} in {s}");
        }
        assert!(s.contains("<li>\u{2610} open</li>"), "{s}");
        assert!(s.contains("<li>\u{2611} done</li>"), "{s}");
        let doc = crate::ingest::document(Format::Text, "Title\n\n- [x] fixed\n- [ ] later\n");
        let s = from_model(&doc).into_string();
        assert!(!s.contains("<input"), "{s}");
    }

    #[test]
    fn model_text_is_escaped_and_urls_linked() {
        let doc = crate::ingest::document(
            Format::Text,
            "Title\n\nSee https://example.org/x. <b>not bold</b>\n",
        );
        let s = from_model(&doc).into_string();
        assert!(s.contains("&lt;b&gt;not bold&lt;/b&gt;"), "{s}");
        assert!(s.contains("href=\"https://example.org/x\""), "{s}");
    }

    #[test]
    fn a_first_heading_saying_the_title_is_left_out() {
        let md = document_titled(
            Format::Markdown,
            Some("# Postmortem: DNS outage\n\nText.\n"),
            "",
            "DNS outage",
        );
        assert!(!md.as_str().contains("<h1>"), "{md}");
        assert!(md.as_str().contains("Text."));
        let other = document_titled(
            Format::Markdown,
            Some("# Summary\n\nText.\n"),
            "",
            "Summary of the outage",
        );
        assert!(other.as_str().contains("<h1>Summary</h1>"), "{other}");
        let rst = document_titled(
            Format::Rst,
            Some("DNS outage\n==========\n\nText.\n"),
            "",
            "DNS Outage",
        );
        assert!(!rst.as_str().contains("<h2>"), "{rst}");
    }

    #[test]
    fn front_matter_is_not_rendered() {
        let s = markdown(strip_front_matter("---\ntitle: x\n---\n# Body\n")).into_string();
        assert!(!s.contains("title: x"), "{s}");
        assert!(s.contains("Body"));
    }

    #[test]
    fn highlight_cuts_only_at_character_boundaries_whatever_the_case_changes() {
        // The Kelvin sign shrinks by two bytes when lowercased and each Ⱥ grows by one:
        // the lowercased copy has the same length, but not the same offsets.
        let s = highlight("\u{212a} €outage ȺȺ outage", &["outage".into()]).into_string();
        assert_eq!(s, "\u{212a} €<mark>outage</mark> ȺȺ <mark>outage</mark>");
        let s = highlight("İstanbul ıstanbul ISTANBUL", &["istanbul".into()]).into_string();
        assert_eq!(s, "<mark>İstanbul</mark> ıstanbul <mark>ISTANBUL</mark>");
        let s = highlight("\u{212a}elvin ẞtraße", &["kel".into(), "ß".into()]).into_string();
        assert_eq!(s, "<mark>\u{212a}elvin</mark> <mark>ẞtraße</mark>");
        let s = highlight("ȺȺȺ", &["ⱥⱥ".into()]).into_string();
        assert_eq!(s, "<mark>ȺȺȺ</mark>");
    }

    #[test]
    fn highlight_marks_words_and_prefixes() {
        let s = highlight("Kafka brokers & <kafkaesque>", &["kafk".into()]).into_string();
        assert_eq!(
            s,
            // askama's escaper writes numeric references, as in every template.
            "<mark>Kafka</mark> brokers &#38; &#60;<mark>kafkaesque</mark>&#62;"
        );
    }

    proptest::proptest! {
        /// The byte scan finds the first match the character walk finds, over text
        /// whose characters change length or case when lowercased.
        #[test]
        fn the_first_match_is_found_by_bytes_as_by_characters(
            text in proptest::string::string_regex("[ aAkKeEiI\u{212a}\u{130}\u{301}éẞß0-9.-]{0,40}").unwrap(),
            terms in proptest::collection::vec(proptest::string::string_regex("[akeiß0-9]{0,3}").unwrap(), 0..3),
        ) {
            let by_chars = word_matches(&text, &terms).next().map(|(start, _)| start);
            proptest::prop_assert_eq!(first_word_match(&text, &terms), by_chars);
        }
    }

    #[test]
    fn the_first_match_by_bytes_sees_letters_that_lowercase_to_the_term() {
        let terms = vec!["kafka".to_string(), "istanbul".to_string()];
        assert_eq!(first_word_match("xkafka \u{212a}afka", &terms), Some(7));
        assert_eq!(first_word_match("a \u{130}stanbul", &terms), Some(2));
        assert_eq!(first_word_match("nothing here", &terms), None);
        assert_eq!(first_word_match("Kafka", &[String::new()]), None);
    }
}
