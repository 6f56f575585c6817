import { CommitPreconditionError } from '../../src/meta/store.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { deletePreconditionS3Error, normalizedEtag } from './write-conditions.ts';

/**
 * DeleteObject answers 204 whether or not the key existed, as S3 does — unless it is conditional
 * (`If-Match: <etag>` or `*`): then the key's current version is checked in the delete's own
 * transaction, 404 NoSuchKey without one, 412 PreconditionFailed with another ETag.
 */
export async function deleteObject(request: S3Request): Promise<Response> {
  await authorizeBucket(request);
  for (const header of ['x-amz-if-match-last-modified-time', 'x-amz-if-match-size']) {
    // S3 takes these on directory buckets only; ignoring them would delete what the client meant to keep.
    if (request.c.req.header(header) !== undefined) throw new S3Error('NotImplemented', { extra: { Header: header } });
  }
  const ifMatch = request.c.req.header('if-match');
  try {
    const removed = await request.deps.store.deleteObject(request.bucket, request.key, ifMatch === undefined ? undefined : normalizedEtag(ifMatch));
    if (removed) request.deps.janitor.kick();
  } catch (error) {
    if (error instanceof CommitPreconditionError) throw deletePreconditionS3Error(error);
    throw error;
  }
  return new Response(null, { status: 204 });
}
