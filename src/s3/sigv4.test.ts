import test from 'ava';
import type { S3ErrorCode } from './errors.ts';
import {
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  credentialScope,
  deriveSigningKey,
  EMPTY_SHA256_HEX,
  hmacSha256,
  parseQuery,
  stringToSign,
} from './sigv4-canonical.ts';
import { detectAuthKind, SigningKeyCache, SigV4Verifier, type SigV4Request } from './sigv4.ts';
import { rejection } from '../testing/s3-rejection.ts';

// The credentials and time of every example in AWS's S3 SigV4 documentation.
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const AWS_TIME = new Date('2013-05-24T00:00:00Z');
const AWS_HOST = 'examplebucket.s3.amazonaws.com';
const AWS_SCOPE = `${AWS_KEY}/20130524/us-east-1/s3/aws4_request`;

function verifierFor(secrets: Record<string, string>, region: string | null = 'us-east-1') {
  return new SigV4Verifier({ lookupSecret: async (id) => secrets[id] ?? null, region });
}
const awsVerifier = verifierFor({ [AWS_KEY]: AWS_SECRET });

function awsAuthorization(signedHeaders: string, signature: string): string {
  return `AWS4-HMAC-SHA256 Credential=${AWS_SCOPE},SignedHeaders=${signedHeaders},Signature=${signature}`;
}

// ---------------------------------------------------------------------------------------------
// AWS's documented examples (sig-v4-header-based-auth, sigv4-streaming, sigv4-streaming-trailers,
// expected signatures copied from the docs. Presigned URLs: sigv4-presigned.test.ts.

const awsHeaderExamples: { title: string; request: Omit<SigV4Request, 'now'>; mode: string }[] = [
  {
    title: 'GET Object with Range',
    mode: 'signed',
    request: {
      method: 'GET',
      rawPath: '/test.txt',
      query: '',
      headers: {
        host: AWS_HOST,
        range: 'bytes=0-9',
        'x-amz-content-sha256': EMPTY_SHA256_HEX,
        'x-amz-date': '20130524T000000Z',
        authorization: awsAuthorization(
          'host;range;x-amz-content-sha256;x-amz-date',
          'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
        ),
      },
    },
  },
  ...['/test%24file.text', '/test$file.text'].map((rawPath) => ({
    title: `PUT Object (path sent as ${rawPath})`,
    mode: 'signed',
    request: {
      method: 'PUT',
      rawPath,
      query: '',
      headers: {
        Host: AWS_HOST,
        Date: 'Fri, 24 May 2013 00:00:00 GMT',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
        Authorization: awsAuthorization(
          'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
          '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
        ),
      },
    },
  })),
  ...['lifecycle', 'lifecycle='].map((query) => ({
    title: `GET bucket lifecycle (?${query})`,
    mode: 'signed',
    request: {
      method: 'GET',
      rawPath: '/',
      query,
      headers: new Headers({
        host: AWS_HOST,
        'x-amz-content-sha256': EMPTY_SHA256_HEX,
        'x-amz-date': '20130524T000000Z',
        authorization: awsAuthorization(
          'host;x-amz-content-sha256;x-amz-date',
          'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
        ),
      }),
    },
  })),
  ...['max-keys=2&prefix=J', 'prefix=J&max-keys=2', '?prefix=%4A&max-keys=2'].map((query) => ({
    title: `GET bucket (list objects) ?${query}`,
    mode: 'signed',
    request: {
      method: 'GET',
      rawPath: '/',
      query,
      headers: {
        host: AWS_HOST,
        'x-amz-content-sha256': EMPTY_SHA256_HEX,
        'x-amz-date': '20130524T000000Z',
        authorization: awsAuthorization(
          'host;x-amz-content-sha256;x-amz-date',
          '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
        ),
      },
    },
  })),
  {
    title: 'streaming PUT seed signature (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)',
    mode: 'streaming-signed',
    request: {
      method: 'PUT',
      rawPath: '/examplebucket/chunkObject.txt',
      query: '',
      headers: {
        host: 's3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        'content-length': '66824',
        authorization: awsAuthorization(
          'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class',
          '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
        ),
      },
    },
  },
  {
    title: 'streaming PUT with trailer seed signature (STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER)',
    mode: 'streaming-signed-trailer',
    request: {
      method: 'PUT',
      rawPath: '/examplebucket/chunkObject.txt',
      query: '',
      headers: {
        host: 's3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        'x-amz-trailer': 'x-amz-checksum-crc32c',
        authorization: awsAuthorization(
          'content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer',
          '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
        ),
      },
    },
  },
];

for (const example of awsHeaderExamples) {
  test(`AWS example: ${example.title} verifies`, async (t) => {
    const auth = await awsVerifier.verify({ ...example.request, now: AWS_TIME });
    t.is(auth.accessKeyId, AWS_KEY);
    t.is(auth.payloadMode as string, example.mode);
    t.is(auth.scope, '20130524/us-east-1/s3/aws4_request');
    t.is(auth.amzDate, '20130524T000000Z');
    t.deepEqual(auth.signingKey, deriveSigningKey(AWS_SECRET, '20130524', 'us-east-1', 's3'));
  });

  test(`AWS example: ${example.title} fails with a secret one character off`, async (t) => {
    const verifier = verifierFor({ [AWS_KEY]: AWS_SECRET.replace('K7MDENG', 'K7MDENH') });
    const error = await rejection(verifier.verify({ ...example.request, now: AWS_TIME }));
    t.is(error.code, 'SignatureDoesNotMatch');
    t.is(error.extra?.AWSAccessKeyId, AWS_KEY);
  });
}

// ---------------------------------------------------------------------------------------------
// Error paths, on requests signed here with the canonical functions.

const KEY = 'AKIDSHARDGATE';
const SECRET = 'shardgate-test-secret/with+symbols';
const NOW = new Date('2026-03-01T12:00:00Z');

function signedRequest(options: {
  headers?: Record<string, string>;
  signedHeaderNames?: string[];
  amzDate?: string;
  scopeDate?: string;
  region?: string;
  service?: string;
  rawPath?: string;
  query?: string;
}): SigV4Request {
  const amzDate = options.amzDate ?? '20260301T120000Z';
  const headers: Record<string, string> = {
    host: 'gateway.test',
    'x-amz-date': amzDate,
    'x-amz-content-sha256': EMPTY_SHA256_HEX,
    ...options.headers,
  };
  const signedHeaderNames = options.signedHeaderNames ?? Object.keys(headers).sort();
  const scope = credentialScope(options.scopeDate ?? amzDate.slice(0, 8), options.region ?? 'us-east-1', options.service ?? 's3');
  const rawPath = options.rawPath ?? '/bucket/key.txt';
  const query = options.query ?? '';
  const canonical = canonicalRequest({
    method: 'GET',
    canonicalUri: canonicalUri(rawPath),
    canonicalQuery: canonicalQueryString(parseQuery(query)),
    signedHeaders: signedHeaderNames,
    headerValue: (name) => headers[name],
    payloadHash: headers['x-amz-content-sha256'] ?? 'UNSIGNED-PAYLOAD',
  });
  const [date, region, service] = scope.split('/') as [string, string, string];
  const signature = hmacSha256(deriveSigningKey(SECRET, date, region, service), stringToSign(amzDate, scope, canonical)).toString('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${KEY}/${scope}, SignedHeaders=${signedHeaderNames.join(';')}, Signature=${signature}`;
  return { method: 'GET', rawPath, query, headers, now: NOW };
}

const verifier = verifierFor({ [KEY]: SECRET });

test('a correctly signed request verifies; the helper is sound', async (t) => {
  const auth = await verifier.verify(signedRequest({ headers: { 'x-amz-meta-colour': '  blue   and  green ' } }));
  t.is(auth.payloadHash, EMPTY_SHA256_HEX);
  t.deepEqual(auth.signedHeaders, ['host', 'x-amz-content-sha256', 'x-amz-date', 'x-amz-meta-colour']);
});

const errorCases: { title: string; request: () => SigV4Request; code: S3ErrorCode; message?: RegExp }[] = [
  { title: 'no credentials at all', request: () => ({ ...signedRequest({}), headers: { host: 'gateway.test' } }), code: 'AccessDenied' },
  {
    title: 'SigV2 Authorization',
    request: () => ({ ...signedRequest({}), headers: { host: 'g', authorization: 'AWS AKID:c2ln' } }),
    code: 'InvalidRequest',
    message: /Please use AWS4-HMAC-SHA256/,
  },
  {
    title: 'Authorization without Signature',
    request: () => {
      const request = signedRequest({});
      const headers = request.headers as Record<string, string>;
      return { ...request, headers: { ...headers, authorization: headers.authorization!.replace(/, Signature=.*/, '') } };
    },
    code: 'AuthorizationHeaderMalformed',
  },
  { title: 'credential with a wrong service', request: () => signedRequest({ service: 'ec2' }), code: 'AuthorizationHeaderMalformed' },
  { title: 'credential for another region', request: () => signedRequest({ region: 'eu-west-1' }), code: 'AuthorizationHeaderMalformed', message: /region 'eu-west-1' is wrong/ },
  { title: 'credential date not the request day', request: () => signedRequest({ scopeDate: '20260228' }), code: 'AuthorizationHeaderMalformed' },
  { title: 'clock 16 minutes behind', request: () => signedRequest({ amzDate: '20260301T114400Z' }), code: 'RequestTimeTooSkewed' },
  { title: 'clock 16 minutes ahead', request: () => signedRequest({ amzDate: '20260301T121600Z' }), code: 'RequestTimeTooSkewed' },
  { title: 'x-amz-date not a date', request: () => signedRequest({ amzDate: '20260230T120000Z' }), code: 'AccessDenied', message: /valid Date or x-amz-date/ },
  {
    title: 'missing x-amz-content-sha256',
    request: () => {
      const request = signedRequest({});
      const { ['x-amz-content-sha256']: _, ...headers } = request.headers as Record<string, string>;
      return { ...request, headers };
    },
    code: 'InvalidRequest',
    message: /Missing required header for this request: x-amz-content-sha256/,
  },
  { title: 'x-amz-content-sha256 neither hash nor mode', request: () => signedRequest({ headers: { 'x-amz-content-sha256': 'abc' } }), code: 'InvalidArgument' },
  {
    title: 'an unsigned x-amz-meta header',
    request: () => {
      const request = signedRequest({});
      return { ...request, headers: { ...(request.headers as Record<string, string>), 'x-amz-meta-evil': '1' } };
    },
    code: 'AccessDenied',
    message: /not signed/,
  },
  { title: 'host not signed', request: () => signedRequest({ signedHeaderNames: ['x-amz-content-sha256', 'x-amz-date'] }), code: 'AccessDenied' },
  {
    title: 'unknown access key',
    request: () => {
      const request = signedRequest({});
      const headers = request.headers as Record<string, string>;
      return { ...request, headers: { ...headers, authorization: headers.authorization!.replace(KEY, 'AKIDOTHER') } };
    },
    code: 'InvalidAccessKeyId',
  },
  {
    title: 'a signed header changed in transit',
    request: () => {
      const request = signedRequest({ headers: { range: 'bytes=0-9' } });
      return { ...request, headers: { ...(request.headers as Record<string, string>), range: 'bytes=0-99' } };
    },
    code: 'SignatureDoesNotMatch',
  },
  { title: 'the path changed in transit', request: () => ({ ...signedRequest({}), rawPath: '/bucket/key.txT' }), code: 'SignatureDoesNotMatch' },
  {
    title: 'an upper-case signature',
    request: () => {
      const request = signedRequest({});
      const headers = request.headers as Record<string, string>;
      return { ...request, headers: { ...headers, authorization: headers.authorization!.replace(/Signature=(\w+)/, (_, s: string) => `Signature=${s.toUpperCase()}`) } };
    },
    code: 'SignatureDoesNotMatch',
  },
];

for (const errorCase of errorCases) {
  test(`refused with ${errorCase.code}: ${errorCase.title}`, async (t) => {
    const error = await rejection(verifier.verify(errorCase.request()));
    t.is(error.code, errorCase.code);
    if (errorCase.message) t.regex(error.message, errorCase.message);
  });
}

test('15 minutes of skew either way is still accepted; region null accepts any region', async (t) => {
  await t.notThrowsAsync(verifier.verify(signedRequest({ amzDate: '20260301T114500Z' })));
  await t.notThrowsAsync(verifier.verify(signedRequest({ amzDate: '20260301T121500Z' })));
  const anyRegion = verifierFor({ [KEY]: SECRET }, null);
  t.is((await anyRegion.verify(signedRequest({ region: 'auto' }))).region, 'auto');
});

test('the Date header stands in for x-amz-date', async (t) => {
  const request = signedRequest({ headers: { date: 'Sun, 01 Mar 2026 12:00:00 GMT' }, amzDate: '20260301T120000Z' });
  const { ['x-amz-date']: _, ...headers } = request.headers as Record<string, string>;
  // Re-sign without x-amz-date: the Date header's time goes into the string to sign.
  const canonical = canonicalRequest({
    method: 'GET',
    canonicalUri: '/bucket/key.txt',
    canonicalQuery: '',
    signedHeaders: ['date', 'host', 'x-amz-content-sha256'],
    headerValue: (name) => headers[name],
    payloadHash: EMPTY_SHA256_HEX,
  });
  const scope = credentialScope('20260301', 'us-east-1', 's3');
  const signature = hmacSha256(deriveSigningKey(SECRET, '20260301', 'us-east-1', 's3'), stringToSign('20260301T120000Z', scope, canonical)).toString('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${KEY}/${scope},SignedHeaders=date;host;x-amz-content-sha256,Signature=${signature}`;
  t.is((await verifier.verify({ ...request, headers })).amzDate, '20260301T120000Z');
});

test('detectAuthKind tells header, presigned and anonymous apart', (t) => {
  t.is(detectAuthKind('', { authorization: 'AWS4-HMAC-SHA256 …' }), 'header');
  t.is(detectAuthKind('X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=0', { host: 'h' }), 'presigned');
  t.is(detectAuthKind('list-type=2', new Headers({ host: 'h' })), 'anonymous');
});

test('SigningKeyCache derives once per scope and stays bounded', (t) => {
  const cache = new SigningKeyCache(2);
  const first = cache.get('s', '20260301', 'us-east-1', 's3');
  t.is(cache.get('s', '20260301', 'us-east-1', 's3'), first);
  cache.get('s', '20260302', 'us-east-1', 's3');
  cache.get('s', '20260303', 'us-east-1', 's3');
  t.is(cache.size, 2);
  t.not(cache.get('s', '20260301', 'us-east-1', 's3'), first);
  t.deepEqual(cache.get('s', '20260301', 'us-east-1', 's3'), first);
});
