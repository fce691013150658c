-- Root causes and contributing factors, replaced as a whole when the file changes.
create table root_causes (
    id integer primary key,
    incident_id integer not null references incidents (id) on delete cascade,
    position integer not null,
    text text not null,
    line integer not null
);

create index root_causes_incident on root_causes (incident_id, position);
