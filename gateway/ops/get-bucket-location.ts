import { locationConstraintXml } from '../../src/s3/xml.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { xmlResponse } from './responses.ts';

export async function getBucketLocation(request: S3Request): Promise<Response> {
  await authorizeBucket(request);
  // S3 reports us-east-1 as an empty LocationConstraint.
  const region = request.deps.config.region;
  return xmlResponse(locationConstraintXml(region === 'us-east-1' ? '' : region));
}
