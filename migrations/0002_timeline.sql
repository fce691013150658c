-- Timeline entries of an incident, replaced as a whole when its file changes. Keyed by
-- incident and position, without a rowid: the key is the only index the table needs.
-- The JSON form of an instant (YYYY-MM-DD, THH:MM[:SS], Z or ±HH:MM) is not stored: it
-- follows from wall_time, utc_offset and precision.
create table timeline_entries (
    incident_id integer not null references incidents (id) on delete cascade,
    -- Order within the incident's timeline (chronological).
    position integer not null,
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
    line integer not null,
    primary key (incident_id, position)
) without rowid;
