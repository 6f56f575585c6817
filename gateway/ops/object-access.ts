import type { ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { S3Request } from '../s3-dispatch.ts';
import { requireOwnedBucket } from './bucket-access.ts';

/** The current version of the request's object, in a bucket the caller owns. */
export async function requireObject(request: S3Request): Promise<ObjectVersion> {
  await requireOwnedBucket(request);
  const version = await request.deps.store.getObject(request.bucket, request.key);
  if (!version) throw new S3Error('NoSuchKey', { resource: `/${request.bucket}/${request.key}`, extra: { Key: request.key } });
  return version;
}
