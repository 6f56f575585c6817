import { BucketNotEmptyError, NoSuchBucketError } from '../../src/meta/store.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';

export async function deleteBucket(request: S3Request): Promise<Response> {
  await authorizeBucket(request);
  try {
    await request.deps.store.deleteBucket(request.bucket);
  } catch (error) {
    if (error instanceof BucketNotEmptyError) throw new S3Error('BucketNotEmpty', { extra: { BucketName: request.bucket } });
    if (error instanceof NoSuchBucketError) throw new S3Error('NoSuchBucket', { extra: { BucketName: request.bucket } });
    throw error;
  }
  return new Response(null, { status: 204 });
}
