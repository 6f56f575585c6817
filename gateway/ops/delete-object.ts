import type { S3Request } from '../s3-request.ts';
import { requireOwnedBucket } from '../access/bucket-access.ts';

/** DeleteObject answers 204 whether or not the key existed, as S3 does. */
export async function deleteObject(request: S3Request): Promise<Response> {
  await requireOwnedBucket(request);
  const removed = await request.deps.store.deleteObject(request.bucket, request.key);
  if (removed) request.deps.janitor.kick();
  return new Response(null, { status: 204 });
}
