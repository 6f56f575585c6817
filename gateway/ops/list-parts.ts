import { listPartsResultXml } from '../../src/s3/xml-multipart.ts';
import { AccountNames } from '../multipart/account-names.ts';
import { parsePageSize, parsePartNumberMarker } from '../multipart/list-limits.ts';
import { requireUpload } from '../multipart/upload-access.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { parseEncodingType } from './list-params.ts';
import { xmlResponse } from './responses.ts';

/** ListParts: one page of the upload's parts after `part-number-marker`, by index seek. */
export async function listParts(request: S3Request): Promise<Response> {
  const { deps, query } = request;
  const bucket = await authorizeBucket(request);
  const upload = await requireUpload(request, bucket);
  const maxParts = parsePageSize(query, 'max-parts');
  const partNumberMarker = parsePartNumberMarker(query);
  const encodingType = parseEncodingType(query);
  const page = await deps.store.listParts(upload.uploadId, { after: partNumberMarker, maxParts });
  const names = new AccountNames(deps.store);
  return xmlResponse(listPartsResultXml({
    bucket: bucket.name,
    key: upload.key,
    uploadId: upload.uploadId,
    initiator: await names.of(upload.initiatorAccountId),
    owner: await names.of(bucket.accountId),
    partNumberMarker,
    nextPartNumberMarker: page.parts.at(-1)?.partNumber,
    maxParts,
    isTruncated: page.isTruncated,
    parts: page.parts.map((part) => ({
      partNumber: part.partNumber, lastModified: part.lastModified, etag: part.etag, size: part.size, checksums: part.checksums,
    })),
    checksumAlgorithm: upload.checksumAlgorithm?.toUpperCase(),
    checksumType: upload.checksumType ?? undefined,
    encodingType,
  }));
}
