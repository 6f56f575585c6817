import { refuseUnsupportedWriteHeaders } from '../objects/unsupported-write-headers.ts';
import { randomBytes } from 'node:crypto';
import { CommitPreconditionError } from '../../src/meta/store.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { S3Request } from '../s3-request.ts';
import { contentHeadersFrom } from '../write/content-headers.ts';
import { writeObjectData } from '../write/object-writer.ts';
import { userMetadataFrom } from '../write/object-metadata.ts';
import { PayloadDigests, requestedChecksum } from '../write/payload-digests.ts';
import { openRequestBody } from '../write/request-body.ts';
import { customerEtag } from '../../src/crypto/customer-keys.ts';
import { customerKeyResponseHeaders } from '../sse/customer-key-headers.ts';
import { newObjectEncryption } from '../sse/request-encryption.ts';
import { sseS3ResponseHeaders } from '../sse/sse-s3-headers.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { cannedAclFromHeaders } from './canned-acl.ts';
import { checkWritePrecondition, commitPreconditionS3Error, writePrecondition } from './write-conditions.ts';

const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

/**
 * PutObject: the body streams through digest checks into erasure-coded segments on the nodes;
 * only when every byte is stored and every digest matches does one metadata transaction make the
 * object visible. Any failure abandons the write, and its shards are collected.
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
  const sse = newObjectEncryption(request);
  const precondition = writePrecondition(header);
  if (precondition) checkWritePrecondition(precondition, await deps.store.getObject(bucket.name, request.key), bucket.name, request.key);
  const digests = new PayloadDigests({
    contentSha256: sigv4.payloadMode === 'signed' ? sigv4.payloadHash ?? undefined : undefined,
    contentMd5,
    checksum: requestedChecksum(header),
  });
  const body = openRequestBody(incoming, sigv4, log, deps.config.bodyProgressTimeoutMs);

  const writeId = randomBytes(16).toString('hex');
  const abort = new AbortController();
  const onClose = () => { if (!incoming.complete) abort.abort(); };
  incoming.once('close', onClose);
  try {
    const written = await writeObjectData(deps, tap(body.payload, (bytes) => digests.update(bytes)), {
      profile: bucket.profile, maxSegmentBytes: deps.config.maxSegmentBytes, writeId, partNumber: 1,
      encryption: sse.keys, signal: abort.signal,
    });
    const digest = digests.finish(body.trailers());
    const { checksums } = digest;
    // SSE-C objects do not publish the MD5 of their plaintext (see customerEtag).
    const etag = sse.customerKey && sse.encryption.mode === 'sse-c' ? customerEtag(sse.encryption, sse.customerKey.key, digest.etag) : digest.etag;
    const replaced = await deps.store.commitObject({
      writeId,
      segments: written.segments,
      object: {
        bucket: bucket.name,
        key: request.key,
        versionId: randomBytes(16).toString('hex'),
        size: written.size,
        etag,
        contentType: header('content-type') || DEFAULT_CONTENT_TYPE,
        userMetadata,
        checksums,
        contentHeaders,
        encryption: sse.encryption,
        acl,
        createdAt: deps.now(),
      },
      precondition,
    });
    deps.metrics.objectsWritten++;
    if (replaced) deps.janitor.kick();
    const headers: Record<string, string> = { etag, ...sseS3ResponseHeaders(sse.encryption), ...customerKeyResponseHeaders(sse.customerKey) };
    for (const [algorithm, value] of Object.entries(checksums)) headers[`x-amz-checksum-${algorithm}`] = value;
    if (Object.keys(checksums).length > 0) headers['x-amz-checksum-type'] = 'FULL_OBJECT';
    return new Response(null, { status: 200, headers });
  } catch (error) {
    abort.abort();
    await deps.store.abandonWrite(writeId).catch((abandonError: Error) => {
      deps.logger.error('abandon_write_failed', { writeId, error: abandonError.message });
    });
    deps.janitor.kick();
    throw error instanceof CommitPreconditionError ? commitPreconditionS3Error(error) : error;
  } finally {
    incoming.off('close', onClose);
  }
}

async function* tap(source: AsyncIterable<Uint8Array>, observe: (bytes: Uint8Array) => void): AsyncGenerator<Uint8Array> {
  for await (const piece of source) {
    observe(piece);
    yield piece;
  }
}
