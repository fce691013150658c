//! Search queries as people type them, turned into a safe SQLite FTS5 expression and
//! filters.
//!
//! Supported: words (all must match), `"quoted phrases"`, prefixes (`kafk*`), excluded
//! words (`-kafka`), and filters `system:NAME`, `tag:NAME`, `year:YYYY`, `status:open`
//! (incidents with open actions). Multi-word filter values are quoted: `system:"cisco aci"`.
//!
//! A word or phrase that the systems dictionary (`extract::systems`) knows as one name of
//! a system is searched as any of its names: `k8s` finds "Kubernetes" and "kubectl", and
//! `system:k8s` is the filter `system:Kubernetes`.
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
    /// Words not searched because the index leaves them out ([`is_noise`]).
    pub left_out: Vec<String>,
}

/// One search term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Term {
    Word(String),
    Prefix(String),
    Phrase(Vec<String>),
    /// Any of these (words or phrases): the names of one system, the typed one first.
    Either(Vec<Term>),
}

impl Term {
    /// Words to highlight in snippets.
    pub fn highlight_words(&self) -> Vec<String> {
        match self {
            Term::Word(w) | Term::Prefix(w) => vec![w.clone()],
            Term::Phrase(ws) => ws.clone(),
            Term::Either(ts) => ts.iter().flat_map(Term::highlight_words).collect(),
        }
    }

    /// The term as FTS5 syntax.
    fn fts(&self) -> String {
        match self {
            Term::Word(w) => quote(w),
            Term::Prefix(w) => format!("{}*", quote(w)),
            Term::Phrase(ws) => quote(&ws.join(" ")),
            Term::Either(ts) => format!(
                "({})",
                ts.iter().map(Term::fts).collect::<Vec<_>>().join(" OR ")
            ),
        }
    }

    /// The words of the term, as the index tokenises them.
    pub fn words(&self) -> Vec<&str> {
        match self {
            Term::Word(w) | Term::Prefix(w) => vec![w.as_str()],
            Term::Phrase(ws) => ws.iter().map(String::as_str).collect(),
            Term::Either(ts) => ts.iter().flat_map(Term::words).collect(),
        }
    }
}

/// The names of each system in the dictionary, as terms (words or phrases of index
/// tokens), keyed by each name's tokens joined with spaces.
struct Aliases {
    names: Vec<(&'static str, Vec<Term>)>,
    by_key: std::collections::HashMap<String, usize>,
}

static ALIASES: std::sync::LazyLock<Aliases> = std::sync::LazyLock::new(|| {
    let mut aliases = Aliases {
        names: Vec::new(),
        by_key: std::collections::HashMap::new(),
    };
    for (canonical, spellings) in crate::extract::systems::DICTIONARY {
        let index = aliases.names.len();
        let mut terms: Vec<Term> = Vec::new();
        for name in std::iter::once(*canonical).chain(spellings.iter().copied()) {
            let words: Vec<String> = tokens(name).into_iter().filter(|w| !is_noise(w)).collect();
            let term = match words.len() {
                0 => continue,
                1 => Term::Word(words[0].clone()),
                _ => Term::Phrase(words.clone()),
            };
            aliases.by_key.entry(words.join(" ")).or_insert(index);
            if !terms.contains(&term) {
                terms.push(term);
            }
        }
        aliases.names.push((canonical, terms));
    }
    aliases
});

/// The system a name (as its index tokens) is one of: its display name and all its
/// names as terms.
fn system_named(words: &[String]) -> Option<&'static (&'static str, Vec<Term>)> {
    let aliases = &*ALIASES;
    aliases
        .by_key
        .get(&words.join(" "))
        .map(|&i| &aliases.names[i])
}

/// The display name of the system `typed` names (`k8s` → `Kubernetes`), or `typed`
/// itself when the dictionary does not know it.
pub fn system_name(typed: &str) -> String {
    system_named(&tokens(typed))
        .map_or_else(|| typed.trim().to_string(), |(name, _)| name.to_string())
}

/// `term`, or any name of the system it names (the typed one first).
fn with_aliases(term: Term) -> Term {
    let words: Vec<String> = match &term {
        Term::Word(w) => vec![w.clone()],
        Term::Phrase(ws) => ws.clone(),
        _ => return term,
    };
    match system_named(&words) {
        Some((_, names)) if names.len() > 1 => {
            let mut either = vec![term.clone()];
            either.extend(names.iter().filter(|n| **n != term).cloned());
            Term::Either(either)
        }
        _ => term,
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
                let words = q.searchable(tokens(&token));
                match words.len() {
                    0 => {}
                    1 => q.push(with_aliases(Term::Word(
                        words.into_iter().next().unwrap_or_default(),
                    ))),
                    _ => q.push(with_aliases(Term::Phrase(words))),
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
                q.excluded
                    .extend(tokens(word).into_iter().filter(|w| !is_noise(w)));
                continue;
            }
            let prefix = token.ends_with('*');
            let mut words = tokens(&token);
            // The last word of a prefix is searched as typed: "th*" is not a stop word.
            let last = if prefix { words.pop() } else { None };
            let mut words = q.searchable(words);
            words.extend(last);
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
                    q.push(with_aliases(Term::Word(w)));
                }
            }
        }
        if !q.left_out.is_empty() {
            let words = q
                .left_out
                .iter()
                .map(|w| format!("\"{w}\""))
                .collect::<Vec<_>>()
                .join(", ");
            q.notes.push(if q.terms.is_empty() {
                format!("Nothing left to search for: {words} are too common to be indexed.")
            } else {
                format!("Very common words are not searched: {words}.")
            });
        }
        if q.terms.len() > MAX_TERMS {
            q.terms.truncate(MAX_TERMS);
            q.notes
                .push(format!("only the first {MAX_TERMS} search terms were used"));
        }
        q
    }

    /// `words` without those the index leaves out, which the page names.
    fn searchable(&mut self, words: Vec<String>) -> Vec<String> {
        let (noise, kept): (Vec<String>, Vec<String>) =
            words.into_iter().partition(|w| is_noise(w));
        for w in noise {
            if !self.left_out.contains(&w) {
                self.left_out.push(w);
            }
        }
        kept
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
            Filter::System => {
                let name = system_name(value);
                if !self.systems.iter().any(|s| s.eq_ignore_ascii_case(&name)) {
                    self.systems.push(name);
                }
            }
            Filter::Tag => {
                if !self.tags.iter().any(|t| t.eq_ignore_ascii_case(value)) {
                    self.tags.push(value.to_string());
                }
            }
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
        self.fts_expanding(|_| None)
    }

    /// [`Query::fts`] with each prefix that `completions` completes written as the
    /// words it completes to, any of them (`(fail OR failed OR failure)` for `fail*`).
    /// Given every word of the index that starts with the prefix, it matches the same
    /// incidents; FTS5 reads such a list lazily, where it merges a prefix's whole
    /// document lists before giving the first match. `None` without search terms.
    pub fn fts_expanding(
        &self,
        completions: impl Fn(&str) -> Option<Vec<String>>,
    ) -> Option<String> {
        if self.terms.is_empty() {
            return None;
        }
        let mut expr = self
            .terms
            .iter()
            .map(|t| match t {
                Term::Prefix(w) => match completions(w) {
                    Some(words) if !words.is_empty() => format!(
                        "({})",
                        words
                            .iter()
                            .map(|w| quote(w))
                            .collect::<Vec<_>>()
                            .join(" OR ")
                    ),
                    _ => t.fts(),
                },
                _ => t.fts(),
            })
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

/// The filters of a query as they would be typed (`system:Kubernetes`, `year:2019`),
/// each with the query text without it: what a removable chip shows and links to.
pub fn filter_chips(input: &str) -> Vec<(String, String)> {
    let q = Query::parse(input);
    let mut chips = Vec::new();
    for system in &q.systems {
        chips.push((
            format!("system: {system}"),
            without_filter(input, "system", system),
        ));
    }
    for tag in &q.tags {
        chips.push((format!("tag: {tag}"), without_filter(input, "tag", tag)));
    }
    if let Some(year) = q.year {
        chips.push((
            format!("year: {year}"),
            without_filter(input, "year", &year.to_string()),
        ));
    }
    if q.open_actions {
        chips.push((
            "with open actions".into(),
            without_filter(input, "status", "open"),
        ));
    }
    chips
}

/// `input` without the filter `key:value` (any spelling of the key or, for systems, of
/// the name; any case; quoted or not), the rest as typed.
pub fn without_filter(input: &str, key: &str, value: &str) -> String {
    let Some(filter) = Filter::from_key(key) else {
        return input.trim().to_string();
    };
    let wanted = filter.same_value(value);
    let mut kept = Vec::new();
    let mut rest = input.trim();
    while !rest.is_empty() {
        let (token, quoted, after) = next_token(rest);
        let mut after = after;
        let written = &rest[..rest.len() - after.len()];
        if !quoted
            && let Some((k, v)) = token.split_once(':')
            && let Some(f) = Filter::from_key(k)
        {
            // `system:` followed by a quoted value is one filter.
            let (v, end) = if v.is_empty() && after.trim_start().starts_with('"') {
                let (v, _, end) = next_token(after.trim_start());
                (v, end)
            } else {
                (v.trim_matches('"').to_string(), after)
            };
            after = end;
            if f == filter && f.same_value(&v) == wanted {
                rest = after.trim_start();
                continue;
            }
            kept.push(rest[..rest.len() - after.len()].trim().to_string());
        } else {
            kept.push(written.trim().to_string());
        }
        rest = after.trim_start();
    }
    kept.join(" ")
}

/// `input` with the filter `key:value` added, unless the query already has it; a year
/// or status filter replaces the one there.
pub fn with_filter(input: &str, key: &str, value: &str) -> String {
    let q = Query::parse(input);
    let present = match Filter::from_key(key) {
        Some(Filter::System) => {
            let name = system_name(value);
            q.systems.iter().any(|s| s.eq_ignore_ascii_case(&name))
        }
        Some(Filter::Tag) => q.tags.iter().any(|t| t.eq_ignore_ascii_case(value)),
        Some(Filter::Year) => q.year.is_some_and(|y| y.to_string() == value.trim()),
        Some(Filter::Status) => q.open_actions,
        None => false,
    };
    if present {
        return input.trim().to_string();
    }
    let base = match Filter::from_key(key) {
        Some(Filter::Year) => q.year.map_or_else(
            || input.trim().to_string(),
            |y| without_filter(input, "year", &y.to_string()),
        ),
        _ => input.trim().to_string(),
    };
    let value = if value.contains(char::is_whitespace) {
        format!("\"{}\"", value.replace('"', ""))
    } else {
        value.to_string()
    };
    format!("{base} {key}:{value}").trim().to_string()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Filter {
    System,
    Tag,
    Year,
    Status,
}

impl Filter {
    /// A filter value as compared: a system by its display name, any case.
    fn same_value(self, value: &str) -> String {
        match self {
            Filter::System => system_name(value).to_lowercase(),
            _ => value.trim().to_lowercase(),
        }
    }

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

/// Words too common to be worth indexing: the classic English stop list, plus the few
/// that fill every postmortem ("we", "were", "has"...).
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "been", "but", "by", "for", "from", "had", "has",
    "have", "if", "in", "into", "is", "it", "no", "not", "of", "on", "or", "our", "such", "that",
    "the", "their", "then", "there", "these", "they", "this", "to", "was", "we", "were", "which",
    "will", "with",
];

/// A token the index leaves out: a stop word, or a number of one or two digits (the
/// hours, minutes and days of timestamps, which the timeline already holds). Together
/// they are about a third of a postmortem's tokens and a quarter of the index.
pub fn is_noise(token: &str) -> bool {
    if token.len() <= 2 && token.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    // Every stop word is ASCII and at most five letters: packed, lowercased, into an
    // integer and looked up among the packed stop words (no string compares).
    if token.len() > 5 || !token.is_ascii() {
        return false;
    }
    STOP_KEYS.binary_search(&pack(token.bytes())).is_ok()
}

/// Up to eight ASCII bytes, lowercased, as one integer (first byte highest, so packed
/// words sort as the words do).
fn pack(bytes: impl Iterator<Item = u8>) -> u64 {
    let mut key = 0u64;
    let mut n = 0;
    for b in bytes.take(8) {
        key = (key << 8) | u64::from(b.to_ascii_lowercase());
        n += 1;
    }
    key.checked_shl(8 * (8 - n)).unwrap_or(0)
}

/// [`STOP_WORDS`] packed, in the same (sorted) order.
static STOP_KEYS: std::sync::LazyLock<Vec<u64>> =
    std::sync::LazyLock::new(|| STOP_WORDS.iter().map(|w| pack(w.bytes())).collect());

/// The text the full-text indexes receive: `text` with its [`is_noise`] tokens blanked
/// out. Only runs of ASCII letters and digits with ASCII separators (or nothing) on both
/// sides are touched, so every other token reaches the tokenizer exactly as written.
/// The indexes are contentless (snippets are cut from the stored text), so nothing
/// shown to anyone changes; a phrase skips the words left out, on both sides.
pub fn index_text(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let bounded = (start == 0 || bytes[start - 1].is_ascii())
            && (i == bytes.len() || bytes[i].is_ascii());
        // `start..i` is ASCII with ASCII (or no) neighbours: char boundaries.
        if bounded && is_noise(&text[start..i]) {
            out.push_str(&text[copied..start]);
            out.extend(std::iter::repeat_n(' ', i - start));
            copied = i;
        }
    }
    out.push_str(&text[copied..]);
    out
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
    fn a_prefix_can_be_written_as_its_completions() {
        let q = Query::parse("fail* kafka -lag");
        let completions = |w: &str| (w == "fail").then(|| vec!["fail".into(), "failed".into()]);
        assert_eq!(
            q.fts_expanding(completions).unwrap(),
            r#"(("fail" OR "failed") AND "kafka") NOT "lag""#
        );
        assert_eq!(q.fts_expanding(|_| Some(vec![])), q.fts());
        assert_eq!(q.fts().unwrap(), r#"("fail"* AND "kafka") NOT "lag""#);
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
            Query::parse("NEAR(x b)").fts().unwrap(),
            r#""near" AND "x" AND "b""#
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
    fn stop_words_and_short_numbers_are_left_out_of_the_index_and_queries() {
        assert_eq!(
            index_text("At 14:05 the DB was down; thé café, 2019 and 503s."),
            "   14:05     DB     down; thé café, 2019     503s.".replace("14:05", "  :  ")
        );
        assert_eq!(index_text("x_the-of_y"), "x_   -  _y");
        assert_eq!(index_text("éthe theé"), "éthe theé");
        let q = Query::parse(r#""root cause of the outage" the* at 12 -the kafka"#);
        assert_eq!(
            q.terms,
            vec![
                Term::Phrase(vec!["root".into(), "cause".into(), "outage".into()]),
                Term::Prefix("the".into()),
                Term::Word("kafka".into()),
            ]
        );
        assert!(q.excluded.is_empty());
        assert_eq!(q.left_out, ["of", "the", "at", "12"]);
        assert_eq!(q.notes.len(), 1);
        let q = Query::parse("the of");
        assert!(q.terms.is_empty() && q.fts().is_none());
        assert!(q.notes[0].contains("too common"), "{:?}", q.notes);
    }

    #[test]
    fn the_stop_list_is_sorted_for_binary_search() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_KEYS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_WORDS.iter().all(|w| w.len() <= 5 && w.is_ascii()));
        assert!(is_noise("The") && is_noise("WHICH") && is_noise("07"));
        assert!(!is_noise("thee") && !is_noise("007") && !is_noise("théé"));
    }

    #[test]
    fn a_system_is_searched_by_any_of_its_names() {
        let q = Query::parse("k8s outage system:K8S");
        assert_eq!(
            q.fts().unwrap(),
            r#"("k8s" OR "kubernetes" OR "kubectl") AND "outage""#
        );
        assert_eq!(q.systems, ["Kubernetes"]);
        assert!(q.highlight_words().contains(&"kubernetes".to_string()));
        // A word of one name only, and a multi-word name, as typed.
        assert_eq!(Query::parse("kafka").terms, [Term::Word("kafka".into())]);
        assert_eq!(
            Query::parse(r#""cisco aci""#).fts().unwrap(),
            r#"("cisco aci" OR "aci")"#
        );
        assert_eq!(system_name("Postgres"), "PostgreSQL");
        assert_eq!(system_name("our tool"), "our tool");
    }

    #[test]
    fn filters_are_removed_whatever_their_spelling_and_never_added_twice() {
        let input = r#"dns system:k8s tag:"db ops" year:2019 "floating ip""#;
        assert_eq!(
            without_filter(input, "system", "Kubernetes"),
            r#"dns tag:"db ops" year:2019 "floating ip""#
        );
        assert_eq!(
            without_filter(input, "tag", "DB OPS"),
            r#"dns system:k8s year:2019 "floating ip""#
        );
        assert_eq!(with_filter(input, "system", "kubernetes"), input);
        assert_eq!(with_filter(input, "tag", "db ops"), input);
        assert_eq!(
            with_filter(input, "year", "2020"),
            r#"dns system:k8s tag:"db ops" "floating ip" year:2020"#
        );
        assert_eq!(
            with_filter("dns", "system", "Cisco ACI"),
            r#"dns system:"Cisco ACI""#
        );
        let chips = filter_chips(input);
        assert_eq!(
            chips.iter().map(|c| c.0.as_str()).collect::<Vec<_>>(),
            ["system: Kubernetes", "tag: db ops", "year: 2019"]
        );
        assert_eq!(Query::parse("system:kafka system:Kafka").systems, ["Kafka"]);
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
