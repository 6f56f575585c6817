import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { auditConsoleAction } from './console-audit.ts';
import { consoleError, type ConsoleDeps, type ConsoleEnv } from './console-context.ts';
import { requireSession, SESSION_COOKIE } from './console-security.ts';
import { secretsEqual } from '../../src/crypto/secrets-equal.ts';

/**
 * `POST /api/login` with `{"token": "<admin token>"}` → a session in an HttpOnly, SameSite=Strict
 * cookie and the session's CSRF token in the answer. A wrong token — any length, any format,
 * empty — is the same 401 with the same message, decided by a constant-time comparison.
 * Ten refused logins from one address within a minute lock it out (429) for the rest of that
 * minute (login-throttle.ts). `POST /api/logout` ends the session; `GET /api/session` says whether the cookie's session lives.
 */
export function consoleLoginRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();

  app.post('/api/login', async (c) => {
    const body = await c.req.json<unknown>().catch(() => null);
    const token = typeof body === 'object' && body !== null && typeof (body as { token?: unknown }).token === 'string'
      ? (body as { token: string }).token : null;
    if (token === null) return consoleError(c, 400, 'InvalidRequest', 'send {"token": "<admin token>"} as JSON');
    const address = c.env?.incoming?.socket?.remoteAddress ?? 'unknown';
    if (!deps.loginThrottle.allows(address)) {
      // One audit row per lockout: a flood of attempts must not become a flood of rows.
      if (deps.loginThrottle.firstOfLockout(address)) await auditConsoleAction(deps, c, 'login', 'throttled');
      c.header('retry-after', String(deps.loginThrottle.retryAfterSeconds(address)));
      return c.json({ error: 'TooManyLoginAttempts', message: 'too many refused logins from this address; wait a minute' }, 429);
    }
    // The body is at most 16 KiB (console-server.ts); any token in it is hashed and compared whole.
    if (!secretsEqual(token, deps.gateway.credentials.adminToken)) {
      deps.loginThrottle.failed(address);
      await auditConsoleAction(deps, c, 'login', 'refused');
      return consoleError(c, 401, 'LoginRefused', 'wrong admin token');
    }
    deps.loginThrottle.succeeded(address);
    const previous = getCookie(c, SESSION_COOKIE);
    if (previous) deps.sessions.delete(previous); // a fresh id at every login: no session fixation
    const session = deps.sessions.create();
    setCookie(c, SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'Strict', path: '/', secure: deps.secure });
    await auditConsoleAction(deps, c, 'login', 'ok');
    return c.json({ csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() });
  });

  app.post('/api/logout', requireSession(deps), async (c) => {
    deps.sessions.delete(c.get('session').id);
    deleteCookie(c, SESSION_COOKIE, { path: '/', secure: deps.secure, httpOnly: true, sameSite: 'Strict' });
    await auditConsoleAction(deps, c, 'logout', 'ok');
    return c.json({ loggedOut: true });
  });

  app.get('/api/session', requireSession(deps), (c) => {
    const session = c.get('session');
    return c.json({ csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAt).toISOString() });
  });

  return app;
}
