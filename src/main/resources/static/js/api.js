/*
 * The REST API (/api/v1, header X-Api-Key; shapes in shared/CONTRACT.md) and the session's key.
 * The key lives in sessionStorage only (this tab); signing out removes it. Errors are
 * problem+json (RFC 9457): problemText() turns one into a sentence with its code.
 */
import {navigate} from './nav.js';

export const API = '/api/v1';
const KEY = 'certhub.apiKey';
const ACCOUNT = 'certhub.account';

export function apiKey() { return sessionStorage.getItem(KEY); }

/** The account id the key signed in to. */
export function accountId() { return sessionStorage.getItem(ACCOUNT) || ''; }

/** Keeps the key (and its account id) for this tab. */
export function keepSession(key, account) {
  sessionStorage.setItem(KEY, key);
  sessionStorage.setItem(ACCOUNT, account);
}

/** Forgets the key and shows the sign-in page with an optional message. */
export function signOut(text, kind) {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(ACCOUNT);
  navigate('#/signin', text ? {text, kind: kind || 'info'} : null);
}

/**
 * Calls the API with the key. Resolves to {status, ok, data}; data is the parsed JSON (or a
 * problem). A 401 signs out (the key is no longer valid) and rejects.
 */
export async function api(method, path, body, key) {
  const headers = {'X-Api-Key': key || apiKey() || '', 'Accept': 'application/json'};
  const init = {method, headers};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(API + path, init);
  } catch (e) {
    return {status: 0, ok: false, data: {detail: 'The hub could not be reached: ' + e.message, code: 'NETWORK'}};
  }
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (res.status === 401 && !key) {
    signOut('Your API key was not accepted any more; sign in again.', 'error');
    throw new Error('signed out');
  }
  return {status: res.status, ok: res.ok, data};
}

/**
 * GETs a file (a certificate, a CSV export) with the key, as the given media type. Resolves to
 * {ok: true, blob} or {ok: false, error} (a sentence: the problem, or why the hub was not reached).
 */
export async function download(path, accept) {
  let res;
  try {
    res = await fetch(API + path, {headers: {'X-Api-Key': apiKey(), 'Accept': accept}});
  } catch (e) {
    return {ok: false, error: 'The hub could not be reached: ' + e.message};
  }
  if (!res.ok) return {ok: false, error: problemText(await res.json().catch(() => null), res.status)};
  return {ok: true, blob: new Blob([await res.blob()], {type: accept})};
}

/** A query string of the non-empty parameters ('' when none). */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

/** A problem+json answer as one sentence: its detail (or title) and its code. */
export function problemText(p, status) {
  if (!p || typeof p !== 'object') return `The hub answered ${status}.`;
  const code = p.code ? ` (${p.code})` : '';
  return (p.detail || p.title || `The hub answered ${status}`) + code;
}
