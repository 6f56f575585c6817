import { createHash, timingSafeEqual } from 'node:crypto';
import { customerEtag, customerKeyMd5, isCustomerKeyOf, type CustomerEncryption } from '../../src/crypto/customer-keys.ts';
import type { ObjectEncryption } from '../../src/meta/types.ts';
import { S3Error } from '../../src/s3/errors.ts';

type HeaderReader = (name: string) => string | undefined;

/** A customer key from SSE-C request headers: 32 bytes, its MD5 checked. Never logged, never stored. */
export interface CustomerKey {
  readonly key: Buffer;
  /** base64, as the client sent it (echoed in responses). */
  readonly keyMd5: string;
}

/** The object's own SSE-C headers, or CopyObject's / UploadPartCopy's for the source. */
export type CustomerKeyHeaders = 'object' | 'copy-source';

const PREFIX: Record<CustomerKeyHeaders, string> = {
  object: 'x-amz-server-side-encryption-customer-',
  'copy-source': 'x-amz-copy-source-server-side-encryption-customer-',
};

const invalid = (message: string) => new S3Error('InvalidArgument', { message });

/**
 * Reads one set of SSE-C headers (algorithm, key, key-MD5): null when none is present. All three
 * or none; the algorithm must be AES256, the key 32 bytes of base64 whose MD5 matches, else
 * InvalidArgument with S3's messages. Over plain HTTP they are refused (InvalidRequest, as S3)
 * unless the gateway runs with `--allow-insecure-ssec`.
 */
export function readCustomerKey(header: HeaderReader, which: CustomerKeyHeaders, secure: boolean): CustomerKey | null {
  const prefix = PREFIX[which];
  const algorithm = header(`${prefix}algorithm`);
  const encodedKey = header(`${prefix}key`);
  const keyMd5 = header(`${prefix}key-md5`);
  if (algorithm === undefined && encodedKey === undefined && keyMd5 === undefined) return null;
  if (!secure) {
    throw new S3Error('InvalidRequest', { message: 'Requests specifying Server Side Encryption with Customer provided keys must be made over a secure connection.' });
  }
  if (algorithm === undefined) throw invalid('Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.');
  if (algorithm !== 'AES256') throw invalid('The requested encryption algorithm is not valid, expected AES256.');
  if (encodedKey === undefined) throw invalid('Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.');
  if (keyMd5 === undefined) throw invalid('Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.');
  const key = Buffer.from(encodedKey, 'base64');
  if (key.length !== 32 || key.toString('base64') !== encodedKey) throw invalid('The secret key was invalid for the specified algorithm.');
  const expected = Buffer.from(keyMd5, 'base64');
  const actual = createHash('md5').update(key).digest();
  if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
    throw invalid('The calculated MD5 hash of the key did not match the hash that was provided.');
  }
  return { key, keyMd5: customerKeyMd5(key) };
}

/**
 * The key that opens an existing object, checked against it: an SSE-C object needs its key (none:
 * 400 InvalidRequest; another one: 403 AccessDenied); any other object refuses SSE-C headers
 * (400 InvalidRequest), as S3 answers.
 */
export function requireKeyFor(encryption: ObjectEncryption | null, given: CustomerKey | null): CustomerKey | null {
  if (encryption?.mode !== 'sse-c') {
    if (given) throw new S3Error('InvalidRequest', { message: 'The encryption parameters are not applicable to this object.' });
    return null;
  }
  if (!given) {
    throw new S3Error('InvalidRequest', {
      message: 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.',
    });
  }
  if (!isCustomerKeyOf(encryption, given.key)) throw new S3Error('AccessDenied', { message: 'Access Denied' });
  return given;
}

/** Response headers of an SSE-C object (what S3 echoes: algorithm and key MD5). */
export function customerKeyResponseHeaders(key: CustomerKey | null): Record<string, string> {
  return key ? { [`${PREFIX.object}algorithm`]: 'AES256', [`${PREFIX.object}key-MD5`]: key.keyMd5 } : {};
}

/** A part's or object's ETag: the MD5 of its bytes, or for SSE-C its keyed form (customerEtag). */
export function partEtag(encryption: ObjectEncryption | null, key: CustomerKey | null, md5Etag: string): string {
  return encryption?.mode === 'sse-c' && key ? customerEtag(encryption, key.key, md5Etag) : md5Etag;
}

export type { CustomerEncryption };
