import { createCipheriv, type Cipher } from 'node:crypto';

/**
 * AES-256-CTR, seekable: the keystream block for byte `offset` of a segment is the encryption of
 * `iv + floor(offset / 16)` (the whole 16-byte IV read as one big-endian 128-bit counter, as
 * OpenSSL increments it), so any `[offset, length)` encrypts or decrypts without touching a byte
 * before it. Encryption and decryption are the same XOR.
 */

export const CTR_KEY_BYTES = 32;
export const CTR_IV_BYTES = 16;
const BLOCK_BYTES = 16;

export class CipherParameterError extends Error {
  readonly code = 'CIPHER_PARAMETER';
  override name = 'CipherParameterError';
}

/** The counter block of the AES block holding byte `offset`: `iv + floor(offset / 16)` mod 2^128. */
export function counterBlockAt(iv: Uint8Array, offset: number): Buffer {
  if (iv.length !== CTR_IV_BYTES) throw new CipherParameterError(`a CTR IV is ${CTR_IV_BYTES} bytes, got ${iv.length}`);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new CipherParameterError(`offset must be a non-negative integer, got ${offset}`);
  const block = Buffer.from(iv);
  let carry = BigInt(Math.floor(offset / BLOCK_BYTES));
  for (let index = CTR_IV_BYTES - 1; index >= 0 && carry > 0n; index -= 1) {
    const sum = BigInt(block[index]!) + (carry & 0xffn);
    block[index] = Number(sum & 0xffn);
    carry = (carry >> 8n) + (sum >> 8n);
  }
  return block;
}

/**
 * A keystream positioned at `offset` of a segment; `transform` XORs successive bytes (the caller
 * hands them in order from `offset` on). One native cipher serves a whole sequential read or write.
 */
export class CtrStream {
  readonly #cipher: Cipher;

  constructor(key: Uint8Array, iv: Uint8Array, offset: number) {
    if (key.length !== CTR_KEY_BYTES) throw new CipherParameterError(`an AES-256 key is ${CTR_KEY_BYTES} bytes, got ${key.length}`);
    this.#cipher = createCipheriv('aes-256-ctr', key, counterBlockAt(iv, offset));
    const intoBlock = offset % BLOCK_BYTES;
    if (intoBlock > 0) this.#cipher.update(Buffer.alloc(intoBlock));
  }

  /** The next `bytes.length` bytes XORed with the keystream (a new buffer). */
  transform(bytes: Uint8Array): Buffer {
    return this.#cipher.update(bytes);
  }
}

/** `bytes`, which sit at `offset` of the segment, XORed with the segment's keystream. */
export function ctrTransformAt(key: Uint8Array, iv: Uint8Array, offset: number, bytes: Uint8Array): Buffer {
  return new CtrStream(key, iv, offset).transform(bytes);
}
