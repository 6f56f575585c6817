import { ShardCorruptError } from '../../src/erasure/errors.ts';
import { planSegmentRead, sliceOfChunk, type SegmentReadPlan, type ShardWindow } from '../../src/erasure/layout.ts';
import type { SegmentRecord } from '../../src/meta/types.ts';
import type { Span } from '../../src/span.ts';
import type { ReadContext, ReadReport } from './read-context.ts';
import { SegmentShards } from './segment-shards.ts';
import { readDecoded, recoverStripe, type Progress } from './stripe-decoding.ts';
import type { VerifiedChunkReader } from './verified-chunk-reader.ts';

export type { ReadContext, ReadReport, ShardFailure } from './read-context.ts';

/**
 * Streams the bytes of `range` (segment-relative) of one segment, every byte verified.
 *
 * Healthy path: one window per data shard that holds bytes of the range (the plan's windows), all
 * requested at once, each chunk sent as soon as it and the chunks before it are verified; no
 * decoding, no copies. A chunk that fails its hash costs only its stripe: that stripe is rebuilt
 * from k good chunks (one-stripe reads of other shards) and the healthy path goes on. Any other
 * failure (error, timeout, short body) — or at once when a needed node is known to be offline,
 * or when a shard's first chunk is later than its node's recent p95 (a hedge) — continues the read
 * from that stripe in decode mode (see `readDecoded`). A stripe with fewer than k good chunks
 * throws NotEnoughShardsError naming it.
 *
 * An inline segment (a tiny object kept in the metadata) has no shards: its stored ciphertext is
 * the span, from memory, and everything above (decryption, object ranges, copies, archive
 * members) reads it as any other segment.
 */
export async function* readSegment(
  ctx: ReadContext,
  segment: SegmentRecord,
  range: Span,
  report: ReadReport,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (segment.inlineCiphertext) {
    if (range.offset + range.length > segment.inlineCiphertext.length) {
      throw new Error(`inline segment ${segment.id} holds ${segment.inlineCiphertext.length} bytes, not ${range.offset + range.length}`);
    }
    if (range.length > 0) yield segment.inlineCiphertext.subarray(range.offset, range.offset + range.length);
    return;
  }
  const planningSince = performance.now();
  const plan = planSegmentRead(segment.profile, segment.length, range);
  report.timing?.add('plan', planningSince);
  const shards = new SegmentShards(ctx, segment, report, signal);
  const progress: Progress = { stripe: plan.firstStripe, bytesSentOfStripe: 0 };
  if (plan.windows.every((window) => shards.usable(window.shardIndex))) {
    yield* readDirect(ctx, shards, plan, range, progress);
  }
  if (progress.stripe < plan.firstStripe + plan.stripeCount) {
    shards.markDegraded();
    yield* readDecoded(ctx, shards, plan, range, progress);
  }
}

interface DirectReader {
  readonly window: ShardWindow;
  readonly reader: VerifiedChunkReader;
}

async function* readDirect(
  ctx: ReadContext,
  shards: SegmentShards,
  plan: SegmentReadPlan,
  range: Span,
  progress: Progress,
): AsyncGenerator<Uint8Array> {
  const { profile } = shards;
  const endStripe = plan.firstStripe + plan.stripeCount;
  const readers: DirectReader[] = plan.windows.map((window) => ({ window, reader: shards.open(window)! }));
  try {
    for (; progress.stripe < endStripe; progress.stripe++) {
      const stripe = progress.stripe;
      const active = readers.filter(({ window }) => stripe >= window.firstStripe && stripe < window.firstStripe + window.stripeCount);
      const chunks = active.map(({ reader }) => reader.next());
      for (const chunk of chunks) chunk.catch(() => {}); // each is awaited below, or abandoned on an earlier failure
      progress.bytesSentOfStripe = 0;
      /** The stripe's k data chunks, once a corrupt chunk made it rebuild the stripe. */
      let rebuilt: Uint8Array[] | null = null;
      for (const [i, { window }] of active.entries()) {
        let chunk: Uint8Array;
        if (rebuilt) {
          chunk = rebuilt[window.shardIndex]!;
        } else {
          try {
            const hedgeMs = stripe === window.firstStripe ? shards.hedgeDelayMs(window.shardIndex) : null;
            const arrived = hedgeMs === null ? await chunks[i]! : await beforeDeadline(chunks[i]!, hedgeMs);
            if (arrived === LATE) {
              shards.markSlow(window.shardIndex, hedgeMs!);
              return;
            }
            chunk = arrived;
          } catch (error) {
            if (!(error instanceof ShardCorruptError)) {
              shards.fail(window.shardIndex, error);
              return;
            }
            shards.markDegraded();
            rebuilt = await recoverStripe(ctx, shards, stripe, active.map(({ window: w }, j) => ({ shardIndex: w.shardIndex, chunk: chunks[j]! })));
            chunk = rebuilt[window.shardIndex]!;
          }
        }
        const slice = sliceOfChunk(profile, stripe, window.shardIndex, range);
        if (!slice) continue;
        yield chunk.subarray(slice.offset, slice.offset + slice.length);
        progress.bytesSentOfStripe += slice.length;
      }
      if (rebuilt && active.some(({ window }) => shards.isBad(window.shardIndex))) {
        // A shard of this stripe failed for good while it was rebuilt: decode mode from the next stripe.
        progress.stripe = stripe + 1;
        progress.bytesSentOfStripe = 0;
        return;
      }
    }
  } finally {
    for (const { reader } of readers) reader.close();
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
