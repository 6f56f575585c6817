/**
 * BLAKE3-256 over blake3-wasm@2.1.5.
 *
 * Import: the package's Node entry (`main: dist/index.js`) is CommonJS; Node's ESM loader exposes
 * its named exports (`hash`, `createHash`) through cjs-module-lexer, so a plain named import works
 * under both `node` and `tsx`. Its `module` field (esm/) is ignored by Node, which is fine.
 *
 * Speed (bench/hash.ts, 64 KiB chunks, one core): ~600–700 MB/s. The wasm compression function
 * dominates: one-shot `hash()` per chunk and `createHash()` per chunk are equal at 64 KiB, but
 * `createHash()` builds a Node `Transform` each time and is ~2× slower at 1 KiB, so one-shot
 * `hash()` is used for whole buffers and `createHash()` only for incremental hashing.
 */
import { createHash, hash } from 'blake3-wasm';

export const BLAKE3_LENGTH = 32;

/**
 * The 32-byte BLAKE3 hash of `data`. The input is copied into wasm memory, which grows to the
 * largest input ever hashed and never shrinks: hash chunks (≤ a few MiB), not whole objects; use
 * `Blake3Hasher` in pieces for large inputs.
 */
export function blake3(data: Uint8Array): Uint8Array {
  // Typed `Buffer | string` by the package; without an encoding option it is always a Buffer.
  return hash(data) as Buffer;
}

/**
 * Incremental BLAKE3 for inputs that arrive in pieces (the result equals `blake3` of the
 * concatenation). The wasm state is freed by `digest()`; call `dispose()` if you abandon a hasher
 * before digesting, otherwise its few hundred bytes of wasm memory are never reclaimed.
 */
export class Blake3Hasher {
  #state: ReturnType<typeof createHash> | undefined = createHash();

  update(data: Uint8Array): this {
    if (this.#state === undefined) throw new Error('Blake3Hasher used after digest() or dispose()');
    this.#state.update(data);
    return this;
  }

  digest(): Uint8Array {
    if (this.#state === undefined) throw new Error('Blake3Hasher used after digest() or dispose()');
    const result = this.#state.digest(); // also frees the wasm state
    this.#state = undefined;
    return result;
  }

  dispose(): void {
    this.#state?.dispose();
    this.#state = undefined;
  }
}
