import { createHmac } from 'node:crypto';
import test from 'ava';
import { SigV4Verifier } from './sigv4.ts';
import { rejection } from '../testing/s3-rejection.ts';

// AWS's example credentials; the signature is computed here the way "Calculating a Signature"
// (sigv4-authentication-HTTPPOST) describes it, independently of sigv4-canonical.ts.
const KEY = 'AKIAIOSFODNN7EXAMPLE';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const verifier = new SigV4Verifier({ lookupSecret: async (id) => (id === KEY ? SECRET : null), region: 'us-east-1' });
const POLICY = Buffer.from(JSON.stringify({ expiration: '2015-12-30T12:00:00.000Z', conditions: [{ bucket: 'sigv4examplebucket' }] })).toString('base64');

function postSignature(secret: string, date: string, region: string, policy: string): string {
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), 's3'), 'aws4_request');
  return createHmac('sha256', signingKey).update(policy).digest('hex');
}

const form = (overrides: Partial<{ credential: string; amzDate: string; policy: string; signature: string }> = {}) => ({
  credential: `${KEY}/20151229/us-east-1/s3/aws4_request`,
  amzDate: '20151229T000000Z',
  policy: POLICY,
  signature: postSignature(SECRET, '20151229', 'us-east-1', POLICY),
  ...overrides,
});

test('a POST policy signed with the derived key of its credential verifies', async (t) => {
  t.deepEqual(await verifier.verifyPostSignature(form()), { accessKeyId: KEY, region: 'us-east-1' });
});

test('a changed policy, another secret or another day is SignatureDoesNotMatch', async (t) => {
  for (const changed of [
    form({ policy: Buffer.from(JSON.stringify({ expiration: '2099-12-30T12:00:00.000Z', conditions: [] })).toString('base64') }),
    form({ signature: postSignature('another secret', '20151229', 'us-east-1', POLICY) }),
    form({ signature: postSignature(SECRET, '20151230', 'us-east-1', POLICY) }),
    form({ signature: 'not hex' }),
  ]) {
    const error = await rejection(verifier.verifyPostSignature(changed));
    t.is(error.code, 'SignatureDoesNotMatch');
    t.is(error.status, 403);
    t.is(error.extra?.StringToSign, changed.policy);
  }
});

test('credential and date errors', async (t) => {
  t.is((await rejection(verifier.verifyPostSignature(form({ credential: `OTHERKEY/20151229/us-east-1/s3/aws4_request` })))).code, 'InvalidAccessKeyId');
  t.is((await rejection(verifier.verifyPostSignature(form({ credential: `${KEY}/20151229/eu-west-1/s3/aws4_request` })))).code, 'AuthorizationHeaderMalformed');
  t.is((await rejection(verifier.verifyPostSignature(form({ credential: `${KEY}/20151228/us-east-1/s3/aws4_request` })))).code, 'AuthorizationHeaderMalformed');
  t.is((await rejection(verifier.verifyPostSignature(form({ credential: 'garbage' })))).code, 'AuthorizationHeaderMalformed');
  t.is((await rejection(verifier.verifyPostSignature(form({ amzDate: '2015-12-29' })))).code, 'InvalidArgument');
});
