import test from 'ava';
import { Crc64Nvme } from './crc64nvme.ts';

/** Bit by bit with BigInt, no tables: the definition the sliced two-halves version must agree with. */
function bitwiseCrc64Nvme(bytes: Uint8Array): string {
  const mask = (1n << 64n) - 1n;
  let crc = mask;
  for (const byte of bytes) {
    crc ^= BigInt(byte);
    for (let bit = 0; bit < 8; bit++) crc = crc & 1n ? (crc >> 1n) ^ 0x9a6c9329ac4bc9b5n : crc >> 1n;
  }
  return ((crc ^ mask) & mask).toString(16).padStart(16, '0');
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

const hexOf = (bytes: Uint8Array) => new Crc64Nvme().update(bytes).hex();

const vector = test.macro((t, input: Uint8Array, expected: string) => {
  t.is(hexOf(input), expected);
});

// The catalogue check value; 4096 zeros / 0xFF from the NVM Express NVM Command Set
// Specification 1.0d, section 5.2.1.3.5 (also the Linux kernel's crypto/testmgr.h).
test('check value "123456789"', vector, Buffer.from('123456789'), 'ae8b14860a799888');
test('empty input', vector, new Uint8Array(0), '0000000000000000');
test('NVMe spec: 4096 bytes of zeros', vector, new Uint8Array(4096), '6482d367eb22b64e');
test('NVMe spec: 4096 bytes of 0xFF', vector, new Uint8Array(4096).fill(0xff), 'c0ddba7302eca3ac');
test('one byte "@"', vector, Buffer.from('@'), '02808afa9582aa47');

test('base64 form of the check value (x-amz-checksum-crc64nvme)', (t) => {
  t.is(new Crc64Nvme().update(Buffer.from('123456789')).digest().toString('base64'), 'rosUhgp5mIg=');
});

test('slicing-by-8 over two halves equals the bitwise BigInt definition', (t) => {
  const data = seeded(2048 + 7, 99);
  for (let length = 0; length <= 80; length++) {
    t.is(hexOf(data.subarray(0, length)), bitwiseCrc64Nvme(data.subarray(0, length)), `length ${length}`);
  }
  for (const offset of [1, 3, 7]) {
    const slice = data.subarray(offset, offset + 2048);
    t.is(hexOf(slice), bitwiseCrc64Nvme(slice), `offset ${offset}`);
  }
});

test('updates in any pieces equal one pass', (t) => {
  const data = seeded(1000, 5);
  const whole = hexOf(data);
  for (const split of [0, 1, 7, 8, 9, 500, 999, 1000]) {
    t.is(new Crc64Nvme().update(data.subarray(0, split)).update(data.subarray(split)).hex(), whole, `split at ${split}`);
  }
  const running = new Crc64Nvme();
  for (let offset = 0; offset < data.length; offset += 13) running.update(data.subarray(offset, offset + 13));
  t.is(running.hex(), whole, 'in 13-byte pieces');
});

test('short and misaligned inputs give the same CRC as aligned copies', (t) => {
  const backing = Buffer.alloc(64);
  for (let i = 0; i < backing.length; i++) backing[i] = (i * 37 + 11) & 0xff;
  for (let offset = 0; offset < 8; offset++) {
    for (let length = 0; length <= 24; length++) {
      const view = backing.subarray(offset, offset + length);
      t.is(hexOf(view), hexOf(Uint8Array.from(view)), `offset ${offset} length ${length}`);
    }
  }
});
