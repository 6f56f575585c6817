import test from 'ava';
import { rename, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { hashChunks } from '../src/integrity/hash-list.ts';
import { openShardFile } from './open-shard.ts';
import { OpenShardCache, type OpenShardCacheOptions, type OpenShardFile } from './open-shard-cache.ts';
import { ShardFileStore } from './shard-files.ts';
import { makeTempDir } from './test-support.ts';

function shardId(segment: number, shardIndex: number): string {
  return `${segment.toString(16).padStart(32, '0')}.${shardIndex}`;
}

function bytes(length: number, seed: number): Buffer {
  return Buffer.from(Array.from({ length }, (_, i) => (i * seed + seed) % 251));
}

async function commitShard(store: ShardFileStore, id: string, data: Buffer): Promise<void> {
  await store.receiveUpload(id, 64, Readable.from([data]));
  await store.commit(id, hashChunks(data, 64));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function setup(t: Parameters<typeof makeTempDir>[0], options: OpenShardCacheOptions = {}) {
  const store = await ShardFileStore.open(await makeTempDir(t));
  const cache = new OpenShardCache((id) => store.paths.shardFile(id), options);
  t.teardown(() => cache.close());
  return { store, cache };
}

test('a cached shard is read again through the same descriptor, with the same bytes', async (t) => {
  const { store, cache } = await setup(t);
  const id = shardId(1, 0);
  const data = bytes(512, 3);
  await commitShard(store, id, data);
  for (let i = 0; i < 3; i++) {
    const shard = await cache.openShard(id);
    t.is(shard.size, 512);
    t.true((await shard.read({ offset: 64 * i, length: 100 })).equals(data.subarray(64 * i, 64 * i + 100)));
    await shard.close();
  }
  t.is(cache.size, 1);
  t.is(cache.openDescriptors, 1);
});

test('a shard replaced by a new commit, or renamed over by hand, is opened anew', async (t) => {
  const { store, cache } = await setup(t);
  const id = shardId(2, 1);
  await commitShard(store, id, bytes(256, 5));
  await (await cache.openShard(id)).close();
  const second = bytes(320, 7);
  await commitShard(store, id, second);
  let shard = await cache.openShard(id);
  t.is(shard.size, 320);
  t.true((await shard.read({ offset: 0, length: 320 })).equals(second));
  await shard.close();

  const third = bytes(192, 11);
  const replacement = `${store.paths.shardFile(id)}.new`;
  await writeFile(replacement, third);
  await rename(replacement, store.paths.shardFile(id));
  shard = await cache.openShard(id);
  t.is(shard.size, 192);
  t.true((await readAll(shard.stream(null))).equals(third));
  t.is(cache.openDescriptors, 1); // the replaced descriptors were closed
});

test('a deleted shard is not found, although its descriptor was cached', async (t) => {
  const { store, cache } = await setup(t);
  const id = shardId(3, 2);
  await commitShard(store, id, bytes(128, 13));
  await (await cache.openShard(id)).close();
  await store.delete(id);
  await t.throwsAsync(cache.openShard(id), { code: 'SHARD_NOT_FOUND' } as never);
  t.is(cache.size, 0);
  t.is(cache.openDescriptors, 0);
  await t.throwsAsync(cache.openShard(shardId(3, 3)), { code: 'SHARD_NOT_FOUND' } as never);
});

test('a file moved away and back by hand under a cached fd: not found while away, read again when back', async (t) => {
  // The case a link-count check of the cached descriptor (fstat) would miss: the moved file still has one link.
  const { store, cache } = await setup(t);
  const id = shardId(3, 4);
  const data = bytes(192, 41);
  await commitShard(store, id, data);
  await (await cache.openShard(id)).close();
  const file = store.paths.shardFile(id);
  await rename(file, `${file}.away`);
  await t.throwsAsync(cache.openShard(id), { code: 'SHARD_NOT_FOUND' } as never);
  t.is(cache.openDescriptors, 0, 'the moved file is not held');
  await rename(`${file}.away`, file);
  const shard = await cache.openShard(id);
  t.true((await shard.read({ offset: 0, length: 192 })).equals(data));
  await shard.close();
});

test('eviction while a read is in flight: the evicted descriptor stays open until that read is released', async (t) => {
  const { store, cache } = await setup(t, { maxEntries: 1 });
  const first = bytes(640, 17);
  const second = bytes(384, 19);
  await commitShard(store, shardId(4, 0), first);
  await commitShard(store, shardId(4, 1), second);
  const held = await cache.openShard(shardId(4, 0));
  const stream = held.stream({ offset: 10, length: 600 }, 64);
  const other = await cache.openShard(shardId(4, 1)); // evicts shard 4.0 from the cache
  t.is(cache.size, 1);
  t.is(cache.openDescriptors, 2);
  t.true((await readAll(stream)).equals(first.subarray(10, 610)));
  t.true((await other.read({ offset: 0, length: 384 })).equals(second));
  await other.close();
  await new Promise((resolve) => setImmediate(resolve)); // the stream releases its shard when it has ended
  t.is(cache.openDescriptors, 1); // 4.0's descriptor closed with its last read; 4.1 stays cached
  const again = await cache.openShard(shardId(4, 0));
  t.true((await again.read({ offset: 0, length: 640 })).equals(first));
  await again.close();
  t.is(cache.openDescriptors, 1);
});

test('reads opened before close() finish; the descriptors close after them', async (t) => {
  const { store, cache } = await setup(t);
  const data = bytes(256, 23);
  await commitShard(store, shardId(5, 0), data);
  const held = await cache.openShard(shardId(5, 0));
  cache.close();
  t.true((await held.read({ offset: 0, length: 256 })).equals(data));
  await held.close();
  await held.close(); // releasing twice is harmless
  t.is(cache.openDescriptors, 0);
  const later = await cache.openShard(shardId(5, 0)); // not cached any more
  await later.close();
  t.is(cache.openDescriptors, 0);
  t.is(cache.size, 0);
});

/** The real open + fstat, held after the file is open until the test calls `finish()`. */
function heldOpen() {
  let opened!: () => void;
  const isOpen = new Promise<void>((resolve) => { opened = resolve; });
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => { finish = resolve; });
  const openFile: OpenShardFile = async (shardId, file) => {
    const opening = await openShardFile(shardId, file);
    opened();
    await finished;
    return opening;
  };
  return { openFile, isOpen, finish };
}

test('an open in flight when its shard is deleted serves its read but is not cached: the deleted file is not held', async (t) => {
  const held = heldOpen();
  const { store, cache } = await setup(t, { openFile: held.openFile });
  const id = shardId(6, 0);
  const data = bytes(256, 29);
  await commitShard(store, id, data);
  const opening = cache.openShard(id);
  await held.isOpen; // the file is open, the open not yet finished
  await store.delete(id);
  cache.forget(id); // as the store does with its own cache, after removing the file
  held.finish();
  const shard = await opening;
  t.true((await shard.read({ offset: 0, length: 256 })).equals(data), 'the read that opened before the delete gets its bytes');
  t.is(cache.size, 0, 'not cached after forget()');
  await shard.close();
  t.is(cache.openDescriptors, 0, 'its descriptor closed with its read');
  await t.throwsAsync(cache.openShard(id), { code: 'SHARD_NOT_FOUND' } as never);
});

test('an open in flight when its shard is committed again is not cached; the next open reads the new bytes', async (t) => {
  const held = heldOpen();
  const { store, cache } = await setup(t, { openFile: held.openFile });
  const id = shardId(6, 1);
  await commitShard(store, id, bytes(256, 31));
  const opening = cache.openShard(id);
  await held.isOpen;
  const second = bytes(320, 37);
  await commitShard(store, id, second);
  cache.forget(id); // as the store does with its own cache, after renaming over the file
  held.finish();
  await (await opening).close();
  t.is(cache.size, 0);
  t.is(cache.openDescriptors, 0);
  const again = await cache.openShard(id);
  t.true((await again.read({ offset: 0, length: 320 })).equals(second));
  await again.close();
});
