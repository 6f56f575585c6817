import type { Span } from '../../src/span.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { unsatisfiedContentRange } from '../../src/s3/range.ts';

/**
 * `?range=<offset>,<length>`: the link form of a byte range, for players and CDNs that cannot
 * send a Range header (rewritten `_range/` playlists use it). Half-open, like every span inside
 * shardgate. A malformed value is 400 InvalidArgument; a span past the end is 416 InvalidRange
 * with `Content-Range: bytes *\/size`, as a Range header would get.
 */
export function parseRangeQuery(value: string, size: number): Span {
  const match = /^(\d{1,16}),(\d{1,16})$/.exec(value);
  if (!match) {
    throw new S3Error('InvalidArgument', {
      message: 'range must be <offset>,<length> in bytes, e.g. range=1024,4096',
      extra: { ArgumentName: 'range', ArgumentValue: value },
    });
  }
  const span = { offset: Number(match[1]), length: Number(match[2]) };
  if (span.offset + span.length > size) {
    throw new S3Error('InvalidRange', {
      headers: { 'Content-Range': unsatisfiedContentRange(size) },
      extra: { RangeRequested: `range=${value}`, ActualObjectSize: String(size) },
    });
  }
  return span;
}
