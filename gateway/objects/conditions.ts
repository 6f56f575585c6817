import type { ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';

type HeaderReader = (name: string) => string | undefined;

interface Conditions {
  readonly ifMatch: string | undefined;
  readonly ifNoneMatch: string | undefined;
  readonly ifModifiedSince: string | undefined;
  readonly ifUnmodifiedSince: string | undefined;
}

/** `ok`, or the condition that decided and whether it means "not modified" (304 on a read). */
type Verdict = 'ok' | { readonly condition: 'If-Match' | 'If-Unmodified-Since' | 'If-None-Match' | 'If-Modified-Since'; readonly notModified: boolean };

/**
 * RFC 9110 preconditions with S3's precedence: a holding If-Match overrides a failing
 * If-Unmodified-Since, and If-None-Match decides over If-Modified-Since. Dates compare at
 * one-second resolution, as HTTP dates carry no more; a malformed date is ignored, as S3 does.
 */
function evaluate(version: ObjectVersion, conditions: Conditions): Verdict {
  const modified = Math.floor(version.createdAt.getTime() / 1000);
  const ifModifiedSince = parseHttpDate(conditions.ifModifiedSince);
  const ifUnmodifiedSince = parseHttpDate(conditions.ifUnmodifiedSince);
  if (conditions.ifMatch !== undefined) {
    if (!etagListMatches(conditions.ifMatch, version.etag)) return { condition: 'If-Match', notModified: false };
  } else if (ifUnmodifiedSince !== null && modified > ifUnmodifiedSince) {
    return { condition: 'If-Unmodified-Since', notModified: false };
  }
  if (conditions.ifNoneMatch !== undefined) {
    if (etagListMatches(conditions.ifNoneMatch, version.etag)) return { condition: 'If-None-Match', notModified: true };
  } else if (ifModifiedSince !== null && modified <= ifModifiedSince) {
    return { condition: 'If-Modified-Since', notModified: true };
  }
  return 'ok';
}

/** Conditional GET/HEAD: 412 PreconditionFailed, or 304 Not Modified for If-None-Match / If-Modified-Since. */
export function checkReadConditions(version: ObjectVersion, header: HeaderReader): void {
  const verdict = evaluate(version, {
    ifMatch: header('if-match'),
    ifNoneMatch: header('if-none-match'),
    ifModifiedSince: header('if-modified-since'),
    ifUnmodifiedSince: header('if-unmodified-since'),
  });
  if (verdict === 'ok') return;
  if (verdict.notModified) {
    throw new S3Error('NotModified', { headers: { etag: version.etag, 'last-modified': version.createdAt.toUTCString() } });
  }
  throw new S3Error('PreconditionFailed', { extra: { Condition: verdict.condition } });
}

/**
 * `x-amz-copy-source-if-*` against the copy's source version: the same rules, but every failure is
 * 412 PreconditionFailed (a copy has no 304).
 */
export function checkCopySourceConditions(version: ObjectVersion, header: HeaderReader): void {
  const verdict = evaluate(version, {
    ifMatch: header('x-amz-copy-source-if-match'),
    ifNoneMatch: header('x-amz-copy-source-if-none-match'),
    ifModifiedSince: header('x-amz-copy-source-if-modified-since'),
    ifUnmodifiedSince: header('x-amz-copy-source-if-unmodified-since'),
  });
  if (verdict === 'ok') return;
  throw new S3Error('PreconditionFailed', { extra: { Condition: `x-amz-copy-source-${verdict.condition}` } });
}

function etagListMatches(list: string, etag: string): boolean {
  const bare = etag.replace(/^"|"$/g, '');
  return list.split(',').some((candidate) => {
    const value = candidate.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return value === '*' || value === bare;
  });
}

function parseHttpDate(value: string | undefined): number | null {
  if (value === undefined) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : Math.floor(ms / 1000);
}
