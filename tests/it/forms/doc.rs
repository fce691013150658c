//! A small abstract document (title, front matter, headings, paragraphs, lists, tables,
//! definition lists) and its rendering as Markdown, reStructuredText or plain text, each
//! in the way people actually write that format (varied bullets, table styles,
//! underlines).

use super::rng::Rng;

/// The three formats the importer reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fmt {
    Md,
    Rst,
    Txt,
}

impl Fmt {
    pub fn ext(self) -> &'static str {
        match self {
            Fmt::Md => "md",
            Fmt::Rst => "rst",
            Fmt::Txt => "txt",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Fmt::Md => "Markdown",
            Fmt::Rst => "RST",
            Fmt::Txt => "text",
        }
    }

    /// Whether `**bold**` is markup in this format (plain text has none).
    pub fn has_bold(self) -> bool {
        self != Fmt::Txt
    }
}

/// A list item with optional nested detail items.
#[derive(Clone, Debug)]
pub struct Item {
    pub text: String,
    pub children: Vec<String>,
}

impl Item {
    pub fn new(text: impl Into<String>) -> Item {
        Item {
            text: text.into(),
            children: Vec::new(),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Block {
    /// Level 2 is a section, 3 a subsection.
    Heading(u8, String),
    /// A paragraph; its lines stay lines.
    Para(String),
    Bullets(Vec<Item>),
    Numbered(Vec<Item>),
    /// Header cells, then rows.
    Table(Vec<String>, Vec<Vec<String>>),
    /// Term, definition (RST definition lists; indented lines in plain text).
    Defs(Vec<(String, String)>),
    /// A quotation.
    Quote(String),
    /// Log or command output.
    Code(String),
}

/// A document before it is written in a format.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    /// Front matter fields (YAML in Markdown, docinfo in RST, `Key: value` lines in text).
    pub front: Vec<(String, String)>,
    pub title: Option<String>,
    pub blocks: Vec<Block>,
}

impl Doc {
    pub fn new(title: &str) -> Doc {
        Doc {
            title: Some(title.to_string()),
            ..Doc::default()
        }
    }

    pub fn h2(&mut self, text: &str) -> &mut Doc {
        self.blocks.push(Block::Heading(2, text.to_string()));
        self
    }

    pub fn h3(&mut self, text: &str) -> &mut Doc {
        self.blocks.push(Block::Heading(3, text.to_string()));
        self
    }

    pub fn para(&mut self, text: &str) -> &mut Doc {
        self.blocks.push(Block::Para(text.to_string()));
        self
    }

    pub fn bullets<S: Into<String>>(&mut self, items: impl IntoIterator<Item = S>) -> &mut Doc {
        self.blocks.push(Block::Bullets(
            items.into_iter().map(|s| Item::new(s)).collect(),
        ));
        self
    }

    pub fn push(&mut self, block: Block) -> &mut Doc {
        self.blocks.push(block);
        self
    }

    pub fn render(&self, fmt: Fmt, rng: &mut Rng) -> String {
        match fmt {
            Fmt::Md => self.markdown(rng),
            Fmt::Rst => self.rst(rng),
            Fmt::Txt => self.text(rng),
        }
    }

    fn markdown(&self, rng: &mut Rng) -> String {
        let mut out = String::new();
        if !self.front.is_empty() {
            out.push_str("---\n");
            for (k, v) in &self.front {
                out.push_str(&format!("{k}: {v}\n"));
            }
            out.push_str("---\n\n");
        }
        if let Some(t) = &self.title {
            out.push_str(&format!("# {t}\n\n"));
        }
        let bullet = *rng.pick(&["-", "*"]);
        for block in &self.blocks {
            match block {
                Block::Heading(level, t) => {
                    out.push_str(&format!("{} {t}\n\n", "#".repeat(*level as usize)))
                }
                Block::Para(t) => out.push_str(&format!("{t}\n\n")),
                Block::Bullets(items) => {
                    for item in items {
                        out.push_str(&format!("{bullet} {}\n", item.text));
                        for c in &item.children {
                            out.push_str(&format!("  {bullet} {c}\n"));
                        }
                    }
                    out.push('\n');
                }
                Block::Numbered(items) => {
                    for (n, item) in items.iter().enumerate() {
                        out.push_str(&format!("{}. {}\n", n + 1, item.text));
                        for c in &item.children {
                            out.push_str(&format!("   - {c}\n"));
                        }
                    }
                    out.push('\n');
                }
                Block::Table(head, rows) => {
                    let row = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
                    out.push_str(&row(head));
                    out.push_str(&format!("|{}\n", "---|".repeat(head.len())));
                    for r in rows {
                        out.push_str(&row(r));
                    }
                    out.push('\n');
                }
                Block::Defs(_) => panic!("Markdown has no definition lists"),
                Block::Quote(t) => out.push_str(&format!("> {t}\n\n")),
                Block::Code(t) => out.push_str(&format!("```\n{t}\n```\n\n")),
            }
        }
        out
    }

    fn rst(&self, rng: &mut Rng) -> String {
        let mut out = String::new();
        if let Some(t) = &self.title {
            out.push_str(&format!("{t}\n{}\n\n", "=".repeat(width(t))));
        }
        if !self.front.is_empty() {
            for (k, v) in &self.front {
                out.push_str(&format!(":{k}: {v}\n"));
            }
            out.push('\n');
        }
        let bullet = *rng.pick(&["-", "*"]);
        let grid = rng.chance(50);
        for block in &self.blocks {
            match block {
                Block::Heading(level, t) => {
                    let c = if *level <= 2 { "-" } else { "~" };
                    out.push_str(&format!("{t}\n{}\n\n", c.repeat(width(t))));
                }
                Block::Para(t) => out.push_str(&format!("{t}\n\n")),
                Block::Bullets(items) => rst_list(&mut out, items, |_| format!("{bullet} ")),
                Block::Numbered(items) => rst_list(&mut out, items, |n| format!("{}. ", n + 1)),
                Block::Table(head, rows) if grid => rst_grid(&mut out, head, rows),
                Block::Table(head, rows) => rst_simple(&mut out, head, rows),
                Block::Defs(defs) => {
                    for (term, def) in defs {
                        out.push_str(&format!("{term}\n    {def}\n\n"));
                    }
                }
                Block::Quote(t) => out.push_str(&format!("    {t}\n\n")),
                Block::Code(t) => out.push_str(&format!("::\n\n    {t}\n\n")),
            }
        }
        out
    }

    fn text(&self, rng: &mut Rng) -> String {
        let mut out = String::new();
        let underline = rng.chance(50);
        if let Some(t) = &self.title {
            out.push_str(t);
            out.push('\n');
            if underline {
                out.push_str(&"=".repeat(width(t)));
                out.push('\n');
            }
            out.push('\n');
        }
        if !self.front.is_empty() {
            for (k, v) in &self.front {
                out.push_str(&format!("{}: {v}\n", capitalise(k)));
            }
            out.push('\n');
        }
        let bullet = *rng.pick(&["-", "*", "•"]);
        for block in &self.blocks {
            match block {
                Block::Heading(level, t) => {
                    out.push_str(t);
                    out.push('\n');
                    if underline && *level <= 2 {
                        out.push_str(&"-".repeat(width(t)));
                        out.push('\n');
                    }
                    out.push('\n');
                }
                Block::Para(t) => out.push_str(&format!("{t}\n\n")),
                Block::Bullets(items) => {
                    for item in items {
                        out.push_str(&format!("{bullet} {}\n", item.text));
                        for c in &item.children {
                            out.push_str(&format!("    {bullet} {c}\n"));
                        }
                    }
                    out.push('\n');
                }
                Block::Numbered(items) => {
                    for (n, item) in items.iter().enumerate() {
                        out.push_str(&format!("{}. {}\n", n + 1, item.text));
                        for c in &item.children {
                            out.push_str(&format!("     - {c}\n"));
                        }
                    }
                    out.push('\n');
                }
                Block::Table(head, rows) => {
                    // Columns aligned with spaces, as exported reports and emails do.
                    let widths = column_widths(head, rows);
                    let line = |cells: &[String]| {
                        let mut s = String::new();
                        for (i, c) in cells.iter().enumerate() {
                            s.push_str(c);
                            if i + 1 < cells.len() {
                                s.push_str(&" ".repeat(widths[i] - width(c) + 3));
                            }
                        }
                        s.push('\n');
                        s
                    };
                    out.push_str(&line(head));
                    if underline {
                        let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
                        out.push_str(&line(&rule));
                    }
                    for r in rows {
                        out.push_str(&line(r));
                    }
                    out.push('\n');
                }
                Block::Defs(defs) => {
                    for (term, def) in defs {
                        out.push_str(&format!("{term}\n    {def}\n\n"));
                    }
                }
                Block::Quote(t) => out.push_str(&format!("> {t}\n\n")),
                Block::Code(t) => out.push_str(&format!("```\n{t}\n```\n\n")),
            }
        }
        out
    }
}

fn width(s: &str) -> usize {
    s.chars().count()
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn column_widths(head: &[String], rows: &[Vec<String>]) -> Vec<usize> {
    (0..head.len())
        .map(|i| {
            rows.iter()
                .map(|r| width(&r[i]))
                .chain([width(&head[i])])
                .max()
                .unwrap_or(1)
                .max(1)
        })
        .collect()
}

fn rst_list(out: &mut String, items: &[Item], marker: impl Fn(usize) -> String) {
    for (n, item) in items.iter().enumerate() {
        let m = marker(n);
        out.push_str(&format!("{m}{}\n", item.text));
        if !item.children.is_empty() {
            out.push('\n');
            let pad = " ".repeat(width(&m));
            for c in &item.children {
                out.push_str(&format!("{pad}- {c}\n"));
            }
            out.push('\n');
        }
    }
    out.push('\n');
}

fn rst_grid(out: &mut String, head: &[String], rows: &[Vec<String>]) {
    let widths = column_widths(head, rows);
    let rule = |c: char| {
        let mut s = String::from("+");
        for w in &widths {
            s.push_str(&c.to_string().repeat(w + 2));
            s.push('+');
        }
        s.push('\n');
        s
    };
    let line = |cells: &[String]| {
        let mut s = String::from("|");
        for (c, w) in cells.iter().zip(&widths) {
            s.push_str(&format!(" {c}{} |", " ".repeat(w - width(c))));
        }
        s.push('\n');
        s
    };
    out.push_str(&rule('-'));
    out.push_str(&line(head));
    out.push_str(&rule('='));
    for r in rows {
        out.push_str(&line(r));
        out.push_str(&rule('-'));
    }
    out.push('\n');
}

fn rst_simple(out: &mut String, head: &[String], rows: &[Vec<String>]) {
    let widths = column_widths(head, rows);
    let border = widths
        .iter()
        .map(|w| "=".repeat(*w))
        .collect::<Vec<_>>()
        .join("  ")
        + "\n";
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(w - width(c) + 2));
            }
        }
        s.push('\n');
        s
    };
    out.push_str(&border);
    out.push_str(&line(head));
    out.push_str(&border);
    for r in rows {
        out.push_str(&line(r));
    }
    out.push_str(&border);
    out.push('\n');
}
