import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Envelope encryption of segment data keys: AES-256-GCM under a key-encryption key (a master key,
 * or a key derived from an SSE-C customer key), with the segment id and the wrapping key's id as
 * additional authenticated data, so a wrapped key copied onto another segment, or presented as
 * wrapped by another key, fails to unwrap. Layout: nonce (12) ‖ ciphertext (32) ‖ tag (16).
 */

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const DATA_KEY_BYTES = 32;
export const WRAPPED_KEY_BYTES = NONCE_BYTES + DATA_KEY_BYTES + TAG_BYTES;
const AAD_LABEL = 'shardgate segment data key v1';

export class KeyUnwrapError extends Error {
  readonly code = 'KEY_UNWRAP_FAILED';
  override name = 'KeyUnwrapError';
  constructor(readonly segmentId: string, readonly keyId: string) {
    super(`the data key of segment ${segmentId} does not unwrap under key ${keyId} (corrupt or wrong key)`);
  }
}

export interface WrapBinding {
  /** The id of the key-encryption key. */
  readonly keyId: string;
  readonly segmentId: string;
}

function aad(binding: WrapBinding): Buffer {
  return Buffer.from(`${AAD_LABEL}\0${binding.keyId}\0${binding.segmentId}`, 'utf8');
}

export function wrapDataKey(wrappingKey: Uint8Array, binding: WrapBinding, dataKey: Uint8Array): Buffer {
  if (dataKey.length !== DATA_KEY_BYTES) throw new RangeError(`a data key is ${DATA_KEY_BYTES} bytes, got ${dataKey.length}`);
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', wrappingKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(binding));
  const body = Buffer.concat([cipher.update(dataKey), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** The data key, or KeyUnwrapError when `wrapped` was altered, bound to something else, or wrapped by another key. */
export function unwrapDataKey(wrappingKey: Uint8Array, binding: WrapBinding, wrapped: Uint8Array): Buffer {
  if (wrapped.length !== WRAPPED_KEY_BYTES) throw new KeyUnwrapError(binding.segmentId, binding.keyId);
  try {
    const decipher = createDecipheriv('aes-256-gcm', wrappingKey, wrapped.subarray(0, NONCE_BYTES), { authTagLength: TAG_BYTES });
    decipher.setAAD(aad(binding));
    decipher.setAuthTag(wrapped.subarray(NONCE_BYTES + DATA_KEY_BYTES));
    return Buffer.concat([decipher.update(wrapped.subarray(NONCE_BYTES, NONCE_BYTES + DATA_KEY_BYTES)), decipher.final()]);
  } catch {
    throw new KeyUnwrapError(binding.segmentId, binding.keyId);
  }
}
