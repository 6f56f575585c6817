import { listMultipartUploadsResultXml } from '../../src/s3/xml-multipart.ts';
import { AccountNames } from '../multipart/account-names.ts';
import { parsePageSize } from '../multipart/list-limits.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { parseEncodingType } from './list-params.ts';
import { xmlResponse } from './responses.ts';

/**
 * ListMultipartUploads: uploads in progress by key (UTF-8 order), a key's uploads in the order
 * they started, with prefix, delimiter and `key-marker` / `upload-id-marker` paging — index
 * seeks, as ListObjects. `upload-id-marker` counts only with a `key-marker`, as on S3.
 */
export async function listMultipartUploads(request: S3Request): Promise<Response> {
  const { deps, query } = request;
  const bucket = await authorizeBucket(request);
  const maxUploads = parsePageSize(query, 'max-uploads');
  const encodingType = parseEncodingType(query);
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') || undefined;
  const keyMarker = query.get('key-marker') ?? '';
  const uploadIdMarker = keyMarker === '' ? '' : query.get('upload-id-marker') ?? '';
  const after = keyMarker === '' ? undefined : { key: keyMarker, ...(uploadIdMarker === '' ? {} : { uploadId: uploadIdMarker }) };
  const page = await deps.store.listMultipartUploads(bucket.name, { prefix, delimiter, after, maxUploads });
  const names = new AccountNames(deps.store);
  const owner = await names.of(bucket.accountId);
  const uploads = [];
  for (const upload of page.uploads) {
    uploads.push({
      key: upload.key,
      uploadId: upload.uploadId,
      initiator: await names.of(upload.initiatorAccountId),
      owner,
      initiated: upload.initiatedAt,
      checksumAlgorithm: upload.checksumAlgorithm?.toUpperCase(),
    });
  }
  return xmlResponse(listMultipartUploadsResultXml({
    bucket: bucket.name,
    keyMarker,
    uploadIdMarker,
    nextKeyMarker: page.nextAfter?.key,
    nextUploadIdMarker: page.nextAfter?.uploadId,
    delimiter,
    prefix,
    maxUploads,
    isTruncated: page.isTruncated,
    uploads,
    commonPrefixes: page.commonPrefixes,
    encodingType,
  }));
}
