-- What connects incidents: the systems and tags they name and the references they make.
-- Without rowid: the primary key is the table, so it is not stored twice.
create table incident_systems (
    incident_id integer not null references incidents (id) on delete cascade,
    system text not null,
    primary key (incident_id, system)
) without rowid;
create index incident_systems_system on incident_systems (system);

create table incident_tags (
    incident_id integer not null references incidents (id) on delete cascade,
    tag text not null,
    primary key (incident_id, tag)
) without rowid;
create index incident_tags_tag on incident_tags (tag);

-- Links and ticket ids as written in the document.
create table incident_references (
    incident_id integer not null references incidents (id) on delete cascade,
    target text not null,
    line integer not null,
    primary key (incident_id, target)
) without rowid;
create index incident_references_target on incident_references (target);
