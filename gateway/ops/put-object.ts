import { refuseUnsupportedWriteHeaders } from '../objects/unsupported-write-headers.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { S3Request } from '../s3-request.ts';
import { contentHeadersFrom } from '../write/content-headers.ts';
import { storeObject, tap } from '../write/store-object.ts';
import { userMetadataFrom } from '../write/object-metadata.ts';
import { PayloadDigests, requestedChecksum } from '../write/payload-digests.ts';
import { openRequestBody } from '../write/request-body.ts';
import { customerEtag } from '../../src/crypto/customer-keys.ts';
import { customerKeyResponseHeaders } from '../sse/customer-key-headers.ts';
import { newObjectEncryption } from '../sse/request-encryption.ts';
import { sseS3ResponseHeaders } from '../sse/sse-s3-headers.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { expirationHeaders } from '../lifecycle/expiration-header.ts';
import { requestTags } from '../multipart/request-object-headers.ts';
import { cannedAclFromHeaders } from './canned-acl.ts';
import { checkWritePrecondition, writePrecondition } from './write-conditions.ts';

const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/**
 * PutObject: the body streams through digest checks into erasure-coded segments on the nodes;
 * only when every byte is stored and every digest matches does one metadata transaction make the
 * object visible (write/store-object.ts). Any failure abandons the write, and its shards are collected.
 */
export async function putObject(request: S3Request): Promise<Response> {
  const { deps, c, log } = request;
  const bucket = await authorizeBucket(request);
  const incoming = c.env.incoming;
  const header = (name: string) => c.req.header(name);
  const sigv4 = request.auth.sigv4;
  refuseUnsupportedWriteHeaders(header);
  const acl = cannedAclFromHeaders(header) ?? 'private';
  const contentMd5 = header('content-md5');
  if (contentMd5 !== undefined && !/^[A-Za-z0-9+/]{22}==$/.test(contentMd5)) throw new S3Error('InvalidDigest');
  const userMetadata = userMetadataFrom(incoming.headers);
  const contentHeaders = contentHeadersFrom(header);
  const tags = requestTags(header);
  const sse = newObjectEncryption(request);
  const precondition = writePrecondition(header);
  if (precondition) checkWritePrecondition(precondition, await deps.store.getObject(bucket.name, request.key), bucket.name, request.key);
  const digests = new PayloadDigests({
    contentSha256: sigv4.payloadMode === 'signed' ? sigv4.payloadHash ?? undefined : undefined,
    contentMd5,
    checksum: requestedChecksum(header),
  });
  const body = openRequestBody(incoming, sigv4, log, deps.config.bodyProgressTimeoutMs);

  const stored = await storeObject(deps, incoming, {
    bucket, key: request.key, contentType: header('content-type') || DEFAULT_CONTENT_TYPE, userMetadata, contentHeaders,
    encryption: sse.encryption, keys: sse.keys, tags, acl, precondition, declaredLength: body.declaredLength,
  }, tap(body.payload, (bytes) => digests.update(bytes)), () => {
    const digest = digests.finish(body.trailers());
    // SSE-C objects do not publish the MD5 of their plaintext (see customerEtag).
    const etag = sse.customerKey && sse.encryption.mode === 'sse-c' ? customerEtag(sse.encryption, sse.customerKey.key, digest.etag) : digest.etag;
    return { etag, checksums: digest.checksums };
  });
  const { etag, checksums } = stored;
  const headers: Record<string, string> = {
    etag, ...sseS3ResponseHeaders(sse.encryption), ...customerKeyResponseHeaders(sse.customerKey),
    ...await expirationHeaders(deps, bucket, stored.object),
  };
  for (const [algorithm, value] of Object.entries(checksums)) headers[`x-amz-checksum-${algorithm}`] = value;
  if (Object.keys(checksums).length > 0) headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  return new Response(null, { status: 200, headers });
}
