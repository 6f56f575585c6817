import test from 'ava';
import http from 'node:http';
import { readdir, readlink } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { HashListBuilder, hashChunks } from '../src/integrity/hash-list.ts';
import { signNodeRequest } from '../src/node-protocol/signature.ts';
import { shardCommitPath, shardHashesPath, shardPath, shardUploadPath } from '../src/node-protocol/routes.ts';
import { startTestNode, type TestNode } from './test-support.ts';

const MiB = 1024 * 1024;
const CHUNK_SIZE = 64 * 1024;

/** Deterministic piece `index` of a large synthetic shard (each piece differs). */
function piece(index: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = (index * 2654435761) >>> 0;
  for (let i = 0; i < length; i += 4) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    bytes.writeUInt32LE(state, i);
  }
  return bytes;
}

function pieces(count: number, length: number): Readable {
  let index = 0;
  return new Readable({
    read() {
      this.push(index < count ? piece(index++, length) : null);
    },
  });
}

function shardId(segment: number, shardIndex: number): string {
  return `${segment.toString(16).padStart(32, '0')}.${shardIndex}`;
}

async function openDescriptorsOf(file: string): Promise<number> {
  let count = 0;
  for (const fd of await readdir('/proc/self/fd')) {
    const target = await readlink(`/proc/self/fd/${fd}`).catch(() => '');
    if (target === file || target === `${file} (deleted)`) count++; // a deleted file still open is still held
  }
  return count;
}

async function eventually(condition: () => Promise<boolean>, attempts = 200): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

async function upload20MiB(node: TestNode, id: string): Promise<Uint8Array> {
  const builder = new HashListBuilder(CHUNK_SIZE);
  const body = pieces(20 * 16, CHUNK_SIZE).on('data', (chunk: Buffer) => builder.push(chunk));
  const response = await node.request({ method: 'PUT', path: shardUploadPath(id, CHUNK_SIZE), body });
  if (response.status !== 200) throw new Error(`upload answered ${response.status}: ${response.body.toString()}`);
  return builder.finish();
}

test('a 20 MiB upload streams to disk and reads back exactly', async (t) => {
  const node = await startTestNode(t);
  const id = shardId(0x20, 0);
  const list = await upload20MiB(node, id);
  t.is((await node.request({ method: 'POST', path: shardCommitPath(id), body: Buffer.from(list) })).status, 204);
  const hashes = await node.request({ method: 'GET', path: shardHashesPath(id) });
  t.true(hashes.body.equals(Buffer.from(list)));
  // Windows of whole chunks against the generator, including the last chunk.
  for (const chunkIndex of [0, 1, 15, 16, 17, 160, 319]) {
    const range = `bytes=${chunkIndex * CHUNK_SIZE}-${(chunkIndex + 2) * CHUNK_SIZE - 1}`;
    const response = await node.request({ method: 'GET', path: shardPath(id), range });
    const expected = Buffer.concat([piece(chunkIndex, CHUNK_SIZE), ...(chunkIndex < 319 ? [piece(chunkIndex + 1, CHUNK_SIZE)] : [])]);
    t.is(response.status, 206);
    t.true(response.body.equals(expected), range);
    t.deepEqual(hashChunks(response.body, CHUNK_SIZE), list.subarray(chunkIndex * 32, chunkIndex * 32 + (expected.length / CHUNK_SIZE) * 32));
  }
});

test('upload memory stays bounded: it does not grow with the body', async (t) => {
  // Client and node share this process, so garbage from both sides shows up until a GC runs
  // (~30 MiB measured, whatever the size). A body several times that size tells buffering apart.
  const node = await startTestNode(t);
  const bodyBytes = 160 * MiB;
  const baseline = process.memoryUsage().arrayBuffers;
  let peak = baseline;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().arrayBuffers);
  }, 5);
  const fill = Buffer.alloc(CHUNK_SIZE, 0x5a);
  let sent = 0;
  const body = new Readable({
    read() {
      this.push(sent < bodyBytes ? Buffer.from(fill) : null);
      sent += CHUNK_SIZE;
    },
  });
  try {
    const response = await node.request({ method: 'PUT', path: shardUploadPath(shardId(0x24, 0), CHUNK_SIZE), body });
    t.is(response.status, 200);
  } finally {
    clearInterval(sampler);
  }
  t.log(`peak buffer growth ${((peak - baseline) / MiB).toFixed(1)} MiB for a ${bodyBytes / MiB} MiB body`);
  t.true(peak - baseline < bodyBytes / 2);
});

test('a client that hangs up mid-download releases the file descriptor to the cache; deleting the shard closes it', async (t) => {
  if (process.platform !== 'linux') return t.pass('needs /proc/self/fd');
  const node = await startTestNode(t);
  const id = shardId(0x21, 1);
  t.is((await node.request({ method: 'POST', path: shardCommitPath(id), body: Buffer.from(await upload20MiB(node, id)) })).status, 204);
  const file = path.join(node.dataDir, 'shards', id.slice(0, 2), id);
  const { hostname, port } = new URL(node.node.url);
  const headers = signNodeRequest(node.secret, { method: 'GET', pathWithQuery: shardPath(id), expiresAt: Math.floor(Date.now() / 1000) + 60 });
  const request = await new Promise<http.ClientRequest>((resolve, reject) => {
    const request = http.get({ host: hostname, port, path: shardPath(id), headers, agent: false }, (response) => {
      t.is(response.statusCode, 200);
      response.pause();
      resolve(request);
    });
    request.on('error', (error) => ((error as { code?: string }).code === 'ECONNRESET' ? undefined : reject(error)));
  });
  t.true(await eventually(async () => (await openDescriptorsOf(file)) === 1), 'the file is open while streaming');
  request.destroy();
  const line = await eventually(async () => node.logger.lines.some((l) => l.includes('"aborted":true')));
  t.true(line, 'the request log says the download was aborted');
  t.is(await openDescriptorsOf(file), 1, 'only the node\'s descriptor cache holds the file');
  t.is((await node.request({ method: 'DELETE', path: shardPath(id) })).status, 204);
  t.true(await eventually(async () => (await openDescriptorsOf(file)) === 0), 'the deleted shard file is closed');
});

test('a client that hangs up mid-upload leaves no temp files', async (t) => {
  const node = await startTestNode(t);
  const id = shardId(0x22, 2);
  const { hostname, port } = new URL(node.node.url);
  const target = shardUploadPath(id, CHUNK_SIZE);
  const headers = {
    ...signNodeRequest(node.secret, { method: 'PUT', pathWithQuery: target, expiresAt: Math.floor(Date.now() / 1000) + 60 }),
    'content-length': String(4 * CHUNK_SIZE),
  };
  const request = http.request({ host: hostname, port, method: 'PUT', path: target, headers, agent: false });
  request.on('error', () => {});
  request.write(piece(0, CHUNK_SIZE));
  const tmpDir = path.join(node.dataDir, 'tmp');
  t.true(await eventually(async () => (await readdir(tmpDir)).length > 0), 'the upload started');
  request.destroy();
  t.true(await eventually(async () => (await readdir(tmpDir)).length === 0), 'the partial upload was removed');
  t.is((await node.request({ method: 'POST', path: shardCommitPath(id), body: Buffer.alloc(32 * 4) })).status, 404);
});

test('the latest finished upload of an id is the one a commit sees', async (t) => {
  const node = await startTestNode(t);
  const first = Buffer.concat([piece(1, 256), piece(2, 256)]);
  const second = Buffer.concat([piece(3, 256), piece(4, 256)]);
  const upload = (id: string, body: Buffer) => node.request({ method: 'PUT', path: shardUploadPath(id, 256), body });
  const commit = async (id: string, body: Buffer) =>
    (await node.request({ method: 'POST', path: shardCommitPath(id), body: Buffer.from(hashChunks(body, 256)) })).status;

  const replaced = shardId(0x23, 0);
  t.is((await upload(replaced, first)).status, 200);
  t.is((await upload(replaced, second)).status, 200);
  t.is(await commit(replaced, second), 204);
  t.true((await node.request({ method: 'GET', path: shardPath(replaced) })).body.equals(second));

  const stale = shardId(0x23, 1);
  await upload(stale, first);
  await upload(stale, second);
  t.is(await commit(stale, first), 409, 'the first upload was replaced');
  t.is((await node.request({ method: 'GET', path: shardPath(stale) })).status, 404);

  // Concurrent uploads of one id never mix: whatever is pending matches one list exactly.
  const raced = shardId(0x23, 2);
  await Promise.all([upload(raced, first), upload(raced, second)]);
  const hashes = await Promise.all([first, second].map((body) => Buffer.from(hashChunks(body, 256))));
  const { readFile } = await import('node:fs/promises');
  const pendingList = await readFile(path.join(node.dataDir, 'tmp', `${raced}.hashes`));
  const pendingData = await readFile(path.join(node.dataDir, 'tmp', `${raced}.data`));
  const index = hashes.findIndex((list) => list.equals(pendingList));
  t.not(index, -1);
  t.true(pendingData.equals(index === 0 ? first : second));
});
