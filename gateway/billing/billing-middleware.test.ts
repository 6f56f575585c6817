import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import test, { type ExecutionContext } from 'ava';
import { Hono } from 'hono';
import { silentLogger } from '../../src/log/logger.ts';
import { SqliteMetaStore } from '../../src/meta/sqlite-store.ts';
import type { RequestUsageTotal } from '../../src/meta/usage-types.ts';
import type { GatewayEnv } from '../context.ts';
import { createMetrics, type GatewayMetrics } from '../metrics.ts';
import { billingMiddleware, CLIENT_CLOSED_REQUEST } from './billing-middleware.ts';
import { UsageRecorder } from './usage-recorder.ts';

const T0 = Date.UTC(2025, 0, 1);
const CHUNK = new Uint8Array(64 * 1024).fill(7);

interface Harness {
  readonly url: string;
  readonly store: SqliteMetaStore;
  readonly recorder: UsageRecorder;
  readonly metrics: GatewayMetrics;
  readonly ownerId: string;
  /** Flushes and returns the totals once `done` holds for them (a response's 'close' can trail its last byte). */
  totals(accountId: string, done: (totals: RequestUsageTotal[]) => boolean): Promise<RequestUsageTotal[]>;
}

/**
 * A real Hono app on a real Node server, shaped like the gateway's: the request log first, then
 * the billing middleware, then handlers that fill the log as the S3 handlers do.
 */
async function startHarness(t: ExecutionContext): Promise<Harness> {
  const store = SqliteMetaStore.open(':memory:');
  const owner = await store.createAccount('owner');
  await store.createBucket({ name: 'public', accountId: owner.id, createdAt: new Date(T0), profile: { dataShards: 4, parityShards: 2, chunkSize: 65536 } });
  const metrics = createMetrics();
  const recorder = new UsageRecorder({ store, logger: silentLogger, metrics });
  const app = new Hono<GatewayEnv>();
  app.use('*', async (c, next) => {
    c.set('log', { bytesIn: 0, bytesOut: 0 });
    await next();
  });
  app.onError((_error, c) => c.body(null, 400)); // the aborted upload's body read fails: expected
  app.get('/_/admin/thing', (c) => c.json({ ok: true }));
  app.use('*', billingMiddleware({ recorder, store, metrics, now: () => new Date(T0 + 1_500) }));
  app.get('/photos/small', (c) => {
    Object.assign(c.get('log'), { accountId: 'alice', bucket: 'photos', operation: 'GetObject' });
    c.get('log').bytesOut += 1000;
    return c.body(new Uint8Array(1000), 206);
  });
  app.get('/photos/endless', (c) => {
    const log = Object.assign(c.get('log'), { accountId: 'alice', bucket: 'endless', operation: 'GetObject' });
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 1024) return controller.close(); // 64 MiB at most
        sent += 1;
        log.bytesOut += CHUNK.length;
        controller.enqueue(CHUNK);
      },
    }, { highWaterMark: 0 });
    return c.body(body, 200);
  });
  app.put('/photos/upload', async (c) => {
    Object.assign(c.get('log'), { accountId: 'alice', bucket: 'photos', operation: 'PutObject' });
    c.get('log').bytesIn += (await c.req.arrayBuffer()).byteLength;
    return c.body(null, 200);
  });
  app.delete('/photos/upload', (c) => {
    Object.assign(c.get('log'), { accountId: 'alice', bucket: 'photos', operation: 'DeleteObject' });
    return c.body(null, 204);
  });
  app.get('/photos/broken', (c) => {
    Object.assign(c.get('log'), { accountId: 'alice', bucket: 'photos', operation: 'GetObject' });
    return c.body('unavailable', 503);
  });
  app.get('/public/movie.zip', (c) => {
    Object.assign(c.get('log'), { bucket: 'public', operation: 'GetObject' });
    c.get('log').bytesOut += 10;
    return c.body(new Uint8Array(10), 200);
  });
  app.get('/private/x', (c) => {
    Object.assign(c.get('log'), { bucket: 'private', operation: 'GetObject' });
    return c.body('denied', 403);
  });
  const server = await new Promise<ServerType>((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(started));
  });
  t.teardown(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await recorder.close();
    await store.close();
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const window = { from: new Date(T0), to: new Date(T0 + 60_000) };
  return {
    url, store, recorder, metrics, ownerId: owner.id,
    async totals(accountId, done) {
      const deadline = Date.now() + 10_000;
      for (;;) {
        await recorder.flush();
        const totals = await store.sumRequestUsage(accountId, window);
        if (done(totals) || Date.now() > deadline) return totals;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

const requestsOf = (totals: RequestUsageTotal[]) => totals.reduce((sum, total) => sum + total.requests, 0);

test('each request is metered with its class, status, bytes in and body bytes out, in the second it started', async (t) => {
  const harness = await startHarness(t);
  t.is((await fetch(`${harness.url}/photos/small`)).status, 206);
  await (await fetch(`${harness.url}/photos/small`)).arrayBuffer();
  await (await fetch(`${harness.url}/photos/upload`, { method: 'PUT', body: new Uint8Array(4096) })).arrayBuffer();
  await (await fetch(`${harness.url}/photos/upload`, { method: 'DELETE' })).arrayBuffer();
  await (await fetch(`${harness.url}/photos/broken`)).arrayBuffer();
  const totals = await harness.totals('alice', (current) => requestsOf(current) === 5);
  t.deepEqual(totals, [
    { bucket: 'photos', requestClass: 'free', status: 204, requests: 1, bytesIn: 0, bytesOut: 0 },
    { bucket: 'photos', requestClass: 'read', status: 206, requests: 2, bytesIn: 0, bytesOut: 2000 },
    { bucket: 'photos', requestClass: 'read', status: 503, requests: 1, bytesIn: 0, bytesOut: 0 },
    { bucket: 'photos', requestClass: 'write', status: 200, requests: 1, bytesIn: 4096, bytesOut: 0 },
  ]);
  // The clock says T0 + 1.5 s: every row belongs to the second starting at T0 + 1 s.
  t.deepEqual(await harness.store.sumRequestUsage('alice', { from: new Date(T0), to: new Date(T0 + 1_000) }), []);
  t.is(requestsOf(await harness.store.sumRequestUsage('alice', { from: new Date(T0 + 1_000), to: new Date(T0 + 2_000) })), 5);
});

test('a client that hangs up mid-body is billed for the bytes that went out, not the body size', async (t) => {
  const harness = await startHarness(t);
  const received = await new Promise<number>((resolve, reject) => {
    const request = httpRequest(`${harness.url}/photos/endless`, (response) => {
      let bytes = 0;
      response.on('data', (piece: Buffer) => {
        bytes += piece.length;
        if (bytes >= 256 * 1024) {
          request.destroy();
          resolve(bytes);
        }
      });
      response.on('error', () => {});
    });
    request.on('error', (error: NodeJS.ErrnoException) => { if (error.code !== 'ECONNRESET') reject(error); });
    request.end();
  });
  const [total] = await harness.totals('alice', (current) => requestsOf(current) === 1);
  t.is(total?.status, 200);
  t.is(total?.requests, 1);
  t.true(total!.bytesOut >= received, `billed ${total!.bytesOut} ≥ received ${received}`);
  t.true(total!.bytesOut < 64 * 1024 * 1024, `billed ${total!.bytesOut} < the 64 MiB body`);
});

test('a client that leaves before any response is metered with status 499', async (t) => {
  const harness = await startHarness(t);
  await new Promise<void>((resolve) => {
    const request = httpRequest(`${harness.url}/photos/upload`, { method: 'PUT', headers: { 'content-length': '100000' } });
    request.on('error', () => resolve());
    request.write(new Uint8Array(1000), () => setImmediate(() => { request.destroy(); resolve(); }));
  });
  const [total] = await harness.totals('alice', (current) => requestsOf(current) === 1);
  t.like(total, { bucket: 'photos', requestClass: 'write', status: CLIENT_CLOSED_REQUEST, requests: 1 });
});

test('anonymous: a successful read bills the bucket owner; a refused one and /_/ routes bill nobody', async (t) => {
  const harness = await startHarness(t);
  await (await fetch(`${harness.url}/public/movie.zip`)).arrayBuffer();
  await (await fetch(`${harness.url}/private/x`)).arrayBuffer();
  await (await fetch(`${harness.url}/_/admin/thing`)).arrayBuffer();
  const totals = await harness.totals(harness.ownerId, (current) => requestsOf(current) === 1);
  t.deepEqual(totals, [{ bucket: 'public', requestClass: 'read', status: 200, requests: 1, bytesIn: 0, bytesOut: 10 }]);
  const deadline = Date.now() + 10_000;
  while (harness.metrics.unbilledRequests < 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  t.is(harness.metrics.unbilledRequests, 1, 'the 403; the admin route is not metered at all');
});
