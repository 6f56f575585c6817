import { randomBytes } from 'node:crypto';
import type { SegmentKeySealer } from '../../src/crypto/segment-keys.ts';
import { stripeSize } from '../../src/erasure/profile.ts';
import type { SegmentScanEntry } from '../../src/meta/repair-types.ts';
import type { SegmentRecord } from '../../src/meta/types.ts';
import type { ReadContext, ReadReport } from '../read/segment-reader.ts';
import { readSegment } from '../read/segment-reader.ts';
import { writeObjectData } from '../write/object-writer.ts';
import type { WriteContext } from '../write/segment-writer.ts';

export interface ReencryptionContext extends ReadContext, WriteContext {
  /** Seals the new segments' data keys: the gateway's master key ring (SSE-S3). */
  readonly masterKeys: SegmentKeySealer;
  readonly janitor: { kick(): void };
}

/** A segment as `scanUnencryptedSegments` listed it: which one, where in the scan, at which placement version. */
export interface ListedSegment {
  readonly segmentId: string;
  readonly cursor: number;
  readonly placementVersion: number;
}

/**
 * What one segment's re-encryption did. `encrypted`: a new encrypted segment replaced it for
 * every object and part naming it. `gone`: no longer referenced in the clear (deleted,
 * overwritten, or encrypted already) — nothing written. `changed`: its placement moved since it
 * was listed (a repair, a concurrent run) — skipped; a later run finds it again if still in the
 * clear. A swap that loses the race after writing abandons the write (its shards are garbage).
 */
export type ReencryptionOutcome =
  | { readonly outcome: 'encrypted'; readonly segmentId: string; readonly newSegmentId: string; readonly bytes: number; readonly references: number; readonly objectsEncrypted: number }
  | { readonly outcome: 'gone' | 'changed'; readonly segmentId: string };

/**
 * Re-encrypts one segment stored in the clear: reads its bytes verified (the read path's segment
 * reader; a plaintext segment needs no decryption), writes them again through the write path's
 * segment writer — a fresh data key and IV sealed by the master key, the same placement,
 * operator cap, pending shards and write quorum as any upload — under a new segment id, then
 * swaps the new segment in with the store's `replaceSegment` if the old one is still at the
 * listed placement version. Memory is the writer's: one batch of stripes at a time.
 */
export async function reencryptSegment(ctx: ReencryptionContext, listed: ListedSegment, signal: AbortSignal): Promise<ReencryptionOutcome> {
  const [current] = await ctx.store.scanUnencryptedSegments(listed.cursor - 1, 1);
  if (!current || current.segmentId !== listed.segmentId) return skipped(ctx, listed, 'gone');
  if (current.placementVersion !== listed.placementVersion) return skipped(ctx, listed, 'changed');

  const writeId = randomBytes(16).toString('hex');
  const report: ReadReport = { shardsRead: 0, failures: [] };
  try {
    const written = await writeObjectData(ctx, readSegment(ctx, asRecord(current), { offset: 0, length: current.length }, report, signal), {
      profile: current.profile,
      // One segment: its capacity is the old segment's length rounded up to whole stripes.
      maxSegmentBytes: Math.max(1, Math.ceil(current.length / stripeSize(current.profile))) * stripeSize(current.profile),
      writeId, partNumber: 1, encryption: ctx.masterKeys, signal,
    });
    const [segment] = written.segments;
    if (written.segments.length !== 1 || written.size !== current.length) {
      throw new Error(`re-encrypting segment ${current.segmentId} wrote ${written.segments.length} segments of ${written.size} bytes, expected one of ${current.length}`);
    }
    const result = await ctx.store.replaceSegment({
      segmentId: current.segmentId, expectedVersion: current.placementVersion, writeId, objectEncryption: { mode: 'sse-s3' },
      replacement: { id: segment!.id, profile: segment!.profile, shards: segment!.shards, encryption: segment!.encryption },
    });
    if (!result.replaced) {
      await ctx.store.abandonWrite(writeId);
      ctx.janitor.kick();
      return skipped(ctx, listed, result.reason);
    }
    ctx.janitor.kick();
    ctx.logger.info('segment_reencrypted', {
      segmentId: current.segmentId, newSegmentId: result.segmentId, bytes: current.length, references: result.references,
      objectsEncrypted: result.objectsEncrypted, shardsRead: report.shardsRead, readFailures: report.failures.length,
    });
    return {
      outcome: 'encrypted', segmentId: current.segmentId, newSegmentId: result.segmentId, bytes: current.length,
      references: result.references, objectsEncrypted: result.objectsEncrypted,
    };
  } catch (error) {
    await ctx.store.abandonWrite(writeId).catch((abandonError: Error) => {
      ctx.logger.error('abandon_write_failed', { writeId, error: abandonError.message });
    });
    ctx.janitor.kick();
    ctx.logger.warn('segment_reencrypt_failed', { segmentId: listed.segmentId, error: (error as Error).message });
    throw error;
  }
}

function skipped(ctx: ReencryptionContext, listed: ListedSegment, reason: 'gone' | 'changed'): ReencryptionOutcome {
  ctx.logger.info('segment_reencrypt_skipped', { segmentId: listed.segmentId, reason });
  return { outcome: reason, segmentId: listed.segmentId };
}

/** The segment reader's view of a listed placement: segment-relative, in the clear. */
function asRecord(placement: SegmentScanEntry): SegmentRecord {
  return {
    id: placement.segmentId, partNumber: 1, index: 0, offset: 0, length: placement.length, profile: placement.profile,
    shards: placement.shards, encryption: null,
  };
}
