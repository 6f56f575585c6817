import { S3Error } from '../../src/s3/errors.ts';
import type { S3Request } from '../s3-dispatch.ts';
import { PayloadDigests, requestedChecksum } from '../write/payload-digests.ts';
import { openRequestBody } from '../write/request-body.ts';

/**
 * A small request body (an XML configuration) read whole under `maxBytes`, with everything the
 * client claimed about it verified as for an object: the signed sha256 (XAmzContentSHA256Mismatch),
 * Content-MD5 (BadDigest), an `x-amz-checksum-*` header or trailer; aws-chunked framing removed.
 * `requireIntegrity`: S3 refuses some configuration writes (PutBucketCors) without Content-MD5 or
 * a checksum.
 */
export async function readVerifiedBody(request: S3Request, options: { maxBytes: number; requireIntegrity?: boolean }): Promise<Buffer> {
  const header = (name: string) => request.c.req.header(name);
  const contentMd5 = header('content-md5');
  if (contentMd5 !== undefined && !/^[A-Za-z0-9+/]{22}==$/.test(contentMd5)) throw new S3Error('InvalidDigest');
  const checksum = requestedChecksum(header);
  if (options.requireIntegrity && contentMd5 === undefined && checksum === undefined) {
    throw new S3Error('InvalidRequest', { message: 'Missing required header for this request: Content-MD5 OR x-amz-checksum-*' });
  }
  const { sigv4 } = request.auth;
  const body = openRequestBody(request.c.env.incoming, sigv4, request.log);
  if (body.declaredLength > options.maxBytes) {
    throw new S3Error('InvalidRequest', { message: `The request body may be at most ${options.maxBytes} bytes.` });
  }
  const digests = new PayloadDigests({
    contentSha256: sigv4.payloadMode === 'signed' ? sigv4.payloadHash ?? undefined : undefined,
    contentMd5,
    checksum,
  });
  const pieces: Buffer[] = [];
  for await (const piece of body.payload) {
    digests.update(piece);
    pieces.push(Buffer.from(piece));
  }
  digests.finish(body.trailers());
  return Buffer.concat(pieces);
}
