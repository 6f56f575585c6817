// Every call to the console's API. The session lives in an HttpOnly cookie the page never sees;
// the CSRF token lives in this module's memory only (from the page's <meta> or the login answer),
// never in storage, and goes out in a header with every change.
let csrfToken = document.querySelector('meta[name="csrf-token"]').content;
const listeners = new Set();

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = body?.error ?? 'Error';
  }
}

/** Called with no argument when the session is gone (401): the page shows the login form. */
export function onLoggedOut(listener) {
  listeners.add(listener);
}

export function loggedIn() {
  return csrfToken !== '';
}

async function call(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin', cache: 'no-store',
  });
  const answer = await response.json().catch(() => null);
  if (response.status === 401 && path !== '/api/login') {
    csrfToken = '';
    for (const listener of listeners) listener();
  }
  if (!response.ok) throw new ApiError(response.status, answer);
  return answer;
}

export const get = (path, query = {}) => {
  const search = new URLSearchParams(Object.entries(query).filter(([, value]) => value !== undefined && value !== null && value !== ''));
  return call('GET', search.size > 0 ? `${path}?${search}` : path);
};
export const post = (path, body = {}) => call('POST', path, body);

export async function login(token) {
  const answer = await call('POST', '/api/login', { token });
  csrfToken = answer.csrfToken;
}

export async function logout() {
  await call('POST', '/api/logout');
  csrfToken = '';
}
