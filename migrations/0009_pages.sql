-- What the web UI serves without recomputing: each incident's document rendered to
-- sanitised HTML once at import, a small full-text index over the most telling fields,
-- and the related incidents computed after each import.

-- Rendered, sanitised HTML of the source document (deflate, like body_text).
create table incident_pages (
    incident_id integer primary key references incidents (id) on delete cascade,
    html blob not null,
    -- JSON profile (systems, failure modes, top terms) compared to find related incidents.
    profile text not null default '{}'
);

-- Title, root causes and summary only. Very common terms are ranked over this small
-- index first, because ranking them over every body costs a scan of most documents.
create virtual table search_brief using fts5 (
    title,
    causes,
    summary,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Vocabulary of the full index: how many documents contain each term.
create virtual table search_vocab using fts5vocab (search_index, row);

-- For each incident, the most similar others and why (shared systems and terms).
create table related_incidents (
    incident_id integer not null references incidents (id) on delete cascade,
    other_id integer not null references incidents (id) on delete cascade,
    rank integer not null,
    score real not null,
    -- Human-readable reason: "shared systems: Kafka; shared terms: same ip, arp".
    reason text not null,
    primary key (incident_id, other_id)
);
create index related_incidents_rank on related_incidents (incident_id, rank);

-- References between incidents, resolved after each import: a link to another
-- incident's file or a mention of its slug. Back-links are read from here.
create table incident_links (
    from_id integer not null references incidents (id) on delete cascade,
    to_id integer not null references incidents (id) on delete cascade,
    -- The reference as written in the source document.
    target text not null,
    primary key (from_id, to_id)
);
create index incident_links_to on incident_links (to_id);
