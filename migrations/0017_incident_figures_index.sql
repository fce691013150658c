-- What /insights and its stale check read of every incident shown (id, content hash,
-- start day, severity), in an index of its own: the incidents table's rows carry the
-- document blob, and `removed_at`, added after it, lies past the blob's overflow pages,
-- so a scan of the table walks every document. At 10,000 incidents this took the
-- stale check from 49 to 9 ms and the figures' read from 22 to 5 ms (sqlite3 CLI).
create index incidents_figures on incidents (id, content_hash, started, severity)
    where removed_at is null;
