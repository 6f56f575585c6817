/**
 * The node's side of `Range`: one `bytes=` range (`a-b`, `a-`, `-n`) over a shard file. The
 * gateway only ever sends `bytes=a-b` (see `formatNodeRange`); the other forms are accepted as
 * HTTP allows them. A range that is not a single well-formed byte range is a protocol error (400),
 * not "send the whole file": the gateway signs what it sends, so a bad header is a bug to surface.
 */
import type { Span } from '../src/span.ts';
import { InvalidNodeRequestError, RangeNotSatisfiableError } from './errors.ts';

const RANGE_PATTERN = /^bytes=(?:(\d{1,16})-(\d{0,16})|-(\d{1,16}))$/;

/** The span to send, or null for the whole file. An end past the file is clamped (RFC 9110). */
export function parseNodeRange(header: string | undefined, size: number): Span | null {
  if (header === undefined) return null;
  const match = RANGE_PATTERN.exec(header.trim());
  if (!match) throw new InvalidNodeRequestError(`unsupported Range header "${header.slice(0, 64)}"`);
  const [, first, last, suffix] = match;
  if (suffix !== undefined) {
    const length = Math.min(Number(suffix), size);
    if (length === 0) throw new RangeNotSatisfiableError(size);
    return { offset: size - length, length };
  }
  const offset = Number(first);
  const end = last === '' || last === undefined ? size - 1 : Math.min(Number(last), size - 1);
  if (last !== '' && last !== undefined && Number(last) < offset) {
    throw new InvalidNodeRequestError(`Range end before start in "${header.slice(0, 64)}"`);
  }
  if (offset >= size) throw new RangeNotSatisfiableError(size);
  return { offset, length: end - offset + 1 };
}

export function formatContentRange(span: Span, size: number): string {
  return `bytes ${span.offset}-${span.offset + span.length - 1}/${size}`;
}
