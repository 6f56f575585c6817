import test from 'ava';
import { S3Error } from './errors.ts';
import { checkFileLength, checkPostPolicy, parsePostPolicy, type LengthRange } from './post-policy.ts';

const NOW = new Date('2026-12-03T12:00:00Z');
const encode = (document: unknown) => Buffer.from(typeof document === 'string' ? document : JSON.stringify(document)).toString('base64');
const SIGNING_FIELDS: [string, string][] = [
  ['x-amz-algorithm', 'AWS4-HMAC-SHA256'], ['x-amz-credential', 'AKID/20261203/us-east-1/s3/aws4_request'], ['x-amz-date', '20261203T110000Z'],
];
const SIGNING_CONDITIONS = SIGNING_FIELDS.map(([name, value]) => ({ [name]: value }));

function check(conditions: unknown[], fields: Record<string, string>, options: { expiration?: string; bucket?: string } = {}): LengthRange {
  const policy = parsePostPolicy(encode({ expiration: options.expiration ?? '2026-12-03T13:00:00.000Z', conditions: [...SIGNING_CONDITIONS, ...conditions] }));
  const all = new Map([...SIGNING_FIELDS, ['policy', 'ignored'], ['x-amz-signature', 'ignored'], ...Object.entries(fields)]);
  return checkPostPolicy(policy, { fields: all, bucket: options.bucket ?? 'videos', now: NOW });
}

const outcome = (run: () => unknown): string => {
  try {
    run();
    return 'allowed';
  } catch (error) {
    if (!(error instanceof S3Error)) throw error;
    return `${error.code}: ${error.message}`;
  }
};

const decides = test.macro({
  exec(t, conditions: unknown[], fields: Record<string, string>, expected: string, options: { expiration?: string; bucket?: string } = {}) {
    t.is(outcome(() => check(conditions, fields, options)), expected);
  },
  title: (name = '') => name,
});

const FAILED = 'AccessDenied: Invalid according to Policy: Policy Condition failed: ';
test('eq holds', decides, [['eq', '$key', 'a/b.mp4']], { key: 'a/b.mp4' }, 'allowed');
test('eq fails on another value', decides, [['eq', '$key', 'a/b.mp4']], { key: 'a/c.mp4' }, `${FAILED}["eq", "$key", "a/b.mp4"]`);
test('eq fails on a missing field', decides, [['eq', '$x-amz-meta-owner', 'ann']], {}, `${FAILED}["eq", "$x-amz-meta-owner", "ann"]`);
test('eq compares values case-sensitively', decides, [['eq', '$key', 'A']], { key: 'a' }, `${FAILED}["eq", "$key", "A"]`);
test('field names compare case-insensitively', decides, [['eq', '$Content-Type', 'video/mp4']], { 'content-type': 'video/mp4' }, 'allowed');
test('the short form is eq', decides, [{ key: 'k' }], { key: 'k' }, 'allowed');
test('the short form fails like eq', decides, [{ 'Content-Type': 'video/mp4' }], { 'content-type': 'text/plain' }, `${FAILED}["eq", "$Content-Type", "video/mp4"]`);
test('starts-with holds', decides, [['starts-with', '$key', 'user/eric/']], { key: 'user/eric/movie.mp4' }, 'allowed');
test('starts-with fails', decides, [['starts-with', '$key', 'user/eric/']], { key: 'user/ann/movie.mp4' }, `${FAILED}["starts-with", "$key", "user/eric/"]`);
test('starts-with an empty prefix allows anything', decides, [['starts-with', '$key', '']], { key: 'anything' }, 'allowed');
test('starts-with on x-amz-meta-*', decides, [['starts-with', '$x-amz-meta-tag', 'v-']], { 'x-amz-meta-tag': 'v-1' }, 'allowed');
test('starts-with on every member of a Content-Type list', decides, [['starts-with', '$Content-Type', 'video/']], { 'content-type': 'video/mp4, video/webm' }, 'allowed');
test('starts-with fails on one member of a Content-Type list', decides, [['starts-with', '$Content-Type', 'video/']], { 'content-type': 'video/mp4,text/html' }, `${FAILED}["starts-with", "$Content-Type", "video/"]`);
test('starts-with is refused on an exact-only field', decides, [['starts-with', '$success_action_status', '2']], { success_action_status: '201' }, `${FAILED}["starts-with", "$success_action_status", "2"]`);
test('$bucket is the request bucket', decides, [{ bucket: 'videos' }], {}, 'allowed');
test('$bucket of another bucket fails', decides, [['eq', '$bucket', 'photos']], {}, `${FAILED}["eq", "$bucket", "photos"]`, { bucket: 'videos' });
test('a bucket field is covered by a bucket condition', decides, [{ bucket: 'videos' }], { bucket: 'videos' }, 'allowed');
test('a field no condition names is extra', decides, [['starts-with', '$key', '']], { key: 'k', success_action_status: '201' }, 'AccessDenied: Invalid according to Policy: Extra input fields: success_action_status');
test('extra fields are all named', decides, [], { key: 'k', 'x-amz-meta-a': '1' }, 'AccessDenied: Invalid according to Policy: Extra input fields: key, x-amz-meta-a');
test('x-ignore-* fields need no condition', decides, [{ key: 'k' }], { key: 'k', 'x-ignore-submit': 'Upload' }, 'allowed');
test('the signing fields need conditions like any other', decides, [{ key: 'k' }], { key: 'k', 'x-amz-security-token': 't' }, 'AccessDenied: Invalid according to Policy: Extra input fields: x-amz-security-token');
test('an expired policy', decides, [], {}, 'AccessDenied: Invalid according to Policy: Policy expired.', { expiration: '2026-12-03T11:59:59.999Z' });
test('a policy expiring this very moment still holds', decides, [], {}, 'allowed', { expiration: '2026-12-03T12:00:00Z' });

test('content-length-range: ranges intersect; none allows any size', (t) => {
  t.deepEqual(check([['content-length-range', 10, 1000], ['content-length-range', '20', 2000]], {}), { min: 20, max: 1000 });
  t.deepEqual(check([], {}), { min: 0, max: Number.MAX_SAFE_INTEGER });
});

test('checkFileLength: too large while streaming, too small only at the end', (t) => {
  const range = { min: 10, max: 100 };
  t.notThrows(() => checkFileLength(range, 5, false));
  t.notThrows(() => checkFileLength(range, 100, true));
  t.notThrows(() => checkFileLength(range, 10, true));
  const large = t.throws(() => checkFileLength(range, 101, false)) as S3Error;
  t.is(large.code, 'EntityTooLarge');
  t.deepEqual(large.extra, { MaxSizeAllowed: '100' });
  const small = t.throws(() => checkFileLength(range, 9, true)) as S3Error;
  t.is(small.code, 'EntityTooSmall');
  t.deepEqual(small.extra, { ProposedSize: '9', MinSizeAllowed: '10' });
});

const malformed = test.macro({
  exec(t, policy: string, message: string) {
    const error = t.throws(() => parsePostPolicy(policy)) as S3Error;
    t.is(error.code, 'InvalidPolicyDocument');
    t.is(error.status, 400);
    t.is(error.message, message);
  },
  title: (name = '') => `InvalidPolicyDocument: ${name}`,
});
test('not base64', malformed, '!!not base64!!', 'Invalid Policy: Invalid JSON.');
test('not JSON', malformed, encode('{"expiration": '), 'Invalid Policy: Invalid JSON.');
test('a JSON array', malformed, encode([]), 'Invalid Policy: Invalid JSON.');
test('no expiration', malformed, encode({ conditions: [] }), 'Invalid Policy: Policy missing expiration.');
test('a bad expiration', malformed, encode({ expiration: 'tomorrow', conditions: [] }), "Invalid Policy: Invalid 'expiration' value: 'tomorrow'");
test('no conditions', malformed, encode({ expiration: '2026-12-03T13:00:00Z' }), 'Invalid Policy: Policy missing conditions.');
test('a simple condition with two properties', malformed, encode({ expiration: '2026-12-03T13:00:00Z', conditions: [{ a: '1', b: '2' }] }),
  'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.');
test('an unknown operation', malformed, encode({ expiration: '2026-12-03T13:00:00Z', conditions: [['ends-with', '$key', 'x']] }),
  'Invalid Policy: Invalid Condition: unknown operation "ends-with"');
test('a field without $', malformed, encode({ expiration: '2026-12-03T13:00:00Z', conditions: [['eq', 'key', 'x']] }),
  'Invalid Policy: Invalid Condition: ["eq", "key", "x"]');
test('a negative length', malformed, encode({ expiration: '2026-12-03T13:00:00Z', conditions: [['content-length-range', -1, 10]] }),
  'Invalid Policy: Invalid content-length-range: ["content-length-range", -1, 10]');

test('whitespace in the base64 (line-wrapped encoders) is ignored', (t) => {
  const wrapped = encode({ expiration: '2026-12-03T13:00:00Z', conditions: [] }).replace(/(.{20})/g, '$1\r\n');
  t.deepEqual(parsePostPolicy(wrapped).conditions, []);
});
