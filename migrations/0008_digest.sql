-- The weekly digest: one row per (week, recipient), claimed before the message is sent
-- so that a week's digest reaches each address at most once, across restarts and
-- across several server processes sharing this database.
create table digest_sends (
    id integer primary key,
    -- ISO week of the digest's as-of day in the schedule's zone, e.g. 2026-W49.
    week text not null,
    -- The lowercased address the message goes to.
    recipient text not null,
    -- team | owner
    kind text not null,
    -- sending (claimed, not finished) | sent | failed (after the last retry)
    state text not null,
    -- Delivery attempts made so far, including failed ones.
    attempts integer not null default 0,
    claimed_at text not null,
    finished_at text,
    -- The last delivery error, kept after a later success for the record.
    last_error text,
    -- The Message-ID header of the delivered message.
    message_id text,
    unique (week, recipient)
);

create index digest_sends_state on digest_sends (state, finished_at);
