import test from 'ava';
import type { LifecycleFilter, LifecycleObject, LifecycleRule } from './lifecycle-types.ts';
import {
  commonPrefix, expirationHeader, filterMatches, nextMidnightAfterDays, objectExpiry, uploadAbortDate,
} from './lifecycle-match.ts';

const DAY = 86_400_000;
const object = (key: string, size: number, tags: LifecycleObject['tags'] = []) => ({ key, size, tags });

const matches = test.macro({
  exec(t, filter: LifecycleFilter, subject: Omit<LifecycleObject, 'createdAt'>, expected: boolean) {
    t.is(filterMatches(filter, subject), expected);
  },
  title: (title, _filter, subject: Omit<LifecycleObject, 'createdAt'> | undefined, expected) =>
    `${title}: ${subject?.key} (${subject?.size} B) ${expected ? 'matches' : 'does not match'}`,
});

test('empty filter', matches, { kind: 'all' }, object('any', 0), true);
test('legacy prefix', matches, { kind: 'legacy-prefix', prefix: 'logs/' }, object('logs/a', 1), true);
test('legacy prefix', matches, { kind: 'legacy-prefix', prefix: 'logs/' }, object('log', 1), false);
test('prefix', matches, { kind: 'prefix', prefix: '' }, object('x', 1), true);
test('prefix is case sensitive', matches, { kind: 'prefix', prefix: 'A' }, object('a', 1), false);
test('tag', matches, { kind: 'tag', tag: { key: 'k', value: 'v' } }, object('a', 1, [{ key: 'k', value: 'v' }]), true);
test('tag with another value', matches, { kind: 'tag', tag: { key: 'k', value: 'v' } }, object('a', 1, [{ key: 'k', value: 'w' }]), false);
test('tag on an untagged object', matches, { kind: 'tag', tag: { key: 'k', value: '' } }, object('a', 1), false);
test('size greater than is strict', matches, { kind: 'size-greater-than', bytes: 10 }, object('a', 10), false);
test('size greater than', matches, { kind: 'size-greater-than', bytes: 10 }, object('a', 11), true);
test('size less than is strict', matches, { kind: 'size-less-than', bytes: 10 }, object('a', 10), false);
test('size less than', matches, { kind: 'size-less-than', bytes: 10 }, object('a', 9), true);
const and: LifecycleFilter = {
  kind: 'and', prefix: 'p/', tags: [{ key: 'a', value: '1' }, { key: 'b', value: '2' }], sizeGreaterThan: 5, sizeLessThan: 100,
};
const bothTags = [{ key: 'b', value: '2' }, { key: 'a', value: '1' }, { key: 'c', value: '3' }];
test('and: everything holds', matches, and, object('p/x', 50, bothTags), true);
test('and: one tag missing', matches, and, object('p/x', 50, [{ key: 'a', value: '1' }]), false);
test('and: outside the prefix', matches, and, object('q/x', 50, bothTags), false);
test('and: too small', matches, and, object('p/x', 5, bothTags), false);
test('and: too large', matches, and, object('p/x', 100, bothTags), false);
test('and: prefix and size only', matches, { kind: 'and', prefix: 'p/', tags: [], sizeLessThan: 10 }, object('p/x', 9), true);

const midnight = test.macro({
  exec(t, startMs: number, days: number, dayMs: number, expectedMs: number) {
    t.is(nextMidnightAfterDays(startMs, days, dayMs), expectedMs);
  },
  title: (title, startMs, days, dayMs) => `${title}: ${startMs} + ${days} × ${dayMs} ms`,
});
// S3's own example: created 2014-01-15 10:30 UTC, Days 3 → 2014-01-19 00:00 UTC
test('AWS example', midnight, Date.UTC(2014, 0, 15, 10, 30), 3, DAY, Date.UTC(2014, 0, 19));
test('one ms before midnight', midnight, Date.UTC(2014, 0, 15, 23, 59, 59, 999), 1, DAY, Date.UTC(2014, 0, 17));
test('exactly at midnight moves to the next one', midnight, Date.UTC(2014, 0, 15), 1, DAY, Date.UTC(2014, 0, 17));
test('scaled 2 s days', midnight, 10_500, 1, 2_000, 14_000);
test('scaled 2 s days from a boundary', midnight, 10_000, 1, 2_000, 14_000);
test('scaled 2 s days, 3 days', midnight, 11_999, 3, 2_000, 18_000);

const rule = (id: string, fields: Partial<LifecycleRule>): LifecycleRule => ({
  id, enabled: true, filter: { kind: 'all' }, expiration: null, abortIncompleteUploadDays: null, ...fields,
});

test('objectExpiry: the earliest matching enabled rule wins; disabled and non-matching rules are ignored', (t) => {
  const createdAt = new Date(Date.UTC(2026, 0, 1, 12));
  const rules = [
    rule('ten', { expiration: { kind: 'days', days: 10 } }),
    rule('two-logs', { filter: { kind: 'prefix', prefix: 'logs/' }, expiration: { kind: 'days', days: 2 } }),
    rule('one-disabled', { enabled: false, expiration: { kind: 'days', days: 1 } }),
    rule('abort-only', { abortIncompleteUploadDays: 1 }),
  ];
  t.deepEqual(objectExpiry(rules, { ...object('logs/a', 1), createdAt }, DAY), { at: new Date(Date.UTC(2026, 0, 4)), ruleId: 'two-logs' });
  t.deepEqual(objectExpiry(rules, { ...object('data/a', 1), createdAt }, DAY), { at: new Date(Date.UTC(2026, 0, 12)), ruleId: 'ten' });
  t.is(objectExpiry(rules.slice(2), { ...object('data/a', 1), createdAt }, DAY), null);
});

test('objectExpiry: a Date rule expires old and new objects at that date', (t) => {
  const dateMs = Date.UTC(2026, 5, 1);
  const rules = [rule('june', { expiration: { kind: 'date', dateMs } })];
  for (const createdAt of [new Date(Date.UTC(2020, 0, 1)), new Date(Date.UTC(2027, 0, 1))]) {
    t.deepEqual(objectExpiry(rules, { ...object('k', 1), createdAt }, DAY), { at: new Date(dateMs), ruleId: 'june' });
  }
});

test('objectExpiry: a tag rule needs the object\'s tags', (t) => {
  const rules = [rule('tagged', { filter: { kind: 'tag', tag: { key: 'tmp', value: 'yes' } }, expiration: { kind: 'days', days: 1 } })];
  const createdAt = new Date(0);
  t.is(objectExpiry(rules, { ...object('k', 1), createdAt }, 1_000), null);
  t.deepEqual(objectExpiry(rules, { ...object('k', 1, [{ key: 'tmp', value: 'yes' }]), createdAt }, 1_000), { at: new Date(2_000), ruleId: 'tagged' });
});

test('uploadAbortDate: by key prefix, earliest rule, enabled only', (t) => {
  const rules = [
    rule('tmp', { filter: { kind: 'prefix', prefix: 'tmp/' }, abortIncompleteUploadDays: 1 }),
    rule('all', { abortIncompleteUploadDays: 5 }),
    rule('off', { enabled: false, abortIncompleteUploadDays: 1 }),
    rule('expire', { expiration: { kind: 'days', days: 1 } }),
  ];
  t.deepEqual(uploadAbortDate(rules, 'tmp/x', new Date(500), 1_000), new Date(2_000));
  t.deepEqual(uploadAbortDate(rules, 'data/x', new Date(500), 1_000), new Date(6_000));
  t.is(uploadAbortDate(rules.slice(2), 'tmp/x', new Date(500), 1_000), null);
});

test('commonPrefix: where a walk over the selected rules can start', (t) => {
  const expires = (r: LifecycleRule) => r.expiration !== null;
  const prefixRule = (id: string, prefix: string) => rule(id, { filter: { kind: 'prefix', prefix }, expiration: { kind: 'days', days: 1 } });
  t.is(commonPrefix([prefixRule('a', 'logs/2024/'), prefixRule('b', 'logs/2025/')], expires), 'logs/202');
  t.is(commonPrefix([prefixRule('a', 'logs/'), rule('b', { filter: { kind: 'size-less-than', bytes: 5 }, expiration: { kind: 'days', days: 1 } })], expires), '');
  t.is(commonPrefix([rule('abort', { abortIncompleteUploadDays: 1 })], expires), null);
  t.is(commonPrefix([prefixRule('a', 'x\u{1F600}a'), prefixRule('b', 'x\u{1F600}b')], expires), 'x\u{1F600}');
  t.is(commonPrefix([prefixRule('a', 'x\uD83D\uDE00'), prefixRule('b', 'x\uD83D\uDE01')], expires), 'x');
});

test('expirationHeader: S3\'s form, rule id escaped to printable ASCII', (t) => {
  t.is(expirationHeader({ at: new Date(Date.UTC(2012, 11, 23)), ruleId: 'picture-deletion-rule' }),
    'expiry-date="Sun, 23 Dec 2012 00:00:00 GMT", rule-id="picture-deletion-rule"');
  t.is(expirationHeader({ at: new Date(0), ruleId: 'a"b\\c é' }), 'expiry-date="Thu, 01 Jan 1970 00:00:00 GMT", rule-id="a\\"b\\\\c %C3%A9"');
});
