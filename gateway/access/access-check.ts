import { decideAccess, type AccessDecision } from '../../src/policy/access-decision.ts';
import { evaluatePolicy, type PolicyCaller } from '../../src/policy/evaluate-policy.ts';
import { POLICY_MANAGEMENT_ACTIONS, type S3Action } from '../../src/policy/s3-actions.ts';
import type { Bucket, ObjectAcl } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { Anonymous, Authenticated } from '../auth.ts';
import type { PublicReadRequest } from '../s3-request.ts';

/** Who asks: an account (by any of its keys, or by a signed POST form), or nobody. */
export type AccessCaller = Pick<Authenticated, 'kind' | 'accountId'> | Anonymous;

/** What an access decision needs of a request: who signed it, and how it arrived. */
export type AccessRequest = Pick<PublicReadRequest, 'deps' | 'c'> & { readonly auth: AccessCaller };

/** What is asked for: an action on the bucket, or on one key of it. */
export interface AccessTarget {
  readonly action: S3Action;
  /** The object key; absent for a bucket-level action (resource `arn:aws:s3:::bucket`). */
  readonly key?: string;
  /** The object's ACL, when the object exists and its ACL counts (reads). */
  readonly objectAcl?: ObjectAcl;
  /** A listing's prefix (`s3:prefix`). */
  readonly prefix?: string;
}

/**
 * The one access decision of the gateway (see decideAccess for the order): the bucket's policy
 * evaluated for this caller, action, resource and request context, then ownership and the
 * canned ACLs of the bucket and object.
 */
export function accessDecision(request: AccessRequest, bucket: Bucket, target: AccessTarget): AccessDecision {
  const { auth, c } = request;
  const caller: PolicyCaller = auth.kind === 'signed' ? { kind: 'account', accountId: auth.accountId } : { kind: 'anonymous' };
  // Managing the policy is the owner's whatever it says (and a policy that no longer parses must
  // not lock the owner out); without a policy nothing is evaluated (the GET/HEAD hot path).
  const document = POLICY_MANAGEMENT_ACTIONS.has(target.action) ? null : request.deps.policies.policyOf(bucket);
  const sourceIp = c.env?.incoming?.socket?.remoteAddress;
  const policy = document === null ? 'NoMatch' : evaluatePolicy(document, {
    caller,
    action: target.action,
    resource: target.key === undefined ? `arn:aws:s3:::${bucket.name}` : `arn:aws:s3:::${bucket.name}/${target.key}`,
    secureTransport: new URL(c.req.url).protocol === 'https:',
    ...(sourceIp === undefined ? {} : { sourceIp }),
    ...(target.prefix === undefined ? {} : { prefix: target.prefix }),
  });
  return decideAccess({
    action: target.action,
    isOwner: caller.kind === 'account' && caller.accountId === bucket.accountId,
    policy,
    bucketPublicRead: bucket.acl === 'public-read',
    objectPublicRead: target.objectAcl === 'public-read',
  });
}

/** accessDecision, and AccessDenied (403) when it refuses. */
export function requireAccess(request: AccessRequest, bucket: Bucket, target: AccessTarget): void {
  if (!accessDecision(request, bucket, target).allowed) {
    throw new S3Error('AccessDenied', { resource: target.key === undefined ? `/${bucket.name}` : `/${bucket.name}/${target.key}` });
  }
}
