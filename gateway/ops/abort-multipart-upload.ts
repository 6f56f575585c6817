import { noSuchUpload } from '../multipart/upload-access.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';

/** AbortMultipartUpload: the upload ends and its parts' shards go to the garbage collector. */
export async function abortMultipartUpload(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  const uploadId = request.query.get('uploadId') ?? '';
  if (!await request.deps.store.abortMultipartUpload(bucket.name, request.key, uploadId)) throw noSuchUpload(uploadId);
  request.deps.janitor.kick();
  return new Response(null, { status: 204 });
}
