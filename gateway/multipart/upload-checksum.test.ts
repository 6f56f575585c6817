import test from 'ava';
import { S3Error } from '../../src/s3/errors.ts';
import { declaredUploadChecksum } from './upload-checksum.ts';

const headers = (values: Readonly<Record<string, string | undefined>>) => (name: string) => values[name];

test('CreateMultipartUpload checksum: S3\'s defaults per algorithm', (t) => {
  t.is(declaredUploadChecksum(headers({})), null);
  t.deepEqual(declaredUploadChecksum(headers({ 'x-amz-checksum-algorithm': 'CRC32' })), { algorithm: 'crc32', type: 'COMPOSITE' });
  t.deepEqual(declaredUploadChecksum(headers({ 'x-amz-checksum-algorithm': 'CRC64NVME' })), { algorithm: 'crc64nvme', type: 'FULL_OBJECT' });
  t.deepEqual(
    declaredUploadChecksum(headers({ 'x-amz-checksum-algorithm': 'crc32c', 'x-amz-checksum-type': 'full_object' })),
    { algorithm: 'crc32c', type: 'FULL_OBJECT' },
  );
  t.deepEqual(declaredUploadChecksum(headers({ 'x-amz-checksum-algorithm': 'SHA256' })), { algorithm: 'sha256', type: 'COMPOSITE' });
});

test('CreateMultipartUpload checksum: combinations S3 refuses are InvalidRequest', (t) => {
  for (const values of [
    { 'x-amz-checksum-type': 'COMPOSITE' },
    { 'x-amz-checksum-algorithm': 'MD5' },
    { 'x-amz-checksum-algorithm': 'CRC32', 'x-amz-checksum-type': 'PARTIAL' },
    { 'x-amz-checksum-algorithm': 'SHA1', 'x-amz-checksum-type': 'FULL_OBJECT' },
    { 'x-amz-checksum-algorithm': 'CRC64NVME', 'x-amz-checksum-type': 'COMPOSITE' },
  ]) {
    const error = t.throws(() => declaredUploadChecksum(headers(values)), { instanceOf: S3Error }, JSON.stringify(values));
    t.is(error?.code, 'InvalidRequest');
  }
});
