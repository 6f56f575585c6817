import test from 'ava';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { MasterKeyRing } from '../../src/crypto/segment-keys.ts';
import { ReedSolomonCodec } from '../../src/erasure/codec.ts';
import { hashChunks } from '../../src/integrity/hash-list.ts';
import { silentLogger } from '../../src/log/logger.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import { createMetrics } from '../metrics.ts';
import type { NodeRegistry, NodeView } from '../nodes/registry.ts';
import type { ShardClient, ShardUpload } from '../nodes/shard-client.ts';
import { WriteQuorumError } from './errors.ts';
import { writeObjectData } from './object-writer.ts';
import type { WriteContext } from './segment-writer.ts';

const PROFILE = { dataShards: 4, parityShards: 2, chunkSize: 1024 };
const SEGMENT_BYTES = 8 * 4 * 1024; // 8 stripes a segment
const codec = ReedSolomonCodec.load();

/**
 * Six in-process "nodes": each upload collects its bytes; a commit checks the hash list against
 * them (as a node does) unless `failCommit` says the node refuses it. Records every event.
 */
function fakeCluster(failCommit: (shardId: string) => boolean = () => false) {
  const events: string[] = [];
  const received = new Map<string, Buffer>();
  const nodes = Array.from({ length: 6 }, (_, i) => ({ record: { id: `node-${i}`, zone: 'z', operatorId: `op-${i}`, freeBytes: 1e12 } }) as unknown as NodeView);
  const registry = {
    placementCandidates: () => nodes.map(({ record }) => ({ id: record.id, zone: record.zone, operatorId: record.operatorId!, freeBytes: record.freeBytes })),
    get: (id: string) => nodes.find((node) => node.record.id === id),
  } as unknown as NodeRegistry;
  const client = {
    upload(_node: NodeView, shardId: string): ShardUpload {
      const body = new PassThrough();
      events.push(`opened ${shardId}`);
      const pieces: Buffer[] = [];
      body.on('data', (piece: Buffer) => pieces.push(piece));
      const done = new Promise<void>((resolve, reject) => {
        body.on('end', () => { received.set(shardId, Buffer.concat(pieces)); events.push(`uploaded ${shardId}`); resolve(); });
        body.on('close', () => {
          if (!received.has(shardId)) events.push(`destroyed ${shardId}`);
          reject(new Error('upload destroyed'));
        });
      });
      done.catch(() => {});
      return { body, done };
    },
    async commit(_node: NodeView, shardId: string, list: Uint8Array): Promise<void> {
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (failCommit(shardId)) throw new Error('commit refused');
      if (!Buffer.from(hashChunks(received.get(shardId)!, PROFILE.chunkSize)).equals(Buffer.from(list))) throw new Error('hash list mismatch');
      events.push(`committed ${shardId}`);
    },
  } as unknown as ShardClient;
  const store = { addPendingShards: async () => {} } as unknown as MetaStore;
  const ctx: WriteContext = {
    store, registry, client, codec, config: { writeQuorum: 5, maxShardsPerOperator: 1 }, metrics: createMetrics(), logger: silentLogger, now: () => new Date(),
  };
  return { ctx, events, received };
}

async function* piecesOf(bytes: Buffer, size: number, pulled: { count: number }): AsyncGenerator<Uint8Array> {
  for (let offset = 0; offset < bytes.length; offset += size) {
    pulled.count += Math.min(size, bytes.length - offset);
    yield bytes.subarray(offset, offset + size);
  }
}

const options = (signal = new AbortController().signal) => ({
  profile: PROFILE, maxSegmentBytes: SEGMENT_BYTES, writeId: 'w1', partNumber: 1,
  encryption: new MasterKeyRing([{ id: 'mk1', key: randomBytes(32) }]), signal,
});

test('segments finish one behind the next: records in order, every shard committed before the write returns', async (t) => {
  const { ctx, events } = fakeCluster();
  const body = randomBytes(3 * SEGMENT_BYTES + 5000);
  const written = await writeObjectData(ctx, piecesOf(body, 7000, { count: 0 }), options());
  t.is(written.size, body.length);
  t.deepEqual(written.segments.map((s) => [s.index, s.offset, s.length, s.shards.length]), [
    [0, 0, SEGMENT_BYTES, 6], [1, SEGMENT_BYTES, SEGMENT_BYTES, 6], [2, 2 * SEGMENT_BYTES, SEGMENT_BYTES, 6], [3, 3 * SEGMENT_BYTES, 5000, 6],
  ]);
  t.is(events.filter((event) => event.startsWith('committed')).length, 4 * 6);
  for (const segment of written.segments) {
    for (const shard of segment.shards) t.true(events.includes(`committed ${segment.id}.${shard.shardIndex}`));
  }
});

test('a segment whose commits fail stops the write while the next segment streams: WriteQuorumError, the next segment uploads (if opened) destroyed, nothing committed', async (t) => {
  let firstSegment: string | null = null;
  const { ctx, events } = fakeCluster((shardId) => {
    firstSegment ??= shardId.split('.')[0]!;
    return shardId.startsWith(firstSegment);
  });
  const body = randomBytes(4 * SEGMENT_BYTES);
  const pulled = { count: 0 };
  await t.throwsAsync(writeObjectData(ctx, piecesOf(body, 4096, pulled), options()), { instanceOf: WriteQuorumError });
  t.false(events.some((event) => event.startsWith('committed')));
  // The second segment's uploads, if it got to open them before the failure was seen, are destroyed, not ended.
  await new Promise((resolve) => setImmediate(resolve));
  const later = events.filter((event) => event.startsWith('opened') && !event.includes(firstSegment!)).map((event) => event.slice('opened '.length));
  t.true(later.length === 0 || later.length === 6);
  for (const shardId of later) t.true(events.includes(`destroyed ${shardId}`), shardId);
  t.false(events.some((event) => event.startsWith('destroyed') && event.includes(firstSegment!)));
  t.true(pulled.count < 3 * SEGMENT_BYTES, `the body stopped within the second segment (pulled ${pulled.count})`);
});
