import { randomBytes } from 'node:crypto';
import type { SegmentEncryption } from '../meta/types.ts';
import { CTR_IV_BYTES, CTR_KEY_BYTES } from './ctr-cipher.ts';
import { unwrapDataKey, wrapDataKey } from './key-wrap.ts';
import type { MasterKey } from './master-key-file.ts';

/** A segment's AES-256-CTR key and initial counter block. */
export interface SegmentCipherKey {
  readonly key: Buffer;
  readonly iv: Buffer;
}

/** What the write path needs: a fresh key for a new segment, and its record for the metadata. */
export interface SegmentKeySealer {
  seal(segmentId: string): { readonly cipherKey: SegmentCipherKey; readonly encryption: SegmentEncryption };
}

/** What the read path needs: the key of a stored segment. */
export interface SegmentKeyOpener {
  open(segmentId: string, encryption: SegmentEncryption): SegmentCipherKey;
}

export class UnknownKeyError extends Error {
  readonly code = 'UNKNOWN_KEY';
  override name = 'UnknownKeyError';
  constructor(readonly segmentId: string, readonly keyId: string) {
    super(`segment ${segmentId} is wrapped by key ${keyId}, which this gateway does not have`);
  }
}

/** A fresh random data key and IV for one segment (never reused: each segment has its own key). */
export function newSegmentCipherKey(): SegmentCipherKey {
  return { key: randomBytes(CTR_KEY_BYTES), iv: randomBytes(CTR_IV_BYTES) };
}

/**
 * SSE-S3: data keys wrapped by the master keys of the key file. New segments use the newest key;
 * any key of the ring opens what it wrapped.
 */
export class MasterKeyRing implements SegmentKeySealer, SegmentKeyOpener {
  readonly #keys: ReadonlyMap<string, Buffer>;
  readonly current: { readonly id: string };
  readonly #currentKey: Buffer;

  constructor(keys: readonly MasterKey[]) {
    if (keys.length === 0) throw new RangeError('a master key ring needs at least one key');
    this.#keys = new Map(keys.map((entry) => [entry.id, entry.key]));
    const newest = keys[keys.length - 1]!;
    this.current = { id: newest.id };
    this.#currentKey = newest.key;
  }

  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  seal(segmentId: string): { cipherKey: SegmentCipherKey; encryption: SegmentEncryption } {
    const cipherKey = newSegmentCipherKey();
    const wrappedKey = wrapDataKey(this.#currentKey, { keyId: this.current.id, segmentId }, cipherKey.key);
    return { cipherKey, encryption: { keyId: this.current.id, wrappedKey, iv: cipherKey.iv } };
  }

  open(segmentId: string, encryption: SegmentEncryption): SegmentCipherKey {
    const wrappingKey = this.#keys.get(encryption.keyId);
    if (!wrappingKey) throw new UnknownKeyError(segmentId, encryption.keyId);
    return { key: unwrapDataKey(wrappingKey, { keyId: encryption.keyId, segmentId }, encryption.wrappedKey), iv: Buffer.from(encryption.iv) };
  }

  /** The same data key wrapped by the current key (rotation); the segment's bytes do not change. */
  rewrap(segmentId: string, encryption: SegmentEncryption): SegmentEncryption {
    const { key } = this.open(segmentId, encryption);
    return { keyId: this.current.id, wrappedKey: wrapDataKey(this.#currentKey, { keyId: this.current.id, segmentId }, key), iv: encryption.iv };
  }
}
