import { accessControlPolicyXml } from '../../src/s3/xml-bucket-config.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeObjectIn } from '../objects/authorized-object.ts';
import { xmlResponse } from './responses.ts';

/**
 * GetObjectAcl: the grants of the current version's canned ACL — the owner (the bucket's owner,
 * who owns every object here) with FULL_CONTROL, and AllUsers with READ when it is public-read.
 */
export async function getObjectAcl(request: S3Request): Promise<Response> {
  const { bucket, version } = await authorizeObjectIn(request);
  const account = await request.deps.store.getAccount(bucket.accountId);
  return xmlResponse(accessControlPolicyXml({ id: bucket.accountId, displayName: account?.name ?? bucket.accountId }, version.acl === 'public-read'));
}
