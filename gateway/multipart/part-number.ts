import { S3Error } from '../../src/s3/errors.ts';

/** S3's limits on multipart uploads. */
export const MAX_PART_NUMBER = 10_000;
/** Every part but the last must have at least this many bytes when the upload completes. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;

/** `partNumber` (query of UploadPart, UploadPartCopy, GetObject, HeadObject): 1 … 10000. */
export function parsePartNumber(raw: string | null): number {
  const value = raw ?? '';
  const partNumber = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(partNumber >= 1 && partNumber <= MAX_PART_NUMBER)) {
    throw new S3Error('InvalidArgument', {
      message: `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
      extra: { ArgumentName: 'partNumber', ArgumentValue: value },
    });
  }
  return partNumber;
}
