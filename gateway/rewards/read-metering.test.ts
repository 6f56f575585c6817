import { createServer } from 'node:http';
import test, { type ExecutionContext } from 'ava';
import { hashChunks, hashListRoot } from '../../src/integrity/hash-list.ts';
import { createLogger } from '../../src/log/logger.ts';
import type { NodeServiceTotal } from '../../src/meta/rewards-types.ts';
import { ShardClient } from '../nodes/shard-client.ts';
import { oneNodeRegistry, TEST_NODE_ID } from '../nodes/test-support.ts';
import { HashListCache } from '../read/hash-list-cache.ts';
import { VerifiedChunkReader } from '../read/verified-chunk-reader.ts';
import { NodeServiceMeter } from './service-meter.ts';

const CHUNK = 1024;
const STRIPES = 4;
const SHARD = Buffer.from(Array.from({ length: CHUNK * STRIPES }, (_, i) => (i * 7) & 0xff));
const SHARD_ID = `${'a'.repeat(32)}.0`;
const TIMEOUT_MS = 1_000;

type Behaviour = 'good' | 'corrupt-chunk-1' | 'silent' | 'missing';

/**
 * A node answering the shard protocol over real HTTP with one shard, behaving as told: the reader,
 * shard client, meter and store under test are the gateway's own. Returns what the meter wrote to the store.
 */
async function readThrough(t: ExecutionContext, behaviour: Behaviour, read: (reader: VerifiedChunkReader) => Promise<void>, signal?: AbortSignal): Promise<NodeServiceTotal[]> {
  const list = hashChunks(SHARD, CHUNK);
  const server = createServer((request, response) => {
    if (behaviour === 'silent') return; // never answers
    if (behaviour === 'missing') return void response.writeHead(404).end();
    if (request.url!.endsWith('/hashes')) return void response.writeHead(200, { 'content-length': list.length }).end(Buffer.from(list));
    const [, from, to] = /bytes=(\d+)-(\d+)/.exec(request.headers.range ?? '')!;
    const body = Buffer.from(SHARD.subarray(Number(from), Number(to) + 1));
    if (behaviour === 'corrupt-chunk-1') body[CHUNK + 5]! ^= 0xff;
    response.writeHead(206, { 'content-length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { store, registry } = await oneNodeRegistry(t, server, { shardTimeoutMs: TIMEOUT_MS });
  const meter = new NodeServiceMeter({ store, logger: createLogger('test', { format: 'json', level: 'error' }), now: () => new Date() });
  const reader = new VerifiedChunkReader({
    client: new ShardClient(registry, () => new Date(), TIMEOUT_MS), hashLists: new HashListCache(1 << 20), node: registry.get(TEST_NODE_ID)!,
    shardId: SHARD_ID, placement: { shardIndex: 0, nodeId: TEST_NODE_ID, root: hashListRoot(list) }, chunkSize: CHUNK,
    window: { shardIndex: 0, firstStripe: 0, stripeCount: STRIPES, offset: 0, length: CHUNK * STRIPES },
    signal: signal ?? new AbortController().signal, service: { kind: 'audit', meter },
  });
  try {
    await read(reader);
  } finally {
    reader.close();
  }
  await meter.flush();
  return store.sumNodeService(TEST_NODE_ID, { from: new Date(0), to: new Date(Date.now() + 3_600_000) });
}

const readAll = async (reader: VerifiedChunkReader) => {
  for (let i = 0; i < STRIPES; i++) await reader.next().catch((error: Error) => { if (error.name !== 'ShardCorruptError') throw error; });
};
const counts = (rows: readonly NodeServiceTotal[]) => rows.map(({ kind, verifiedBytes, failedBytes, answered, failed }) => ({ kind, verifiedBytes, failedBytes, answered, failed }));

test('verified chunks are counted as verified egress of the kind the caller named, the request as answered', async (t) => {
  t.deepEqual(counts(await readThrough(t, 'good', readAll)), [{ kind: 'audit', verifiedBytes: STRIPES * CHUNK, failedBytes: 0, answered: 1, failed: 0 }]);
});

test('a chunk that fails its hash earns nothing and counts as failed bytes', async (t) => {
  t.deepEqual(counts(await readThrough(t, 'corrupt-chunk-1', readAll)), [{ kind: 'audit', verifiedBytes: 3 * CHUNK, failedBytes: CHUNK, answered: 1, failed: 0 }]);
});

test('a node that answers 404 or nothing before the deadline fails the request', async (t) => {
  const firstChunk = async (reader: VerifiedChunkReader) => { await t.throwsAsync(reader.next()); };
  t.deepEqual(counts(await readThrough(t, 'missing', firstChunk)), [{ kind: 'audit', verifiedBytes: 0, failedBytes: 0, answered: 0, failed: 1 }]);
  t.deepEqual(counts(await readThrough(t, 'silent', firstChunk)), [{ kind: 'audit', verifiedBytes: 0, failedBytes: 0, answered: 0, failed: 1 }]);
});

test('a read the caller gives up on (a client hanging up, a hedge) counts neither way', async (t) => {
  const abort = new AbortController();
  const hangUp = async (reader: VerifiedChunkReader) => {
    const pending = reader.next();
    abort.abort();
    await t.throwsAsync(pending);
  };
  t.deepEqual(await readThrough(t, 'silent', hangUp, abort.signal), []);
  t.deepEqual(await readThrough(t, 'silent', async () => {}), [], 'closed before any answer');
});
