-- One row per postmortem document. Extracted fields are replaced on every re-import of
-- a changed file; the row (and its id) is kept for the life of the incident.
create table incidents (
    id integer primary key,
    -- URL identifier derived from the file name; unique across sources.
    slug text not null unique,
    -- The path the file was imported from, as given to `aftermath import`.
    source_path text not null unique,
    -- markdown | rst | text
    format text not null,
    -- sha256 of the file bytes: an unchanged file is skipped on re-import.
    content_hash text not null,
    title text not null,
    -- Day the incident began, in the document's own zone (YYYY-MM-DD).
    started text,
    -- The zone the document states for its times: UTC, an IANA name or ±HH:MM.
    timezone text,
    summary text,
    impact text,
    detection text,
    resolution text,
    severity text,
    -- JSON arrays of strings.
    authors text not null default '[]',
    lessons text not null default '[]',
    -- JSON array of {"line": n, "message": "..."} from the last import.
    warnings text not null default '[]',
    -- The document's plain text, deflate-compressed: search snippets are cut from it.
    body_text blob not null,
    -- Size of the source file in bytes.
    source_bytes integer not null,
    -- Set when the source file disappeared from disk; nothing is deleted.
    missing_since text,
    imported_at text not null,
    updated_at text not null
);

create index incidents_started on incidents (started);
