import test from 'ava';
import { createHmac } from 'node:crypto';
import {
  NODE_EXPIRES_HEADER, NODE_SIGNATURE_HEADER, signNodeRequest, verifyNodeRequest,
} from './signature.ts';

const SECRET = 'c0ffee'.repeat(10);
const NOW = 1_700_000_000;
const REQUEST = { method: 'GET', pathWithQuery: '/shards/0123456789abcdef0123456789abcdef.4', range: 'bytes=0-65535' };

test('the signature is hex HMAC-SHA256 over method, path, range and expiry, one per line', (t) => {
  const headers = signNodeRequest(SECRET, { ...REQUEST, expiresAt: NOW + 60 });
  const expected = createHmac('sha256', SECRET)
    .update(`GET\n/shards/0123456789abcdef0123456789abcdef.4\nbytes=0-65535\n${NOW + 60}`)
    .digest('hex');
  t.deepEqual(headers, { [NODE_EXPIRES_HEADER]: String(NOW + 60), [NODE_SIGNATURE_HEADER]: expected });
  const noRange = signNodeRequest(SECRET, { method: 'POST', pathWithQuery: '/_/nodes/heartbeat', expiresAt: NOW });
  t.is(noRange[NODE_SIGNATURE_HEADER], createHmac('sha256', SECRET).update(`POST\n/_/nodes/heartbeat\n\n${NOW}`).digest('hex'));
});

test('a signed request verifies until it expires, with record or function headers', (t) => {
  const headers = signNodeRequest(SECRET, { ...REQUEST, expiresAt: NOW + 60 });
  t.is(verifyNodeRequest(SECRET, { ...REQUEST, headers }, NOW), 'ok');
  t.is(verifyNodeRequest(SECRET, { ...REQUEST, headers: (name) => headers[name] }, NOW + 60), 'ok');
  t.is(verifyNodeRequest(SECRET, { ...REQUEST, headers }, NOW + 61), 'expired');
});

const tamper = test.macro((t, change: Partial<typeof REQUEST> & { secret?: string }) => {
  const headers = signNodeRequest(SECRET, { ...REQUEST, expiresAt: NOW + 60 });
  const { secret = SECRET, ...request } = change;
  t.is(verifyNodeRequest(secret, { ...REQUEST, ...request, headers }, NOW), 'forged');
});
test('another method is forged', tamper, { method: 'DELETE' });
test('another path is forged', tamper, { pathWithQuery: '/shards/0123456789abcdef0123456789abcdef.5' });
test('another query is forged', tamper, { pathWithQuery: `${REQUEST.pathWithQuery}?x=1` });
test('another range is forged', tamper, { range: 'bytes=0-65536' });
test('a missing range is forged', tamper, { range: undefined as unknown as string });
test('another secret is forged', tamper, { secret: 'beef'.repeat(16) });

test('moving the expiry or mangling the signature is forged; absent headers are missing', (t) => {
  const headers = signNodeRequest(SECRET, { ...REQUEST, expiresAt: NOW + 60 });
  const verify = (h: Record<string, string>) => verifyNodeRequest(SECRET, { ...REQUEST, headers: h }, NOW);
  t.is(verify({ ...headers, [NODE_EXPIRES_HEADER]: String(NOW + 600) }), 'forged');
  t.is(verify({ ...headers, [NODE_EXPIRES_HEADER]: `${NOW + 60}.0` }), 'forged');
  t.is(verify({ ...headers, [NODE_SIGNATURE_HEADER]: headers[NODE_SIGNATURE_HEADER]!.toUpperCase() }), 'forged');
  t.is(verify({ ...headers, [NODE_SIGNATURE_HEADER]: headers[NODE_SIGNATURE_HEADER]!.slice(0, 63) }), 'forged');
  t.is(verify({ ...headers, [NODE_SIGNATURE_HEADER]: 'zz' + headers[NODE_SIGNATURE_HEADER]!.slice(2) }), 'forged');
  t.is(verify({ [NODE_EXPIRES_HEADER]: headers[NODE_EXPIRES_HEADER]! }), 'missing');
  t.is(verify({ [NODE_SIGNATURE_HEADER]: headers[NODE_SIGNATURE_HEADER]! }), 'missing');
  t.is(verify({}), 'missing');
});

test('an expired request that was never genuinely signed is forged, not expired', (t) => {
  const headers = signNodeRequest('wrong', { ...REQUEST, expiresAt: NOW - 100 });
  t.is(verifyNodeRequest(SECRET, { ...REQUEST, headers }, NOW), 'forged');
});

test('signNodeRequest refuses a non-integer expiry', (t) => {
  t.throws(() => signNodeRequest(SECRET, { ...REQUEST, expiresAt: 1.5 }), { instanceOf: RangeError });
});
