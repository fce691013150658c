//! Markdown front end: CommonMark with GFM tables, task lists, strikethrough and
//! footnotes (pulldown-cmark), plus optional YAML/TOML front matter.
//!
//! Invariant: produces only the shared document model; no extraction rule lives here.

use super::document::{
    Block, Code, Document, Heading, Link, List, ListItem, Paragraph, Quote, Table, TableRow,
};
use super::frontmatter;
use super::lines::LineIndex;
use crate::model::Format;
use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

/// Parses a Markdown document into the shared model.
pub fn parse(text: &str) -> Document {
    let split = frontmatter::split(text);
    let index = LineIndex::new(split.body, split.body_line);
    let mut builder = Builder::new(&index);
    for (event, range) in Parser::new_ext(split.body, options()).into_offset_iter() {
        builder.event(event, range.start);
    }
    let links = std::mem::take(&mut builder.links);
    let mut blocks = builder.finish();
    drop_kramdown_attributes(&mut blocks);
    Document {
        format: Some(Format::Markdown),
        meta: split.meta,
        blocks,
        links,
        warnings: split.warnings,
    }
}

/// The pulldown-cmark options Aftermath uses everywhere (also for rendering).
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_FOOTNOTES
}

/// A container being built.
enum Frame {
    Blocks {
        blocks: Vec<Block>,
        quote_line: Option<u32>,
    },
    List(List),
    Item(ListItem),
    Table(TableFrame),
}

struct TableFrame {
    table: Table,
    row: Vec<String>,
    row_line: u32,
    in_head: bool,
}

/// What the inline text being collected belongs to.
enum InlineKind {
    Paragraph,
    Heading(u8),
    Cell,
    Code(Option<String>),
    /// Text directly inside a tight list item.
    ItemText,
}

struct Inline {
    kind: InlineKind,
    text: String,
    line: u32,
}

struct Builder<'a> {
    index: &'a LineIndex,
    stack: Vec<Frame>,
    inline: Option<Inline>,
    /// Open links: (target, start of the link text in the inline buffer).
    open_links: Vec<(String, usize)>,
    links: Vec<Link>,
    /// Depth of image tags: their alt text is kept, nothing else.
    in_image: usize,
}

impl<'a> Builder<'a> {
    fn new(index: &'a LineIndex) -> Self {
        Builder {
            index,
            stack: vec![Frame::Blocks {
                blocks: Vec::new(),
                quote_line: None,
            }],
            inline: None,
            open_links: Vec::new(),
            links: Vec::new(),
            in_image: 0,
        }
    }

    fn finish(mut self) -> Vec<Block> {
        self.flush_item_text();
        // Close anything left open (pulldown-cmark always closes, but stay defensive).
        while self.stack.len() > 1 {
            self.close_frame();
        }
        match self.stack.pop() {
            Some(Frame::Blocks { blocks, .. }) => blocks,
            _ => Vec::new(),
        }
    }

    fn event(&mut self, event: Event<'_>, offset: usize) {
        let line = self.index.line_of(offset);
        match event {
            Event::Start(tag) => self.start(tag, line),
            Event::End(tag) => self.end(tag),
            Event::Text(t) | Event::Code(t) => self.text(&t, line),
            Event::InlineMath(t) | Event::DisplayMath(t) => self.text(&t, line),
            Event::SoftBreak | Event::HardBreak => self.text("\n", line),
            Event::TaskListMarker(checked) => {
                if let Some(Frame::Item(item)) = self.stack.last_mut() {
                    item.task = Some(checked);
                }
            }
            Event::FootnoteReference(_) | Event::Rule => {}
            // Raw HTML never reaches the model's text: the renderer sanitises it, and
            // the extractor has no use for markup.
            Event::Html(_) | Event::InlineHtml(_) => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, line: u32) {
        match tag {
            Tag::Paragraph => self.begin_inline(InlineKind::Paragraph, line),
            Tag::Heading { level, .. } => {
                self.begin_inline(InlineKind::Heading(level_num(level)), line)
            }
            Tag::CodeBlock(kind) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => info
                        .split_whitespace()
                        .next()
                        .map(|s| s.to_string())
                        .filter(|s| !s.is_empty()),
                    CodeBlockKind::Indented => None,
                };
                self.begin_inline(InlineKind::Code(lang), line);
            }
            Tag::BlockQuote(_) => {
                self.flush_item_text();
                self.stack.push(Frame::Blocks {
                    blocks: Vec::new(),
                    quote_line: Some(line),
                });
            }
            Tag::List(start) => {
                self.flush_item_text();
                self.stack.push(Frame::List(List {
                    ordered: start.is_some(),
                    items: Vec::new(),
                    line,
                }));
            }
            Tag::Item => self.stack.push(Frame::Item(ListItem {
                text: String::new(),
                line,
                task: None,
                children: Vec::new(),
            })),
            Tag::Table(_) => self.stack.push(Frame::Table(TableFrame {
                table: Table {
                    header: Vec::new(),
                    rows: Vec::new(),
                    line,
                },
                row: Vec::new(),
                row_line: line,
                in_head: false,
            })),
            Tag::TableHead => {
                if let Some(Frame::Table(t)) = self.stack.last_mut() {
                    t.in_head = true;
                    t.row.clear();
                    t.row_line = line;
                }
            }
            Tag::TableRow => {
                if let Some(Frame::Table(t)) = self.stack.last_mut() {
                    t.row.clear();
                    t.row_line = line;
                }
            }
            Tag::TableCell => self.begin_inline(InlineKind::Cell, line),
            Tag::Link { dest_url, .. } => {
                let at = self.inline.as_ref().map_or(0, |i| i.text.len());
                self.open_links.push((dest_url.to_string(), at));
            }
            Tag::Image { .. } => self.in_image += 1,
            Tag::FootnoteDefinition(_) => {
                self.flush_item_text();
                self.stack.push(Frame::Blocks {
                    blocks: Vec::new(),
                    quote_line: None,
                });
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock => self.end_inline(),
            TagEnd::TableCell => {
                if let Some(inline) = self.inline.take()
                    && let Some(Frame::Table(t)) = self.stack.last_mut()
                {
                    t.row.push(clean(&inline.text));
                }
            }
            TagEnd::TableHead => {
                if let Some(Frame::Table(t)) = self.stack.last_mut() {
                    t.table.header = std::mem::take(&mut t.row);
                    t.in_head = false;
                }
            }
            TagEnd::TableRow => {
                if let Some(Frame::Table(t)) = self.stack.last_mut() {
                    let cells = std::mem::take(&mut t.row);
                    t.table.rows.push(TableRow {
                        cells,
                        line: t.row_line,
                    });
                }
            }
            TagEnd::Link => {
                if let Some((target, at)) = self.open_links.pop() {
                    let (text, line) = match &self.inline {
                        Some(i) => (i.text.get(at..).unwrap_or("").trim().to_string(), i.line),
                        None => (String::new(), 0),
                    };
                    self.links.push(Link { text, target, line });
                }
            }
            TagEnd::Image => self.in_image = self.in_image.saturating_sub(1),
            TagEnd::Item => {
                self.flush_item_text();
                self.close_frame();
            }
            TagEnd::List(_)
            | TagEnd::Table
            | TagEnd::BlockQuote(_)
            | TagEnd::FootnoteDefinition => self.close_frame(),
            _ => {}
        }
    }

    fn text(&mut self, text: &str, line: u32) {
        if self.inline.is_none() {
            if matches!(self.stack.last(), Some(Frame::Item(_))) {
                self.begin_inline(InlineKind::ItemText, line);
            } else {
                return;
            }
        }
        if let Some(inline) = self.inline.as_mut() {
            inline.text.push_str(text);
        }
    }

    fn begin_inline(&mut self, kind: InlineKind, line: u32) {
        // A block starting inside a tight item ends the item's own text.
        self.flush_item_text();
        self.inline = Some(Inline {
            kind,
            text: String::new(),
            line,
        });
    }

    fn flush_item_text(&mut self) {
        if matches!(
            self.inline,
            Some(Inline {
                kind: InlineKind::ItemText,
                ..
            })
        ) {
            self.end_inline();
        }
    }

    fn end_inline(&mut self) {
        let Some(inline) = self.inline.take() else {
            return;
        };
        let block = match inline.kind {
            InlineKind::Paragraph | InlineKind::ItemText => {
                let text = clean(&inline.text);
                if text.is_empty() {
                    return;
                }
                Block::Paragraph(Paragraph {
                    text,
                    line: inline.line,
                })
            }
            InlineKind::Heading(level) => Block::Heading(Heading {
                level,
                text: clean(&inline.text).replace('\n', " "),
                line: inline.line,
            }),
            InlineKind::Code(lang) => Block::Code(Code {
                lang,
                text: inline.text.trim_end_matches('\n').to_string(),
                line: inline.line,
            }),
            InlineKind::Cell => return,
        };
        self.push_block(block);
    }

    /// Adds a finished block to the innermost container.
    fn push_block(&mut self, block: Block) {
        match self.stack.last_mut() {
            Some(Frame::Blocks { blocks, .. }) => blocks.push(block),
            Some(Frame::Item(item)) => {
                let first_text = item.text.is_empty() && item.children.is_empty();
                match block {
                    Block::Paragraph(p) if first_text => {
                        item.text = p.text;
                        item.line = p.line.min(item.line).max(1);
                    }
                    other => item.children.push(other),
                }
            }
            // Lists only hold items and tables only cells; anything else inside them is
            // malformed input that pulldown-cmark would not produce.
            _ => {}
        }
    }

    fn close_frame(&mut self) {
        if self.stack.len() <= 1 {
            return;
        }
        let Some(frame) = self.stack.pop() else {
            return;
        };
        match frame {
            Frame::Blocks { blocks, quote_line } => match quote_line {
                Some(line) => self.push_block(Block::Quote(Quote { blocks, line })),
                // Footnote definitions: their paragraphs join the flow of the document.
                None => {
                    for b in blocks {
                        self.push_block(b);
                    }
                }
            },
            Frame::List(list) => self.push_block(Block::List(list)),
            Frame::Item(item) => {
                if let Some(Frame::List(list)) = self.stack.last_mut() {
                    list.items.push(item);
                }
            }
            Frame::Table(t) => self.push_block(Block::Table(t.table)),
        }
    }
}

fn level_num(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Trims each line and the whole text; keeps line breaks.
fn clean(text: &str) -> String {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    lines.join("\n").trim().to_string()
}

/// Kramdown attribute lists (`{: .timeline }`) are Jekyll styling, not content; GFM
/// reads one under a table as a table row.
fn drop_kramdown_attributes(blocks: &mut Vec<Block>) {
    let is_ial = |s: &str| {
        let s = s.trim();
        s.starts_with("{:") && s.ends_with('}')
    };
    blocks.retain(|b| !matches!(b, Block::Paragraph(p) if is_ial(&p.text)));
    for block in blocks.iter_mut() {
        if let Block::Table(t) = block {
            t.rows.retain(|r| {
                !(r.cells.first().is_some_and(|c| is_ial(c))
                    && r.cells.iter().skip(1).all(|c| c.is_empty()))
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headings(doc: &Document) -> Vec<(u8, String, u32)> {
        doc.blocks
            .iter()
            .filter_map(|b| match b {
                Block::Heading(h) => Some((h.level, h.text.clone(), h.line)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn headings_and_paragraphs_keep_source_lines() {
        let doc = parse("\n# Title\n\n## Summary\n\nFirst line\nsecond *line*.\n");
        assert_eq!(
            headings(&doc),
            [(1, "Title".into(), 2), (2, "Summary".into(), 4)]
        );
        match &doc.blocks[2] {
            Block::Paragraph(p) => {
                assert_eq!(p.text, "First line\nsecond line.");
                assert_eq!(p.line, 6);
            }
            other => panic!("expected a paragraph, got {other:?}"),
        }
    }

    #[test]
    fn front_matter_shifts_line_numbers() {
        let doc = parse("---\ntitle: X\n---\n# Heading\n");
        assert_eq!(doc.meta.title.as_deref(), Some("X"));
        assert_eq!(headings(&doc), [(1, "Heading".into(), 4)]);
    }

    #[test]
    fn tight_and_nested_lists_keep_item_text_and_children() {
        let doc = parse(
            "- Look deeper:\n    - Resolve issues.\n    - Warn.\n- [x] Push doc\n- [ ] File issues\n",
        );
        let Block::List(list) = &doc.blocks[0] else {
            panic!("expected a list")
        };
        assert_eq!(list.items.len(), 3);
        assert_eq!(list.items[0].text, "Look deeper:");
        let Block::List(sub) = &list.items[0].children[0] else {
            panic!("expected a sub-list")
        };
        assert_eq!(sub.items[1].text, "Warn.");
        assert_eq!(sub.items[1].line, 3);
        assert_eq!(list.items[1].task, Some(true));
        assert_eq!(list.items[2].task, Some(false));
        assert_eq!(list.items[2].text, "File issues");
    }

    #[test]
    fn loose_list_items_take_their_first_paragraph_as_text() {
        let doc = parse("1. First item\n\n   More about it.\n\n2. Second\n");
        let Block::List(list) = &doc.blocks[0] else {
            panic!("expected a list")
        };
        assert!(list.ordered);
        assert_eq!(list.items[0].text, "First item");
        assert_eq!(list.items[0].children.len(), 1);
        assert_eq!(list.items[1].line, 5);
    }

    #[test]
    fn tables_keep_header_cells_and_row_lines() {
        let doc = parse(
            "| Time | Event |\n|---|---|\n| 14:51 | **News** [x](http://a.b/) |\n| 14:53 | more |\n{: .timeline }\n",
        );
        let Block::Table(t) = &doc.blocks[0] else {
            panic!("expected a table")
        };
        assert_eq!(t.header, ["Time", "Event"]);
        assert_eq!(t.rows.len(), 2, "the kramdown attribute row is dropped");
        assert_eq!(t.rows[0].cells, ["14:51", "News x"]);
        assert_eq!(t.rows[1].line, 4);
        assert_eq!(doc.links[0].target, "http://a.b/");
        assert_eq!(doc.links[0].line, 3);
    }

    #[test]
    fn raw_html_is_not_text() {
        let doc = parse("<script>alert(1)</script>\n\nHello <b onclick=x>world</b>\n");
        assert_eq!(doc.plain_text(), "Hello world");
    }

    #[test]
    fn code_blocks_keep_language_and_text() {
        let doc = parse("```sh\nkubectl delete pod x\n```\n");
        assert_eq!(
            doc.blocks[0],
            Block::Code(Code {
                lang: Some("sh".into()),
                text: "kubectl delete pod x".into(),
                line: 1
            })
        );
    }
}
