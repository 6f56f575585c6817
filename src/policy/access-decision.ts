import type { PolicyEffect } from './evaluate-policy.ts';
import { POLICY_MANAGEMENT_ACTIONS, type S3Action } from './s3-actions.ts';

/** Everything the decision weighs, already looked up. */
export interface AccessFacts {
  readonly action: S3Action;
  /** The caller is the bucket's owner (signed with one of its account's keys). */
  readonly isOwner: boolean;
  /** What the bucket policy says (NoMatch without a policy). */
  readonly policy: PolicyEffect;
  /** The bucket's canned ACL is public-read. */
  readonly bucketPublicRead: boolean;
  /** The object's canned ACL is public-read (false for bucket-level actions). */
  readonly objectPublicRead: boolean;
}

export type AccessDecision =
  | { readonly allowed: true; readonly reason: 'owner' | 'policy' | 'public-read bucket' | 'public-read object' }
  | { readonly allowed: false; readonly reason: 'explicit deny' | 'owner only' | 'no grant' };

/** What a public-read ACL lets anyone do: a bucket's, list it and read its objects; an object's, read it. */
const BUCKET_PUBLIC_READ_ACTIONS: ReadonlySet<S3Action> = new Set(['s3:GetObject', 's3:ListBucket']);

/**
 * shardgate's one access decision, in this order:
 * 1. managing the policy itself (Get/Put/DeleteBucketPolicy, GetBucketPolicyStatus): the owner
 *    only, whatever the policy says — so an owner cannot lock themselves out;
 * 2. an explicit Deny in the bucket policy: refused, the owner and public-read ACLs included;
 * 3. allowed by the policy, or the caller owns the bucket, or a public-read bucket (list, read
 *    objects), or a public-read object (read it);
 * 4. else refused.
 */
export function decideAccess(facts: AccessFacts): AccessDecision {
  if (POLICY_MANAGEMENT_ACTIONS.has(facts.action)) return facts.isOwner ? { allowed: true, reason: 'owner' } : { allowed: false, reason: 'owner only' };
  if (facts.policy === 'Deny') return { allowed: false, reason: 'explicit deny' };
  if (facts.policy === 'Allow') return { allowed: true, reason: 'policy' };
  if (facts.isOwner) return { allowed: true, reason: 'owner' };
  if (facts.bucketPublicRead && BUCKET_PUBLIC_READ_ACTIONS.has(facts.action)) return { allowed: true, reason: 'public-read bucket' };
  if (facts.objectPublicRead && facts.action === 's3:GetObject') return { allowed: true, reason: 'public-read object' };
  return { allowed: false, reason: 'no grant' };
}
