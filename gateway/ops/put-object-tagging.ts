import { parseTaggingXml } from '../../src/s3/tagging.ts';
import { parseXmlBody } from '../../src/s3/xml.ts';
import { noSuchKey, authorizeObject } from '../objects/authorized-object.ts';
import type { S3Request } from '../s3-request.ts';
import { readVerifiedBody } from './verified-body.ts';

/** 10 tags of 128 + 256 characters of up to 4 UTF-8 bytes each, escaped, fit with room to spare. */
const MAX_TAGGING_BODY_BYTES = 64 * 1024;

/**
 * PutObjectTagging: replaces the current version's tag set (MalformedXML, InvalidTag past S3's
 * limits); its ETag, last-modified time and bytes stay as they are.
 */
export async function putObjectTagging(request: S3Request): Promise<Response> {
  await authorizeObject(request);
  const body = await readVerifiedBody(request, { maxBytes: MAX_TAGGING_BODY_BYTES });
  const tags = parseTaggingXml(await parseXmlBody(body), 'object');
  if (!(await request.deps.store.setObjectTags(request.bucket, request.key, tags))) throw noSuchKey(request);
  return new Response(null, { status: 200 });
}
