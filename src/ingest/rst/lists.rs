//! Lists: bullet, enumerated (every docutils sequence and format) and field lists,
//! and the docinfo fields at the top of a document.

use super::*;

impl Parser {
    pub(super) fn list_item(&mut self, item_lines: &[Line<'_>], ctx: Ctx) -> ListItem {
        let line = item_lines.first().map_or(0, |l| l.num);
        let mut children = self.blocks(item_lines, ctx.nested());
        let text = match children.first() {
            Some(Block::Paragraph(_)) => match children.remove(0) {
                Block::Paragraph(p) => p.text,
                _ => String::new(),
            },
            _ => String::new(),
        };
        let (task, text) = task_marker(text);
        ListItem {
            text,
            line,
            task,
            children,
        }
    }

    pub(super) fn bullet_list(
        &mut self,
        lines: &[Line<'_>],
        start: usize,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) -> usize {
        let Some((bullet, _)) = bullet_marker(lines[start].text) else {
            return start + 1;
        };
        let mut items = Vec::new();
        let mut i = start;
        let mut next;
        loop {
            let text_at = bullet_marker(lines[i].text).map_or(0, |(_, at)| at);
            let (item_lines, end) = item_block(lines, i, text_at);
            items.push(self.list_item(&item_lines, ctx));
            next = end;
            let j = skip_blank(lines, end);
            match lines.get(j) {
                Some(l)
                    if l.indent() == 0
                        && bullet_marker(l.text).is_some_and(|(b, _)| b == bullet) =>
                {
                    i = j
                }
                _ => break,
            }
        }
        out.push(Block::List(List {
            ordered: false,
            items,
            line: lines[start].num,
        }));
        next
    }

    /// Items continue the list only with the same format and the next ordinal (or
    /// `#`), as in docutils; anything else starts a new list.
    pub(super) fn enumerated_list(
        &mut self,
        lines: &[Line<'_>],
        start: usize,
        first: Enumerator,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) -> usize {
        let mut items = Vec::new();
        let mut i = start;
        let mut current = first;
        let mut auto = first.sequence == Sequence::Auto;
        let expected = (first.sequence != Sequence::Auto).then_some(first.sequence);
        let mut next;
        loop {
            let (item_lines, end) = item_block(lines, i, current.text_at);
            items.push(self.list_item(&item_lines, ctx));
            next = end;
            let j = skip_blank(lines, end);
            let Some(e) = lines
                .get(j)
                .filter(|l| l.indent() == 0)
                .and_then(|l| enumerator(l.text, expected))
            else {
                break;
            };
            let in_sequence = e.sequence == Sequence::Auto
                || (e.sequence == first.sequence
                    && !auto
                    && e.ordinal == current.ordinal.saturating_add(1));
            if e.format != first.format || !in_sequence || !starts_enum_item(lines, j, &e) {
                break;
            }
            auto |= e.sequence == Sequence::Auto;
            current = e;
            i = j;
        }
        out.push(Block::List(List {
            ordered: true,
            items,
            line: lines[start].num,
        }));
        next
    }

    pub(super) fn field_list(
        &mut self,
        lines: &[Line<'_>],
        start: usize,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) -> usize {
        let mut fields = Vec::new();
        let mut i = start;
        let mut next = start + 1;
        while let Some((name, body_at)) = lines.get(i).and_then(|l| field_marker(l.text)) {
            let (body_lines, end) =
                first_known_indented(lines, i, &lines[i].text[body_at..], false);
            let body = self.blocks(&body_lines, ctx.nested());
            fields.push(Field {
                name: unescape_str(name),
                body,
                line: lines[i].num,
            });
            next = end;
            let j = skip_blank(lines, end);
            match lines.get(j) {
                Some(l) if l.indent() == 0 && field_marker(l.text).is_some() => i = j,
                _ => break,
            }
        }
        // Docinfo: the first field list, before any body element, either before any
        // title or right after the document title.
        if ctx.depth == 0 && !self.top.body_seen && !self.top.docinfo_taken {
            if self.top.headings == 0 {
                self.top.docinfo_taken = true;
                self.apply_docinfo(fields);
                return next;
            }
            if self.top.headings == 1 {
                self.top.docinfo_taken = true;
                self.top.candidate = Some((out.len(), fields.clone()));
            }
        }
        out.push(field_list_block(fields));
        next
    }

    pub(super) fn apply_docinfo(&mut self, fields: Vec<Field>) {
        if let Some(first) = fields.first() {
            self.meta.line = first.line;
        }
        for field in fields {
            let mut value = String::new();
            flatten_text(&field.body, &mut value);
            let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
            if value.is_empty() {
                continue;
            }
            let meta = &mut self.meta;
            match field.name.to_lowercase().as_str() {
                "title" => meta.title = Some(value),
                "date" => meta.date = Some(value),
                "timezone" | "tz" | "zone" => meta.timezone = Some(value),
                "severity" => meta.severity = Some(value),
                "tags" | "tag" => meta.tags.extend(split_list(&value)),
                "systems" | "system" => meta.systems.extend(split_list(&value)),
                "authors" => meta.authors.extend(split_list(&value)),
                "author" => meta.authors.push(value),
                // Other bibliographic fields (tocdepth, version...) steer the renderer.
                _ => {}
            }
        }
    }
}

pub(super) const BULLETS: [char; 6] = ['*', '-', '+', '•', '‣', '⁃'];

/// The bullet character and the byte offset of the item text.
pub(super) fn bullet_marker(text: &str) -> Option<(char, usize)> {
    let c = text.chars().next()?;
    if !BULLETS.contains(&c) {
        return None;
    }
    let rest = &text[c.len_utf8()..];
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    Some((c, text.len() - rest.trim_start_matches(' ').len()))
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum EnumFormat {
    Period,
    RParen,
    Parens,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Sequence {
    Arabic,
    LowerAlpha,
    UpperAlpha,
    LowerRoman,
    UpperRoman,
    Auto,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Enumerator {
    pub(super) format: EnumFormat,
    pub(super) sequence: Sequence,
    pub(super) ordinal: u32,
    /// Byte offset of the item text.
    pub(super) text_at: usize,
}

/// Parses `1.`, `1)`, `(1)`, `#.`, `a.`, `IV)`... at the start of `text`. `expected` is
/// the sequence of the list being continued (it disambiguates `i` and friends).
pub(super) fn enumerator(text: &str, expected: Option<Sequence>) -> Option<Enumerator> {
    let (parens, body) = match text.strip_prefix('(') {
        Some(body) => (true, body),
        None => (false, text),
    };
    let label_len = if body.starts_with('#') {
        1
    } else {
        body.bytes().take_while(u8::is_ascii_alphanumeric).count()
    };
    if label_len == 0 || label_len > 16 {
        return None;
    }
    let (label, after) = body.split_at(label_len);
    let (format, rest) = match (parens, after.as_bytes().first()) {
        (true, Some(b')')) => (EnumFormat::Parens, &after[1..]),
        (false, Some(b'.')) => (EnumFormat::Period, &after[1..]),
        (false, Some(b')')) => (EnumFormat::RParen, &after[1..]),
        _ => return None,
    };
    if !(rest.is_empty() || rest.starts_with(' ')) {
        return None;
    }
    let (sequence, ordinal) = classify_label(label, expected)?;
    Some(Enumerator {
        format,
        sequence,
        ordinal,
        text_at: text.len() - rest.trim_start_matches(' ').len(),
    })
}

pub(super) fn classify_label(label: &str, expected: Option<Sequence>) -> Option<(Sequence, u32)> {
    if label == "#" {
        return Some((Sequence::Auto, 1));
    }
    let fits = |seq: Sequence| match seq {
        Sequence::Arabic => label.bytes().all(|b| b.is_ascii_digit()),
        Sequence::LowerAlpha => label.len() == 1 && label.bytes().all(|b| b.is_ascii_lowercase()),
        Sequence::UpperAlpha => label.len() == 1 && label.bytes().all(|b| b.is_ascii_uppercase()),
        Sequence::LowerRoman => label.bytes().all(|b| b"ivxlcdm".contains(&b)),
        Sequence::UpperRoman => label.bytes().all(|b| b"IVXLCDM".contains(&b)),
        Sequence::Auto => false,
    };
    let sequence = match expected.filter(|&e| fits(e)) {
        Some(e) => e,
        None if label == "i" => Sequence::LowerRoman,
        None if label == "I" => Sequence::UpperRoman,
        None => [
            Sequence::Arabic,
            Sequence::LowerAlpha,
            Sequence::UpperAlpha,
            Sequence::LowerRoman,
            Sequence::UpperRoman,
        ]
        .into_iter()
        .find(|&s| fits(s))?,
    };
    let ordinal = match sequence {
        Sequence::Arabic => label.parse::<u32>().ok()?,
        Sequence::LowerAlpha | Sequence::UpperAlpha => {
            u32::from(label.as_bytes()[0].to_ascii_lowercase() - b'a') + 1
        }
        Sequence::LowerRoman | Sequence::UpperRoman => roman_value(label)?,
        Sequence::Auto => 1,
    };
    Some((sequence, ordinal))
}

/// The value of a canonical Roman numeral (1..4999); `None` for non-canonical ones.
pub(super) fn roman_value(label: &str) -> Option<u32> {
    let upper = label.to_ascii_uppercase();
    let mut total = 0u32;
    let mut prev = 0;
    for c in upper.chars().rev() {
        let v = match c {
            'I' => 1,
            'V' => 5,
            'X' => 10,
            'L' => 50,
            'C' => 100,
            'D' => 500,
            'M' => 1000,
            _ => return None,
        };
        if v < prev {
            total = total.checked_sub(v)?;
        } else {
            total += v;
            prev = v;
        }
    }
    (total > 0 && total < 5000 && to_roman(total) == upper).then_some(total)
}

pub(super) fn to_roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, numeral) in TABLE {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

/// docutils only reads `1. text` as a list item when the next line is blank, indented,
/// or the next item; otherwise it is a sentence that happens to start with a number.
pub(super) fn starts_enum_item(lines: &[Line<'_>], i: usize, e: &Enumerator) -> bool {
    match lines.get(i + 1) {
        None => true,
        Some(next) if next.is_blank() || next.indent() > 0 => true,
        Some(next) => enumerator(next.text, Some(e.sequence)).is_some_and(|n| {
            n.format == e.format
                && (n.sequence == Sequence::Auto || n.ordinal == e.ordinal.saturating_add(1))
        }),
    }
}

/// `:name: body` at the start of `text`: the raw name and the byte offset of the body.
pub(super) fn field_marker(text: &str) -> Option<(&str, usize)> {
    let rest = text.strip_prefix(':')?;
    if rest.starts_with([':', ' ']) || rest.is_empty() {
        return None;
    }
    let bytes = rest.as_bytes();
    let mut k = 0;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 2,
            b':' => {
                let after = &rest[k + 1..];
                if after.is_empty() || after.starts_with(' ') {
                    if rest[..k].ends_with(' ') {
                        return None;
                    }
                    return Some((&rest[..k], text.len() - after.trim_start_matches(' ').len()));
                }
                if after.starts_with('`') {
                    return None; // `:role:`text`` starts a paragraph, not a field
                }
                k += 1;
            }
            _ => k += 1,
        }
    }
    None
}

pub(super) fn field_list_block(fields: Vec<Field>) -> Block {
    let line = fields.first().map_or(0, |f| f.line);
    let items = fields
        .into_iter()
        .map(|field| {
            let mut children = field.body;
            let value = match children.first() {
                Some(Block::Paragraph(_)) => match children.remove(0) {
                    Block::Paragraph(p) => p.text,
                    _ => String::new(),
                },
                _ => String::new(),
            };
            let text = if value.is_empty() {
                format!("{}:", field.name)
            } else {
                format!("{}: {value}", field.name)
            };
            ListItem {
                text,
                line: field.line,
                task: None,
                children,
            }
        })
        .collect();
    Block::List(List {
        ordered: false,
        items,
        line,
    })
}

/// Pandoc writes GFM task items as `☐ text` / `☒ text`.
pub(super) fn task_marker(text: String) -> (Option<bool>, String) {
    for (mark, checked) in [("☐", false), ("☒", true), ("☑", true)] {
        if let Some(rest) = text.strip_prefix(mark)
            && (rest.is_empty() || rest.starts_with(' '))
        {
            return (Some(checked), rest.trim_start().to_string());
        }
    }
    (None, text)
}

pub(super) fn split_list(value: &str) -> Vec<String> {
    let sep = if value.contains(';') { ';' } else { ',' };
    value
        .split(sep)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect()
}
