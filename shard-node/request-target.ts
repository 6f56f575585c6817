/**
 * The request as the node received it. Signatures cover the request target exactly as sent, so
 * the raw `IncomingMessage.url` is used when the app runs under @hono/node-server; under
 * `app.request()` (no Node request) the URL's path and query stand in for it.
 *
 * The WHATWG URL parser that builds `c.req.url` resolves `..`, `%2e%2e` and `.` segments before
 * routing, so `/shards/../../etc/passwd` would silently become `/etc/passwd`. `hasUnsafeSegment`
 * looks at the raw target instead, and the app refuses such requests with 400 before routing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Context, Env } from 'hono';

export interface NodeAppEnv extends Env {
  Bindings: { incoming?: IncomingMessage; outgoing?: ServerResponse };
  Variables: { requestBytes?: number };
}

export function incomingOf(c: Context<NodeAppEnv>): IncomingMessage | undefined {
  return (c.env as NodeAppEnv['Bindings'] | undefined)?.incoming;
}

export function outgoingOf(c: Context<NodeAppEnv>): ServerResponse | undefined {
  return (c.env as NodeAppEnv['Bindings'] | undefined)?.outgoing;
}

/** Path and query as sent on the wire. */
export function rawRequestTarget(c: Context<NodeAppEnv>): string {
  const raw = incomingOf(c)?.url;
  if (raw !== undefined && raw.startsWith('/')) return raw;
  const url = new URL(c.req.url);
  return `${url.pathname}${url.search}`;
}

/**
 * True when a path segment of the raw target is `.` or `..` (in any percent-encoding), holds an
 * encoded `/` or `\`, a NUL, or does not decode at all.
 */
export function hasUnsafeSegment(rawTarget: string): boolean {
  const queryStart = rawTarget.indexOf('?');
  const rawPath = queryStart === -1 ? rawTarget : rawTarget.slice(0, queryStart);
  for (const segment of rawPath.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      return true;
    }
    if (decoded === '.' || decoded === '..' || /[/\\\0]/.test(decoded)) return true;
  }
  return false;
}
