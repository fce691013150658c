-- Full-text index over every incident, filled at import. Contentless: the text lives
-- once, compressed, in incidents.body_text, and snippets are cut from it in Rust; the
-- index only answers which incidents match and their bm25 rank. rowid = incidents.id.
create virtual table search_index using fts5 (
    title,
    causes,
    summary,
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
