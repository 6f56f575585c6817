import { S3Error } from '../src/s3/errors.ts';

export type S3Operation =
  | 'ListBuckets'
  | 'CreateBucket' | 'HeadBucket' | 'DeleteBucket' | 'GetBucketLocation'
  | 'ListObjects' | 'ListObjectsV2'
  | 'PutObject' | 'GetObject' | 'HeadObject' | 'DeleteObject';

type Target = 'service' | 'bucket' | 'object';

interface RouteRule {
  readonly method: string;
  readonly target: Target;
  /** A sub-resource query parameter the request must carry (`?location`, `?uploads`). */
  readonly subresource?: string;
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
  { method: 'GET', target: 'bucket', query: { 'list-type': '2' }, operation: 'ListObjectsV2' },
  { method: 'GET', target: 'bucket', operation: 'ListObjects' },
  { method: 'PUT', target: 'bucket', operation: 'CreateBucket' },
  { method: 'HEAD', target: 'bucket', operation: 'HeadBucket' },
  { method: 'DELETE', target: 'bucket', operation: 'DeleteBucket' },
  { method: 'PUT', target: 'object', operation: 'PutObject' },
  { method: 'GET', target: 'object', operation: 'GetObject' },
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
  const path = rawPath.startsWith('/') ? rawPath.slice(1) : rawPath;
  const slash = path.indexOf('/');
  const rawBucket = slash === -1 ? path : path.slice(0, slash);
  const rawKey = slash === -1 ? '' : path.slice(slash + 1);
  try {
    return { bucket: decodeURIComponent(rawBucket), key: decodeURIComponent(rawKey) };
  } catch {
    throw new S3Error('InvalidArgument', { message: 'The request path is not valid percent-encoded UTF-8.' });
  }
}

export function resolveRoute(method: string, rawPath: string, query: URLSearchParams): ResolvedRoute {
  const { bucket, key } = parsePathStyle(rawPath);
  const target: Target = bucket === '' ? 'service' : key === '' ? 'bucket' : 'object';
  const requested = [...query.keys()].filter((name) => SUBRESOURCES.has(name));
  const candidates = ROUTES.filter((rule) => rule.target === target);
  const rule = candidates.find((candidate) =>
    candidate.method === method
    && (candidate.subresource ? query.has(candidate.subresource) : true)
    && requested.every((name) => name === candidate.subresource)
    && Object.entries(candidate.query ?? {}).every(([name, value]) => query.get(name) === value));
  if (rule) return { operation: rule.operation, bucket, key };
  if (requested.length > 0 || candidates.some((candidate) => candidate.method === method)) {
    throw new S3Error('NotImplemented', {
      message: `shardgate does not implement this operation yet (${method} ${target}${requested.length ? ` ?${requested.join('&')}` : ''}).`,
    });
  }
  throw new S3Error('MethodNotAllowed', { message: `The specified method is not allowed against this resource.`, extra: { Method: method, ResourceType: target.toUpperCase() } });
}
