-- Tessera schema. All truth lives here; nodes only cache.

create table settings (
  key   text primary key,
  value text not null
);

create table users (
  id            uuid primary key,
  username      text not null,
  -- Usernames are often e-mail addresses: unique and matched case-insensitively, stored as given.
  username_key  text not null unique,
  password_hash text not null,
  scopes        text[] not null default '{}',
  disabled      boolean not null default false,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);

create table clients (
  client_id    text primary key,
  name         text not null,
  secret_hash  text,
  confidential boolean not null,
  grant_types  text[] not null,
  scopes       text[] not null,
  introspect   boolean not null default false,
  created_at   timestamptz not null default now(),
  check (confidential = (secret_hash is not null))
);

-- A session is one sign-in (a token family): its access and refresh tokens live and die together.
-- client_id has no foreign key so a deleted client's revoked sessions stay as history.
create table sessions (
  id           uuid primary key,
  user_id      uuid references users (id) on delete cascade,
  client_id    text not null,
  device       text,
  scopes       text[] not null,
  created_at   timestamptz not null default now(),
  last_used_at timestamptz,
  expires_at   timestamptz not null,
  revoked_at   timestamptz
);
create index sessions_live_by_user on sessions (user_id) where revoked_at is null;
create index sessions_live_by_client on sessions (client_id) where revoked_at is null;

-- Only SHA-256(token) is stored; the raw token is shown once and never kept.
create table tokens (
  hash       bytea primary key check (octet_length(hash) = 32),
  id         uuid not null unique,
  session_id uuid not null references sessions (id) on delete cascade,
  kind       text not null check (kind in ('access', 'refresh')),
  scopes     text[] not null,
  issued_at  timestamptz not null,
  expires_at timestamptz not null,
  -- Set when a refresh token is rotated; presenting it again is reuse and revokes the family.
  used_at    timestamptz
);
create index tokens_by_session on tokens (session_id);

-- Append-only revocation log, followed by every node (seq is the cursor).
create table revocations (
  seq         bigserial primary key,
  session_ids uuid[] not null,
  reason      text not null,
  revoked_at  timestamptz not null default clock_timestamp(),
  -- Latest expiry among the sessions: after it, nodes may forget the revocation.
  expires_at  timestamptz not null
);
create index revocations_live on revocations (expires_at);

create table audit_events (
  id        bigserial primary key,
  at        timestamptz not null default now(),
  event     text not null,
  user_id   uuid,
  username  text,
  client_id text,
  ip        text,
  detail    jsonb not null default '{}'
);
create index audit_by_username on audit_events (lower(username), id desc);
