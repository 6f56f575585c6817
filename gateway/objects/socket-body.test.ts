import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { offerSocketBody, sendToSocket, takeSocketBody, type VerifiedPieces } from './socket-body.ts';

/** A real server on 127.0.0.1:0 whose one route answers with `sendToSocket(body())`; resolves when the send has finished. */
async function serveOnce(t: ExecutionContext, body: VerifiedPieces): Promise<{ url: string; sent: Promise<void> }> {
  let finished!: () => void;
  const sent = new Promise<void>((resolve) => { finished = resolve; });
  const server = createServer((_: IncomingMessage, response: ServerResponse) => {
    void sendToSocket(response, 206, new Headers({ 'content-type': 'application/octet-stream' }), body).then(finished);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, sent };
}

function piecesOf(events: string[], pieces: Uint8Array[], after?: () => Promise<never>): VerifiedPieces {
  const abort = new AbortController();
  async function* rest(): AsyncGenerator<Uint8Array> {
    try {
      for (const piece of pieces.slice(1)) yield piece;
      if (after) await after();
    } finally {
      events.push('pieces closed');
    }
  }
  return {
    first: pieces[0] ?? null, pieces: rest(), abort, sendProgressTimeoutMs: 30_000,
    onPiece: (length) => events.push(`piece ${length}`),
    onError: (error) => events.push(`error ${error.message}`),
    onClientStalled: () => events.push('stalled'),
  };
}

function get(url: string): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => request(url, resolve).on('error', reject).end());
}

test('every piece goes out in order after the status line and headers, each counted once', async (t) => {
  const events: string[] = [];
  const pieces = [1, 2, 3].map((value) => new Uint8Array(200_000).fill(value));
  const { url, sent } = await serveOnce(t, piecesOf(events, pieces));
  const response = await get(url);
  t.is(response.statusCode, 206);
  t.is(response.headers['content-type'], 'application/octet-stream');
  const received: Buffer[] = [];
  for await (const piece of response) received.push(piece as Buffer);
  await sent;
  t.deepEqual(Buffer.concat(received), Buffer.concat(pieces));
  t.deepEqual(events, ['piece 200000', 'piece 200000', 'piece 200000', 'pieces closed']);
});

test('a client that hangs up aborts the reads behind the body and closes its pieces', async (t) => {
  const events: string[] = [];
  let release!: () => void;
  const never = () => new Promise<never>((_, reject) => { release = () => reject(new Error('aborted')); });
  const body = piecesOf(events, [new Uint8Array(1000)], never);
  body.abort.signal.addEventListener('abort', () => release());
  const { url, sent } = await serveOnce(t, body);
  const response = await get(url);
  await new Promise((resolve) => response.once('data', resolve));
  response.destroy();
  await sent;
  t.true(body.abort.signal.aborted);
  t.deepEqual(events, ['piece 1000', 'pieces closed'], 'no error is reported for a client that left');
});

test('a piece that fails after the status line cuts the connection: a short body, one error', async (t) => {
  const events: string[] = [];
  const failing = async (): Promise<never> => { throw new Error('stripe 9: need 4 shards, 3 available'); };
  const { url, sent } = await serveOnce(t, piecesOf(events, [new Uint8Array(1000)], failing));
  const response = await get(url);
  const failure = await new Promise<unknown>((resolve) => {
    response.on('error', resolve);
    response.on('end', () => resolve(null));
    response.resume();
  });
  await sent;
  t.truthy(failure, 'the body does not end normally');
  t.deepEqual(events, ['piece 1000', 'pieces closed', 'error stripe 9: need 4 shards, 3 available']);
});

test('an offer is taken once, and only while the response still has that body', (t) => {
  const request = {};
  const stream = new ReadableStream<Uint8Array>();
  const body = piecesOf([], []);
  offerSocketBody(request, stream, body);
  t.is(takeSocketBody(request, () => new ReadableStream()), undefined, 'a replaced body is not written from the offer');
  offerSocketBody(request, stream, body);
  t.is(takeSocketBody(request, () => stream), body);
  t.is(takeSocketBody(request, () => stream), undefined);
  t.is(takeSocketBody({}, () => { throw new Error('not read without an offer'); }), undefined);
});
