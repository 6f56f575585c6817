import { lifecycleConfigurationXml } from '../../src/lifecycle/lifecycle-xml.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { xmlResponse } from './responses.ts';

/** GetBucketLifecycleConfiguration: the rules as put; NoSuchLifecycleConfiguration (404) when the bucket has none. */
export async function getBucketLifecycleConfiguration(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  const rules = await request.deps.store.getBucketLifecycle(bucket.name);
  if (rules === null) throw new S3Error('NoSuchLifecycleConfiguration', { extra: { BucketName: bucket.name } });
  return xmlResponse(lifecycleConfigurationXml(rules));
}
