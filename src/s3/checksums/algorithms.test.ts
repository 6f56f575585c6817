import test from 'ava';
import {
  CHECKSUM_ALGORITHMS, checksumBase64, createChecksum, isChecksumAlgorithm, isWellFormedChecksum, type ChecksumAlgorithm,
} from './algorithms.ts';

// "123456789" under each algorithm, as the check values of the CRC catalogue and the SHA test
// vectors give them (hex of the big-endian digest).
const CHECK_VALUES: Readonly<Record<ChecksumAlgorithm, string>> = {
  crc32: 'cbf43926',
  crc32c: 'e3069283',
  crc64nvme: 'ae8b14860a799888',
  sha1: 'f7c3bc1d808e04732adf679965ccc34ca7ae3441',
  sha256: '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225',
};

for (const algorithm of CHECKSUM_ALGORITHMS) {
  test(`${algorithm}: check value in one piece and in pieces`, (t) => {
    const data = Buffer.from('123456789');
    t.is(Buffer.from(checksumBase64(algorithm, data), 'base64').toString('hex'), CHECK_VALUES[algorithm]);
    const running = createChecksum(algorithm);
    for (const piece of [data.subarray(0, 4), data.subarray(4, 4), data.subarray(4)]) running.update(piece);
    t.is(running.digest().toString('hex'), CHECK_VALUES[algorithm]);
  });

  test(`${algorithm}: well-formed values are padded base64 of the digest length`, (t) => {
    const value = Buffer.from(CHECK_VALUES[algorithm], 'hex').toString('base64');
    t.true(isWellFormedChecksum(algorithm, value));
    t.false(isWellFormedChecksum(algorithm, value.replace(/=+$/, '')), 'unpadded');
    t.false(isWellFormedChecksum(algorithm, CHECK_VALUES[algorithm]), 'hex');
    t.false(isWellFormedChecksum(algorithm, Buffer.alloc(CHECK_VALUES[algorithm].length / 2 + 1).toString('base64')), 'one byte too many');
    t.false(isWellFormedChecksum(algorithm, ''), 'empty');
  });
}

test('algorithm names are the lower-case header suffixes', (t) => {
  t.true(isChecksumAlgorithm('crc64nvme'));
  t.false(isChecksumAlgorithm('CRC32'));
  t.false(isChecksumAlgorithm('md5'));
});
