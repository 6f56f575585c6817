import type { Bucket } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { PublicReadRequest } from '../s3-request.ts';

/** What the access checks need of a request; an S3Request and a PublicReadRequest both are one. */
export type BucketAccessRequest = Pick<PublicReadRequest, 'deps' | 'bucket' | 'auth'>;

/** The request's bucket, which must exist and belong to the caller's account (never to an anonymous caller). */
export async function requireOwnedBucket(request: BucketAccessRequest): Promise<Bucket> {
  const bucket = await requireBucket(request);
  if (request.auth.kind !== 'signed' || bucket.accountId !== request.auth.accountId) {
    throw new S3Error('AccessDenied', { resource: `/${request.bucket}` });
  }
  return bucket;
}

/**
 * The request's bucket, which the caller must own — or which is public-read, and then anyone may
 * read it: another account's keys or no signature at all. Errors come in S3's order: a missing
 * bucket is NoSuchBucket for everyone, then access.
 */
export async function requireReadableBucket(request: BucketAccessRequest): Promise<Bucket> {
  const bucket = await requireBucket(request);
  const owner = request.auth.kind === 'signed' && bucket.accountId === request.auth.accountId;
  if (!owner && bucket.acl !== 'public-read') throw new S3Error('AccessDenied', { resource: `/${request.bucket}` });
  return bucket;
}

async function requireBucket(request: BucketAccessRequest): Promise<Bucket> {
  const bucket = await request.deps.store.getBucket(request.bucket);
  if (!bucket) throw new S3Error('NoSuchBucket', { resource: `/${request.bucket}`, extra: { BucketName: request.bucket } });
  return bucket;
}
