/**
 * Systematic Reed-Solomon over GF(2^8): `@subspace/reed-solomon-erasure.wasm` 0.2.5, the Rust
 * crate reed-solomon-erasure 3.1 compiled to wasm, driven through its raw exports.
 *
 * Why not the package's `ReedSolomonErasure` class: on every call it mallocs n·L bytes, copies
 * all n shards in, copies the result back out and frees, and it needs the shards contiguous in
 * JS first. Worse, its `reconstruct` frees the flags buffer that the wasm side has already freed
 * (see below): the double free corrupts wee_alloc's free list and the next call traps with
 * "memory access out of bounds". Here one workspace allocation lives as long as the codec and
 * only grows; each input column is copied in once and each output column copied out once.
 *
 * The ABI, read from the package's dist/index.js and src/lib.rs, confirmed by experiment (see
 * codec.test.ts "wasm ABI") and checked at load time by arity:
 * - `encode(shardsPtr, shardsLength, k, m) → result`: `shardsLength / (k+m)`-byte shards back to
 *   back; fills the m parity shards in place. The shards buffer stays the caller's.
 * - `reconstruct(shardsPtr, shardsLength, k, m, flagsPtr, flagsLength) → result`: one flag byte
 *   per shard, 1 = present; rebuilds the missing DATA shards in place (`reconstruct_data`) from
 *   the first k present shards, and never touches parity. The shards buffer stays the caller's;
 *   the flags buffer is TAKEN: the wasm side frees it on return (whatever the result), so it
 *   must be a fresh `__wbindgen_malloc(flagsLength)` each call, never freed by us.
 * - `__wbindgen_malloc(size) → ptr`, `__wbindgen_free(ptr, size)`, `memory`.
 * Both entry points run `ReedSolomon::new(k, m).unwrap()` (an invalid k, m traps: profiles are
 * validated first) and split the buffer with `chunks_exact_mut(L)` (L = 0 panics: empty columns
 * are answered without calling in). Both allocate internally, so memory may grow during a call:
 * views of `memory.buffer` are re-taken after every call.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ErasureCodecError, NotEnoughShardsError } from './errors.ts';
import { validateProfile } from './profile.ts';
import { SimdParity } from './simd-parity.ts';
import type { ErasureProfile } from './profile.ts';

const WASM_FILE = '@subspace/reed-solomon-erasure.wasm/dist/reed_solomon_erasure_bg.wasm';

/** Parameter counts of the exports we call; a different build of the library fails loudly. */
const EXPECTED_ARITY = { encode: 4, reconstruct: 6, __wbindgen_malloc: 1, __wbindgen_free: 2 } as const;

/** The library's result codes (`RESULT_*` in its index.js), by value. */
const RESULT_NAMES = [
  'OK', 'TOO_FEW_SHARDS', 'TOO_MANY_SHARDS', 'TOO_FEW_DATA_SHARDS', 'TOO_MANY_DATA_SHARDS',
  'TOO_FEW_PARITY_SHARDS', 'TOO_MANY_PARITY_SHARDS', 'TOO_FEW_BUFFER_SHARDS', 'TOO_MANY_BUFFER_SHARDS',
  'INCORRECT_SHARD_SIZE', 'TOO_FEW_SHARDS_PRESENT', 'EMPTY_SHARD', 'INVALID_SHARD_FLAGS', 'INVALID_INDEX',
] as const;

/** Largest workspace (n columns of one batch): keeps every pointer and length a positive i32. */
const MAX_WORKSPACE_BYTES = 1 << 30;

interface ReedSolomonWasm {
  readonly memory: WebAssembly.Memory;
  encode(shardsPtr: number, shardsLength: number, dataShards: number, parityShards: number): number;
  reconstruct(
    shardsPtr: number, shardsLength: number, dataShards: number, parityShards: number,
    flagsPtr: number, flagsLength: number,
  ): number;
  __wbindgen_malloc(size: number): number;
  __wbindgen_free(ptr: number, size: number): void;
}

/** Compiles the library's wasm. Compile once and pass it to several `ReedSolomonCodec.load` calls if you need several codecs. */
export function compileReedSolomonWasm(): WebAssembly.Module {
  const require = createRequire(import.meta.url);
  return new WebAssembly.Module(readFileSync(require.resolve(WASM_FILE)));
}

/**
 * Encoder/decoder of column batches: column i is the bytes of shard i for a run of stripes, all
 * columns of one call have one length L (any length; the layout makes it a multiple of the chunk
 * size). Every method is synchronous. A codec owns one wasm instance and its workspace, which it
 * keeps until the codec is dropped (wasm memory never shrinks).
 */
export class ReedSolomonCodec {
  readonly #wasm: ReedSolomonWasm;
  /** The SIMD parity encoder (simd-parity.ts), or null: `encode` then runs the crate's. */
  readonly #simd: SimdParity | null;
  #heap: Uint8Array;
  #workspacePtr = 0;
  #workspaceLength = 0;
  #fault: ErasureCodecError | null = null;

  private constructor(wasm: ReedSolomonWasm, simd: SimdParity | null) {
    this.#wasm = wasm;
    this.#simd = simd;
    this.#heap = new Uint8Array(wasm.memory.buffer);
  }

  /**
   * Instantiates the wasm (compiling it unless given). Throws ErasureCodecError on an unexpected ABI.
   * `simdParity: false` keeps `encode` on the crate (for comparison and tests); by default it uses
   * the SIMD encoder when this runtime compiles it. Both give the same bytes.
   */
  static load(wasmModule: WebAssembly.Module = compileReedSolomonWasm(), options: { simdParity?: boolean } = {}): ReedSolomonCodec {
    const simd = options.simdParity === false ? null : SimdParity.load();
    return new ReedSolomonCodec(checkAbi(new WebAssembly.Instance(wasmModule, {}).exports), simd);
  }

  /** Which implementation computes parity in `encode`: `simd` or `crate`. */
  get encoder(): 'simd' | 'crate' {
    return this.#simd ? 'simd' : 'crate';
  }

  /** Bytes of the crate's wasm memory currently reserved as the workspace (the SIMD encoder has its own memory). */
  get workspaceBytes(): number {
    return this.#workspaceLength;
  }

  /**
   * Computes the m parity columns of k data columns.
   * Precondition: exactly k columns of one equal length; throws ErasureCodecError if not.
   */
  encode(profile: ErasureProfile, dataColumns: readonly Uint8Array[]): Uint8Array[] {
    const { dataShards, parityShards } = validateProfile(profile);
    const columnLength = dataColumns[0]?.length ?? 0;
    if (dataColumns.length !== dataShards || dataColumns.some((column) => column.length !== columnLength)) {
      throw new ErasureCodecError(`encode needs ${dataShards} data columns of one equal length`);
    }
    if (columnLength === 0) return emptyColumns(parityShards);
    if (this.#simd) {
      if (!this.#simd.hasMatrix(dataShards, parityShards)) this.#simd.addMatrix(dataShards, parityShards, this.#parityMatrix(profile));
      return this.#simd.encode(dataShards, parityShards, dataColumns);
    }
    return this.#crateEncode(profile, dataColumns);
  }

  /** The crate's m×k parity coefficients: parity of unit columns (column j is 1 at byte j). */
  #parityMatrix(profile: ErasureProfile): number[][] {
    const { dataShards } = profile;
    const units = Array.from({ length: dataShards }, (_, j) => {
      const column = new Uint8Array(dataShards);
      column[j] = 1;
      return column;
    });
    return this.#crateEncode(profile, units).map((parity) => [...parity]);
  }

  #crateEncode(profile: ErasureProfile, dataColumns: readonly Uint8Array[]): Uint8Array[] {
    const { dataShards, parityShards } = profile;
    const columnLength = dataColumns[0]!.length;
    const shardsLength = (dataShards + parityShards) * columnLength;
    const shardsPtr = this.#reserve(shardsLength);
    const heap = this.#memory();
    dataColumns.forEach((column, shardIndex) => heap.set(column, shardsPtr + shardIndex * columnLength));
    this.#run('encode', () => this.#wasm.encode(shardsPtr, shardsLength, dataShards, parityShards));
    return Array.from({ length: parityShards }, (_, p) => this.#copyOut(shardsPtr, columnLength, dataShards + p));
  }

  /**
   * Recovers the k data columns from any k of the n columns (null = lost). Present data columns
   * are returned as given (not copied); only lost ones are decoded.
   * Throws NotEnoughShardsError when fewer than k columns are present, ErasureCodecError when
   * there are not n entries or the present columns differ in length.
   */
  reconstruct(profile: ErasureProfile, columns: readonly (Uint8Array | null)[]): Uint8Array[] {
    const { dataShards } = validateProfile(profile);
    const columnLength = checkShardColumns(profile, columns);
    const lostData = lostIndices(columns).filter((shardIndex) => shardIndex < dataShards);
    if (lostData.length === 0 || columnLength === 0) {
      return columns.slice(0, dataShards).map((column) => column ?? new Uint8Array(0));
    }
    const shardsPtr = this.#decodeData(profile, columns, columnLength);
    return columns
      .slice(0, dataShards)
      .map((column, shardIndex) => column ?? this.#copyOut(shardsPtr, columnLength, shardIndex));
  }

  /**
   * Like `reconstruct`, and also re-encodes lost parity: returns all n columns, for repair.
   * Present columns are returned as given; same errors as `reconstruct`.
   */
  reconstructAll(profile: ErasureProfile, columns: readonly (Uint8Array | null)[]): Uint8Array[] {
    const { dataShards, parityShards } = validateProfile(profile);
    const columnLength = checkShardColumns(profile, columns);
    const lost = lostIndices(columns);
    if (lost.length === 0 || columnLength === 0) return columns.map((column) => column ?? new Uint8Array(0));
    let shardsPtr: number;
    if (lost[0]! < dataShards) {
      shardsPtr = this.#decodeData(profile, columns, columnLength);
    } else {
      shardsPtr = this.#reserve((dataShards + parityShards) * columnLength);
      const heap = this.#memory();
      for (let shardIndex = 0; shardIndex < dataShards; shardIndex++) {
        heap.set(columns[shardIndex]!, shardsPtr + shardIndex * columnLength);
      }
    }
    if (lost.at(-1)! >= dataShards) {
      // All k data columns are in the workspace now: encoding rewrites every parity slot.
      const shardsLength = (dataShards + parityShards) * columnLength;
      this.#run('encode', () => this.#wasm.encode(shardsPtr, shardsLength, dataShards, parityShards));
    }
    return columns.map((column, shardIndex) => column ?? this.#copyOut(shardsPtr, columnLength, shardIndex));
  }

  /**
   * Copies the first k present columns into the workspace (the library decodes from exactly
   * those and ignores the rest, so copying more would be wasted), flags them present and
   * rebuilds the lost data columns in place. Returns the workspace pointer: data column j is at
   * `ptr + j·L`. When any data column is lost, every present data column is among the first k
   * present, so afterwards all k data columns are in the workspace.
   */
  #decodeData(profile: ErasureProfile, columns: readonly (Uint8Array | null)[], columnLength: number): number {
    const { dataShards, parityShards } = profile;
    const shardCount = dataShards + parityShards;
    const shardsLength = shardCount * columnLength;
    const shardsPtr = this.#reserve(shardsLength);
    // Handed over to `reconstruct`, which frees it: see the ABI notes at the top.
    const flagsPtr = this.#trapGuard('malloc', () => this.#wasm.__wbindgen_malloc(shardCount));
    const heap = this.#memory();
    heap.fill(0, flagsPtr, flagsPtr + shardCount);
    for (let shardIndex = 0, copied = 0; shardIndex < shardCount && copied < dataShards; shardIndex++) {
      const column = columns[shardIndex];
      if (!column) continue;
      heap.set(column, shardsPtr + shardIndex * columnLength);
      heap[flagsPtr + shardIndex] = 1;
      copied++;
    }
    this.#run('reconstruct', () =>
      this.#wasm.reconstruct(shardsPtr, shardsLength, dataShards, parityShards, flagsPtr, shardCount),
    );
    return shardsPtr;
  }

  #copyOut(shardsPtr: number, columnLength: number, shardIndex: number): Uint8Array {
    const start = shardsPtr + shardIndex * columnLength;
    return this.#memory().slice(start, start + columnLength);
  }

  /** The workspace pointer, grown to at least `byteLength` (geometrically, so a creeping batch size costs O(final size) of wasm memory in total). */
  #reserve(byteLength: number): number {
    if (byteLength > MAX_WORKSPACE_BYTES) {
      throw new ErasureCodecError(`a batch needing ${byteLength} bytes of wasm memory exceeds the ${MAX_WORKSPACE_BYTES}-byte limit`);
    }
    if (byteLength <= this.#workspaceLength) return this.#workspacePtr;
    const grown = Math.min(MAX_WORKSPACE_BYTES, Math.max(byteLength, 2 * this.#workspaceLength));
    const { __wbindgen_free: free, __wbindgen_malloc: malloc } = this.#wasm;
    if (this.#workspaceLength > 0) this.#trapGuard('free', () => free(this.#workspacePtr, this.#workspaceLength));
    this.#workspacePtr = 0;
    this.#workspaceLength = 0;
    this.#workspacePtr = this.#trapGuard('malloc', () => malloc(grown));
    this.#workspaceLength = grown;
    return this.#workspacePtr;
  }

  /** A view of all of wasm memory, re-taken when memory has grown (growing detaches the old buffer). */
  #memory(): Uint8Array {
    if (this.#heap.buffer !== this.#wasm.memory.buffer) this.#heap = new Uint8Array(this.#wasm.memory.buffer);
    return this.#heap;
  }

  /** Runs one coding entry point and turns a non-OK result into ErasureCodecError. */
  #run(operation: string, call: () => number): void {
    const result = this.#trapGuard(operation, call);
    if (result !== 0) {
      throw new ErasureCodecError(`reed-solomon wasm ${operation} returned ${RESULT_NAMES[result] ?? result}`);
    }
  }

  /** After a trap (a Rust panic, or malloc failing) the instance's state is unknown: refuse all further work. */
  #trapGuard<T>(operation: string, call: () => T): T {
    if (this.#fault) throw this.#fault;
    try {
      return call();
    } catch (error) {
      this.#fault = new ErasureCodecError(`reed-solomon wasm trapped in ${operation}; this codec is unusable`, { cause: error });
      throw this.#fault;
    }
  }
}

function checkAbi(exports: WebAssembly.Exports): ReedSolomonWasm {
  for (const [name, arity] of Object.entries(EXPECTED_ARITY)) {
    const exported = exports[name];
    if (typeof exported !== 'function' || exported.length !== arity) {
      throw new ErasureCodecError(`reed-solomon wasm export ${name} is not a function of ${arity} parameters: unsupported library build`);
    }
  }
  if (!(exports['memory'] instanceof WebAssembly.Memory)) {
    throw new ErasureCodecError('reed-solomon wasm exports no memory: unsupported library build');
  }
  return exports as unknown as ReedSolomonWasm;
}

/** Checks n entries, equal lengths of the present ones and at least k present; returns that length. */
function checkShardColumns(profile: ErasureProfile, columns: readonly (Uint8Array | null)[]): number {
  const { dataShards, parityShards } = profile;
  const present = columns.filter((column): column is Uint8Array => column !== null);
  const columnLength = present[0]?.length ?? 0;
  if (columns.length !== dataShards + parityShards || present.some((column) => column.length !== columnLength)) {
    throw new ErasureCodecError(`expected ${dataShards + parityShards} columns, the present ones of one equal length`);
  }
  if (present.length < dataShards) {
    const failures = lostIndices(columns).map((shardIndex) => ({ shardIndex, reason: 'missing' }));
    throw new NotEnoughShardsError({ needed: dataShards, available: present.length, failures });
  }
  return columnLength;
}

function lostIndices(columns: readonly (Uint8Array | null)[]): number[] {
  const lost: number[] = [];
  for (let shardIndex = 0; shardIndex < columns.length; shardIndex++) {
    if (columns[shardIndex] === null) lost.push(shardIndex);
  }
  return lost;
}

function emptyColumns(count: number): Uint8Array[] {
  return Array.from({ length: count }, () => new Uint8Array(0));
}
