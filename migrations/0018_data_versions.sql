-- A counter per kind of data that every change to it increments, kept by triggers so
-- that a change made by any process (the server, a CLI import) counts. A reader that
-- memoises something computed over every incident (the /insights figures, the filter
-- facets) keeps it until the counter moves, instead of recomputing it every few
-- seconds: at 100,000 incidents those take 0.1 to 0.4 s each.
--
-- `incidents` counts changes to the incidents (and, with them, their systems and tags,
-- which are only written together with their incident's row) and to their stored
-- figures (incident_figures).
create table data_versions (
    name text primary key,
    version integer not null
) without rowid;

insert into data_versions (name, version) values ('incidents', 0);

create trigger incidents_version_insert after insert on incidents
begin
    update data_versions set version = version + 1 where name = 'incidents';
end;

create trigger incidents_version_update after update on incidents
begin
    update data_versions set version = version + 1 where name = 'incidents';
end;

create trigger incidents_version_delete after delete on incidents
begin
    update data_versions set version = version + 1 where name = 'incidents';
end;

create trigger incident_figures_version_insert after insert on incident_figures
begin
    update data_versions set version = version + 1 where name = 'incidents';
end;

create trigger incident_figures_version_update after update on incident_figures
begin
    update data_versions set version = version + 1 where name = 'incidents';
end;

create trigger incident_figures_version_delete after delete on incident_figures
begin
    update data_versions set version = version + 1 where name = 'incidents';
end;
