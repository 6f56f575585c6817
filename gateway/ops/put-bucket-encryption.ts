import { S3Error } from '../../src/s3/errors.ts';
import { parseXmlBody } from '../../src/s3/xml.ts';
import { parseServerSideEncryptionConfiguration } from '../../src/s3/xml-bucket-encryption.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { readVerifiedBody } from './verified-body.ts';

const MAX_ENCRYPTION_BODY_BYTES = 16 * 1024;

/**
 * PutBucketEncryption: `AES256` (SSE-S3) as the bucket default. The body must come with
 * Content-MD5 or a checksum, as S3 requires. `aws:kms` is NotImplemented.
 */
export async function putBucketEncryption(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  const body = await readVerifiedBody(request, { maxBytes: MAX_ENCRYPTION_BODY_BYTES, requireIntegrity: true });
  if (body.length === 0) throw new S3Error('MissingRequestBodyError');
  const algorithm = parseServerSideEncryptionConfiguration(await parseXmlBody(body));
  await request.deps.store.setBucketEncryption(bucket.name, algorithm);
  return new Response(null, { status: 200 });
}
