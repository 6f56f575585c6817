import test from 'ava';
import { readdir, utimes } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { hashChunks } from '../src/integrity/hash-list.ts';
import { KeyedLock } from './keyed-lock.ts';
import { ShardFileStore } from './shard-files.ts';
import { ShardPaths } from './shard-paths.ts';
import { makeTempDir } from './test-support.ts';

function shardId(segment: number, shardIndex: number): string {
  return `${segment.toString(16).padStart(32, '0')}.${shardIndex}`;
}

async function commitShard(store: ShardFileStore, id: string, data: Buffer, chunkSize: number): Promise<void> {
  await store.receiveUpload(id, chunkSize, Readable.from([data]));
  await store.commit(id, hashChunks(data, chunkSize));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

test('paths are built only from valid ids and stay inside the data dir', (t) => {
  const paths = new ShardPaths('/srv/node');
  for (const bad of ['../x', '..', '', 'ab/../../etc/passwd', `${'a'.repeat(32)}.1/..`, `${'a'.repeat(32)}.1\0`]) {
    for (const build of [paths.shardFile, paths.hashListFile, paths.pendingFile, paths.pendingHashListFile, paths.tempPrefix]) {
      t.throws(() => build.call(paths, bad), { code: 'INVALID_SHARD_ID' } as never, bad);
    }
  }
  t.throws(() => paths.uploadFile(shardId(1, 0), '../../x'), { instanceOf: RangeError });
  const id = shardId(0xfe, 7);
  t.is(paths.shardFile(id), `/srv/node/shards/00/${id}`);
  t.is(paths.hashListFile(id), `/srv/node/shards/00/${id}.hashes`);
  t.is(paths.shardFile(`ab${'0'.repeat(30)}.1`), `/srv/node/shards/ab/ab${'0'.repeat(30)}.1`);
  t.is(path.dirname(paths.uploadFile(id, '0123456789ab')), '/srv/node/tmp');
});

test('reads stream exact spans from one open descriptor, even across a delete', async (t) => {
  const store = await ShardFileStore.open(await makeTempDir(t));
  const id = shardId(3, 1);
  const data = Buffer.from(Array.from({ length: 512 }, (_, i) => i % 251));
  await commitShard(store, id, data, 128);
  const shard = await store.openShard(id);
  t.is(shard.size, 512);
  await store.delete(id);
  t.true((await readAll(shard.stream({ offset: 127, length: 130 }))).equals(data.subarray(127, 257)));
  await t.throwsAsync(store.openShard(id), { code: 'SHARD_NOT_FOUND' } as never);
});

test('read and readBlocking return exactly a span in one buffer and fail, never pad, past the end of the file', async (t) => {
  const store = await ShardFileStore.open(await makeTempDir(t));
  const id = shardId(4, 2);
  const data = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 7) % 251));
  await commitShard(store, id, data, 128);
  const shard = await store.openShard(id);
  try {
    t.true((await shard.read({ offset: 0, length: 512 })).equals(data));
    t.true((await shard.read({ offset: 129, length: 200 })).equals(data.subarray(129, 329)));
    await t.throwsAsync(shard.read({ offset: 500, length: 20 }), { message: /ended 8 bytes early/ });
    t.true(shard.readBlocking({ offset: 0, length: 512 }).equals(data));
    t.true(shard.readBlocking({ offset: 129, length: 200 }).equals(data.subarray(129, 329)));
    t.throws(() => shard.readBlocking({ offset: 500, length: 20 }), { message: /ended 8 bytes early/ });
  } finally {
    await shard.close();
  }
});

test('usage is counted at open and kept up to date by commit, replace and delete', async (t) => {
  const dataDir = await makeTempDir(t);
  const store = await ShardFileStore.open(dataDir);
  await commitShard(store, shardId(1, 0), Buffer.alloc(256), 64);
  await commitShard(store, shardId(2, 0), Buffer.alloc(128), 64);
  t.deepEqual(store.usage, { usedBytes: 256 + 4 * 32 + 128 + 2 * 32, shardCount: 2 });
  await commitShard(store, shardId(2, 0), Buffer.alloc(64), 64);
  t.deepEqual(store.usage, { usedBytes: 256 + 4 * 32 + 64 + 32, shardCount: 2 });
  await store.delete(shardId(1, 0));
  await store.delete(shardId(1, 0));
  t.deepEqual(store.usage, { usedBytes: 64 + 32, shardCount: 1 });
  t.deepEqual((await ShardFileStore.open(dataDir)).usage, store.usage);
});

test('listing pages end with next = null exactly when nothing is left', async (t) => {
  const store = await ShardFileStore.open(await makeTempDir(t));
  const ids = [shardId(1, 0), shardId(1, 1), `ff${'0'.repeat(30)}.0`, `0a${'0'.repeat(30)}.3`];
  for (const id of ids) await commitShard(store, id, Buffer.alloc(64), 64);
  const sorted = [...ids].sort();
  t.deepEqual(await store.list(null, 4), { shards: sorted, next: null });
  t.deepEqual(await store.list(null, 3), { shards: sorted.slice(0, 3), next: sorted[2] });
  t.deepEqual(await store.list(sorted[2]!, 3), { shards: sorted.slice(3), next: null });
  t.deepEqual(await store.list(sorted[3]!, 3), { shards: [], next: null });
  t.deepEqual(await store.list(`05${'0'.repeat(30)}.0`, 10), { shards: sorted.slice(2), next: null });
});

test('the stale-temp sweep spares uploads that are still streaming', async (t) => {
  const dataDir = await makeTempDir(t);
  const store = await ShardFileStore.open(dataDir);
  const body = new PassThrough();
  const upload = store.receiveUpload(shardId(4, 0), 64, body);
  body.write(Buffer.alloc(64));
  const tmpDir = path.join(dataDir, 'tmp');
  let names: string[] = [];
  for (let i = 0; i < 100 && names.length === 0; i++) {
    names = await readdir(tmpDir);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const old = new Date(Date.now() - 3 * 60 * 60 * 1000);
  await utimes(path.join(tmpDir, names[0]!), old, old);
  t.is(await store.removeStaleTemp(60 * 60 * 1000, Date.now()), 0);
  body.end(Buffer.alloc(64));
  t.deepEqual(await upload, { length: 128 });
  const pending = await readdir(tmpDir);
  t.is(pending.length, 2);
  for (const name of pending) await utimes(path.join(tmpDir, name), old, old);
  t.is(await store.removeStaleTemp(60 * 60 * 1000, Date.now()), 2);
  await t.throwsAsync(store.commit(shardId(4, 0), new Uint8Array(64)), { code: 'UPLOAD_NOT_FOUND' } as never);
});

test('KeyedLock runs sections of one key in order and other keys concurrently', async (t) => {
  const lock = new KeyedLock();
  const events: string[] = [];
  const section = (name: string, ms: number) => async () => {
    events.push(`start ${name}`);
    await new Promise((resolve) => setTimeout(resolve, ms));
    events.push(`end ${name}`);
    if (name === 'a1') throw new Error('boom');
    return name;
  };
  const results = await Promise.allSettled([lock.run('a', section('a1', 30)), lock.run('a', section('a2', 1)), lock.run('b', section('b1', 1))]);
  t.deepEqual(results.map((r) => r.status), ['rejected', 'fulfilled', 'fulfilled']);
  t.true(events.indexOf('end a1') < events.indexOf('start a2'));
  t.true(events.indexOf('end b1') < events.indexOf('end a1'));
});

test('an upload of several write buffers in odd-sized pieces lands byte for byte, with the hash list of its chunks', async (t) => {
  const store = await ShardFileStore.open(await makeTempDir(t));
  const chunkSize = 3 * 64 * 1024; // does not divide the 1 MiB write buffer: 5 chunks a write
  const data = Buffer.alloc(17 * chunkSize);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + (i >>> 11)) & 0xff;
  const pieces: Buffer[] = [];
  for (let offset = 0, size = 1; offset < data.length; offset += size, size = (size * 7 + 12_345) % 200_000 + 1) {
    pieces.push(data.subarray(offset, offset + size));
  }
  const id = shardId(5, 3);
  t.deepEqual(await store.receiveUpload(id, chunkSize, Readable.from(pieces)), { length: data.length });
  await store.commit(id, hashChunks(data, chunkSize)); // throws HashListMismatchError unless the node's own list is this
  const shard = await store.openShard(id);
  try {
    t.true((await shard.read({ offset: 0, length: data.length })).equals(data));
  } finally {
    await shard.close();
  }
});

test('an upload that ends mid-chunk fails and leaves no temp file', async (t) => {
  const dataDir = await makeTempDir(t);
  const store = await ShardFileStore.open(dataDir);
  const pieces = [Buffer.alloc(1024 * 1024 + 64), Buffer.alloc(10)];
  await t.throwsAsync(store.receiveUpload(shardId(6, 0), 64, Readable.from(pieces)), { code: 'PARTIAL_CHUNK' } as never);
  t.deepEqual(await readdir(path.join(dataDir, 'tmp')), []);
});
