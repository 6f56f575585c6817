import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';

/** DeleteBucketLifecycle: 204 whether or not the bucket had rules, as S3 answers; the worker stops applying them. */
export async function deleteBucketLifecycle(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  await request.deps.store.setBucketLifecycle(bucket.name, null, request.deps.now());
  return new Response(null, { status: 204 });
}
