//! The one document model every format front end produces.
//!
//! A front end's only job is to turn its format into this tree: headings, paragraphs,
//! lists, tables, code and quotes, each with the 1-based line where it starts in the
//! original file. Inline markup is removed from text (emphasis markers, roles, link
//! syntax); link targets are kept in `Document::links`. The extractor never sees the
//! source format.
//!
//! Invariant: every `line` is a line of the original file (front matter included in
//! the count), and text keeps the source's line breaks inside a paragraph as `\n` so
//! the extractor can point at the exact line of a sentence.

use crate::model::{Format, Warning};

/// A parsed document in the shared model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub format: Option<Format>,
    pub meta: Meta,
    pub blocks: Vec<Block>,
    /// Link targets found anywhere in the document, in order.
    pub links: Vec<Link>,
    /// Problems the front end noticed (malformed front matter, an unclosed block...).
    pub warnings: Vec<Warning>,
}

/// Metadata given explicitly by the document (front matter, RST field lists at the top,
/// RST `:title:`-style docinfo). Values override what the extractor would infer.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Meta {
    pub title: Option<String>,
    /// The date as written; the extractor parses it.
    pub date: Option<String>,
    pub timezone: Option<String>,
    pub severity: Option<String>,
    pub tags: Vec<String>,
    pub systems: Vec<String>,
    pub authors: Vec<String>,
    /// The line the metadata block starts on (for warnings).
    pub line: u32,
}

/// A link target with its visible text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub text: String,
    pub target: String,
    pub line: u32,
}

/// A block of the document.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    Heading(Heading),
    Paragraph(Paragraph),
    List(List),
    Table(Table),
    /// Literal/preformatted text: code, logs, command output.
    Code(Code),
    /// A block quote; its content is ordinary blocks.
    Quote(Quote),
}

impl Block {
    /// The line the block starts on.
    pub fn line(&self) -> u32 {
        match self {
            Block::Heading(h) => h.line,
            Block::Paragraph(p) => p.line,
            Block::List(l) => l.items.first().map_or(l.line, |i| i.line),
            Block::Table(t) => t.line,
            Block::Code(c) => c.line,
            Block::Quote(q) => q.line,
        }
    }
}

/// A section heading. Levels start at 1 and only their relative order matters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub line: u32,
}

/// A paragraph of running text; source line breaks are kept as `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub text: String,
    pub line: u32,
}

/// A bullet or enumerated list.
#[derive(Debug, Clone, PartialEq)]
pub struct List {
    pub ordered: bool,
    pub items: Vec<ListItem>,
    pub line: u32,
}

/// One list item: its own text (the first paragraph) and whatever is nested under it.
#[derive(Debug, Clone, PartialEq)]
pub struct ListItem {
    /// The item's first paragraph, inline markup removed, line breaks kept.
    pub text: String,
    pub line: u32,
    /// `Some(checked)` for task-list items (`- [ ]`, `- [x]`).
    pub task: Option<bool>,
    /// Nested blocks: further paragraphs, sub-lists, code.
    pub children: Vec<Block>,
}

/// A table. `header` is empty when the table has no header row.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<TableRow>,
    pub line: u32,
}

/// One body row of a table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    pub cells: Vec<String>,
    pub line: u32,
}

/// Preformatted text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Code {
    pub lang: Option<String>,
    pub text: String,
    pub line: u32,
}

/// A block quote.
#[derive(Debug, Clone, PartialEq)]
pub struct Quote {
    pub blocks: Vec<Block>,
    pub line: u32,
}

impl Document {
    /// All the document's text, blocks in order, for full-text indexing.
    pub fn plain_text(&self) -> String {
        let mut out = String::new();
        for block in &self.blocks {
            push_block_text(block, &mut out);
        }
        out
    }
}

fn push_block_text(block: &Block, out: &mut String) {
    match block {
        Block::Heading(h) => push_line(out, &h.text),
        Block::Paragraph(p) => push_line(out, &p.text),
        Block::List(l) => {
            for item in &l.items {
                push_line(out, &item.text);
                for child in &item.children {
                    push_block_text(child, out);
                }
            }
        }
        Block::Table(t) => {
            push_line(out, &t.header.join(" "));
            for row in &t.rows {
                push_line(out, &row.cells.join(" "));
            }
        }
        Block::Code(c) => push_line(out, &c.text),
        Block::Quote(q) => {
            for b in &q.blocks {
                push_block_text(b, out);
            }
        }
    }
}

fn push_line(out: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out.push_str(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_walks_nested_blocks_in_order() {
        let doc = Document {
            blocks: vec![
                Block::Heading(Heading {
                    level: 1,
                    text: "Title".into(),
                    line: 1,
                }),
                Block::List(List {
                    ordered: false,
                    line: 3,
                    items: vec![ListItem {
                        text: "item".into(),
                        line: 3,
                        task: None,
                        children: vec![Block::Paragraph(Paragraph {
                            text: "child".into(),
                            line: 4,
                        })],
                    }],
                }),
            ],
            ..Document::default()
        };
        assert_eq!(doc.plain_text(), "Title\nitem\nchild");
    }
}
