-- Each incident's reliability figures for /insights: times to detect and resolve and
-- the impact duration, in seconds, read from its timeline by the one rule for the
-- start, detection and resolution (web::milestones). Computed when /insights first
-- needs them and recomputed when the document changes (content_hash) or the rule does
-- (rule), so a page over 100,000 incidents reads three integers per incident instead
-- of decompressing every document.
create table incident_figures (
    incident_id integer primary key references incidents (id) on delete cascade,
    -- The version of the document the figures were computed from.
    content_hash text not null,
    -- The version of the rule that computed them (db::insights::RULE_VERSION).
    rule integer not null,
    -- Seconds, or null with the reason beside it ("no entry says when it was detected").
    detect_seconds integer,
    detect_why text,
    resolve_seconds integer,
    resolve_why text,
    impact_seconds integer,
    impact_why text
);
