import { refuseUnsupportedWriteHeaders } from '../objects/unsupported-write-headers.ts';
import { cannedAclFromHeaders } from './canned-acl.ts';
import { randomBytes } from 'node:crypto';
import { SourceVersionGoneError } from '../../src/meta/multipart-errors.ts';
import type { ObjectHeaders } from '../../src/meta/multipart-types.ts';
import type { ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { copyObjectResultXml } from '../../src/s3/xml-copy-delete.ts';
import { checkCopySourceConditions } from '../objects/conditions.ts';
import { requireCopySource } from '../copy/copy-source.ts';
import { objectHeadersFromRequest, requestTags } from '../multipart/request-object-headers.ts';
import type { S3Request } from '../s3-request.ts';
import { abortOnHangUp } from '../copy/request-abort.ts';
import { copyObjectBytes } from '../copy/copy-object-bytes.ts';
import { customerKeyResponseHeaders, type CustomerKey } from '../sse/customer-key-headers.ts';
import { existingObjectKeys, newObjectEncryption, type WriteEncryption } from '../sse/request-encryption.ts';
import { sseS3ResponseHeaders } from '../sse/sse-s3-headers.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { keepAliveXmlResponse } from './keep-alive-response.ts';
import { xmlResponse } from './responses.ts';

/** A source replaced this many times while we copy it is reported as a conflict. */
const MAX_ATTEMPTS = 3;

/** The fields a copy keeps under `x-amz-metadata-directive: COPY`: everything its writer chose. */
function headersOf(version: ObjectVersion): ObjectHeaders {
  const { bucket: _bucket, key: _key, versionId: _versionId, size: _size, etag: _etag, checksums: _checksums, createdAt: _createdAt, acl: _acl, ...headers } = version;
  return headers;
}

/** `x-amz-metadata-directive` or `x-amz-tagging-directive`: COPY (the default) or REPLACE, else InvalidArgument. */
function parseDirective(name: 'x-amz-metadata-directive' | 'x-amz-tagging-directive', value: string | undefined): 'COPY' | 'REPLACE' {
  const directive = value?.trim().toUpperCase() ?? 'COPY';
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', {
      message: `Unknown ${name === 'x-amz-metadata-directive' ? 'metadata' : 'tagging'} directive.`, extra: { ArgumentName: name, ArgumentValue: value ?? '' },
    });
  }
  return directive;
}

/**
 * CopyObject: a metadata-only copy. The new version names the source's segments (shared, one
 * more reference each) and keeps its ETag, checksums and part list; no shard byte moves, and
 * deleting either object later leaves the other whole. `COPY` keeps the source's headers,
 * `REPLACE` takes the request's; a copy onto itself needs `REPLACE` or a change of encryption,
 * as on S3. Segments are shared only between objects encrypted alike (both SSE-S3, or both SSE-C
 * with the same key); any other copy re-encrypts the bytes (copyObjectBytes).
 */
export async function copyObject(request: S3Request): Promise<Response> {
  const { deps, c } = request;
  const header = (name: string) => c.req.header(name);
  const bucket = await authorizeBucket(request);
  refuseUnsupportedWriteHeaders(header);
  // A copy's ACL is the request's (private without x-amz-acl), never the source's, as on S3.
  const acl = cannedAclFromHeaders(header) ?? 'private';
  const directive = parseDirective('x-amz-metadata-directive', header('x-amz-metadata-directive'));
  // Tags follow their own directive, as on S3: COPY keeps the source's whatever the metadata directive.
  const taggingDirective = parseDirective('x-amz-tagging-directive', header('x-amz-tagging-directive'));
  const replacedTags = taggingDirective === 'REPLACE' ? requestTags(header) : null;
  const destination = newObjectEncryption(request);
  const replacement = directive === 'REPLACE' ? objectHeadersFromRequest(c.env.incoming.headers, header, null) : null;
  for (let attempt = 1; ; attempt++) {
    const { source, version } = await requireCopySource(request);
    const sourceKeys = existingObjectKeys(request, version.encryption, 'copy-source');
    checkCopySourceConditions(version, header);
    const shared = sharesSegments(version.encryption, sourceKeys.customerKey, destination);
    if (source.bucket === bucket.name && source.key === request.key && directive === 'COPY' && shared) {
      throw new S3Error('InvalidRequest', {
        message: "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      });
    }
    if (!shared) {
      const hangUp = abortOnHangUp(c);
      const object = {
        ...(replacement ?? headersOf(version)), tags: replacedTags ?? version.tags, bucket: bucket.name, key: request.key,
        versionId: randomBytes(16).toString('hex'), checksums: {}, acl, createdAt: deps.now(),
      };
      const copying = copyObjectBytes({ request, bucket, source: version, sourceKeys: sourceKeys.keys, destination, object, signal: hangUp.signal })
        .then((copied) => ({ xml: copyObjectResultXml({ etag: copied.etag, lastModified: object.createdAt, checksums: {} }) }))
        .finally(() => hangUp.release());
      const sseHeaders = { ...sseS3ResponseHeaders(destination.encryption), ...customerKeyResponseHeaders(destination.customerKey) };
      return keepAliveXmlResponse(request, sseHeaders, copying);
    }
    const object = {
      ...(replacement ?? headersOf(version)),
      tags: replacedTags ?? version.tags,
      // The copy shares the source's segments, so it is encrypted as they are.
      encryption: version.encryption,
      bucket: bucket.name,
      key: request.key,
      versionId: randomBytes(16).toString('hex'),
      size: version.size,
      etag: version.etag,
      checksums: version.checksums,
      acl,
      createdAt: deps.now(),
    };
    try {
      const replaced = await deps.store.copyObject({ sourceVersionId: version.versionId, object });
      if (replaced) deps.janitor.kick();
    } catch (error) {
      if (error instanceof SourceVersionGoneError && attempt < MAX_ATTEMPTS) continue;
      if (error instanceof SourceVersionGoneError) throw new S3Error('ConditionalRequestConflict', { cause: error });
      throw error;
    }
    deps.metrics.objectsWritten++;
    const response = xmlResponse(copyObjectResultXml({ etag: object.etag, lastModified: object.createdAt, checksums: object.checksums }));
    const sseHeaders = { ...sseS3ResponseHeaders(object.encryption), ...customerKeyResponseHeaders(destination.customerKey) };
    for (const [name, value] of Object.entries(sseHeaders)) response.headers.set(name, value);
    return response;
  }
}

/** Whether the copy may share the source's segments: both SSE-S3, or both SSE-C under the same key. */
function sharesSegments(source: ObjectVersion['encryption'], sourceKey: CustomerKey | null, destination: WriteEncryption): boolean {
  if (source?.mode === 'sse-s3') return destination.encryption.mode === 'sse-s3';
  if (source?.mode === 'sse-c') return destination.customerKey !== null && sourceKey !== null && destination.customerKey.key.equals(sourceKey.key);
  return false;
}
