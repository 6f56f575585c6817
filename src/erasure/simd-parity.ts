/**
 * Parity of the Reed-Solomon code in WebAssembly SIMD: the encode half of `ReedSolomonCodec`,
 * ~5× faster than the crate's scalar wasm here (`npx tsx bench/codec.ts`), for the same bytes.
 *
 * The matrix is not re-derived: it is read out of the crate once per (k, m) by encoding unit
 * columns (column j = 1 at byte j, 0 elsewhere, so parity p's byte j is the coefficient c[p][j]).
 * The parity is then `P_p = XOR_j c[p][j] · D_j` in GF(2^8) with the crate's field (polynomial
 * x^8 + x^4 + x^3 + x^2 + 1, 0x11D). Each product uses the split-table method: `c · x` =
 * `lo[x & 15] ^ hi[x >> 4]` with two 16-entry tables per coefficient, 16 bytes at a time with
 * `i8x16.swizzle`. codec.test.ts checks every output against the crate's own wrapper.
 *
 * The kernel is one hand-assembled function, `mulxor(src, dst, length, tables)`:
 * `dst[i] ^= lo[src[i] & 15] ^ hi[src[i] >> 4]` for i in [0, length), length a multiple of 16,
 * tables = 16 lo bytes then 16 hi bytes. Runtimes without wasm SIMD fail to compile it:
 * `loadSimdParity` then answers null and the codec keeps the crate's encode.
 */
import { ErasureCodecError } from './errors.ts';

/** `(func (param src dst length tables i32)) (import "env" "memory")`, exported as `mulxor`. */
const KERNEL = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x00, // type: (i32 i32 i32 i32) -> ()
  0x02, 0x0f, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x01, // import env.memory, min 1 page
  0x03, 0x02, 0x01, 0x00, // one function of type 0
  0x07, 0x0a, 0x01, 0x06, 0x6d, 0x75, 0x6c, 0x78, 0x6f, 0x72, 0x00, 0x00, // export "mulxor"
  0x0a, 0x69, 0x01, 0x67, // code: one body of 103 bytes
  0x02, 0x01, 0x7f, 0x04, 0x7b, // locals: 4 = i (i32); 5 lo, 6 hi, 7 mask, 8 v (v128)
  0x20, 0x03, 0xfd, 0x00, 0x00, 0x00, 0x21, 0x05, // lo = v128.load(tables)
  0x20, 0x03, 0xfd, 0x00, 0x00, 0x10, 0x21, 0x06, // hi = v128.load(tables + 16)
  0x41, 0x0f, 0xfd, 0x0f, 0x21, 0x07, // mask = i8x16.splat(15)
  0x02, 0x40, 0x03, 0x40, // block, loop
  0x20, 0x04, 0x20, 0x02, 0x4f, 0x0d, 0x01, // if i >= length: break
  0x20, 0x01, 0x20, 0x04, 0x6a, // address dst + i (for the store)
  0x20, 0x01, 0x20, 0x04, 0x6a, 0xfd, 0x00, 0x00, 0x00, // v128.load(dst + i)
  0x20, 0x00, 0x20, 0x04, 0x6a, 0xfd, 0x00, 0x00, 0x00, 0x21, 0x08, // v = v128.load(src + i)
  0x20, 0x05, 0x20, 0x08, 0x20, 0x07, 0xfd, 0x4e, 0xfd, 0x0e, // swizzle(lo, v & mask)
  0x20, 0x06, 0x20, 0x08, 0x41, 0x04, 0xfd, 0x6d, 0xfd, 0x0e, // swizzle(hi, v >>> 4)
  0xfd, 0x51, 0xfd, 0x51, // xor, xor
  0xfd, 0x0b, 0x00, 0x00, // v128.store
  0x20, 0x04, 0x41, 0x10, 0x6a, 0x21, 0x04, // i += 16
  0x0c, 0x00, 0x0b, 0x0b, // continue; end loop, end block
  0x0b, // end function
]);

const PAGE_BYTES = 65536;
const TABLE_BYTES = 32;
const VECTOR_BYTES = 16;
/** Largest memory the parity buffers may take: keeps every pointer a positive i32. */
const MAX_MEMORY_BYTES = 1 << 30;

/** a · b in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1 (the crate's field). */
export function gfMultiply(a: number, b: number): number {
  let product = 0;
  for (let x = a, y = b; y > 0; y >>= 1) {
    if (y & 1) product ^= x;
    x = x & 0x80 ? ((x << 1) ^ 0x11d) & 0xff : x << 1;
  }
  return product;
}

/** The m×k coefficients, row p = parity p: what `encode` of unit columns gives (see the top). */
export type ParityMatrix = readonly (readonly number[])[];

export class SimdParity {
  readonly #memory: WebAssembly.Memory;
  readonly #mulxor: (src: number, dst: number, length: number, tables: number) => void;
  /** Split tables per (k, m), in memory from byte 0 on, keyed `k+m`: offset of row 0, column 0. */
  readonly #tables = new Map<string, number>();
  #tablesEnd = 0;

  private constructor(module: WebAssembly.Module) {
    this.#memory = new WebAssembly.Memory({ initial: 1 });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.#memory } });
    this.#mulxor = instance.exports.mulxor as (src: number, dst: number, length: number, tables: number) => void;
  }

  /** Compiles the kernel; null when this runtime has no wasm SIMD (or refuses the module). */
  static load(kernel: Uint8Array<ArrayBuffer> = KERNEL): SimdParity | null {
    try {
      return new SimdParity(new WebAssembly.Module(kernel));
    } catch {
      return null;
    }
  }

  /** Bytes of wasm memory this encoder holds. */
  get memoryBytes(): number {
    return this.#memory.buffer.byteLength;
  }

  /** True once the tables of this (k, m) are in memory (`encode` needs them: `addMatrix`). */
  hasMatrix(dataShards: number, parityShards: number): boolean {
    return this.#tables.has(`${dataShards}+${parityShards}`);
  }

  /** Stores the split tables of `matrix` (m rows of k coefficients). */
  addMatrix(dataShards: number, parityShards: number, matrix: ParityMatrix): void {
    const key = `${dataShards}+${parityShards}`;
    if (this.#tables.has(key)) return;
    const offset = this.#tablesEnd;
    const bytes = dataShards * parityShards * TABLE_BYTES;
    this.#grow(offset + bytes);
    const heap = new Uint8Array(this.#memory.buffer);
    for (let p = 0; p < parityShards; p++) {
      for (let j = 0; j < dataShards; j++) {
        const coefficient = matrix[p]![j]!;
        const at = offset + (p * dataShards + j) * TABLE_BYTES;
        for (let x = 0; x < 16; x++) {
          heap[at + x] = gfMultiply(coefficient, x);
          heap[at + 16 + x] = gfMultiply(coefficient, x << 4);
        }
      }
    }
    this.#tables.set(key, offset);
    this.#tablesEnd = offset + bytes;
  }

  /**
   * The m parity columns of k data columns of one length L (any L > 0), as new arrays.
   * Precondition: `addMatrix` for this (k, m), and the columns checked by the caller.
   */
  encode(dataShards: number, parityShards: number, dataColumns: readonly Uint8Array[]): Uint8Array[] {
    const tables = this.#tables.get(`${dataShards}+${parityShards}`);
    if (tables === undefined) throw new ErasureCodecError(`no parity matrix for ${dataShards}+${parityShards}`);
    const length = dataColumns[0]!.length;
    const stride = Math.ceil(length / VECTOR_BYTES) * VECTOR_BYTES;
    const base = Math.ceil(this.#tablesEnd / VECTOR_BYTES) * VECTOR_BYTES;
    this.#grow(base + (dataShards + parityShards) * stride);
    const heap = new Uint8Array(this.#memory.buffer);
    for (let j = 0; j < dataShards; j++) {
      const at = base + j * stride;
      heap.set(dataColumns[j]!, at);
      heap.fill(0, at + length, at + stride); // the padding of the last vector multiplies to 0
    }
    const parityBase = base + dataShards * stride;
    heap.fill(0, parityBase, parityBase + parityShards * stride);
    for (let p = 0; p < parityShards; p++) {
      for (let j = 0; j < dataShards; j++) {
        this.#mulxor(base + j * stride, parityBase + p * stride, stride, tables + (p * dataShards + j) * TABLE_BYTES);
      }
    }
    return Array.from({ length: parityShards }, (_, p) => heap.slice(parityBase + p * stride, parityBase + p * stride + length));
  }

  #grow(byteLength: number): void {
    if (byteLength > MAX_MEMORY_BYTES) throw new ErasureCodecError(`a batch needing ${byteLength} bytes exceeds the ${MAX_MEMORY_BYTES}-byte limit of the parity encoder`);
    const missing = byteLength - this.#memory.buffer.byteLength;
    if (missing > 0) this.#memory.grow(Math.ceil(missing / PAGE_BYTES));
  }
}
