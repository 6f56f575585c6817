import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Hono } from 'hono';
import { bodyLimit, type BodyRefusal } from '../src/http/body-limit.ts';
import { markClosing } from '../src/http/graceful-drain.ts';
import { S3Error } from '../src/s3/errors.ts';
import { adminRoutes } from './admin-routes.ts';
import { billingMiddleware } from './billing/billing-middleware.ts';
import type { GatewayContext, GatewayDeps, GatewayEnv } from './context.ts';
import { corsResponseHeaders } from './cors/cors-response-headers.ts';
import { nodeRoutes } from './nodes/node-routes.ts';
import { earningsRoutes } from './rewards/payout-routes.ts';
import { prometheusRoutes } from './prometheus.ts';
import { dispatchS3 } from './s3-dispatch.ts';
import { errorResponse } from './error-response.ts';
import { sendToSocket, takeSocketBody } from './objects/socket-body.ts';
import { RequestTiming } from './request-timing.ts';

/** The whole gateway as a Hono app: node endpoints, admin endpoints, then every S3 request. */
export function createApp(deps: GatewayDeps): Hono<GatewayEnv> {
  const app = new Hono<GatewayEnv>();

  app.use('*', async (c, next) => {
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    const timing = new RequestTiming();
    c.set('requestId', requestId);
    c.set('log', { bytesIn: 0, bytesOut: 0, timing });
    deps.metrics.requests++;
    // The line is written when the response is finished (or the client hung up), so it can say
    // how many body bytes really went out and which shards a streamed read touched.
    // Node heartbeats arrive every few seconds per node: they would drown the request log.
    if (!c.req.path.startsWith('/_/nodes/')) c.env?.outgoing?.once('close', () => writeRequestLog(deps, c, timing));
    if (deps.draining()) return refuseWhileDraining(deps, c);
    // Repair: the request holds a read lease until its response is closed (garbage it may still
    // read waits), and a read that met missing or bad shards queues their segments (heal on read).
    if (!c.req.path.startsWith('/_/') && c.env?.outgoing) {
      const releaseLease = deps.readLeases.acquire();
      c.env.outgoing.once('close', () => {
        releaseLease();
        deps.repairSignals.readFinished(c.get('log')?.read);
      });
    }
    if (c.env?.incoming) closeUnfinishedRequests(c.env.incoming, c.env.outgoing);
    await next();
    timing.headersSent(); // the adapter writes the status line right after this
    if (deps.config.serverTiming) c.header('server-timing', timing.serverTimingHeader());
    c.header('x-amz-request-id', requestId);
    c.header('x-amz-id-2', requestId);
    c.header('server', 'shardgate');
    const socketBody = c.env?.outgoing ? takeSocketBody(c, () => c.res.body) : undefined;
    if (socketBody) {
      await sendToSocket(c.env.outgoing, c.res.status, c.res.headers, socketBody);
      c.res = new Response(null, { headers: { [ALREADY_SENT_HEADER]: 'true' } });
    }
  });

  app.onError((error, c) => errorResponse(deps, c, error));
  app.notFound((c) => errorResponse(deps, c, new S3Error('NoSuchKey')));

  app.get('/_/health', (c) => c.json({ status: 'ok', nodesOnline: deps.registry.online().length }));
  // Every body an extension route reads (registration, heartbeats, admin POSTs) is small JSON.
  app.use('/_/*', bodyLimit({ maxBytes: MAX_EXTENSION_BODY_BYTES, progressTimeoutMs: deps.config.bodyProgressTimeoutMs, refuse: refuseExtensionBody }));
  app.route('/', nodeRoutes(deps));
  app.route('/', earningsRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.route('/', prometheusRoutes(deps));
  app.all('/_/*', (c) => c.json({ error: 'NotFound', message: 'no such extension route' }, 404));
  // After every /_/ route: only S3 requests are metered.
  if (deps.usage) app.use('*', billingMiddleware({ recorder: deps.usage, store: deps.store, metrics: deps.metrics, now: deps.now }));
  app.use('*', corsResponseHeaders(deps));
  app.all('*', (c) => dispatchS3(deps, c));
  return app;
}

/** Tells `@hono/node-server` that the app wrote the response itself (its `RESPONSE_ALREADY_SENT`). */
const ALREADY_SENT_HEADER = 'x-hono-already-sent';
/**
 * A request that arrives (on an open keep-alive connection) while the gateway drains: 503, and the
 * connection closes after it. S3 routes get S3 XML `ServiceUnavailable` (SDKs retry it), `/_/` routes JSON.
 */
function refuseWhileDraining(deps: GatewayDeps, c: GatewayContext): Response {
  if (c.env?.outgoing) markClosing(c.env.outgoing);
  if (c.env?.incoming) closeUnfinishedRequests(c.env.incoming, c.env.outgoing);
  const message = 'The gateway is shutting down; retry the request.';
  if (c.req.path.startsWith('/_/')) return c.json({ error: 'ServiceUnavailable', message }, 503);
  return errorResponse(deps, c, new S3Error('ServiceUnavailable', { message }));
}

/** How long the rest of a refused body is read and dropped before the connection is cut. */
const REFUSED_BODY_LINGER_MS = 2_000;

/**
 * A response sent before its request body was read to the end (413, EntityTooLarge, SlowDown,
 * RequestTimeout, any early error): Node drops the rest of the body as it arrives, and if the
 * body has not ended within REFUSED_BODY_LINGER_MS the connection is cut. Cutting it at once
 * would reset the connection under the client's feet and could lose the answer it is owed;
 * draining without a bound would let a client stream forever.
 */
function closeUnfinishedRequests(incoming: IncomingMessage, outgoing: ServerResponse): void {
  outgoing.once('finish', () => {
    if (incoming.complete) return;
    const timer = setTimeout(() => incoming.socket?.destroy(), REFUSED_BODY_LINGER_MS);
    timer.unref();
    incoming.once('end', () => clearTimeout(timer));
    incoming.once('close', () => clearTimeout(timer));
    // A handler that stopped reading midway (an async iterator it abandoned) left a 'readable'
    // listener, and resume() does nothing while one is there: the rest would never be dropped,
    // and the keep-alive connection would be cut under the client's next request.
    incoming.removeAllListeners('readable');
    incoming.resume();
  });
}

/** Largest body of any `/_/` route; S3 routes bound their own (request-body.ts, verified-body.ts). */
export const MAX_EXTENSION_BODY_BYTES = 64 * 1024;

/** A refused `/_/` body: JSON like the routes' other errors (the rest of the body is never read, see `closeUnfinishedRequests`). */
function refuseExtensionBody(c: GatewayContext, refusal: BodyRefusal): Response {
  return refusal.kind === 'too-large'
    ? c.json({ error: 'PayloadTooLarge', message: `the body may be at most ${refusal.maxBytes} bytes` }, 413)
    : c.json({ error: 'RequestTimeout', message: `the body sent no byte for ${refusal.progressTimeoutMs} ms` }, 408);
}

function writeRequestLog(deps: GatewayDeps, c: GatewayContext, timing: RequestTiming): void {
  const log = c.get('log');
  const started = timing.startedAt;
  const finished = performance.now();
  deps.metrics.bytesIn += log.bytesIn;
  deps.metrics.bytesOut += log.bytesOut;
  if (log.operation) {
    deps.prometheus.observeRequest({
      operation: log.operation, status: c.env.outgoing.statusCode,
      headersSeconds: ((timing.headersAt || finished) - started) / 1000, durationSeconds: (finished - started) / 1000,
      bytesOut: log.bytesOut,
    });
  }
  if (!deps.config.logRequests) return;
  const read = log.read;
  deps.logger.info('request', {
    requestId: c.get('requestId'),
    method: c.req.method,
    operation: log.operation,
    bucket: log.bucket,
    key: log.key,
    accessKeyId: log.accessKeyId,
    status: c.env.outgoing.statusCode,
    bytesIn: log.bytesIn,
    bytesOut: log.bytesOut,
    shardsRead: read?.shardsRead,
    shardsFailed: read && read.failures.length > 0 ? read.failures : undefined,
    error: log.error,
    ms: Math.round((finished - started) * 10) / 10,
    stagesMs: timing.logFields(finished),
  });
}
