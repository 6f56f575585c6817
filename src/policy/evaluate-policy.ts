import { ipInRange } from './ip-range.ts';
import type { BucketPolicy, PatternList, PolicyCondition, PolicyPrincipal, PolicyStatement } from './policy-document.ts';
import type { S3Action } from './s3-actions.ts';
import { matchesWildcard } from './wildcard.ts';

/** Who is asking: no signature at all, or an account (by its id). */
export type PolicyCaller = { readonly kind: 'anonymous' } | { readonly kind: 'account'; readonly accountId: string };

/** One request as a bucket policy sees it. */
export interface PolicyRequest {
  readonly caller: PolicyCaller;
  readonly action: S3Action;
  /** `arn:aws:s3:::bucket` or `arn:aws:s3:::bucket/key`. */
  readonly resource: string;
  /** `aws:SecureTransport`: whether the request came over TLS. */
  readonly secureTransport: boolean;
  /** `aws:SourceIp`: the client's address, when known. */
  readonly sourceIp?: string;
  /** `s3:prefix`: a listing's `prefix` parameter (`''` without one); absent for other requests. */
  readonly prefix?: string;
}

/** What a policy says about a request: an explicit Deny, an Allow, or nothing (no statement matched). */
export type PolicyEffect = 'Deny' | 'Allow' | 'NoMatch';

/**
 * IAM's evaluation for one policy: any matching Deny statement wins; else any matching Allow;
 * else NoMatch (the caller's default decides). A statement matches when its principal, action,
 * resource and every condition do. Pure: everything it needs is in its arguments.
 */
export function evaluatePolicy(policy: BucketPolicy | null, request: PolicyRequest): PolicyEffect {
  let allowed = false;
  for (const statement of policy?.statements ?? []) {
    if (!statementMatches(statement, request)) continue;
    if (statement.effect === 'Deny') return 'Deny';
    allowed = true;
  }
  return allowed ? 'Allow' : 'NoMatch';
}

/**
 * GetBucketPolicyStatus's IsPublic: some Allow statement opens something to everyone (`*`) with
 * no condition that narrows who — here an `aws:SourceIp` IpAddress condition on ranges that are
 * not the whole internet (`/0`). `s3:prefix` and `aws:SecureTransport` narrow what and how, not who.
 */
export function isPublicPolicy(policy: BucketPolicy): boolean {
  return policy.statements.some((statement) => statement.effect === 'Allow'
    && statement.principal.kind === 'everyone'
    && !statement.conditions.some((condition) => condition.key === 'aws:SourceIp' && condition.operator === 'IpAddress'
      && !condition.ifExists && condition.ranges.every((range) => range.prefixLength > 0)));
}

function statementMatches(statement: PolicyStatement, request: PolicyRequest): boolean {
  return principalMatches(statement.principal, request.caller)
    && listMatches(statement.actions, (pattern) => pattern === '*' || matchesWildcard(pattern, request.action, true))
    && listMatches(statement.resources, (pattern) => matchesWildcard(pattern, request.resource))
    && statement.conditions.every((condition) => conditionHolds(condition, request));
}

function principalMatches(principal: PolicyPrincipal, caller: PolicyCaller): boolean {
  if (principal.kind === 'everyone') return true;
  return caller.kind === 'account' && principal.accountIds.includes(caller.accountId);
}

function listMatches(list: PatternList, matches: (pattern: string) => boolean): boolean {
  return list.patterns.some(matches) !== list.negated;
}

const NEGATED_OPERATORS = new Set(['StringNotEquals', 'StringNotLike', 'NotIpAddress']);

/**
 * One condition: true when any of its values matches the request's value (for the negated
 * operators, when none does). A key the request has no value for makes a positive operator false
 * and a negated one true, as IAM; `…IfExists` makes it true either way.
 */
function conditionHolds(condition: PolicyCondition, request: PolicyRequest): boolean {
  const actual = condition.key === 'aws:SecureTransport' ? String(request.secureTransport)
    : condition.key === 'aws:SourceIp' ? request.sourceIp
      : request.prefix;
  const negated = NEGATED_OPERATORS.has(condition.operator);
  if (actual === undefined) return condition.ifExists || negated;
  let anyMatches: boolean;
  switch (condition.operator) {
    case 'Bool': anyMatches = condition.values.some((value) => value.toLowerCase() === actual); break;
    case 'StringEquals': case 'StringNotEquals': anyMatches = condition.values.includes(actual); break;
    case 'StringLike': case 'StringNotLike': anyMatches = condition.values.some((value) => matchesWildcard(value, actual)); break;
    case 'IpAddress': case 'NotIpAddress': anyMatches = condition.ranges.some((range) => ipInRange(actual, range)); break;
  }
  return anyMatches !== negated;
}
