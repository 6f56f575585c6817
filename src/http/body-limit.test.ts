import test from 'ava';
import { Hono } from 'hono';
import { bodyLimit, type BodyRefusal } from './body-limit.ts';

function appWithLimit(maxBytes: number, progressTimeoutMs = 5_000) {
  const refusals: BodyRefusal[] = [];
  const app = new Hono();
  app.use('*', bodyLimit({
    maxBytes,
    progressTimeoutMs,
    refuse: (c, refusal) => {
      refusals.push(refusal);
      return c.json({ error: refusal.kind }, refusal.kind === 'too-large' ? 413 : 408);
    },
  }));
  app.post('/echo', async (c) => c.text(`${(await c.req.arrayBuffer()).byteLength}`));
  return { app, refusals };
}

/** A body of `total` bytes in `piece`-byte pieces, as a stream with no Content-Length (chunked); counts what was pulled. */
function streamedBody(total: number, piece: number) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      const length = Math.min(piece, total - pulled);
      pulled += length;
      controller.enqueue(new Uint8Array(length));
    },
  });
  return { stream, pulled: () => pulled };
}

test('a declared length over the limit is refused before any body byte is read', async (t) => {
  const { app, refusals } = appWithLimit(1000);
  const body = streamedBody(1 << 20, 1024);
  const response = await app.request('/echo', { method: 'POST', body: body.stream, headers: { 'content-length': String(1 << 20) }, duplex: 'half' } as RequestInit);
  t.is(response.status, 413);
  t.deepEqual(refusals, [{ kind: 'too-large', maxBytes: 1000, declaredBytes: 1 << 20 }]);
  t.true(body.pulled() <= 1024, 'at most the stream\'s first prefetched piece');
});

test('a chunked body is counted as it streams and refused at the first piece past the limit', async (t) => {
  const { app, refusals } = appWithLimit(10_000);
  const body = streamedBody(256 << 20, 4096);
  const response = await app.request('/echo', { method: 'POST', body: body.stream, duplex: 'half' } as RequestInit);
  t.is(response.status, 413);
  t.is(refusals[0]!.kind, 'too-large');
  t.true(body.pulled() < 10_000 + 3 * 4096, `read ${body.pulled()} bytes of 256 MiB`);
});

test('bodies within the limit reach the handler whole, declared or chunked', async (t) => {
  const { app } = appWithLimit(10_000);
  t.is(await (await app.request('/echo', { method: 'POST', body: new Uint8Array(10_000) })).text(), '10000');
  const body = streamedBody(9_000, 1000);
  t.is(await (await app.request('/echo', { method: 'POST', body: body.stream, duplex: 'half' } as RequestInit)).text(), '9000');
  t.is(await (await app.request('/echo', { method: 'POST' })).text(), '0');
});

test('a body that stops sending is refused after the progress timeout', async (t) => {
  const { app, refusals } = appWithLimit(10_000, 100);
  let sent = false;
  const stalled = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sent) controller.enqueue(new Uint8Array(10));
      sent = true;
      return new Promise(() => {}); // never another byte
    },
  });
  const response = await app.request('/echo', { method: 'POST', body: stalled, duplex: 'half' } as RequestInit);
  t.is(response.status, 408);
  t.deepEqual(refusals, [{ kind: 'stalled', progressTimeoutMs: 100 }]);
});
