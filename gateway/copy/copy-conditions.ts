import type { ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';

type HeaderReader = (name: string) => string | undefined;

function failed(condition: string): S3Error {
  return new S3Error('PreconditionFailed', { extra: { Condition: condition } });
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

/**
 * `x-amz-copy-source-if-match / -if-none-match / -if-unmodified-since / -if-modified-since`
 * against the source version, with S3's precedence: if-match holding overrides a failing
 * if-unmodified-since, and if-none-match decides over if-modified-since. Every failure is 412
 * PreconditionFailed (a copy has no 304).
 */
export function checkCopySourceConditions(version: ObjectVersion, header: HeaderReader): void {
  const ifMatch = header('x-amz-copy-source-if-match');
  const ifNoneMatch = header('x-amz-copy-source-if-none-match');
  const ifModifiedSince = parseHttpDate(header('x-amz-copy-source-if-modified-since'));
  const ifUnmodifiedSince = parseHttpDate(header('x-amz-copy-source-if-unmodified-since'));
  const modified = Math.floor(version.createdAt.getTime() / 1000);

  if (ifMatch !== undefined) {
    if (!etagListMatches(ifMatch, version.etag)) throw failed('x-amz-copy-source-If-Match');
  } else if (ifUnmodifiedSince !== null && modified > ifUnmodifiedSince) {
    throw failed('x-amz-copy-source-If-Unmodified-Since');
  }
  if (ifNoneMatch !== undefined) {
    if (etagListMatches(ifNoneMatch, version.etag)) throw failed('x-amz-copy-source-If-None-Match');
  } else if (ifModifiedSince !== null && modified <= ifModifiedSince) {
    throw failed('x-amz-copy-source-If-Modified-Since');
  }
}
