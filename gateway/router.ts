import { S3Error } from '../src/s3/errors.ts';
import { resolveAddress, type BucketAddress } from './addressing.ts';

export type S3Operation =
  | 'ListBuckets'
  | 'CreateBucket' | 'HeadBucket' | 'DeleteBucket' | 'GetBucketLocation'
  | 'GetBucketAcl' | 'PutBucketAcl' | 'GetBucketCors' | 'PutBucketCors' | 'DeleteBucketCors' | 'GetBucketVersioning'
  | 'GetBucketEncryption' | 'PutBucketEncryption' | 'DeleteBucketEncryption'
  | 'ListObjects' | 'ListObjectsV2'
  | 'PutObject' | 'GetObject' | 'HeadObject' | 'DeleteObject'
  | 'CopyObject' | 'DeleteObjects'
  | 'CreateMultipartUpload' | 'UploadPart' | 'UploadPartCopy' | 'CompleteMultipartUpload' | 'AbortMultipartUpload'
  | 'ListParts' | 'ListMultipartUploads'
  // Tagging and GetObjectAttributes (issue 13).
  | 'GetObjectTagging' | 'PutObjectTagging' | 'DeleteObjectTagging' | 'GetBucketTagging' | 'PutBucketTagging' | 'DeleteBucketTagging'
  | 'GetObjectAttributes'
  // Lifecycle (issue 13).
  | 'GetBucketLifecycleConfiguration' | 'PutBucketLifecycleConfiguration' | 'DeleteBucketLifecycle'
  // ACLs and policies (issue 13).
  | 'GetBucketPolicy' | 'PutBucketPolicy' | 'DeleteBucketPolicy' | 'GetBucketPolicyStatus' | 'GetObjectAcl' | 'PutObjectAcl'
  // Browser uploads: authenticated by the form's policy signature, not headers (issue 13).
  | 'PostObject';

type Target = 'service' | 'bucket' | 'object';

interface RouteRule {
  readonly method: string;
  readonly target: Target;
  /**
   * Sub-resource query parameters the request must carry (`?location`, `?uploads`, both of
   * `?partNumber&uploadId`); it may carry no others.
   */
  readonly subresource?: string | readonly string[];
  /** A header the request must carry: it tells CopyObject from PutObject (`x-amz-copy-source`). */
  readonly header?: string;
  /** Query parameters that must have exactly these values (`list-type=2`). */
  readonly query?: Readonly<Record<string, string>>;
  readonly operation: S3Operation;
}

/**
 * The S3 routing table, most specific rule first for each (method, target). A request whose
 * sub-resource no rule claims is answered NotImplemented rather than being mistaken for a plainer
 * operation (a `PUT /bucket?cors` must never create a bucket).
 */
export const ROUTES: readonly RouteRule[] = [
  { method: 'GET', target: 'service', operation: 'ListBuckets' },
  { method: 'GET', target: 'bucket', subresource: 'location', operation: 'GetBucketLocation' },
  { method: 'GET', target: 'bucket', subresource: 'acl', operation: 'GetBucketAcl' },
  { method: 'PUT', target: 'bucket', subresource: 'acl', operation: 'PutBucketAcl' },
  { method: 'GET', target: 'bucket', subresource: 'cors', operation: 'GetBucketCors' },
  { method: 'PUT', target: 'bucket', subresource: 'cors', operation: 'PutBucketCors' },
  { method: 'DELETE', target: 'bucket', subresource: 'cors', operation: 'DeleteBucketCors' },
  { method: 'GET', target: 'bucket', subresource: 'versioning', operation: 'GetBucketVersioning' },
  { method: 'GET', target: 'bucket', subresource: 'encryption', operation: 'GetBucketEncryption' },
  { method: 'PUT', target: 'bucket', subresource: 'encryption', operation: 'PutBucketEncryption' },
  { method: 'DELETE', target: 'bucket', subresource: 'encryption', operation: 'DeleteBucketEncryption' },
  // Tagging and GetObjectAttributes (issue 13).
  { method: 'GET', target: 'bucket', subresource: 'tagging', operation: 'GetBucketTagging' },
  { method: 'PUT', target: 'bucket', subresource: 'tagging', operation: 'PutBucketTagging' },
  { method: 'DELETE', target: 'bucket', subresource: 'tagging', operation: 'DeleteBucketTagging' },
  { method: 'GET', target: 'object', subresource: 'tagging', operation: 'GetObjectTagging' },
  { method: 'PUT', target: 'object', subresource: 'tagging', operation: 'PutObjectTagging' },
  { method: 'DELETE', target: 'object', subresource: 'tagging', operation: 'DeleteObjectTagging' },
  { method: 'GET', target: 'object', subresource: 'attributes', operation: 'GetObjectAttributes' },
  { method: 'GET', target: 'bucket', subresource: 'lifecycle', operation: 'GetBucketLifecycleConfiguration' },
  { method: 'PUT', target: 'bucket', subresource: 'lifecycle', operation: 'PutBucketLifecycleConfiguration' },
  { method: 'DELETE', target: 'bucket', subresource: 'lifecycle', operation: 'DeleteBucketLifecycle' },
  { method: 'GET', target: 'bucket', subresource: 'policy', operation: 'GetBucketPolicy' },
  { method: 'PUT', target: 'bucket', subresource: 'policy', operation: 'PutBucketPolicy' },
  { method: 'DELETE', target: 'bucket', subresource: 'policy', operation: 'DeleteBucketPolicy' },
  { method: 'GET', target: 'bucket', subresource: 'policyStatus', operation: 'GetBucketPolicyStatus' },
  { method: 'GET', target: 'bucket', subresource: 'uploads', operation: 'ListMultipartUploads' },
  { method: 'POST', target: 'bucket', subresource: 'delete', operation: 'DeleteObjects' },
  // A browser upload: multipart/form-data to the bucket (post-object/), signed by its form.
  { method: 'POST', target: 'bucket', operation: 'PostObject' },
  { method: 'GET', target: 'bucket', query: { 'list-type': '2' }, operation: 'ListObjectsV2' },
  { method: 'GET', target: 'bucket', operation: 'ListObjects' },
  { method: 'PUT', target: 'bucket', operation: 'CreateBucket' },
  { method: 'HEAD', target: 'bucket', operation: 'HeadBucket' },
  { method: 'DELETE', target: 'bucket', operation: 'DeleteBucket' },
  { method: 'POST', target: 'object', subresource: 'uploads', operation: 'CreateMultipartUpload' },
  { method: 'POST', target: 'object', subresource: 'uploadId', operation: 'CompleteMultipartUpload' },
  { method: 'PUT', target: 'object', subresource: ['partNumber', 'uploadId'], header: 'x-amz-copy-source', operation: 'UploadPartCopy' },
  { method: 'PUT', target: 'object', subresource: ['partNumber', 'uploadId'], operation: 'UploadPart' },
  { method: 'GET', target: 'object', subresource: 'uploadId', operation: 'ListParts' },
  { method: 'DELETE', target: 'object', subresource: 'uploadId', operation: 'AbortMultipartUpload' },
  { method: 'GET', target: 'object', subresource: 'acl', operation: 'GetObjectAcl' },
  { method: 'PUT', target: 'object', subresource: 'acl', operation: 'PutObjectAcl' },
  { method: 'PUT', target: 'object', header: 'x-amz-copy-source', operation: 'CopyObject' },
  { method: 'PUT', target: 'object', operation: 'PutObject' },
  { method: 'GET', target: 'object', subresource: 'partNumber', operation: 'GetObject' },
  { method: 'GET', target: 'object', operation: 'GetObject' },
  { method: 'HEAD', target: 'object', subresource: 'partNumber', operation: 'HeadObject' },
  { method: 'HEAD', target: 'object', operation: 'HeadObject' },
  { method: 'DELETE', target: 'object', operation: 'DeleteObject' },
];

/** Query parameters that select a different S3 operation on the same path. */
const SUBRESOURCES = new Set([
  'accelerate', 'acl', 'analytics', 'attributes', 'cors', 'delete', 'encryption', 'intelligent-tiering',
  'inventory', 'legal-hold', 'lifecycle', 'location', 'logging', 'metrics', 'notification', 'object-lock',
  'ownershipControls', 'partNumber', 'policy', 'policyStatus', 'publicAccessBlock', 'replication',
  'requestPayment', 'restore', 'retention', 'select', 'tagging', 'torrent', 'uploadId', 'uploads',
  'versionId', 'versioning', 'versions', 'website',
]);

export interface ResolvedRoute {
  readonly operation: S3Operation;
  /** Empty for service-level operations. */
  readonly bucket: string;
  /** Empty unless the operation addresses an object. */
  readonly key: string;
}

/** Splits a path-style request path (`/bucket/key/with/slashes`) into bucket and decoded key. */
export function parsePathStyle(rawPath: string): { bucket: string; key: string } {
  const { bucket, key } = resolveAddress(undefined, rawPath, []);
  return { bucket, key };
}

/** Reads a request header by lower-case name. */
export type HeaderReader = (name: string) => string | undefined;

const NO_HEADERS: HeaderReader = () => undefined;

/** Routes a path-style request. */
export function resolveRoute(method: string, rawPath: string, query: URLSearchParams, header: HeaderReader = NO_HEADERS): ResolvedRoute {
  return routeRequest(method, resolveAddress(undefined, rawPath, []), query, header);
}

/** Routes a request whose bucket and key are known (path-style or virtual-hosted, see addressing.ts). */
export function routeRequest(method: string, address: BucketAddress, query: URLSearchParams, header: HeaderReader = NO_HEADERS): ResolvedRoute {
  const { bucket, key } = address;
  const target: Target = bucket === '' ? 'service' : key === '' ? 'bucket' : 'object';
  const requested = [...query.keys()].filter((name) => SUBRESOURCES.has(name));
  const candidates = ROUTES.filter((rule) => rule.target === target);
  const rule = candidates.find((candidate) => {
    const required: readonly string[] = candidate.subresource === undefined ? [] : [candidate.subresource].flat();
    return candidate.method === method
      && required.every((name) => query.has(name))
      && requested.every((name) => required.includes(name))
      && (candidate.header === undefined || header(candidate.header) !== undefined)
      && Object.entries(candidate.query ?? {}).every(([name, value]) => query.get(name) === value);
  });
  if (rule) return { operation: rule.operation, bucket, key };
  if (requested.length > 0 || candidates.some((candidate) => candidate.method === method)) {
    throw new S3Error('NotImplemented', {
      message: `shardgate does not implement this operation yet (${method} ${target}${requested.length ? ` ?${requested.join('&')}` : ''}).`,
    });
  }
  throw new S3Error('MethodNotAllowed', { message: `The specified method is not allowed against this resource.`, extra: { Method: method, ResourceType: target.toUpperCase() } });
}
