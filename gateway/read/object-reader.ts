import type { MetaStore } from '../../src/meta/store.ts';
import type { ObjectVersion } from '../../src/meta/types.ts';
import { intersectSpans, type Span } from '../../src/span.ts';
import { readSegment, type ReadContext, type ReadReport } from './segment-reader.ts';

/**
 * Streams `range` of an object: only the segments the range touches are loaded from the store,
 * and each is read through `readSegment`, so the object is a concatenation of segment readers.
 */
export async function* readObjectRange(
  ctx: ReadContext & { readonly store: MetaStore },
  version: ObjectVersion,
  range: Span,
  report: ReadReport,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (range.length === 0) return;
  for (const segment of await ctx.store.getSegments(version.versionId, range)) {
    const overlap = intersectSpans(range, { offset: segment.offset, length: segment.length });
    if (!overlap) continue;
    yield* readSegment(ctx, segment, { offset: overlap.offset - segment.offset, length: overlap.length }, report, signal);
  }
}
