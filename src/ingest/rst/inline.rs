//! Inline markup: one left-to-right scan per paragraph applying docutils'
//! start-string and end-string rules; roles, links and emphasis leave their text.

use super::*;

// ----- inline markup -----------------------------------------------------------------

/// How a character relates to backslash escaping.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Esc {
    Plain,
    /// A backslash that escapes the next character (removed from the text).
    Backslash,
    /// A character preceded by an escaping backslash (never markup).
    Escaped,
}

/// End-string kinds, indexing `Inliner::exhausted`.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    Strong,
    Emphasis,
    Literal,
    Backquote,
    Target,
    Substitution,
}

/// The suffix after a closing backquote: an optional `:role:` (its name's char range)
/// and `_`/`__`.
pub(super) struct BackquoteEnd {
    pub(super) after: usize,
    pub(super) role: Option<(usize, usize)>,
    pub(super) refend: usize,
}

/// Removes inline markup from one text block in a single left-to-right pass.
pub(super) struct Inliner<'p> {
    pub(super) cs: Vec<char>,
    pub(super) esc: Vec<Esc>,
    pub(super) out: String,
    pub(super) subs: &'p HashMap<String, String>,
    pub(super) links: &'p mut Vec<Link>,
    pub(super) anon_refs: &'p mut Vec<(String, u32)>,
    /// Line of the character at `line_pos` (links record their line).
    pub(super) line: u32,
    pub(super) line_pos: usize,
    /// Once no end-string of a kind exists after some point, none exists after any
    /// later point: remembering that keeps unmatched start-strings from rescanning.
    pub(super) exhausted: [bool; 6],
    /// The last simple-name chain scanned (`start`, `end`): any start inside it ends at
    /// the same place, so chains are scanned once.
    pub(super) name_chain: (usize, usize),
    /// The last URI candidate run (`start`, `run end`, trimmed end).
    pub(super) uri_run: (usize, usize, usize),
}

impl<'p> Inliner<'p> {
    pub(super) fn new(
        text: &str,
        line: u32,
        subs: &'p HashMap<String, String>,
        links: &'p mut Vec<Link>,
        anon_refs: &'p mut Vec<(String, u32)>,
    ) -> Inliner<'p> {
        let cs: Vec<char> = text.chars().collect();
        let mut esc = Vec::with_capacity(cs.len());
        let mut pending = false;
        for &c in &cs {
            if pending {
                esc.push(Esc::Escaped);
                pending = false;
            } else if c == '\\' {
                esc.push(Esc::Backslash);
                pending = true;
            } else {
                esc.push(Esc::Plain);
            }
        }
        Inliner {
            out: String::with_capacity(text.len()),
            cs,
            esc,
            subs,
            links,
            anon_refs,
            line,
            line_pos: 0,
            exhausted: [false; 6],
            name_chain: (0, 0),
            uri_run: (0, 0, 0),
        }
    }

    pub(super) fn run(mut self) -> String {
        let n = self.cs.len();
        let mut i = 0;
        while i < n {
            let c = self.cs[i];
            match self.esc[i] {
                Esc::Backslash => {
                    i += 1;
                    continue;
                }
                Esc::Escaped => {
                    // Escaped whitespace disappears; a newline stays to keep lines aligned.
                    if c == '\n' || !c.is_whitespace() {
                        self.out.push(c);
                    }
                    i += 1;
                    continue;
                }
                Esc::Plain => {}
            }
            if self.prefix_ok(i)
                && let Some(next) = self.markup(i)
            {
                i = next;
                continue;
            }
            self.out.push(c);
            i += 1;
        }
        self.out
    }

    pub(super) fn at(&self, i: usize) -> Option<char> {
        self.cs.get(i).copied()
    }

    pub(super) fn plain(&self, i: usize) -> bool {
        self.esc.get(i) == Some(&Esc::Plain)
    }

    pub(super) fn line_at(&mut self, pos: usize) -> u32 {
        while self.line_pos < pos && self.line_pos < self.cs.len() {
            if self.cs[self.line_pos] == '\n' {
                self.line += 1;
            }
            self.line_pos += 1;
        }
        self.line
    }

    /// Inline markup may start after whitespace, an opening bracket/quote or a
    /// delimiter (docutils recognition rule 1).
    pub(super) fn prefix_ok(&self, i: usize) -> bool {
        i == 0 || {
            let p = self.cs[i - 1];
            p.is_whitespace() || is_opener(p) || is_delimiter(p)
        }
    }

    /// Inline markup must end before whitespace, punctuation or the end of the text.
    pub(super) fn suffix_ok(&self, j: usize) -> bool {
        match self.at(j) {
            None => true,
            Some(c) => {
                c.is_whitespace()
                    || self.esc[j] == Esc::Backslash
                    || "\\.,;!?".contains(c)
                    || is_delimiter(c)
                    || is_closer(c)
            }
        }
    }

    /// A start-string must be followed by non-whitespace and not be quoted like
    /// `"*"` or `(*)` (recognition rules 2 and 5).
    pub(super) fn opens(&self, start: usize, body: usize) -> bool {
        match self.at(body) {
            None => false,
            Some(c) if c.is_whitespace() => false,
            Some(c) => !(start > 0 && quote_pair(self.cs[start - 1], c)),
        }
    }

    pub(super) fn markup(&mut self, i: usize) -> Option<usize> {
        let next = self.at(i + 1);
        match self.cs[i] {
            '*' if next == Some('*') => self.delimited(i, 2, Kind::Strong),
            '*' => self.delimited(i, 1, Kind::Emphasis),
            '`' if next == Some('`') => self.literal(i),
            '`' => self.interpreted(i, i + 1, None),
            '_' if next == Some('`') => self.delimited(i, 2, Kind::Target),
            '|' if next != Some('|') => self.substitution(i),
            ':' => self.role(i),
            '[' => self.footnote_reference(i),
            c if c.is_alphanumeric() => self.uri(i).or_else(|| self.reference_name(i)),
            _ => None,
        }
    }

    pub(super) fn unescaped(&self, from: usize, to: usize) -> String {
        let mut text = String::with_capacity(to.saturating_sub(from));
        for k in from..to {
            let c = self.cs[k];
            match self.esc[k] {
                Esc::Backslash => {}
                Esc::Escaped if c != '\n' && c.is_whitespace() => {}
                _ => text.push(c),
            }
        }
        text
    }

    /// The first end-string of `kind` at or after `from`: (its start, the index after).
    pub(super) fn find_end(&mut self, kind: Kind, from: usize) -> Option<(usize, usize)> {
        if self.exhausted[kind as usize] {
            return None;
        }
        for j in from.max(1)..self.cs.len() {
            if let Some(after) = self.end_at(kind, j) {
                return Some((j, after));
            }
        }
        self.exhausted[kind as usize] = true;
        None
    }

    pub(super) fn end_at(&self, kind: Kind, j: usize) -> Option<usize> {
        let c = self.cs[j];
        let before_ok = !self.cs[j - 1].is_whitespace();
        match kind {
            Kind::Strong => (c == '*'
                && self.at(j + 1) == Some('*')
                && self.plain(j)
                && self.plain(j + 1)
                && before_ok
                && self.suffix_ok(j + 2))
            .then_some(j + 2),
            Kind::Emphasis => {
                (c == '*' && self.plain(j) && before_ok && self.suffix_ok(j + 1)).then_some(j + 1)
            }
            // Backslashes are not escapes inside literals.
            Kind::Literal => {
                (c == '`' && self.at(j + 1) == Some('`') && before_ok && self.suffix_ok(j + 2))
                    .then_some(j + 2)
            }
            Kind::Target => {
                (c == '`' && self.plain(j) && before_ok && self.suffix_ok(j + 1)).then_some(j + 1)
            }
            Kind::Backquote => {
                let unescaped_space = !before_ok && self.plain(j - 1);
                if c == '`' && self.plain(j) && !unescaped_space {
                    self.backquote_end(j + 1).map(|e| e.after)
                } else {
                    None
                }
            }
            Kind::Substitution => {
                if c != '|' || !self.plain(j) || !before_ok {
                    return None;
                }
                (0..=2).rev().find_map(|underscores| {
                    let all = (1..=underscores).all(|k| self.at(j + k) == Some('_'));
                    (all && self.suffix_ok(j + 1 + underscores)).then_some(j + 1 + underscores)
                })
            }
        }
    }

    /// After a closing backquote: `:role:`, `__` or `_` (longest that fits first).
    pub(super) fn backquote_end(&self, k: usize) -> Option<BackquoteEnd> {
        let role_end = if self.at(k) == Some(':') {
            let end = self.name_end_uncached(k + 1);
            (end > k + 1 && self.at(end) == Some(':')).then_some(end + 1)
        } else {
            None
        };
        for role in [role_end, None] {
            let p = role.unwrap_or(k);
            for refend in [2, 1, 0] {
                let underscores =
                    (0..refend).all(|d| self.at(p + d) == Some('_') && self.plain(p + d));
                if underscores && self.suffix_ok(p + refend) {
                    return Some(BackquoteEnd {
                        after: p + refend,
                        role: role.map(|end| (k + 1, end - 1)),
                        refend,
                    });
                }
            }
        }
        None
    }

    /// `**strong**`, `*emphasis*`, `` _`target` ``: the content stays, markers go.
    pub(super) fn delimited(&mut self, i: usize, len: usize, kind: Kind) -> Option<usize> {
        let body = i + len;
        if !self.opens(i, body) {
            return None;
        }
        let (end, after) = self.find_end(kind, body)?;
        let text = self.unescaped(body, end);
        self.out.push_str(&text);
        Some(after)
    }

    pub(super) fn literal(&mut self, i: usize) -> Option<usize> {
        let body = i + 2;
        if !self.opens(i, body) {
            return None;
        }
        let (end, after) = self.find_end(Kind::Literal, body)?;
        self.out.extend(&self.cs[body..end]);
        Some(after)
    }

    /// Interpreted text or a phrase reference starting at `start` (its role prefix or
    /// backquote); the text after the opening backquote starts at `body`. `role` is the
    /// char range of a prefix role name.
    pub(super) fn interpreted(
        &mut self,
        start: usize,
        body: usize,
        role: Option<(usize, usize)>,
    ) -> Option<usize> {
        // docutils applies the quote rule at the backquote, after any role prefix.
        if !self.opens(body - 1, body) {
            return None;
        }
        let (end, after) = self.find_end(Kind::Backquote, body)?;
        let suffix = self.backquote_end(end + 1)?;
        let line = self.line_at(start);
        if suffix.refend > 0 {
            self.phrase_reference(body, end, suffix.refend == 2, line);
            return Some(after);
        }
        let text = match role.or(suffix.role) {
            None => self.unescaped(body, end),
            Some((from, to)) => {
                let name: String = self.cs[from..to].iter().collect();
                // Literal roles show their text as written, backslashes included.
                if matches!(
                    name.to_ascii_lowercase().as_str(),
                    "code" | "literal" | "math"
                ) {
                    self.cs[body..end].iter().collect()
                } else {
                    role_text(&self.unescaped(body, end))
                }
            }
        };
        self.out.push_str(&text);
        Some(after)
    }

    /// `` `text <url>`_ `` keeps `text` and records the link; `` `text`_ `` keeps
    /// `text` (its target is a separate `.. _text:` line); `` `text`__ `` is paired with
    /// an anonymous target at the end.
    pub(super) fn phrase_reference(&mut self, body: usize, end: usize, anonymous: bool, line: u32) {
        if let Some((text, target, alias)) = self.embedded_target(body, end) {
            let shown = if text.is_empty() {
                target.clone()
            } else {
                text
            };
            if !alias && !target.is_empty() {
                self.links.push(Link {
                    text: shown.clone(),
                    target,
                    line,
                });
            }
            self.out.push_str(&shown);
        } else {
            let text = self.unescaped(body, end);
            if anonymous {
                self.anon_refs.push((text.clone(), line));
            }
            self.out.push_str(&text);
        }
    }

    /// Splits `text <target>` inside a reference: (text, target without whitespace,
    /// whether the target is another reference name like `name_`).
    pub(super) fn embedded_target(
        &self,
        body: usize,
        end: usize,
    ) -> Option<(String, String, bool)> {
        let last = end.checked_sub(1)?;
        if last <= body || self.cs[last] != '>' || !self.plain(last) {
            return None;
        }
        let mut p = last;
        loop {
            if p == body {
                return None;
            }
            p -= 1;
            if self.plain(p) && (self.cs[p] == '<' || self.cs[p] == '>') {
                break;
            }
        }
        if self.cs[p] != '<' || (p > body && !self.cs[p - 1].is_whitespace()) {
            return None;
        }
        if p + 1 >= last || self.cs[p + 1].is_whitespace() || self.cs[last - 1].is_whitespace() {
            return None;
        }
        let text = self.unescaped(body, p).trim().to_string();
        let alias = self.cs[last - 1] == '_' && self.plain(last - 1);
        let mut target: String = self
            .unescaped(p + 1, last)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if alias {
            target.pop();
        }
        Some((text, target, alias))
    }

    pub(super) fn substitution(&mut self, i: usize) -> Option<usize> {
        let body = i + 1;
        if !self.opens(i, body) {
            return None;
        }
        let (end, after) = self.find_end(Kind::Substitution, body)?;
        let name = self.unescaped(body, end);
        let text = self
            .subs
            .get(&normalize_name(&name))
            .cloned()
            .unwrap_or(name);
        self.out.push_str(&text);
        Some(after)
    }

    /// `:role:` followed by interpreted text.
    pub(super) fn role(&mut self, i: usize) -> Option<usize> {
        let end = self.name_end(i + 1);
        if end == i + 1 || self.at(end) != Some(':') || self.at(end + 1) != Some('`') {
            return None;
        }
        if self.at(end + 2) == Some('`') {
            return None;
        }
        self.interpreted(i, end + 2, Some((i + 1, end)))
    }

    /// `[1]_`, `[#]_`, `[#label]_`, `[*]_`, `[CIT2002]_`: removed with the space before.
    pub(super) fn footnote_reference(&mut self, i: usize) -> Option<usize> {
        let k = match self.at(i + 1)? {
            '*' => i + 2,
            '#' => self.name_end(i + 2),
            _ => self.name_end(i + 1),
        };
        if k == i + 1 || self.at(k) != Some(']') || self.at(k + 1) != Some('_') {
            return None;
        }
        if !self.plain(k + 1) || !self.suffix_ok(k + 2) {
            return None;
        }
        let trimmed = self.out.trim_end_matches(' ').len();
        self.out.truncate(trimmed);
        Some(k + 2)
    }

    /// `name_` / `name__`: the name stays. When a word is not a reference, its first
    /// alphanumeric run is emitted at once: no markup can start inside it.
    pub(super) fn reference_name(&mut self, i: usize) -> Option<usize> {
        let end = self.name_end(i);
        if end == i {
            return None;
        }
        let refend = [2, 1].into_iter().find(|&r| {
            (0..r).all(|d| self.at(end + d) == Some('_') && self.plain(end + d))
                && self.suffix_ok(end + r)
        });
        if let Some(refend) = refend {
            let name: String = self.cs[i..end].iter().collect();
            if refend == 2 {
                let line = self.line_at(i);
                self.anon_refs.push((name.clone(), line));
            }
            self.out.push_str(&name);
            return Some(end + refend);
        }
        let mut run = i;
        while run < end && self.cs[run].is_alphanumeric() {
            run += 1;
        }
        self.out.extend(&self.cs[i..run]);
        Some(run)
    }

    /// End of the simple name starting at `i` (alphanumerics joined by single
    /// `-._+:`), cached per chain.
    pub(super) fn name_end(&mut self, i: usize) -> usize {
        let (start, end) = self.name_chain;
        if i > start && i < end && self.cs[i].is_alphanumeric() && self.plain(i) {
            return end;
        }
        let end = self.name_end_uncached(i);
        if end > i {
            self.name_chain = (i, end);
        }
        end
    }

    pub(super) fn name_end_uncached(&self, i: usize) -> usize {
        let n = self.cs.len();
        let word = |k: usize| k < n && self.cs[k].is_alphanumeric() && self.esc[k] == Esc::Plain;
        let mut k = i;
        loop {
            while word(k) {
                k += 1;
            }
            if k > i && k < n && "-._+:".contains(self.cs[k]) && self.plain(k) && word(k + 1) {
                k += 1;
                continue;
            }
            return k;
        }
    }

    /// A standalone URI with a known scheme: kept as text and recorded as a link.
    pub(super) fn uri(&mut self, i: usize) -> Option<usize> {
        if !self.cs[i].is_ascii_alphabetic() {
            return None;
        }
        let mut k = i;
        while k < self.cs.len()
            && k - i <= 12
            && (self.cs[k].is_ascii_alphanumeric() || "+-.".contains(self.cs[k]))
        {
            k += 1;
        }
        if self.at(k) != Some(':') {
            return None;
        }
        let scheme: String = self.cs[i..k]
            .iter()
            .collect::<String>()
            .to_ascii_lowercase();
        if !URI_SCHEMES.contains(&scheme.as_str()) {
            return None;
        }
        let end = self.uri_end(k + 1)?;
        let url: String = self.cs[i..end].iter().collect();
        let line = self.line_at(i);
        self.links.push(Link {
            text: url.clone(),
            target: url.clone(),
            line,
        });
        self.out.push_str(&url);
        Some(end)
    }

    /// End of the URI body starting at `body`: the longest run of URI characters cut
    /// back to a character that may end a URI and is followed by a valid suffix.
    pub(super) fn uri_end(&mut self, body: usize) -> Option<usize> {
        let (start, run_end, end) = self.uri_run;
        if !(body > start && body < run_end) {
            let is_uri_char =
                |c: char| c.is_ascii_alphanumeric() || "-_.!~*'()[];/:@&=+$,%?#".contains(c);
            // A `*` or `:role:` that could start markup ends the URI: docutils matches
            // explicit markup before standalone URIs.
            let opens_markup = |k: usize| {
                if !self.prefix_ok(k) {
                    return false;
                }
                match self.cs[k] {
                    '*' => self.at(k + 1).is_some_and(|c| !c.is_whitespace()),
                    ':' => {
                        let end = self.name_end_uncached(k + 1);
                        end > k + 1 && self.at(end) == Some(':') && self.at(end + 1) == Some('`')
                    }
                    _ => false,
                }
            };
            let mut run = body;
            while run < self.cs.len()
                && self.plain(run)
                && is_uri_char(self.cs[run])
                && !opens_markup(run)
            {
                run += 1;
            }
            let mut e = run;
            while e > body {
                let last = self.cs[e - 1];
                if (last.is_ascii_alphanumeric() || "_~*/=+".contains(last)) && self.suffix_ok(e) {
                    break;
                }
                e -= 1;
            }
            self.uri_run = (body, run, e);
            return (e > body).then_some(e);
        }
        (end > body).then_some(end)
    }
}

/// Schemes recognised for standalone URIs (docutils only links registered schemes, so
/// `time:12` or `host:port` stay plain text).
pub(super) const URI_SCHEMES: &[&str] = &[
    "http", "https", "ftp", "ftps", "sftp", "file", "mailto", "news", "nntp", "telnet", "ssh",
    "git", "svn", "irc", "ircs", "ldap", "ldaps", "gopher", "rtsp", "tel", "sip", "sips", "urn",
    "xmpp", "data", "ws", "wss",
];

/// The visible text of a role: `text <target>` shows `text`; Sphinx's `~a.b.c` shows `c`.
pub(super) fn role_text(content: &str) -> String {
    if let Some(body) = content.strip_suffix('>')
        && let Some(p) = body.rfind('<')
        && p > 0
        && body[..p].ends_with(char::is_whitespace)
    {
        return body[..p].trim_end().to_string();
    }
    if let Some(rest) = content.strip_prefix('~') {
        return rest.rsplit('.').next().unwrap_or(rest).to_string();
    }
    content.trim_start_matches('!').to_string()
}

pub(super) fn is_opener(c: char) -> bool {
    "\"'(<[{«‘“‹‚„»’”›".contains(c)
}

pub(super) fn is_closer(c: char) -> bool {
    "\"')>]}»’”›«‘“‹".contains(c)
}

/// docutils' delimiter class. A backslash is absent on purpose: in docutils' regular
/// expression `\\-` escapes the hyphen, so a backslash never opens markup (it may still
/// end it, as a closing delimiter).
pub(super) fn is_delimiter(c: char) -> bool {
    matches!(c,
        '-' | '/' | ':' | '\u{a1}' | '\u{b7}' | '\u{bf}'
        | '\u{2010}'..='\u{2017}' | '\u{2020}'..='\u{2027}' | '\u{2030}'..='\u{2038}'
        | '\u{203b}'..='\u{203e}' | '\u{2041}'..='\u{2043}' | '\u{2047}'..='\u{2051}'
        | '\u{3001}'..='\u{3003}')
}

/// Opening/closing pairs that "quote" a start-string, e.g. `'*'` or `(*)`.
pub(super) fn quote_pair(open: char, close: char) -> bool {
    matches!(
        (open, close),
        ('\'', '\'')
            | ('"', '"')
            | ('(', ')')
            | ('[', ']')
            | ('{', '}')
            | ('<', '>')
            | ('‘', '’')
            | ('“', '”')
            | ('«', '»')
            | ('‹', '›')
            | ('»', '«')
            | ('›', '‹')
            | ('„', '“')
            | ('‚', '‘')
            | ('„', '”')
            | ('‚', '’')
            | ('’', '’')
            | ('”', '”')
    )
}
