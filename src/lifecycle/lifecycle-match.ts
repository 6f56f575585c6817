/**
 * Which lifecycle rule applies to an object or an upload, and when it acts. Pure.
 *
 * Day arithmetic follows S3: an object's expiration is its creation time plus Days, rounded up
 * to the NEXT midnight UTC (created 2014-01-15 10:30 with Days 3 → expires 2014-01-19 00:00;
 * a sum that falls exactly on a midnight moves to the following one, as "the next day's
 * midnight" says). A Date rule expires every matching object at that date, however new.
 * AbortIncompleteMultipartUpload counts DaysAfterInitiation from the upload's start the same way.
 *
 * Everything is scaled by `dayMs` (86,400,000 in production; `--lifecycle-day-seconds` makes it
 * seconds for tests): "midnight" is then any multiple of `dayMs` since the epoch, and a Date
 * rule's date is taken as it is (it was validated against the real midnight).
 */
import type { LifecycleExpiry, LifecycleFilter, LifecycleObject, LifecycleRule } from './lifecycle-types.ts';

/** True when the rule's filter selects this object (prefix, every tag, size bounds strict). */
export function filterMatches(filter: LifecycleFilter, object: Omit<LifecycleObject, 'createdAt'>): boolean {
  const hasTag = (key: string, value: string) => object.tags.some((tag) => tag.key === key && tag.value === value);
  switch (filter.kind) {
    case 'all': return true;
    case 'legacy-prefix': case 'prefix': return object.key.startsWith(filter.prefix);
    case 'tag': return hasTag(filter.tag.key, filter.tag.value);
    case 'size-greater-than': return object.size > filter.bytes;
    case 'size-less-than': return object.size < filter.bytes;
    case 'and': return (filter.prefix === undefined || object.key.startsWith(filter.prefix))
      && filter.tags.every((tag) => hasTag(tag.key, tag.value))
      && (filter.sizeGreaterThan === undefined || object.size > filter.sizeGreaterThan)
      && (filter.sizeLessThan === undefined || object.size < filter.sizeLessThan);
  }
}

/** The key prefix every object a filter selects starts with ('' when it selects by other means). */
export function filterPrefix(filter: LifecycleFilter): string {
  switch (filter.kind) {
    case 'legacy-prefix': case 'prefix': return filter.prefix;
    case 'and': return filter.prefix ?? '';
    default: return '';
  }
}

/** `startMs + days` rounded to the next (scaled) midnight. */
export function nextMidnightAfterDays(startMs: number, days: number, dayMs: number): number {
  const sumMs = startMs + days * dayMs;
  return Math.floor(sumMs / dayMs) * dayMs + dayMs;
}

/**
 * When the object expires under the bucket's enabled rules: the earliest of the matching rules'
 * expirations (as S3 reports in `x-amz-expiration`), or null when no enabled rule expires it.
 */
export function objectExpiry(rules: readonly LifecycleRule[], object: LifecycleObject, dayMs: number): LifecycleExpiry | null {
  let earliest: LifecycleExpiry | null = null;
  for (const rule of rules) {
    if (!rule.enabled || rule.expiration === null || !filterMatches(rule.filter, object)) continue;
    const atMs = rule.expiration.kind === 'date'
      ? rule.expiration.dateMs
      : nextMidnightAfterDays(object.createdAt.getTime(), rule.expiration.days, dayMs);
    if (earliest === null || atMs < earliest.at.getTime()) earliest = { at: new Date(atMs), ruleId: rule.id };
  }
  return earliest;
}

/**
 * When an incomplete multipart upload of `key` started at `initiatedAt` is aborted: the earliest
 * of the enabled AbortIncompleteMultipartUpload rules whose (key-only) filter selects it.
 */
export function uploadAbortDate(rules: readonly LifecycleRule[], key: string, initiatedAt: Date, dayMs: number): Date | null {
  let earliestMs: number | null = null;
  for (const rule of rules) {
    if (!rule.enabled || rule.abortIncompleteUploadDays === null) continue;
    if (!filterMatches(rule.filter, { key, size: 0, tags: [] })) continue;
    const atMs = nextMidnightAfterDays(initiatedAt.getTime(), rule.abortIncompleteUploadDays, dayMs);
    if (earliestMs === null || atMs < earliestMs) earliestMs = atMs;
  }
  return earliestMs === null ? null : new Date(earliestMs);
}

/** The longest prefix shared by the filters of the rules that `select` keeps: where a walk can start. */
export function commonPrefix(rules: readonly LifecycleRule[], select: (rule: LifecycleRule) => boolean): string | null {
  const prefixes = rules.filter((rule) => rule.enabled && select(rule)).map((rule) => filterPrefix(rule.filter));
  if (prefixes.length === 0) return null;
  let shared = prefixes[0]!;
  for (const prefix of prefixes.slice(1)) {
    let length = 0;
    while (length < shared.length && length < prefix.length && shared[length] === prefix[length]) length += 1;
    shared = shared.slice(0, length);
  }
  // never split a surrogate pair: a listing prefix must be well-formed Unicode
  if (/[\uD800-\uDBFF]$/.test(shared)) shared = shared.slice(0, -1);
  return shared;
}

/**
 * `x-amz-expiration: expiry-date="Fri, 23 Dec 2012 00:00:00 GMT", rule-id="…"`. A header value is
 * printable ASCII: in the rule id a quote or backslash is escaped, anything else non-printable
 * (non-ASCII ids) is percent-encoded as UTF-8.
 */
export function expirationHeader(expiry: LifecycleExpiry): string {
  const ruleId = expiry.ruleId
    .replace(/["\\]/g, (char) => `\\${char}`)
    .replace(/[^\x20-\x7e]+/gu, (run) => encodeURIComponent(run));
  return `expiry-date="${expiry.at.toUTCString()}", rule-id="${ruleId}"`;
}
