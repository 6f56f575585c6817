import type { Bucket } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { S3Request } from '../s3-dispatch.ts';

/** The request's bucket, which must exist and belong to the caller's account. */
export async function requireOwnedBucket(request: S3Request): Promise<Bucket> {
  const bucket = await request.deps.store.getBucket(request.bucket);
  if (!bucket) throw new S3Error('NoSuchBucket', { resource: `/${request.bucket}`, extra: { BucketName: request.bucket } });
  if (bucket.accountId !== request.auth.accountId) throw new S3Error('AccessDenied', { resource: `/${request.bucket}` });
  return bucket;
}
