-- Housekeeping deletes audit events older than TESSERA_AUDIT_RETENTION; this finds them without a scan.
create index audit_events_by_time on audit_events (at);
