-- Every session's first use is written back (last_used_at, in batches every TESSERA_LAST_USED_FLUSH_INTERVAL).
-- With full pages each such update was a new tuple on another page plus an entry in each of the table's four
-- indexes; with room left on the page it is a heap-only (HOT) update: same page, no index entries, since
-- last_used_at is in no index. That was ~10 µs of PostgreSQL CPU per cache miss (bench, issue 14).
-- Only pages written from now on keep the room; existing ones get it back as they are vacuumed and refilled.
alter table sessions set (fillfactor = 70);
