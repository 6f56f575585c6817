import test from 'ava';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import path from 'node:path';
import { hashChunks } from '../src/integrity/hash-list.ts';
import { shardCommitPath, shardHashesPath, shardListPath, shardPath, shardUploadPath } from '../src/node-protocol/routes.ts';
import { NODE_SIGNATURE_HEADER, signNodeRequest } from '../src/node-protocol/signature.ts';
import { rawRequest, signedRequest, startTestNode, type TestNode } from './test-support.ts';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let r = Math.imul(a ^ (a >>> 15), 1 | a);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(seed: number, length: number): Buffer {
  const next = mulberry32(seed);
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(next() * 256);
  return bytes;
}

function shardId(segment: number, shardIndex: number): string {
  return `${segment.toString(16).padStart(32, '0')}.${shardIndex}`;
}

function json(response: { body: Buffer }): unknown {
  return JSON.parse(response.body.toString('utf8'));
}

async function putShard(node: TestNode, id: string, data: Buffer, chunkSize: number) {
  const upload = await node.request({ method: 'PUT', path: shardUploadPath(id, chunkSize), body: data });
  const commit = await node.request({ method: 'POST', path: shardCommitPath(id), body: Buffer.from(hashChunks(data, chunkSize)) });
  return { upload, commit };
}

test('health answers unsigned with liveness only; the signed status names the node and its space', async (t) => {
  const node = await startTestNode(t);
  const response = await rawRequest(node.node.url, { method: 'GET', path: '/health' });
  t.is(response.status, 200);
  t.deepEqual(json(response), { status: 'ok' });
  t.false(response.body.toString().includes(node.node.nodeId));
  t.is((await rawRequest(node.node.url, { method: 'GET', path: '/status' })).status, 403, 'status is not open');
  const status = await node.request({ method: 'GET', path: '/status' });
  t.is(status.status, 200);
  const body = json(status) as { nodeId: string; capacityBytes: number; freeBytes: number; shardCount: number };
  t.is(body.nodeId, node.node.nodeId);
  t.true(body.capacityBytes > 0);
  t.true(body.freeBytes >= 0 && body.freeBytes <= body.capacityBytes);
  t.is(body.shardCount, 0);
});

test('put, commit, range get, hashes, list and delete round-trip', async (t) => {
  const node = await startTestNode(t);
  const chunkSize = 256;
  const data = randomBytes(1, chunkSize * 8);
  const id = shardId(0xabc, 3);
  const { upload, commit } = await putShard(node, id, data, chunkSize);
  t.is(upload.status, 200);
  t.deepEqual(json(upload), { length: data.length });
  t.is(commit.status, 204);

  const whole = await node.request({ method: 'GET', path: shardPath(id) });
  t.is(whole.status, 200);
  t.is(whole.headers['content-length'], String(data.length));
  t.true(whole.body.equals(data));

  const ranged = await node.request({ method: 'GET', path: shardPath(id), range: 'bytes=256-767' });
  t.is(ranged.status, 206);
  t.is(ranged.headers['content-range'], `bytes 256-767/${data.length}`);
  t.is(ranged.headers['content-length'], '512');
  t.true(ranged.body.equals(data.subarray(256, 768)));

  const head = await node.request({ method: 'HEAD', path: shardPath(id), range: 'bytes=0-99' });
  t.is(head.status, 206);
  t.is(head.headers['content-length'], '100');
  t.is(head.body.length, 0);

  const hashes = await node.request({ method: 'GET', path: shardHashesPath(id) });
  t.is(hashes.status, 200);
  t.is(hashes.headers['content-type'], 'application/octet-stream');
  t.true(hashes.body.equals(Buffer.from(hashChunks(data, chunkSize))));

  const listed = await node.request({ method: 'GET', path: shardListPath() });
  t.deepEqual(json(listed), { shards: [id], next: null });

  const status = json(await node.request({ method: 'GET', path: '/status' })) as { shardCount: number };
  t.is(status.shardCount, 1);

  t.is((await node.request({ method: 'DELETE', path: shardPath(id) })).status, 204);
  t.is((await node.request({ method: 'GET', path: shardPath(id) })).status, 404);
  t.is((await node.request({ method: 'GET', path: shardHashesPath(id) })).status, 404);
  t.deepEqual(json(await node.request({ method: 'GET', path: shardListPath() })), { shards: [], next: null });
  t.is((await node.request({ method: 'DELETE', path: shardPath(id) })).status, 204, 'delete of an absent shard');
});

test('range reads around chunk boundaries return exact bytes', async (t) => {
  const node = await startTestNode(t);
  const chunkSize = 64;
  const data = randomBytes(2, chunkSize * 6);
  const id = shardId(7, 0);
  await putShard(node, id, data, chunkSize);
  const points = new Set<number>();
  for (let k = 0; k <= 6; k++) for (const delta of [-1, 0, 1]) points.add(k * chunkSize + delta);
  const offsets = [...points].filter((p) => p >= 0 && p < data.length);
  const requests: Promise<void>[] = [];
  for (const first of offsets) {
    for (const last of offsets) {
      if (last < first) continue;
      requests.push(node.request({ method: 'GET', path: shardPath(id), range: `bytes=${first}-${last}` }).then((response) => {
        t.is(response.status, 206, `${first}-${last}`);
        t.true(response.body.equals(data.subarray(first, last + 1)), `${first}-${last}`);
      }));
    }
  }
  await Promise.all(requests);
  const suffix = await node.request({ method: 'GET', path: shardPath(id), range: 'bytes=-65' });
  t.true(suffix.body.equals(data.subarray(data.length - 65)));
  const open = await node.request({ method: 'GET', path: shardPath(id), range: `bytes=${chunkSize * 5}-` });
  t.true(open.body.equals(data.subarray(chunkSize * 5)));
  const clamped = await node.request({ method: 'GET', path: shardPath(id), range: `bytes=${data.length - 1}-${data.length + 100}` });
  t.is(clamped.status, 206);
  t.is(clamped.headers['content-range'], `bytes ${data.length - 1}-${data.length - 1}/${data.length}`);
});

test('unsatisfiable, malformed and missing ranges', async (t) => {
  const node = await startTestNode(t);
  const id = shardId(8, 1);
  await putShard(node, id, randomBytes(3, 128), 64);
  const beyond = await node.request({ method: 'GET', path: shardPath(id), range: 'bytes=128-200' });
  t.is(beyond.status, 416);
  t.is(beyond.headers['content-range'], 'bytes */128');
  t.is((json(beyond) as { error: string }).error, 'RANGE_NOT_SATISFIABLE');
  t.is((await node.request({ method: 'GET', path: shardPath(id), range: 'bytes=0-1,4-5' })).status, 400);
  t.is((await node.request({ method: 'GET', path: shardPath(id), range: 'bytes=9-2' })).status, 400);
  const missing = await node.request({ method: 'GET', path: shardPath(shardId(9, 1)), range: 'bytes=0-1' });
  t.is(missing.status, 404);
  t.is((json(missing) as { error: string }).error, 'SHARD_NOT_FOUND');
});

test('unsigned, expired and forged requests get 403', async (t) => {
  const node = await startTestNode(t);
  const id = shardId(10, 0);
  await putShard(node, id, randomBytes(4, 64), 64);
  const unsigned = await rawRequest(node.node.url, { method: 'GET', path: shardPath(id) });
  t.is(unsigned.status, 403);
  t.is((json(unsigned) as { error: string }).error, 'SIGNATURE_MISSING');

  const expired = await node.request({ method: 'GET', path: shardPath(id), expiresAt: Math.floor(Date.now() / 1000) - 5 });
  t.is(expired.status, 403);
  t.is((json(expired) as { error: string }).error, 'SIGNATURE_EXPIRED');

  const forged = await signedRequest(node.node.url, 'a'.repeat(64), { method: 'GET', path: shardPath(id) });
  t.is(forged.status, 403);
  t.is((json(forged) as { error: string }).error, 'SIGNATURE_INVALID');

  // A valid signature for a GET does not authorise a DELETE of the same path.
  const getHeaders = signNodeRequest(node.secret, { method: 'GET', pathWithQuery: shardPath(id), expiresAt: Math.floor(Date.now() / 1000) + 60 });
  const replayed = await rawRequest(node.node.url, { method: 'DELETE', path: shardPath(id), headers: getHeaders });
  t.is(replayed.status, 403);
  // Nor does it cover a different range than the one signed.
  const rangeSwap = await rawRequest(node.node.url, { method: 'GET', path: shardPath(id), headers: { ...getHeaders, range: 'bytes=0-0' } });
  t.is(rangeSwap.status, 403);
  t.is((await node.request({ method: 'GET', path: shardPath(id) })).status, 200, 'the shard is still there');

  const unknownUnsigned = await rawRequest(node.node.url, { method: 'GET', path: '/nope' });
  t.is(unknownUnsigned.status, 403, 'only /health is open');
  t.is((await node.request({ method: 'GET', path: '/nope' })).status, 404);
});

test('path traversal with a valid signature gets 400 and touches nothing', async (t) => {
  const node = await startTestNode(t);
  // node-state.json (and its temp file while it is rewritten) is the node's own status for
  // `shardgate node status`, written after every heartbeat: not something a request touched.
  const files = async () => (await readdir(node.dataDir, { recursive: true })).filter((name) => !name.startsWith('node-state.json')).sort();
  const before = await files();
  const attempts = [
    '/shards/../../etc/passwd',
    '/shards/..%2F..%2Fetc%2Fpasswd',
    '/shards/%2e%2e/%2e%2e/etc/passwd',
    '/shards/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    '/shards/%2E%2E/node.json',
    '/shards/./../node.json',
    `/shards/${shardId(1, 0)}/../../node.json`,
    '/shards/..',
    '/shards/00000000000000000000000000000001.0%00',
    '/shards/0000000000000000000000000000000G.0',
    '/shards/00000000000000000000000000000001.1234',
  ];
  for (const attempt of attempts) {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const target = method === 'PUT' ? `${attempt}?chunkSize=64` : attempt;
      const response = await node.request({ method, path: target, body: method === 'PUT' ? Buffer.alloc(64) : undefined });
      t.is(response.status, 400, `${method} ${target}`);
    }
    const hashes = await node.request({ method: 'GET', path: `${attempt}/hashes` });
    t.is(hashes.status, 400, `GET ${attempt}/hashes`);
  }
  t.is((await node.request({ method: 'GET', path: '/shards?after=../x' })).status, 400);
  t.deepEqual(await files(), before);
});

test('commit with a wrong hash list is refused and nothing becomes visible', async (t) => {
  const node = await startTestNode(t);
  const id = shardId(11, 2);
  const data = randomBytes(5, 64 * 4);
  t.is((await node.request({ method: 'PUT', path: shardUploadPath(id, 64), body: data })).status, 200);
  const wrong = Buffer.from(hashChunks(data, 64));
  wrong[40]! ^= 1;
  const refused = await node.request({ method: 'POST', path: shardCommitPath(id), body: wrong });
  t.is(refused.status, 409);
  t.is((json(refused) as { error: string }).error, 'HASH_LIST_MISMATCH');
  t.is((await node.request({ method: 'GET', path: shardPath(id) })).status, 404);
  t.deepEqual(json(await node.request({ method: 'GET', path: shardListPath() })), { shards: [], next: null });
  // The upload is gone too: even the right list cannot commit it now.
  const late = await node.request({ method: 'POST', path: shardCommitPath(id), body: Buffer.from(hashChunks(data, 64)) });
  t.is(late.status, 404);
  t.is((json(late) as { error: string }).error, 'UPLOAD_NOT_FOUND');
  t.deepEqual(await readdir(path.join(node.dataDir, 'tmp')), []);
});

test('commit is idempotent; a different list for a committed shard is 409', async (t) => {
  const node = await startTestNode(t);
  const id = shardId(12, 0);
  const data = randomBytes(6, 128);
  const list = Buffer.from(hashChunks(data, 64));
  await putShard(node, id, data, 64);
  t.is((await node.request({ method: 'POST', path: shardCommitPath(id), body: list })).status, 204);
  t.is((await node.request({ method: 'POST', path: shardCommitPath(id), body: Buffer.alloc(64) })).status, 409);
  t.true((await node.request({ method: 'GET', path: shardPath(id) })).body.equals(data));
});

test('a re-upload replaces a committed shard (repair of a corrupt file)', async (t) => {
  const node = await startTestNode(t);
  const id = shardId(13, 4);
  const data = randomBytes(7, 192);
  await putShard(node, id, data, 64);
  const file = path.join(node.dataDir, 'shards', id.slice(0, 2), id);
  const corrupt = Buffer.from(data);
  corrupt[5]! ^= 0xff;
  await writeFile(file, corrupt);
  const { upload, commit } = await putShard(node, id, data, 64);
  t.is(upload.status, 200);
  t.is(commit.status, 204);
  t.true((await readFile(file)).equals(data));
});

test('a partial-chunk upload is refused, with or without Content-Length', async (t) => {
  const node = await startTestNode(t);
  const id = shardId(14, 0);
  const withLength = await node.request({ method: 'PUT', path: shardUploadPath(id, 64), body: randomBytes(8, 100) });
  t.is(withLength.status, 400);
  t.is((json(withLength) as { error: string }).error, 'PARTIAL_CHUNK');
  const chunked = await node.request({ method: 'PUT', path: shardUploadPath(id, 64), body: Readable.from([randomBytes(9, 64), randomBytes(10, 36)]) });
  t.is(chunked.status, 400);
  t.is((json(chunked) as { error: string }).error, 'PARTIAL_CHUNK');
  const commit = await node.request({ method: 'POST', path: shardCommitPath(id), body: Buffer.alloc(32) });
  t.is(commit.status, 404);
  t.deepEqual(await readdir(path.join(node.dataDir, 'tmp')), []);
  t.is((await node.request({ method: 'PUT', path: `/shards/${id}`, body: Buffer.alloc(64) })).status, 400, 'chunkSize is required');
  t.is((await node.request({ method: 'PUT', path: `/shards/${id}?chunkSize=0`, body: Buffer.alloc(64) })).status, 400);
});

test('an empty shard (empty segment) round-trips', async (t) => {
  const node = await startTestNode(t);
  const id = shardId(15, 0);
  const { upload, commit } = await putShard(node, id, Buffer.alloc(0), 64);
  t.deepEqual(json(upload), { length: 0 });
  t.is(commit.status, 204);
  const whole = await node.request({ method: 'GET', path: shardPath(id) });
  t.is(whole.status, 200);
  t.is(whole.body.length, 0);
  t.is((await node.request({ method: 'GET', path: shardPath(id), range: 'bytes=0-0' })).status, 416);
});

test('delete removes uncommitted uploads of the id', async (t) => {
  const node = await startTestNode(t);
  const id = shardId(16, 1);
  const data = randomBytes(11, 64);
  await node.request({ method: 'PUT', path: shardUploadPath(id, 64), body: data });
  t.is((await node.request({ method: 'DELETE', path: shardPath(id) })).status, 204);
  t.is((await node.request({ method: 'POST', path: shardCommitPath(id), body: Buffer.from(hashChunks(data, 64)) })).status, 404);
  t.deepEqual(await readdir(path.join(node.dataDir, 'tmp')), []);
});

test('listing is sorted and pages with after/limit across directories', async (t) => {
  const node = await startTestNode(t);
  const ids = [0x01, 0xff, 0x10, 0x1000].flatMap((high) => [0, 1, 5].map((index) => {
    const id = shardId(high, index);
    return `${id.slice(30, 32)}${id.slice(2, 30)}${id.slice(0, 2)}${id.slice(32)}`; // spread over first-byte dirs
  }));
  for (const id of ids) await putShard(node, id, randomBytes(ids.indexOf(id), 64), 64);
  const expected = [...ids].sort();
  const seen: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 10; page++) {
    const response = await node.request({ method: 'GET', path: shardListPath({ after, limit: 5 }) });
    const body = json(response) as { shards: string[]; next: string | null };
    seen.push(...body.shards);
    if (body.next === null) break;
    t.is(body.shards.length, 5);
    after = body.next;
  }
  t.deepEqual(seen, expected);
  t.is((await node.request({ method: 'GET', path: shardListPath({ limit: 0 }) })).status, 400);
});

test('request logs are one JSON line each and never hold a signature or secret', async (t) => {
  const node = await startTestNode(t);
  const id = shardId(17, 0);
  await putShard(node, id, randomBytes(12, 64), 64);
  const response = await node.request({ method: 'GET', path: shardPath(id) });
  t.is(response.status, 200);
  // A line is written once the response is fully out, which may be a moment after the client has it.
  const requestLines = () => node.logger.lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === 'request');
  for (let i = 0; i < 200 && requestLines().length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  const requests = requestLines();
  t.is(requests.length, 3);
  const get = requests.find((line) => line.method === 'GET' && line.path === shardPath(id));
  t.like(get, { status: 200, bytes: 64 });
  t.is(typeof get?.ms, 'number');
  const put = requests.find((line) => line.method === 'PUT');
  t.like(put, { status: 200, bytes: 64 });
  const all = node.logger.lines.join('\n');
  t.false(all.includes(node.secret));
  t.false(all.toLowerCase().includes(NODE_SIGNATURE_HEADER));
});

test('a commit body over the hash-list limit is refused with 413 before it is read', async (t) => {
  const node = await startTestNode(t);
  const id = shardId(14, 0);
  const oneByteThenNothing = new Readable({ read() {} });
  oneByteThenNothing.push(Buffer.alloc(1)); // the client sends its headers with the first body byte
  t.teardown(() => oneByteThenNothing.destroy());
  const refused = await node.request({
    method: 'POST', path: shardCommitPath(id), headers: { 'content-length': String(64 * 1024 * 1024 + 1) }, body: oneByteThenNothing,
  });
  t.is(refused.status, 413);
  t.is((json(refused) as { error: string }).error, 'INVALID_REQUEST');
});

test('an upload whose body stops sending is aborted after the progress timeout and leaves no temp file', async (t) => {
  const node = await startTestNode(t, { config: { bodyProgressTimeoutMs: 300 } });
  const id = shardId(15, 0);
  const stalled = new Readable({ read() {} });
  stalled.push(Buffer.alloc(64));
  t.teardown(() => stalled.destroy());
  await t.throwsAsync(node.request({ method: 'PUT', path: shardUploadPath(id, 64), headers: { 'content-length': String(64 * 4) }, body: stalled }));
  for (let i = 0; i < 50 && (await readdir(path.join(node.dataDir, 'tmp'))).length > 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
  t.deepEqual(await readdir(path.join(node.dataDir, 'tmp')), []);
  t.is((await node.request({ method: 'GET', path: shardPath(id) })).status, 404);
});
