import { noSuchKey, authorizeObject } from '../objects/authorized-object.ts';
import type { S3Request } from '../s3-request.ts';

/** DeleteObjectTagging: the object keeps no tags; 204 (NoSuchKey when there is no object). */
export async function deleteObjectTagging(request: S3Request): Promise<Response> {
  await authorizeObject(request);
  if (!(await request.deps.store.setObjectTags(request.bucket, request.key, []))) throw noSuchKey(request);
  return new Response(null, { status: 204 });
}
