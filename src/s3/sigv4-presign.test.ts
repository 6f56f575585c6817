import test from 'ava';
import { presignUrl } from './sigv4-presign.ts';
import { SigV4Verifier } from './sigv4.ts';
import { rejection } from '../testing/s3-rejection.ts';

const KEY = { accessKeyId: 'SGCTEST', secretKey: 'console-secret' };
const verifier = new SigV4Verifier({ lookupSecret: async (id) => (id === KEY.accessKeyId ? KEY.secretKey : null), region: 'us-east-1' });
const NOW = new Date('2026-12-03T12:00:00Z');

function presign(key: string, query?: Record<string, string>): URL {
  return new URL(presignUrl({
    method: 'GET', origin: 'http://127.0.0.1:9000', bucket: 'videos', key, query, ...KEY, region: 'us-east-1', now: NOW, expiresSeconds: 300,
  }));
}

function verify(url: URL, method = 'GET', now = NOW) {
  return verifier.verify({ method, rawPath: url.pathname, query: url.search, headers: { host: url.host }, now });
}

test('a presigned URL verifies, for any key, until it expires', async (t) => {
  for (const key of ['a.bin', 'dir/sub/é😀 $!(x)+y.txt', 'trailing/', 'a%2Fb']) {
    const url = presign(key, { 'response-content-disposition': 'attachment; filename="x y.bin"' });
    const auth = await verify(url);
    t.is(auth.kind, 'presigned');
    t.is(auth.accessKeyId, KEY.accessKeyId);
    t.deepEqual(auth.expiresAt, new Date(NOW.getTime() + 300_000));
  }
  const expired = await rejection(verify(presign('a.bin'), 'GET', new Date(NOW.getTime() + 301_000)));
  t.is(expired.code, 'AccessDenied');
});

test('a presigned GET is not a PUT, nor another key', async (t) => {
  const url = presign('a.bin');
  t.is((await rejection(verify(url, 'PUT'))).code, 'SignatureDoesNotMatch');
  const other = new URL(url);
  other.pathname = '/videos/b.bin';
  t.is((await rejection(verify(other))).code, 'SignatureDoesNotMatch');
});
