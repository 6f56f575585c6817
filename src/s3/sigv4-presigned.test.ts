import test from 'ava';
import { SigV4Verifier } from './sigv4.ts';
import { rejection } from '../testing/s3-rejection.ts';

// AWS's documented presigned URL (sigv4-query-string-auth "Example: GET Object"): the
// credentials, time and expected signature of the docs.
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const AWS_TIME = new Date('2013-05-24T00:00:00Z');
const AWS_HOST = 'examplebucket.s3.amazonaws.com';
const awsVerifier = new SigV4Verifier({
  lookupSecret: async (id) => (id === AWS_KEY ? AWS_SECRET : null),
  region: 'us-east-1',
});

const awsPresigned = {
  method: 'GET',
  rawPath: '/test.txt',
  query:
    'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
  headers: { host: AWS_HOST },
};

test('AWS example: presigned GET Object verifies until it expires', async (t) => {
  const atStart = await awsVerifier.verify({ ...awsPresigned, now: AWS_TIME });
  t.is(atStart.kind, 'presigned');
  t.is(atStart.payloadMode, 'unsigned');
  t.deepEqual(atStart.expiresAt, new Date('2013-05-25T00:00:00Z'));
  await t.notThrowsAsync(awsVerifier.verify({ ...awsPresigned, now: new Date('2013-05-25T00:00:00Z') }));
  const expired = await rejection(awsVerifier.verify({ ...awsPresigned, now: new Date('2013-05-25T00:00:01Z') }));
  t.is(expired.code, 'AccessDenied');
  t.is(expired.message, 'Request has expired');
  t.is(expired.extra?.Expires, '2013-05-25T00:00:00Z');
  const early = await rejection(awsVerifier.verify({ ...awsPresigned, now: new Date('2013-05-23T23:44:00Z') }));
  t.is(early.message, 'Request is not valid yet');
});

test('presigned: tampering with the path, a parameter or the expiry breaks the signature', async (t) => {
  const tampered = [
    { ...awsPresigned, rawPath: '/test.txu' },
    { ...awsPresigned, query: `${awsPresigned.query}&x-id=GetObject` },
    { ...awsPresigned, query: awsPresigned.query.replace('X-Amz-Expires=86400', 'X-Amz-Expires=86401') },
    { ...awsPresigned, method: 'PUT' },
  ];
  for (const request of tampered) {
    t.is((await rejection(awsVerifier.verify({ ...request, now: AWS_TIME }))).code, 'SignatureDoesNotMatch');
  }
});

test('presigned: X-Amz-Expires above a week, missing parameters and both auth forms are refused', async (t) => {
  const longLived = await rejection(
    awsVerifier.verify({ ...awsPresigned, query: awsPresigned.query.replace('86400', '604801'), now: AWS_TIME }),
  );
  t.is(longLived.message, 'X-Amz-Expires must be less than a week (in seconds) that is 604800');
  t.is(longLived.code, 'AccessDenied');
  t.is(longLived.status, 403);
  for (const expires of ['0', '-1000']) {
    const outOfRange = await rejection(awsVerifier.verify({ ...awsPresigned, query: awsPresigned.query.replace('86400', expires), now: AWS_TIME }));
    t.is(outOfRange.code, 'AccessDenied', expires);
    t.is(outOfRange.status, 403, expires);
  }
  const notANumber = await rejection(awsVerifier.verify({ ...awsPresigned, query: awsPresigned.query.replace('86400', 'soon'), now: AWS_TIME }));
  t.is(notANumber.status, 400);
  const missing = await rejection(
    awsVerifier.verify({ ...awsPresigned, query: awsPresigned.query.replace(/&X-Amz-SignedHeaders=host/, ''), now: AWS_TIME }),
  );
  t.is(missing.status, 400);
  t.regex(missing.message, /requires the X-Amz-Algorithm/);
  const both = await rejection(
    awsVerifier.verify({ ...awsPresigned, headers: { ...awsPresigned.headers, authorization: 'AWS4-HMAC-SHA256 x' }, now: AWS_TIME }),
  );
  t.is(both.code, 'InvalidArgument');
});
