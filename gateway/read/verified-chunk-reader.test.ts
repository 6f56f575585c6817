import { createServer } from 'node:http';
import test from 'ava';
import { hashChunks, hashListRoot } from '../../src/integrity/hash-list.ts';
import { ShardClient } from '../nodes/shard-client.ts';
import { oneNodeRegistry, TEST_NODE_ID } from '../nodes/test-support.ts';
import { HashListCache } from './hash-list-cache.ts';
import { VerifiedChunkReader } from './verified-chunk-reader.ts';

const CHUNK = 1024;
const STRIPES = 6;
const SHARD = Buffer.from(Array.from({ length: CHUNK * STRIPES }, (_, i) => (i * 13 + (i >> 8)) & 0xff));
const SHARD_ID = `${'b'.repeat(32)}.0`;
/** Body pieces that straddle chunk boundaries every way: tiny, just short of, just past, and over two chunks. */
const PIECES = [1, 1022, 3, 1000, 2500, 7, 1, 1, 1000, 609];

test('chunks arriving in pieces that straddle chunk boundaries read back byte-identical and verified', async (t) => {
  t.is(PIECES.reduce((sum, piece) => sum + piece, 0), SHARD.length);
  const list = hashChunks(SHARD, CHUNK);
  const server = createServer(async (request, response) => {
    if (request.url!.endsWith('/hashes')) return void response.writeHead(200, { 'content-length': list.length }).end(Buffer.from(list));
    response.writeHead(206, { 'content-length': SHARD.length });
    let offset = 0;
    for (const piece of PIECES) {
      response.write(SHARD.subarray(offset, offset + piece));
      offset += piece;
      await new Promise((resolve) => setTimeout(resolve, 5)); // separate socket reads on the gateway side
    }
    response.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { registry } = await oneNodeRegistry(t, server, { shardTimeoutMs: 5_000 });
  const reader = new VerifiedChunkReader({
    client: new ShardClient(registry, () => new Date(), 5_000), hashLists: new HashListCache(1 << 20), node: registry.get(TEST_NODE_ID)!,
    shardId: SHARD_ID, placement: { shardIndex: 0, nodeId: TEST_NODE_ID, root: hashListRoot(list) }, chunkSize: CHUNK,
    window: { shardIndex: 0, firstStripe: 0, stripeCount: STRIPES, offset: 0, length: CHUNK * STRIPES },
    signal: new AbortController().signal,
  });
  const chunks: Uint8Array[] = [];
  try {
    for (let stripe = 0; stripe < STRIPES; stripe++) chunks.push(await reader.next());
  } finally {
    reader.close();
  }
  for (const [stripe, chunk] of chunks.entries()) {
    t.is(chunk.length, CHUNK, `stripe ${stripe}`);
    t.true(Buffer.from(chunk).equals(SHARD.subarray(stripe * CHUNK, (stripe + 1) * CHUNK)), `stripe ${stripe}`);
  }
  await t.throwsAsync(reader.next(), { message: /read past the window/ });
});
