import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';

/** DeleteBucketCors: 204 whether or not the bucket had rules, as S3 answers. */
export async function deleteBucketCors(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  await request.deps.store.setBucketCors(bucket.name, null);
  return new Response(null, { status: 204 });
}
