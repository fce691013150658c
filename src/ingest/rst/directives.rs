//! Explicit markup: directives, hyperlink targets, substitution definitions,
//! footnotes and comments; what is not content is dropped.

use super::*;

impl Parser {
    /// `..` constructs: footnotes, hyperlink targets, substitution definitions,
    /// directives, and comments (everything else, dropped with its indented body).
    pub(super) fn explicit<'a>(
        &mut self,
        lines: &[Line<'a>],
        i: usize,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) -> usize {
        let line = lines[i];
        let rest = line.text[2..].trim_start_matches(' ');
        // An empty `..` followed by a blank line is an empty comment: it does not take
        // the indented block after the blank line (pandoc uses it to end a list before a
        // block quote).
        if rest.is_empty() && lines.get(i + 1).is_none_or(Line::is_blank) {
            return i + 1;
        }
        // Hyperlink targets end at a blank line; other explicit blocks run on through
        // blank lines while the text stays indented.
        let is_target = rest.starts_with('_');
        let (mut block, next) = first_known_indented(lines, i, rest, is_target);
        if let Some(label_end) = footnote_label(rest) {
            // Footnote bodies are content; the label and the references are not.
            block[0] = block[0].with_text(rest[label_end..].trim_start_matches(' '));
            let body = self.blocks(&block, ctx.nested());
            out.extend(body);
        } else if let Some(spec) = rest.strip_prefix('_') {
            let more: Vec<&str> = block[1..].iter().map(|l| l.text).collect();
            self.hyperlink_target(spec, &more, line.num);
        } else if rest.starts_with('|') {
            self.substitution_definition(rest, line.num);
        } else if let Some((name, args)) = directive_marker(rest) {
            block[0] = block[0].with_text(args);
            self.directive(name, &block, line.num, ctx, out);
        }
        next
    }

    /// `.. _name: URI` (named external target, kept as a link), `.. _name:` (internal
    /// target, dropped), `.. _alias: other_` (indirect, dropped), `.. __: URI`.
    pub(super) fn hyperlink_target(&mut self, spec: &str, more: &[&str], line: u32) {
        let mut joined = spec.to_string();
        for text in more {
            joined.push('\n');
            joined.push_str(text);
        }
        let Some((name, target)) = split_target(&joined) else {
            return;
        };
        let raw = target.trim();
        let indirect = raw.ends_with('_') && !raw.ends_with("\\_");
        let target: String = unescape_str(raw)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if name == "_" {
            if !target.is_empty() {
                self.anon_targets.push(target);
            }
        } else if !target.is_empty() && !indirect {
            self.links.push(Link {
                text: unescape_str(name),
                target,
                line,
            });
        }
    }

    pub(super) fn anonymous_target(&mut self, lines: &[Line<'_>], i: usize) -> usize {
        let rest = lines[i].text[2..].trim_start();
        let (block, next) = first_known_indented(lines, i, rest, true);
        let target: String = block
            .iter()
            .flat_map(|l| l.text.chars())
            .filter(|c| !c.is_whitespace())
            .collect();
        if !target.is_empty() {
            self.anon_targets.push(unescape_str(&target));
        }
        next
    }

    /// Substitution definitions produce no blocks; `replace::` texts were collected up
    /// front. A `raw` substitution is still reported: it is never passed through.
    pub(super) fn substitution_definition(&mut self, rest: &str, line: u32) {
        let after = rest[1..].find('|').map(|p| &rest[p + 2..]).unwrap_or("");
        if directive_marker(after.trim_start())
            .is_some_and(|(name, _)| name.eq_ignore_ascii_case("raw"))
        {
            self.warn(line, "raw directive dropped");
        }
    }

    pub(super) fn directive(
        &mut self,
        name: &str,
        block: &[Line<'_>],
        line: u32,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) {
        let lower = name.to_ascii_lowercase();
        let kind = lower.as_str();
        match kind {
            "code-block" | "code" | "sourcecode" => {
                let d = split_directive(block, true);
                let lang = d.args.split_whitespace().next().map(str::to_string);
                if !d.content.is_empty() {
                    out.push(code_block(&d.content, lang));
                }
            }
            "parsed-literal" => {
                let d = split_directive(block, false);
                if let Some(first) = d.content.first() {
                    let text = self.inline(&join_texts(&d.content), first.num);
                    out.push(Block::Code(Code {
                        lang: None,
                        text,
                        line: first.num,
                    }));
                }
            }
            "math" => {
                let d = split_directive(block, true);
                let mut text = d.args.clone();
                if !d.content.is_empty() {
                    if !text.is_empty() {
                        text.push('\n');
                    }
                    text.push_str(&join_texts(&d.content));
                }
                if !text.is_empty() {
                    out.push(Block::Code(Code {
                        lang: Some("math".to_string()),
                        text,
                        line,
                    }));
                }
            }
            // Never passed through: raw content is markup for another output format.
            "raw" => self.warn(line, "raw directive dropped"),
            "include" | "literalinclude" => {
                let d = split_directive(block, true);
                self.warn(line, format!("{kind} directive not followed: '{}'", d.args));
            }
            "rubric" | "centered" => {
                let d = split_directive(block, true);
                if !d.args.is_empty() {
                    let text = self.inline(&d.args, line);
                    out.push(Block::Paragraph(Paragraph { text, line }));
                }
            }
            "only" | "ifconfig" => {
                let d = split_directive(block, true);
                let body = self.blocks(&d.content, ctx.transparent());
                out.extend(body);
            }
            "figure" | "container" | "class" | "rst-class" | "cssclass" => {
                let d = split_directive(block, true);
                let body = self.blocks(&d.content, ctx.nested());
                out.extend(body);
            }
            "compound" | "glossary" | "hlist" => {
                let d = split_directive(block, false);
                let body = self.blocks(&d.content, ctx.nested());
                out.extend(body);
            }
            "admonition" | "topic" | "sidebar" | "versionadded" | "versionchanged"
            | "deprecated" | "versionremoved" => {
                let d = split_directive(block, true);
                self.quote_directive(&d, line, ctx, out);
            }
            "attention" | "caution" | "danger" | "error" | "hint" | "important" | "note"
            | "tip" | "warning" | "seealso" | "todo" | "epigraph" | "highlights" | "pull-quote" => {
                let d = split_directive(block, false);
                self.quote_directive(&d, line, ctx, out);
            }
            "table" => {
                let d = split_directive(block, true);
                self.table_title(&d.args, line, out);
                let body = self.blocks(&d.content, ctx.nested());
                out.extend(body);
            }
            "list-table" => self.list_table(block, line, ctx, out),
            "csv-table" => self.csv_table(block, line, out),
            "line-block" => {
                let d = split_directive(block, false);
                if let Some(first) = d.content.first() {
                    let raw: Vec<&str> = d.content.iter().map(|l| l.text.trim()).collect();
                    let text = self.inline(&raw.join("\n"), first.num);
                    out.push(Block::Paragraph(Paragraph {
                        text,
                        line: first.num,
                    }));
                }
            }
            // Layout, navigation and build directives: nothing in them is content.
            "sectnum" | "section-numbering" | "contents" | "toctree" | "image" | "meta"
            | "bibliography" | "footbibliography" | "highlight" | "default-role" | "role"
            | "title" | "index" | "tabularcolumns" | "target-notes" | "header" | "footer"
            | "default-domain" | "currentmodule" | "module" | "moduleauthor" | "sectionauthor"
            | "codeauthor" | "todolist" => {}
            _ => self.warn(line, format!("unknown directive '{name}' skipped")),
        }
    }

    /// Admonitions and friends: a quote holding the title (if any) and the content.
    pub(super) fn quote_directive(
        &mut self,
        d: &DirectiveParts<'_>,
        line: u32,
        ctx: Ctx,
        out: &mut Vec<Block>,
    ) {
        let mut blocks = Vec::new();
        if !d.args.is_empty() {
            let text = self.inline(&d.args, line);
            blocks.push(Block::Paragraph(Paragraph { text, line }));
        }
        blocks.extend(self.blocks(&d.content, ctx.nested()));
        if !blocks.is_empty() {
            out.push(Block::Quote(Quote { blocks, line }));
        }
    }
}

/// `[label]` of a footnote or citation; returns the byte offset after `]`.
pub(super) fn footnote_label(rest: &str) -> Option<usize> {
    let inner = rest.strip_prefix('[')?;
    let close = inner.find(']')?;
    let label = &inner[..close];
    let valid = label == "*"
        || label == "#"
        || label.strip_prefix('#').is_some_and(is_simplename)
        || is_simplename(label);
    let after = &inner[close + 1..];
    (valid && (after.is_empty() || after.starts_with(' '))).then_some(close + 2)
}

/// Alphanumeric runs joined by single `-._+:` characters (docutils' "simplename").
pub(super) fn is_simplename(text: &str) -> bool {
    let mut prev_sep = true;
    for c in text.chars() {
        if c.is_alphanumeric() {
            prev_sep = false;
        } else if "-._+:".contains(c) && !prev_sep {
            prev_sep = true;
        } else {
            return false;
        }
    }
    !prev_sep
}

/// `name::` at the start of explicit markup: the directive name and its argument text.
pub(super) fn directive_marker(rest: &str) -> Option<(&str, &str)> {
    let mut end = 0;
    let mut prev_sep = true;
    for (at, c) in rest.char_indices() {
        if c.is_alphanumeric() {
            prev_sep = false;
            end = at + c.len_utf8();
        } else if "-._+:".contains(c)
            && !prev_sep
            && rest[at + 1..].starts_with(char::is_alphanumeric)
        {
            prev_sep = true;
        } else {
            break;
        }
    }
    if end == 0 {
        return None;
    }
    let after = rest[end..].trim_start_matches(' ').strip_prefix("::")?;
    if !(after.is_empty() || after.starts_with(' ')) {
        return None;
    }
    Some((&rest[..end], after.trim_start()))
}

/// Splits `name: target` (or `` `name`: target ``) of a hyperlink target.
pub(super) fn split_target(spec: &str) -> Option<(&str, &str)> {
    if let Some(quoted) = spec.strip_prefix('`') {
        let close = quoted.find('`')?;
        let rest = quoted[close + 1..].strip_prefix(':')?;
        return Some((&quoted[..close], rest));
    }
    let bytes = spec.as_bytes();
    let mut k = 0;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 2,
            b':' if k + 1 == bytes.len() || bytes[k + 1].is_ascii_whitespace() => {
                return (k > 0).then(|| (&spec[..k], &spec[k + 1..]));
            }
            _ => k += 1,
        }
    }
    None
}

pub(super) struct DirectiveParts<'a> {
    pub(super) args: String,
    pub(super) options: Vec<(String, String)>,
    pub(super) content: Vec<Line<'a>>,
}

/// Splits a directive block (first line = text after `::`) like docutils: arguments up
/// to the first blank line or option, then the `:option:` field list, then content.
/// Directives without arguments take the pre-option text as content.
pub(super) fn split_directive<'a>(block: &[Line<'a>], has_args: bool) -> DirectiveParts<'a> {
    let mut lines = block;
    if lines.first().is_some_and(Line::is_blank) {
        lines = &lines[1..];
    }
    let header_end = lines.iter().position(Line::is_blank).unwrap_or(lines.len());
    let option_start = lines[..header_end]
        .iter()
        .position(|l| field_marker(l.text).is_some())
        .unwrap_or(header_end);
    let options = parse_options(&lines[option_start..header_end]);
    let (args, mut content) = if has_args {
        let args: Vec<&str> = lines[..option_start]
            .iter()
            .map(|l| l.text.trim())
            .collect();
        (args.join(" "), lines[header_end..].to_vec())
    } else {
        let mut content = lines[..option_start].to_vec();
        content.extend_from_slice(&lines[header_end..]);
        (String::new(), content)
    };
    let leading = content.iter().take_while(|l| l.is_blank()).count();
    content.drain(..leading);
    while content.last().is_some_and(Line::is_blank) {
        content.pop();
    }
    DirectiveParts {
        args,
        options,
        content,
    }
}

pub(super) fn parse_options(lines: &[Line<'_>]) -> Vec<(String, String)> {
    let mut options: Vec<(String, String)> = Vec::new();
    for line in lines {
        match field_marker(line.text) {
            Some((name, at)) => {
                options.push((name.to_ascii_lowercase(), line.text[at..].to_string()))
            }
            None => {
                if let Some((_, value)) = options.last_mut() {
                    value.push(' ');
                    value.push_str(line.text.trim());
                }
            }
        }
    }
    options
}

pub(super) fn option<'o>(options: &'o [(String, String)], name: &str) -> Option<&'o str> {
    options
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.trim())
}

pub(super) fn option_count(options: &[(String, String)], name: &str) -> usize {
    option(options, name)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
