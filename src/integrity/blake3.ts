/**
 * BLAKE3-256, native when it loads, wasm otherwise.
 *
 * - `native`: `@napi-rs/blake-hash` (the Rust `blake3` crate behind N-API; the prebuilt
 *   linux-x64 binary ships inside its npm package, so `npm ci` downloads nothing else). ~3.4 GB/s
 *   per core on 64 KiB chunks here (`npx tsx bench/hash.ts`).
 * - `wasm`: `blake3-wasm@2.1.5`, the tested fallback for platforms without a prebuilt binary
 *   (~0.5–0.7 GB/s). Its Node entry is CommonJS; Node's ESM loader exposes the named exports.
 *
 * Both give the same digests (the official vectors run against each in blake3.test.ts). The
 * backend is chosen once, when this module loads: `SHARDGATE_BLAKE3=wasm` forces the fallback
 * (for comparison and for tests); anything else tries native first. A hash function is the one
 * place where a process-wide choice is right: every caller must hash the same way, and the choice
 * changes speed, never results.
 */
import { createRequire } from 'node:module';
import { createHash as createWasmHash, hash as wasmHash } from 'blake3-wasm';

export const BLAKE3_LENGTH = 32;

/** An incremental hasher: `update` any number of times, then `digest` once. */
export interface Blake3State {
  update(data: Uint8Array): void;
  /** Also releases the state. */
  digest(): Uint8Array;
  /** Releases a state that will never be digested. */
  dispose(): void;
}

export interface Blake3Backend {
  readonly name: 'native' | 'wasm';
  hash(data: Uint8Array): Uint8Array;
  createState(): Blake3State;
}

export const wasmBlake3: Blake3Backend = {
  name: 'wasm',
  // Typed `Buffer | string` by the package; without an encoding option it is always a Buffer.
  hash: (data) => wasmHash(data) as Buffer,
  createState() {
    const state = createWasmHash();
    return { update: (data) => { state.update(data); }, digest: () => state.digest(), dispose: () => state.dispose() };
  },
};

interface NativeModule {
  blake3(input: Uint8Array): Buffer;
  Blake3Hasher: new () => { update(input: Uint8Array): unknown; digestBuffer(): Buffer };
}

/** The native backend, or null when its binary does not load on this platform. */
export function loadNativeBlake3(load: () => NativeModule = () => createRequire(import.meta.url)('@napi-rs/blake-hash') as NativeModule): Blake3Backend | null {
  let native: NativeModule;
  try {
    native = load();
    if (typeof native.blake3 !== 'function' || typeof native.Blake3Hasher !== 'function') return null;
  } catch {
    return null;
  }
  return {
    name: 'native',
    hash: (data) => native.blake3(data),
    createState() {
      const hasher = new native.Blake3Hasher();
      return { update: (data) => { hasher.update(data); }, digest: () => hasher.digestBuffer(), dispose: () => {} };
    },
  };
}

/** The backend for this process: native unless `preference` is `wasm` or native does not load. */
export function chooseBlake3Backend(preference: string | undefined, native: () => Blake3Backend | null = loadNativeBlake3): Blake3Backend {
  if (preference === 'wasm') return wasmBlake3;
  return native() ?? wasmBlake3;
}

const backend = chooseBlake3Backend(process.env.SHARDGATE_BLAKE3);

/** Which implementation hashes in this process (`native` or `wasm`), for logs and benches. */
export const blake3BackendName = backend.name;

/** The 32-byte BLAKE3 hash of `data`. Hash chunks (≤ a few MiB); use `Blake3Hasher` for streams. */
export function blake3(data: Uint8Array): Uint8Array {
  return backend.hash(data);
}

/**
 * Incremental BLAKE3 for inputs that arrive in pieces (the result equals `blake3` of the
 * concatenation). Call `dispose()` if you abandon a hasher before digesting: the wasm backend's
 * state lives in wasm memory.
 */
export class Blake3Hasher {
  #state: Blake3State | undefined;

  constructor(from: Blake3Backend = backend) {
    this.#state = from.createState();
  }

  update(data: Uint8Array): this {
    if (this.#state === undefined) throw new Error('Blake3Hasher used after digest() or dispose()');
    this.#state.update(data);
    return this;
  }

  digest(): Uint8Array {
    if (this.#state === undefined) throw new Error('Blake3Hasher used after digest() or dispose()');
    const result = this.#state.digest();
    this.#state = undefined;
    return result;
  }

  dispose(): void {
    this.#state?.dispose();
    this.#state = undefined;
  }
}
