/**
 * A half-open byte span `[offset, offset + length)`. Every range inside shardgate is one of
 * these; the inclusive `bytes=a-b` form exists only in `src/byte-range.ts`.
 */
export interface Span {
  readonly offset: number;
  readonly length: number;
}

export function spanEnd(span: Span): number {
  return span.offset + span.length;
}

/** The overlap of two spans, or null when they do not overlap (an empty overlap is null too). */
export function intersectSpans(a: Span, b: Span): Span | null {
  const offset = Math.max(a.offset, b.offset);
  const end = Math.min(spanEnd(a), spanEnd(b));
  return end > offset ? { offset, length: end - offset } : null;
}
