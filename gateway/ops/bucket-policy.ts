// Put/Get/DeleteBucketPolicy and GetBucketPolicyStatus: only the bucket's owner, whatever the
// policy says (see decideAccess), so no policy can lock its owner out of changing it.
import { isPublicPolicy } from '../../src/policy/evaluate-policy.ts';
import { parseBucketPolicy } from '../../src/policy/policy-document.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { document, element, S3_XML_NAMESPACE } from '../../src/s3/xml.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { xmlResponse } from './responses.ts';
import { readVerifiedBody } from './verified-body.ts';

/** Bodies past this are not read at all (EntityTooLarge); up to it, a policy over 20 KB is MalformedPolicy. */
const MAX_POLICY_BODY_BYTES = 64 * 1024;

/**
 * PutBucketPolicy: the JSON document validated (parseBucketPolicy: MalformedPolicy) and every
 * account it names checked to exist ("Invalid principal in policy" otherwise, as AWS); stored as
 * sent, 204.
 */
export async function putBucketPolicy(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  const text = (await readVerifiedBody(request, { maxBytes: MAX_POLICY_BODY_BYTES })).toString('utf8');
  const policy = parseBucketPolicy(text, bucket.name);
  for (const statement of policy.statements) {
    if (statement.principal.kind !== 'accounts') continue;
    for (const accountId of statement.principal.accountIds) {
      if (!await request.deps.store.getAccount(accountId)) {
        throw new S3Error('MalformedPolicy', { message: `Invalid principal in policy: no account ${accountId}` });
      }
    }
  }
  await request.deps.store.setBucketPolicy(bucket.name, text);
  return new Response(null, { status: 204 });
}

/** GetBucketPolicy: the document as it was put; NoSuchBucketPolicy (404) without one. */
export async function getBucketPolicy(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  if (bucket.policy === null) throw noSuchBucketPolicy(bucket.name);
  return new Response(bucket.policy, { status: 200, headers: { 'content-type': 'application/json' } });
}

/** DeleteBucketPolicy: 204 whether or not the bucket had one, as S3 answers. */
export async function deleteBucketPolicy(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  await request.deps.store.setBucketPolicy(bucket.name, null);
  return new Response(null, { status: 204 });
}

/** GetBucketPolicyStatus: IsPublic as isPublicPolicy says; NoSuchBucketPolicy (404) without a policy, as S3. */
export async function getBucketPolicyStatus(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  if (bucket.policy === null) throw noSuchBucketPolicy(bucket.name);
  const isPublic = isPublicPolicy(parseBucketPolicy(bucket.policy, bucket.name));
  return xmlResponse(document(`<PolicyStatus xmlns="${S3_XML_NAMESPACE}">${element('IsPublic', String(isPublic))}</PolicyStatus>`));
}

function noSuchBucketPolicy(bucket: string): S3Error {
  return new S3Error('NoSuchBucketPolicy', { resource: `/${bucket}`, extra: { BucketName: bucket } });
}
