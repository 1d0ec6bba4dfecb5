// End-to-end test of the Tessera admin panel against a RUNNING Tessera.
//
//   TESSERA_URL=http://127.0.0.1:8080 TESSERA_ADMIN_PASSWORD=… node --test e2e/admin-panel.test.mjs
//
// The "lost phone" story: an admin opens the panel, creates a user, the user
// signs in on two devices, the admin revokes the Pixel session in the panel,
// and a resource server's introspection proves the Pixel token is dead while
// the iPhone token still works. Screenshots of each screen go to
// docs/screenshots/ (or $SCREENSHOT_DIR).
//
// Uses Debian's Chromium (/usr/bin/chromium or $CHROMIUM_PATH); never
// downloads a browser.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const BASE = (process.env.TESSERA_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, '');
const ADMIN_USERNAME = process.env.TESSERA_ADMIN_USERNAME || 'admin';
const ADMIN_PASSWORD = process.env.TESSERA_ADMIN_PASSWORD ?? '';
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const SHOTS = path.resolve(process.env.SCREENSHOT_DIR || path.join(here, '..', 'docs', 'screenshots'));

const rand = randomBytes(4).toString('hex');
const USERNAME = `lost-phone-${rand}@example.com`;
const USER_PASSWORD = `Pw-${randomBytes(9).toString('base64url')}`;
const MOBILE = `mobile-app-${rand}`;
const RESOURCE = `resource-server-${rand}`;
const REPORTING = `reporting-${rand}`;

/* ----------------------------------------------------------- HTTP helpers */

async function postForm(pathname, params, headers = {}) {
  const res = await fetch(`${BASE}${pathname}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json', ...headers },
    body: new URLSearchParams(params),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, headers: res.headers, json, text };
}

/** RFC 6749 §2.3.1: form-urlencode id and secret, then Basic. */
function basic(id, secret) {
  const enc = (s) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${enc(id)}:${enc(secret)}`).toString('base64')}`;
}

let adminToken = null;
async function adminApi(method, pathname, body) {
  const res = await fetch(`${BASE}${pathname}`, {
    method,
    headers: {
      Authorization: `Bearer ${adminToken}`,
      Accept: 'application/json',
      ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  return { status: res.status, json, text };
}

async function introspect(token) {
  const r = await postForm('/oauth2/introspect', { token }, { Authorization: basic(RESOURCE, resourceSecret) });
  assert.equal(r.status, 200, `introspect should answer 200, got ${r.status}: ${r.text}`);
  return r.json;
}

/* ----------------------------------------------------------- shared state */

let browser;
let context;
let page;
let resourceSecret;
const panelTokens = new Set(); // every token the panel received from /oauth2/token
const panelRefreshTokens = []; // in order received
const panelAccessTokens = []; // in order received
const requestedUrls = [];
const dialogs = [];
const pageErrors = [];
const devices = {}; // device label -> token response

async function shot(name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

before(async () => {
  assert.ok(ADMIN_PASSWORD, 'Set TESSERA_ADMIN_PASSWORD to the admin password of the Tessera at TESSERA_URL');
  await mkdir(SHOTS, { recursive: true });

  // The test's own admin token, for setup through the admin API (a script: tessera-cli).
  const r = await postForm('/oauth2/token', {
    grant_type: 'password', client_id: 'tessera-cli', username: ADMIN_USERNAME, password: ADMIN_PASSWORD,
    scope: 'admin', device_name: 'e2e test',
  });
  assert.equal(r.status, 200, `admin sign-in via /oauth2/token failed (${r.status}): ${r.text}`);
  adminToken = r.json.access_token;

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  context = await browser.newContext({ viewport: { width: 1280, height: 860 }, locale: 'en-GB', timezoneId: 'Europe/Berlin' });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(BASE).origin });
  await context.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
  page.on('dialog', async (d) => { dialogs.push(d.message()); await d.accept(); });
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  page.on('request', (req) => requestedUrls.push(req.url()));
  page.on('response', async (res) => {
    if (new URL(res.url()).pathname === '/oauth2/token' && res.status() === 200) {
      try {
        const body = await res.json();
        if (body.access_token) { panelTokens.add(body.access_token); panelAccessTokens.push(body.access_token); }
        if (body.refresh_token) { panelTokens.add(body.refresh_token); panelRefreshTokens.push(body.refresh_token); }
      } catch { /* ignore */ }
    }
  });
});

after(async () => {
  // Best-effort clean-up of the clients this run made (deleting revokes their tokens).
  if (adminToken) {
    for (const id of [MOBILE, RESOURCE, REPORTING]) {
      await adminApi('DELETE', `/admin/api/clients/${encodeURIComponent(id)}`).catch(() => {});
    }
  }
  await browser?.close();
});

/* ----------------------------------------------------------- the story */

test('admin panel: revoke a lost phone', { timeout: 180_000 }, async (t) => {
  await t.test('panel is served with a Content-Security-Policy', async () => {
    const res = await fetch(`${BASE}/admin/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    const csp = res.headers.get('content-security-policy');
    assert.ok(csp, 'GET /admin/ must send Content-Security-Policy');
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    for (const asset of ['app.js', 'api.js', 'dom.js', 'app.css']) {
      const a = await fetch(`${BASE}/admin/${asset}`);
      assert.equal(a.status, 200, `/admin/${asset}`);
    }
  });

  await t.test('sign in on Tessera\'s page: code + PKCE back to /admin/', async () => {
    const response = await page.goto(`${BASE}/admin/`);
    assert.ok(response.headers()['content-security-policy'], 'panel page has a CSP header');
    // A silent attempt (prompt=none) comes back with login_required: the panel offers to sign in.
    await page.getByRole('heading', { name: 'Sign in to the admin panel' }).waitFor();
    assert.ok(requestedUrls.some((u) => u.includes('/oauth2/authorize?') && u.includes('prompt=none')), 'a silent sign-in was tried');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in', exact: true }).waitFor();
    assert.match(page.url(), /\/oauth2\/authorize\?.*code_challenge_method=S256/);
    const hosted = await fetch(page.url());
    assert.match(hosted.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/);
    assert.equal(hosted.headers.get('x-frame-options'), 'DENY');
    await page.getByText('to continue to Tessera admin panel').waitFor();
    await page.getByLabel('Username').fill(ADMIN_USERNAME);
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await shot('01-sign-in');
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Incorrect username or password.' }).waitFor();
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.locator('#whoami-name').filter({ hasText: ADMIN_USERNAME }).waitFor();

    const back = requestedUrls.map((u) => new URL(u)).find((u) => u.pathname === '/admin/' && u.searchParams.has('code'));
    assert.ok(back, 'the browser came back to /admin/ with a code');
    assert.ok(back.searchParams.get('state'), 'with the state');
    assert.equal(back.searchParams.get('iss'), BASE, 'with iss (RFC 9207)');
    assert.ok(!page.url().includes('code='), 'the code is gone from the address bar');
    assert.ok(panelAccessTokens.length >= 1, 'the panel exchanged the code at /oauth2/token');
  });

  await t.test('create the user through the panel', async () => {
    const form = page.getByRole('region', { name: 'Create user' });
    await form.getByLabel('Username').fill(USERNAME);
    await form.getByLabel('Password').fill(USER_PASSWORD);
    await form.getByLabel('Scopes').fill('read write');
    await form.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('status').filter({ hasText: `Created user ${USERNAME}` }).waitFor();
    await page.getByRole('table', { name: 'Users' }).locator('tbody tr').first().waitFor();
    await shot('02-users');
    await page.getByRole('searchbox', { name: 'Search by username' }).fill(USERNAME);
    await page.getByRole('search').getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: USERNAME, exact: true }).waitFor();
  });

  await t.test('set up clients through the admin API', async () => {
    let r = await adminApi('POST', '/admin/api/clients', {
      client_id: MOBILE, name: 'Mobile app (e2e)', confidential: false,
      grant_types: ['password', 'refresh_token'], scopes: ['read', 'write'], introspect: false,
    });
    assert.equal(r.status, 201, `create ${MOBILE}: ${r.text}`);
    r = await adminApi('POST', '/admin/api/clients', {
      client_id: RESOURCE, name: 'Resource server (e2e)', confidential: true,
      grant_types: ['client_credentials'], scopes: ['read'], introspect: true,
    });
    assert.equal(r.status, 201, `create ${RESOURCE}: ${r.text}`);
    assert.equal(typeof r.json.client_secret, 'string', 'a confidential client gets a client_secret');
    resourceSecret = r.json.client_secret;
  });

  await t.test('the user signs in on two phones', async () => {
    for (const device of ['Pixel 8', 'iPhone 15']) {
      const r = await postForm('/oauth2/token', {
        grant_type: 'password', client_id: MOBILE, username: USERNAME, password: USER_PASSWORD,
        scope: 'read write', device_name: device,
      });
      assert.equal(r.status, 200, `${device} sign-in: ${r.text}`);
      assert.equal(r.json.token_type, 'Bearer');
      assert.ok(r.json.refresh_token, 'password grant with refresh_token client returns a refresh_token');
      devices[device] = r.json;
      assert.equal((await introspect(r.json.access_token)).active, true, `${device} token starts active`);
    }
  });

  await t.test('the admin sees both sessions and revokes the Pixel', async () => {
    await page.getByRole('link', { name: USERNAME, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: new RegExp(USERNAME.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }).waitFor();
    const rows = page.locator('table.sessions tbody tr');
    const pixel = rows.filter({ hasText: 'Pixel 8' });
    const iphone = rows.filter({ hasText: 'iPhone 15' });
    await pixel.waitFor();
    await iphone.waitFor();
    assert.match(await pixel.innerText(), new RegExp(MOBILE));
    await shot('03-user-sessions');

    await pixel.getByRole('button', { name: /Revoke/ }).click();
    await page.getByRole('status').filter({ hasText: /Pixel 8.*revoked/ }).waitFor();
    await pixel.waitFor({ state: 'detached' });
    assert.equal(await iphone.count(), 1, 'the iPhone session is still listed');
  });

  await t.test('the panel\'s token from the code exchange is active', async () => {
    const mine = await introspect(panelAccessTokens.at(-1));
    assert.equal(mine.active, true);
    assert.equal(mine.client_id, 'tessera-admin');
    assert.equal(mine.username, ADMIN_USERNAME);
    assert.match(mine.scope, /\badmin\b/);
  });

  await t.test('reloading the panel keeps the admin signed in', async () => {
    const before = panelAccessTokens.length;
    const seen = requestedUrls.length;
    await page.reload();
    // Back on the same screen (the user's page), without being asked for the password.
    await page.getByRole('heading', { level: 1, name: new RegExp(USERNAME.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) }).waitFor();
    await page.locator('#whoami-name').filter({ hasText: ADMIN_USERNAME }).waitFor();
    assert.ok(panelAccessTokens.length > before, 'signed in again silently from Tessera\'s sign-in session');
    const authorizations = requestedUrls.slice(seen).filter((u) => u.includes('/oauth2/authorize?'));
    assert.ok(authorizations.length >= 1, 'the reload signed in again through /oauth2/authorize');
    assert.ok(authorizations.every((u) => u.includes('prompt=none')), 'silently: the sign-in page was not shown');
    assert.equal((await introspect(panelAccessTokens.at(-1))).active, true);
  });

  await t.test('introspection: Pixel is dead, iPhone is alive', async () => {
    assert.deepEqual(await introspect(devices['Pixel 8'].access_token), { active: false });
    assert.deepEqual(await introspect(devices['Pixel 8'].refresh_token), { active: false });
    const alive = await introspect(devices['iPhone 15'].access_token);
    assert.equal(alive.active, true);
    assert.equal(alive.username, USERNAME);
    assert.equal(alive.client_id, MOBILE);
    const refresh = await postForm('/oauth2/token', { grant_type: 'refresh_token', client_id: MOBILE, refresh_token: devices['Pixel 8'].refresh_token });
    assert.equal(refresh.status, 400, `revoked refresh token must not refresh: ${refresh.text}`);
    assert.equal(refresh.json?.error, 'invalid_grant');
  });

  await t.test('tokens never reach storage or URLs', async () => {
    const stored = await page.evaluate(() => {
      const dump = (s) => Array.from({ length: s.length }, (_, i) => `${s.key(i)}=${s.getItem(s.key(i))}`).join('\n');
      return { local: dump(localStorage), session: dump(sessionStorage), cookie: document.cookie, url: location.href, csp: window.__cspViolations };
    });
    assert.ok(panelTokens.size >= 1);
    for (const token of [...panelTokens, adminToken]) {
      for (const where of ['local', 'session', 'cookie', 'url']) {
        assert.ok(!stored[where].includes(token), `a token leaked into ${where}`);
      }
      assert.ok(!page.url().includes(token), 'a token leaked into the page URL');
      assert.ok(!requestedUrls.some((u) => u.includes(token)), 'a token leaked into a request URL');
    }
    assert.doesNotMatch(`${stored.local}\n${stored.session}\n${stored.cookie}`, /tsr_/);
    assert.deepEqual(stored.csp, [], 'no Content-Security-Policy violations');
    assert.deepEqual(pageErrors, [], 'no uncaught errors in the panel');
  });

  await t.test('clients screen: create with one-time secret, copy, delete', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('heading', { level: 1, name: 'Clients' }).waitFor();
    await page.locator(`tr[data-client-id="${RESOURCE}"]`).waitFor();

    const form = page.getByRole('region', { name: 'Create client' });
    await form.getByLabel('Client ID').fill(REPORTING);
    await form.getByLabel('Name').fill('Nightly reporting job');
    await form.getByLabel('Confidential').check();
    await form.getByLabel('authorization_code', { exact: true }).uncheck();
    await form.getByLabel('password', { exact: true }).uncheck();
    await form.getByLabel('refresh_token', { exact: true }).uncheck();
    await form.getByLabel('client_credentials', { exact: true }).check();
    await form.getByLabel('Scopes').fill('read');
    await form.getByRole('button', { name: 'Create client' }).click();

    const secretBox = page.getByRole('region', { name: `Client secret for ${REPORTING}` });
    await secretBox.waitFor();
    assert.match(await secretBox.innerText(), /will not be shown again/);
    const secret = (await secretBox.getByTestId('client-secret').innerText()).trim();
    assert.ok(secret.length >= 16, 'a generated secret is shown');
    await secretBox.getByRole('button', { name: 'Copy' }).click();
    await page.getByRole('status').filter({ hasText: 'copied' }).waitFor();
    const clip = await page.evaluate(() => navigator.clipboard.readText()).catch(() => null);
    if (clip !== null) assert.equal(clip, secret, 'Copy puts the secret on the clipboard');
    await page.locator(`tr[data-client-id="${REPORTING}"]`).waitFor();
    await shot('04-clients-secret');

    // The shown secret really works.
    const cc = await postForm('/oauth2/token', { grant_type: 'client_credentials', scope: 'read' }, { Authorization: basic(REPORTING, secret) });
    assert.equal(cc.status, 200, `client_credentials with the shown secret: ${cc.text}`);

    await secretBox.getByRole('button', { name: 'I have stored it' }).click();
    await secretBox.waitFor({ state: 'detached' });
    const row = page.locator(`tr[data-client-id="${REPORTING}"]`);
    await row.getByRole('button', { name: `Delete client ${REPORTING}` }).click();
    assert.match(dialogs.at(-1), new RegExp(`Delete client ${REPORTING}`));
    await row.waitFor({ state: 'detached' });
  });

  await t.test('audit screen lists the user\'s events', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const rows = page.getByRole('table', { name: 'Audit events' }).locator('tbody tr');
    await rows.first().waitFor();
    await page.getByLabel('Username (exact)').fill(USERNAME);
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.locator('.count').filter({ hasText: `for ${USERNAME}` }).waitFor();
    const texts = await rows.allInnerTexts();
    assert.ok(texts.length >= 1 && !/No events/.test(texts[0]), 'the new user has audit events');
    for (const text of texts) assert.ok(text.includes(USERNAME), `filtered row is about ${USERNAME}: ${text}`);
    await shot('05-audit');
  });

  await t.test('disabling the user (with confirm) kills the iPhone too', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
    await page.getByRole('searchbox', { name: 'Search by username' }).fill(USERNAME);
    await page.getByRole('link', { name: USERNAME, exact: true }).click();
    await page.locator('table.sessions tbody tr', { hasText: 'iPhone 15' }).waitFor();
    const before = dialogs.length;
    await page.getByRole('button', { name: 'Disable user' }).click();
    assert.equal(dialogs.length, before + 1, 'disabling asks for confirmation');
    assert.match(dialogs.at(-1), /revokes every token/);
    await page.getByRole('status').filter({ hasText: /is disabled/ }).waitFor();
    await page.getByRole('button', { name: 'Enable user' }).waitFor();
    await page.locator('table.sessions td.empty').waitFor();
    assert.deepEqual(await introspect(devices['iPhone 15'].access_token), { active: false });
  });

  await t.test('sign out revokes the panel session', async () => {
    const last = panelRefreshTokens.at(-1);
    assert.ok(last, 'the panel received a refresh token');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to the admin panel' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'signed out' }).waitFor();
    // The newest refresh token the panel held must no longer work.
    const r = await postForm('/oauth2/token', { grant_type: 'refresh_token', client_id: 'tessera-admin', refresh_token: last });
    assert.equal(r.status, 400, `panel refresh token still works after sign-out: ${r.text}`);
    assert.equal(r.json?.error, 'invalid_grant');
    // Tessera's own sign-in session ended too: signing in again shows the page.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByLabel('Password').waitFor();
    assert.match(page.url(), /\/oauth2\/authorize\?/);
  });
});
