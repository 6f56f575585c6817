import { MAX_PART_NUMBER } from '../multipart/part-number.ts';
import {
  MAX_ATTRIBUTE_PARTS, objectAttributesXml, parseObjectAttributes, parsePartsPagingHeader,
} from '../../src/s3/xml-object-attributes.ts';
import { authorizeObject } from '../objects/authorized-object.ts';
import type { S3Request } from '../s3-request.ts';
import { customerKeyResponseHeaders } from '../sse/customer-key-headers.ts';
import { existingObjectKeys } from '../sse/request-encryption.ts';
import { sseS3ResponseHeaders } from '../sse/sse-s3-headers.ts';
import { xmlResponse } from './responses.ts';

/**
 * GetObjectAttributes: answered from metadata alone (no shard is read): ETag, ObjectSize,
 * StorageClass (always STANDARD), the stored full-object Checksum, and for a multipart object
 * ObjectParts with its parts a page at a time (`x-amz-max-parts`, `x-amz-part-number-marker`).
 * An SSE-C object needs its key, as for HEAD.
 */
export async function getObjectAttributes(request: S3Request): Promise<Response> {
  const header = (name: string) => request.c.req.header(name);
  const attributes = parseObjectAttributes(header('x-amz-object-attributes'));
  const maxParts = parsePartsPagingHeader('x-amz-max-parts', header('x-amz-max-parts'), MAX_ATTRIBUTE_PARTS, MAX_ATTRIBUTE_PARTS);
  const marker = parsePartsPagingHeader('x-amz-part-number-marker', header('x-amz-part-number-marker'), 0, MAX_PART_NUMBER);
  const version = await authorizeObject(request);
  const { customerKey } = existingObjectKeys(request, version.encryption);
  let parts = null;
  if (attributes.has('ObjectParts')) {
    const page = await request.deps.store.listObjectParts(version.versionId, { after: marker, maxParts });
    if (page.partCount > 0) {
      parts = { partCount: page.partCount, marker, maxParts, page: page.parts, isTruncated: page.isTruncated, nextMarker: page.nextAfter };
    }
  }
  const response = xmlResponse(objectAttributesXml(attributes, { etag: version.etag, size: version.size, checksums: version.checksums, parts }));
  const headers = { 'last-modified': version.createdAt.toUTCString(), ...sseS3ResponseHeaders(version.encryption), ...customerKeyResponseHeaders(customerKey) };
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}
