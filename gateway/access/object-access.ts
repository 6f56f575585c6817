import type { ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { PublicReadRequest } from '../s3-request.ts';
import { requireReadableBucket } from './bucket-access.ts';

/**
 * The current version of the request's object, in a bucket the caller may read (its own, or a
 * public-read one). A missing key is NoSuchKey: whoever may read the bucket may list it too.
 */
export async function requireObject(request: Pick<PublicReadRequest, 'deps' | 'bucket' | 'key' | 'auth'>): Promise<ObjectVersion> {
  await requireReadableBucket(request);
  const version = await request.deps.store.getObject(request.bucket, request.key);
  if (!version) throw new S3Error('NoSuchKey', { resource: `/${request.bucket}/${request.key}`, extra: { Key: request.key } });
  return version;
}
