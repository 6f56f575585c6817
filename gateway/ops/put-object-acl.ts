import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { noSuchKey } from '../objects/authorized-object.ts';
import { cannedAclOfAclRequest } from './canned-acl.ts';

/**
 * PutObjectAcl: the current version's canned ACL from an `x-amz-acl` header or an
 * AccessControlPolicy body that is exactly `private` or `public-read` (see canned-acl.ts; other
 * grants NotImplemented). The owner in the body is the bucket's owner, who owns every object here.
 */
export async function putObjectAcl(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  const acl = await cannedAclOfAclRequest(request, bucket.accountId);
  if (!await request.deps.store.setObjectAcl(bucket.name, request.key, acl)) {
    throw noSuchKey(request);
  }
  return new Response(null, { status: 200 });
}
