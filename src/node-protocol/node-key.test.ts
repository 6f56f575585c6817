import test from 'ava';
import {
  exportPrivateKeyPem, generateNodeKeyPair, heartbeatMessage, importPrivateKeyPem, isWellFormedPublicKey, publicKeyOf,
  registrationMessage, signWithNodeKey, verifyNodeKeySignature,
} from './node-key.ts';

const KEY = generateNodeKeyPair();
const PUBLIC_KEY = publicKeyOf(KEY);
const REGISTRATION = { nodeId: 'ab'.repeat(16), url: 'http://10.0.0.1:9100', zone: 'z1', publicKey: PUBLIC_KEY, signedAtMs: 1_700_000_000_123 };

test('messages are canonical text: a purpose line, then one field per line', (t) => {
  t.is(registrationMessage(REGISTRATION), `shardgate-node-register-v1\n${'ab'.repeat(16)}\nhttp://10.0.0.1:9100\nz1\n${PUBLIC_KEY}\n1700000000123`);
  t.is(
    heartbeatMessage({ nodeId: 'n', url: 'http://h:1', freeBytes: 5, capacityBytes: 9, signedAtMs: 7 }),
    'shardgate-node-heartbeat-v1\nn\nhttp://h:1\n5\n9\n7',
  );
});

test('a signature verifies with its public key only, over exactly its message', (t) => {
  const signature = signWithNodeKey(KEY, registrationMessage(REGISTRATION));
  t.true(verifyNodeKeySignature(PUBLIC_KEY, registrationMessage(REGISTRATION), signature));
  t.false(verifyNodeKeySignature(PUBLIC_KEY, registrationMessage({ ...REGISTRATION, url: 'http://10.0.0.2:9100' }), signature));
  t.false(verifyNodeKeySignature(PUBLIC_KEY, registrationMessage({ ...REGISTRATION, signedAtMs: REGISTRATION.signedAtMs + 1 }), signature));
  const other = publicKeyOf(generateNodeKeyPair());
  t.false(verifyNodeKeySignature(other, registrationMessage(REGISTRATION), signature));
  // A registration signature is never a heartbeat signature, even over the same fields.
  const heartbeat = { nodeId: REGISTRATION.nodeId, url: REGISTRATION.url, freeBytes: 0, capacityBytes: 0, signedAtMs: REGISTRATION.signedAtMs };
  t.false(verifyNodeKeySignature(PUBLIC_KEY, heartbeatMessage(heartbeat), signature));
});

test('malformed keys and signatures are refused, not thrown', (t) => {
  const message = registrationMessage(REGISTRATION);
  const signature = signWithNodeKey(KEY, message);
  t.false(verifyNodeKeySignature('short', message, signature));
  t.false(verifyNodeKeySignature(PUBLIC_KEY, message, 'x'.repeat(86)));
  t.false(verifyNodeKeySignature(PUBLIC_KEY, message, `${signature}=`));
  t.false(verifyNodeKeySignature(PUBLIC_KEY, message, ''));
  t.true(isWellFormedPublicKey(PUBLIC_KEY));
  t.false(isWellFormedPublicKey(`${PUBLIC_KEY}A`));
});

test('a private key survives its PEM round trip; other key types are refused', (t) => {
  t.is(publicKeyOf(importPrivateKeyPem(exportPrivateKeyPem(KEY))), PUBLIC_KEY);
  t.throws(() => importPrivateKeyPem('not a key'));
});
