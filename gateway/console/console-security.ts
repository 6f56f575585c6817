import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { consoleError, type ConsoleDeps, type ConsoleEnv } from './console-context.ts';
import { secretsEqual } from '../../src/crypto/secrets-equal.ts';

export const SESSION_COOKIE = 'shardgate_console';
export const CSRF_HEADER = 'x-csrf-token';

/**
 * Scripts, styles, images and fetches only from the console's own origin (no inline script or
 * style, no eval), never framed, no plugins, forms post only here, no <base> tricks.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "connect-src 'self'",
  "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');

/** On every console response, errors included. */
export function securityHeaders(): MiddlewareHandler<ConsoleEnv> {
  return async function consoleSecurityHeaders(c, next) {
    await next();
    c.header('content-security-policy', CONTENT_SECURITY_POLICY);
    c.header('x-content-type-options', 'nosniff');
    c.header('x-frame-options', 'DENY');
    c.header('referrer-policy', 'no-referrer');
    c.header('cross-origin-opener-policy', 'same-origin');
    c.header('cross-origin-resource-policy', 'same-origin');
    if (!c.res.headers.has('cache-control')) c.header('cache-control', 'no-store');
  };
}

/**
 * A request that changes anything (any method but GET and HEAD) must come from a page of this
 * very origin: `Origin` equal to the console's own (scheme + the Host it was asked for), and
 * `Sec-Fetch-Site`, when the browser sends it, `same-origin`. Login included (no login CSRF).
 */
export function sameOriginWrites(deps: Pick<ConsoleDeps, 'secure'>): MiddlewareHandler<ConsoleEnv> {
  return async function consoleSameOrigin(c, next) {
    // Cookies and SameSite ignore ports: a page on the S3 listener of the same host is "same-site"
    // and its GETs to the API would carry the session cookie. Browsers say where a request comes
    // from; an API read from anywhere but the console's own pages is refused too.
    const fetchSite = c.req.header('sec-fetch-site');
    if (c.req.path.startsWith('/api/') && fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
      return consoleError(c, 403, 'CrossOriginRefused', 'console data is served only to the console\'s own pages');
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const expected = `${deps.secure ? 'https' : 'http'}://${c.req.header('host') ?? ''}`;
      if (c.req.header('origin') !== expected || (fetchSite !== undefined && fetchSite !== 'same-origin')) {
        return consoleError(c, 403, 'CrossOriginRefused', 'console changes are accepted only from the console\'s own pages');
      }
    }
    await next();
  };
}

/**
 * Every API route but login: a live session from the HttpOnly cookie (else 401), and for any
 * method but GET and HEAD the session's CSRF token in the `X-CSRF-Token` header (else 403).
 */
export function requireSession(deps: Pick<ConsoleDeps, 'sessions'>): MiddlewareHandler<ConsoleEnv> {
  return async function consoleSession(c, next) {
    const session = deps.sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session) return consoleError(c, 401, 'Unauthorized', 'log in to the console first');
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD' && !secretsEqual(c.req.header(CSRF_HEADER) ?? '', session.csrfToken)) {
      return consoleError(c, 403, 'CsrfTokenInvalid', `send the page's CSRF token in ${CSRF_HEADER}`);
    }
    c.set('session', session);
    await next();
  };
}
