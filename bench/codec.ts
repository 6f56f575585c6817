/**
 * Reed-Solomon encode throughput: `npx tsx bench/codec.ts [totalMiB=32] [rounds=15]`.
 *
 * For the 4+2 profile and batches of 1 MiB and 4 MiB of data (k columns of batch/k bytes),
 * encodes `totalMiB` of data per round with:
 * - `codec`: `ReedSolomonCodec.encode` as the gateway runs it: the SIMD parity encoder
 *   (simd-parity.ts; columns copied in once, parity copied out once into fresh arrays);
 * - `codecCrate`: the same with `simdParity: false`, the crate's encode (resident wasm workspace);
 * - `wrapper`: the package's own `ReedSolomonErasure.encode`, fed as a caller with columns must:
 *   columns copied into one reused contiguous buffer, which the wrapper copies into freshly
 *   malloc'd wasm memory and back (parity left in that buffer, not copied out: in its favour);
 * - `wasmCeiling`: the raw `encode` export on a resident buffer with the data already in place,
 *   no copies at all: the cost of the Reed-Solomon arithmetic alone.
 * Prints the best and median MB/s of data encoded per CPU second (1 MB = 10^6 bytes) as one JSON
 * object.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ReedSolomonErasure } from '@subspace/reed-solomon-erasure.wasm';
import { ReedSolomonCodec, compileReedSolomonWasm } from '../src/erasure/codec.ts';
import { DEFAULT_PROFILE } from '../src/erasure/profile.ts';

const totalBytes = Number(process.argv[2] ?? 32) * 2 ** 20;
const rounds = Number(process.argv[3] ?? 15);
const profile = DEFAULT_PROFILE;
const { dataShards: k, parityShards: m } = profile;
const n = k + m;

const wasmModule = compileReedSolomonWasm();
const codec = ReedSolomonCodec.load(wasmModule);
const codecCrate = ReedSolomonCodec.load(wasmModule, { simdParity: false });
const wrapper = ReedSolomonErasure.fromBytes(
  readFileSync(createRequire(import.meta.url).resolve('@subspace/reed-solomon-erasure.wasm/dist/reed_solomon_erasure_bg.wasm')),
);
const raw = new WebAssembly.Instance(wasmModule, {}).exports as unknown as {
  memory: WebAssembly.Memory;
  encode(ptr: number, len: number, k: number, m: number): number;
  __wbindgen_malloc(size: number): number;
};

function median(samples: readonly number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)]!);
}

/** CPU seconds this process has used (all its threads, so GC work caused by a variant counts). */
function cpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * Times each variant over totalBytes of data per round, by CPU time: this runs on shared 2-core
 * machines where wall time mostly measures the neighbours. Rounds interleave the variants so
 * what disturbance remains hits all of them alike. `best` is the least disturbed round, the
 * figure to compare; `median` shows the spread.
 */
function measure(batchBytes: number, variants: Record<string, () => void>): Record<string, { best: number; median: number }> {
  const batches = Math.max(1, Math.round(totalBytes / batchBytes));
  const samples: Record<string, number[]> = {};
  for (const [name, encodeBatch] of Object.entries(variants)) {
    for (let i = 0; i < 3; i++) encodeBatch(); // warm up
    samples[name] = [];
  }
  for (let round = 0; round < rounds; round++) {
    for (const [name, encodeBatch] of Object.entries(variants)) {
      const started = cpuSeconds();
      for (let i = 0; i < batches; i++) encodeBatch();
      samples[name]!.push((batches * batchBytes) / 1e6 / (cpuSeconds() - started));
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([name, mbps]) => [name, { best: Math.round(Math.max(...mbps)), median: median(mbps) }]),
  );
}

const results: Record<string, Record<string, { best: number; median: number }>> = {};
for (const batchBytes of [1 << 20, 4 << 20]) {
  const columnLength = batchBytes / k;
  const columns = Array.from({ length: k }, (_, j) => {
    const column = new Uint8Array(columnLength);
    for (let i = 0; i < columnLength; i++) column[i] = ((i + j * 7919) * 2654435761) >>> 24;
    return column;
  });

  const shards = new Uint8Array(n * columnLength);
  const wrapperEncode = () => {
    columns.forEach((column, j) => shards.set(column, j * columnLength));
    if (wrapper.encode(shards, k, m) !== ReedSolomonErasure.RESULT_OK) throw new Error('wrapper encode failed');
  };
  wrapperEncode();
  const parity = codec.encode(profile, columns);
  parity.forEach((column, p) => {
    if (!Buffer.from(column).equals(shards.subarray((k + p) * columnLength, (k + p + 1) * columnLength))) {
      throw new Error(`codec and wrapper disagree on parity ${p}`);
    }
  });

  const rawPtr = raw.__wbindgen_malloc(n * columnLength);
  const rawHeap = new Uint8Array(raw.memory.buffer);
  columns.forEach((column, j) => rawHeap.set(column, rawPtr + j * columnLength));
  const rawEncode = () => {
    if (raw.encode(rawPtr, n * columnLength, k, m) !== 0) throw new Error('raw encode failed');
  };

  results[`${batchBytes >> 20}MiB`] = measure(batchBytes, {
    codec: () => codec.encode(profile, columns),
    codecCrate: () => codecCrate.encode(profile, columns),
    wrapper: wrapperEncode,
    wasmCeiling: rawEncode,
  });
}

console.log(JSON.stringify({ bench: 'codec', node: process.version, profile, totalBytes, rounds, MBps: results }));
