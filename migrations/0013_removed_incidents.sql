-- Incidents removed by hand (`aftermath remove SLUG`): imported by mistake, never to be
-- shown again. The row stays so the actions' history stays with its incident, and so
-- a later import of the same file recognises it and leaves it out; everything that
-- would show the incident (search rows, systems, tags, references, related incidents,
-- links) is deleted and its actions are marked removed.
alter table incidents add column removed_at text;
