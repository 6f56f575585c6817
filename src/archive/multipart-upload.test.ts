import test from 'ava';
import { crc32Base64, MAX_PARTS, MultipartUploadError, partCountOf, uploadMultipart } from './multipart-upload.ts';
import type { S3MultipartClient } from './s3-multipart-client.ts';

test('part counts: the last part is the short one; an empty archive is one part', (t) => {
  const MiB = 1024 * 1024;
  t.is(partCountOf(0, 5 * MiB), 1);
  t.is(partCountOf(5 * MiB, 5 * MiB), 1);
  t.is(partCountOf(5 * MiB + 1, 5 * MiB), 2);
  t.is(partCountOf(5.1 * 1024 ** 3, 5 * MiB), 1045);
});

test('the CRC-32 is sent as S3 reports it: base64 of its four big-endian bytes', (t) => {
  t.is(crc32Base64(Buffer.from('123456789')), Buffer.from([0xcb, 0xf4, 0x39, 0x26]).toString('base64'));
  t.is(crc32Base64(new Uint8Array(0)), 'AAAAAA==');
});

test('an archive that would need more than 10,000 parts is refused before any request, naming the part size that fits', async (t) => {
  // Any call on the client would be a TypeError, not this error: nothing is listed, created or sent.
  const client = {} as S3MultipartClient;
  const partSize = 5 * 1024 * 1024;
  const size = MAX_PARTS * partSize + 1;
  async function* never(): AsyncGenerator<Uint8Array> { throw new Error('the stream was read'); }
  const error = await t.throwsAsync(uploadMultipart(never(), { client, location: { bucket: 'b', key: 'big.zip' }, size, partSize, parallel: 4, contentType: 'application/zip' }), { instanceOf: MultipartUploadError });
  t.is(error!.code, 'UPLOAD_FAILED');
  t.is(error!.message, `the archive is ${size} bytes: --part-size ${partSize} would make 10001 parts, S3 allows 10000; use --part-size 6MiB or more`);
  t.is(partCountOf(size, 6 * 1024 * 1024), 8334);
});
