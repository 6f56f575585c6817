import { CommitPreconditionError } from '../../src/meta/store.ts';
import type { CommitPrecondition, ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';

/**
 * A conditional PUT's precondition: `If-None-Match: *` (create only) or `If-Match: <etag>`
 * (replace only that version; `*` any). S3 accepts nothing else for writes: another
 * If-None-Match value, or both headers, is NotImplemented.
 */
export function writePrecondition(header: (name: string) => string | undefined): CommitPrecondition | undefined {
  const ifNoneMatch = header('if-none-match')?.trim();
  const ifMatch = header('if-match')?.trim();
  if (ifNoneMatch !== undefined && ifMatch !== undefined) {
    throw new S3Error('NotImplemented', { message: 'If-Match and If-None-Match together are not supported on writes.', extra: { Header: 'If-None-Match' } });
  }
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch !== '*') throw new S3Error('NotImplemented', { extra: { Header: 'If-None-Match' } });
    return { kind: 'absent' };
  }
  if (ifMatch === undefined) return undefined;
  return { kind: 'etag', etag: normalizedEtag(ifMatch) };
}

/** An If-Match value (or a DeleteObjects `<ETag>`) as stored ETags are written: quoted; `*` as is. */
export function normalizedEtag(value: string): string {
  const trimmed = value.trim();
  return trimmed === '*' ? '*' : `"${trimmed.replace(/^W\//, '').replace(/^"|"$/g, '')}"`;
}

/**
 * A conditional delete that failed (S3, 2024): no object under the key is 404 NoSuchKey, another
 * ETag 412 PreconditionFailed.
 */
export function deletePreconditionS3Error(error: CommitPreconditionError): S3Error {
  if (error.reason === 'absent') return new S3Error('NoSuchKey', { resource: `/${error.bucket}/${error.key}`, extra: { Key: error.key } });
  return new S3Error('PreconditionFailed', { extra: { Condition: 'If-Match' } });
}

/**
 * Checked before the body is read, so a doomed upload stops at once: an existing key for
 * If-None-Match and another ETag for If-Match are 412 PreconditionFailed; If-Match on a missing
 * key is 404 NoSuchKey, as on S3.
 */
export function checkWritePrecondition(precondition: CommitPrecondition, current: ObjectVersion | null, bucket: string, key: string): void {
  if (precondition.kind === 'absent') {
    if (current) throw new S3Error('PreconditionFailed', { extra: { Condition: 'If-None-Match' } });
    return;
  }
  if (!current) throw new S3Error('NoSuchKey', { resource: `/${bucket}/${key}`, extra: { Key: key } });
  if (precondition.etag !== '*' && precondition.etag !== current.etag) {
    throw new S3Error('PreconditionFailed', { extra: { Condition: 'If-Match' } });
  }
}

/**
 * The precondition failed at commit, after the upload: another write finished first (the first
 * to finish wins, the others get 412, as on S3), or the object was deleted meanwhile
 * (409 ConditionalRequestConflict: the client should fetch the state again and retry).
 */
export function commitPreconditionS3Error(error: CommitPreconditionError): S3Error {
  if (error.reason === 'absent') return new S3Error('ConditionalRequestConflict', { resource: `/${error.bucket}/${error.key}` });
  return new S3Error('PreconditionFailed', { extra: { Condition: error.reason === 'exists' ? 'If-None-Match' : 'If-Match' } });
}
