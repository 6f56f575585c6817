import test from 'ava';
import {
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  credentialScope,
  EMPTY_SHA256_HEX,
  parseQuery,
  stringToSign,
  uriEncode,
} from './sigv4-canonical.ts';

const AWS_HOST = 'examplebucket.s3.amazonaws.com';

test('AWS example: GET Object canonical request and string to sign match the documentation', (t) => {
  const canonical = canonicalRequest({
    method: 'GET',
    canonicalUri: canonicalUri('/test.txt'),
    canonicalQuery: '',
    signedHeaders: ['host', 'range', 'x-amz-content-sha256', 'x-amz-date'],
    headerValue: (name) =>
      ({ host: AWS_HOST, range: 'bytes=0-9', 'x-amz-content-sha256': EMPTY_SHA256_HEX, 'x-amz-date': '20130524T000000Z' })[name],
    payloadHash: EMPTY_SHA256_HEX,
  });
  t.is(
    canonical,
    `GET\n/test.txt\n\nhost:${AWS_HOST}\nrange:bytes=0-9\nx-amz-content-sha256:${EMPTY_SHA256_HEX}\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n${EMPTY_SHA256_HEX}`,
  );
  t.is(
    stringToSign('20130524T000000Z', credentialScope('20130524', 'us-east-1', 's3'), canonical),
    'AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972',
  );
});

test('uriEncode and canonicalUri: encode once, keep slashes, never normalise', (t) => {
  t.is(uriEncode("a b+c/ü~*!'()$"), 'a%20b%2Bc%2F%C3%BC~%2A%21%27%28%29%24');
  t.is(canonicalUri(''), '/');
  t.is(canonicalUri('/b/a%20b/%C3%BC%2B%25.txt'), '/b/a%20b/%C3%BC%2B%25.txt');
  t.is(canonicalUri('/b/a/../c/./d//e'), '/b/a/../c/./d//e');
  t.is(canonicalUri('/b/%7euser/%2F/x%2fy'), '/b/~user/%2F/x%2Fy');
  t.is(canonicalUri('/b/100%/ok'), '/b/100%25/ok');
});

test('canonical query: decoded then re-encoded, sorted by name then value', (t) => {
  t.is(canonicalQueryString(parseQuery('?b=2&a=z&a=y&c&prefix=a+b%2Fc%7E&d=%e2%82%ac')), 'a=y&a=z&b=2&c=&d=%E2%82%AC&prefix=a%20b%2Fc~');
  t.is(canonicalQueryString(parseQuery(new URLSearchParams({ prefix: 'a b/ü' }))), 'prefix=a%20b%2F%C3%BC');
  t.is(canonicalQueryString(parseQuery('')), '');
});
