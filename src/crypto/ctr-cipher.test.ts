import { createCipheriv, randomBytes } from 'node:crypto';
import test from 'ava';
import { mulberry32 } from '../testing/seeded-random.ts';
import { CipherParameterError, counterBlockAt, CtrStream, ctrTransformAt } from './ctr-cipher.ts';

const KEY = Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex');
const IV = Buffer.from('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff', 'hex');

/** The reference: the whole stream encrypted in one pass from offset 0. */
function wholeStream(key: Buffer, iv: Buffer, plaintext: Buffer): Buffer {
  const cipher = createCipheriv('aes-256-ctr', key, iv);
  return Buffer.concat([cipher.update(plaintext), cipher.final()]);
}

test('NIST SP 800-38A F.5.5: CTR-AES256 test vector', (t) => {
  const key = Buffer.from('603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4', 'hex');
  const iv = Buffer.from('f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff', 'hex');
  const plaintext = Buffer.from('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51', 'hex');
  t.is(ctrTransformAt(key, iv, 0, plaintext).toString('hex'), '601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5');
  // The second block alone, from its own offset.
  t.is(ctrTransformAt(key, iv, 16, plaintext.subarray(16)).toString('hex'), 'f443e3ca4d62b59aca84e990cacaf5c5');
});

test('counterBlockAt adds offset/16 to the IV as one 128-bit big-endian number, carrying across bytes', (t) => {
  t.is(counterBlockAt(IV, 0).toString('hex'), IV.toString('hex'));
  t.is(counterBlockAt(IV, 15).toString('hex'), IV.toString('hex'));
  t.is(counterBlockAt(IV, 16).toString('hex'), 'f0f1f2f3f4f5f6f7f8f9fafbfcfdff00');
  t.is(counterBlockAt(Buffer.alloc(16, 0xff), 16).toString('hex'), '00000000000000000000000000000000');
  t.is(counterBlockAt(Buffer.alloc(16), 16 * 0x1_0000_0001).toString('hex'), '00000000000000000000000100000001');
  t.is(counterBlockAt(Buffer.alloc(16), Number.MAX_SAFE_INTEGER).toString('hex'), '00000000000000000001ffffffffffff');
});

test('the counter wraps past 2^128 exactly as OpenSSL increments it', (t) => {
  const iv = Buffer.from('fffffffffffffffffffffffffffffffe', 'hex');
  const plaintext = randomBytes(100);
  const whole = wholeStream(KEY, iv, plaintext);
  for (const offset of [0, 16, 17, 31, 32, 33, 48, 99]) {
    t.deepEqual(ctrTransformAt(KEY, iv, offset, plaintext.subarray(offset)), whole.subarray(offset), `offset ${offset}`);
  }
});

test('every [offset, length) around 16-byte blocks decrypts alone to the same bytes as the whole stream', (t) => {
  const plaintext = Buffer.from(Array.from({ length: 100 }, (_, i) => (i * 37 + 11) & 0xff));
  const whole = wholeStream(KEY, IV, plaintext);
  let checked = 0;
  for (let offset = 0; offset <= plaintext.length; offset += 1) {
    for (let length = 0; offset + length <= plaintext.length; length += 1) {
      const slice = ctrTransformAt(KEY, IV, offset, whole.subarray(offset, offset + length));
      if (!slice.equals(plaintext.subarray(offset, offset + length))) t.fail(`[${offset}, +${length})`);
      checked += 1;
    }
  }
  t.is(checked, (101 * 102) / 2);
});

test('a CtrStream fed in pieces of any sizes from any offset equals one pass (seeded sweep)', (t) => {
  const next = mulberry32(9);
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const plaintext = randomBytes(4096);
  const whole = wholeStream(KEY, IV, plaintext);
  for (let round = 0; round < 300; round += 1) {
    const offset = int(0, 4096);
    const stream = new CtrStream(KEY, IV, offset);
    const pieces: Buffer[] = [];
    for (let at = offset; at < plaintext.length;) {
      const take = Math.min(plaintext.length - at, int(1, 70));
      pieces.push(stream.transform(plaintext.subarray(at, at + take)));
      at += take;
    }
    if (!Buffer.concat(pieces).equals(whole.subarray(offset))) t.fail(`round ${round} from ${offset}`);
  }
  t.pass();
});

test('bad parameters are CipherParameterError', (t) => {
  t.throws(() => counterBlockAt(Buffer.alloc(12), 0), { instanceOf: CipherParameterError });
  t.throws(() => counterBlockAt(IV, -1), { instanceOf: CipherParameterError });
  t.throws(() => counterBlockAt(IV, 1.5), { instanceOf: CipherParameterError });
  t.throws(() => new CtrStream(Buffer.alloc(16), IV, 0), { instanceOf: CipherParameterError });
});
