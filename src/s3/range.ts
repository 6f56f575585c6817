/**
 * The HTTP `Range` header as S3 honours it, turned into a half-open `Span` at the edge (the
 * syntax itself is read by src/byte-range.ts).
 *
 * Rules (RFC 9110 §14.1–14.2 as S3 applies them):
 * - absent, not the `bytes` unit, malformed (`bytes=5-2`, `bytes=a-`, `bytes=-`), or several
 *   ranges (`bytes=0-1,5-6`: "Amazon S3 doesn't support retrieving multiple ranges of data per GET
 *   request") → `null`: the header is ignored and the whole object is served with 200;
 * - `first-last` / `first-`: unsatisfiable when `first ≥ size` → 416 InvalidRange; `last` past the
 *   end is clamped to `size - 1`;
 * - `-suffix`: the last `suffix` bytes (the whole object when `suffix ≥ size`); `-0` is
 *   unsatisfiable → 416.
 *
 * Empty objects: every `first-…` range is 416, as AWS answers (ceph/s3-tests
 * `test_ranged_request_empty_object`; MinIO #6557 and #17713, which quote AWS). A suffix range
 * `-n` (n > 0) on an empty object returns `null` (200, empty body), NOT 416: RFC 9110 §14.1.1 says
 * that for a zero-length representation "the only satisfiable form of range-spec is a
 * suffix-range with a non-zero suffix-length", a 206 cannot describe zero bytes (`bytes 0--1/0`),
 * and tail readers such as Trino's S3 `readTail` (which sends `bytes=-n` and does not handle 416)
 * read empty objects on AWS successfully. Serving the whole (empty) object is harmless either way.
 */
import { formatContentRange, parseByteRange, unsatisfiedContentRange } from '../byte-range.ts';
import type { Span } from '../span.ts';
import { S3Error } from './errors.ts';

export { formatContentRange, unsatisfiedContentRange };

function assertSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`object size must be a non-negative integer, got ${size}`);
}

function invalidRange(header: string, size: number): S3Error {
  return new S3Error('InvalidRange', {
    headers: { 'Content-Range': unsatisfiedContentRange(size) },
    // The two extra elements AWS puts in an InvalidRange error body.
    extra: { RangeRequested: header, ActualObjectSize: String(size) },
  });
}

/**
 * The span of a `Range` header for an object of `size` bytes; `null` = serve the whole object
 * (no header, or one S3 ignores). Throws `S3Error('InvalidRange')` (416, with
 * `Content-Range: bytes *\/size`) when the range cannot be satisfied.
 */
export function parseRangeHeader(header: string | undefined, size: number): Span | null {
  assertSize(size);
  const spec = parseByteRange(header);
  if (spec === null) return null;
  if (spec.kind === 'from') {
    const last = spec.last ?? Number.POSITIVE_INFINITY;
    if (last < spec.first) return null; // syntactically invalid: ignored, not an error
    if (spec.first >= size) throw invalidRange(header!, size);
    return { offset: spec.first, length: Math.min(last + 1, size) - spec.first };
  }
  if (spec.length === 0) throw invalidRange(header!, size);
  if (size === 0) return null; // see the note on empty objects above
  const length = Math.min(spec.length, size);
  return { offset: size - length, length };
}

const COPY_RANGE = /^bytes=(\d+)-(\d+)$/;

/**
 * `x-amz-copy-source-range` of UploadPartCopy: strictly `bytes=first-last` (no suffix, no open
 * end, no list; InvalidArgument otherwise, as S3 and ceph/s3-tests
 * `test_multipart_copy_improper_range` have it), inside a source of `size` bytes (InvalidRange
 * otherwise, `test_multipart_copy_invalid_range`).
 */
export function parseCopySourceRange(header: string, size: number): Span {
  assertSize(size);
  const match = COPY_RANGE.exec(header.trim());
  const first = match ? Number(match[1]) : Number.NaN;
  const last = match ? Number(match[2]) : Number.NaN;
  if (!match || !Number.isSafeInteger(first) || !Number.isSafeInteger(last) || last < first) {
    throw new S3Error('InvalidArgument', {
      message: 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      extra: { ArgumentName: 'x-amz-copy-source-range', ArgumentValue: header },
    });
  }
  if (last >= size) {
    throw new S3Error('InvalidRange', {
      message: `Range specified is not valid for source object of size: ${size}`,
      extra: { RangeRequested: header, ActualObjectSize: String(size) },
    });
  }
  return { offset: first, length: last - first + 1 };
}
