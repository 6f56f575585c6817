import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { cannedAclOfAclRequest } from './canned-acl.ts';

/** PutBucketAcl with a canned `x-amz-acl` header or an AccessControlPolicy body that amounts to one (see canned-acl.ts). */
export async function putBucketAcl(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  await request.deps.store.setBucketAcl(bucket.name, await cannedAclOfAclRequest(request, bucket.accountId));
  return new Response(null, { status: 200 });
}
