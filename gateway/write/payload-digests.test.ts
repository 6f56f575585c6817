import test from 'ava';
import { S3Error } from '../../src/s3/errors.ts';
import { checksumBase64, CHECKSUM_ALGORITHMS } from '../../src/s3/checksums/algorithms.ts';
import { PayloadDigests, requestedChecksum } from './payload-digests.ts';

const DATA = Buffer.from('123456789');
const headersOf = (headers: Record<string, string>) => (name: string) => headers[name];

function s3Failure(t: import('ava').ExecutionContext, run: () => unknown, code: string, message: string): void {
  const error = t.throws(run);
  t.true(error instanceof S3Error, String(error));
  t.like(error as S3Error, { code, message });
}

test('no checksum headers: nothing requested', (t) => {
  t.is(requestedChecksum(headersOf({})), undefined);
});

for (const algorithm of CHECKSUM_ALGORITHMS) {
  test(`${algorithm}: a header value is verified, kept, and a wrong one is BadDigest`, (t) => {
    const value = checksumBase64(algorithm, DATA);
    const checksum = requestedChecksum(headersOf({ [`x-amz-checksum-${algorithm}`]: value, 'x-amz-sdk-checksum-algorithm': algorithm.toUpperCase() }));
    t.deepEqual(checksum, { algorithm, value });
    const digests = new PayloadDigests({ checksum });
    digests.update(DATA.subarray(0, 4));
    digests.update(DATA.subarray(4));
    t.deepEqual(digests.finish().checksums, { [algorithm]: value });

    const wrong = new PayloadDigests({ checksum });
    wrong.update(Buffer.from('987654321'));
    s3Failure(t, () => wrong.finish(), 'BadDigest', `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
  });

  test(`${algorithm}: a trailer value is verified; a malformed trailer is InvalidRequest`, (t) => {
    const checksum = requestedChecksum(headersOf({ 'x-amz-trailer': `x-amz-checksum-${algorithm}` }));
    t.deepEqual(checksum, { algorithm, value: undefined });
    const digests = new PayloadDigests({ checksum });
    digests.update(DATA);
    const value = checksumBase64(algorithm, DATA);
    t.deepEqual(digests.finish(new Map([[`x-amz-checksum-${algorithm}`, value]])).checksums, { [algorithm]: value });
    const malformed = new PayloadDigests({ checksum });
    malformed.update(DATA);
    s3Failure(t, () => malformed.finish({ [`x-amz-checksum-${algorithm}`]: value.replace(/=+$/, '') + '!' }), 'InvalidRequest',
      `Value for x-amz-checksum-${algorithm} trailing header is invalid.`);
  });
}

test('a malformed header value is InvalidRequest before any byte is read', (t) => {
  s3Failure(t, () => requestedChecksum(headersOf({ 'x-amz-checksum-crc32': 'cbf43926' })), 'InvalidRequest',
    'Value for x-amz-checksum-crc32 header is invalid.');
  s3Failure(t, () => requestedChecksum(headersOf({ 'x-amz-checksum-crc64nvme': 'rosUhgp5mIg' })), 'InvalidRequest',
    'Value for x-amz-checksum-crc64nvme header is invalid.');
});

test('two checksums, in headers or header + trailer, are refused', (t) => {
  const single = 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.';
  s3Failure(t, () => requestedChecksum(headersOf({ 'x-amz-checksum-crc32': 'y/Q5Jg==', 'x-amz-checksum-crc32c': '4waSgw==' })), 'InvalidRequest', single);
  s3Failure(t, () => requestedChecksum(headersOf({ 'x-amz-checksum-crc32': 'y/Q5Jg==', 'x-amz-trailer': 'x-amz-checksum-crc32c' })), 'InvalidRequest', single);
});

test('x-amz-sdk-checksum-algorithm: unknown, without a checksum, or naming another algorithm', (t) => {
  s3Failure(t, () => requestedChecksum(headersOf({ 'x-amz-sdk-checksum-algorithm': 'MD4', 'x-amz-checksum-crc32': 'y/Q5Jg==' })), 'InvalidRequest',
    'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
  s3Failure(t, () => requestedChecksum(headersOf({ 'x-amz-sdk-checksum-algorithm': 'CRC32' })), 'InvalidRequest',
    'x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.');
  s3Failure(t, () => requestedChecksum(headersOf({ 'x-amz-sdk-checksum-algorithm': 'SHA256', 'x-amz-checksum-crc32': 'y/Q5Jg==' })), 'BadDigest',
    'The SHA256 you specified did not match the calculated checksum.');
  s3Failure(t, () => requestedChecksum(headersOf({ 'x-amz-trailer': 'x-amz-checksum-md5' })), 'InvalidRequest',
    'Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]');
});

test('an announced trailer that never came is InvalidRequest', (t) => {
  const digests = new PayloadDigests({ checksum: { algorithm: 'crc32c' } });
  digests.update(DATA);
  s3Failure(t, () => digests.finish(), 'InvalidRequest', 'The x-amz-checksum-crc32c trailer announced in x-amz-trailer was not sent.');
});

test('Content-MD5 and the signed sha256 are checked with the checksum', (t) => {
  const digests = new PayloadDigests({ contentMd5: 'JfnnlDI7RTiF9RgfG2JNCw==', contentSha256: '15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225' });
  digests.update(DATA);
  t.deepEqual(digests.finish(), { etag: '"25f9e794323b453885f5181f1b624d0b"', checksums: {} });
});
