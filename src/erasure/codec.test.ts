import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ReedSolomonErasure } from '@subspace/reed-solomon-erasure.wasm';
import test from 'ava';
import { ReedSolomonCodec, compileReedSolomonWasm } from './codec.ts';
import { ErasureCodecError, NotEnoughShardsError } from './errors.ts';
import { InvalidProfileError, type ErasureProfile } from './profile.ts';
import { mulberry32 } from '../testing/seeded-random.ts';

const PROFILES: ErasureProfile[] = [
  { dataShards: 2, parityShards: 1, chunkSize: 64 },
  { dataShards: 4, parityShards: 2, chunkSize: 64 },
  { dataShards: 6, parityShards: 3, chunkSize: 64 },
  { dataShards: 10, parityShards: 4, chunkSize: 64 },
];
const P42 = PROFILES[1]!;

const wasmModule = compileReedSolomonWasm();
const codec = ReedSolomonCodec.load(wasmModule);
const reference = ReedSolomonErasure.fromBytes(
  readFileSync(createRequire(import.meta.url).resolve('@subspace/reed-solomon-erasure.wasm/dist/reed_solomon_erasure_bg.wasm')),
);

function randomColumns(random: () => number, count: number, length: number): Uint8Array[] {
  return Array.from({ length: count }, () => {
    const words = new Uint32Array(Math.ceil(length / 4));
    for (let i = 0; i < words.length; i++) words[i] = random() * 2 ** 32;
    return new Uint8Array(words.buffer, 0, length);
  });
}

const bytes = (view: Uint8Array) => Buffer.from(view.buffer, view.byteOffset, view.byteLength);

/** Byte equality of two column lists (t.deepEqual walks typed arrays element by element: far too slow for MiBs). */
function sameColumns(actual: readonly Uint8Array[], expected: readonly Uint8Array[]): boolean {
  return actual.length === expected.length && actual.every((column, i) => bytes(column).equals(expected[i]!));
}

/** Parity computed by the package's own JS wrapper, the reference our direct calls must match. */
function referenceParity(profile: ErasureProfile, dataColumns: Uint8Array[]): Uint8Array[] {
  const { dataShards, parityShards } = profile;
  const length = dataColumns[0]!.length;
  const shards = new Uint8Array((dataShards + parityShards) * length);
  dataColumns.forEach((column, j) => shards.set(column, j * length));
  if (reference.encode(shards, dataShards, parityShards) !== ReedSolomonErasure.RESULT_OK) throw new Error('reference encode failed');
  return Array.from({ length: parityShards }, (_, p) => shards.slice((dataShards + p) * length, (dataShards + p + 1) * length));
}

/** Every way to choose `size` of `0..n-1`, ascending. */
function* subsets(n: number, size: number, from = 0): Generator<number[]> {
  if (size === 0) return yield [];
  for (let first = from; first <= n - size; first++) {
    for (const rest of subsets(n, size - 1, first + 1)) yield [first, ...rest];
  }
}

for (const profile of PROFILES) {
  const { dataShards: k, parityShards: m } = profile;

  test(`${k}+${m}: parity equals the library's own wrapper, for several column lengths`, (t) => {
    const random = mulberry32(k * 100 + m);
    for (const length of [1, 7, 64, 1000, 4096]) {
      const data = randomColumns(random, k, length);
      t.true(sameColumns(codec.encode(profile, data), referenceParity(profile, data)), `column length ${length}`);
    }
  });

  test(`${k}+${m}: any k of the n columns reconstruct the data and the lost parity`, (t) => {
    const random = mulberry32(k * 1000 + m);
    const data = randomColumns(random, k, 96);
    const all = [...data, ...codec.encode(profile, data)];
    let cases = 0;
    for (const kept of subsets(k + m, k)) {
      const columns = all.map((column, i) => (kept.includes(i) ? column : null));
      const label = `kept ${kept.join(',')}`;
      t.true(sameColumns(codec.reconstruct(profile, columns), data), label);
      t.true(sameColumns(codec.reconstructAll(profile, columns), all), label);
      cases++;
    }
    t.is(cases, binomial(k + m, k));
  });

  test(`${k}+${m}: the code is linear, parity(a xor b) = parity(a) xor parity(b)`, (t) => {
    const random = mulberry32(k + m);
    const a = randomColumns(random, k, 200);
    const b = randomColumns(random, k, 200);
    const xor = (x: Uint8Array[], y: Uint8Array[]) => x.map((column, j) => column.map((byte, i) => byte ^ y[j]![i]!));
    t.true(sameColumns(codec.encode(profile, xor(a, b)), xor(codec.encode(profile, a), codec.encode(profile, b))));
  });
}

test('encoding a batch of stripes equals encoding each stripe alone (column-wise coding)', (t) => {
  const { dataShards: k, chunkSize: c } = P42;
  const random = mulberry32(7);
  const stripes = 5;
  const data = randomColumns(random, k, stripes * c);
  const whole = codec.encode(P42, data);
  for (let s = 0; s < stripes; s++) {
    const batch = codec.encode(P42, data.map((column) => column.subarray(s * c, (s + 1) * c)));
    t.true(sameColumns(batch, whole.map((column) => column.subarray(s * c, (s + 1) * c))), `stripe ${s}`);
  }
});

test('the workspace grows across calls and stays correct while wasm memory grows', (t) => {
  const own = ReedSolomonCodec.load(wasmModule, { simdParity: false });
  const random = mulberry32(11);
  let previous = 0;
  for (const length of [64, 1 << 20, 3 << 20, 100, (3 << 20) + 1]) {
    const data = randomColumns(random, 4, length);
    t.true(sameColumns(own.encode(P42, data), referenceParity(P42, data)), `column length ${length}`);
    t.true(own.workspaceBytes >= 6 * length && own.workspaceBytes >= previous);
    previous = own.workspaceBytes;
  }
  const data = randomColumns(random, 4, 2 << 20);
  const columns = [null, data[1]!, null, data[3]!, ...codec.encode(P42, data)];
  t.true(sameColumns(own.reconstruct(P42, columns), data));
});

test('reconstruct returns present data columns as given and leaves inputs untouched', (t) => {
  const data = randomColumns(mulberry32(3), 4, 128);
  const parity = codec.encode(P42, data);
  const columns = [data[0]!, null, data[2]!, data[3]!, parity[0]!, parity[1]!];
  const copies = columns.map((column) => column?.slice() ?? null);
  const result = codec.reconstruct(P42, columns);
  t.is(result[0], data[0]);
  t.deepEqual(result[1], data[1]);
  t.deepEqual(columns, copies);
  t.is(codec.reconstruct(P42, [...data, null, null])[2], data[2]);
});

test('fewer than k columns: NotEnoughShardsError naming the lost shards', (t) => {
  const data = randomColumns(mulberry32(5), 4, 64);
  const [p0, p1] = codec.encode(P42, data);
  const columns = [data[0]!, null, null, data[3]!, p0!, null];
  for (const decode of [() => codec.reconstruct(P42, columns), () => codec.reconstructAll(P42, columns)]) {
    const error = t.throws(decode, { instanceOf: NotEnoughShardsError });
    t.is(error?.code, 'NOT_ENOUGH_SHARDS');
    t.is(error?.needed, 4);
    t.is(error?.available, 3);
    t.deepEqual(error?.failures, [1, 2, 5].map((shardIndex) => ({ shardIndex, reason: 'missing' })));
  }
  t.truthy(p1);
});

test('empty columns encode and decode to empty columns without calling into wasm', (t) => {
  const empty = () => new Uint8Array(0);
  t.deepEqual(codec.encode(P42, [empty(), empty(), empty(), empty()]), [empty(), empty()]);
  t.deepEqual(codec.reconstruct(P42, [null, empty(), null, empty(), empty(), empty()]), [empty(), empty(), empty(), empty()]);
});

test('malformed input: ErasureCodecError or InvalidProfileError, never a wasm trap', (t) => {
  const column = (length: number) => new Uint8Array(length);
  const codecError = { instanceOf: ErasureCodecError, code: 'ERASURE_CODEC' } as const;
  t.throws(() => codec.encode(P42, [column(8), column(8), column(8)]), codecError);
  t.throws(() => codec.encode(P42, [column(8), column(8), column(8), column(9)]), codecError);
  t.throws(() => codec.reconstruct(P42, [column(8), column(8), column(8), column(8), column(8)]), codecError);
  t.throws(() => codec.reconstruct(P42, [null, column(8), column(8), column(8), column(7), null]), codecError);
  t.throws(() => codec.encode({ dataShards: 200, parityShards: 57, chunkSize: 64 }, []), { instanceOf: InvalidProfileError });
  // The codec is still healthy afterwards.
  const data = randomColumns(mulberry32(9), 4, 16);
  t.true(sameColumns(codec.encode(P42, data), referenceParity(P42, data)));
});

test('wasm ABI: encode and reconstruct keep the shards buffer, reconstruct frees the flags buffer', (t) => {
  // The codec relies on exactly this ownership (see codec.ts); a library upgrade that changes it must fail here.
  const wasm = new WebAssembly.Instance(wasmModule, {}).exports as unknown as {
    memory: WebAssembly.Memory;
    encode(ptr: number, len: number, k: number, m: number): number;
    reconstruct(ptr: number, len: number, k: number, m: number, flagsPtr: number, flagsLen: number): number;
    __wbindgen_malloc(size: number): number;
  };
  const shardsLength = 3 * 96;
  const shardsPtr = wasm.__wbindgen_malloc(shardsLength);
  t.is(wasm.encode(shardsPtr, shardsLength, 2, 1), 0);
  t.not(wasm.__wbindgen_malloc(shardsLength), shardsPtr, 'encode must not free the shards buffer');
  for (const [flags, result] of [[[0, 1, 1], 0], [[0, 0, 1], 10]] as const) {
    const flagsPtr = wasm.__wbindgen_malloc(3);
    new Uint8Array(wasm.memory.buffer).set(flags, flagsPtr);
    t.is(wasm.reconstruct(shardsPtr, shardsLength, 2, 1, flagsPtr, 3), result);
    t.is(wasm.__wbindgen_malloc(3), flagsPtr, `reconstruct frees the flags buffer (result ${result})`);
  }
  t.not(wasm.__wbindgen_malloc(shardsLength), shardsPtr, 'reconstruct must not free the shards buffer');
});

test('many reconstructs in a row do not corrupt or grow the wasm heap', (t) => {
  const own = ReedSolomonCodec.load(wasmModule);
  const data = randomColumns(mulberry32(13), 4, 64);
  const parity = codec.encode(P42, data);
  for (let round = 0; round < 2000; round++) {
    const columns = [null, data[1]!, data[2]!, null, parity[0]!, parity[1]!];
    if (!sameColumns(own.reconstructAll(P42, columns), [...data, ...parity])) return t.fail(`round ${round}`);
  }
  t.is(own.workspaceBytes, 6 * 64);
});

test('a wasm build without the expected exports is refused at load', (t) => {
  const emptyModule = new WebAssembly.Module(Uint8Array.of(0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00));
  t.throws(() => ReedSolomonCodec.load(emptyModule), { instanceOf: ErasureCodecError });
});

function binomial(n: number, r: number): number {
  let result = 1;
  for (let i = 1; i <= r; i++) result = (result * (n - r + i)) / i;
  return result;
}
