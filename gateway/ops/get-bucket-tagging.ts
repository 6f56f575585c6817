import { S3Error } from '../../src/s3/errors.ts';
import { taggingXml } from '../../src/s3/tagging.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import type { S3Request } from '../s3-request.ts';
import { xmlResponse } from './responses.ts';

/** GetBucketTagging: the bucket's tag set; NoSuchTagSet (404) when it has none. */
export async function getBucketTagging(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  const tags = await request.deps.store.getBucketTags(bucket.name);
  if (tags === null) throw new S3Error('NoSuchTagSet', { resource: `/${bucket.name}`, extra: { BucketName: bucket.name } });
  return xmlResponse(taggingXml(tags));
}
