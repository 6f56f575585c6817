import { versioningConfigurationXml } from '../../src/s3/xml-bucket-config.ts';
import type { S3Request } from '../s3-request.ts';
import { authorizeBucket } from '../access/bucket-access.ts';
import { xmlResponse } from './responses.ts';

/**
 * GetBucketVersioning: shardgate keeps one version per key, so every bucket answers as a bucket
 * that never had versioning enabled — an empty VersioningConfiguration (tools such as the aws CLI
 * and rclone ask before choosing how to list or delete).
 */
export async function getBucketVersioning(request: S3Request): Promise<Response> {
  await authorizeBucket(request);
  return xmlResponse(versioningConfigurationXml());
}
