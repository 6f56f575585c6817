/**
 * The inclusive `bytes=first-last` form of HTTP ranges (RFC 9110 §14), and nothing else: every
 * other file speaks half-open `Span`s. What a range *means* differs per side — S3 ignores a
 * malformed header and serves the whole object (src/s3/range.ts), a shard node refuses it as a
 * protocol error (shard-node/range-header.ts) — so this file only reads and writes the syntax.
 */
import type { Span } from './span.ts';

/** One range-spec of a `Range: bytes=…` header, in the header's own inclusive terms. */
export type ByteRangeSpec =
  /** `first-last` or `first-` (`last` null). `last < first` is kept for the caller to judge. */
  | { readonly kind: 'from'; readonly first: number; readonly last: number | null }
  /** `-length`: the last `length` bytes. */
  | { readonly kind: 'suffix'; readonly length: number };

const UNIT = /^bytes=/i;
const FROM = /^(\d+)-(\d*)$/;
const SUFFIX = /^-(\d+)$/;

/**
 * The single range of a `Range` header; `null` when the header is absent, not in the `bytes`
 * unit, malformed, or a list of several ranges (`bytes=0-1,5-6`). Numbers too long to be exact
 * come back as inexact numbers: callers compare them with sizes or refuse unsafe integers.
 */
export function parseByteRange(header: string | undefined): ByteRangeSpec | null {
  if (header === undefined) return null;
  const value = header.trim();
  if (!UNIT.test(value)) return null;
  const spec = value.slice('bytes='.length);
  const from = FROM.exec(spec);
  if (from) return { kind: 'from', first: Number(from[1]), last: from[2] === '' ? null : Number(from[2]) };
  const suffix = SUFFIX.exec(spec);
  if (suffix) return { kind: 'suffix', length: Number(suffix[1]) };
  return null;
}

/** `bytes=first-last` asking for a non-empty span. */
export function formatRangeRequest(span: Span): string {
  if (!Number.isSafeInteger(span.offset) || !Number.isSafeInteger(span.length) || span.offset < 0 || span.length <= 0) {
    throw new RangeError(`a byte range must be a non-empty span, got {offset ${span.offset}, length ${span.length}}`);
  }
  return `bytes=${span.offset}-${span.offset + span.length - 1}`;
}

/** `Content-Range` of a 206: `bytes first-last/size`. */
export function formatContentRange(span: Span, size: number): string {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size must be a non-negative integer, got ${size}`);
  if (!Number.isSafeInteger(span.offset) || !Number.isSafeInteger(span.length) || span.offset < 0 || span.length <= 0 || span.offset + span.length > size) {
    throw new RangeError(`span {offset ${span.offset}, length ${span.length}} is not a non-empty part of ${size} bytes`);
  }
  return `bytes ${span.offset}-${span.offset + span.length - 1}/${size}`;
}

/** `Content-Range` of a 416: `bytes *\/size`. */
export function unsatisfiedContentRange(size: number): string {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`size must be a non-negative integer, got ${size}`);
  return `bytes */${size}`;
}
