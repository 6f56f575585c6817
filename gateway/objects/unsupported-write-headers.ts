import { S3Error } from '../../src/s3/errors.ts';

/**
 * Write headers of S3 features shardgate does not have: honouring them silently would store an
 * object without the lock or redirect its writer asked for, so they are NotImplemented
 * (naming the header), as is any storage class but STANDARD (there is one class here).
 */
const UNSUPPORTED = [
  'x-amz-object-lock-mode',
  'x-amz-object-lock-retain-until-date',
  'x-amz-object-lock-legal-hold',
  'x-amz-website-redirect-location',
] as const;

/** Throws NotImplemented for a PutObject, CopyObject or CreateMultipartUpload that asks for one of them. */
export function refuseUnsupportedWriteHeaders(header: (name: string) => string | undefined): void {
  for (const name of UNSUPPORTED) {
    if (header(name) !== undefined) throw new S3Error('NotImplemented', { message: `${name} is not supported by this gateway.`, extra: { Header: name } });
  }
  const storageClass = header('x-amz-storage-class');
  if (storageClass !== undefined && storageClass.trim().toUpperCase() !== 'STANDARD') {
    throw new S3Error('NotImplemented', { message: `Storage class ${storageClass} is not supported by this gateway (only STANDARD).`, extra: { Header: 'x-amz-storage-class' } });
  }
}
