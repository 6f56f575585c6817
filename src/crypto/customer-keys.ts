import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ObjectEncryption, SegmentEncryption } from '../meta/types.ts';
import { unwrapDataKey, wrapDataKey } from './key-wrap.ts';
import { newSegmentCipherKey, type SegmentCipherKey, type SegmentKeyOpener, type SegmentKeySealer } from './segment-keys.ts';

/**
 * SSE-C: the segment data keys of an object are wrapped by a key derived from the customer's key
 * (HKDF-SHA256 with the object's random salt), never by a master key, so the gateway cannot read
 * the object without the customer. The gateway stores only the salt and a salted HMAC of the key,
 * to tell a wrong key (403) from a corrupt one. The key itself lives only in the request.
 */

/** The key id SSE-C segments record: their wrapping key comes from the request, not the key file. */
export const CUSTOMER_KEY_ID = 'sse-c';
const SALT_BYTES = 16;

export type CustomerEncryption = Extract<ObjectEncryption, { mode: 'sse-c' }>;

function derive(customerKey: Uint8Array, salt: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', customerKey, salt, `shardgate sse-c ${purpose} v1`, 32));
}

function keyHmac(customerKey: Uint8Array, salt: Buffer): string {
  return createHmac('sha256', salt).update(customerKey).digest('base64');
}

/** A new SSE-C object's record: a fresh salt and the salted HMAC of `customerKey`. */
export function newCustomerEncryption(customerKey: Uint8Array): CustomerEncryption {
  const salt = randomBytes(SALT_BYTES);
  return { mode: 'sse-c', keySalt: salt.toString('base64'), keyHmac: keyHmac(customerKey, salt) };
}

/** Whether `customerKey` is the key the object was written with (constant-time compare). */
export function isCustomerKeyOf(encryption: CustomerEncryption, customerKey: Uint8Array): boolean {
  const expected = Buffer.from(encryption.keyHmac, 'base64');
  const actual = Buffer.from(keyHmac(customerKey, Buffer.from(encryption.keySalt, 'base64')), 'base64');
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/**
 * The ETag S3 clients see for an SSE-C object or part: not the MD5 of the plaintext (which would
 * let anyone holding metadata test guesses), but the first 16 bytes of an HMAC of it under a key
 * derived from the customer's. Stable for the same bytes, key and object.
 */
export function customerEtag(encryption: CustomerEncryption, customerKey: Uint8Array, plaintextMd5Etag: string): string {
  const mac = createHmac('sha256', derive(customerKey, Buffer.from(encryption.keySalt, 'base64'), 'etag')).update(plaintextMd5Etag).digest();
  return `"${mac.subarray(0, 16).toString('hex')}"`;
}

/** Seals and opens the segment keys of one SSE-C object (the caller has checked the key: isCustomerKeyOf). */
export class CustomerKeys implements SegmentKeySealer, SegmentKeyOpener {
  readonly #wrappingKey: Buffer;

  constructor(encryption: CustomerEncryption, customerKey: Uint8Array) {
    this.#wrappingKey = derive(customerKey, Buffer.from(encryption.keySalt, 'base64'), 'wrap');
  }

  seal(segmentId: string): { cipherKey: SegmentCipherKey; encryption: SegmentEncryption } {
    const cipherKey = newSegmentCipherKey();
    const wrappedKey = wrapDataKey(this.#wrappingKey, { keyId: CUSTOMER_KEY_ID, segmentId }, cipherKey.key);
    return { cipherKey, encryption: { keyId: CUSTOMER_KEY_ID, wrappedKey, iv: cipherKey.iv } };
  }

  open(segmentId: string, encryption: SegmentEncryption): SegmentCipherKey {
    return { key: unwrapDataKey(this.#wrappingKey, { keyId: encryption.keyId, segmentId }, encryption.wrappedKey), iv: Buffer.from(encryption.iv) };
  }
}

/** base64 MD5 of a customer key, as the `…-key-MD5` headers carry it. */
export function customerKeyMd5(customerKey: Uint8Array): string {
  return createHash('md5').update(customerKey).digest('base64');
}
