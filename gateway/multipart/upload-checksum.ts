import type { ChecksumType } from '../../src/meta/multipart-types.ts';
import { CHECKSUM_ALGORITHMS, isChecksumAlgorithm } from '../../src/s3/checksums/algorithms.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { isCombinableCrc } from './crc-combine.ts';
import type { UploadChecksum } from './completion.ts';

/**
 * The checksum CreateMultipartUpload declares: `x-amz-checksum-algorithm` and
 * `x-amz-checksum-type`, with S3's defaults (FULL_OBJECT for CRC64NVME, COMPOSITE for the others)
 * and its refusals (FULL_OBJECT only for CRCs, COMPOSITE not for CRC64NVME). Null when none.
 */
export function declaredUploadChecksum(header: (name: string) => string | undefined): UploadChecksum | null {
  const algorithm = header('x-amz-checksum-algorithm')?.trim().toLowerCase();
  const type = header('x-amz-checksum-type')?.trim().toUpperCase();
  if (algorithm === undefined) {
    if (type === undefined) return null;
    throw new S3Error('InvalidRequest', { message: 'The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.' });
  }
  if (!isChecksumAlgorithm(algorithm)) {
    const names = CHECKSUM_ALGORITHMS.map((name) => name.toUpperCase()).join(', ');
    throw new S3Error('InvalidRequest', { message: `Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${names}]` });
  }
  if (type !== undefined && type !== 'COMPOSITE' && type !== 'FULL_OBJECT') {
    throw new S3Error('InvalidRequest', { message: 'Value for x-amz-checksum-type header is invalid.' });
  }
  const checksumType: ChecksumType = type ?? (algorithm === 'crc64nvme' ? 'FULL_OBJECT' : 'COMPOSITE');
  if (checksumType === 'FULL_OBJECT' && !isCombinableCrc(algorithm)) {
    throw new S3Error('InvalidRequest', { message: `The FULL_OBJECT checksum type cannot be used with the ${algorithm} checksum algorithm.` });
  }
  if (checksumType === 'COMPOSITE' && algorithm === 'crc64nvme') {
    throw new S3Error('InvalidRequest', { message: 'The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.' });
  }
  return { algorithm, type: checksumType };
}
