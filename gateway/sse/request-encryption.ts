import { CustomerKeys, newCustomerEncryption } from '../../src/crypto/customer-keys.ts';
import type { SegmentKeyOpener, SegmentKeySealer } from '../../src/crypto/segment-keys.ts';
import type { ObjectEncryption } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';
import type { GatewayContext, GatewayDeps } from '../context.ts';
import { readCustomerKey, requireKeyFor, type CustomerKey, type CustomerKeyHeaders } from './customer-key-headers.ts';
import { checkServerSideEncryptionRequest } from './sse-s3-headers.ts';

interface RequestLike {
  readonly deps: GatewayDeps;
  readonly c: GatewayContext;
}

/** The request's SSE-C key (`which` headers), refused over plain HTTP unless `--allow-insecure-ssec`. */
export function requestCustomerKey(request: RequestLike, which: CustomerKeyHeaders = 'object'): CustomerKey | null {
  const secure = request.deps.config.allowInsecureSsec || new URL(request.c.req.url).protocol === 'https:';
  return readCustomerKey((name) => request.c.req.header(name), which, secure);
}

/** How a write's new object is encrypted, and the keys that seal its segments. */
export interface WriteEncryption {
  readonly encryption: ObjectEncryption;
  readonly keys: SegmentKeySealer;
  /** The SSE-C key of the request, null for SSE-S3. */
  readonly customerKey: CustomerKey | null;
}

/**
 * A new object's encryption from the write's headers (PutObject, CreateMultipartUpload, CopyObject
 * destination): SSE-C when the customer-key headers are there (with a fresh salt), else SSE-S3.
 * `x-amz-server-side-encryption` together with SSE-C headers is InvalidArgument, as on S3.
 */
export function newObjectEncryption(request: RequestLike): WriteEncryption {
  const header = (name: string) => request.c.req.header(name);
  checkServerSideEncryptionRequest(header);
  const customerKey = requestCustomerKey(request);
  if (!customerKey) return { encryption: { mode: 'sse-s3' }, keys: request.deps.masterKeys, customerKey: null };
  if (header('x-amz-server-side-encryption') !== undefined) {
    throw new S3Error('InvalidArgument', { message: 'Server Side Encryption with Customer provided key is incompatible with the encryption method specified' });
  }
  const encryption = newCustomerEncryption(customerKey.key);
  return { encryption, keys: new CustomerKeys(encryption, customerKey.key), customerKey };
}

/**
 * The keys that open (or, for a multipart upload, keep sealing) an existing object or upload
 * encrypted as `encryption`, from the request's `which` SSE-C headers, checked (requireKeyFor).
 */
export function existingObjectKeys(
  request: RequestLike, encryption: ObjectEncryption | null, which: CustomerKeyHeaders = 'object',
): { keys: SegmentKeySealer & SegmentKeyOpener; customerKey: CustomerKey | null } {
  const customerKey = requireKeyFor(encryption, requestCustomerKey(request, which));
  if (encryption?.mode === 'sse-c') return { keys: new CustomerKeys(encryption, customerKey!.key), customerKey };
  return { keys: request.deps.masterKeys, customerKey: null };
}
