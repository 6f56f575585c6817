import type { ReedSolomonCodec } from '../../src/erasure/codec.ts';
import { NotEnoughShardsError } from '../../src/erasure/errors.ts';
import { planSegmentRead, sliceOfChunk, type SegmentReadPlan } from '../../src/erasure/layout.ts';
import { totalShards } from '../../src/erasure/profile.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { SegmentRecord } from '../../src/meta/types.ts';
import type { Span } from '../../src/span.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { NodeRegistry } from '../nodes/registry.ts';
import type { ShardClient } from '../nodes/shard-client.ts';
import type { HashListCache } from './hash-list-cache.ts';
import type { NodeLatency } from './node-latency.ts';
import { SegmentShards } from './segment-shards.ts';
import type { VerifiedChunkReader } from './verified-chunk-reader.ts';

export interface ReadContext {
  readonly registry: NodeRegistry;
  readonly client: ShardClient;
  readonly codec: ReedSolomonCodec;
  readonly hashLists: HashListCache;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly latency: NodeLatency;
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

/** Stripes per codec call on the degraded path grow 1, 2, 4, … up to this, so the first byte is not held back. */
const MAX_DECODE_BATCH_STRIPES = 16;

/**
 * Streams the bytes of `range` (segment-relative) of one segment, every byte verified.
 *
 * Healthy path: one window per data shard that holds bytes of the range, all requested at once,
 * each chunk sent as soon as it and the chunks before it are verified; no decoding. On the first
 * failure (error, timeout, wrong bytes) — or at once when a needed node is known to be offline,
 * or when a shard's first chunk is later than its node's recent p95 (a hedge) — the read
 * continues from that stripe in decode mode: any k good shards, stripes reconstructed from
 * parity, a further failure replaced by the next shard; a hedged shard is still used when nothing
 * better is left. More than m bad shards throws NotEnoughShardsError.
 */
export async function* readSegment(
  ctx: ReadContext,
  segment: SegmentRecord,
  range: Span,
  report: ReadReport,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  const plan = planSegmentRead(segment.profile, segment.length, range);
  const shards = new SegmentShards(ctx, segment, report, signal);
  const progress = { stripe: plan.firstStripe, bytesSentOfStripe: 0 };
  if (plan.windows.every((window) => shards.usable(window.shardIndex))) {
    yield* readDirect(shards, plan, range, progress);
  }
  if (progress.stripe < plan.firstStripe + plan.stripeCount) {
    ctx.metrics.degradedSegmentReads++;
    yield* readDecoded(ctx, shards, plan, range, progress);
  }
}

interface Progress {
  /** The first stripe not completely sent yet. */
  stripe: number;
  /** Bytes of that stripe already sent (the decode path skips them). */
  bytesSentOfStripe: number;
}

async function* readDirect(shards: SegmentShards, plan: SegmentReadPlan, range: Span, progress: Progress): AsyncGenerator<Uint8Array> {
  const { profile } = shards;
  const endStripe = plan.firstStripe + plan.stripeCount;
  const readers = plan.windows.map((window) => ({ window, reader: shards.open(window.shardIndex, window.firstStripe, window.stripeCount)! }));
  try {
    for (; progress.stripe < endStripe; progress.stripe++) {
      const stripe = progress.stripe;
      const active = readers.filter(({ window }) => stripe >= window.firstStripe && stripe < window.firstStripe + window.stripeCount);
      const chunks = active.map(({ reader }) => reader.next());
      for (const chunk of chunks) chunk.catch(() => {}); // each is awaited below, or abandoned on an earlier failure
      progress.bytesSentOfStripe = 0;
      for (const [i, { window, reader }] of active.entries()) {
        let chunk: Uint8Array;
        try {
          const hedgeMs = stripe === window.firstStripe ? shards.hedgeDelayMs(window.shardIndex) : null;
          const arrived = hedgeMs === null ? await chunks[i]! : await beforeDeadline(chunks[i]!, hedgeMs);
          if (arrived === LATE) {
            shards.markSlow(window.shardIndex, hedgeMs!);
            return;
          }
          chunk = arrived;
        } catch (error) {
          shards.fail(reader.shardIndex, error);
          return;
        }
        const slice = sliceOfChunk(profile, stripe, window.shardIndex, range);
        if (!slice) continue;
        yield chunk.subarray(slice.offset, slice.offset + slice.length);
        progress.bytesSentOfStripe += slice.length;
      }
    }
  } finally {
    for (const { reader } of readers) reader.close();
  }
}

async function* readDecoded(
  ctx: ReadContext,
  shards: SegmentShards,
  plan: SegmentReadPlan,
  range: Span,
  progress: Progress,
): AsyncGenerator<Uint8Array> {
  const { profile } = shards;
  const n = totalShards(profile);
  const k = profile.dataShards;
  const endStripe = plan.firstStripe + plan.stripeCount;
  let skip = progress.bytesSentOfStripe;
  let batchLimit = 1;
  const readers = new Map<number, VerifiedChunkReader>();
  try {
    for (let stripe = progress.stripe; stripe < endStripe;) {
      const batchStripes = Math.min(batchLimit, endStripe - stripe);
      batchLimit = Math.min(MAX_DECODE_BATCH_STRIPES, batchLimit * 2);
      const columns: (Uint8Array | null)[] = new Array(n).fill(null);
      let have = 0;
      while (have < k) {
        // Readers opened earlier stand at `stripe`; replacements open at `stripe` too.
        let waiting = [...readers.keys()].filter((shardIndex) => !columns[shardIndex]).length;
        // Good shards first; hedged (slow) ones only when nothing better is left.
        for (const allowSlow of [false, true]) {
          for (let shardIndex = 0; shardIndex < n && waiting < k - have; shardIndex++) {
            if (readers.has(shardIndex) || shards.isBad(shardIndex) || (shards.isSlow(shardIndex) && !allowSlow)) continue;
            const reader = shards.open(shardIndex, stripe, endStripe - stripe);
            if (reader) {
              readers.set(shardIndex, reader);
              waiting++;
            }
          }
        }
        const pending = [...readers.entries()].filter(([shardIndex]) => !columns[shardIndex]);
        if (pending.length === 0) {
          ctx.metrics.unreadableSegments++;
          throw new NotEnoughShardsError({ needed: k, available: n - shards.badCount, failures: shards.failures() });
        }
        const results = await Promise.allSettled(pending.map(([, reader]) => reader.nextChunks(batchStripes)));
        for (const [i, result] of results.entries()) {
          const [shardIndex, reader] = pending[i]!;
          if (result.status === 'fulfilled') {
            columns[shardIndex] = result.value;
            have++;
          } else {
            shards.fail(shardIndex, result.reason);
            reader.close();
            readers.delete(shardIndex);
          }
        }
      }
      const dataColumns = ctx.codec.reconstruct(profile, columns); // no wasm call when all data columns are present
      for (let s = 0; s < batchStripes; s++) {
        for (let j = 0; j < k; j++) {
          const slice = sliceOfChunk(profile, stripe + s, j, range);
          if (!slice) continue;
          let start = s * profile.chunkSize + slice.offset;
          let length = slice.length;
          if (skip > 0) {
            const skipped = Math.min(skip, length);
            skip -= skipped;
            start += skipped;
            length -= skipped;
            if (length === 0) continue;
          }
          yield dataColumns[j]!.subarray(start, start + length);
        }
      }
      stripe += batchStripes;
    }
  } finally {
    for (const reader of readers.values()) reader.close();
  }
}

const LATE = Symbol('late');

/** The promise's value, or LATE when it has not settled within `milliseconds`. */
async function beforeDeadline<T>(promise: Promise<T>, milliseconds: number): Promise<T | typeof LATE> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<typeof LATE>((resolve) => { timer = setTimeout(() => resolve(LATE), milliseconds); });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
