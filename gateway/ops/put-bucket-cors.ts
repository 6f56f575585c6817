import { S3Error } from '../../src/s3/errors.ts';
import { parseXmlBody } from '../../src/s3/xml.ts';
import { parseCorsConfiguration } from '../../src/s3/xml-bucket-config.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { readVerifiedBody } from './verified-body.ts';

/** S3 caps a CORS configuration at 64 KB. */
const MAX_CORS_BODY_BYTES = 64 * 1024;

/**
 * PutBucketCors: replaces the bucket's rules. The body must come with Content-MD5 or a checksum,
 * as S3 requires; an empty body is MissingRequestBodyError.
 */
export async function putBucketCors(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  const body = await readVerifiedBody(request, { maxBytes: MAX_CORS_BODY_BYTES, requireIntegrity: true });
  if (body.length === 0) throw new S3Error('MissingRequestBodyError');
  const rules = parseCorsConfiguration(await parseXmlBody(body));
  await request.deps.store.setBucketCors(bucket.name, rules);
  return new Response(null, { status: 200 });
}
