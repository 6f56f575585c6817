import type { ReedSolomonCodec } from '../../src/erasure/codec.ts';
import { NotEnoughShardsError, ShardCorruptError } from '../../src/erasure/errors.ts';
import { planSegmentRead, sliceOfChunk, type ShardWindow } from '../../src/erasure/layout.ts';
import { totalShards } from '../../src/erasure/profile.ts';
import type { Logger } from '../../src/log/logger.ts';
import { shardId, type SegmentRecord } from '../../src/meta/types.ts';
import type { Span } from '../../src/span.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { NodeRegistry } from '../nodes/registry.ts';
import type { ShardClient } from '../nodes/shard-client.ts';
import type { HashListCache } from './hash-list-cache.ts';
import { HashListCorruptError, VerifiedChunkReader } from './verified-chunk-reader.ts';

export interface ReadContext {
  readonly registry: NodeRegistry;
  readonly client: ShardClient;
  readonly codec: ReedSolomonCodec;
  readonly hashLists: HashListCache;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
}

export interface ShardFailure {
  readonly segmentId: string;
  readonly shardIndex: number;
  readonly nodeId: string | null;
  readonly reason: string;
  readonly corrupt: boolean;
}

/** What a read did, for the request log line: a degraded read succeeds *and* says what failed. */
export interface ReadReport {
  shardsRead: number;
  readonly failures: ShardFailure[];
}

/** Stripes decoded per codec call on the degraded path. */
const DECODE_BATCH_STRIPES = 16;

/**
 * Streams the bytes of `range` (segment-relative) of one segment, every byte verified.
 *
 * Healthy path: one window per data shard that holds bytes of the range, read in parallel, no
 * decoding. On the first failure (offline node, error, timeout, wrong bytes) the read continues
 * from the failed stripe in decode mode: any k good shards, batches of stripes reconstructed from
 * parity, a further failure replaced by the next shard. More than m bad shards throws
 * NotEnoughShardsError.
 */
export async function* readSegment(
  ctx: ReadContext,
  segment: SegmentRecord,
  range: Span,
  report: ReadReport,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const { profile } = segment;
  const plan = planSegmentRead(profile, segment.length, range);
  const endStripe = plan.firstStripe + plan.stripeCount;
  const bad = new Set<number>();
  const fail = (shardIndex: number, reason: string, corrupt = false) => {
    bad.add(shardIndex);
    const nodeId = segment.shards.find((s) => s.shardIndex === shardIndex)?.nodeId ?? null;
    report.failures.push({ segmentId: segment.id, shardIndex, nodeId, reason, corrupt });
    ctx.metrics.shardReadFailures++;
    if (corrupt) {
      ctx.metrics.corruptChunks++;
      ctx.logger.warn('shard_corrupt', { segmentId: segment.id, shardIndex, nodeId, reason });
    }
  };
  const open = (shardIndex: number, firstStripe: number, stripeCount: number): VerifiedChunkReader | null => {
    const placement = segment.shards.find((s) => s.shardIndex === shardIndex);
    if (!placement) {
      fail(shardIndex, 'shard was never stored');
      return null;
    }
    const node = ctx.registry.get(placement.nodeId);
    if (!node || !ctx.registry.isOnline(placement.nodeId)) {
      fail(shardIndex, 'node offline');
      return null;
    }
    report.shardsRead++;
    ctx.metrics.shardReads++;
    return new VerifiedChunkReader({
      client: ctx.client, hashLists: ctx.hashLists, node, placement, shardId: shardId(segment.id, shardIndex),
      chunkSize: profile.chunkSize, firstStripe, stripeCount, signal,
    });
  };
  const recordFailure = (reader: VerifiedChunkReader, error: unknown) => {
    const corrupt = error instanceof ShardCorruptError || error instanceof HashListCorruptError;
    fail(reader.shardIndex, corrupt ? (error as Error).message : describe(error), corrupt);
  };

  let stripe = plan.firstStripe;

  // Healthy path.
  const readers = new Map<number, { reader: VerifiedChunkReader; window: ShardWindow }>();
  let healthy = true;
  for (const window of plan.windows) {
    const reader = open(window.shardIndex, window.firstStripe, window.stripeCount);
    if (!reader) { healthy = false; break; }
    readers.set(window.shardIndex, { reader, window });
  }
  try {
    for (; healthy && stripe < endStripe; stripe++) {
      const active = [...readers.values()].filter(({ window }) => stripe >= window.firstStripe && stripe < window.firstStripe + window.stripeCount);
      const results = await Promise.allSettled(active.map(({ reader }) => reader.next()));
      results.forEach((result, i) => { if (result.status === 'rejected') recordFailure(active[i]!.reader, result.reason); });
      if (results.some((result) => result.status === 'rejected')) { healthy = false; break; }
      for (const [i, result] of results.entries()) {
        const slice = sliceOfChunk(profile, stripe, active[i]!.window.shardIndex, range);
        if (slice) yield (result as PromiseFulfilledResult<Uint8Array>).value.subarray(slice.offset, slice.offset + slice.length);
      }
    }
  } finally {
    for (const { reader } of readers.values()) reader.close();
  }
  if (stripe >= endStripe) return;

  // Degraded path: decode stripes [stripe, endStripe) from any k good shards.
  ctx.metrics.degradedSegmentReads++;
  const n = totalShards(profile);
  const k = profile.dataShards;
  const decoders = new Map<number, VerifiedChunkReader>();
  try {
    while (stripe < endStripe) {
      const batchStripes = Math.min(DECODE_BATCH_STRIPES, endStripe - stripe);
      const columns: (Uint8Array | null)[] = new Array(n).fill(null);
      let have = 0;
      // Readers opened earlier are positioned at `stripe`; replacements open at `stripe` too.
      while (have < k) {
        let pendingCount = [...decoders.keys()].filter((shardIndex) => !columns[shardIndex]).length;
        for (let shardIndex = 0; shardIndex < n && pendingCount < k - have; shardIndex++) {
          if (bad.has(shardIndex) || decoders.has(shardIndex)) continue;
          const reader = open(shardIndex, stripe, endStripe - stripe);
          if (reader) {
            decoders.set(shardIndex, reader);
            pendingCount++;
          }
        }
        const pending = [...decoders.entries()].filter(([shardIndex]) => !columns[shardIndex]);
        if (pending.length === 0) {
          ctx.metrics.unreadableSegments++;
          throw new NotEnoughShardsError({ needed: k, available: n - bad.size, failures: failuresOf(report, segment.id) });
        }
        const results = await Promise.allSettled(pending.map(([, reader]) => reader.nextChunks(batchStripes)));
        for (const [i, result] of results.entries()) {
          const [shardIndex, reader] = pending[i]!;
          if (result.status === 'fulfilled') {
            columns[shardIndex] = result.value;
            have++;
          } else {
            recordFailure(reader, result.reason);
            reader.close();
            decoders.delete(shardIndex);
          }
        }
      }
      const dataColumns = ctx.codec.reconstruct(profile, columns); // no wasm call when all data columns are present
      for (let s = 0; s < batchStripes; s++) {
        for (let j = 0; j < k; j++) {
          const slice = sliceOfChunk(profile, stripe + s, j, range);
          if (!slice) continue;
          const start = s * profile.chunkSize + slice.offset;
          yield dataColumns[j]!.subarray(start, start + slice.length);
        }
      }
      stripe += batchStripes;
    }
  } finally {
    for (const reader of decoders.values()) reader.close();
  }
}

function failuresOf(report: ReadReport, segmentId: string) {
  return report.failures.filter((f) => f.segmentId === segmentId).map((f) => ({ shardIndex: f.shardIndex, reason: f.reason }));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
