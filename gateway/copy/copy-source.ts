import type { Bucket, ObjectVersion } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import { hasNulCharacter } from '../../src/s3/nul-character.ts';
import type { S3Request } from '../s3-request.ts';
import { requireReadableObject } from '../access/object-access.ts';

/** The object a CopyObject or UploadPartCopy reads, as `x-amz-copy-source` names it. */
export interface CopySource {
  readonly bucket: string;
  readonly key: string;
}

function invalidCopySource(value: string): S3Error {
  return new S3Error('InvalidArgument', {
    message: 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey',
    extra: { ArgumentName: 'x-amz-copy-source', ArgumentValue: value },
  });
}

/**
 * `x-amz-copy-source`: `bucket/key`, URL-encoded, an optional leading `/`, an optional
 * `?versionId=`. Buckets here are never versioned: only `versionId=null` (the one version every
 * object has) names an object, any other id is NoSuchVersion.
 */
export function parseCopySource(value: string): CopySource {
  const queryAt = value.indexOf('?');
  const path = (queryAt === -1 ? value : value.slice(0, queryAt)).replace(/^\//, '');
  if (queryAt !== -1) {
    const versionId = new URLSearchParams(value.slice(queryAt + 1)).get('versionId');
    if (versionId !== null && versionId !== 'null') {
      throw new S3Error('NoSuchVersion', { extra: { VersionId: versionId } });
    }
  }
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) throw invalidCopySource(value);
  let source: CopySource;
  try {
    source = { bucket: decodeURIComponent(path.slice(0, slash)), key: decodeURIComponent(path.slice(slash + 1)) };
  } catch {
    throw invalidCopySource(value);
  }
  if (hasNulCharacter(source.bucket) || hasNulCharacter(source.key)) throw invalidCopySource(value);
  return source;
}

export interface ReadableSource {
  readonly source: CopySource;
  readonly bucket: Bucket;
  readonly version: ObjectVersion;
}

/**
 * The source object of a copy request, read as GetObject reads (requireReadableObject: the
 * source bucket's policy, ownership, the bucket's and the object's ACL): NoSuchBucket, then
 * AccessDenied or NoSuchKey.
 */
export async function requireCopySource(request: S3Request): Promise<ReadableSource> {
  const source = parseCopySource(request.c.req.header('x-amz-copy-source') ?? '');
  const { bucket, version } = await requireReadableObject(request, source.bucket, source.key);
  return { source, bucket, version };
}
