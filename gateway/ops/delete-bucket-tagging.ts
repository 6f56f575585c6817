import { authorizeBucket } from '../access/bucket-access.ts';
import type { S3Request } from '../s3-request.ts';

/** DeleteBucketTagging: 204 whether or not the bucket had tags, as S3 answers. */
export async function deleteBucketTagging(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  await request.deps.store.setBucketTags(bucket.name, null);
  return new Response(null, { status: 204 });
}
