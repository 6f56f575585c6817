import { S3Error } from '../../src/s3/errors.ts';
import type { S3Request } from '../s3-dispatch.ts';
import { PayloadDigests, requestedChecksum } from '../write/payload-digests.ts';
import { openRequestBody } from '../write/request-body.ts';

export interface VerifiedBodyOptions {
  readonly maxBytes: number;
  /** S3 refuses some writes (PutBucketCors, DeleteObjects) without Content-MD5 or a checksum. */
  readonly requireIntegrity?: boolean;
  /**
   * Whether an `x-amz-checksum-*` header describes this body (default) or something else:
   * on CompleteMultipartUpload it is the whole object's checksum, checked by the caller.
   */
  readonly checksumDescribesBody?: boolean;
}

/**
 * A small request body (an XML document) read whole under `maxBytes`, with everything the client
 * claimed about it verified as for an object: the signed sha256 (XAmzContentSHA256Mismatch),
 * Content-MD5 (BadDigest), an `x-amz-checksum-*` header or trailer; aws-chunked framing removed.
 */
export async function readVerifiedBody(request: S3Request, options: VerifiedBodyOptions): Promise<Buffer> {
  const header = (name: string) => request.c.req.header(name);
  const contentMd5 = header('content-md5');
  if (contentMd5 !== undefined && !/^[A-Za-z0-9+/]{22}==$/.test(contentMd5)) throw new S3Error('InvalidDigest');
  const checksum = options.checksumDescribesBody === false ? undefined : requestedChecksum(header);
  if (options.requireIntegrity && contentMd5 === undefined && checksum === undefined) {
    throw new S3Error('InvalidRequest', { message: 'Missing required header for this request: Content-MD5 OR x-amz-checksum-*' });
  }
  const { sigv4 } = request.auth;
  const body = openRequestBody(request.c.env.incoming, sigv4, request.log, request.deps.config.bodyProgressTimeoutMs);
  if (body.declaredLength > options.maxBytes) {
    throw new S3Error('EntityTooLarge', {
      message: `The request body may be at most ${options.maxBytes} bytes.`,
      extra: { ProposedSize: String(body.declaredLength), MaxSizeAllowed: String(options.maxBytes) },
    });
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
