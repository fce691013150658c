//! Search queries as people type them, turned into a safe SQLite FTS5 expression and
//! filters.
//!
//! Supported: words (all must match), `"quoted phrases"`, prefixes (`kafk*`), excluded
//! words (`-kafka`), and filters `system:NAME`, `tag:NAME`, `year:YYYY`, `status:open`
//! (incidents with open actions). Multi-word filter values are quoted: `system:"cisco aci"`.
//!
//! Invariant: whatever the input, the FTS expression built here is syntactically valid:
//! every term is emitted as a double-quoted string with inner quotes doubled, so FTS5
//! operators typed by the user (`NEAR(`, `AND`, `^`, `:`) are searched as text.

/// The longest query considered; the rest is ignored (and the page says so).
pub const MAX_QUERY_CHARS: usize = 500;
/// At most this many terms are searched.
const MAX_TERMS: usize = 16;

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Terms every result must contain.
    pub terms: Vec<Term>,
    /// Words no result may contain.
    pub excluded: Vec<String>,
    pub systems: Vec<String>,
    pub tags: Vec<String>,
    pub year: Option<i32>,
    /// Only incidents with open actions.
    pub open_actions: bool,
    /// Something in the input could not be used; shown to the user.
    pub notes: Vec<String>,
    /// The input was longer than [`MAX_QUERY_CHARS`].
    pub truncated: bool,
}

/// One search term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Word(String),
    Prefix(String),
    Phrase(Vec<String>),
}

impl Term {
    /// Words to highlight in snippets.
    pub fn highlight_words(&self) -> Vec<String> {
        match self {
            Term::Word(w) | Term::Prefix(w) => vec![w.clone()],
            Term::Phrase(ws) => ws.clone(),
        }
    }

    /// The term as FTS5 syntax.
    fn fts(&self) -> String {
        match self {
            Term::Word(w) => quote(w),
            Term::Prefix(w) => format!("{}*", quote(w)),
            Term::Phrase(ws) => quote(&ws.join(" ")),
        }
    }

    /// The words of the term, as the index tokenises them.
    pub fn words(&self) -> Vec<&str> {
        match self {
            Term::Word(w) | Term::Prefix(w) => vec![w.as_str()],
            Term::Phrase(ws) => ws.iter().map(String::as_str).collect(),
        }
    }
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

impl Query {
    /// Parses what the user typed.
    pub fn parse(input: &str) -> Query {
        let mut q = Query::default();
        let input = if input.chars().count() > MAX_QUERY_CHARS {
            q.truncated = true;
            let end = input
                .char_indices()
                .nth(MAX_QUERY_CHARS)
                .map_or(input.len(), |(i, _)| i);
            &input[..end]
        } else {
            input
        };
        let mut rest = input.trim();
        while !rest.is_empty() {
            let (token, quoted, after) = next_token(rest);
            rest = after.trim_start();
            if quoted {
                let words = tokens(&token);
                match words.len() {
                    0 => {}
                    1 => q.push(Term::Word(words.into_iter().next().unwrap_or_default())),
                    _ => q.push(Term::Phrase(words)),
                }
                continue;
            }
            if let Some((key, value)) = token.split_once(':')
                && let Some(filter) = Filter::from_key(key)
            {
                let (value, after) = if value.is_empty() && rest.starts_with('"') {
                    let (v, _, after) = next_token(rest);
                    (v, after)
                } else {
                    (value.trim_matches('"').to_string(), rest)
                };
                rest = after.trim_start();
                q.filter(filter, value.trim());
                continue;
            }
            if let Some(word) = token.strip_prefix('-')
                && !word.is_empty()
            {
                q.excluded.extend(tokens(word));
                continue;
            }
            let prefix = token.ends_with('*');
            let words = tokens(&token);
            let n = words.len();
            for (i, w) in words.into_iter().enumerate() {
                if prefix && i + 1 == n {
                    // Prefixes of one letter would match most of the index.
                    if w.chars().count() >= 2 {
                        q.push(Term::Prefix(w));
                    } else {
                        q.notes
                            .push(format!("\"{w}*\" is too short to search as a prefix"));
                    }
                } else {
                    q.push(Term::Word(w));
                }
            }
        }
        if q.terms.len() > MAX_TERMS {
            q.terms.truncate(MAX_TERMS);
            q.notes
                .push(format!("only the first {MAX_TERMS} search terms were used"));
        }
        q
    }

    fn push(&mut self, term: Term) {
        if !self.terms.contains(&term) {
            self.terms.push(term);
        }
    }

    fn filter(&mut self, filter: Filter, value: &str) {
        if value.is_empty() {
            return;
        }
        match filter {
            Filter::System => self.systems.push(value.to_string()),
            Filter::Tag => self.tags.push(value.to_string()),
            Filter::Year => match value.parse::<i32>() {
                Ok(y) if (1970..=2200).contains(&y) => self.year = Some(y),
                _ => self
                    .notes
                    .push(format!("year:{value} is not a year; it was ignored")),
            },
            Filter::Status => match value.to_lowercase().as_str() {
                "open" => self.open_actions = true,
                other => self.notes.push(format!(
                    "status:{other} is not a filter; use status:open for incidents with open actions"
                )),
            },
        }
    }

    /// The FTS5 MATCH expression, or `None` when the query has no search terms (only
    /// filters).
    pub fn fts(&self) -> Option<String> {
        if self.terms.is_empty() {
            return None;
        }
        let mut expr = self
            .terms
            .iter()
            .map(Term::fts)
            .collect::<Vec<_>>()
            .join(" AND ");
        for word in &self.excluded {
            expr = format!("({expr}) NOT {}", quote(word));
        }
        Some(expr)
    }

    /// The FTS5 expression restricted to one column of the index (exclusions still
    /// apply to every column), or `None` without search terms.
    pub fn fts_in(&self, column: &str) -> Option<String> {
        if self.terms.is_empty() {
            return None;
        }
        let mut expr = self
            .terms
            .iter()
            .map(|t| format!("{{{column}}} : {}", t.fts()))
            .collect::<Vec<_>>()
            .join(" AND ");
        for word in &self.excluded {
            expr = format!("({expr}) NOT {}", quote(word));
        }
        Some(expr)
    }

    /// The query has nothing to search or filter by.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty()
            && self.systems.is_empty()
            && self.tags.is_empty()
            && self.year.is_none()
            && !self.open_actions
    }

    /// Words to highlight in snippets.
    pub fn highlight_words(&self) -> Vec<String> {
        self.terms.iter().flat_map(Term::highlight_words).collect()
    }
}

#[derive(Debug, Clone, Copy)]
enum Filter {
    System,
    Tag,
    Year,
    Status,
}

impl Filter {
    fn from_key(key: &str) -> Option<Filter> {
        match key.to_lowercase().as_str() {
            "system" | "systems" => Some(Filter::System),
            "tag" | "tags" => Some(Filter::Tag),
            "year" => Some(Filter::Year),
            "status" => Some(Filter::Status),
            _ => None,
        }
    }
}

/// The next whitespace-separated token; a token starting with `"` runs to the closing
/// quote (or the end). Returns the token, whether it was quoted, and the rest.
fn next_token(s: &str) -> (String, bool, &str) {
    if let Some(inner) = s.strip_prefix('"') {
        return match inner.find('"') {
            Some(end) => (inner[..end].to_string(), true, &inner[end + 1..]),
            None => (inner.to_string(), true, ""),
        };
    }
    let end = s.find(char::is_whitespace).unwrap_or(s.len());
    // A filter value may be quoted: system:"cisco aci".
    if let Some(colon) = s[..end].find(":\"") {
        let after = &s[colon + 2..];
        if let Some(close) = after.find('"') {
            let token = format!("{}:{}", &s[..colon], &after[..close]);
            return (token, false, &after[close + 1..]);
        }
    }
    (s[..end].to_string(), false, &s[end..])
}

/// Splits text the way the index's unicode61 tokenizer does: runs of letters and
/// digits, lowercased.
pub fn tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_prefixes_and_filters() {
        let q = Query::parse(r#""floating IP" kafk* system:Kafka year:2019 tag:"db ops" -dns"#);
        assert_eq!(
            q.terms,
            vec![
                Term::Phrase(vec!["floating".into(), "ip".into()]),
                Term::Prefix("kafk".into())
            ]
        );
        assert_eq!(q.systems, vec!["Kafka"]);
        assert_eq!(q.tags, vec!["db ops"]);
        assert_eq!(q.year, Some(2019));
        assert_eq!(q.excluded, vec!["dns"]);
        assert_eq!(q.fts().unwrap(), r#"("floating ip" AND "kafk"*) NOT "dns""#);
    }

    #[test]
    fn fts_operators_are_searched_as_text() {
        for input in [
            "NEAR(",
            "\"",
            "*",
            "-",
            "a AND OR NOT",
            "col:umn",
            "^x",
            "'\"\"'",
        ] {
            let q = Query::parse(input);
            if let Some(expr) = q.fts() {
                assert!(
                    expr.starts_with('"') || expr.starts_with('('),
                    "{input}: {expr}"
                );
            }
        }
        assert_eq!(
            Query::parse("NEAR(a b)").fts().unwrap(),
            r#""near" AND "a" AND "b""#
        );
    }

    #[test]
    fn a_query_can_be_limited_to_one_column() {
        let q = Query::parse("kafk* broker -dns");
        assert_eq!(
            q.fts_in("title").unwrap(),
            r#"({title} : "kafk"* AND {title} : "broker") NOT "dns""#
        );
    }

    #[test]
    fn bad_filters_become_notes() {
        let q = Query::parse("year:abc status:closed");
        assert!(q.is_empty());
        assert_eq!(q.notes.len(), 2);
    }

    #[test]
    fn long_input_is_truncated() {
        let q = Query::parse(&"word ".repeat(3000));
        assert!(q.truncated);
        assert_eq!(q.terms.len(), 1);
    }
}
