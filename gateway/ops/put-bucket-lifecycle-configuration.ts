import { randomUUID } from 'node:crypto';
import { parseLifecycleConfiguration } from '../../src/lifecycle/lifecycle-xml.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { parseXmlBody } from '../../src/s3/xml.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { readVerifiedBody } from './verified-body.ts';

/** Room for 1000 rules with long IDs, prefixes and tags. */
const MAX_LIFECYCLE_BODY_BYTES = 1024 * 1024;

/**
 * PutBucketLifecycleConfiguration: replaces the bucket's rules (validated as S3 does, see
 * src/lifecycle/lifecycle-xml.ts) and makes them due for the lifecycle worker at once. The body
 * must come with Content-MD5 or a checksum, as S3 requires; an empty body is MissingRequestBodyError.
 * A rule without an ID gets a random one, as on S3.
 */
export async function putBucketLifecycleConfiguration(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  const body = await readVerifiedBody(request, { maxBytes: MAX_LIFECYCLE_BODY_BYTES, requireIntegrity: true });
  if (body.length === 0) throw new S3Error('MissingRequestBodyError');
  const rules = parseLifecycleConfiguration(await parseXmlBody(body), {
    newRuleId: () => Buffer.from(randomUUID()).toString('base64'),
  });
  await request.deps.store.setBucketLifecycle(bucket.name, rules, request.deps.now());
  return new Response(null, { status: 200 });
}
