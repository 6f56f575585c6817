import type { Bucket, ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import type { S3Request } from '../s3-request.ts';

/** NoSuchKey for the request's object, with S3's resource and Key. */
export function noSuchKey(request: Pick<S3Request, 'bucket' | 'key'>): S3Error {
  return new S3Error('NoSuchKey', { resource: `/${request.bucket}/${request.key}`, extra: { Key: request.key } });
}

/**
 * The current version of the request's object, after the access decision for the request's
 * operation (authorizeBucket: the owner, or whom the bucket policy allows; public-read ACLs open
 * object bytes, not tags or attributes). NoSuchBucket, AccessDenied, NoSuchKey in S3's order.
 */
export async function authorizeObject(request: S3Request): Promise<ObjectVersion> {
  return (await authorizeObjectIn(request)).version;
}

/** authorizeObject, with the bucket it read (its owner, its name). */
export async function authorizeObjectIn(request: S3Request): Promise<{ bucket: Bucket; version: ObjectVersion }> {
  const bucket = await authorizeBucket(request);
  const version = await request.deps.store.getObject(bucket.name, request.key);
  if (!version) throw noSuchKey(request);
  return { bucket, version };
}
