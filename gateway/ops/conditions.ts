import type { ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';

type HeaderReader = (name: string) => string | undefined;

/**
 * Conditional GET/HEAD with S3's precedence: If-Match beats If-Unmodified-Since (412), and
 * If-None-Match beats If-Modified-Since (304). Dates compare at one-second resolution, as HTTP
 * dates carry no more.
 */
export function checkReadConditions(version: ObjectVersion, header: HeaderReader): void {
  const ifMatch = header('if-match');
  const ifNoneMatch = header('if-none-match');
  const ifModifiedSince = parseHttpDate(header('if-modified-since'));
  const ifUnmodifiedSince = parseHttpDate(header('if-unmodified-since'));
  const modified = Math.floor(version.createdAt.getTime() / 1000);
  const notModified = () => new S3Error('NotModified', { headers: { etag: version.etag, 'last-modified': version.createdAt.toUTCString() } });

  if (ifMatch !== undefined) {
    if (!etagListMatches(ifMatch, version.etag)) throw new S3Error('PreconditionFailed', { extra: { Condition: 'If-Match' } });
  } else if (ifUnmodifiedSince !== null && modified > ifUnmodifiedSince) {
    throw new S3Error('PreconditionFailed', { extra: { Condition: 'If-Unmodified-Since' } });
  }
  if (ifNoneMatch !== undefined) {
    if (etagListMatches(ifNoneMatch, version.etag)) throw notModified();
  } else if (ifModifiedSince !== null && modified <= ifModifiedSince) {
    throw notModified();
  }
}

function etagListMatches(list: string, etag: string): boolean {
  const bare = etag.replace(/^"|"$/g, '');
  return list.split(',').some((candidate) => {
    const value = candidate.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return value === '*' || value === bare;
  });
}

/** Seconds since the epoch, or null when absent or not a date (S3 ignores a malformed date). */
function parseHttpDate(value: string | undefined): number | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
