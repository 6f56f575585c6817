import type { Bucket } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { PublicReadRequest } from '../s3-request.ts';
import { requireAccess, type AccessRequest } from './access-check.ts';
import { OPERATION_ACTIONS } from './operation-actions.ts';

/** What the bucket-level access check needs of a request; an S3Request and a PublicReadRequest both are one. */
export type BucketAccessRequest = Pick<PublicReadRequest, 'deps' | 'c' | 'bucket' | 'key' | 'auth' | 'operation' | 'query'>;

/**
 * The request's bucket, after the access decision for the request's operation (its s3: action,
 * OPERATION_ACTIONS) on the bucket — or on the request's key for an object operation; listings
 * pass their `prefix` as `s3:prefix`. Errors come in S3's order: a missing bucket is NoSuchBucket
 * for everyone, then AccessDenied.
 */
export async function authorizeBucket(request: BucketAccessRequest): Promise<Bucket> {
  const bucket = await requireBucket(request, request.bucket);
  const action = OPERATION_ACTIONS[request.operation];
  if (action === null) throw new Error(`${request.operation} is not a bucket operation`);
  const listing = request.operation === 'ListObjects' || request.operation === 'ListObjectsV2';
  requireAccess(request, bucket, {
    action,
    ...(request.key === '' ? {} : { key: request.key }),
    ...(listing ? { prefix: request.query.get('prefix') ?? '' } : {}),
  });
  return bucket;
}

/** The bucket named `name`; NoSuchBucket when there is none. No access decision: the caller makes one. */
export async function requireBucket(request: Pick<AccessRequest, 'deps'>, name: string): Promise<Bucket> {
  const bucket = await request.deps.store.getBucket(name);
  if (!bucket) throw new S3Error('NoSuchBucket', { resource: `/${name}`, extra: { BucketName: name } });
  return bucket;
}
