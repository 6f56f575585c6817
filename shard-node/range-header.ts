/**
 * The node's side of `Range`: one `bytes=` range (`a-b`, `a-`, `-n`) over a shard file. The
 * gateway only ever sends `bytes=a-b` (see `formatNodeRange`); the other forms are accepted as
 * HTTP allows them. A range that is not a single well-formed byte range is a protocol error (400),
 * not "send the whole file": the gateway signs what it sends, so a bad header is a bug to surface.
 */
import { formatContentRange, parseByteRange } from '../src/byte-range.ts';
import type { Span } from '../src/span.ts';
import { InvalidNodeRequestError, RangeNotSatisfiableError } from './errors.ts';

export { formatContentRange };

/** The span to send, or null for the whole file. An end past the file is clamped (RFC 9110). */
export function parseNodeRange(header: string | undefined, size: number): Span | null {
  if (header === undefined) return null;
  const spec = parseByteRange(header);
  const unsupported = () => new InvalidNodeRequestError(`unsupported Range header "${header.slice(0, 64)}"`);
  if (spec === null) throw unsupported();
  if (spec.kind === 'suffix') {
    if (!Number.isSafeInteger(spec.length)) throw unsupported();
    const length = Math.min(spec.length, size);
    if (length === 0) throw new RangeNotSatisfiableError(size);
    return { offset: size - length, length };
  }
  if (!Number.isSafeInteger(spec.first) || (spec.last !== null && !Number.isSafeInteger(spec.last))) throw unsupported();
  if (spec.last !== null && spec.last < spec.first) {
    throw new InvalidNodeRequestError(`Range end before start in "${header.slice(0, 64)}"`);
  }
  if (spec.first >= size) throw new RangeNotSatisfiableError(size);
  const end = spec.last === null ? size - 1 : Math.min(spec.last, size - 1);
  return { offset: spec.first, length: end - spec.first + 1 };
}
