import test from 'ava';
import { crc32c } from './crc32c.ts';

/** Bit by bit, no tables: the definition the sliced implementation must agree with. */
function bitwiseCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return ~crc >>> 0;
}

function seeded(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    bytes[i] = state & 0xff;
  }
  return bytes;
}

const vector = test.macro((t, input: Uint8Array, expected: number) => {
  t.is(crc32c(input).toString(16).padStart(8, '0'), expected.toString(16).padStart(8, '0'));
});

// The catalogue check value, and the iSCSI test vectors of RFC 3720 appendix B.4 (the CRC bytes
// there are sent least significant first, so `aa 36 91 8a` is 0x8A9136AA).
test('check value "123456789"', vector, Buffer.from('123456789'), 0xe3069283);
test('empty input', vector, new Uint8Array(0), 0);
test('RFC 3720: 32 bytes of zeros', vector, new Uint8Array(32), 0x8a9136aa);
test('RFC 3720: 32 bytes of 0xFF', vector, new Uint8Array(32).fill(0xff), 0x62a8ab43);
test('RFC 3720: 32 incrementing bytes', vector, Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e);
test('RFC 3720: 32 decrementing bytes', vector, Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c);
// The base64 value S3 documents for x-amz-checksum-crc32c of "123456789" is this CRC's 4 bytes.
test('base64 form of the check value', (t) => {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32BE(crc32c(Buffer.from('123456789')));
  t.is(bytes.toString('base64'), '4waSgw==');
});

test('slicing-by-8 equals the bitwise definition at every length 0..100 and at odd offsets', (t) => {
  const data = seeded(4096 + 7, 42);
  for (let length = 0; length <= 100; length++) {
    t.is(crc32c(data.subarray(0, length)), bitwiseCrc32c(data.subarray(0, length)), `length ${length}`);
  }
  for (const offset of [1, 3, 5, 7]) {
    const slice = data.subarray(offset, offset + 4096);
    t.is(crc32c(slice), bitwiseCrc32c(slice), `offset ${offset}`);
  }
});

test('chaining over any split equals one pass', (t) => {
  const data = seeded(1000, 7);
  const whole = crc32c(data);
  for (const split of [0, 1, 7, 8, 9, 63, 64, 500, 999, 1000]) {
    t.is(crc32c(data.subarray(split), crc32c(data.subarray(0, split))), whole, `split at ${split}`);
  }
  let running = 0;
  for (let offset = 0; offset < data.length; offset += 13) running = crc32c(data.subarray(offset, offset + 13), running);
  t.is(running, whole, 'in 13-byte pieces');
});

test('short and misaligned inputs give the same CRC as aligned copies', (t) => {
  const backing = Buffer.alloc(64);
  for (let i = 0; i < backing.length; i++) backing[i] = (i * 37 + 11) & 0xff;
  for (let offset = 0; offset < 8; offset++) {
    for (let length = 0; length <= 24; length++) {
      const view = backing.subarray(offset, offset + length);
      t.is(crc32c(view), crc32c(Uint8Array.from(view)), `offset ${offset} length ${length}`);
    }
  }
});
