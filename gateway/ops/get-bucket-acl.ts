import { accessControlPolicyXml } from '../../src/s3/xml-bucket-config.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { xmlResponse } from './responses.ts';

/** GetBucketAcl: the grants of the bucket's canned ACL (owner FULL_CONTROL, AllUsers READ when public). */
export async function getBucketAcl(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  const account = await request.deps.store.getAccount(bucket.accountId);
  return xmlResponse(accessControlPolicyXml(
    { id: bucket.accountId, displayName: account?.name ?? bucket.accountId },
    bucket.acl === 'public-read',
  ));
}
