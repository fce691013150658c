-- One compressed blob per incident holds its summary, plain text, source file and the
-- longer extracted texts only the incident page shows (impact, detection, resolution, lessons,
-- warnings, each timeline entry's text): see src/db/document.rs. Stored apart, those
-- texts and a rendered copy of the page took about 1.3 times the size of the documents;
-- deflated together, where each repeats the others, they take about 0.45 times.
--
-- The incident page is now rendered from the stored source when it is viewed (and kept
-- in memory), so the rendered HTML is no longer stored (see the end of this file).
alter table incidents add column document blob not null default x'';

-- Texts of a database made before this migration, set aside so that nothing is lost:
-- `db::document::upgrade` compresses them into `incidents.document` the next time the
-- database is opened, then empties these two tables.
create table legacy_texts as
    select id as incident_id, summary, body_text, impact, detection, resolution, lessons,
        warnings
    from incidents;
create table legacy_timeline as
    select incident_id, position, text from timeline_entries;
create index legacy_timeline_incident on legacy_timeline (incident_id, position);

alter table incidents drop column summary;
alter table incidents drop column body_text;
alter table incidents drop column impact;
alter table incidents drop column detection;
alter table incidents drop column resolution;
alter table incidents drop column lessons;
alter table incidents drop column warnings;

-- Timeline entries lose their text (now in the document) and store precision and the
-- zone's source as small integers (SQLite stores 0 and 1 in no bytes at all).
create table timeline_entries_compact (
    incident_id integer not null references incidents (id) on delete cascade,
    -- Order within the incident's timeline (chronological).
    position integer not null,
    -- Seconds since the epoch in UTC; null when the zone is unknown or only a date is given.
    utc_seconds integer,
    -- The wall-clock date and time as written (YYYY-MM-DDTHH:MM:SS, or a date).
    wall_time text not null,
    -- Offset from UTC in seconds when the zone is known; null means "no zone stated".
    utc_offset integer,
    -- 0 day | 1 minute | 2 second
    precision integer not null,
    -- Where the zone came from: 0 unknown | 1 stated next to the time | 2 the document.
    zone_source integer not null,
    -- The timestamp exactly as it appears in the document.
    source_text text not null,
    line integer not null,
    primary key (incident_id, position)
) without rowid;
insert into timeline_entries_compact
    select incident_id, position, utc_seconds, wall_time, utc_offset,
        case precision when 'day' then 0 when 'minute' then 1 else 2 end,
        case zone_source when 'stated' then 1 when 'document' then 2 else 0 end,
        source_text, line
    from timeline_entries;
drop table timeline_entries;
alter table timeline_entries_compact rename to timeline_entries;

-- Related-incident profiles, now deflated JSON (profiles of older imports stay plain
-- JSON text, which the reader also accepts). The rendered pages stored beside them
-- in incident_pages are dropped with that table.
create table incident_profiles (
    incident_id integer primary key references incidents (id) on delete cascade,
    profile blob not null
);
insert into incident_profiles (incident_id, profile)
    select incident_id, profile from incident_pages;
drop table incident_pages;

-- No query looks references up by target: links between incidents are resolved in bulk
-- after each import (incident_links), and references are read per incident.
drop index incident_references_target;
