-- Indexes the actions page reads along (db::actions::Access), so a page of 100 stops
-- after about 100 rows instead of sorting every action. The expressions must stay the
-- ones db::actions orders and filters by.

-- The incident order (newest incident first, incidents without a start last) and the
-- age order (oldest incident first, by its start or the day it was first imported):
-- incidents in order, each one's actions by `actions_incident`. At 130,000 actions the
-- incident order took 245 ms, sorting every action; this walk takes under 1 ms.
create index incidents_newest on incidents ((started is null), coalesce(started, '') desc, slug);
create index incidents_oldest on incidents (coalesce(started, substr(imported_at, 1, 10)), slug);

-- The open actions without an owner: few (769 of 132,346 in the synthetic 10,000), and
-- mostly without a due date, so a walk of the due order met them only at its end
-- (85 ms). The condition is db::actions' `no_owner` flag.
create index actions_no_owner on actions (coalesce(due, '~'))
    where status in ('open', 'in_progress', 'unknown') and (owner is null or trim(owner) = '');
