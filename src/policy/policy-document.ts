import { S3Error } from '../s3/errors.ts';
import { parseIpRange, type IpRange } from './ip-range.ts';
import { S3_ACTIONS } from './s3-actions.ts';
import { matchesWildcard } from './wildcard.ts';

/** S3's limit on a bucket policy document: 20 KB. */
export const MAX_POLICY_BYTES = 20 * 1024;

/** The ARN a shardgate account is known by in policies (its id, as `shardgate keys create --json` prints it). */
export function accountArn(accountId: string): string {
  return `arn:aws:iam::${accountId}:root`;
}

export type PolicyPrincipal = { readonly kind: 'everyone' } | { readonly kind: 'accounts'; readonly accountIds: readonly string[] };

/** A list of patterns, or everything but them (`NotAction`, `NotResource`). */
export interface PatternList {
  readonly negated: boolean;
  readonly patterns: readonly string[];
}

export type ConditionKey = 'aws:SecureTransport' | 's3:prefix' | 'aws:SourceIp';
export type ConditionOperator = 'Bool' | 'StringEquals' | 'StringNotEquals' | 'StringLike' | 'StringNotLike' | 'IpAddress' | 'NotIpAddress';

export interface PolicyCondition {
  readonly operator: ConditionOperator;
  /** `…IfExists`: true when the request has no value for the key. */
  readonly ifExists: boolean;
  readonly key: ConditionKey;
  readonly values: readonly string[];
  /** The parsed `values` of an IpAddress / NotIpAddress condition. */
  readonly ranges: readonly IpRange[];
}

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly principal: PolicyPrincipal;
  readonly actions: PatternList;
  readonly resources: PatternList;
  /** All must hold. */
  readonly conditions: readonly PolicyCondition[];
}

export interface BucketPolicy {
  readonly statements: readonly PolicyStatement[];
}

/** Which operators each supported key takes. */
const KEY_OPERATORS: Readonly<Record<ConditionKey, readonly ConditionOperator[]>> = {
  'aws:SecureTransport': ['Bool'],
  's3:prefix': ['StringEquals', 'StringNotEquals', 'StringLike', 'StringNotLike'],
  'aws:SourceIp': ['IpAddress', 'NotIpAddress'],
};
const KEYS_BY_LOWER = new Map(Object.keys(KEY_OPERATORS).map((key) => [key.toLowerCase(), key as ConditionKey]));
const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const ARN_PREFIX = 'arn:aws:s3:::';

const malformed = (message: string) => new S3Error('MalformedPolicy', { message });

/**
 * A bucket policy document (JSON text) → the policy, checked against the bucket it is for:
 * MalformedPolicy (with AWS's message where it has one) for bad JSON, a document over 20 KB, an
 * unknown action, a resource outside the bucket, a principal that is not `*`, an account ARN
 * or id, and any field, condition key or operator shardgate does not evaluate (NotPrincipal,
 * Service principals, other condition keys): never accepted and then silently ignored.
 */
export function parseBucketPolicy(text: string, bucket: string): BucketPolicy {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) throw malformed(`Policy exceeds the maximum allowed document size of ${MAX_POLICY_BYTES} bytes.`);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw malformed("Policies must be valid JSON and the first byte must be '{'");
  }
  if (!isObject(document)) throw malformed("Policies must be valid JSON and the first byte must be '{'");
  for (const field of Object.keys(document)) {
    if (!['Version', 'Id', 'Statement'].includes(field)) throw malformed(`Unknown field ${field}`);
  }
  if (document.Version !== undefined && document.Version !== '2012-10-17' && document.Version !== '2008-10-17') {
    throw malformed('The policy must contain a valid version string');
  }
  if (document.Id !== undefined && typeof document.Id !== 'string') throw malformed('Invalid policy syntax.');
  const list = Array.isArray(document.Statement) ? document.Statement : document.Statement === undefined ? [] : [document.Statement];
  if (list.length === 0) throw malformed('Missing required field Statement');
  return { statements: list.map((statement) => parseStatement(statement, bucket)) };
}

function parseStatement(statement: unknown, bucket: string): PolicyStatement {
  if (!isObject(statement)) throw malformed('Invalid policy syntax.');
  for (const field of Object.keys(statement)) {
    if (!STATEMENT_FIELDS.has(field)) throw malformed(`Unknown field ${field}`);
  }
  if (statement.NotPrincipal !== undefined) throw malformed('NotPrincipal is not supported by shardgate: name the principals a statement applies to.');
  if (statement.Sid !== undefined && typeof statement.Sid !== 'string') throw malformed('Invalid policy syntax.');
  if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') throw malformed('Invalid effect: the Effect must be Allow or Deny');
  if (statement.Principal === undefined) throw malformed('Missing required field Principal');
  const actions = patternList(statement, 'Action', 'NotAction');
  for (const action of actions.patterns) {
    const known = action === '*' || (action.toLowerCase().startsWith('s3:') && S3_ACTIONS.some((name) => matchesWildcard(action, name, true)));
    if (!known) throw malformed('Policy has invalid action');
  }
  const resources = patternList(statement, 'Resource', 'NotResource');
  for (const resource of resources.patterns) {
    if (!resource.startsWith(ARN_PREFIX)) throw malformed('Policy has invalid resource');
    const rest = resource.slice(ARN_PREFIX.length);
    const slash = rest.indexOf('/');
    if (!matchesWildcard(slash < 0 ? rest : rest.slice(0, slash), bucket)) throw malformed('Policy has invalid resource');
  }
  return {
    ...(statement.Sid === undefined ? {} : { sid: statement.Sid as string }),
    effect: statement.Effect,
    principal: parsePrincipal(statement.Principal),
    actions,
    resources,
    conditions: statement.Condition === undefined ? [] : parseConditions(statement.Condition),
  };
}

function patternList(statement: Record<string, unknown>, field: string, negatedField: string): PatternList {
  const given = statement[field];
  const negated = statement[negatedField];
  if ((given === undefined) === (negated === undefined)) throw malformed(`A statement needs exactly one of ${field} and ${negatedField}`);
  const patterns = stringList(given ?? negated);
  if (patterns === null || patterns.length === 0) throw malformed(`Invalid ${given === undefined ? negatedField : field}: a string or a list of strings`);
  return { negated: given === undefined, patterns };
}

function parsePrincipal(principal: unknown): PolicyPrincipal {
  if (principal === '*') return { kind: 'everyone' };
  if (!isObject(principal)) throw malformed('Invalid principal in policy');
  const accountIds: string[] = [];
  for (const [type, value] of Object.entries(principal)) {
    const names = stringList(value);
    if (names === null || names.length === 0) throw malformed('Invalid principal in policy');
    if (type === 'AWS') {
      for (const name of names) {
        if (name === '*') return { kind: 'everyone' };
        const arn = /^arn:aws:iam::([A-Za-z0-9]+):root$/.exec(name);
        const accountId = arn?.[1] ?? (/^[A-Za-z0-9]+$/.test(name) ? name : undefined);
        if (accountId === undefined) throw malformed(`Invalid principal in policy: ${name} (shardgate principals are * and accounts, arn:aws:iam::<account id>:root)`);
        accountIds.push(accountId);
      }
    } else if (type === 'CanonicalUser') {
      accountIds.push(...names);
    } else {
      throw malformed(`Invalid principal in policy: ${type} principals are not supported by shardgate`);
    }
  }
  return { kind: 'accounts', accountIds };
}

function parseConditions(condition: unknown): PolicyCondition[] {
  if (!isObject(condition)) throw malformed('Invalid policy syntax.');
  const conditions: PolicyCondition[] = [];
  for (const [operatorName, block] of Object.entries(condition)) {
    const ifExists = operatorName.endsWith('IfExists');
    const operator = (ifExists ? operatorName.slice(0, -'IfExists'.length) : operatorName) as ConditionOperator;
    if (!isObject(block)) throw malformed('Invalid policy syntax.');
    for (const [keyName, rawValues] of Object.entries(block)) {
      const key = KEYS_BY_LOWER.get(keyName.toLowerCase());
      if (key === undefined) throw malformed(`Policy has an invalid condition key: ${keyName} (shardgate evaluates aws:SecureTransport, aws:SourceIp and s3:prefix)`);
      if (!KEY_OPERATORS[key].includes(operator)) throw malformed(`Invalid Condition type : ${operatorName} for ${key}`);
      const values = (Array.isArray(rawValues) ? rawValues : [rawValues]).map((value) => {
        if (typeof value !== 'string' && typeof value !== 'boolean' && typeof value !== 'number') throw malformed('Invalid policy syntax.');
        return String(value);
      });
      if (values.length === 0) throw malformed('Invalid policy syntax.');
      if (operator === 'Bool' && values.some((value) => !/^(true|false)$/i.test(value))) throw malformed(`Invalid value for ${key}: true or false`);
      const ranges = operator === 'IpAddress' || operator === 'NotIpAddress'
        ? values.map((value) => parseIpRange(value) ?? (() => { throw malformed(`Invalid IP address or range: ${value}`); })())
        : [];
      conditions.push({ operator, ifExists, key, values, ranges });
    }
  }
  return conditions;
}

function stringList(value: unknown): string[] | null {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value as string[];
  return null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
