//! Document blocks for the extraction rules' unit tests, written the way the front
//! ends make them (level-2 headings unless said, unordered lists one line per item).

use crate::ingest::document::{Block, Heading, List, ListItem, Paragraph};

pub fn heading(text: &str, line: u32) -> Block {
    heading_at(2, text, line)
}

pub fn heading_at(level: u8, text: &str, line: u32) -> Block {
    Block::Heading(Heading {
        level,
        text: text.into(),
        line,
    })
}

pub fn para(text: &str, line: u32) -> Block {
    Block::Paragraph(Paragraph {
        text: text.into(),
        line,
    })
}

pub fn list(items: &[&str], line: u32) -> Block {
    Block::List(List {
        ordered: false,
        line,
        items: items
            .iter()
            .enumerate()
            .map(|(i, t)| ListItem {
                text: (*t).into(),
                line: line + i as u32,
                task: None,
                children: Vec::new(),
            })
            .collect(),
    })
}
