import { S3Error } from '../../src/s3/errors.ts';
import { serverSideEncryptionConfigurationXml } from '../../src/s3/xml-bucket-encryption.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { xmlResponse } from './responses.ts';

/**
 * GetBucketEncryption: the configured default; ServerSideEncryptionConfigurationNotFoundError
 * (404) when none was put. Objects are SSE-S3 either way (see the README's Decisions).
 */
export async function getBucketEncryption(request: S3Request): Promise<Response> {
  const bucket = await authorizeBucket(request);
  const algorithm = await request.deps.store.getBucketEncryption(bucket.name);
  if (algorithm === null) throw new S3Error('ServerSideEncryptionConfigurationNotFoundError', { extra: { BucketName: bucket.name } });
  return xmlResponse(serverSideEncryptionConfigurationXml(algorithm));
}
