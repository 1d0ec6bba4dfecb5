-- Housekeeping deletes what has expired; these let it find that without scanning the tables.
create index tokens_by_expiry on tokens (expires_at);
create index sessions_by_expiry on sessions (expires_at);
