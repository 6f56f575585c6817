import { CtrStream } from '../../src/crypto/ctr-cipher.ts';
import type { SegmentKeyOpener } from '../../src/crypto/segment-keys.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import type { ObjectVersion, SegmentRecord } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { intersectSpans, type Span } from '../../src/span.ts';
import { timed } from '../request-timing.ts';
import { readSegment, type ReadContext, type ReadReport } from './segment-reader.ts';

export interface ObjectReadContext extends ReadContext {
  readonly store: MetaStore;
  /** Opens SSE-S3 segments' data keys (the master key ring). */
  readonly masterKeys: SegmentKeyOpener;
}

/**
 * Streams `range` of an object: only the segments the range touches are loaded from the store,
 * and each is read through `readSegment`, so the object is a concatenation of segment readers.
 * Each segment's verified ciphertext is decrypted here, above the segment reader, from the
 * range's own offset (AES-256-CTR is seekable): the shard windows read are exactly those of the
 * range, encrypted or not. `given` opens the data keys: the master key ring unless given (SSE-C
 * passes the customer's; an SSE-C object without it is InvalidRequest). Segments written before
 * encryption (no key) pass through as they are.
 */
export async function* readObjectRange(
  ctx: ObjectReadContext,
  version: ObjectVersion,
  range: Span,
  report: ReadReport,
  signal: AbortSignal,
  given?: SegmentKeyOpener,
): AsyncGenerator<Uint8Array> {
  if (version.encryption?.mode === 'sse-c' && !given) {
    // A path that has no customer key (an archive member read, say) cannot open the object.
    throw new S3Error('InvalidRequest', {
      message: 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
    });
  }
  const keys = given ?? ctx.masterKeys;
  if (range.length === 0) return;
  const segments = await timed(report.timing, 'metadata', () => ctx.store.getSegments(version.versionId, range));
  for (const segment of segments) {
    const overlap = intersectSpans(range, { offset: segment.offset, length: segment.length });
    if (!overlap) continue;
    const segmentRange = { offset: overlap.offset - segment.offset, length: overlap.length };
    const cipher = segmentCipher(segment, segmentRange.offset, keys);
    const pieces = readSegment(ctx, segment, segmentRange, report, signal);
    if (!cipher) {
      yield* pieces;
      continue;
    }
    for await (const piece of pieces) yield cipher.transform(piece);
  }
}

/** The segment's keystream positioned at `offset`, or null for a segment stored in the clear. */
function segmentCipher(segment: SegmentRecord, offset: number, keys: SegmentKeyOpener): CtrStream | null {
  if (!segment.encryption) return null;
  const { key, iv } = keys.open(segment.id, segment.encryption);
  return new CtrStream(key, iv, offset);
}
