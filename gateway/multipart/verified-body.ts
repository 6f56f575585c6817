import { S3Error } from '../../src/s3/errors.ts';
import type { S3Request } from '../s3-dispatch.ts';
import { PayloadDigests } from '../write/payload-digests.ts';
import { openRequestBody } from '../write/request-body.ts';

/**
 * CompleteMultipartUpload's XML body, read whole under `maxBytes` and verified as upload bodies
 * are (declared length, signed sha256, aws-chunked framing and chunk signatures, Content-MD5).
 * Unlike ops/verified-body.ts, an `x-amz-checksum-*` header here is the whole object's checksum
 * (FULL_OBJECT or COMPOSITE, checked by the caller), never the body's.
 */
export async function readCompleteBody(request: S3Request, maxBytes: number): Promise<Buffer> {
  const contentMd5 = request.c.req.header('content-md5');
  if (contentMd5 !== undefined && !/^[A-Za-z0-9+/]{22}==$/.test(contentMd5)) throw new S3Error('InvalidDigest');
  const sigv4 = request.auth.sigv4;
  const digests = new PayloadDigests({
    contentSha256: sigv4.payloadMode === 'signed' ? sigv4.payloadHash ?? undefined : undefined,
    contentMd5,
  });
  const body = openRequestBody(request.c.env.incoming, sigv4, request.log);
  if (body.declaredLength > maxBytes) {
    throw new S3Error('EntityTooLarge', {
      message: `The request body may be at most ${maxBytes} bytes.`,
      extra: { ProposedSize: String(body.declaredLength), MaxSizeAllowed: String(maxBytes) },
    });
  }
  const pieces: Buffer[] = [];
  for await (const piece of body.payload) {
    digests.update(piece);
    pieces.push(Buffer.from(piece));
  }
  digests.finish(body.trailers());
  return Buffer.concat(pieces);
}
