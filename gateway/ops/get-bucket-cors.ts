import { S3Error } from '../../src/s3/errors.ts';
import { corsConfigurationXml } from '../../src/s3/xml-bucket-config.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { xmlResponse } from './responses.ts';

/** GetBucketCors: the rules as stored; NoSuchCORSConfiguration (404) when the bucket has none. */
export async function getBucketCors(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  const rules = await request.deps.store.getBucketCors(bucket.name);
  if (rules === null) throw new S3Error('NoSuchCORSConfiguration', { extra: { BucketName: bucket.name } });
  return xmlResponse(corsConfigurationXml(rules));
}
