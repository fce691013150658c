//! The one place user text becomes HTML. Markdown goes through pulldown-cmark,
//! reStructuredText and plain text through the shared document model; every result
//! then passes through the same ammonia policy and comes out as [`SafeHtml`].
//!
//! Invariant: a [`SafeHtml`] is only ever built by [`sanitize`] or [`escape`]; templates
//! mark nothing else as safe. Links keep only http, https and mailto schemes, no script,
//! style, event handler or inline style survives.

use crate::ingest::document::{Block, Document, ListItem};
use crate::model::Format;
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
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("td", ["align"])
        .add_tag_attributes("th", ["align"])
        .add_tags(["input"]);
    b
});

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

fn push_escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
}

/// Renders a whole stored document from its source: Markdown by its own renderer, the
/// other formats through the shared document model. Without a kept source (incidents
/// imported before sources were stored), its plain text is read as a text document.
pub fn document(format: Format, source: Option<&str>, body: &str) -> SafeHtml {
    match (format, source) {
        (Format::Markdown, Some(source)) => markdown(strip_front_matter(source)),
        (format, Some(source)) => from_model(&crate::ingest::document(format, source)),
        (_, None) => from_model(&crate::ingest::document(Format::Text, body)),
    }
}

/// Markdown (CommonMark with GFM tables, task lists, strikethrough) to safe HTML.
pub fn markdown(text: &str) -> SafeHtml {
    use pulldown_cmark::{Options, Parser, html};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES;
    let mut out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut out, Parser::new_ext(text, options));
    sanitize(&out)
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
        let _ = write!(
            out,
            "<input type=\"checkbox\" disabled{}> ",
            if done { " checked" } else { "" }
        );
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

/// Wraps each case-insensitive occurrence of `terms` in `text` in `<mark>`, escaping the
/// rest. Used for search snippets.
pub fn highlight(text: &str, terms: &[String]) -> SafeHtml {
    let lower = text.to_lowercase();
    // Lowercasing can change byte lengths for some scripts; fall back to plain escaping
    // rather than risk cutting inside a character.
    if lower.len() != text.len() || terms.is_empty() {
        return escape(text);
    }
    let mut marks: Vec<(usize, usize)> = Vec::new();
    for term in terms.iter().filter(|t| !t.is_empty()) {
        let term = term.to_lowercase();
        let mut from = 0;
        while let Some(pos) = lower[from..].find(&term) {
            let start = from + pos;
            let at_word_start = lower[..start]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric());
            let mut end = start + term.len();
            if at_word_start {
                // Extend a prefix match to the end of the word.
                end += lower[end..]
                    .find(|c: char| !c.is_alphanumeric())
                    .unwrap_or(lower.len() - end);
                marks.push((start, end));
            }
            from = end.max(start + 1);
            while !lower.is_char_boundary(from) {
                from += 1;
            }
        }
    }
    marks.sort_unstable();
    let mut out = String::with_capacity(text.len() + marks.len() * 13);
    let mut at = 0;
    for (start, end) in marks {
        if start < at {
            continue;
        }
        push_escaped(&mut out, &text[at..start]);
        out.push_str("<mark>");
        push_escaped(&mut out, &text[start..end]);
        out.push_str("</mark>");
        at = end;
    }
    push_escaped(&mut out, &text[at..]);
    SafeHtml(out)
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
    fn front_matter_is_not_rendered() {
        let s = markdown(strip_front_matter("---\ntitle: x\n---\n# Body\n")).into_string();
        assert!(!s.contains("title: x"), "{s}");
        assert!(s.contains("Body"));
    }

    #[test]
    fn highlight_marks_words_and_prefixes() {
        let s = highlight("Kafka brokers & <kafkaesque>", &["kafk".into()]).into_string();
        assert_eq!(
            s,
            "<mark>Kafka</mark> brokers &amp; &lt;<mark>kafkaesque</mark>&gt;"
        );
    }
}
