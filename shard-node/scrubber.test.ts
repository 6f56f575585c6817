import { randomBytes } from 'node:crypto';
import { open, truncate, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import test from 'ava';
import { hashChunks } from '../src/integrity/hash-list.ts';
import { Scrubber } from './scrubber.ts';
import { ShardFileStore } from './shard-files.ts';
import { makeTempDir, memoryLogger } from './test-support.ts';

const CHUNK = 4096;
const id = (n: number) => `${n.toString(16).padStart(32, '0')}.${n % 6}`;

async function storeWithShards(t: Parameters<typeof makeTempDir>[0], count: number): Promise<ShardFileStore> {
  const store = await ShardFileStore.open(await makeTempDir(t));
  for (let n = 1; n <= count; n++) {
    const data = randomBytes(CHUNK * n);
    await store.receiveUpload(id(n), CHUNK, Readable.from([data]));
    await store.commit(id(n), hashChunks(data, CHUNK));
  }
  return store;
}

async function flipByte(file: string, offset: number): Promise<void> {
  const handle = await open(file, 'r+');
  const byte = Buffer.alloc(1);
  await handle.read(byte, 0, 1, offset);
  byte[0] = byte[0]! ^ 0xff;
  await handle.write(byte, 0, 1, offset);
  await handle.close();
}

const settings = { bytesPerSecond: 0, passEveryMs: 60_000 };

test('a pass re-hashes every shard and names exactly the corrupt ones: a flipped byte, a truncated file, a damaged hash list', async (t) => {
  const store = await storeWithShards(t, 6);
  const scrubber = new Scrubber(store, settings, async () => true, memoryLogger());
  const clean = await scrubber.scrubAll(new AbortController().signal);
  t.deepEqual(clean, { shards: 6, bytes: (1 + 2 + 3 + 4 + 5 + 6) * CHUNK + 21 * 32, corrupt: [] });

  await flipByte(store.paths.shardFile(id(2)), CHUNK + 100); // second chunk
  await truncate(store.paths.shardFile(id(4)), 4 * CHUNK - 1);
  await writeFile(store.paths.hashListFile(id(5)), randomBytes(5 * 32));
  const pass = await scrubber.scrubAll(new AbortController().signal);
  t.is(pass.shards, 6);
  t.deepEqual(pass.corrupt, [id(2), id(4), id(5)]);
  // Scrub deletes nothing: repair replaces the shard and garbage collection removes the file.
  t.is((await store.list(null, 100)).shards.length, 6);
});

test('corrupt shards are reported after the pass; a refused report is sent again after the next pass', async (t) => {
  const store = await storeWithShards(t, 3);
  await flipByte(store.paths.shardFile(id(3)), 5);
  const reports: string[][] = [];
  let accept = false;
  const stop = new AbortController();
  const scrubber = new Scrubber(store, { bytesPerSecond: 0, passEveryMs: 100 }, async (ids) => {
    reports.push([...ids]);
    if (!accept) {
      accept = true;
      return false;
    }
    stop.abort();
    return true;
  }, memoryLogger());
  await scrubber.run(stop.signal);
  t.deepEqual(reports, [[id(3)], [id(3)]]);
});

test('the rate limit holds a pass to its byte budget', async (t) => {
  const store = await storeWithShards(t, 2); // 3 chunks + 3 hashes
  const logger = memoryLogger();
  const stop = new AbortController();
  const scrubber = new Scrubber(store, { bytesPerSecond: CHUNK, passEveryMs: 60_000 }, async () => true, logger);
  const started = Date.now();
  await scrubber.scrubAll(stop.signal);
  // One second of burst, then a chunk a second: at least the two chunks beyond the burst waited.
  t.true(Date.now() - started >= 1500, `took ${Date.now() - started} ms`);
});
