#!/usr/bin/env node
// Throwaway mock of Tessera's HTTP API, for fast iteration on the admin panel
// without the Java server. Serves src/main/resources/webroot/admin at /admin/
// with the same CSP as the real server and fakes /oauth2/* and /admin/api/*
// in memory, closely enough that e2e/admin-panel.test.mjs passes against it:
//
//   node e2e/mock-server.mjs            # http://127.0.0.1:8089, admin / admin-password
//   TESSERA_URL=http://127.0.0.1:8089 TESSERA_ADMIN_PASSWORD=admin-password \
//     node --test e2e/admin-panel.test.mjs
//
// Env: MOCK_PORT (8089), MOCK_ADMIN_PASSWORD (admin-password),
//      MOCK_ACCESS_TTL seconds (900; make it small to watch refreshes), MOCK_SEED=0 for no sample data.

import http from 'node:http';
import { randomBytes, randomUUID, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const webroot = path.resolve(here, '../src/main/resources/webroot/admin');
const PORT = Number(process.env.MOCK_PORT ?? 8089);
const ADMIN_PASSWORD = process.env.MOCK_ADMIN_PASSWORD ?? 'admin-password';
const ACCESS_TTL = Number(process.env.MOCK_ACCESS_TTL ?? 900);
const REFRESH_TTL = 30 * 24 * 3600;
const CSP = "default-src 'self'; frame-ancestors 'none'";

const now = () => new Date();
const iso = (d) => d.toISOString();
const minutesAgo = (m) => new Date(Date.now() - m * 60_000);
const hash = (t) => createHash('sha256').update(t).digest('hex');

/* ------------------------------------------------------------- state */

let userSeq = 0;
const users = []; // {id, username, password, scopes, disabled, created_at}
const clients = new Map(); // client_id -> {client_id, name, confidential, grant_types, scopes, introspect, created_at, secret}
const sessions = new Map(); // id -> {id, user_id, client_id, device, scopes, created_at, last_used_at, expires_at, revoked}
const tokens = new Map(); // sha256 -> {kind, session_id, exp, used}
const audit = [];
let auditSeq = 0;

function addUser(username, password, scopes, createdAt = now(), disabled = false) {
  userSeq += 1;
  const user = { id: `u_${String(userSeq).padStart(4, '0')}${randomBytes(3).toString('hex')}`, username, password, scopes, disabled, created_at: iso(createdAt) };
  users.push(user);
  return user;
}
function addClient(c) {
  const client = { introspect: false, created_at: iso(now()), ...c };
  clients.set(client.client_id, client);
  return client;
}
function log(event, { username = null, client_id = null, ip = '127.0.0.1', detail = {}, at = now() } = {}) {
  auditSeq += 1;
  audit.unshift({ id: String(auditSeq), at: iso(at), event, username, client_id, ip, detail });
}
function publicUser(u) {
  const { password, ...rest } = u;
  return rest;
}
function publicClient(c) {
  const { secret, ...rest } = c;
  return rest;
}
function findUserByName(name) {
  return users.find((u) => u.username.toLowerCase() === String(name).toLowerCase());
}
function propagation() {
  return { nodes: 3, acked: 3, ms: 2 + Math.floor(Math.random() * 6) };
}

addUser('admin', ADMIN_PASSWORD, ['admin'], minutesAgo(60 * 24 * 40));
addClient({ client_id: 'tessera-admin', name: 'Tessera admin panel', confidential: false, grant_types: ['authorization_code', 'refresh_token'], scopes: ['admin'], redirect_uris: ['/admin/'], created_at: iso(minutesAgo(60 * 24 * 40)) });
addClient({ client_id: 'tessera-cli', name: 'Tessera command line', confidential: false, grant_types: ['password'], scopes: ['admin'], redirect_uris: [], created_at: iso(minutesAgo(60 * 24 * 40)) });

if (process.env.MOCK_SEED !== '0') {
  const names = ['alice@example.com', 'bob.martin@example.com', 'carol@example.org', 'dave@ops.example.com', 'erin@example.com', 'frank@example.net', 'grace.hopper@example.com'];
  names.forEach((n, i) => addUser(n, 'password', i % 3 === 0 ? ['read', 'write'] : ['read'], minutesAgo(60 * 24 * (30 - i * 3)), i === 4));
  addClient({ client_id: 'web-shop', name: 'Web shop', confidential: false, grant_types: ['password', 'refresh_token'], scopes: ['read', 'write'], created_at: iso(minutesAgo(60 * 24 * 20)) });
  addClient({ client_id: 'orders-api', name: 'Orders API', confidential: true, grant_types: ['client_credentials'], scopes: ['read'], introspect: true, secret: 'x', created_at: iso(minutesAgo(60 * 24 * 12)) });
  const alice = users[1];
  for (const [device, ago] of [['Firefox on Linux', 300], ['Galaxy S23', 1500]]) {
    const id = randomUUID();
    sessions.set(id, { id, user_id: alice.id, client_id: 'web-shop', device, scopes: ['read', 'write'], created_at: iso(minutesAgo(ago)), last_used_at: iso(minutesAgo(3)), expires_at: iso(new Date(Date.now() + REFRESH_TTL * 1000 - ago * 60_000)), revoked: false });
  }
  log('login_failed', { username: 'bob.martin@example.com', client_id: 'web-shop', ip: '203.0.113.7', detail: { reason: 'bad_password' }, at: minutesAgo(42) });
  log('token_issued', { username: 'alice@example.com', client_id: 'web-shop', ip: '198.51.100.20', detail: { grant: 'password', device: 'Galaxy S23' }, at: minutesAgo(25) });
  log('token_issued', { client_id: 'orders-api', ip: '10.0.4.12', detail: { grant: 'client_credentials' }, at: minutesAgo(9) });
}

/* ------------------------------------------------------------- tokens */

function issue(user, client, scopes, device, withRefresh) {
  const sessionId = randomUUID();
  const created = now();
  sessions.set(sessionId, {
    id: sessionId, user_id: user?.id ?? null, client_id: client.client_id, device, scopes,
    created_at: iso(created), last_used_at: null, expires_at: iso(new Date(created.getTime() + (withRefresh ? REFRESH_TTL : ACCESS_TTL) * 1000)), revoked: false,
  });
  return mint(sessionId, scopes, withRefresh);
}
function mint(sessionId, scopes, withRefresh) {
  const access = `tsr_${randomBytes(32).toString('base64url')}`;
  tokens.set(hash(access), { kind: 'access', session_id: sessionId, exp: Date.now() + ACCESS_TTL * 1000 });
  const body = { access_token: access, token_type: 'Bearer', expires_in: ACCESS_TTL, scope: scopes.join(' ') };
  if (withRefresh) {
    const refresh = `tsr_${randomBytes(32).toString('base64url')}`;
    tokens.set(hash(refresh), { kind: 'refresh', session_id: sessionId, exp: Date.now() + REFRESH_TTL * 1000, used: false });
    body.refresh_token = refresh;
  }
  return body;
}
function lookup(token, kind) {
  const t = tokens.get(hash(String(token ?? '')));
  if (!t || (kind && t.kind !== kind) || t.exp < Date.now()) return null;
  const s = sessions.get(t.session_id);
  if (!s || s.revoked) return null;
  const user = s.user_id ? users.find((u) => u.id === s.user_id) : null;
  if (s.user_id && (!user || user.disabled)) return null;
  return { t, s, user };
}
function revokeSession(s) {
  if (s.revoked) return 0;
  s.revoked = true;
  return 1;
}

/* ------------------------------------------------------------- http helpers */

function send(res, status, body, headers = {}) {
  const data = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(data);
}
function oauthErr(res, status, error, description, headers = {}) {
  send(res, status, { error, error_description: description }, headers);
}
function problem(res, status, title, detail) {
  const body = { type: 'about:blank', title, status, detail };
  res.writeHead(status, { 'Content-Type': 'application/problem+json', 'Cache-Control': 'no-store' });
  res.end(JSON.stringify(body));
}
async function readBody(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}
function basicAuth(req) {
  const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (!m) return null;
  const raw = Buffer.from(m[1], 'base64').toString('utf8');
  const i = raw.indexOf(':');
  if (i < 0) return null;
  const dec = (s) => { try { return decodeURIComponent(s.replace(/\+/g, ' ')); } catch { return s; } };
  return { id: dec(raw.slice(0, i)), secret: dec(raw.slice(i + 1)) };
}

/* ------------------------------------------------------------- static */

const types = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon' };

async function serveStatic(res, urlPath) {
  let rel = urlPath.replace(/^\/admin\/?/, '');
  if (rel === '') rel = 'index.html';
  const file = path.resolve(webroot, rel);
  if (!file.startsWith(webroot + path.sep)) return problem(res, 404, 'Not Found');
  try {
    const data = await readFile(file);
    res.writeHead(200, {
      'Content-Type': types[path.extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cache-Control': 'no-cache',
    });
    res.end(data);
  } catch {
    problem(res, 404, 'Not Found', `No such file: ${rel}`);
  }
}

/* ------------------------------------------------------------- oauth */

async function tokenEndpoint(req, res) {
  const p = new URLSearchParams(await readBody(req));
  const basic = basicAuth(req);
  const clientId = basic?.id ?? p.get('client_id');
  const client = clients.get(clientId ?? '');
  if (!client || (client.confidential && (basic?.secret ?? p.get('client_secret')) !== client.secret)) {
    return oauthErr(res, 401, 'invalid_client', 'Unknown client or bad client credentials.', { 'WWW-Authenticate': 'Basic realm="tessera"' });
  }
  const grant = p.get('grant_type');
  if (!client.grant_types.includes(grant)) return oauthErr(res, 400, 'unauthorized_client', `This client may not use the ${grant} grant.`);
  const ip = req.socket.remoteAddress;
  if (grant === 'password') {
    const user = findUserByName(p.get('username') ?? '');
    if (!user || user.password !== p.get('password') || user.disabled) {
      log('login_failed', { username: p.get('username'), client_id: clientId, ip, detail: { reason: user?.disabled ? 'disabled' : 'bad_credentials' } });
      return oauthErr(res, 400, 'invalid_grant', 'Wrong username or password.');
    }
    const asked = (p.get('scope') ?? '').split(/\s+/).filter(Boolean);
    const allowed = user.scopes.filter((s) => client.scopes.includes(s));
    const scopes = asked.length ? asked : allowed;
    if (scopes.some((s) => !allowed.includes(s))) return oauthErr(res, 400, 'invalid_scope', 'The requested scope is not allowed for this user or client.');
    const device = p.get('device_name') || req.headers['user-agent'] || 'Unknown';
    log('login_ok', { username: user.username, client_id: clientId, ip, detail: { device } });
    return send(res, 200, issue(user, client, scopes, device, client.grant_types.includes('refresh_token')));
  }
  if (grant === 'authorization_code') {
    const pending = codes.get(p.get('code') ?? '');
    codes.delete(p.get('code') ?? '');
    const challenge = createHash('sha256').update(p.get('code_verifier') ?? '').digest('base64url');
    if (!pending || pending.client_id !== clientId || pending.redirect_uri !== p.get('redirect_uri') || pending.challenge !== challenge) {
      return oauthErr(res, 400, 'invalid_grant', 'Authorization code is invalid, expired or already used.');
    }
    log('login_ok', { username: pending.user.username, client_id: clientId, ip, detail: { device: pending.device } });
    return send(res, 200, issue(pending.user, client, pending.scopes, pending.device, client.grant_types.includes('refresh_token')));
  }
  if (grant === 'refresh_token') {
    const t = tokens.get(hash(p.get('refresh_token') ?? ''));
    if (t?.kind === 'refresh' && t.used) {
      const s = sessions.get(t.session_id);
      if (s) s.revoked = true;
      log('refresh_reuse', { client_id: clientId, ip, detail: { session: t.session_id } });
      return oauthErr(res, 400, 'invalid_grant', 'Refresh token was already used; the session is revoked.');
    }
    const found = lookup(p.get('refresh_token'), 'refresh');
    if (!found || found.s.client_id !== clientId) return oauthErr(res, 400, 'invalid_grant', 'Refresh token is invalid, expired or revoked.');
    found.t.used = true;
    found.s.last_used_at = iso(now());
    return send(res, 200, mint(found.s.id, found.s.scopes, true));
  }
  if (grant === 'client_credentials') {
    const asked = (p.get('scope') ?? '').split(/\s+/).filter(Boolean);
    return send(res, 200, issue(null, client, asked.length ? asked : client.scopes, client.client_id, false));
  }
  return oauthErr(res, 400, 'unsupported_grant_type', `Unsupported grant_type ${grant}.`);
}

async function introspectEndpoint(req, res) {
  const p = new URLSearchParams(await readBody(req));
  const basic = basicAuth(req);
  const client = clients.get(basic?.id ?? p.get('client_id') ?? '');
  const secret = basic?.secret ?? p.get('client_secret');
  if (!client || !client.confidential || client.secret !== secret || !client.introspect) {
    return oauthErr(res, 401, 'invalid_client', 'Client authentication failed or introspection not allowed.', { 'WWW-Authenticate': 'Basic realm="tessera"' });
  }
  const found = lookup(p.get('token'));
  if (!found) return send(res, 200, { active: false });
  const { t, s, user } = found;
  return send(res, 200, {
    active: true, scope: s.scopes.join(' '), client_id: s.client_id, username: user?.username, sub: user?.id ?? s.client_id,
    token_type: 'Bearer', exp: Math.floor(t.exp / 1000), iat: Math.floor(Date.parse(s.created_at) / 1000), jti: hash(p.get('token')).slice(0, 16),
  });
}

async function revokeEndpoint(req, res) {
  const p = new URLSearchParams(await readBody(req));
  const clientId = basicAuth(req)?.id ?? p.get('client_id');
  const found = lookup(p.get('token'));
  if (found && found.s.client_id === clientId) {
    revokeSession(found.s);
    log('token_revoked', { username: found.user?.username, client_id: clientId, ip: req.socket.remoteAddress, detail: { reason: 'client' } });
  }
  res.writeHead(200, { 'Cache-Control': 'no-store' });
  res.end();
}

/* ------------------------------------------------------------- admin api */

async function adminApi(req, res, url) {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  const found = bearer && lookup(bearer, 'access');
  if (!found) return problem(res, 401, 'Unauthorized', 'A valid bearer token is required.');
  if (!found.s.scopes.includes('admin')) return problem(res, 403, 'Forbidden', 'The token lacks the admin scope.');
  found.s.last_used_at = iso(now());
  const admin = found.user?.username;
  const ip = req.socket.remoteAddress;
  const parts = url.pathname.split('/').slice(3).map(decodeURIComponent); // after /admin/api
  const m = req.method;
  const json = async () => {
    const text = await readBody(req);
    try { return text ? JSON.parse(text) : {}; } catch { return null; }
  };

  if (parts[0] === 'me' && m === 'GET') return send(res, 200, { username: admin, client_id: found.s.client_id, scopes: found.s.scopes });
  if (parts[0] === 'users' && parts.length === 1 && m === 'GET') {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 50) || 50, 200);
    const after = url.searchParams.get('after');
    const q = (url.searchParams.get('q') ?? '').toLowerCase();
    let list = users.filter((u) => u.username.toLowerCase().includes(q));
    if (after) list = list.filter((u) => u.id > after);
    const page = list.slice(0, limit);
    return send(res, 200, { items: page.map(publicUser), next_after: list.length > limit ? page.at(-1).id : null });
  }
  if (parts[0] === 'users' && parts.length === 1 && m === 'POST') {
    const b = await json();
    if (!b || typeof b.username !== 'string' || !b.username.trim() || typeof b.password !== 'string' || !b.password) return problem(res, 400, 'Invalid user', 'username and password are required.');
    if (findUserByName(b.username)) return problem(res, 409, 'Username taken', `A user named ${b.username} already exists.`);
    const user = addUser(b.username.trim(), b.password, Array.isArray(b.scopes) ? b.scopes : []);
    log('user_created', { username: user.username, ip, detail: { by: admin } });
    return send(res, 201, publicUser(user));
  }
  const user = parts[0] === 'users' ? users.find((u) => u.id === parts[1]) : null;
  if (parts[0] === 'users' && parts.length >= 2 && !user) return problem(res, 404, 'User not found', `No user with id ${parts[1]}.`);
  if (user && parts.length === 2 && m === 'GET') return send(res, 200, publicUser(user));
  if (user && parts.length === 2 && m === 'PATCH') {
    const b = await json();
    if (!b) return problem(res, 400, 'Invalid JSON', 'The body is not valid JSON.');
    const result = {};
    if (typeof b.password === 'string') { user.password = b.password; log('password_reset', { username: user.username, ip, detail: { by: admin } }); }
    if (Array.isArray(b.scopes)) { user.scopes = b.scopes; log('scopes_changed', { username: user.username, ip, detail: { by: admin, scopes: b.scopes.join(' ') } }); }
    if (typeof b.disabled === 'boolean' && b.disabled !== user.disabled) {
      user.disabled = b.disabled;
      if (b.disabled) {
        let n = 0;
        for (const s of sessions.values()) if (s.user_id === user.id) n += revokeSession(s);
        result.propagation = propagation();
        log('user_disabled', { username: user.username, ip, detail: { by: admin, revoked: n } });
      } else {
        log('user_enabled', { username: user.username, ip, detail: { by: admin } });
      }
    }
    return send(res, 200, { ...publicUser(user), ...result });
  }
  if (user && parts[2] === 'sessions' && m === 'GET') {
    const items = [...sessions.values()]
      .filter((s) => s.user_id === user.id && !s.revoked && Date.parse(s.expires_at) > Date.now())
      .map(({ revoked, user_id, ...s }) => s);
    return send(res, 200, { items });
  }
  if (user && parts[2] === 'revoke-all' && m === 'POST') {
    let n = 0;
    for (const s of sessions.values()) if (s.user_id === user.id) n += revokeSession(s);
    log('sessions_revoked', { username: user.username, ip, detail: { by: admin, revoked: n } });
    return send(res, 200, { revoked: n, propagation: propagation() });
  }
  if (parts[0] === 'sessions' && parts.length === 2 && m === 'DELETE') {
    const s = sessions.get(parts[1]);
    if (!s || s.revoked) return problem(res, 404, 'Session not found', 'No live session with that id.');
    revokeSession(s);
    log('session_revoked', { username: users.find((u) => u.id === s.user_id)?.username, client_id: s.client_id, ip, detail: { by: admin, device: s.device } });
    return send(res, 200, { revoked: 1, propagation: propagation() });
  }
  if (parts[0] === 'clients' && parts.length === 1 && m === 'GET') {
    return send(res, 200, { items: [...clients.values()].map(publicClient) });
  }
  if (parts[0] === 'clients' && parts.length === 1 && m === 'POST') {
    const b = await json();
    if (!b || typeof b.client_id !== 'string' || !/^[A-Za-z0-9._-]{1,100}$/.test(b.client_id)) return problem(res, 400, 'Invalid client', 'client_id must be 1–100 letters, digits, dots, dashes or underscores.');
    if (clients.has(b.client_id)) return problem(res, 409, 'Client exists', `A client with id ${b.client_id} already exists.`);
    if (!b.confidential && (b.grant_types ?? []).includes('client_credentials')) return problem(res, 400, 'Invalid client', 'client_credentials needs a confidential client.');
    const secret = b.confidential ? (b.client_secret ?? randomBytes(24).toString('base64url')) : undefined;
    const client = addClient({ client_id: b.client_id, name: b.name ?? b.client_id, confidential: !!b.confidential, grant_types: b.grant_types ?? [], scopes: b.scopes ?? [], introspect: !!b.introspect, redirect_uris: b.redirect_uris ?? [], secret });
    log('client_created', { client_id: client.client_id, ip, detail: { by: admin } });
    return send(res, 201, { ...publicClient(client), ...(secret ? { client_secret: secret } : {}) });
  }
  if (parts[0] === 'clients' && parts.length === 2 && m === 'GET') {
    const c = clients.get(parts[1]);
    return c ? send(res, 200, publicClient(c)) : problem(res, 404, 'Client not found', `No client ${parts[1]}.`);
  }
  if (parts[0] === 'clients' && parts.length === 2 && m === 'DELETE') {
    if (!clients.delete(parts[1])) return problem(res, 404, 'Client not found', `No client ${parts[1]}.`);
    for (const s of sessions.values()) if (s.client_id === parts[1]) revokeSession(s);
    log('client_deleted', { client_id: parts[1], ip, detail: { by: admin } });
    res.writeHead(204);
    return res.end();
  }
  if (parts[0] === 'audit' && m === 'GET') {
    const limit = Math.min(Number(url.searchParams.get('limit') ?? 100) || 100, 500);
    const name = url.searchParams.get('username');
    const items = audit.filter((e) => !name || (e.username ?? '').toLowerCase() === name.toLowerCase()).slice(0, limit);
    return send(res, 200, { items });
  }
  return problem(res, 404, 'Not Found', `No admin endpoint ${m} ${url.pathname}.`);
}

/* ------------------------------------------------- hosted sign-in (code + PKCE) */

const ISSUER = `http://127.0.0.1:${PORT}`;
const codes = new Map(); // code -> {client_id, redirect_uri, challenge, scopes, user, device}
const browserSessions = new Map(); // cookie -> user
const escapeHtml = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const cookieOf = (req) => /(?:^|;\s*)tessera_sso=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];

function signInPage(res, params, client, error, status = 200) {
  const hidden = [...params].filter(([k]) => !['prompt', 'username', 'password'].includes(k))
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`).join('');
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': "default-src 'none'; style-src 'self'; frame-ancestors 'none'; form-action 'self'", 'X-Frame-Options': 'DENY', 'Cache-Control': 'no-store' });
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in · Tessera (mock)</title></head><body><main>
<h1>Sign in</h1><p>to continue to <strong>${escapeHtml(client.name)}</strong></p>${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="/oauth2/authorize">${hidden}<label for="u">Username</label><input id="u" name="username" value="${escapeHtml(params.get('username'))}"><label for="p">Password</label><input id="p" name="password" type="password"><button type="submit">Sign in</button></form></main></body></html>`);
}

function backTo(res, status, redirectUri, params) {
  const q = new URLSearchParams({ ...params, iss: ISSUER });
  res.writeHead(status, { Location: `${redirectUri}?${q}`, 'Cache-Control': 'no-store' });
  res.end();
}

async function authorizeEndpoint(req, res, url) {
  const params = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
  const client = clients.get(params.get('client_id') ?? '');
  const redirectUri = params.get('redirect_uri') ?? '';
  const registered = (client?.redirect_uris ?? []).map((r) => (r.startsWith('/') ? ISSUER + r : r));
  if (!client || !registered.includes(redirectUri)) return send(res, 400, { error: 'invalid_request' });
  const state = params.get('state') ?? '';
  const grant = (user, status) => {
    const code = `tsr_${randomBytes(32).toString('base64url')}`;
    codes.set(code, { client_id: client.client_id, redirect_uri: redirectUri, challenge: params.get('code_challenge'), scopes: ['admin'], user, device: params.get('device_name') ?? 'Browser' });
    return backTo(res, status, redirectUri, { code, state });
  };
  if (req.method === 'GET') {
    const user = browserSessions.get(cookieOf(req) ?? '');
    if (user && params.get('prompt') !== 'login') return grant(user, 302);
    if (params.get('prompt') === 'none') return backTo(res, 302, redirectUri, { error: 'login_required', state });
    return signInPage(res, params, client);
  }
  const user = findUserByName(params.get('username') ?? '');
  if (!user || user.password !== params.get('password') || user.disabled) {
    log('login_failed', { username: params.get('username'), client_id: client.client_id });
    return signInPage(res, params, client, 'Incorrect username or password.');
  }
  const sso = randomBytes(32).toString('base64url');
  browserSessions.set(sso, user);
  res.setHeader('Set-Cookie', `tessera_sso=${sso}; Path=/oauth2/; HttpOnly; SameSite=Lax`);
  return grant(user, 303);
}

function logoutEndpoint(req, res, url) {
  browserSessions.delete(cookieOf(req) ?? '');
  const client = clients.get(url.searchParams.get('client_id') ?? '');
  const target = url.searchParams.get('post_logout_redirect_uri');
  const registered = (client?.redirect_uris ?? []).map((r) => (r.startsWith('/') ? ISSUER + r : r));
  res.writeHead(target && registered.includes(target) ? 303 : 200, { 'Set-Cookie': 'tessera_sso=; Path=/oauth2/; Max-Age=0', ...(target && registered.includes(target) ? { Location: target } : {}) });
  return res.end('Signed out.');
}

/* ------------------------------------------------------------- server */

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, `http://${req.headers.host ?? 'localhost'}`);
  try {
    if (url.pathname === '/admin') {
      res.writeHead(301, { Location: '/admin/' });
      return res.end();
    }
    if (url.pathname.startsWith('/admin/api/')) return await adminApi(req, res, url);
    if (url.pathname.startsWith('/admin/') && req.method === 'GET') return await serveStatic(res, url.pathname);
    if (url.pathname === '/.well-known/oauth-authorization-server') return send(res, 200, { issuer: ISSUER, authorization_endpoint: `${ISSUER}/oauth2/authorize`, token_endpoint: `${ISSUER}/oauth2/token`, code_challenge_methods_supported: ['S256'] });
    if (url.pathname === '/oauth2/authorize') return await authorizeEndpoint(req, res, url);
    if (url.pathname === '/oauth2/logout') return logoutEndpoint(req, res, url);
    if (req.method === 'POST' && url.pathname === '/oauth2/token') return await tokenEndpoint(req, res);
    if (req.method === 'POST' && url.pathname === '/oauth2/introspect') return await introspectEndpoint(req, res);
    if (req.method === 'POST' && url.pathname === '/oauth2/revoke') return await revokeEndpoint(req, res);
    if (url.pathname === '/health/live') return send(res, 200, { status: 'UP' });
    return problem(res, 404, 'Not Found', `Nothing at ${url.pathname}.`);
  } catch (err) {
    console.error(err);
    return problem(res, 500, 'Internal Server Error', 'The mock failed.');
  }
});

server.listen(PORT, '127.0.0.1', () => {
  console.log(`Tessera mock on http://127.0.0.1:${PORT}/admin/  (admin / ${ADMIN_PASSWORD})`);
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => server.close(() => process.exit(0)));
