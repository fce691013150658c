-- Timeline entries of an incident, replaced as a whole when its file changes.
create table timeline_entries (
    id integer primary key,
    incident_id integer not null references incidents (id) on delete cascade,
    -- Order within the incident's timeline (chronological).
    position integer not null,
    -- The instant as serialised for JSON: YYYY-MM-DD, or with THH:MM[:SS] and, when
    -- the zone is known, Z or ±HH:MM.
    at_text text not null,
    -- Seconds since the epoch in UTC; null when the zone is unknown or only a date is given.
    utc_seconds integer,
    -- The wall-clock date and time as written (YYYY-MM-DDTHH:MM:SS, or a date).
    wall_time text not null,
    -- Offset from UTC in seconds when the zone is known; null means "no zone stated".
    utc_offset integer,
    -- day | minute | second
    precision text not null,
    -- stated | document | unknown: where the zone came from.
    zone_source text not null,
    -- The timestamp exactly as it appears in the document.
    source_text text not null,
    text text not null,
    line integer not null
);

create index timeline_entries_incident on timeline_entries (incident_id, position);
