-- Follow-up actions as tracked items. Keyed by the stable id derived from the incident
-- and the action's normalised text, so a re-import finds the same row again and never
-- overwrites what people set later (status, owner, due, ticket).
create table actions (
    id text primary key,
    incident_id integer not null references incidents (id),
    position integer not null,
    text text not null,
    details text,
    line integer not null,
    -- What the document said at the last import; a change here is a change made in
    -- the document, applied to the tracked values below and recorded in the history.
    doc_status text not null,
    doc_owner text,
    doc_due text,
    doc_ticket text,
    priority text,
    -- mitigate | prevent | detect | process, when the document says.
    kind text,
    -- The tracked values shown everywhere: status is open | in_progress | done |
    -- wontfix | unknown (unknown counts as open).
    status text not null,
    owner text,
    due text,
    ticket text,
    created_at text not null,
    updated_at text not null,
    -- Who made the last change: a user name, or "document" for a re-import.
    updated_by text,
    completed_at text,
    -- Set when the action no longer appears in its document; the row and its history stay.
    removed_at text
);

create index actions_incident on actions (incident_id, position);
create index actions_status on actions (status);

-- Every change to an action: who, when, which field, old and new value.
create table action_events (
    id integer primary key,
    action_id text not null references actions (id),
    at text not null,
    actor text not null,
    -- web | cli | api | document
    origin text not null,
    -- status | owner | due | ticket | note | created | removed | restored
    field text not null,
    old_value text,
    new_value text
);

create index action_events_action on action_events (action_id, id);
