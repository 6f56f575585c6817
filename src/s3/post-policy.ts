/**
 * S3's POST policy (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html):
 * the base64 JSON document a POST Object form carries, parsed and checked against the form's
 * fields. Pure: no I/O, the clock comes in.
 *
 * - Conditions: `{"field": "value"}` and `["eq", "$field", "value"]` (exact), `["starts-with",
 *   "$field", "prefix"]` (an empty prefix allows any value; a comma-separated Content-Type must
 *   match in every member), `["content-length-range", min, max]` (checked on the file while it
 *   streams, see `checkFileLength`). Field names compare case-insensitively, values exactly.
 *   `$bucket` is the request's bucket; `$key` is the key with `${filename}` already substituted.
 * - `starts-with` only where S3 allows it (key, acl, the REST headers, success_action_redirect,
 *   redirect, x-amz-meta-*); on any other field the condition fails.
 * - Every form field except `file`, `policy`, `x-amz-signature` and `x-ignore-*` must be named by
 *   some condition ("Extra input fields").
 * - A document that is not base64 JSON, lacks `expiration` or `conditions`, or holds a condition of
 *   an unknown shape is InvalidPolicyDocument (400); a failed condition, an extra field or an
 *   expired policy is AccessDenied (403) with S3's "Invalid according to Policy: …" message.
 */
import { S3Error } from './errors.ts';

export type PolicyCondition =
  | { readonly kind: 'eq' | 'starts-with'; readonly field: string; readonly value: string; readonly text: string }
  | { readonly kind: 'content-length-range'; readonly min: number; readonly max: number; readonly text: string };

export interface PostPolicy {
  readonly expiration: Date;
  readonly conditions: readonly PolicyCondition[];
}

/** The file sizes a policy allows, inclusive; the intersection of its content-length-range conditions. */
export interface LengthRange {
  readonly min: number;
  readonly max: number;
}

const EXPIRATION_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const STARTS_WITH_FIELDS = new Set([
  'key', 'acl', 'cache-control', 'content-type', 'content-disposition', 'content-encoding', 'expires',
  'success_action_redirect', 'redirect',
]);
/** Fields the policy need not name: the file, the policy itself, its signature. */
const UNCOVERED_FIELDS = new Set(['file', 'policy', 'x-amz-signature']);

function invalid(detail: string): S3Error {
  return new S3Error('InvalidPolicyDocument', { message: `Invalid Policy: ${detail}` });
}

function denied(detail: string): S3Error {
  return new S3Error('AccessDenied', { message: `Invalid according to Policy: ${detail}` });
}

/** Decodes and validates the `policy` field (base64 of UTF-8 JSON). */
export function parsePostPolicy(base64: string): PostPolicy {
  const compact = base64.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) throw invalid('Invalid JSON.');
  let document: unknown;
  try {
    document = JSON.parse(Buffer.from(compact, 'base64').toString('utf8'));
  } catch {
    throw invalid('Invalid JSON.');
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw invalid('Invalid JSON.');
  const { expiration, conditions } = document as { expiration?: unknown; conditions?: unknown };
  if (expiration === undefined) throw invalid('Policy missing expiration.');
  if (typeof expiration !== 'string' || !EXPIRATION_PATTERN.test(expiration) || Number.isNaN(Date.parse(expiration))) {
    throw invalid(`Invalid 'expiration' value: '${String(expiration)}'`);
  }
  if (conditions === undefined) throw invalid('Policy missing conditions.');
  if (!Array.isArray(conditions)) throw invalid('Invalid conditions: must be an array.');
  return { expiration: new Date(expiration), conditions: conditions.map(parseCondition) };
}

function parseCondition(condition: unknown): PolicyCondition {
  if (condition !== null && typeof condition === 'object' && !Array.isArray(condition)) {
    const entries = Object.entries(condition);
    if (entries.length !== 1) throw invalid('Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
    const [field, value] = entries[0]!;
    if (typeof value !== 'string') throw invalid(`Invalid Simple-Condition: value of "${field}" must be a string.`);
    return { kind: 'eq', field: field.toLowerCase(), value, text: `[${['eq', `$${field}`, value].map((part) => JSON.stringify(part)).join(', ')}]` };
  }
  if (!Array.isArray(condition) || condition.length !== 3) throw invalid(`Invalid Condition: ${JSON.stringify(condition)}`);
  const text = `[${condition.map((part) => JSON.stringify(part)).join(', ')}]`;
  const [operator, first, second] = condition as [unknown, unknown, unknown];
  if (typeof operator !== 'string') throw invalid(`Invalid Condition: ${text}`);
  const kind = operator.toLowerCase();
  if (kind === 'content-length-range') {
    const min = lengthBound(first);
    const max = lengthBound(second);
    if (min === null || max === null) throw invalid(`Invalid content-length-range: ${text}`);
    return { kind, min, max, text };
  }
  if (kind !== 'eq' && kind !== 'starts-with') throw invalid(`Invalid Condition: unknown operation "${operator}"`);
  if (typeof first !== 'string' || !first.startsWith('$') || typeof second !== 'string') throw invalid(`Invalid Condition: ${text}`);
  return { kind, field: first.slice(1).toLowerCase(), value: second, text };
}

/** A JSON integer (or a decimal string of one, as some SDKs write), ≥ 0. */
function lengthBound(value: unknown): number | null {
  const number = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : null;
}

export interface PostPolicyInput {
  /** The form's fields before the file, names lower-case; `key` with `${filename}` substituted. */
  readonly fields: ReadonlyMap<string, string>;
  /** The bucket the request addresses (what `$bucket` is compared with). */
  readonly bucket: string;
  readonly now: Date;
}

/** Checks expiration, every condition and the extra-fields rule; the allowed file sizes. */
export function checkPostPolicy(policy: PostPolicy, input: PostPolicyInput): LengthRange {
  if (input.now.getTime() > policy.expiration.getTime()) throw denied('Policy expired.');
  const valueOf = (field: string) => (field === 'bucket' ? input.bucket : input.fields.get(field));
  const named = new Set<string>();
  let range: LengthRange = { min: 0, max: Number.MAX_SAFE_INTEGER };
  for (const condition of policy.conditions) {
    if (condition.kind === 'content-length-range') {
      range = { min: Math.max(range.min, condition.min), max: Math.min(range.max, condition.max) };
      continue;
    }
    named.add(condition.field);
    if (!conditionHolds(condition.kind, condition.field, condition.value, valueOf(condition.field))) {
      throw denied(`Policy Condition failed: ${condition.text}`);
    }
  }
  const extra = [...input.fields.keys()].filter((name) => !UNCOVERED_FIELDS.has(name) && !name.startsWith('x-ignore-') && !named.has(name));
  if (extra.length > 0) throw denied(`Extra input fields: ${extra.join(', ')}`);
  return range;
}

function conditionHolds(kind: 'eq' | 'starts-with', field: string, expected: string, actual: string | undefined): boolean {
  if (kind === 'eq') return actual === expected;
  if (!STARTS_WITH_FIELDS.has(field) && !field.startsWith('x-amz-meta-')) return false;
  if (expected === '') return true;
  if (actual === undefined) return false;
  if (field === 'content-type') return actual.split(',').every((member) => member.trim().startsWith(expected));
  return actual.startsWith(expected);
}

/**
 * A file length against the policy's range: EntityTooLarge as soon as `length` passes the
 * maximum (call it while the file streams, `final` false), EntityTooSmall when the whole file
 * (`final` true) stays under the minimum.
 */
export function checkFileLength(range: LengthRange, length: number, final: boolean): void {
  if (length > range.max) {
    throw new S3Error('EntityTooLarge', {
      message: 'Your proposed upload exceeds the maximum allowed size',
      extra: final ? { ProposedSize: String(length), MaxSizeAllowed: String(range.max) } : { MaxSizeAllowed: String(range.max) },
    });
  }
  if (final && length < range.min) {
    throw new S3Error('EntityTooSmall', {
      message: 'Your proposed upload is smaller than the minimum allowed size',
      extra: { ProposedSize: String(length), MinSizeAllowed: String(range.min) },
    });
  }
}
