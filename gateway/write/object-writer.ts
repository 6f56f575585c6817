import { segmentDataSize, stripeSize, type ErasureProfile } from '../../src/erasure/profile.ts';
import type { SegmentKeySealer } from '../../src/crypto/segment-keys.ts';
import type { SegmentRecord } from '../../src/meta/types.ts';
import { readBodyHead, sealInlineSegment } from './inline-segment.ts';
import { SegmentWriter, type WriteContext } from './segment-writer.ts';

/** Stripes encoded per codec call: large enough to amortise the call, small enough for memory. */
const TARGET_BATCH_BYTES = 4 * 1024 * 1024;

/** A segment whose uploads are ending and whose shards are committing. */
interface Finishing {
  readonly done: Promise<void>;
  failure: unknown;
}

export interface WrittenData {
  readonly size: number;
  readonly segments: SegmentRecord[];
}

/**
 * Cuts a streamed body into segments of whole stripes and writes each through a SegmentWriter.
 * A full segment finishes (its uploads end, its shards commit, fsync on the nodes) while the next
 * one streams: at most one segment finishing, so the commit round trip does not stall the body.
 * Memory is one batch buffer (≈ 4 MiB) plus the columns in flight, whatever the object size.
 * On any failure the open segment's uploads are stopped and the error propagates; the caller
 * abandons the write so its pending shards are collected. Every segment is encrypted with its own
 * data key sealed by `encryption` (see SegmentWriter): no plaintext byte leaves the gateway.
 *
 * With `inlineMaxBytes` > 0 (single-request uploads and re-encrypting copies; never parts), a body of at most that many bytes is
 * one inline segment instead (encrypted the same way, kept in the metadata: inline-segment.ts).
 * A `declaredLength` above the threshold skips the check; otherwise the body is held only until it
 * ends or passes the threshold (at most `inlineMaxBytes` plus the one piece that passes it).
 */
export async function writeObjectData(
  ctx: WriteContext,
  body: AsyncIterable<Uint8Array>,
  options: {
    profile: ErasureProfile; maxSegmentBytes: number; writeId: string; partNumber: number; encryption: SegmentKeySealer; signal: AbortSignal;
    inlineMaxBytes?: number; declaredLength?: number;
  },
): Promise<WrittenData> {
  const inlineMaxBytes = options.inlineMaxBytes ?? 0;
  if (inlineMaxBytes > 0 && !(options.declaredLength !== undefined && options.declaredLength > inlineMaxBytes)) {
    const head = await readBodyHead(body, inlineMaxBytes);
    if (head.ended) {
      const size = head.bytes.length;
      if (size === 0) return { size, segments: [] };
      ctx.metrics.inlineSegmentsWritten++;
      return { size, segments: [sealInlineSegment(head.bytes, options.encryption, options.profile, options.partNumber)] };
    }
    body = head.body;
  }
  const { profile, writeId, partNumber, signal } = options;
  const stripe = stripeSize(profile);
  const segmentCapacity = segmentDataSize(profile, options.maxSegmentBytes);
  const batch = Buffer.allocUnsafe(Math.max(1, Math.floor(TARGET_BATCH_BYTES / stripe)) * stripe);
  const segments: SegmentRecord[] = [];
  let writer: SegmentWriter | null = null;
  /** The previous segment, ending its uploads and committing while the next one streams (at most one). */
  let finishing: Finishing | null = null;
  let batchFill = 0;
  let segmentFill = 0;
  let size = 0;

  const batchLimit = () => Math.min(batch.length, segmentCapacity - segmentFill);
  const flushBatch = async () => {
    if (finishing?.failure) throw finishing.failure; // the previous segment failed: stop streaming this one
    const paddedLength = Math.ceil(batchFill / stripe) * stripe;
    batch.fill(0, batchFill, paddedLength);
    writer ??= await SegmentWriter.open(ctx, profile, writeId, options.encryption, signal);
    await writer.writeStripes(batch.subarray(0, paddedLength), batchFill);
    segmentFill += batchFill;
    batchFill = 0;
  };
  const settleFinishing = async () => {
    const previous = finishing;
    finishing = null;
    await previous?.done;
  };
  const finishSegment = async () => {
    await settleFinishing();
    const finished = writer!;
    // The previous segment is in `segments` (settled above), so this one's index is the count.
    const segment = { partNumber, index: segments.length, offset: size - segmentFill, length: segmentFill };
    const done = finished.finish(segment, signal).then((record) => { segments.push(record); });
    finishing = { done, failure: null };
    const entry = finishing;
    done.catch((error: unknown) => { entry.failure = error; }); // also awaited by the next finishSegment, the end, or the failure path
    writer = null;
    segmentFill = 0;
  };

  try {
    for await (const piece of body) {
      let offset = 0;
      while (offset < piece.length) {
        const take = Math.min(piece.length - offset, batchLimit() - batchFill);
        batch.set(piece.subarray(offset, offset + take), batchFill);
        batchFill += take;
        offset += take;
        size += take;
        if (batchFill === batchLimit()) {
          await flushBatch();
          if (segmentFill === segmentCapacity) await finishSegment();
        }
      }
    }
    if (batchFill > 0) await flushBatch();
    if (segmentFill > 0) await finishSegment();
    await settleFinishing();
    return { size, segments };
  } catch (error) {
    (writer as SegmentWriter | null)?.abort();
    const previous = finishing as Finishing | null;
    if (previous) {
      // Its commits are bounded by the shard timeout; wait for them so that nothing of this
      // write reaches a node after the caller has abandoned it.
      await previous.done.catch(() => {});
    }
    throw error;
  }
}
