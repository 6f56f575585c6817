/**
 * One JSON log line per request: method, path, status, bytes, ms. For a streamed response the
 * line is written when the response has been sent (or the client went away: `aborted: true`).
 * `bytes` is the request body for uploads, the response body otherwise. No headers are logged,
 * so neither signatures nor tokens can leak into logs.
 */
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../src/log/logger.ts';
import type { Clock } from './clock.ts';
import type { RequestObserver } from './node-metrics.ts';
import { outgoingOf, type NodeAppEnv } from './request-target.ts';

export function logRequests(logger: Logger, clock: Clock, observe?: RequestObserver): MiddlewareHandler<NodeAppEnv> {
  return async function requestLog(c, next) {
    const startedMs = clock.nowMs();
    await next();
    const outgoing = outgoingOf(c);
    const emit = (aborted: boolean) => {
      const uploaded = c.get('requestBytes');
      const sent = Number(c.res.headers.get('content-length') ?? 0);
      const line = { method: c.req.method, path: c.req.path.slice(0, 200), status: c.res.status, bytes: uploaded ?? sent, ms: Math.round(clock.nowMs() - startedMs) };
      logger.info('request', { ...line, ...(aborted ? { aborted } : {}) });
      observe?.(line);
    };
    // The adapter writes the response after this returns: log once it is out (or abandoned).
    // (Never touch `c.res.body` here: it would turn the adapter's fast response into a slow one.)
    if (outgoing && !outgoing.writableFinished) {
      outgoing.once('close', () => emit(!outgoing.writableFinished));
    } else {
      emit(false);
    }
  };
}
