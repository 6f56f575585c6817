import { randomBytes } from 'node:crypto';
import test from 'ava';
import { KeyUnwrapError, unwrapDataKey, wrapDataKey, WRAPPED_KEY_BYTES } from './key-wrap.ts';
import { MasterKeyRing, UnknownKeyError } from './segment-keys.ts';

const MASTER = randomBytes(32);
const BINDING = { keyId: 'mk1', segmentId: 'a'.repeat(32) };

test('a wrapped data key unwraps to itself and never contains it', (t) => {
  const dataKey = randomBytes(32);
  const wrapped = wrapDataKey(MASTER, BINDING, dataKey);
  t.is(wrapped.length, WRAPPED_KEY_BYTES);
  t.is(wrapped.indexOf(dataKey.subarray(0, 8)), -1);
  t.deepEqual(unwrapDataKey(MASTER, BINDING, wrapped), dataKey);
  t.notDeepEqual(wrapDataKey(MASTER, BINDING, dataKey), wrapped, 'a fresh nonce each time');
});

test('any flipped bit, another segment id, another key id or another master key is KeyUnwrapError', (t) => {
  const wrapped = wrapDataKey(MASTER, BINDING, randomBytes(32));
  for (let bit = 0; bit < wrapped.length * 8; bit += 1) {
    const tampered = Buffer.from(wrapped);
    tampered[bit >> 3]! ^= 1 << (bit & 7);
    t.throws(() => unwrapDataKey(MASTER, BINDING, tampered), { instanceOf: KeyUnwrapError });
  }
  t.throws(() => unwrapDataKey(MASTER, { ...BINDING, segmentId: 'b'.repeat(32) }, wrapped), { instanceOf: KeyUnwrapError });
  t.throws(() => unwrapDataKey(MASTER, { ...BINDING, keyId: 'mk2' }, wrapped), { instanceOf: KeyUnwrapError });
  t.throws(() => unwrapDataKey(randomBytes(32), BINDING, wrapped), { instanceOf: KeyUnwrapError });
  t.throws(() => unwrapDataKey(MASTER, BINDING, wrapped.subarray(1)), { instanceOf: KeyUnwrapError });
  const error = t.throws(() => unwrapDataKey(MASTER, BINDING, Buffer.alloc(WRAPPED_KEY_BYTES)), { instanceOf: KeyUnwrapError });
  t.is(error.code, 'KEY_UNWRAP_FAILED');
});

test('a master key ring seals with its newest key and opens with any of its keys; rewrap keeps the data key', (t) => {
  const first = { id: 'mk1', key: randomBytes(32) };
  const second = { id: 'mk2', key: randomBytes(32) };
  const old = new MasterKeyRing([first]);
  const sealed = old.seal('s1');
  t.is(sealed.encryption.keyId, 'mk1');
  t.deepEqual(old.open('s1', sealed.encryption), sealed.cipherKey);

  const ring = new MasterKeyRing([first, second]);
  t.is(ring.current.id, 'mk2');
  t.deepEqual(ring.open('s1', sealed.encryption), sealed.cipherKey);
  t.is(ring.seal('s2').encryption.keyId, 'mk2');
  const rewrapped = ring.rewrap('s1', sealed.encryption);
  t.is(rewrapped.keyId, 'mk2');
  t.deepEqual(rewrapped.iv, sealed.encryption.iv);
  t.deepEqual(ring.open('s1', rewrapped), sealed.cipherKey);
  t.throws(() => old.open('s1', rewrapped), { instanceOf: UnknownKeyError });
  t.throws(() => ring.open('s2', sealed.encryption), { instanceOf: KeyUnwrapError }, 'bound to its segment');
});

test('every sealed segment gets its own data key and IV', (t) => {
  const ring = new MasterKeyRing([{ id: 'mk1', key: randomBytes(32) }]);
  const keys = new Set<string>();
  const ivs = new Set<string>();
  for (let i = 0; i < 100; i += 1) {
    const { cipherKey } = ring.seal(`s${i}`);
    keys.add(cipherKey.key.toString('hex'));
    ivs.add(cipherKey.iv.toString('hex'));
  }
  t.is(keys.size, 100);
  t.is(ivs.size, 100);
});
