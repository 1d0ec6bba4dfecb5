// Session and HTTP layer of the admin panel.
//
// The panel signs in like any other app: the authorization code flow with
// PKCE (S256) through Tessera's own sign-in page, as the public client
// tessera-admin, coming back to /admin/. Tokens live only in this module's
// memory: never in localStorage, sessionStorage, cookies or the URL. A reload
// (or a new tab) signs in again silently with prompt=none, riding on the
// browser's sign-in session at Tessera, and the page being left revokes its
// own tokens so reloads do not pile up sessions. Only the pending request's
// state and PKCE verifier sit in sessionStorage, for the one round trip.

export const CLIENT_ID = 'tessera-admin';
const DEVICE_NAME = 'Admin panel';
const PENDING_KEY = 'tessera-admin.pending';
const SILENT_FAILED_KEY = 'tessera-admin.silent-failed';
const SIGNED_OUT_KEY = 'tessera-admin.signed-out';
/** Refresh this many seconds before the access token expires (at most 20% of its life). */
const REFRESH_MARGIN_S = 60;
const RETRY_REFRESH_MS = 15_000;

let session = null; // { accessToken, refreshToken, expiresAt (ms), scope, username }
let refreshTimer = null;
let refreshing = null;
const endListeners = new Set();

export class ApiError extends Error {
  /**
   * @param {string} title   short, human readable
   * @param {string} [detail] longer explanation
   * @param {number} [status] HTTP status (0 = network)
   * @param {string} [code]   RFC 6749 error code or problem type
   */
  constructor(title, detail, status = 0, code) {
    super(detail ? `${title}: ${detail}` : title);
    this.title = title;
    this.detail = detail;
    this.status = status;
    this.code = code;
  }
}

/** Called with a message when the session ends without the person asking (expiry, revocation). */
export function onSessionEnd(fn) {
  endListeners.add(fn);
  return () => endListeners.delete(fn);
}

export function isSignedIn() {
  return session !== null;
}

export function currentUsername() {
  return session?.username ?? null;
}

async function readBody(res) {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return { _text: text };
  }
}

function networkError() {
  return new ApiError('Tessera is not reachable', 'Check the connection and try again.', 0, 'network');
}

/** RFC 6749 §5.2 error body -> ApiError. */
function oauthError(res, body) {
  const code = body?.error;
  const described = body?.error_description;
  const titles = {
    invalid_grant: 'Sign-in failed',
    invalid_client: 'The admin client is not accepted',
    invalid_scope: 'Not allowed',
    unauthorized_client: 'Not allowed',
    invalid_request: 'Invalid request',
    temporarily_unavailable: 'Tessera is busy',
    slow_down: 'Too many attempts',
  };
  const title = titles[code] ?? (res.status >= 500 ? 'Tessera had a problem' : 'Request refused');
  const detail = described ?? (code ? `Error code: ${code}` : `HTTP ${res.status} ${res.statusText}`.trim());
  return new ApiError(title, detail, res.status, code);
}

/** RFC 9457 problem body (or anything else) -> ApiError. */
function problemError(res, body) {
  if (body && (body.title || body.detail)) {
    return new ApiError(body.title || `Request failed (HTTP ${res.status})`, body.detail, res.status, body.type);
  }
  const fallback = {
    400: 'The request was not accepted',
    401: 'Not signed in',
    403: 'Not allowed',
    404: 'Not found',
    409: 'Conflict',
    429: 'Too many requests',
  };
  return new ApiError(fallback[res.status] ?? `Request failed (HTTP ${res.status})`,
    body?._text ? body._text.slice(0, 300) : undefined, res.status);
}

async function postForm(path, params, extraHeaders = {}) {
  try {
    return await fetch(path, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Accept: 'application/json',
        ...extraHeaders,
      },
      body: new URLSearchParams(params),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw networkError();
  }
}

async function tokenRequest(params) {
  const res = await postForm('/oauth2/token', params);
  const body = await readBody(res);
  if (!res.ok) throw oauthError(res, body);
  if (!body || typeof body.access_token !== 'string') {
    throw new ApiError('Unexpected answer from Tessera', 'The token response had no access_token.', res.status);
  }
  return body;
}

function adopt(tokens, username) {
  const expiresIn = Number(tokens.expires_in) > 0 ? Number(tokens.expires_in) : 300;
  session = {
    accessToken: tokens.access_token,
    // Refresh tokens rotate; keep the old one only if no new one was sent.
    refreshToken: tokens.refresh_token ?? session?.refreshToken ?? null,
    expiresAt: Date.now() + expiresIn * 1000,
    scope: tokens.scope ?? '',
    username: username ?? session?.username ?? null,
  };
  scheduleRefresh(expiresIn);
}

function scheduleRefresh(expiresInSeconds) {
  clearTimeout(refreshTimer);
  refreshTimer = null;
  if (!session?.refreshToken) return;
  const margin = Math.min(REFRESH_MARGIN_S, expiresInSeconds * 0.2);
  const delay = Math.max(1_000, (expiresInSeconds - margin) * 1000);
  refreshTimer = setTimeout(backgroundRefresh, delay);
}

async function backgroundRefresh() {
  try {
    await refresh();
  } catch (err) {
    // A network blip: try again soon, while the access token may still be good.
    if (session && err.status === 0) {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(backgroundRefresh, RETRY_REFRESH_MS);
    }
  }
}

// Timers are throttled in background tabs; catch up when the tab is shown again.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && session && Date.now() > session.expiresAt - REFRESH_MARGIN_S * 1000) {
    backgroundRefresh();
  }
});

function endSession(message) {
  clearTimeout(refreshTimer);
  refreshTimer = null;
  const had = session !== null;
  session = null;
  refreshing = null;
  if (had) for (const fn of endListeners) fn(message);
}

/** Exchange the refresh token for a new pair (shared by concurrent callers). */
export function refresh() {
  if (!session?.refreshToken) {
    endSession('Your session has ended. Please sign in again.');
    return Promise.reject(new ApiError('Signed out', 'Please sign in again.', 401));
  }
  if (!refreshing) {
    const used = session.refreshToken;
    refreshing = tokenRequest({ grant_type: 'refresh_token', refresh_token: used, client_id: CLIENT_ID })
      .then((tokens) => {
        if (session && session.refreshToken === used) adopt(tokens);
      })
      .catch((err) => {
        if (err.status !== 0) endSession('Your session has expired or was revoked. Please sign in again.');
        throw err;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/* ------------------------------------------------ authorization code + PKCE */

function base64url(bytes) {
  let text = '';
  for (const b of new Uint8Array(bytes)) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomString() {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** Where Tessera sends the browser back: /admin/ on the issuer, the redirect URI tessera-admin registers. */
let issuerUrl = null;
async function issuer() {
  if (!issuerUrl) {
    let res;
    try {
      res = await fetch('/.well-known/oauth-authorization-server', { cache: 'no-store', credentials: 'omit' });
    } catch {
      throw networkError();
    }
    const body = await readBody(res);
    if (!res.ok || typeof body?.issuer !== 'string') throw new ApiError('Tessera had a problem', 'Its metadata could not be read.', res.status);
    issuerUrl = body.issuer.replace(/\/+$/, '');
  }
  return issuerUrl;
}

async function redirectUri() {
  return `${await issuer()}/admin/`;
}

/**
 * Send the browser to Tessera's sign-in page (RFC 6749 §4.1.1, RFC 7636 S256). With silent=true it asks
 * prompt=none: Tessera answers at once from its sign-in cookie, or with login_required.
 */
export async function startSignIn({ silent = false } = {}) {
  const base = await issuer();
  // The redirect URI is on the issuer's origin; sessionStorage must be there too.
  if (new URL(base).origin !== location.origin) {
    location.replace(`${base}/admin/${location.hash}`);
    return;
  }
  if (!crypto.subtle) {
    throw new ApiError('Cannot sign in here', 'The admin panel needs https (or localhost) to sign in safely.', 0);
  }
  const verifier = randomString();
  const state = randomString();
  const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ state, verifier, hash: location.hash, silent }));
  sessionStorage.removeItem(SIGNED_OUT_KEY);
  const params = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: await redirectUri(),
    scope: 'admin',
    state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    device_name: DEVICE_NAME,
  });
  if (silent) params.set('prompt', 'none');
  location.assign(`/oauth2/authorize?${params}`);
}

/**
 * On page load: finish a sign-in the browser just came back from, or try a silent one.
 * Resolves to { signedIn, message?, redirecting? }.
 */
export async function resumeSession() {
  const query = new URLSearchParams(location.search);
  const pendingText = sessionStorage.getItem(PENDING_KEY);
  if (query.has('state')) {
    sessionStorage.removeItem(PENDING_KEY);
    const pending = pendingText ? JSON.parse(pendingText) : null;
    // The code must not stay in the address bar or the history.
    history.replaceState(null, '', `/admin/${pending?.hash ?? ''}`);
    if (!pending || pending.state !== query.get('state')) {
      return { signedIn: false, message: 'The sign-in answer did not match this tab. Please sign in again.' };
    }
    const iss = query.get('iss');
    if (iss && iss.replace(/\/+$/, '') !== await issuer()) {
      return { signedIn: false, message: 'The sign-in answer came from another server (RFC 9207). Please sign in again.' };
    }
    const error = query.get('error');
    if (error === 'login_required') {
      sessionStorage.setItem(SILENT_FAILED_KEY, '1');
      return { signedIn: false };
    }
    if (error === 'invalid_scope') {
      return { signedIn: false, message: 'This account does not have the admin scope.' };
    }
    if (error) {
      return { signedIn: false, message: query.get('error_description') || `Sign-in failed (${error}).` };
    }
    const tokens = await tokenRequest({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code: query.get('code') ?? '',
      redirect_uri: await redirectUri(),
      code_verifier: pending.verifier,
    });
    adopt(tokens);
    sessionStorage.removeItem(SILENT_FAILED_KEY);
    await whoAmI();
    return { signedIn: true };
  }
  if (sessionStorage.getItem(SIGNED_OUT_KEY)) {
    sessionStorage.removeItem(SIGNED_OUT_KEY);
    return { signedIn: false, signedOut: true };
  }
  if (!sessionStorage.getItem(SILENT_FAILED_KEY)) {
    await startSignIn({ silent: true });
    return { signedIn: false, redirecting: true };
  }
  return { signedIn: false };
}

async function whoAmI() {
  const me = await api('GET', '/admin/api/me');
  if (session) session.username = me?.username ?? null;
}

// Leaving the page (reload, close, navigate away) ends this copy's tokens; the next load signs in
// silently again. keepalive lets the request outlive the page.
window.addEventListener('pagehide', () => {
  if (!session) return;
  const token = session.refreshToken ?? session.accessToken;
  try {
    fetch('/oauth2/revoke', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, client_id: CLIENT_ID }),
      keepalive: true,
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    }).catch(() => {});
  } catch { /* the page is going away either way */ }
});

/**
 * Revoke the refresh token (and so the session) at Tessera, forget everything, then end the browser's
 * sign-in session at Tessera so the next visit asks for the password again.
 */
export async function signOut() {
  const current = session;
  clearTimeout(refreshTimer);
  refreshTimer = null;
  session = null;
  refreshing = null;
  sessionStorage.setItem(SIGNED_OUT_KEY, '1');
  sessionStorage.setItem(SILENT_FAILED_KEY, '1');
  let failure = null;
  if (current) {
    const token = current.refreshToken ?? current.accessToken;
    const res = await postForm('/oauth2/revoke', { token, client_id: CLIENT_ID });
    if (!res.ok) failure = oauthError(res, await readBody(res));
  }
  const back = new URLSearchParams({ client_id: CLIENT_ID, post_logout_redirect_uri: await redirectUri() });
  location.assign(`/oauth2/logout?${back}`);
  if (failure) throw failure;
}

/**
 * Call the admin API. Returns parsed JSON (or null for 204). Throws ApiError.
 * A 401 triggers one refresh and one retry.
 */
export async function api(method, path, body, { retried = false } = {}) {
  if (!session) throw new ApiError('Not signed in', 'Please sign in again.', 401);
  if (refreshing) {
    try { await refreshing; } catch { /* handled below */ }
    if (!session) throw new ApiError('Not signed in', 'Please sign in again.', 401);
  }
  const headers = { Accept: 'application/json, application/problem+json', Authorization: `Bearer ${session.accessToken}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
  } catch {
    throw networkError();
  }
  if (res.status === 401) {
    if (!retried && session?.refreshToken) {
      await refresh();
      return api(method, path, body, { retried: true });
    }
    const problem = problemError(res, await readBody(res));
    endSession(problem.detail || 'Your session is no longer valid. Please sign in again.');
    throw problem;
  }
  if (res.status === 204) return null;
  const data = await readBody(res);
  if (!res.ok) throw problemError(res, data);
  return data;
}

/** Build "/path?x=1&y=2", leaving out empty values. */
export function withQuery(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}
