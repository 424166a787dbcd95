// Who is signed in. The access token lives in this module's memory only:
// never in localStorage, sessionStorage, a cookie or the URL, so a script
// injected into the page later cannot read it from storage, and a reload
// signs the visitor out.
import { api } from './api.js';

let accessToken = null;
let refreshToken = null;
let user = null;
const listeners = new Set();

export function currentUser() { return user; }
export function token() { return accessToken; }
export function isAdmin() { return Boolean(user?.roles?.includes('admin')); }

export function onSessionChange(listener) { listeners.add(listener); }
function changed() { for (const listener of listeners) listener(user); }

export async function logIn(email, password) {
  const tokens = await api('POST', '/api/v1/auth/login', { body: { email, password } });
  accessToken = tokens.access_token;
  refreshToken = tokens.refresh_token;
  user = await api('GET', '/api/v1/auth/me', { token: accessToken });
  changed();
  return user;
}

export async function signUp(name, email, password) {
  await api('POST', '/api/v1/auth/signup', { body: { name, email, password } });
  return logIn(email, password);
}

export async function logOut() {
  const spent = refreshToken;
  accessToken = null;
  refreshToken = null;
  user = null;
  changed();
  if (spent) {
    try { await api('POST', '/api/v1/auth/logout', { body: { refresh_token: spent } }); } catch { /* signed out here anyway */ }
  }
}

// The access token lasts 15 minutes; on a 401 the page swaps the refresh
// token (also in memory) for a new pair once and retries.
export async function authed(method, path, options = {}) {
  if (!accessToken) throw Object.assign(new Error('not signed in'), { status: 401, problem: { type: '/problems/unauthenticated' } });
  try {
    return await api(method, path, { ...options, token: accessToken });
  } catch (error) {
    if (error.status !== 401 || !refreshToken) throw error;
    const tokens = await api('POST', '/api/v1/auth/refresh', { body: { refresh_token: refreshToken } }).catch(() => null);
    if (!tokens) { await logOut(); throw error; }
    accessToken = tokens.access_token;
    refreshToken = tokens.refresh_token;
    return api(method, path, { ...options, token: accessToken });
  }
}
