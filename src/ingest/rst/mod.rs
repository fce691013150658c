//! reStructuredText front end: reads an RST document into the shared [`Document`] model.
//!
//! A hand-written, line-based reader that follows docutils' block rules closely enough
//! that sections, lists, tables and literal blocks get the structure docutils would
//! build, while everything that is not content (comments, hyperlink targets,
//! substitution definitions, layout directives such as `sectnum` or `toctree`) is
//! dropped. `.. raw::` is always dropped with a warning: its payload is markup for
//! another output format and must never reach the index.
//!
//! Lines are read once into a buffer (tabs expanded, trailing whitespace removed) and
//! parsed with a cursor. Nested constructs (list items, block quotes, directive content)
//! are parsed recursively on re-indented sub-slices of the same lines, so every block
//! keeps the line number of the original file. Inline markup is removed by one
//! left-to-right scan per paragraph that applies docutils' start/end-string rules.

mod directives;
mod inline;
mod lists;
mod tables;
#[cfg(test)]
mod tests;

use directives::*;
use inline::*;
use lists::*;
use tables::*;

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::ingest::document::{
    Block, Code, Document, Heading, Link, List, ListItem, Meta, Paragraph, Quote, Table, TableRow,
};
use crate::model::{Format, Warning};

/// Deepest nesting of list items, quotes and directives that is parsed structurally;
/// anything deeper is kept as plain text so hostile input cannot exhaust the stack.
const MAX_DEPTH: u32 = 40;
/// Largest grid table (width times height, in characters) scanned for cells.
const GRID_MAX_AREA: usize = 2_000_000;
/// Character steps the grid cell scanner may take per table; the scan backtracks on
/// row and column spans, so a hostile table could otherwise take cubic time.
const GRID_SCAN_BUDGET: usize = 8_000_000;

/// Parses a reStructuredText document into the shared model; never fails.
pub fn parse(text: &str) -> Document {
    let storage = split_lines(text);
    let lines: Vec<Line<'_>> = storage
        .iter()
        .enumerate()
        .map(|(i, s)| Line::new(s, u32::try_from(i + 1).unwrap_or(u32::MAX)))
        .collect();
    let mut parser = Parser::new(&lines);
    let blocks = parser.blocks(&lines, Ctx::TOP);
    parser.finish(blocks)
}

/// Splits the input into lines the way docutils sees them: BOM and `\r` removed, tabs
/// expanded to 8-column stops, vertical tab and form feed turned into spaces, trailing
/// whitespace stripped (so a blank line is an empty string).
fn split_lines(text: &str) -> Vec<String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.split('\n')
        .map(|raw| {
            let raw = raw.strip_suffix('\r').unwrap_or(raw);
            let mut line = String::with_capacity(raw.len());
            let mut column = 0;
            for c in raw.chars() {
                match c {
                    '\t' => {
                        let n = 8 - column % 8;
                        line.extend(std::iter::repeat_n(' ', n));
                        column += n;
                    }
                    '\u{b}' | '\u{c}' => {
                        line.push(' ');
                        column += 1;
                    }
                    _ => {
                        line.push(c);
                        column += 1;
                    }
                }
            }
            line.truncate(line.trim_end().len());
            line
        })
        .collect()
}

/// One source line, possibly re-indented for a nested construct. The indentation is
/// counted once: nested parses ask for it at every level.
#[derive(Clone, Copy, Debug)]
struct Line<'a> {
    text: &'a str,
    num: u32,
    indent: usize,
}

impl<'a> Line<'a> {
    fn new(text: &'a str, num: u32) -> Line<'a> {
        let indent = text.len() - text.trim_start_matches(' ').len();
        Line { text, num, indent }
    }

    fn is_blank(&self) -> bool {
        self.text.is_empty()
    }

    fn indent(&self) -> usize {
        self.indent
    }

    /// The line with `n` columns of indentation removed (blank lines stay blank).
    fn dedent(self, n: usize) -> Line<'a> {
        let n = n.min(self.indent);
        Line {
            text: &self.text[n..],
            num: self.num,
            indent: self.indent - n,
        }
    }

    /// The same line showing only `text`, a suffix of it (the text after a marker).
    fn with_text(self, text: &'a str) -> Line<'a> {
        Line::new(text, self.num)
    }
}

fn skip_blank(lines: &[Line<'_>], mut i: usize) -> usize {
    while i < lines.len() && lines[i].is_blank() {
        i += 1;
    }
    i
}

fn min_indent(lines: &[Line<'_>]) -> usize {
    lines
        .iter()
        .filter(|l| !l.is_blank())
        .map(Line::indent)
        .min()
        .unwrap_or(0)
}

fn join_texts(lines: &[Line<'_>]) -> String {
    lines.iter().map(|l| l.text).collect::<Vec<_>>().join("\n")
}

/// The indented block starting at `i` (docutils' `get_indented`): lines that are blank
/// or indented, trailing blank lines dropped, common indentation removed. Returns the
/// block and the index of the first line after it.
fn indented_block<'a>(lines: &[Line<'a>], i: usize) -> (Vec<Line<'a>>, usize) {
    let mut end = i;
    while end < lines.len() && (lines[end].is_blank() || lines[end].indent() > 0) {
        end += 1;
    }
    let mut last = end;
    while last > i && lines[last - 1].is_blank() {
        last -= 1;
    }
    let block = &lines[i..last];
    let indent = min_indent(block);
    (block.iter().map(|l| l.dedent(indent)).collect(), end)
}

/// Like [`indented_block`] for constructs whose first line starts after a marker
/// (fields, explicit markup, empty list items): `first` is the text after the marker and
/// the following indented lines lose their own common indentation. With `until_blank`
/// the block ends at the first blank line (hyperlink targets).
fn first_known_indented<'a>(
    lines: &[Line<'a>],
    i: usize,
    first: &'a str,
    until_blank: bool,
) -> (Vec<Line<'a>>, usize) {
    let mut end = i + 1;
    while end < lines.len() && (lines[end].indent() > 0 || (lines[end].is_blank() && !until_blank))
    {
        end += 1;
    }
    let mut last = end;
    while last > i + 1 && lines[last - 1].is_blank() {
        last -= 1;
    }
    let rest = &lines[i + 1..last];
    let indent = min_indent(rest);
    let mut block = Vec::with_capacity(rest.len() + 1);
    block.push(lines[i].with_text(first));
    block.extend(rest.iter().map(|l| l.dedent(indent)));
    (block, end)
}

/// The body of a list item whose first line has text: like docutils, its lines are cut
/// at the item's text column (`indent`), so deeper lines keep their extra indentation
/// (and become a nested quote or definition), and a line indented less ends the item.
fn known_indented<'a>(lines: &[Line<'a>], i: usize, indent: usize) -> (Vec<Line<'a>>, usize) {
    let mut end = i + 1;
    while end < lines.len() && (lines[end].is_blank() || lines[end].indent() >= indent) {
        end += 1;
    }
    let mut last = end;
    while last > i + 1 && lines[last - 1].is_blank() {
        last -= 1;
    }
    let mut block = Vec::with_capacity(last - i);
    block.push(lines[i].with_text(&lines[i].text[indent..]));
    block.extend(lines[i + 1..last].iter().map(|l| l.dedent(indent)));
    (block, end)
}

/// The lines of a list item starting at `i`, whose text starts at byte `text_at`.
fn item_block<'a>(lines: &[Line<'a>], i: usize, text_at: usize) -> (Vec<Line<'a>>, usize) {
    let text = &lines[i].text[text_at..];
    if text.is_empty() {
        first_known_indented(lines, i, text, false)
    } else {
        known_indented(lines, i, text_at)
    }
}

/// Where a nested parse happens: whether section titles are allowed there, and how
/// deep it is.
#[derive(Clone, Copy)]
struct Ctx {
    titles: bool,
    depth: u32,
}

impl Ctx {
    const TOP: Ctx = Ctx {
        titles: true,
        depth: 0,
    };

    /// Body elements (list items, quotes, directive content) cannot hold sections.
    fn nested(self) -> Ctx {
        Ctx {
            titles: false,
            depth: self.depth + 1,
        }
    }

    /// Conditional content (`only`, `ifconfig`) may hold sections of the enclosing level.
    fn transparent(self) -> Ctx {
        Ctx {
            titles: self.titles,
            depth: self.depth + 1,
        }
    }
}

/// A field of a field list, kept until we know whether it is docinfo.
#[derive(Clone)]
struct Field {
    name: String,
    body: Vec<Block>,
    line: u32,
}

/// What the top level has seen so far, to recognise the docinfo field list.
#[derive(Default)]
struct TopState {
    body_seen: bool,
    headings: usize,
    docinfo_taken: bool,
    /// A field list right after the first title: docinfo only if that title turns out
    /// to be the document title (the only level-1 heading), as docutils decides.
    candidate: Option<(usize, Vec<Field>)>,
}

struct Parser {
    links: Vec<Link>,
    warnings: Vec<Warning>,
    meta: Meta,
    /// `|name|` replacement texts from `.. |name| replace::`, keyed by normalised name.
    subs: HashMap<String, String>,
    /// Heading styles (adornment char, overlined) in order of first appearance.
    styles: Vec<(char, bool)>,
    anon_refs: Vec<(String, u32)>,
    anon_targets: Vec<String>,
    top: TopState,
    depth_warned: bool,
}

impl Parser {
    fn new(lines: &[Line<'_>]) -> Parser {
        let mut parser = Parser {
            links: Vec::new(),
            warnings: Vec::new(),
            meta: Meta::default(),
            subs: HashMap::new(),
            styles: Vec::new(),
            anon_refs: Vec::new(),
            anon_targets: Vec::new(),
            top: TopState::default(),
            depth_warned: false,
        };
        parser.collect_substitutions(lines);
        parser
    }

    fn warn(&mut self, line: u32, message: impl Into<String>) {
        self.warnings.push(Warning::new(line, message));
    }

    /// Substitution definitions may follow their use, so `replace::` texts are collected
    /// in one pass over all lines before parsing.
    fn collect_substitutions(&mut self, lines: &[Line<'_>]) {
        let mut defs = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            let Some(rest) = line.text.trim_start_matches(' ').strip_prefix(".. |") else {
                continue;
            };
            let Some(close) = rest.find('|') else {
                continue;
            };
            let Some((directive, data)) = directive_marker(rest[close + 1..].trim_start()) else {
                continue;
            };
            if !directive.eq_ignore_ascii_case("replace") {
                continue;
            }
            let mut text = data.to_string();
            for more in &lines[i + 1..] {
                if more.is_blank() || more.indent() <= line.indent() {
                    break;
                }
                text.push(' ');
                text.push_str(more.text.trim());
            }
            defs.push((normalize_name(&rest[..close]), text, line.num));
        }
        let none = HashMap::new();
        for (key, text, line) in defs {
            let (mut links, mut anon) = (Vec::new(), Vec::new());
            let plain = Inliner::new(&text, line, &none, &mut links, &mut anon).run();
            self.subs.insert(key, plain);
        }
    }

    /// Removes inline markup from `text`, whose first character is on line `line`.
    fn inline(&mut self, text: &str, line: u32) -> String {
        const MARKUP: &[char] = &['*', '`', '_', '|', '[', '\\', ':'];
        if !text.contains(MARKUP) {
            return text.to_string();
        }
        Inliner::new(text, line, &self.subs, &mut self.links, &mut self.anon_refs).run()
    }

    fn finish(mut self, mut blocks: Vec<Block>) -> Document {
        if let Some((index, fields)) = self.top.candidate.take() {
            let level_one = blocks
                .iter()
                .filter(|b| matches!(b, Block::Heading(h) if h.level == 1))
                .count();
            if level_one == 1 && matches!(blocks.get(index), Some(Block::List(_))) {
                blocks.remove(index);
                self.apply_docinfo(fields);
            }
        }
        // Anonymous references take the anonymous targets in document order.
        let targets = std::mem::take(&mut self.anon_targets);
        let refs = std::mem::take(&mut self.anon_refs);
        for ((text, line), target) in refs.into_iter().zip(targets) {
            self.links.push(Link { text, target, line });
        }
        self.links.sort_by_key(|l| l.line);
        Document {
            format: Some(Format::Rst),
            meta: self.meta,
            blocks,
            links: self.links,
            warnings: self.warnings,
        }
    }

    // ----- block level -------------------------------------------------------------

    /// Parses a run of lines (already re-indented so the construct starts at column 0).
    fn blocks(&mut self, lines: &[Line<'_>], ctx: Ctx) -> Vec<Block> {
        let mut out = Vec::new();
        if ctx.depth > MAX_DEPTH {
            self.too_deep(lines, &mut out);
            return out;
        }
        let mut i = 0;
        let mut literal_next = false;
        while i < lines.len() {
            let line = lines[i];
            if line.is_blank() {
                i += 1;
                continue;
            }
            let before = out.len();
            let mut next_literal = false;
            let literal = if std::mem::take(&mut literal_next) {
                self.expected_literal(lines, i, &mut out)
            } else {
                None
            };
            let next = match literal {
                Some(next) => next,
                None if line.indent() > 0 => self.block_quote(lines, i, ctx, &mut out),
                None => {
                    let (next, literal) = self.body_element(lines, i, ctx, &mut out);
                    next_literal = literal;
                    next
                }
            };
            literal_next = next_literal;
            if ctx.depth == 0 {
                self.note_top_level(before, &out);
            }
            i = next.max(i + 1);
        }
        if literal_next && let Some(last) = lines.last() {
            self.warn(last.num, "literal block expected after '::'; none found");
        }
        out
    }

    fn note_top_level(&mut self, from: usize, out: &[Block]) {
        for block in &out[from..] {
            match block {
                Block::Heading(_) => self.top.headings += 1,
                _ => self.top.body_seen = true,
            }
        }
    }

    fn too_deep(&mut self, lines: &[Line<'_>], out: &mut Vec<Block>) {
        let Some(first) = lines.iter().find(|l| !l.is_blank()) else {
            return;
        };
        if !self.depth_warned {
            self.depth_warned = true;
            self.warn(first.num, "nesting too deep; content kept as plain text");
        }
        let text = lines
            .iter()
            .map(|l| l.text.trim_start())
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        out.push(Block::Paragraph(Paragraph {
            text,
            line: first.num,
        }));
    }

    /// Dispatches a non-indented line in docutils' order of precedence. Returns the
    /// next line and whether a literal block must follow (paragraph ending in `::`).
    fn body_element(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) -> (usize, bool) {
        let text = lines[i].text;
        if bullet_marker(text).is_some() {
            return (self.bullet_list(lines, i, ctx, out), false);
        }
        if let Some(e) = enumerator(text, None)
            && starts_enum_item(lines, i, &e)
        {
            return (self.enumerated_list(lines, i, e, ctx, out), false);
        }
        if field_marker(text).is_some() {
            return (self.field_list(lines, i, ctx, out), false);
        }
        if marker_then_space(text, ">>>") {
            return (self.doctest(lines, i, out), false);
        }
        if marker_then_space(text, "|") {
            return (self.line_block(lines, i, out), false);
        }
        if is_grid_top(text) {
            return (self.grid_table(lines, i, ctx, out), false);
        }
        if is_simple_top(text) {
            return (self.simple_table(lines, i, ctx, out), false);
        }
        if marker_then_space(text, "..") {
            return (self.explicit(lines, i, ctx, out), false);
        }
        if marker_then_space(text, "__") {
            return (self.anonymous_target(lines, i), false);
        }
        if let Some(c) = adornment_char(text) {
            return self.adornment_line(lines, i, c, ctx, out);
        }
        self.text_block(lines, i, ctx, out)
    }

    /// After a `::` paragraph: an indented block, or a "quoted" one whose lines all start
    /// with the same punctuation character.
    fn expected_literal(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        out: &mut Vec<Block>,
    ) -> Option<usize> {
        let first = lines[i];
        if first.indent() > 0 {
            let (block, next) = indented_block(lines, i);
            out.push(code_block(&block, None));
            return Some(next);
        }
        let quote = first.text.chars().next().filter(char::is_ascii_punctuation);
        let Some(quote) = quote else {
            self.warn(first.num, "literal block expected after '::'; none found");
            return None;
        };
        let mut j = i;
        while j < lines.len()
            && !lines[j].is_blank()
            && lines[j].indent() == 0
            && lines[j].text.starts_with(quote)
        {
            j += 1;
        }
        out.push(code_block(&lines[i..j], None));
        Some(j)
    }

    fn block_quote(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) -> usize {
        let (block, next) = indented_block(lines, i);
        let blocks = self.blocks(&block, ctx.nested());
        if !blocks.is_empty() {
            out.push(Block::Quote(Quote {
                blocks,
                line: lines[i].num,
            }));
        }
        next
    }

    /// A text line: section title (with underline), definition list item (followed by
    /// an indented line) or paragraph.
    fn text_block(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) -> (usize, bool) {
        let line = lines[i];
        if let Some(next) = lines.get(i + 1).filter(|l| !l.is_blank()) {
            if next.indent() == 0
                && let Some(c) = adornment_char(next.text)
            {
                let title = line.text.trim();
                let underline = next.text.chars().count();
                // docutils: a too-short underline under 4 chars is just paragraph text.
                let short = display_width(title) > underline;
                if !short || underline >= 4 {
                    if short {
                        self.warn(next.num, "title underline too short");
                    }
                    self.heading(title, (c, false), line.num, ctx, out);
                    return (i + 2, false);
                }
            } else if next.indent() > 0 {
                return (self.definition(lines, i, ctx, out), false);
            }
        }
        self.paragraph(lines, i, out)
    }

    fn paragraph(&mut self, lines: &[Line<'_>], i: usize, out: &mut Vec<Block>) -> (usize, bool) {
        let mut j = i;
        while j < lines.len() && !lines[j].is_blank() && lines[j].indent() == 0 {
            j += 1;
        }
        if let Some(next) = lines.get(j).filter(|l| !l.is_blank()) {
            // docutils reports this too; the indented lines become a block quote.
            self.warn(next.num, "unexpected indentation");
        }
        let raw = join_texts(&lines[i..j]);
        let (text, literal_next) = strip_literal_marker(&raw);
        if let Some(text) = text {
            let text = self.inline(text, lines[i].num);
            out.push(Block::Paragraph(Paragraph {
                text,
                line: lines[i].num,
            }));
        }
        (j, literal_next)
    }

    /// A definition list item: the term becomes a paragraph and the definition's blocks
    /// follow it unwrapped, so the extractor sees them as ordinary body text.
    fn definition(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) -> usize {
        let term = lines[i].text;
        // Classifiers (`term : classifier`) are type annotations, not part of the term.
        let term = term.split(" : ").next().unwrap_or(term);
        let text = self.inline(term, lines[i].num);
        out.push(Block::Paragraph(Paragraph {
            text,
            line: lines[i].num,
        }));
        let (block, next) = indented_block(lines, i + 1);
        let body = self.blocks(&block, ctx.nested());
        out.extend(body);
        next
    }

    fn heading(
        &mut self,
        title: &str,
        style: (char, bool),
        line: u32,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) {
        let text = self.inline(title, line);
        if !ctx.titles {
            self.warn(line, "section title not allowed here; kept as a paragraph");
            out.push(Block::Paragraph(Paragraph { text, line }));
            return;
        }
        let index = match self.styles.iter().position(|s| *s == style) {
            Some(index) => index,
            None => {
                self.styles.push(style);
                self.styles.len() - 1
            }
        };
        let level = u8::try_from(index + 1).unwrap_or(u8::MAX);
        out.push(Block::Heading(Heading { level, text, line }));
    }

    /// A line of one repeated punctuation character at the start of a block: a
    /// transition, the overline of a title, or (when short) ordinary text.
    fn adornment_line(
        &mut self,
        lines: &[Line<'_>],
        i: usize,
        c: char,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) -> (usize, bool) {
        let line = lines[i];
        let len = line.text.chars().count();
        let Some(title) = lines.get(i + 1).filter(|l| !l.is_blank()).copied() else {
            if len >= 4 {
                return (i + 1, false); // a transition carries no content
            }
            return self.text_block(lines, i, ctx, out);
        };
        if len < 4 && !(ctx.titles && lines.get(i + 2).is_some_and(|u| u.text == line.text)) {
            return self.text_block(lines, i, ctx, out);
        }
        if !ctx.titles {
            self.warn(line.num, "unexpected section title or transition");
            return (i + 1, false);
        }
        if title.indent() == 0 && adornment_char(title.text).is_some() {
            self.warn(line.num, "invalid section title or transition marker");
            return (i + 1, false);
        }
        if lines.get(i + 2).is_none_or(|u| u.text != line.text) {
            self.warn(line.num, "section title overline has no matching underline");
            return (i + 1, false);
        }
        let text = title.text.trim();
        if display_width(text) > len {
            if len < 4 {
                return self.text_block(lines, i, ctx, out);
            }
            self.warn(line.num, "title overline too short");
        }
        self.heading(text, (c, true), title.num, ctx, out);
        (i + 3, false)
    }

    fn doctest(&mut self, lines: &[Line<'_>], start: usize, out: &mut Vec<Block>) -> usize {
        let mut j = start;
        while j < lines.len() && !lines[j].is_blank() {
            j += 1;
        }
        out.push(code_block(&lines[start..j], Some("pycon".to_string())));
        j
    }

    /// `| line` blocks keep their line structure: one paragraph, one `\n` per line.
    fn line_block(&mut self, lines: &[Line<'_>], start: usize, out: &mut Vec<Block>) -> usize {
        let mut parts = Vec::new();
        let mut j = start;
        while j < lines.len() && !lines[j].is_blank() {
            let line = lines[j];
            if line.indent() == 0 {
                match line.text.strip_prefix('|') {
                    Some(rest) if rest.is_empty() || rest.starts_with(' ') => {
                        parts.push(rest.trim_start());
                    }
                    _ => break,
                }
            } else {
                parts.push(line.text.trim_start()); // continuation of the previous line
            }
            j += 1;
        }
        let text = self.inline(&parts.join("\n"), lines[start].num);
        out.push(Block::Paragraph(Paragraph {
            text,
            line: lines[start].num,
        }));
        j
    }

    // ----- tables --------------------------------------------------------------------
}

// ----- block helpers -----------------------------------------------------------------

fn code_block(lines: &[Line<'_>], lang: Option<String>) -> Block {
    Block::Code(Code {
        lang,
        text: join_texts(lines),
        line: lines.first().map_or(0, |l| l.num),
    })
}

/// `marker` followed by a space or the end of the line.
fn marker_then_space(text: &str, marker: &str) -> bool {
    text.strip_prefix(marker)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(' '))
}

/// A paragraph ending in an unescaped `::` announces a literal block: `text::` keeps one
/// colon, `text ::` none, and a bare `::` paragraph disappears.
fn strip_literal_marker(text: &str) -> (Option<&str>, bool) {
    let Some(body) = text.strip_suffix("::") else {
        return (Some(text), false);
    };
    let backslashes = body.chars().rev().take_while(|&c| c == '\\').count();
    if backslashes % 2 == 1 {
        return (Some(text), false);
    }
    if body.trim().is_empty() {
        return (None, true);
    }
    if body.ends_with(char::is_whitespace) {
        return (Some(body.trim_end()), true);
    }
    (Some(&text[..text.len() - 1]), true)
}

/// The repeated punctuation character of a section adornment / transition line.
fn adornment_char(text: &str) -> Option<char> {
    let c = text.chars().next()?;
    (c.is_ascii_punctuation() && text.chars().all(|d| d == c)).then_some(c)
}

/// Column width as docutils counts it: East Asian wide characters take two columns and
/// combining marks none.
fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

fn char_width(c: char) -> usize {
    // Combining marks take no column and wide (East Asian, emoji) characters two, as
    // docutils and pandoc count them when they draw a table's borders.
    unicode_width::UnicodeWidthChar::width(c).unwrap_or(0)
}

/// All text of some blocks, space separated (docinfo values, list-table cells).
fn flatten_text(blocks: &[Block], out: &mut String) {
    fn push(out: &mut String, text: &str) {
        if text.is_empty() {
            return;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(text);
    }
    for block in blocks {
        match block {
            Block::Heading(h) => push(out, &h.text),
            Block::Paragraph(p) => push(out, &p.text),
            Block::Code(c) => push(out, &c.text),
            Block::List(l) => {
                for item in &l.items {
                    push(out, &item.text);
                    flatten_text(&item.children, out);
                }
            }
            Block::Table(t) => {
                push(out, &t.header.join(" "));
                for row in &t.rows {
                    push(out, &row.cells.join(" "));
                }
            }
            Block::Quote(q) => flatten_text(&q.blocks, out),
        }
    }
}

fn item_text(item: &ListItem) -> String {
    let mut out = item.text.clone();
    flatten_text(&item.children, &mut out);
    out.replace('\n', " ")
}

fn as_list(block: &Block) -> Option<&List> {
    match block {
        Block::List(list) => Some(list),
        _ => None,
    }
}

fn normalize_name(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Removes backslash escapes (an escaped space disappears, as in docutils).
fn unescape_str(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some(' ') | None => {}
                Some(escaped) => out.push(escaped),
            }
        } else {
            out.push(c);
        }
    }
    out
}
