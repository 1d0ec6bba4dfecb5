-- Since V3 a revocation row's expires_at is how long nodes must remember it: the access-token lifetime
-- (plus a margin) after the revocation, or the sessions' own expiry if sooner. Refresh tokens are always
-- checked in the database, so nodes need not hold revocations for the 30-day session lifetime.
comment on column revocations.expires_at is 'until when nodes must keep this revocation in memory';
