//! Plain-text front end: exported slides, emails, status pages, wiki dumps.
//!
//! Structure is recognised from layout only: the first line is a title candidate; short
//! lines standing alone, `Label:` lines, "Failure #1: ..." lines and underlined lines
//! are headings; `•`, `-`, `*`, `+` and numbered lines are list items nested by
//! indentation; fenced blocks are code; columns aligned with runs of spaces under a
//! header line are a table. Everything else is paragraphs.
//!
//! Invariant: produces only the shared document model; classification of headings into
//! section kinds is the extractor's job, not this module's.

use super::document::{
    Block, Code, Document, Heading, Link, List, ListItem, Paragraph, Table, TableRow,
};
use crate::model::Format;

/// Headings recognised from layout never exceed this many characters.
const MAX_HEADING_CHARS: usize = 80;
const MAX_HEADING_WORDS: usize = 10;

/// Parses a plain-text document into the shared model.
pub fn parse(text: &str) -> Document {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<Line> = text
        .lines()
        .enumerate()
        .map(|(i, raw)| Line::new(raw, i as u32 + 1))
        .collect();
    mark_slides(&mut lines);
    let mut parser = TextParser {
        lines: &lines,
        pos: 0,
        seen_title: false,
        blocks: Vec::new(),
    };
    parser.run();
    let mut doc = Document {
        format: Some(Format::Text),
        blocks: parser.blocks,
        ..Document::default()
    };
    doc.links = find_urls(&lines);
    doc
}

/// One source line, tabs expanded, with its indentation measured.
struct Line {
    text: String,
    indent: usize,
    number: u32,
    /// The title of an exported slide: the line after a "Slide 3" marker, or the text
    /// of "Slide 3: What happened".
    slide_title: bool,
}

impl Line {
    fn new(raw: &str, number: u32) -> Line {
        let mut text = String::with_capacity(raw.len());
        for c in raw.trim_end_matches('\r').chars() {
            if c == '\t' {
                let pad = 4 - (text.chars().count() % 4);
                text.extend(std::iter::repeat_n(' ', pad));
            } else {
                text.push(c);
            }
        }
        let text = text.trim_end().to_string();
        let indent = text.chars().take_while(|c| *c == ' ').count();
        Line {
            text,
            indent,
            number,
            slide_title: false,
        }
    }

    fn is_blank(&self) -> bool {
        self.text.is_empty()
    }

    fn content(&self) -> &str {
        self.text.trim_start()
    }
}

/// "Slide 3", "--- Slide 3 of 12 ---", "[Page 2]": the marker an exported deck or
/// printout puts between its pages. Returns what follows a separator on the same line
/// ("Slide 3: What happened" gives "What happened"), empty for a bare marker.
fn page_marker(line: &str) -> Option<&str> {
    let t = line
        .trim()
        .trim_start_matches(['-', '=', '#', '[', '(', '*', ' ']);
    let lower = t.to_ascii_lowercase();
    let word = ["slide", "page"]
        .into_iter()
        .find(|w| lower.starts_with(w))?;
    let rest = t[word.len()..].trim_start();
    let digits = rest.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 || digits > 3 || !t[word.len()..].starts_with(' ') {
        return None;
    }
    let mut rest = rest[digits..].trim_start();
    // "of 12", "/12".
    for of in ["of ", "/"] {
        if let Some(after) = rest.strip_prefix(of) {
            let n = after.chars().take_while(char::is_ascii_digit).count();
            if n > 0 {
                rest = after[n..].trim_start();
            }
        }
    }
    let rest = rest.trim_matches(['-', '=', '#', ']', ')', '*', ' ']);
    if rest.is_empty() {
        return Some("");
    }
    // "Slide 3: What happened", "Slide 3 – What happened".
    let title = rest
        .strip_prefix([':', '–', '—', '|', '.'])
        .or_else(|| line.contains(" - ").then_some(rest))?
        .trim();
    (!title.is_empty()).then_some(title)
}

/// Blanks the page markers of slide exports and marks each slide's title: the text of
/// "Slide 3: What happened", or the short line straight after a bare marker (the first
/// slide's is the document's title, as any first line is).
fn mark_slides(lines: &mut [Line]) {
    let mut i = 0;
    while i < lines.len() {
        let Some(title) = page_marker(&lines[i].text).map(str::to_string) else {
            i += 1;
            continue;
        };
        if title.is_empty() {
            lines[i].text.clear();
            lines[i].indent = 0;
            if let Some(next) = lines.get_mut(i + 1)
                && is_short_heading(next.content())
                && bullet(next).is_none()
            {
                next.slide_title = true;
            }
        } else {
            lines[i].text = title;
            lines[i].indent = 0;
            lines[i].slide_title = true;
        }
        i += 1;
    }
}

/// A list marker at the start of a line: the item text after it.
fn bullet(line: &Line) -> Option<&str> {
    let s = line.content();
    let mut chars = s.chars();
    let first = chars.next()?;
    if matches!(
        first,
        '-' | '*' | '+' | '•' | '●' | '▪' | '◦' | '‣' | '·' | '▸' | '►'
    ) {
        let rest = chars.as_str();
        // A marker must be followed by a space and then text: "*emphasis" and "---" are
        // not items.
        if rest.starts_with([' ', '\u{a0}']) && !rest.trim().is_empty() {
            return Some(rest.trim_start_matches([' ', '\u{a0}']));
        }
        return None;
    }
    enumerator(s)
}

/// `1. text`, `2) text`, `(3) text`.
fn enumerator(s: &str) -> Option<&str> {
    let body = s.strip_prefix('(').unwrap_or(s);
    let digits = body.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 || digits > 2 {
        return None;
    }
    let rest = &body[digits..];
    let rest = rest.strip_prefix(['.', ')'])?;
    if !rest.starts_with(' ') || rest.trim().is_empty() {
        return None;
    }
    Some(rest.trim_start())
}

fn is_fence(line: &Line) -> Option<&str> {
    let c = line.content();
    ["```", "~~~"].into_iter().find(|f| c.starts_with(f))
}

/// An underline made of one repeated punctuation character (`=====`, `-----`).
fn is_underline(line: &Line) -> Option<char> {
    let c = line.content();
    let first = c.chars().next()?;
    (matches!(first, '=' | '-' | '~' | '^' | '*' | '#')
        && c.chars().count() >= 3
        && c.chars().all(|x| x == first))
    .then_some(first)
}

/// "Failure #1: Database Corruption Error", "Incident 2 - Services Downtime".
fn is_numbered_heading(s: &str) -> bool {
    let words = [
        "failure", "issue", "incident", "problem", "outage", "part", "phase", "event",
    ];
    let lower = s.to_lowercase();
    let Some(word) = words.iter().find(|w| lower.starts_with(*w)) else {
        return false;
    };
    let rest = lower[word.len()..].trim_start();
    let rest = rest.strip_prefix('#').unwrap_or(rest).trim_start();
    let digits = rest.chars().take_while(|c| c.is_ascii_digit()).count();
    if digits == 0 {
        return false;
    }
    let rest = rest[digits..].trim_start_matches(|c: char| c.is_ascii_lowercase() && c != ' ');
    let rest = rest.trim_start();
    s.chars().count() <= 120 && (rest.is_empty() || rest.starts_with([':', '-', '–', '.', ')']))
}

/// A line opening with a time of day, maybe after an ISO date ("09:12 - disk alert",
/// "2025-03-03 09:12 paged"): an entry of a timeline written one line per event, which
/// a heading such as "Timeline (all times CET)" heads like a list.
fn starts_with_clock(line: &str) -> bool {
    let b = line.trim_start().as_bytes();
    let date = b.len() > 11
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && matches!(b[10], b' ' | b'T');
    let b = if date { &b[11..] } else { b };
    let hour = b.iter().take_while(|c| c.is_ascii_digit()).count();
    (1..=2).contains(&hour)
        && b.get(hour) == Some(&b':')
        && b.get(hour + 1..hour + 3)
            .is_some_and(|m| m.iter().all(u8::is_ascii_digit))
        && b.get(hour + 3).is_none_or(|c| !c.is_ascii_digit())
}

/// "Summary:", "Corrective Actions Taken/Planned:" — a short label ending a line.
fn is_label(s: &str) -> bool {
    let Some(body) = s.strip_suffix(':') else {
        return false;
    };
    let words = body.split_whitespace().count();
    (1..=6).contains(&words)
        && !introduces_a_list(body)
        && body.chars().count() <= 50
        && !body.contains(':')
        && body
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

/// A sentence that introduces what follows rather than naming a part: a subject of
/// its own ("We have done the following", "Here is what changed"), a finite verb ("The
/// following has been done") or a word that points ahead ("... below"). "Next steps:"
/// and "Actions taken:" stay labels.
fn introduces_a_list(body: &str) -> bool {
    let lower = body.to_lowercase();
    let first = lower.split_whitespace().next().unwrap_or("");
    let last = lower.split_whitespace().last().unwrap_or("");
    matches!(first, "we" | "i" | "they" | "here" | "this" | "these")
        || matches!(last, "include" | "includes" | "are" | "were")
        // "The following has been done", "Changes made so far are below".
        || lower.split_whitespace().any(|w| {
            matches!(w, "following" | "below" | "has" | "have" | "been" | "will")
        })
}

/// A short line that can stand alone as a heading when blank lines surround it.
fn is_short_heading(s: &str) -> bool {
    let s = s.trim();
    if s.chars().count() > MAX_HEADING_CHARS || s.split_whitespace().count() > MAX_HEADING_WORDS {
        return false;
    }
    // A longer line ending with a colon introduces what follows ("So far we have done
    // the following:"); short labels are headings through `is_label`.
    if s.ends_with(['.', ',', ';', '!', ':']) || !s.chars().any(char::is_alphabetic) {
        return false;
    }
    // A line carrying a clock time ("Posted Oct 12, 2017 - 23:57 UTC") is a dated
    // line, not a heading.
    let b = s.as_bytes();
    let has_clock = b.windows(4).any(|w| {
        w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit() && w[3].is_ascii_digit()
    });
    !has_clock
}

/// Removes paired `**` emphasis that people paste into plain text; an unpaired
/// marker (`2 ** 3`) stays.
fn clean_inline(s: &str) -> String {
    let count = s.matches("**").count();
    if count < 2 {
        return s.to_string();
    }
    let keep_last = count % 2 == 1;
    let mut out = String::with_capacity(s.len());
    for (i, piece) in s.split("**").enumerate() {
        if i > 0 && keep_last && i == count {
            out.push_str("**");
        }
        out.push_str(piece);
    }
    out
}

struct TextParser<'a> {
    lines: &'a [Line],
    pos: usize,
    seen_title: bool,
    blocks: Vec<Block>,
}

impl TextParser<'_> {
    fn run(&mut self) {
        while self.pos < self.lines.len() {
            let line = &self.lines[self.pos];
            if line.is_blank() {
                self.pos += 1;
                continue;
            }
            if let Some(fence) = is_fence(line) {
                self.code(fence);
                continue;
            }
            if !self.seen_title {
                self.seen_title = true;
                if line.content().chars().count() <= 200 && bullet(line).is_none() {
                    self.blocks.push(Block::Heading(Heading {
                        level: 1,
                        text: clean_inline(line.content()),
                        line: line.number,
                    }));
                    self.pos += 1;
                    continue;
                }
            }
            if bullet(line).is_some() {
                let indent = line.indent;
                let list = self.list(indent);
                self.blocks.push(Block::List(list));
                continue;
            }
            if let Some(table) = self.aligned_table() {
                self.blocks.push(Block::Table(table));
                continue;
            }
            if let Some(level) = self.heading_level() {
                let skip_underline = self.underline_follows();
                self.blocks.push(Block::Heading(Heading {
                    level,
                    text: clean_inline(line.content().trim_end_matches(':').trim()),
                    line: line.number,
                }));
                self.pos += if skip_underline { 2 } else { 1 };
                continue;
            }
            let para = self.paragraph(0);
            self.blocks.push(Block::Paragraph(para));
        }
    }

    fn prev_blank(&self) -> bool {
        self.pos == 0 || self.lines[self.pos - 1].is_blank()
    }

    fn next_blank(&self) -> bool {
        self.lines.get(self.pos + 1).is_none_or(Line::is_blank)
    }

    fn underline_follows(&self) -> bool {
        self.lines
            .get(self.pos + 1)
            .is_some_and(|l| is_underline(l).is_some() && !self.lines[self.pos].is_blank())
    }

    /// Slides put a bullet holding only a time or number and its description on the
    /// next line ("• 06/07/2024 08:25" / "Ihor noticed issues"): that line is the
    /// item's text, not a heading.
    fn after_bare_item(&self) -> bool {
        matches!(self.blocks.last(), Some(Block::List(l))
            if l.items.last().is_some_and(|i| i.children.is_empty() && !i.text.chars().any(char::is_alphabetic)))
    }

    /// The heading level of the current line, if it is a heading.
    fn heading_level(&self) -> Option<u8> {
        let line = &self.lines[self.pos];
        let s = line.content();
        if line.slide_title {
            return Some(2);
        }
        if self.underline_follows() && is_short_heading(s) {
            return Some(match self.lines.get(self.pos + 1).and_then(is_underline) {
                Some('=') => 2,
                _ => 3,
            });
        }
        if is_numbered_heading(s) && self.prev_blank() {
            return Some(2);
        }
        if is_label(s) && self.prev_blank() {
            return Some(3);
        }
        if self.prev_blank() && self.next_blank() && is_short_heading(s) && !self.after_bare_item()
        {
            return Some(2);
        }
        if self.prev_blank() && self.heads_its_text() && !self.after_bare_item() {
            return Some(3);
        }
        None
    }

    /// E-mails put a section's name straight above its text ("What happened" / "At
    /// 14:02 a rebuild started ..."): a line of two to five words after a blank line, directly
    /// followed by a list or by a line at least twice as long, is a heading. The first
    /// line of a wrapped paragraph is near the wrap width, so it never qualifies.
    fn heads_its_text(&self) -> bool {
        let s = self.lines[self.pos].content().trim();
        let Some(next) = self.lines.get(self.pos + 1).filter(|l| !l.is_blank()) else {
            return false;
        };
        let words = s.split_whitespace().count();
        let chars = s.chars().count();
        let next_text = next.content().trim();
        // One word ("Resolved", "Update") is a status-page label over its post.
        (2..=5).contains(&words)
            && chars <= 40
            && s.chars().next().is_some_and(char::is_uppercase)
            && !s.contains(':')
            && is_short_heading(s)
            && (bullet(next).is_some()
                || starts_with_clock(next_text)
                || next_text.chars().count() >= 2 * chars.max(20))
    }

    /// Columns aligned with runs of two or more spaces, under a header line of short
    /// cells, as status pages and e-mails lay out tables:
    ///
    /// ```text
    /// Time (UTC)          Event
    /// ----------          -----
    /// 2024-03-03 14:05    Pager fired
    ///                     (continued in the event column)
    /// ```
    ///
    /// Every row's cells must start at the header's columns; a line whose first cell is
    /// empty continues the row above. Nothing is consumed unless the block qualifies.
    fn aligned_table(&mut self) -> Option<Table> {
        let header_line = &self.lines[self.pos];
        if header_line.indent > 0 || bullet(header_line).is_some() {
            return None;
        }
        let header = column_cells(&header_line.text);
        let starts: Vec<usize> = header.iter().map(|(c, _)| *c).collect();
        // A first line that opens with a time ("14:05  Gateway alarms fire") is the
        // first entry of a timeline written one line per event, not a header.
        let header_like = header.len() >= 2
            && !starts_with_clock(&header_line.text)
            && header.iter().all(|(_, text)| {
                text.split_whitespace().count() <= 4
                    && !text.ends_with(['.', ',', ';'])
                    && text.chars().count() <= 40
            });
        if !header_like {
            return None;
        }
        let mut i = self.pos + 1;
        // A rule under the header ("----  -----") belongs to it.
        if self.lines.get(i).is_some_and(|l| {
            let c = l.content();
            !c.is_empty()
                && c.chars()
                    .all(|ch| matches!(ch, '-' | '=' | ' ' | '+' | '|'))
        }) {
            i += 1;
        }
        let mut rows: Vec<TableRow> = Vec::new();
        while let Some(line) = self.lines.get(i) {
            if line.is_blank() || bullet(line).is_some() {
                break;
            }
            let cells = column_cells(&line.text);
            if cells.iter().any(|(c, _)| !starts.contains(c)) {
                break;
            }
            let mut full = vec![String::new(); starts.len()];
            for (col, text) in cells {
                let k = starts.iter().position(|s| *s == col).unwrap_or(0);
                full[k] = text;
            }
            let continues = line.indent > 0 && full[0].is_empty();
            match rows.last_mut() {
                Some(prev) if continues => {
                    for (cell, more) in prev.cells.iter_mut().zip(full) {
                        if !more.is_empty() {
                            if !cell.is_empty() {
                                cell.push(' ');
                            }
                            cell.push_str(&more);
                        }
                    }
                }
                _ if continues => return None,
                _ => {
                    if full.iter().filter(|c| !c.is_empty()).count() < 2 {
                        break;
                    }
                    rows.push(TableRow {
                        cells: full,
                        line: line.number,
                    });
                }
            }
            i += 1;
        }
        if rows.is_empty() {
            return None;
        }
        self.pos = i;
        Some(Table {
            header: header.into_iter().map(|(_, t)| t).collect(),
            rows,
            line: header_line.number,
        })
    }

    /// Consecutive non-blank lines that are not list items, fences or headings.
    fn paragraph(&mut self, min_indent: usize) -> Paragraph {
        let first = &self.lines[self.pos];
        let mut text = clean_inline(first.content());
        let line = first.number;
        self.pos += 1;
        while let Some(next) = self.lines.get(self.pos) {
            if next.is_blank()
                || next.indent < min_indent
                || bullet(next).is_some()
                || is_fence(next).is_some()
            {
                break;
            }
            text.push('\n');
            text.push_str(&clean_inline(next.content()));
            self.pos += 1;
        }
        Paragraph { text, line }
    }

    fn code(&mut self, fence: &str) {
        let start = &self.lines[self.pos];
        let lang = start.content()[fence.len()..].trim();
        let lang = (!lang.is_empty()).then(|| lang.to_string());
        let line = start.number;
        self.pos += 1;
        let mut body = Vec::new();
        while let Some(next) = self.lines.get(self.pos) {
            self.pos += 1;
            if next.content().starts_with(fence) {
                break;
            }
            body.push(next.text.as_str());
        }
        self.blocks.push(Block::Code(Code {
            lang,
            text: body.join("\n"),
            line,
        }));
    }

    /// A list whose items start at `indent`; deeper items nest under the previous item.
    fn list(&mut self, indent: usize) -> List {
        let first_line = self.lines[self.pos].number;
        let ordered = enumerator(self.lines[self.pos].content()).is_some();
        let mut items: Vec<ListItem> = Vec::new();
        while self.pos < self.lines.len() {
            let line = &self.lines[self.pos];
            if line.is_blank() {
                // Blank lines end the list unless the next text continues it.
                let Some(next) = self.lines[self.pos..].iter().position(|l| !l.is_blank()) else {
                    self.pos = self.lines.len();
                    break;
                };
                let next_line = &self.lines[self.pos + next];
                if bullet(next_line).is_some() && next_line.indent >= indent {
                    self.pos += next;
                    continue;
                }
                if next_line.indent > indent && !items.is_empty() && is_fence(next_line).is_none() {
                    self.pos += next;
                    let para = self.paragraph(indent + 1);
                    if let Some(item) = items.last_mut() {
                        item.children.push(Block::Paragraph(para));
                    }
                    continue;
                }
                break;
            }
            let Some(text) = bullet(line) else {
                // A line right after an item continues its text (wrapped item).
                match items.last_mut() {
                    Some(item) if line.indent >= indent || item.children.is_empty() => {
                        append_continuation(item, &clean_inline(line.content()));
                        self.pos += 1;
                        continue;
                    }
                    _ => break,
                }
            };
            if line.indent < indent {
                break;
            }
            if line.indent > indent && !items.is_empty() {
                let sub = self.list(line.indent);
                if let Some(item) = items.last_mut() {
                    item.children.push(Block::List(sub));
                }
                continue;
            }
            let (task, text) = task_marker(text);
            items.push(ListItem {
                text: clean_inline(text),
                line: line.number,
                task,
                children: Vec::new(),
            });
            self.pos += 1;
        }
        List {
            ordered,
            items,
            line: first_line,
        }
    }
}

/// Wrapped text belongs to the deepest item that was last written to.
/// The cells of a line split at runs of two or more spaces: (char column, text).
fn column_cells(line: &str) -> Vec<(usize, String)> {
    let mut cells: Vec<(usize, String)> = Vec::new();
    let mut spaces = 0;
    let mut current: Option<(usize, String)> = None;
    for (col, c) in line.chars().enumerate() {
        if c == ' ' {
            spaces += 1;
            if spaces >= 2 {
                if let Some(cell) = current.take() {
                    cells.push(cell);
                }
            }
            continue;
        }
        match current.as_mut() {
            Some((_, text)) => {
                if spaces == 1 {
                    text.push(' ');
                }
                text.push(c);
            }
            None => current = Some((col, c.to_string())),
        }
        spaces = 0;
    }
    if let Some(cell) = current {
        cells.push(cell);
    }
    cells
        .into_iter()
        .map(|(col, text)| (col, clean_inline(text.trim())))
        .collect()
}

fn append_continuation(item: &mut ListItem, text: &str) {
    if let Some(Block::List(sub)) = item.children.last_mut()
        && let Some(last) = sub.items.last_mut()
    {
        append_continuation(last, text);
        return;
    }
    if let Some(Block::Paragraph(p)) = item.children.last_mut() {
        p.text.push('\n');
        p.text.push_str(text);
        return;
    }
    item.text.push('\n');
    item.text.push_str(text);
}

/// `[ ] text`, `[x] text`, `[] text` task boxes.
fn task_marker(text: &str) -> (Option<bool>, &str) {
    for (marker, checked) in [("[ ]", false), ("[]", false), ("[x]", true), ("[X]", true)] {
        if let Some(rest) = text.strip_prefix(marker)
            && (rest.is_empty() || rest.starts_with(' '))
        {
            return (Some(checked), rest.trim_start());
        }
    }
    (None, text)
}

/// Bare http(s) URLs, the only links plain text has.
fn find_urls(lines: &[Line]) -> Vec<Link> {
    let mut links = Vec::new();
    for line in lines {
        let mut rest = line.text.as_str();
        while let Some(at) = rest.find("http") {
            let candidate = &rest[at..];
            if candidate.starts_with("http://") || candidate.starts_with("https://") {
                let end = candidate
                    .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | ')' | ']'))
                    .unwrap_or(candidate.len());
                let url = candidate[..end].trim_end_matches(['.', ',', ';', ':']);
                links.push(Link {
                    text: url.to_string(),
                    target: url.to_string(),
                    line: line.number,
                });
                rest = &candidate[end..];
            } else {
                rest = &candidate[4..];
            }
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heading_texts(doc: &Document) -> Vec<(u8, &str)> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some((h.level, h.text.as_str())),
                _ => None,
            })
            .collect()
    }

    fn tables(doc: &Document) -> Vec<&Table> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Table(t) => Some(t),
                _ => None,
            })
            .collect()
    }

    /// An exported deck: the "Slide N" markers are page furniture, the line after one
    /// is that slide's title, and the first slide's title is the document's.
    #[test]
    fn slide_markers_are_furniture_and_the_line_after_one_is_the_slides_title() {
        let doc = parse(
            "Slide 1\nCache outage review\nOctober 2024\n\nSlide 2\nWhy did this happen?\nThe TTL was never reviewed.\n\n--- Slide 3 of 3 ---\nSlide 3: Next steps\n\u{2022} Lower the TTL\n",
        );
        assert_eq!(
            heading_texts(&doc),
            [
                (1, "Cache outage review"),
                (2, "Why did this happen?"),
                (2, "Next steps")
            ]
        );
        assert_eq!(page_marker("Page 2 of 7"), Some(""));
        assert_eq!(page_marker("[Slide 12]"), Some(""));
        assert_eq!(page_marker("Slide 4 - Timeline"), Some("Timeline"));
        assert_eq!(page_marker("Slides 4 and 5 show the graphs"), None);
        assert_eq!(page_marker("Page 3 shows the graph"), None);
    }

    /// Times and events in two columns with no header above them: the first line is an
    /// entry, not a header, so the lines stay a line-per-entry paragraph.
    #[test]
    fn columns_under_a_first_line_that_opens_with_a_time_are_no_table() {
        let doc = parse(
            "Report\n\nTIMELINE (IST)\n14:05  Gateway alarms fire\n14:09  Channel opened\n15:17  Recovered\n",
        );
        assert!(tables(&doc).is_empty());
        let doc =
            parse("Report\n\nTime     Event\n14:05    Alarms fire\n14:09    Channel opened\n");
        assert_eq!(tables(&doc).len(), 1);
    }

    #[test]
    fn a_line_opening_with_a_time_is_told_from_other_lines() {
        for yes in [
            "09:12 - disk alert",
            "9:05 paged",
            "2025-03-03 09:12 paged",
            "14:05",
        ] {
            assert!(starts_with_clock(yes), "{yes}");
        }
        for no in [
            "1234 rows",
            "12:345",
            "Version 2:10",
            "10 minutes later",
            "2025-03-03",
        ] {
            assert!(!starts_with_clock(no), "{no}");
        }
    }

    #[test]
    fn columns_aligned_under_a_header_are_a_table() {
        let doc = parse(
            "Outage\n\nTime (EST)          Action\n------------        ------\nJan 23, 2020 04:01  Database failover completed\n                    after two retries\nJan 23, 2020 04:20  Traffic back\n\nAfter the table.\n",
        );
        let t = tables(&doc);
        assert_eq!(t.len(), 1, "{:#?}", doc.blocks);
        assert_eq!(t[0].header, ["Time (EST)", "Action"]);
        assert_eq!(t[0].rows.len(), 2);
        assert_eq!(
            t[0].rows[0].cells,
            [
                "Jan 23, 2020 04:01",
                "Database failover completed after two retries"
            ]
        );
        assert_eq!(t[0].rows[1].line, 7);
    }

    #[test]
    fn a_short_line_straight_above_its_text_is_a_heading() {
        let doc = parse(
            "Search outage\n\nHi all,\n\nWhat happened\nAt 14:02 a routine rebuild of the \
             search index was started and it replaced the old one.\n\nWhat we are doing\n\
             - Alert on empty exports\n\nThanks,\nJonas\n",
        );
        assert_eq!(
            heading_texts(&doc),
            [
                (1, "Search outage"),
                (3, "What happened"),
                (3, "What we are doing")
            ]
        );
        // The first line of a wrapped paragraph, a greeting and a signature stay text.
        let doc = parse(
            "Outage\n\nThe database failed over at noon and the\nreplica was behind.\n\n\
             Thanks,\nJonas Berg\nSRE team\n",
        );
        assert_eq!(heading_texts(&doc), [(1, "Outage")]);
    }

    #[test]
    fn a_sentence_pointing_at_the_list_below_is_no_label() {
        let doc = parse("Outage\n\nNext steps:\n\nWe fixed these:\n\n1. Split the config\n");
        assert_eq!(heading_texts(&doc), [(1, "Outage"), (3, "Next steps")]);
        let doc = parse("Outage\n\nFollow-up\n\nThe changes are below:\n\n- Split it\n");
        assert_eq!(heading_texts(&doc), [(1, "Outage"), (2, "Follow-up")]);
        let doc = parse("Outage\n\nFollow-up\n\nThis has been done:\n\n- Split it\n");
        assert_eq!(heading_texts(&doc), [(1, "Outage"), (2, "Follow-up")]);
        let doc = parse("Outage\n\nActions taken:\n\n- Split it\n");
        assert_eq!(heading_texts(&doc), [(1, "Outage"), (3, "Actions taken")]);
    }

    #[test]
    fn a_long_line_ending_with_a_colon_introduces_a_list_and_is_no_heading() {
        let doc = parse(
            "Outage\n\nAction items\n\nSo far we have done the following:\n\n1. Split the config\n",
        );
        assert_eq!(heading_texts(&doc), [(1, "Outage"), (2, "Action items")]);
        assert!(matches!(doc.blocks[2], Block::Paragraph(_)));
    }

    #[test]
    fn prose_with_double_spaces_is_not_a_table() {
        let doc = parse(
            "Outage\n\nWe restarted the node.  It came back after a while.\nThen we  looked at the logs and found nothing.\n",
        );
        assert!(tables(&doc).is_empty(), "{:#?}", doc.blocks);
    }

    #[test]
    fn first_line_standalone_lines_and_labels_are_headings() {
        let doc = parse(
            "Internal Network Disruption\nIncident Report\n\nBackground\n\nSome text here.\n\nSummary:\n\nMore text.\n",
        );
        assert_eq!(
            heading_texts(&doc),
            [
                (1, "Internal Network Disruption"),
                (2, "Background"),
                (3, "Summary")
            ]
        );
        match &doc.blocks[1] {
            Block::Paragraph(p) => assert_eq!((p.text.as_str(), p.line), ("Incident Report", 2)),
            other => panic!("expected a paragraph, got {other:?}"),
        }
    }

    #[test]
    fn numbered_failure_lines_are_headings() {
        let doc = parse(
            "Title\n\nFailure #1: Database Corruption Error\n\nSummary:\n\nSome text here.\n\nFailure #1a: Services Downtime\n",
        );
        assert_eq!(
            heading_texts(&doc),
            [
                (1, "Title"),
                (2, "Failure #1: Database Corruption Error"),
                (3, "Summary"),
                (2, "Failure #1a: Services Downtime")
            ]
        );
    }

    #[test]
    fn bullets_nest_by_indentation_and_wrapped_lines_continue_items() {
        let doc = parse(
            "T\n\n- Planned:\n - Nightly backups.\n- In Progress:\n - Fallback services\n   on Azure.\n",
        );
        let Block::List(list) = &doc.blocks[1] else {
            panic!("expected a list, got {:?}", doc.blocks[1])
        };
        assert_eq!(list.items.len(), 2);
        assert_eq!(list.items[0].text, "Planned:");
        let Block::List(sub) = &list.items[1].children[0] else {
            panic!("expected a sub-list")
        };
        assert_eq!(sub.items[0].text, "Fallback services\non Azure.");
        assert_eq!(sub.items[0].line, 6);
    }

    #[test]
    fn an_item_whose_text_wraps_onto_an_indented_line_keeps_it() {
        let doc = parse(
            "T\n\n- 08/07/2024 ~ 09:50\n Rebooting affected server\n- **08/07/2024** ~ **10:37** Service restoration\n",
        );
        let Block::List(list) = &doc.blocks[1] else {
            panic!("expected a list")
        };
        assert_eq!(
            list.items[0].text,
            "08/07/2024 ~ 09:50\nRebooting affected server"
        );
        assert_eq!(list.items[1].text, "08/07/2024 ~ 10:37 Service restoration");
    }

    #[test]
    fn a_short_line_after_a_bare_timestamp_item_is_its_text_not_a_heading() {
        let doc = parse(
            "T\n\n• 06/07/2024 08:25\n\nIhor noticed issues on his device\n\n• 06/07/2024 08:30\n",
        );
        assert_eq!(heading_texts(&doc), [(1, "T")]);
        assert!(matches!(&doc.blocks[2], Block::Paragraph(p) if p.text.starts_with("Ihor")));
    }

    #[test]
    fn dated_lines_and_sentences_are_not_headings() {
        let doc = parse("T\n\nPosted Oct 13, 2017 - 18:43 UTC\n\nThis page was left blank.\n");
        assert_eq!(heading_texts(&doc), [(1, "T")]);
    }

    #[test]
    fn fenced_blocks_are_code_and_task_boxes_are_tasks() {
        let doc = parse("T\n\n```\n[26/06/2019] log\n```\n\n- [x] done thing\n- [] open thing\n");
        assert!(matches!(&doc.blocks[1], Block::Code(c) if c.text == "[26/06/2019] log"));
        let Block::List(list) = &doc.blocks[2] else {
            panic!("expected a list")
        };
        assert_eq!(list.items[0].task, Some(true));
        assert_eq!(list.items[1].task, Some(false));
        assert_eq!(list.items[1].text, "open thing");
    }

    #[test]
    fn emphasis_pairs_are_removed_but_lone_markers_stay() {
        assert_eq!(clean_inline("**a** and **b**"), "a and b");
        assert_eq!(clean_inline("2 ** 3"), "2 ** 3");
        assert_eq!(clean_inline("**a** **b"), "a **b");
    }

    #[test]
    fn urls_are_collected_as_links() {
        let doc = parse("T\n\nsee https://example.org/a, and http://x.y/z).\n");
        let targets: Vec<&str> = doc.links.iter().map(|l| l.target.as_str()).collect();
        assert_eq!(targets, ["https://example.org/a", "http://x.y/z"]);
    }
}
