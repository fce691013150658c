-- Related pairs looked up from either side: the recurrences an incident takes part in
-- (db::recurrence) read the pairs naming it second as well as first. The primary key
-- serves the first; this index the second, so the incident page reads a few rows
-- instead of every pair.
create index related_incidents_other on related_incidents (other_id);
