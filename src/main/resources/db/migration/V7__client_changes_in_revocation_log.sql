-- Client changes travel the revocation path (broadcast + this log): deleting a client, changing its
-- secret or its introspect right is a row naming the client, so every node forgets its cached copy
-- within the acknowledgement timeout, or the catch-up interval if it missed the broadcast.
alter table revocations add column client_id text;
comment on column revocations.client_id is 'client whose cached credentials and rights nodes must forget';
