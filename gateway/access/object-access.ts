import type { Bucket, ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { accessDecision, requireAccess, type AccessRequest } from './access-check.ts';
import { requireBucket } from './bucket-access.ts';

/**
 * The current version of `bucket`/`key` for a read (GetObject, HeadObject, a copy's source): the
 * access decision for s3:GetObject counts the object's own ACL. A missing key is NoSuchKey only
 * to a caller who may list the bucket (S3's rule); anyone else gets AccessDenied, so a key they
 * may not read and a key that is not there look the same. NoSuchBucket comes first, for everyone.
 */
export async function requireReadableObject(request: AccessRequest, bucketName: string, key: string): Promise<{ bucket: Bucket; version: ObjectVersion }> {
  const bucket = await requireBucket(request, bucketName);
  const version = await request.deps.store.getObject(bucket.name, key);
  if (!version) {
    const mayList = accessDecision(request, bucket, { action: 's3:ListBucket' }).allowed;
    const denied = accessDecision(request, bucket, { action: 's3:GetObject', key }).reason === 'explicit deny';
    if (mayList && !denied) throw new S3Error('NoSuchKey', { resource: `/${bucket.name}/${key}`, extra: { Key: key } });
    throw new S3Error('AccessDenied', { resource: `/${bucket.name}/${key}` });
  }
  requireObjectRead(request, bucket, version);
  return { bucket, version };
}

/** AccessDenied unless the caller may read `version` (s3:GetObject, counting the object's own ACL). */
export function requireObjectRead(request: AccessRequest, bucket: Bucket, version: ObjectVersion): void {
  requireAccess(request, bucket, { action: 's3:GetObject', key: version.key, objectAcl: version.acl });
}
