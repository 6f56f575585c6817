import { initiateMultipartUploadResultXml } from '../../src/s3/xml-multipart.ts';
import { objectHeadersFromRequest } from '../multipart/request-object-headers.ts';
import { declaredUploadChecksum } from '../multipart/upload-checksum.ts';
import { newUploadId } from '../multipart/upload-id.ts';
import type { S3Request } from '../s3-request.ts';
import { customerKeyResponseHeaders } from '../sse/customer-key-headers.ts';
import { newObjectEncryption } from '../sse/request-encryption.ts';
import { sseS3ResponseHeaders } from '../sse/sse-s3-headers.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { refuseUnsupportedWriteHeaders } from '../objects/unsupported-write-headers.ts';
import { cannedAclFromHeaders } from './canned-acl.ts';
import { xmlResponse } from './responses.ts';

/**
 * CreateMultipartUpload: remembers the object's headers (type, user metadata, representation
 * headers, canned ACL) and declared checksum until Complete; no bytes are stored yet.
 */
export async function createMultipartUpload(request: S3Request): Promise<Response> {
  const { deps, c } = request;
  const bucket = await authorizeBucket(request);
  refuseUnsupportedWriteHeaders((name) => c.req.header(name));
  const sse = newObjectEncryption(request);
  const checksum = declaredUploadChecksum((name) => c.req.header(name));
  const acl = cannedAclFromHeaders((name) => c.req.header(name));
  const headers = { ...objectHeadersFromRequest(c.env.incoming.headers, (name) => c.req.header(name), sse.encryption), ...(acl === undefined ? {} : { acl }) };
  const initiatedAt = deps.now();
  const uploadId = newUploadId(initiatedAt);
  await deps.store.createMultipartUpload({
    uploadId, bucket: bucket.name, key: request.key, initiatorAccountId: request.auth.accountId, initiatedAt, headers,
    checksumAlgorithm: checksum?.algorithm ?? null, checksumType: checksum?.type ?? null,
  });
  const response = xmlResponse(initiateMultipartUploadResultXml({ bucket: bucket.name, key: request.key, uploadId }));
  const sseHeaders = { ...sseS3ResponseHeaders(headers.encryption), ...customerKeyResponseHeaders(sse.customerKey) };
  for (const [name, value] of Object.entries(sseHeaders)) response.headers.set(name, value);
  if (checksum) {
    response.headers.set('x-amz-checksum-algorithm', checksum.algorithm.toUpperCase());
    response.headers.set('x-amz-checksum-type', checksum.type);
  }
  return response;
}
