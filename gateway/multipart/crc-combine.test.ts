import test from 'ava';
import { checksumBase64 } from '../../src/s3/checksums/algorithms.ts';
import { combineCrc, type CombinableCrc } from './crc-combine.ts';

// Copies: each piece starts on its own buffer.
const digest = (algorithm: CombinableCrc, bytes: Uint8Array) => Buffer.from(checksumBase64(algorithm, Uint8Array.from(bytes)), 'base64');

for (const algorithm of ['crc32', 'crc32c', 'crc64nvme'] as const) {
  test(`${algorithm}: combining the CRCs of two pieces gives the CRC of their concatenation`, (t) => {
    const bytes = Buffer.from(Array.from({ length: 70_001 }, (_, i) => (i * 7919 + (i >> 5)) & 0xff));
    for (const split of [0, 1, 2, 7, 8, 9, 4096, 65_537, 70_000, 70_001]) {
      const first = bytes.subarray(0, split);
      const second = bytes.subarray(split);
      const combined = combineCrc(algorithm, digest(algorithm, first), digest(algorithm, second), second.length);
      t.deepEqual(combined, digest(algorithm, bytes), `split at ${split}`);
    }
  });
}

test('digests of the wrong width are refused', (t) => {
  t.throws(() => combineCrc('crc64nvme', Buffer.alloc(4), Buffer.alloc(4), 1), { instanceOf: RangeError });
});
