import type { ObjectEncryption } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';

type HeaderReader = (name: string) => string | undefined;

const SSE_HEADER = 'x-amz-server-side-encryption';
/** SSE-KMS settings: shardgate has no KMS, so any of them is NotImplemented (never silently ignored). */
const KMS_HEADERS = [
  'x-amz-server-side-encryption-aws-kms-key-id',
  'x-amz-server-side-encryption-context',
  'x-amz-server-side-encryption-bucket-key-enabled',
] as const;

/**
 * Checks a write's `x-amz-server-side-encryption` (PutObject, CreateMultipartUpload, CopyObject):
 * absent or `AES256` is SSE-S3, which every object gets anyway; `aws:kms` and `aws:kms:dsse` (and
 * the SSE-KMS headers) are NotImplemented; any other value is S3's InvalidArgument.
 */
export function checkServerSideEncryptionRequest(header: HeaderReader): void {
  const requested = header(SSE_HEADER);
  if (requested !== undefined && requested !== 'AES256') {
    if (requested === 'aws:kms' || requested === 'aws:kms:dsse') {
      throw new S3Error('NotImplemented', { message: `shardgate has no KMS: ${SSE_HEADER}: ${requested} is not supported, use AES256 (SSE-S3) or SSE-C.` });
    }
    throw new S3Error('InvalidArgument', {
      message: 'The encryption method specified is not supported', extra: { ArgumentName: SSE_HEADER, ArgumentValue: requested },
    });
  }
  const kms = KMS_HEADERS.find((name) => header(name) !== undefined);
  if (kms !== undefined) throw new S3Error('NotImplemented', { message: `shardgate has no KMS: ${kms} is not supported.` });
}

/** What every response about an object says of its encryption: `AES256` for SSE-S3; nothing for an object stored before encryption. */
export function sseS3ResponseHeaders(encryption: ObjectEncryption | null | undefined): Record<string, string> {
  return encryption?.mode === 'sse-s3' ? { [SSE_HEADER]: 'AES256' } : {};
}
