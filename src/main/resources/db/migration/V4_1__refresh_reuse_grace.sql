-- TESSERA_REFRESH_REUSE_GRACE: a refresh token replayed shortly after its rotation (a mobile app retrying
-- after a lost response) may be renewed once instead of revoking its family. Set when that one chance is
-- gone: the token was replayed already, or a replay of its predecessor replaced it before it was used.
alter table tokens add column grace_closed_at timestamptz;
