import test from 'ava';
import { decideAccess, type AccessFacts } from './access-decision.ts';
import { evaluatePolicy, isPublicPolicy, type PolicyEffect, type PolicyRequest } from './evaluate-policy.ts';
import { accountArn, parseBucketPolicy } from './policy-document.ts';

const BUCKET = 'media';
const ALICE = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
const BOB = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';

const policyOf = (...statements: object[]) => parseBucketPolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), BUCKET);

const request = (overrides: Partial<PolicyRequest> = {}): PolicyRequest => ({
  caller: { kind: 'anonymous' },
  action: 's3:GetObject',
  resource: `arn:aws:s3:::${BUCKET}/public/a.txt`,
  secureTransport: false,
  sourceIp: '127.0.0.1',
  ...overrides,
});

const allowPublicPrefix = { Sid: 'public', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/public/*` };

const evaluation = test.macro({
  exec(t, statements: object[], overrides: Partial<PolicyRequest>, expected: PolicyEffect) {
    t.is(evaluatePolicy(policyOf(...statements), request(overrides)), expected);
  },
  title: (title = '') => `evaluate: ${title}`,
});

test('allow: anonymous GetObject inside the prefix', evaluation, [allowPublicPrefix], {}, 'Allow');
test('no match: outside the prefix', evaluation, [allowPublicPrefix], { resource: `arn:aws:s3:::${BUCKET}/private/a.txt` }, 'NoMatch');
test('no match: the prefix itself without a slash', evaluation, [allowPublicPrefix], { resource: `arn:aws:s3:::${BUCKET}/public` }, 'NoMatch');
test('no match: another action', evaluation, [allowPublicPrefix], { action: 's3:PutObject' }, 'NoMatch');
test('no match: the bucket ARN for an object pattern', evaluation, [allowPublicPrefix], { action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}` }, 'NoMatch');
test('no match: no policy at all', (t) => t.is(evaluatePolicy(null, request()), 'NoMatch'));
test('explicit deny wins over an allow, in either order', evaluation,
  [allowPublicPrefix, { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/public/a.*` }], {}, 'Deny');
test('explicit deny wins when listed first', evaluation,
  [{ Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:Get*', Resource: `arn:aws:s3:::${BUCKET}/*` }, allowPublicPrefix], {}, 'Deny');
test('deny for an account leaves others to the allow', evaluation,
  [allowPublicPrefix, { Effect: 'Deny', Principal: { AWS: accountArn(BOB) }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }], {}, 'Allow');
test('deny applies to that account', evaluation,
  [allowPublicPrefix, { Effect: 'Deny', Principal: { AWS: accountArn(BOB) }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }],
  { caller: { kind: 'account', accountId: BOB } }, 'Deny');
test('account ARN: allows that account', evaluation,
  [{ Effect: 'Allow', Principal: { AWS: [accountArn(BOB)] }, Action: ['s3:PutObject', 's3:GetObject'], Resource: `arn:aws:s3:::${BUCKET}/*` }],
  { caller: { kind: 'account', accountId: BOB }, action: 's3:PutObject' }, 'Allow');
test('account ARN: not another account', evaluation,
  [{ Effect: 'Allow', Principal: { AWS: accountArn(BOB) }, Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/*` }],
  { caller: { kind: 'account', accountId: ALICE } }, 'NoMatch');
test('account ARN: not anonymous', evaluation,
  [{ Effect: 'Allow', Principal: { AWS: accountArn(BOB) }, Action: 's3:*', Resource: `arn:aws:s3:::${BUCKET}/*` }], {}, 'NoMatch');
test('bare account id and CanonicalUser principals', evaluation,
  [{ Effect: 'Allow', Principal: { AWS: BOB, CanonicalUser: ALICE }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }],
  { caller: { kind: 'account', accountId: ALICE } }, 'Allow');
test('action wildcards are case-insensitive', evaluation,
  [{ Effect: 'Allow', Principal: '*', Action: 'S3:get*', Resource: `arn:aws:s3:::${BUCKET}/*` }], {}, 'Allow');
test('action *', evaluation, [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: `arn:aws:s3:::${BUCKET}/*` }], { action: 's3:DeleteObject' }, 'Allow');
test('resource ? matches one character', evaluation,
  [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/public/?.txt` }], {}, 'Allow');
test('resource ? does not match two', evaluation,
  [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/public/?.txt` }],
  { resource: `arn:aws:s3:::${BUCKET}/public/ab.txt` }, 'NoMatch');
test('resources are case-sensitive', evaluation, [allowPublicPrefix], { resource: `arn:aws:s3:::${BUCKET}/Public/a.txt` }, 'NoMatch');
test('bucket wildcard in the resource', evaluation,
  [{ Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::med*' }],
  { action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}`, prefix: '' }, 'Allow');
test('NotAction: everything but', evaluation,
  [{ Effect: 'Deny', Principal: '*', NotAction: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }], { action: 's3:DeleteObject' }, 'Deny');
test('NotAction: not the excluded one', evaluation,
  [{ Effect: 'Deny', Principal: '*', NotAction: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }], {}, 'NoMatch');
test('NotResource', evaluation,
  [{ Effect: 'Deny', Principal: '*', Action: 's3:GetObject', NotResource: `arn:aws:s3:::${BUCKET}/public/*` }],
  { resource: `arn:aws:s3:::${BUCKET}/secret` }, 'Deny');

const ipAllow = (ranges: string | string[], operator = 'IpAddress') => ({
  Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*`, Condition: { [operator]: { 'aws:SourceIp': ranges } },
});
test('SourceIp 127.0.0.1/32 allows 127.0.0.1', evaluation, [ipAllow('127.0.0.1/32')], {}, 'Allow');
test('SourceIp 127.0.0.1/32 allows the mapped ::ffff:127.0.0.1', evaluation, [ipAllow('127.0.0.1/32')], { sourceIp: '::ffff:127.0.0.1' }, 'Allow');
test('SourceIp outside the range', evaluation, [ipAllow('10.0.0.0/8')], {}, 'NoMatch');
test('SourceIp: any of several ranges, v6 too', evaluation, [ipAllow(['10.0.0.0/8', '::1/128'])], { sourceIp: '::1' }, 'Allow');
test('NotIpAddress', evaluation, [ipAllow('10.0.0.0/8', 'NotIpAddress')], {}, 'Allow');
test('NotIpAddress inside the range', evaluation, [ipAllow('127.0.0.0/8', 'NotIpAddress')], {}, 'NoMatch');
test('SourceIp unknown: IpAddress false', evaluation, [ipAllow('0.0.0.0/0')], { sourceIp: undefined }, 'NoMatch');
test('SourceIp unknown: IpAddressIfExists true', evaluation, [ipAllow('10.0.0.0/8', 'IpAddressIfExists')], { sourceIp: undefined }, 'Allow');

const secureDeny = { Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
test('SecureTransport false: deny over plain HTTP', evaluation, [allowPublicPrefix, secureDeny], {}, 'Deny');
test('SecureTransport false: TLS passes', evaluation, [allowPublicPrefix, secureDeny], { secureTransport: true }, 'Allow');
test('SecureTransport as a JSON boolean, key case-insensitive', evaluation,
  [{ ...allowPublicPrefix, Condition: { Bool: { 'AWS:securetransport': true } } }], { secureTransport: true }, 'Allow');

const listWithPrefix = (operator: string, prefix: string | string[]) => ({
  Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${BUCKET}`, Condition: { [operator]: { 's3:prefix': prefix } },
});
const listing = (prefix?: string): Partial<PolicyRequest> => ({ action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}`, ...(prefix === undefined ? {} : { prefix }) });
test('s3:prefix StringEquals', evaluation, [listWithPrefix('StringEquals', 'public/')], listing('public/'), 'Allow');
test('s3:prefix StringEquals, another prefix', evaluation, [listWithPrefix('StringEquals', 'public/')], listing('public/x'), 'NoMatch');
test('s3:prefix StringLike', evaluation, [listWithPrefix('StringLike', ['public/*', 'shared/*'])], listing('shared/2024/'), 'Allow');
test('s3:prefix StringLike misses the empty prefix', evaluation, [listWithPrefix('StringLike', 'public/*')], listing(''), 'NoMatch');
test('s3:prefix StringNotLike', evaluation, [listWithPrefix('StringNotLike', 'private/*')], listing('public/'), 'Allow');
test('s3:prefix absent (not a listing): StringEquals false', evaluation,
  [{ ...listWithPrefix('StringEquals', ''), Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }], {}, 'NoMatch');
test('s3:prefix absent: StringNotEquals true', evaluation,
  [{ ...listWithPrefix('StringNotEquals', 'x'), Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }], {}, 'Allow');
test('all conditions must hold', evaluation,
  [{ ...allowPublicPrefix, Condition: { IpAddress: { 'aws:SourceIp': '127.0.0.1' }, Bool: { 'aws:SecureTransport': 'true' } } }], {}, 'NoMatch');

const malformed = test.macro({
  exec(t, text: string, message: RegExp) {
    const error = t.throws(() => parseBucketPolicy(text, BUCKET)) as { code?: string; message: string };
    t.is(error.code, 'MalformedPolicy');
    t.regex(error.message, message);
  },
  title: (title = '') => `MalformedPolicy: ${title}`,
});
const doc = (statement: object) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
test('not JSON', malformed, '{"Version": ', /valid JSON/);
test('a JSON array', malformed, '[]', /valid JSON/);
test('no statement', malformed, '{"Version":"2012-10-17","Statement":[]}', /Statement/);
test('bad version', malformed, '{"Version":"2020-01-01","Statement":[]}', /version/);
test('unknown action', malformed, doc({ ...allowPublicPrefix, Action: 's3:GetObjectTorrent' }), /invalid action/);
test('wildcard matching no action', malformed, doc({ ...allowPublicPrefix, Action: 's3:Frobnicate*' }), /invalid action/);
test('not an s3 action', malformed, doc({ ...allowPublicPrefix, Action: 'iam:*' }), /invalid action/);
test('resource in another bucket', malformed, doc({ ...allowPublicPrefix, Resource: 'arn:aws:s3:::other/*' }), /invalid resource/);
test('resource not an s3 ARN', malformed, doc({ ...allowPublicPrefix, Resource: '*' }), /invalid resource/);
test('bad effect', malformed, doc({ ...allowPublicPrefix, Effect: 'allow' }), /Effect/);
test('no principal', malformed, doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/*` }), /Principal/);
test('IAM user principal', malformed, doc({ ...allowPublicPrefix, Principal: { AWS: 'arn:aws:iam::123:user/bob' } }), /principal/);
test('Service principal', malformed, doc({ ...allowPublicPrefix, Principal: { Service: 'cloudfront.amazonaws.com' } }), /not supported/);
test('NotPrincipal', malformed, doc({ ...allowPublicPrefix, Principal: undefined, NotPrincipal: { AWS: accountArn(BOB) } }), /NotPrincipal is not supported/);
test('both Action and NotAction', malformed, doc({ ...allowPublicPrefix, NotAction: 's3:PutObject' }), /exactly one/);
test('unknown condition key', malformed, doc({ ...allowPublicPrefix, Condition: { StringEquals: { 'aws:Referer': 'x' } } }), /condition key/);
test('wrong operator for the key', malformed, doc({ ...allowPublicPrefix, Condition: { StringEquals: { 'aws:SourceIp': '1.2.3.4' } } }), /Condition type/);
test('bad CIDR', malformed, doc({ ...allowPublicPrefix, Condition: { IpAddress: { 'aws:SourceIp': '1.2.3.4/40' } } }), /IP/);
test('unknown statement field', malformed, doc({ ...allowPublicPrefix, Actions: 's3:GetObject' }), /Unknown field/);
test('over 20 KB', malformed, doc({ ...allowPublicPrefix, Sid: 'x'.repeat(20 * 1024) }), /maximum allowed document size/);

test('a policy of exactly 20 KB is accepted', (t) => {
  const base = doc({ ...allowPublicPrefix, Sid: '' });
  const text = doc({ ...allowPublicPrefix, Sid: 'x'.repeat(20 * 1024 - Buffer.byteLength(base)) });
  t.is(Buffer.byteLength(text), 20 * 1024);
  t.is(parseBucketPolicy(text, BUCKET).statements.length, 1);
});

test('IsPublic: Allow to * without a narrowing condition', (t) => {
  t.true(isPublicPolicy(policyOf(allowPublicPrefix)));
  t.true(isPublicPolicy(policyOf({ ...allowPublicPrefix, Condition: { Bool: { 'aws:SecureTransport': 'true' } } })));
  t.true(isPublicPolicy(policyOf(ipAllow('0.0.0.0/0'))));
  t.false(isPublicPolicy(policyOf(ipAllow('127.0.0.1/32'))));
  t.false(isPublicPolicy(policyOf({ ...allowPublicPrefix, Principal: { AWS: accountArn(BOB) } })));
  t.false(isPublicPolicy(policyOf({ ...allowPublicPrefix, Effect: 'Deny' })));
});

const decision = test.macro({
  exec(t, facts: Partial<AccessFacts>, expected: string) {
    const result = decideAccess({ action: 's3:GetObject', isOwner: false, policy: 'NoMatch', bucketPublicRead: false, objectPublicRead: false, ...facts });
    t.is(`${result.allowed ? 'allow' : 'deny'}: ${result.reason}`, expected);
  },
  title: (title = '') => `decide: ${title}`,
});
test('a stranger, nothing granted', decision, {}, 'deny: no grant');
test('the owner', decision, { isOwner: true }, 'allow: owner');
test('explicit deny beats the owner', decision, { isOwner: true, policy: 'Deny' }, 'deny: explicit deny');
test('explicit deny beats a public-read bucket', decision, { bucketPublicRead: true, policy: 'Deny' }, 'deny: explicit deny');
test('explicit deny beats a public-read object', decision, { objectPublicRead: true, policy: 'Deny' }, 'deny: explicit deny');
test('policy allow', decision, { policy: 'Allow', action: 's3:PutObject' }, 'allow: policy');
test('public-read bucket: read', decision, { bucketPublicRead: true }, 'allow: public-read bucket');
test('public-read bucket: list', decision, { bucketPublicRead: true, action: 's3:ListBucket' }, 'allow: public-read bucket');
test('public-read bucket: no write', decision, { bucketPublicRead: true, action: 's3:PutObject' }, 'deny: no grant');
test('public-read bucket: no ACL read', decision, { bucketPublicRead: true, action: 's3:GetObjectAcl' }, 'deny: no grant');
test('public-read object: read', decision, { objectPublicRead: true }, 'allow: public-read object');
test('public-read object: no delete', decision, { objectPublicRead: true, action: 's3:DeleteObject' }, 'deny: no grant');
test('policy management: the owner despite a deny', decision, { isOwner: true, policy: 'Deny', action: 's3:PutBucketPolicy' }, 'allow: owner');
test('policy management: never another account, even allowed', decision, { policy: 'Allow', action: 's3:GetBucketPolicy' }, 'deny: owner only');
