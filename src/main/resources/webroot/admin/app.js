// Tessera admin panel: hash router and screens.
// Routes: #/users  #/users/<id>  #/clients  #/audit   (tokens never go in the URL)

import {
  api, withQuery, startSignIn, resumeSession, signOut, isSignedIn, currentUsername, onSessionEnd,
} from './api.js';
import {
  h, clear, field, checkbox, time, scopeList, parseScopes, table, setBusy, uid,
} from './dom.js';

const main = document.getElementById('main');
const topbar = document.getElementById('topbar');
const statusEl = document.getElementById('status');
const alertEl = document.getElementById('alert');

// Each render bumps this; async work from an older screen checks it and stops.
let renderSeq = 0;
let statusTimer = null;

/* ------------------------------------------------------------------ messages */

function say(message) {
  alertEl.replaceChildren();
  alertEl.hidden = true;
  statusEl.textContent = message;
  statusEl.hidden = !message;
  clearTimeout(statusTimer);
  if (message) statusTimer = setTimeout(() => { statusEl.textContent = ''; statusEl.hidden = true; }, 8000);
}

function fail(err, context) {
  clearTimeout(statusTimer);
  statusEl.textContent = '';
  statusEl.hidden = true;
  const title = err?.title ?? 'Something went wrong';
  const detail = err?.title ? err.detail : (err?.message ?? String(err));
  alertEl.replaceChildren(
    h('strong', null, context ? `${context}: ${title}` : title),
    detail ? h('span', null, ` — ${detail}`) : null,
    h('button', { type: 'button', class: 'btn btn-quiet btn-small dismiss', onclick: clearMessages, 'aria-label': 'Dismiss message' }, 'Dismiss'),
  );
  alertEl.hidden = false;
}

function clearMessages() {
  clearTimeout(statusTimer);
  statusEl.textContent = '';
  statusEl.hidden = true;
  alertEl.replaceChildren();
  alertEl.hidden = true;
}

/** "revoked on 3/3 nodes in 4 ms" from {"nodes","acked","ms"}. */
function propagationText(p) {
  if (!p || typeof p !== 'object') return '';
  const parts = [];
  if (p.nodes !== undefined && p.acked !== undefined) parts.push(`on ${p.acked}/${p.nodes} nodes`);
  if (p.ms !== undefined) parts.push(`in ${p.ms} ms`);
  let text = parts.length ? `revoked ${parts.join(' ')}` : '';
  if (Array.isArray(p.missing) && p.missing.length > 0) {
    text += ` (not yet confirmed by ${p.missing.join(', ')}; they catch up from the revocation log)`;
  }
  return text;
}

function plural(n, one, many = `${one}s`) {
  return `${n} ${n === 1 ? one : many}`;
}

/** Run an async action for a button: busy state, errors to the alert region. */
async function act(button, busyLabel, context, fn) {
  if (button) setBusy(button, true, busyLabel);
  try {
    return await fn();
  } catch (err) {
    // If the session just ended, the sign-in screen already says why.
    if (isSignedIn()) fail(err, context);
    return undefined;
  } finally {
    if (button && button.isConnected) setBusy(button, false);
  }
}

/* -------------------------------------------------------------------- router */

function parseRoute() {
  const hash = location.hash.replace(/^#/, '');
  const parts = hash.split('/').filter(Boolean).map((p) => {
    try { return decodeURIComponent(p); } catch { return p; }
  });
  if (parts[0] === 'users' && parts[1]) return { name: 'user', id: parts[1] };
  if (parts[0] === 'clients') return { name: 'clients' };
  if (parts[0] === 'audit') return { name: 'audit', username: parts[1] };
  return { name: 'users' };
}

function render() {
  renderSeq += 1;
  if (!isSignedIn()) {
    renderSignIn();
    return;
  }
  topbar.hidden = false;
  document.getElementById('whoami-name').textContent = currentUsername() ?? '';
  const route = parseRoute();
  const section = route.name === 'user' ? 'users' : route.name;
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === section) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  clear(main);
  main.className = '';
  const views = { users: renderUsers, user: renderUser, clients: renderClients, audit: renderAudit };
  views[route.name](route, renderSeq);
}

/** Put focus on the screen heading so keyboard and screen-reader users land there. */
function focusHeading() {
  const heading = main.querySelector('h1');
  if (heading) {
    heading.setAttribute('tabindex', '-1');
    heading.focus({ preventScroll: false });
  }
}

window.addEventListener('hashchange', () => {
  clearMessages();
  render();
  focusHeading();
});

onSessionEnd((message) => {
  render();
  fail({ title: 'Signed out', detail: message });
});

document.getElementById('sign-out').addEventListener('click', async (ev) => {
  const button = ev.currentTarget;
  setBusy(button, true, 'Signing out…');
  try {
    // Leaves the page: Tessera ends its sign-in session and sends the browser back here.
    await signOut();
  } catch (err) {
    render();
    fail(err, 'Signed out here, but Tessera did not confirm the revocation');
    setBusy(button, false);
  }
});

/* ------------------------------------------------------------------- sign in */

/** The panel never sees the password: the button goes to Tessera's own sign-in page (code + PKCE). */
function renderSignIn() {
  topbar.hidden = true;
  clear(main);
  main.className = 'signin-page';
  const submit = h('button', { type: 'button', class: 'btn btn-primary btn-wide' }, 'Sign in');
  submit.addEventListener('click', async () => {
    setBusy(submit, true, 'Opening the sign-in page…');
    try {
      await startSignIn();
    } catch (err) {
      setBusy(submit, false);
      fail(err);
    }
  });

  main.append(h('div', { class: 'signin-card card' },
    h('div', { class: 'signin-brand' }, h('span', { class: 'brand-mark', 'aria-hidden': 'true' }), 'Tessera'),
    h('h1', { id: 'signin-title' }, 'Sign in to the admin panel'),
    h('p', { class: 'muted' }, 'Use an account with the admin scope. You sign in on Tessera\'s own page; '
      + 'reloading keeps you signed in until you sign out or your sign-in session ends.'),
    submit));
  submit.focus();
}

/* --------------------------------------------------------------------- users */

function renderUsers(route, seq) {
  let after = null;
  let query = '';
  let loadSeq = 0;

  const tbody = h('tbody');
  const countEl = h('p', { class: 'muted count', 'aria-live': 'polite' });
  const moreButton = h('button', { type: 'button', class: 'btn', hidden: true }, 'More');

  const search = field({ label: 'Search by username', name: 'q', type: 'search', placeholder: 'e.g. example.com', attrs: { autocapitalize: 'none', spellcheck: 'false' } });
  const searchForm = h('form', { class: 'inline-form', role: 'search', 'aria-label': 'Users' },
    search.wrap, h('button', { type: 'submit', class: 'btn' }, 'Search'));

  async function load(reset) {
    const mySeq = ++loadSeq;
    if (reset) after = null;
    const button = reset ? null : moreButton;
    const page = await act(button, 'Loading…', 'Could not load users',
      () => api('GET', withQuery('/admin/api/users', { limit: 50, after, q: query })));
    if (!page || seq !== renderSeq || mySeq !== loadSeq) return;
    if (reset) tbody.replaceChildren();
    for (const user of page.items ?? []) tbody.append(userRow(user));
    after = page.next_after ?? null;
    moreButton.hidden = !after;
    const shown = tbody.rows.length;
    countEl.textContent = shown === 0
      ? (query ? `No users match “${query}”.` : 'No users yet.')
      : `${plural(shown, 'user')} shown${after ? ' — more available' : ''}${query ? ` for “${query}”` : ''}.`;
  }

  let debounce = null;
  search.input.addEventListener('input', () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => { query = search.input.value.trim(); load(true); }, 300);
  });
  searchForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    clearTimeout(debounce);
    query = search.input.value.trim();
    load(true);
  });
  moreButton.addEventListener('click', () => load(false));

  const list = h('section', { class: 'card', 'aria-labelledby': 'users-list-title' },
    h('h2', { id: 'users-list-title' }, 'All users'),
    searchForm,
    table({
      caption: 'Users', captionHidden: true,
      columns: [{ label: 'Username' }, { label: 'Scopes' }, { label: 'Status' }, { label: 'Created' }, { label: 'Actions', class: 'actions' }],
      body: tbody,
    }),
    h('div', { class: 'list-footer' }, countEl, moreButton));

  main.append(
    h('div', { class: 'page-head' },
      h('h1', null, 'Users'),
      h('p', { class: 'muted' }, 'People who sign in to apps through Tessera. Open a user to manage their sessions.')),
    h('div', { class: 'layout-split' }, list, createUserCard(() => { query = ''; search.input.value = ''; load(true); })));
  load(true);
}

function statusBadge(disabled) {
  return disabled
    ? h('span', { class: 'badge badge-danger' }, 'Disabled')
    : h('span', { class: 'badge badge-ok' }, 'Active');
}

function userRow(user) {
  const href = `#/users/${encodeURIComponent(user.id)}`;
  return h('tr', null,
    h('th', { scope: 'row' }, h('a', { href }, user.username)),
    h('td', null, scopeList(user.scopes)),
    h('td', null, statusBadge(user.disabled)),
    h('td', null, time(user.created_at)),
    h('td', { class: 'actions' }, h('a', { href, class: 'btn btn-small', 'aria-label': `Manage ${user.username}` }, 'Manage')));
}

function createUserCard(onCreated) {
  const username = field({ label: 'Username', name: 'new-username', required: true, autocomplete: 'off', hint: 'Often an email address. Compared case-insensitively.', attrs: { autocapitalize: 'none', spellcheck: 'false' } });
  const password = field({ label: 'Password', name: 'new-password', type: 'password', required: true, autocomplete: 'new-password' });
  const scopes = field({ label: 'Scopes', name: 'new-scopes', placeholder: 'read write', hint: 'Space-separated.', attrs: { autocapitalize: 'none', spellcheck: 'false' } });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create user');
  const form = h('form', { class: 'stack', 'aria-labelledby': 'create-user-title' },
    username.wrap, password.wrap, scopes.wrap, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {
      username: username.input.value.trim(),
      password: password.input.value,
      scopes: parseScopes(scopes.input.value),
    };
    if (!body.username || !body.password) {
      fail({ title: 'Missing details', detail: 'A new user needs a username and a password.' });
      return;
    }
    const user = await act(submit, 'Creating…', 'Could not create the user', () => api('POST', '/admin/api/users', body));
    if (!user) return;
    form.reset();
    say(`Created user ${user.username ?? body.username}.`);
    onCreated(user);
  });
  return h('section', { class: 'card', 'aria-labelledby': 'create-user-title' },
    h('h2', { id: 'create-user-title' }, 'Create user'), form);
}

/* ---------------------------------------------------------------- one user */

function renderUser(route, seq) {
  const back = h('p', { class: 'crumbs' }, h('a', { href: '#/users' }, '← All users'));
  const heading = h('h1', null, 'User');
  const head = h('div', { class: 'page-head' }, back, heading);
  const body = h('div', { class: 'user-body' }, h('p', { class: 'muted' }, 'Loading…'));
  main.append(head, body);

  let user = null;

  async function loadUser() {
    const u = await act(null, null, 'Could not load the user', () => api('GET', `/admin/api/users/${encodeURIComponent(route.id)}`));
    if (seq !== renderSeq) return;
    if (!u) {
      body.replaceChildren(h('p', null, 'This user could not be loaded. ', h('a', { href: '#/users' }, 'Back to users')));
      return;
    }
    user = u;
    draw();
  }

  function draw() {
    heading.replaceChildren(user.username, ' ', statusBadge(user.disabled));
    body.replaceChildren(
      h('dl', { class: 'facts card' },
        h('div', null, h('dt', null, 'Username'), h('dd', null, user.username)),
        h('div', null, h('dt', null, 'Scopes'), h('dd', null, scopeList(user.scopes))),
        h('div', null, h('dt', null, 'Status'), h('dd', null, user.disabled ? 'Disabled' : 'Active')),
        h('div', null, h('dt', null, 'Created'), h('dd', null, time(user.created_at))),
        h('div', null, h('dt', null, 'ID'), h('dd', null, h('code', null, user.id)))),
      sessionsCard(user, seq),
      h('div', { class: 'grid-3' }, passwordCard(), scopesCard(), accessCard()));
  }

  async function patch(button, busy, context, changes, focusId) {
    const updated = await act(button, busy, context,
      () => api('PATCH', `/admin/api/users/${encodeURIComponent(user.id)}`, changes));
    if (updated && seq === renderSeq) {
      const propagation = updated.propagation;
      user = { ...user, ...updated };
      delete user.propagation;
      draw();
      const target = focusId && document.getElementById(focusId);
      if (target) { target.setAttribute('tabindex', '-1'); target.focus(); }
      return { ok: true, propagation };
    }
    return { ok: false };
  }

  function passwordCard() {
    const password = field({ label: 'New password', name: 'reset-password', type: 'password', required: true, autocomplete: 'new-password' });
    const submit = h('button', { type: 'submit', class: 'btn' }, 'Set password');
    // A read-only username next to the new password, so password managers know whose it is.
    const who = h('input', { type: 'text', name: 'username', autocomplete: 'username', value: user.username, readonly: true, tabindex: '-1', 'aria-hidden': 'true', class: 'visually-hidden' });
    const form = h('form', { class: 'stack' }, who, password.wrap, submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!password.input.value) {
        fail({ title: 'Missing password', detail: 'Type the new password first.' });
        password.input.focus();
        return;
      }
      const r = await patch(submit, 'Saving…', 'Could not reset the password', { password: password.input.value }, 'reset-title');
      if (r.ok) say(`Password for ${user.username} was reset.`);
    });
    return h('section', { class: 'card', 'aria-labelledby': 'reset-title' },
      h('h2', { id: 'reset-title' }, 'Reset password'),
      h('p', { class: 'muted' }, 'Existing sessions keep working. Revoke them below if the password leaked.'),
      form);
  }

  function scopesCard() {
    const scopes = field({ label: 'Scopes', name: 'edit-scopes', value: (user.scopes ?? []).join(' '), hint: 'Space-separated, e.g. read write', attrs: { autocapitalize: 'none', spellcheck: 'false' } });
    const submit = h('button', { type: 'submit', class: 'btn' }, 'Save scopes');
    const form = h('form', { class: 'stack' }, scopes.wrap, submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const r = await patch(submit, 'Saving…', 'Could not save the scopes', { scopes: parseScopes(scopes.input.value) }, 'scopes-title');
      if (r.ok) say(`Scopes for ${user.username} saved. New tokens get them; existing tokens keep theirs.`);
    });
    return h('section', { class: 'card', 'aria-labelledby': 'scopes-title' },
      h('h2', { id: 'scopes-title' }, 'Edit scopes'), form);
  }

  function accessCard() {
    const disabling = !user.disabled;
    const button = h('button', { type: 'button', class: disabling ? 'btn btn-danger' : 'btn btn-primary' },
      disabling ? 'Disable user' : 'Enable user');
    button.addEventListener('click', async () => {
      if (disabling) {
        const ok = window.confirm(`Disable ${user.username}?\n\nThis revokes every token and session of this user on all nodes, and blocks new sign-ins until the user is enabled again.`);
        if (!ok) return;
      } else if (!window.confirm(`Enable ${user.username}? The user will be able to sign in again.`)) {
        return;
      }
      const r = await patch(button, disabling ? 'Disabling…' : 'Enabling…',
        disabling ? 'Could not disable the user' : 'Could not enable the user', { disabled: disabling }, 'access-title');
      if (r.ok) {
        const p = propagationText(r.propagation);
        say(disabling
          ? `${user.username} is disabled; all sessions ${p || 'revoked'}.`
          : `${user.username} is enabled again.`);
      }
    });
    return h('section', { class: 'card', 'aria-labelledby': 'access-title' },
      h('h2', { id: 'access-title' }, 'Access'),
      h('p', { class: 'muted' }, disabling
        ? 'Disabling blocks sign-in and revokes every session of this user at once.'
        : 'This user is disabled and cannot sign in.'),
      button);
  }

  loadUser();
}

function sessionsCard(user, seq) {
  const tbody = h('tbody');
  const summary = h('p', { class: 'muted count' }, 'Loading sessions…');
  const refreshButton = h('button', { type: 'button', class: 'btn btn-small' }, 'Refresh');
  const revokeAllButton = h('button', { type: 'button', class: 'btn btn-danger btn-small' }, 'Revoke all');
  const base = `/admin/api/users/${encodeURIComponent(user.id)}`;

  async function load(button) {
    const page = await act(button, 'Loading…', 'Could not load sessions', () => api('GET', `${base}/sessions`));
    if (!page || seq !== renderSeq) return;
    const items = page.items ?? [];
    tbody.replaceChildren(...items.map(sessionRow));
    if (items.length === 0) {
      tbody.append(h('tr', null, h('td', { colspan: 7, class: 'empty' }, 'No live sessions.')));
    }
    summary.textContent = `${plural(items.length, 'live session')}.`;
    revokeAllButton.disabled = items.length === 0;
  }

  function sessionRow(s) {
    const device = s.device || 'Unknown device';
    const revoke = h('button', { type: 'button', class: 'btn btn-danger btn-small', 'aria-label': `Revoke session ${device}` }, 'Revoke');
    revoke.addEventListener('click', async () => {
      const result = await act(revoke, 'Revoking…', `Could not revoke “${device}”`,
        () => api('DELETE', `/admin/api/sessions/${encodeURIComponent(s.id)}`));
      if (result === undefined) return;
      const p = propagationText(result?.propagation);
      say(`Session “${device}” ${p || 'revoked'}.`);
      await load();
      const title = document.getElementById('sessions-title');
      if (title) { title.setAttribute('tabindex', '-1'); title.focus(); }
    });
    return h('tr', { dataset: { sessionId: s.id } },
      h('th', { scope: 'row' }, device),
      h('td', null, s.client_id ?? '—'),
      h('td', null, scopeList(s.scopes)),
      h('td', null, time(s.created_at)),
      h('td', null, time(s.last_used_at)),
      h('td', null, time(s.expires_at)),
      h('td', { class: 'actions' }, revoke));
  }

  refreshButton.addEventListener('click', () => load(refreshButton));
  revokeAllButton.addEventListener('click', async () => {
    if (!window.confirm(`Revoke every session of ${user.username}?\n\nAll of this user's apps and devices are signed out at once.`)) return;
    const result = await act(revokeAllButton, 'Revoking…', 'Could not revoke the sessions',
      () => api('POST', `${base}/revoke-all`));
    if (result === undefined) return;
    const n = Number(result?.revoked ?? 0);
    const p = propagationText(result?.propagation);
    say(`${plural(n, 'session')} ${p || 'revoked'}.`);
    await load();
  });

  load();
  return h('section', { class: 'card', 'aria-labelledby': 'sessions-title' },
    h('div', { class: 'card-head' },
      h('h2', { id: 'sessions-title' }, 'Sessions'),
      h('div', { class: 'toolbar' }, refreshButton, revokeAllButton)),
    summary,
    table({
      caption: `Live sessions of ${user.username}`, captionHidden: true,
      columns: [{ label: 'Device' }, { label: 'Client' }, { label: 'Scopes' }, { label: 'Created' }, { label: 'Last used' }, { label: 'Expires' }, { label: 'Actions', class: 'actions' }],
      body: tbody,
      className: 'sessions',
    }));
}

/* ------------------------------------------------------------------- clients */

const GRANT_TYPES = [
  { value: 'authorization_code', label: 'authorization_code', hint: 'Users sign in on Tessera\'s page (PKCE); needs redirect URIs.' },
  { value: 'password', label: 'password', hint: 'The app collects the password itself: only for old apps and scripts.' },
  { value: 'refresh_token', label: 'refresh_token', hint: 'Long sessions with rotating refresh tokens.' },
  { value: 'client_credentials', label: 'client_credentials', hint: 'Machine-to-machine; needs a confidential client.' },
];

function renderClients(route, seq) {
  const tbody = h('tbody');
  const summary = h('p', { class: 'muted count' }, 'Loading…');
  const secretSlot = h('div');

  async function load() {
    const page = await act(null, null, 'Could not load clients', () => api('GET', '/admin/api/clients'));
    if (!page || seq !== renderSeq) return;
    const items = page.items ?? [];
    tbody.replaceChildren(...items.map(clientRow));
    if (items.length === 0) tbody.append(h('tr', null, h('td', { colspan: 9, class: 'empty' }, 'No clients yet.')));
    summary.textContent = `${plural(items.length, 'client')}.`;
  }

  function clientRow(c) {
    const del = h('button', { type: 'button', class: 'btn btn-danger btn-small', 'aria-label': `Delete client ${c.client_id}` }, 'Delete');
    del.addEventListener('click', async () => {
      const extra = c.client_id === 'tessera-admin' ? '\n\nThis is the client this admin panel uses: you will be signed out.' : '';
      if (!window.confirm(`Delete client ${c.client_id}?\n\nEvery token issued to it is revoked and apps using it stop working.${extra}`)) return;
      const r = await act(del, 'Deleting…', `Could not delete ${c.client_id}`,
        () => api('DELETE', `/admin/api/clients/${encodeURIComponent(c.client_id)}`));
      if (r === undefined) return;
      say(`Client ${c.client_id} deleted${r?.propagation ? `; tokens ${propagationText(r.propagation)}` : ''}.`);
      await load();
    });
    return h('tr', { dataset: { clientId: c.client_id } },
      h('th', { scope: 'row' }, h('code', null, c.client_id)),
      h('td', null, c.name || h('span', { class: 'muted' }, '—')),
      h('td', null, c.confidential ? h('span', { class: 'badge' }, 'Confidential') : h('span', { class: 'badge badge-quiet' }, 'Public')),
      h('td', null, scopeList(c.grant_types)),
      h('td', null, scopeList(c.scopes)),
      h('td', null, (c.redirect_uris ?? []).length ? scopeList(c.redirect_uris) : h('span', { class: 'muted' }, '—')),
      h('td', null, c.introspect ? 'Yes' : 'No'),
      h('td', null, time(c.created_at)),
      h('td', { class: 'actions' }, del));
  }

  function showSecret(client) {
    const titleId = uid('secret-title');
    const secretText = String(client.client_secret);
    const copy = h('button', { type: 'button', class: 'btn btn-primary btn-small' }, 'Copy');
    const done = h('button', { type: 'button', class: 'btn btn-small' }, 'I have stored it');
    copy.addEventListener('click', async () => {
      try {
        await navigator.clipboard.writeText(secretText);
        say('Client secret copied to the clipboard.');
      } catch {
        fail({ title: 'Could not copy', detail: 'Select the secret and copy it by hand.' });
        const range = document.createRange();
        range.selectNodeContents(code);
        const sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
      }
    });
    done.addEventListener('click', () => {
      secretSlot.replaceChildren();
      focusHeading();
    });
    const code = h('code', { class: 'secret-value', 'data-testid': 'client-secret' }, secretText);
    const box = h('section', { class: 'card secret', 'aria-labelledby': titleId },
      h('h2', { id: titleId, tabindex: '-1' }, `Client secret for ${client.client_id}`),
      h('p', { class: 'warning' }, h('strong', null, 'Copy it now. '), 'This secret will not be shown again — Tessera stores only a hash of it.'),
      h('div', { class: 'secret-row' }, code, copy),
      h('div', null, done));
    secretSlot.replaceChildren(box);
    box.querySelector('h2').focus();
  }

  main.append(
    h('div', { class: 'page-head' },
      h('h1', null, 'Clients'),
      h('p', { class: 'muted' }, 'Apps and services that get tokens from Tessera.')),
    secretSlot,
    h('div', null,
      h('section', { class: 'card', 'aria-labelledby': 'clients-list-title' },
        h('h2', { id: 'clients-list-title' }, 'All clients'),
        table({
          caption: 'Clients', captionHidden: true,
          columns: [{ label: 'Client ID' }, { label: 'Name' }, { label: 'Type' }, { label: 'Grant types' }, { label: 'Scopes' }, { label: 'Redirect URIs' }, { label: 'Introspect' }, { label: 'Created' }, { label: 'Actions', class: 'actions' }],
          body: tbody,
        }),
        h('div', { class: 'list-footer' }, summary)),
      createClientCard(async (client) => {
        if (client.client_secret) showSecret(client);
        await load();
      })));
  load();
}

function createClientCard(onCreated) {
  const clientId = field({ label: 'Client ID', name: 'client-id', required: true, autocomplete: 'off', hint: 'Letters, digits, dots, dashes.', attrs: { autocapitalize: 'none', spellcheck: 'false' } });
  const name = field({ label: 'Name', name: 'client-name', autocomplete: 'off' });
  const confidential = checkbox({ label: 'Confidential', name: 'confidential', hint: 'Has a secret (servers). Leave off for mobile and browser apps.' });
  const grants = GRANT_TYPES.map((g) => checkbox({ label: g.label, name: 'grant_types', value: g.value, checked: g.value === 'authorization_code' || g.value === 'refresh_token' }));
  const redirects = field({ label: 'Redirect URIs', name: 'client-redirect-uris', placeholder: 'https://app.example.com/callback', hint: 'Space-separated, compared exactly: https, http on 127.0.0.1 (any port), or com.example.app:/callback.', attrs: { autocapitalize: 'none', spellcheck: 'false' } });
  const scopes = field({ label: 'Scopes', name: 'client-scopes', placeholder: 'read write', hint: 'Space-separated: the most this client may ask for.', attrs: { autocapitalize: 'none', spellcheck: 'false' } });
  const introspect = checkbox({ label: 'May introspect tokens', name: 'introspect', hint: 'For resource servers that call /oauth2/introspect.' });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary' }, 'Create client');
  const form = h('form', { class: 'form-grid' },
    h('div', { class: 'stack' }, clientId.wrap, name.wrap),
    h('div', { class: 'stack' }, scopes.wrap, redirects.wrap, confidential.wrap, introspect.wrap),
    h('fieldset', null, h('legend', null, 'Grant types'), grants.map((g) => g.wrap)),
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {
      client_id: clientId.input.value.trim(),
      name: name.input.value.trim() || clientId.input.value.trim(),
      confidential: confidential.input.checked,
      grant_types: grants.filter((g) => g.input.checked).map((g) => g.input.value),
      scopes: parseScopes(scopes.input.value),
      introspect: introspect.input.checked,
      redirect_uris: redirects.input.value.split(/\s+/).filter(Boolean),
    };
    if (!body.client_id) {
      fail({ title: 'Missing client ID', detail: 'Give the client an ID.' });
      clientId.input.focus();
      return;
    }
    if (body.grant_types.length === 0) {
      fail({ title: 'No grant type', detail: 'Pick at least one grant type.' });
      return;
    }
    const client = await act(submit, 'Creating…', 'Could not create the client', () => api('POST', '/admin/api/clients', body));
    if (!client) return;
    form.reset();
    say(`Created client ${client.client_id ?? body.client_id}.`);
    await onCreated(client);
  });
  return h('section', { class: 'card', 'aria-labelledby': 'create-client-title' },
    h('h2', { id: 'create-client-title' }, 'Create client'), form);
}

/* --------------------------------------------------------------------- audit */

function renderAudit(route, seq) {
  const tbody = h('tbody');
  const summary = h('p', { class: 'muted count' }, 'Loading…');
  const username = field({ label: 'Username (exact)', name: 'audit-username', value: route.username ?? '', attrs: { autocapitalize: 'none', spellcheck: 'false' } });
  const filterButton = h('button', { type: 'submit', class: 'btn' }, 'Filter');
  const clearButton = h('button', { type: 'button', class: 'btn btn-quiet' }, 'Show all');
  const form = h('form', { class: 'inline-form', 'aria-label': 'Filter audit events' }, username.wrap, filterButton, clearButton);

  async function load(button) {
    const name = username.input.value.trim();
    const page = await act(button, 'Loading…', 'Could not load the audit log',
      () => api('GET', withQuery('/admin/api/audit', { limit: 100, username: name })));
    if (!page || seq !== renderSeq) return;
    const items = page.items ?? [];
    tbody.replaceChildren(...items.map(auditRow));
    if (items.length === 0) tbody.append(h('tr', null, h('td', { colspan: 6, class: 'empty' }, 'No events.')));
    summary.textContent = `${plural(items.length, 'event')}${name ? ` for ${name}` : ''} (most recent first, up to 100).`;
  }

  form.addEventListener('submit', (ev) => { ev.preventDefault(); load(filterButton); });
  clearButton.addEventListener('click', () => { username.input.value = ''; load(clearButton); });

  main.append(
    h('div', { class: 'page-head' },
      h('h1', null, 'Audit log'),
      h('p', { class: 'muted' }, 'Recent security events: sign-ins, token issue and revocation, admin changes.')),
    h('section', { class: 'card', 'aria-labelledby': 'audit-list-title' },
      h('h2', { id: 'audit-list-title' }, 'Events'),
      form,
      table({
        caption: 'Audit events', captionHidden: true,
        columns: [{ label: 'Time' }, { label: 'Event' }, { label: 'Username' }, { label: 'Client' }, { label: 'IP' }, { label: 'Detail' }],
        body: tbody,
        className: 'audit',
      }),
      h('div', { class: 'list-footer' }, summary)));
  load();
}

function eventClass(event) {
  const e = String(event ?? '').toLowerCase();
  if (/(fail|denied|reuse|invalid|locked)/.test(e)) return 'badge badge-danger';
  if (/(revoke|disable|delete)/.test(e)) return 'badge badge-warn';
  return 'badge badge-quiet';
}

function detailText(detail) {
  if (detail === null || detail === undefined) return '';
  if (typeof detail !== 'object') return String(detail);
  return Object.entries(detail)
    .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join('  ');
}

function auditRow(e) {
  return h('tr', null,
    h('td', { class: 'nowrap' }, time(e.at)),
    h('td', null, h('span', { class: eventClass(e.event) }, e.event ?? '—')),
    h('td', null, e.username ?? h('span', { class: 'muted' }, '—')),
    h('td', null, e.client_id ?? h('span', { class: 'muted' }, '—')),
    h('td', { class: 'nowrap' }, e.ip ?? h('span', { class: 'muted' }, '—')),
    h('td', { class: 'detail' }, detailText(e.detail)));
}

/* ---------------------------------------------------------------------- boot */

// The skip link must not touch location.hash: that is the router's.
document.querySelector('.skip-link').addEventListener('click', (ev) => {
  ev.preventDefault();
  focusHeading();
  if (!main.contains(document.activeElement)) main.focus();
});

statusEl.hidden = true;
alertEl.hidden = true;

async function boot() {
  main.setAttribute('aria-busy', 'true');
  let outcome;
  try {
    outcome = await resumeSession();
  } catch (err) {
    render();
    fail(err, 'Could not sign in');
    return;
  } finally {
    main.removeAttribute('aria-busy');
  }
  if (outcome.redirecting) return;
  if (outcome.signedIn && (!location.hash || location.hash === '#' || location.hash === '#/')) {
    history.replaceState(null, '', '#/users');
  }
  render();
  if (outcome.signedIn) focusHeading();
  if (outcome.signedOut) say('You are signed out.');
  if (outcome.message) fail({ title: 'Not signed in', detail: outcome.message });
}

boot();
