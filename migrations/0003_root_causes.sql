-- Root causes and contributing factors, replaced as a whole when the file changes.
create table root_causes (
    incident_id integer not null references incidents (id) on delete cascade,
    position integer not null,
    text text not null,
    line integer not null,
    primary key (incident_id, position)
) without rowid;
