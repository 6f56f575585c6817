import { createChecksum, isChecksumAlgorithm } from '../../src/s3/checksums/algorithms.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { parsePartNumber } from '../multipart/part-number.ts';
import { observed, storePart } from '../multipart/part-writer.ts';
import { requireUpload } from '../multipart/upload-access.ts';
import type { S3Request } from '../s3-request.ts';
import { PayloadDigests, requestedChecksum } from '../write/payload-digests.ts';
import { openRequestBody } from '../write/request-body.ts';
import { customerKeyResponseHeaders, partEtag } from '../sse/customer-key-headers.ts';
import { existingObjectKeys } from '../sse/request-encryption.ts';
import { sseS3ResponseHeaders } from '../sse/sse-s3-headers.ts';
import { authorizeBucket } from '../access/bucket-access.ts';

/**
 * UploadPart: the body streams through the same digest checks as PutObject (Content-MD5, signed
 * sha256, `x-amz-checksum-*` in a header or trailer) and is erasure-coded as it arrives; the part
 * is committed only when every byte is stored and every digest matches. A part the client sends
 * without the upload's checksum gets it computed here, so Complete can derive the object's.
 */
export async function uploadPart(request: S3Request): Promise<Response> {
  const { deps, c, log } = request;
  const bucket = await authorizeBucket(request);
  const partNumber = parsePartNumber(request.query.get('partNumber'));
  const upload = await requireUpload(request, bucket);
  const { keys, customerKey } = existingObjectKeys(request, upload.headers.encryption);
  const incoming = c.env.incoming;
  const header = (name: string) => c.req.header(name);
  const contentMd5 = header('content-md5');
  if (contentMd5 !== undefined && !/^[A-Za-z0-9+/]{22}==$/.test(contentMd5)) throw new S3Error('InvalidDigest');
  const checksum = requestedChecksum(header);
  const expected = upload.checksumAlgorithm;
  if (checksum && expected !== null && checksum.algorithm !== expected) {
    throw new S3Error('InvalidRequest', {
      message: `Checksum Type mismatch occurred, expected checksum Type: ${expected}, actual checksum Type: ${checksum.algorithm}`,
    });
  }
  const sigv4 = request.auth.sigv4;
  const digests = new PayloadDigests({
    contentSha256: sigv4.payloadMode === 'signed' ? sigv4.payloadHash ?? undefined : undefined,
    contentMd5,
    checksum,
  });
  const computed = !checksum && expected !== null && isChecksumAlgorithm(expected) ? createChecksum(expected) : null;
  const body = openRequestBody(incoming, sigv4, log, deps.config.bodyProgressTimeoutMs);

  const abort = new AbortController();
  const onClose = () => { if (!incoming.complete) abort.abort(); };
  incoming.once('close', onClose);
  try {
    const part = await storePart(deps, {
      upload,
      partNumber,
      profile: bucket.profile,
      body: observed(body.payload, (bytes) => {
        digests.update(bytes);
        computed?.update(bytes);
      }),
      finish: () => {
        const result = digests.finish(body.trailers());
        if (computed) result.checksums[expected!] = computed.digest().toString('base64');
        return { ...result, etag: partEtag(upload.headers.encryption, customerKey, result.etag) };
      },
      encryption: keys,
      signal: abort.signal,
    });
    const headers: Record<string, string> = {
      etag: part.etag, ...sseS3ResponseHeaders(upload.headers.encryption), ...customerKeyResponseHeaders(customerKey),
    };
    for (const [algorithm, value] of Object.entries(part.checksums)) headers[`x-amz-checksum-${algorithm}`] = value;
    return new Response(null, { status: 200, headers });
  } catch (error) {
    abort.abort();
    throw error;
  } finally {
    incoming.off('close', onClose);
  }
}
