import { parseTaggingXml } from '../../src/s3/tagging.ts';
import { parseXmlBody } from '../../src/s3/xml.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import type { S3Request } from '../s3-request.ts';
import { readVerifiedBody } from './verified-body.ts';

/** 50 tags of 128 + 256 characters of up to 4 UTF-8 bytes each, escaped, fit. */
const MAX_TAGGING_BODY_BYTES = 256 * 1024;

/**
 * PutBucketTagging: replaces the bucket's tag set (at most 50 tags; MalformedXML, InvalidTag).
 * The body must come with Content-MD5 or a checksum, as S3 requires.
 */
export async function putBucketTagging(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  const body = await readVerifiedBody(request, { maxBytes: MAX_TAGGING_BODY_BYTES, requireIntegrity: true });
  const tags = parseTaggingXml(await parseXmlBody(body), 'bucket');
  await request.deps.store.setBucketTags(bucket.name, tags);
  return new Response(null, { status: 204 });
}
