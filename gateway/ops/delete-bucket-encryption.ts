import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';

/** DeleteBucketEncryption: 204 whether or not a default was set; new objects stay SSE-S3. */
export async function deleteBucketEncryption(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  await request.deps.store.setBucketEncryption(bucket.name, null);
  return new Response(null, { status: 204 });
}
