import { S3Error } from '../src/s3/errors.ts';
import { hasNulCharacter } from '../src/s3/nul-character.ts';
import { rawRequestTarget, resolveAddress } from './addressing.ts';
import { authenticate } from './auth.ts';
import type { GatewayContext, GatewayDeps } from './context.ts';
import { consoleReadAs } from './console/console-key.ts';
import { answerPreflight } from './cors/preflight.ts';
import { sendContinue } from './expect-continue.ts';
import { timed } from './request-timing.ts';
import { routeRequest, type ResolvedRoute, type S3Operation } from './router.ts';
import { MAX_KEY_BYTES, type PublicReadRequest, type S3Handler } from './s3-request.ts';
import { abortMultipartUpload } from './ops/abort-multipart-upload.ts';
import { completeMultipartUpload } from './ops/complete-multipart-upload.ts';
import { copyObject } from './ops/copy-object.ts';
import { createBucket } from './ops/create-bucket.ts';
import { createMultipartUpload } from './ops/create-multipart-upload.ts';
import { deleteObjects } from './ops/delete-objects.ts';
import { listMultipartUploads } from './ops/list-multipart-uploads.ts';
import { listParts } from './ops/list-parts.ts';
import { uploadPart } from './ops/upload-part.ts';
import { uploadPartCopy } from './ops/upload-part-copy.ts';
import { deleteBucketCors } from './ops/delete-bucket-cors.ts';
import { getBucketAcl } from './ops/get-bucket-acl.ts';
import { getBucketCors } from './ops/get-bucket-cors.ts';
import { getBucketVersioning } from './ops/get-bucket-versioning.ts';
import { deleteBucketEncryption } from './ops/delete-bucket-encryption.ts';
import { getBucketEncryption } from './ops/get-bucket-encryption.ts';
import { putBucketEncryption } from './ops/put-bucket-encryption.ts';
import { putBucketAcl } from './ops/put-bucket-acl.ts';
import { putBucketCors } from './ops/put-bucket-cors.ts';
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
// Tagging and GetObjectAttributes (issue 13).
import { deleteBucketTagging } from './ops/delete-bucket-tagging.ts';
import { deleteObjectTagging } from './ops/delete-object-tagging.ts';
import { getBucketTagging } from './ops/get-bucket-tagging.ts';
import { getObjectAttributes } from './ops/get-object-attributes.ts';
import { getObjectTagging } from './ops/get-object-tagging.ts';
import { putBucketTagging } from './ops/put-bucket-tagging.ts';
import { putObjectTagging } from './ops/put-object-tagging.ts';
import { deleteBucketLifecycle } from './ops/delete-bucket-lifecycle.ts';
import { getBucketLifecycleConfiguration } from './ops/get-bucket-lifecycle-configuration.ts';
import { putBucketLifecycleConfiguration } from './ops/put-bucket-lifecycle-configuration.ts';
import { postObject } from './post-object/post-object.ts';
import { deleteBucketPolicy, getBucketPolicy, getBucketPolicyStatus, putBucketPolicy } from './ops/bucket-policy.ts';
import { getObjectAcl } from './ops/get-object-acl.ts';
import { putObjectAcl } from './ops/put-object-acl.ts';

/** Every operation authenticated by its headers or URL (PostObject is signed inside its form). */
const HANDLERS: Readonly<Record<Exclude<S3Operation, 'PostObject'>, S3Handler>> = {
  ListBuckets: listBuckets,
  CreateBucket: createBucket,
  HeadBucket: headBucket,
  DeleteBucket: deleteBucket,
  GetBucketLocation: getBucketLocation,
  GetBucketAcl: getBucketAcl,
  PutBucketAcl: putBucketAcl,
  GetBucketCors: getBucketCors,
  PutBucketCors: putBucketCors,
  DeleteBucketCors: deleteBucketCors,
  GetBucketVersioning: getBucketVersioning,
  GetBucketEncryption: getBucketEncryption,
  PutBucketEncryption: putBucketEncryption,
  DeleteBucketEncryption: deleteBucketEncryption,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
  CopyObject: copyObject,
  DeleteObjects: deleteObjects,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
  ListMultipartUploads: listMultipartUploads,
  // Tagging and GetObjectAttributes (issue 13).
  GetObjectTagging: getObjectTagging,
  PutObjectTagging: putObjectTagging,
  DeleteObjectTagging: deleteObjectTagging,
  GetBucketTagging: getBucketTagging,
  PutBucketTagging: putBucketTagging,
  DeleteBucketTagging: deleteBucketTagging,
  GetObjectAttributes: getObjectAttributes,
  GetBucketLifecycleConfiguration: getBucketLifecycleConfiguration,
  PutBucketLifecycleConfiguration: putBucketLifecycleConfiguration,
  DeleteBucketLifecycle: deleteBucketLifecycle,
  GetBucketPolicy: getBucketPolicy,
  PutBucketPolicy: putBucketPolicy,
  DeleteBucketPolicy: deleteBucketPolicy,
  GetBucketPolicyStatus: getBucketPolicyStatus,
  GetObjectAcl: getObjectAcl,
  PutObjectAcl: putObjectAcl,
};

/**
 * What a request without any signature may reach: reads — list or head a bucket, GET/HEAD an
 * object. The handler's access decision (gateway/access/) then says whether this bucket's policy,
 * its public-read ACL or the object's public-read ACL lets anyone do it. Everything else is
 * refused before any handler runs, whatever a policy says: there are no anonymous writes.
 */
const PUBLIC_READ_HANDLERS: Readonly<Partial<Record<S3Operation, (request: PublicReadRequest) => Promise<Response>>>> = {
  GetObject: getObject,
  HeadObject: headObject,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  HeadBucket: headBucket,
};


/** A query value with U+0000 (prefix, start-after, marker, upload-id-marker…) is refused before any lookup. */
function refuseNulInQuery(query: URLSearchParams): void {
  for (const [name, value] of query) {
    if (hasNulCharacter(value)) {
      throw new S3Error('InvalidArgument', { message: `The ${name} parameter may not contain the character U+0000.`, extra: { ArgumentName: name } });
    }
  }
}

export async function dispatchS3(deps: GatewayDeps, c: GatewayContext): Promise<Response> {
  const { rawPath, rawQuery } = rawRequestTarget(c);
  const query = new URLSearchParams(rawQuery);
  refuseNulInQuery(query);
  const log = c.get('log');
  const address = resolveAddress(c.req.header('host'), rawPath, deps.config.baseDomains);
  if (c.req.method === 'OPTIONS') return answerPreflight(deps, c, address);
  const route = routeRequest(c.req.method, address, query, (name) => c.req.header(name));
  log.operation = route.operation;
  if (route.bucket) log.bucket = route.bucket;
  if (route.key) log.key = route.key;
  if (Buffer.byteLength(route.key) > MAX_KEY_BYTES) {
    throw new S3Error('KeyTooLongError', { message: 'Your key is too long.' });
  }
  // POST Object carries its credentials in the form (post-object/): no header signature to check here.
  if (route.operation === 'PostObject') return postObject({ deps, c, address, log });
  const caller = await timed(log.timing, 'auth', () => authenticate(deps, c, { rawPath, rawQuery }));
  const auth = caller.kind === 'console' ? await consoleReadAs(deps, route, caller) : caller;
  if (auth.kind === 'anonymous') {
    const handler = PUBLIC_READ_HANDLERS[route.operation];
    if (!handler) throw await anonymousRefusal(deps, route);
    return handler({ deps, c, bucket: route.bucket, key: route.key, operation: route.operation, query, auth, log });
  }
  log.accessKeyId = auth.accessKeyId;
  log.accountId = auth.accountId;
  const release = UPLOAD_OPERATIONS.has(route.operation) ? deps.uploads.acquire(auth.accountId) : null;
  try {
    sendContinue(c.env.incoming); // only a signed request within the upload limits is invited to send an `Expect: 100-continue` body
    return await HANDLERS[route.operation]({ deps, c, bucket: route.bucket, key: route.key, operation: route.operation, query, auth, log });
  } finally {
    release?.();
  }
}

/** Operations that hold shard uploads open while they run: counted by `deps.uploads`. */
const UPLOAD_OPERATIONS: ReadonlySet<S3Operation> = new Set(['PutObject', 'UploadPart', 'UploadPartCopy']);

/** An anonymous request for anything but a public read: NoSuchBucket when the bucket is missing (S3's order), else AccessDenied. */
async function anonymousRefusal(deps: GatewayDeps, route: ResolvedRoute): Promise<S3Error> {
  if (route.bucket !== '' && route.operation !== 'CreateBucket' && !(await deps.store.getBucket(route.bucket))) {
    return new S3Error('NoSuchBucket', { resource: `/${route.bucket}`, extra: { BucketName: route.bucket } });
  }
  return new S3Error('AccessDenied');
}
