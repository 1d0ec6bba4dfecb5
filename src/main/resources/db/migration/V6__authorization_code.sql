-- Issue 12: hosted sign-in with the authorization code grant (RFC 6749 §4.1 + RFC 7636 PKCE).

-- Where a client may send the browser back; compared exactly (dev.tessera.domain.RedirectUri).
alter table clients add column redirect_uris text[] not null default '{}';

-- The browser sign-in (single sign-on) cookie is a session with one token of its own kind, so it is
-- listed, revoked and ended by disabling the user exactly like any other session.
alter table tokens drop constraint tokens_kind_check;
alter table tokens add constraint tokens_kind_check check (kind in ('access', 'refresh', 'browser'));

-- Codes live at most a minute and are stored only as SHA-256(code). session_id is the token session the
-- first exchange created: a second presentation revokes it (RFC 9700 §4.5, RFC 6749 §4.1.2).
create table authorization_codes (
  hash           bytea primary key check (octet_length(hash) = 32),
  client_id      text not null,
  redirect_uri   text not null,
  code_challenge text not null,
  scopes         text[] not null,
  user_id        uuid not null references users (id) on delete cascade,
  device         text,
  expires_at     timestamptz not null,
  used_at        timestamptz,
  session_id     uuid
);
create index authorization_codes_by_expiry on authorization_codes (expires_at);

-- The admin panel may sign in through the hosted page; scripts get tessera-cli for the password grant.
update clients set grant_types = array(select distinct g from unnest(grant_types || '{authorization_code}'::text[]) g order by g),
  redirect_uris = '{/admin/}'
  where client_id = 'tessera-admin';
insert into clients (client_id, name, secret_hash, confidential, grant_types, scopes, introspect)
  select 'tessera-cli', 'Tessera command line', null, false, '{password}', '{admin}', false
  where exists (select 1 from clients where client_id = 'tessera-admin')
  on conflict (client_id) do nothing;
