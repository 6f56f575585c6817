import test, { type ExecutionContext } from 'ava';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { hashChunks } from '../src/integrity/hash-list.ts';
import { shardCommitPath, shardPath, shardUploadPath } from '../src/node-protocol/routes.ts';
import { signNodeRequest } from '../src/node-protocol/signature.ts';
import { mulberry32 } from '../src/testing/seeded-random.ts';
import { systemClock } from './clock.ts';
import { DEFAULT_BLOCKING_READ_MAX_BYTES } from './config.ts';
import type { OpenShard } from './open-shard.ts';
import { ShardFileStore } from './shard-files.ts';
import { createShardReadHandler, SINGLE_READ_MAX_BYTES } from './shard-read-handler.ts';
import { makeTempDir, memoryLogger, signedRequest, startTestNode, type TestNode } from './test-support.ts';

const CHUNK = 64 * 1024;

function seeded(length: number, seed: number): Buffer {
  const next = mulberry32(seed);
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(next() * 256);
  return bytes;
}

async function storeShard(node: TestNode, id: string, data: Buffer): Promise<void> {
  const upload = await node.request({ method: 'PUT', path: shardUploadPath(id, CHUNK), body: data });
  const commit = await node.request({ method: 'POST', path: shardCommitPath(id), body: Buffer.from(hashChunks(data, CHUNK)) });
  if (upload.status !== 200 || commit.status !== 204) throw new Error(`store failed: ${upload.status} ${commit.status}`);
}

/**
 * The read handler alone on 127.0.0.1:0, over a real store whose opened shards record which read
 * each window went through: `read` (thread pool), `readBlocking` (pread on the event loop) or `stream`.
 */
async function startSpiedHandler(t: ExecutionContext, blockingReadMaxBytes: number | undefined) {
  const store = await ShardFileStore.open(await makeTempDir(t));
  t.teardown(() => store.close());
  const reads: { via: 'read' | 'readBlocking' | 'stream'; length: number }[] = [];
  const spied = {
    openShard: async (shardId: string): Promise<OpenShard> => {
      const shard = await store.openCachedShard(shardId);
      return {
        ...shard,
        read: (span) => { reads.push({ via: 'read', length: span.length }); return shard.read(span); },
        readBlocking: (span) => { reads.push({ via: 'readBlocking', length: span.length }); return shard.readBlocking(span); },
        stream: (span, readBytes) => { reads.push({ via: 'stream', length: span?.length ?? shard.size }); return shard.stream(span, readBytes); },
      };
    },
  };
  const secret = 'handler-test-secret';
  const handler = createShardReadHandler({
    store: spied, getSecret: () => secret, clock: systemClock, logger: memoryLogger(), blockingReadMaxBytes,
  });
  const server = http.createServer((request, response) => {
    if (!handler(request, response)) response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const storeShard = async (id: string, data: Buffer) => {
    await store.receiveUpload(id, CHUNK, Readable.from([data]));
    await store.commit(id, hashChunks(data, CHUNK));
  };
  const get = (id: string, offset: number, length: number) => signedRequest(url, secret, {
    method: 'GET', path: shardPath(id), range: `bytes=${offset}-${offset + length - 1}`,
  });
  return { storeShard, get, reads };
}

test('at the default --blocking-read-max, windows up to it take the blocking read, larger ones the thread pool or a stream; bytes identical', async (t) => {
  const { storeShard, get, reads } = await startSpiedHandler(t, DEFAULT_BLOCKING_READ_MAX_BYTES);
  const data = seeded(SINGLE_READ_MAX_BYTES + 3 * CHUNK, 5);
  const id = `${'a1'.repeat(16)}.0`;
  await storeShard(id, data);
  const windows = [
    { offset: 0, length: 1, via: 'readBlocking' },
    { offset: 17, length: DEFAULT_BLOCKING_READ_MAX_BYTES, via: 'readBlocking' },
    { offset: 17, length: DEFAULT_BLOCKING_READ_MAX_BYTES + 1, via: 'read' },
    { offset: 3, length: SINGLE_READ_MAX_BYTES, via: 'read' },
    { offset: 3, length: SINGLE_READ_MAX_BYTES + 1, via: 'stream' },
  ] as const;
  for (const { offset, length, via } of windows) {
    const response = await get(id, offset, length);
    t.is(response.status, 206);
    t.true(response.body.equals(data.subarray(offset, offset + length)), `${length} bytes at ${offset}`);
    t.deepEqual(reads.at(-1), { via, length }, `${length} bytes at ${offset}`);
  }
  t.is(reads.length, windows.length, 'one read per window');
});

test('with --blocking-read-max 0, every window goes through the thread pool (never a blocking read); bytes identical', async (t) => {
  const { storeShard, get, reads } = await startSpiedHandler(t, 0);
  const data = seeded(8 * CHUNK, 11);
  const id = `${'ef'.repeat(16)}.3`;
  await storeShard(id, data);
  for (const { offset, length } of [{ offset: 0, length: 1 }, { offset: CHUNK - 3, length: CHUNK + 5 }, { offset: 0, length: data.length }]) {
    const response = await get(id, offset, length);
    t.is(response.status, 206);
    t.true(response.body.equals(data.subarray(offset, offset + length)), `${length} bytes at ${offset}`);
    t.deepEqual(reads.at(-1), { via: 'read', length });
  }
  t.is(reads.length, 3);
});

test('through a whole node: windows on both sides of the blocking-read and single-read limits, and the whole file, come back byte-identical', async (t) => {
  const node = await startTestNode(t); // --blocking-read-max at its default, 1 MiB
  const data = seeded(2 * SINGLE_READ_MAX_BYTES + 3 * CHUNK, 7);
  const id = `${'ab'.repeat(16)}.1`;
  await storeShard(node, id, data);
  const windows = [
    { offset: 0, length: 1 },
    { offset: 17, length: DEFAULT_BLOCKING_READ_MAX_BYTES },
    { offset: 17, length: DEFAULT_BLOCKING_READ_MAX_BYTES + 1 },
    { offset: CHUNK, length: SINGLE_READ_MAX_BYTES - 1 },
    { offset: 5, length: SINGLE_READ_MAX_BYTES },
    { offset: 3, length: SINGLE_READ_MAX_BYTES + 1 },
    { offset: data.length - SINGLE_READ_MAX_BYTES - 7, length: SINGLE_READ_MAX_BYTES + 7 },
  ];
  for (const { offset, length } of windows) {
    const range = `bytes=${offset}-${offset + length - 1}`;
    const response = await node.request({ method: 'GET', path: shardPath(id), range });
    t.is(response.status, 206, range);
    t.is(response.headers['content-range'], `bytes ${offset}-${offset + length - 1}/${data.length}`);
    t.true(response.body.equals(data.subarray(offset, offset + length)), range);
  }
  const whole = await node.request({ method: 'GET', path: shardPath(id) });
  t.is(whole.status, 200);
  t.true(whole.body.equals(data));
  const head = await node.request({ method: 'HEAD', path: shardPath(id), range: 'bytes=10-19' });
  t.is(head.status, 206);
  t.is(head.headers['content-length'], '10');
  t.is(head.body.length, 0);
});

test('a client that hangs up in the middle of a streamed window costs the node nothing', async (t) => {
  const node = await startTestNode(t);
  const data = seeded(3 * SINGLE_READ_MAX_BYTES, 9);
  const id = `${'cd'.repeat(16)}.2`;
  await storeShard(node, id, data);
  const { hostname, port } = new URL(node.node.url);
  const range = `bytes=0-${data.length - 1}`;
  const headers = { ...signNodeRequest(node.secret, { method: 'GET', pathWithQuery: shardPath(id), range, expiresAt: Math.floor(Date.now() / 1000) + 60 }), range };
  const received = await new Promise<number>((resolve, reject) => {
    const request = http.request({ host: hostname, port, path: shardPath(id), headers, agent: false }, (response) => {
      let bytes = 0;
      response.on('data', (piece: Buffer) => {
        bytes += piece.length;
        if (bytes >= 1024 * 1024) {
          request.destroy();
          resolve(bytes);
        }
      });
      response.on('error', () => {});
    });
    request.on('error', (error) => { if (!request.destroyed) reject(error); });
    request.end();
  });
  t.true(received < data.length);
  for (let i = 0; i < 200 && !node.logger.lines.some((line) => line.includes('"aborted":true')); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  t.true(node.logger.lines.some((line) => line.includes('"aborted":true')), 'the log line says the read was cut short');
  const after = await node.request({ method: 'GET', path: shardPath(id), range: 'bytes=100-199' });
  t.is(after.status, 206);
  t.true(after.body.equals(data.subarray(100, 200)));
});
