import test from 'ava';
import http from 'node:http';
import { hashChunks } from '../src/integrity/hash-list.ts';
import { shardCommitPath, shardPath, shardUploadPath } from '../src/node-protocol/routes.ts';
import { signNodeRequest } from '../src/node-protocol/signature.ts';
import { mulberry32 } from '../src/testing/seeded-random.ts';
import { DEFAULT_BLOCKING_READ_MAX_BYTES } from './config.ts';
import { SINGLE_READ_MAX_BYTES } from './shard-read-handler.ts';
import { startTestNode, type TestNode } from './test-support.ts';

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

test('windows on both sides of the blocking-read and single-read limits, and the whole file, come back byte-identical', async (t) => {
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

test('with --blocking-read-max 0, small windows go through the thread pool and come back byte-identical', async (t) => {
  const node = await startTestNode(t, { config: { blockingReadMaxBytes: 0 } });
  const data = seeded(8 * CHUNK, 11);
  const id = `${'ef'.repeat(16)}.3`;
  await storeShard(node, id, data);
  for (const { offset, length } of [{ offset: 0, length: 1 }, { offset: CHUNK - 3, length: CHUNK + 5 }, { offset: 0, length: data.length }]) {
    const range = `bytes=${offset}-${offset + length - 1}`;
    const response = await node.request({ method: 'GET', path: shardPath(id), range });
    t.is(response.status, 206, range);
    t.true(response.body.equals(data.subarray(offset, offset + length)), range);
  }
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
