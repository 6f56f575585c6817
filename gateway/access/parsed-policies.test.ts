import test from 'ava';
import type { Bucket } from '../../src/meta/types.ts';
import { ParsedPolicies } from './parsed-policies.ts';

const policyText = (prefix: string) => JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::media/${prefix}/*` }] });
const bucket = (policy: string | null): Bucket => ({
  name: 'media', accountId: 'owner', createdAt: new Date(0), profile: { dataShards: 2, parityShards: 1, chunkSize: 4096 }, acl: 'private', policy, hasLifecycle: false,
});

test('parsed once per text; a changed text is parsed again; none is null', (t) => {
  const policies = new ParsedPolicies();
  t.is(policies.policyOf(bucket(null)), null);
  const first = policies.policyOf(bucket(policyText('a')));
  t.is(policies.policyOf(bucket(policyText('a'))), first, 'the same parsed object');
  const changed = policies.policyOf(bucket(policyText('b')));
  t.not(changed, first);
  t.deepEqual(changed?.statements[0]?.resources.patterns, ['arn:aws:s3:::media/b/*']);
  t.is(policies.policyOf(bucket(null)), null, 'a deleted policy is gone at once');
});

test('a stored policy that no longer parses fails closed', (t) => {
  const error = t.throws(() => new ParsedPolicies().policyOf(bucket('{"Statement": [{"Effect": "Allow"}]}')));
  t.regex(error!.message, /stored policy of bucket media does not parse/);
});
