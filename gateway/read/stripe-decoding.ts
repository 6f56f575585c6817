import { shardWindow, sliceOfChunk, type SegmentReadPlan } from '../../src/erasure/layout.ts';
import { totalShards } from '../../src/erasure/profile.ts';
import type { Span } from '../../src/span.ts';
import type { ReadContext } from './read-context.ts';
import type { SegmentShards } from './segment-shards.ts';
import type { VerifiedChunkReader } from './verified-chunk-reader.ts';

/** Stripes per codec call on the degraded path grow 1, 2, 4, … up to this, so the first byte is not held back. */
const MAX_DECODE_BATCH_STRIPES = 16;

/** Where the healthy path stopped. */
export interface Progress {
  /** The first stripe not completely sent yet. */
  stripe: number;
  /** Bytes of that stripe already sent (the decode path skips them). */
  bytesSentOfStripe: number;
}

/**
 * The k data chunks of one stripe, rebuilt after one of its chunks failed its hash: `known` are
 * the chunks of this stripe the healthy path already asked for (settled or not); more shards are
 * read for this one stripe (parity first in practice, as the data shards are mostly known) until
 * k chunks verify. Every failure is recorded; throws NotEnoughShardsError naming the stripe when
 * fewer than k good chunks exist.
 */
export async function recoverStripe(
  ctx: ReadContext,
  shards: SegmentShards,
  stripe: number,
  known: readonly { readonly shardIndex: number; readonly chunk: Promise<Uint8Array> }[],
): Promise<Uint8Array[]> {
  const { profile } = shards;
  const k = profile.dataShards;
  const columns: (Uint8Array | null)[] = new Array(totalShards(profile)).fill(null);
  const tried = new Set<number>();
  let good = 0;
  const take = async (entries: readonly { readonly shardIndex: number; readonly chunk: Promise<Uint8Array> }[]) => {
    const results = await Promise.allSettled(entries.map((entry) => entry.chunk));
    for (const [i, result] of results.entries()) {
      const { shardIndex } = entries[i]!;
      tried.add(shardIndex);
      if (result.status === 'fulfilled') {
        columns[shardIndex] = result.value;
        good++;
      } else {
        shards.fail(shardIndex, result.reason);
      }
    }
  };
  await take(known);
  while (good < k) {
    const more = shards.candidates((shardIndex) => tried.has(shardIndex)).slice(0, k - good);
    if (more.length === 0) throw shards.notEnough(stripe, good);
    const opened: { shardIndex: number; reader: VerifiedChunkReader }[] = [];
    for (const shardIndex of more) {
      tried.add(shardIndex);
      const reader = shards.open(shardWindow(profile, shardIndex, stripe, 1));
      if (reader) opened.push({ shardIndex, reader });
    }
    try {
      await take(opened.map(({ shardIndex, reader }) => ({ shardIndex, chunk: reader.next() })));
    } finally {
      for (const { reader } of opened) reader.close();
    }
  }
  return ctx.codec.reconstruct(profile, columns); // decodes only when a data chunk is missing
}

/**
 * Decode mode, from `progress` to the end of the plan: batches of stripes (1, 2, 4 … 16), each
 * column read from a shard opened at the batch's first stripe and kept for the next batches. Each
 * stripe needs k good chunks: a shard that fails outright is replaced by the next candidate (bad
 * for the rest of the read), a chunk that fails its hash only costs its stripe (another shard is
 * opened when that stripe is short). Stripes are decoded in runs with the same good chunks; a run
 * with every data chunk needs no codec call. Throws NotEnoughShardsError naming the first stripe
 * with fewer than k good chunks.
 */
export async function* readDecoded(
  ctx: ReadContext,
  shards: SegmentShards,
  plan: SegmentReadPlan,
  range: Span,
  progress: Progress,
): AsyncGenerator<Uint8Array> {
  const { profile } = shards;
  const { chunkSize } = profile;
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
      /** Batch-relative stripes whose chunk in `columns[shardIndex]` failed its hash. */
      const corrupt: (readonly number[])[] = new Array(n).fill([]);
      const goodChunks = new Array<number>(batchStripes).fill(0);
      for (;;) {
        let shortest = 0;
        for (let s = 1; s < batchStripes; s++) if (goodChunks[s]! < goodChunks[shortest]!) shortest = s;
        if (goodChunks[shortest]! >= k) break;
        // Readers opened earlier stand at `stripe`; new ones open there too.
        const waiting = [...readers.keys()].filter((shardIndex) => !columns[shardIndex]).length;
        let toOpen = k - goodChunks[shortest]! - waiting;
        for (const shardIndex of shards.candidates((i) => readers.has(i) || columns[i] !== null)) {
          if (toOpen <= 0) break;
          const reader = shards.open(shardWindow(profile, shardIndex, stripe, endStripe - stripe));
          if (!reader) continue;
          readers.set(shardIndex, reader);
          toOpen--;
        }
        const pending = [...readers.entries()].filter(([shardIndex]) => !columns[shardIndex]);
        if (pending.length === 0) throw shards.notEnough(stripe + shortest, goodChunks[shortest]!);
        const results = await Promise.allSettled(pending.map(([, reader]) => reader.nextChunks(batchStripes)));
        for (const [i, result] of results.entries()) {
          const [shardIndex, reader] = pending[i]!;
          if (result.status === 'rejected') {
            shards.fail(shardIndex, result.reason);
            reader.close();
            readers.delete(shardIndex);
            continue;
          }
          columns[shardIndex] = result.value.column;
          corrupt[shardIndex] = result.value.corruptStripes.map((stripeIndex) => stripeIndex - stripe);
          for (const stripeIndex of result.value.corruptStripes) shards.corruptChunk(shardIndex, stripeIndex);
          for (let s = 0; s < batchStripes; s++) if (!corrupt[shardIndex]!.includes(s)) goodChunks[s]!++;
        }
      }

      const usable = (shardIndex: number, s: number) => columns[shardIndex] !== null && !corrupt[shardIndex]!.includes(s);
      const pattern = (s: number) => columns.map((_, shardIndex) => (usable(shardIndex, s) ? '1' : '0')).join('');
      for (let runStart = 0; runStart < batchStripes;) {
        let runEnd = runStart + 1;
        const runPattern = pattern(runStart);
        while (runEnd < batchStripes && pattern(runEnd) === runPattern) runEnd++;
        const runColumns = columns.map((column, shardIndex) =>
          usable(shardIndex, runStart) ? column!.subarray(runStart * chunkSize, runEnd * chunkSize) : null);
        const dataColumns = ctx.codec.reconstruct(profile, runColumns); // no wasm call when all data chunks are good
        for (let s = runStart; s < runEnd; s++) {
          for (let j = 0; j < k; j++) {
            const slice = sliceOfChunk(profile, stripe + s, j, range);
            if (!slice) continue;
            let start = (s - runStart) * chunkSize + slice.offset;
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
        runStart = runEnd;
      }
      trimReaders(shards, readers, k);
      stripe += batchStripes;
    }
  } finally {
    for (const reader of readers.values()) reader.close();
  }
}

/** After a batch that needed an extra shard for a corrupt chunk, back to k readers: hedged ones go first, then the highest index. */
function trimReaders(shards: SegmentShards, readers: Map<number, VerifiedChunkReader>, k: number): void {
  if (readers.size <= k) return;
  const order = [...readers.keys()].sort((a, b) => Number(shards.isSlow(b)) - Number(shards.isSlow(a)) || b - a);
  for (const shardIndex of order.slice(0, readers.size - k)) {
    readers.get(shardIndex)!.close();
    readers.delete(shardIndex);
  }
}
