import type { MultipartUpload } from '../../src/meta/multipart-types.ts';
import type { Bucket } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { S3Request } from '../s3-request.ts';

export function noSuchUpload(uploadId: string): S3Error {
  return new S3Error('NoSuchUpload', { extra: { UploadId: uploadId } });
}

/** The upload named by `?uploadId=`, in progress for the request's bucket and key; NoSuchUpload otherwise. */
export async function requireUpload(request: S3Request, bucket: Bucket): Promise<MultipartUpload> {
  const uploadId = request.query.get('uploadId') ?? '';
  const upload = uploadId === '' ? null : await request.deps.store.getMultipartUpload(bucket.name, request.key, uploadId);
  if (!upload) throw noSuchUpload(uploadId);
  return upload;
}
