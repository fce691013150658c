-- Work an import still owes after its data is committed: recomputing related incidents
-- and resolving links between incidents. A row is written in the same transaction as
-- the incidents that make the work necessary, and deleted in the transaction that
-- finishes it, so a process killed in between leaves the row for the next import or
-- `serve` start to find.
create table pending_refresh (
    -- related | links
    what text primary key,
    -- Bumped by every import transaction that changes incidents. A refresh deletes the
    -- row only if the generation it read before starting is still there: a change
    -- committed by another process meanwhile keeps the work pending.
    generation integer not null default 1,
    -- When the work first became due (RFC 3339, UTC).
    since text not null
);
