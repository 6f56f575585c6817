import { S3Error } from '../src/s3/errors.ts';
import { authenticate, type Authenticated } from './auth.ts';
import type { GatewayContext, GatewayDeps, RequestLog } from './context.ts';
import { resolveRoute, type S3Operation } from './router.ts';
import { createBucket } from './ops/create-bucket.ts';
import { deleteBucket } from './ops/delete-bucket.ts';
import { deleteObject } from './ops/delete-object.ts';
import { getBucketLocation } from './ops/get-bucket-location.ts';
import { getObject } from './ops/get-object.ts';
import { headBucket } from './ops/head-bucket.ts';
import { headObject } from './ops/head-object.ts';
import { listBuckets } from './ops/list-buckets.ts';
import { listObjects } from './ops/list-objects.ts';
import { listObjectsV2 } from './ops/list-objects-v2.ts';
import { putObject } from './ops/put-object.ts';

/** One S3 request, resolved and authenticated, as every operation handler receives it. */
export interface S3Request {
  readonly deps: GatewayDeps;
  readonly c: GatewayContext;
  readonly bucket: string;
  readonly key: string;
  readonly query: URLSearchParams;
  readonly auth: Authenticated;
  readonly log: RequestLog;
}

export type S3Handler = (request: S3Request) => Promise<Response>;

const HANDLERS: Readonly<Record<S3Operation, S3Handler>> = {
  ListBuckets: listBuckets,
  CreateBucket: createBucket,
  HeadBucket: headBucket,
  DeleteBucket: deleteBucket,
  GetBucketLocation: getBucketLocation,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
};

export const MAX_KEY_BYTES = 1024;

export async function dispatchS3(deps: GatewayDeps, c: GatewayContext): Promise<Response> {
  // The raw request target as the client sent it: SigV4 signs the path exactly as sent, and
  // WHATWG URL parsing would resolve `..` and re-encode characters.
  const target = c.env?.incoming?.url ?? new URL(c.req.url).pathname + new URL(c.req.url).search;
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  const rawQuery = queryStart === -1 ? '' : target.slice(queryStart + 1);
  const query = new URLSearchParams(rawQuery);
  const log = c.get('log');
  const route = resolveRoute(c.req.method, rawPath, query);
  log.operation = route.operation;
  if (route.bucket) log.bucket = route.bucket;
  if (route.key) log.key = route.key;
  if (Buffer.byteLength(route.key) > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', { message: 'Your key is too long.' });
  }
  const auth = await authenticate(deps, c, { rawPath, rawQuery });
  log.accessKeyId = auth.accessKeyId;
  return HANDLERS[route.operation]({ deps, c, bucket: route.bucket, key: route.key, query, auth, log });
}
