import test from 'ava';
import { ReedSolomonCodec, compileReedSolomonWasm } from './codec.ts';
import type { ErasureProfile } from './profile.ts';
import { SimdParity, gfMultiply } from './simd-parity.ts';
import { mulberry32 } from '../testing/seeded-random.ts';

const wasmModule = compileReedSolomonWasm();
const simd = ReedSolomonCodec.load(wasmModule);
const crate = ReedSolomonCodec.load(wasmModule, { simdParity: false });

function randomColumns(random: () => number, count: number, length: number): Uint8Array[] {
  return Array.from({ length: count }, () => {
    const column = new Uint8Array(length);
    for (let i = 0; i < length; i++) column[i] = (random() * 256) & 0xff;
    return column;
  });
}

const same = (a: readonly Uint8Array[], b: readonly Uint8Array[]) =>
  a.length === b.length && a.every((column, i) => Buffer.from(column).equals(Buffer.from(b[i]!)));

test('this runtime compiles the SIMD kernel, and encode uses it unless told not to', (t) => {
  t.not(SimdParity.load(), null);
  t.is(simd.encoder, 'simd');
  t.is(crate.encoder, 'crate');
});

test('SIMD parity is byte-identical to the crate\'s, for many profiles and lengths (padding and memory growth included)', (t) => {
  const profiles: [number, number][] = [[1, 1], [2, 1], [4, 2], [3, 5], [10, 4], [17, 3], [29, 7]];
  const random = mulberry32(42);
  for (const [k, m] of profiles) {
    const profile: ErasureProfile = { dataShards: k, parityShards: m, chunkSize: 64 };
    for (const length of [1, 15, 16, 17, 333, 4096, 65_536 + 5]) {
      const data = randomColumns(random, k, length);
      t.true(same(simd.encode(profile, data), crate.encode(profile, data)), `${k}+${m}, length ${length}`);
    }
  }
  const big = randomColumns(random, 4, 3 << 20); // grows the SIMD memory past what smaller calls used
  const profile = { dataShards: 4, parityShards: 2, chunkSize: 64 * 1024 };
  t.true(same(simd.encode(profile, big), crate.encode(profile, big)));
  const small = randomColumns(random, 4, 64 * 1024); // and a smaller batch after it reads no stale bytes
  t.true(same(simd.encode(profile, small), crate.encode(profile, small)));
});

test('a runtime that refuses the kernel gets null, and a codec without it still encodes the same bytes', (t) => {
  const notSimd = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x0a, 0x01]); // truncated: fails to compile
  t.is(SimdParity.load(notSimd), null);
  const profile = { dataShards: 4, parityShards: 2, chunkSize: 64 };
  const data = randomColumns(mulberry32(3), 4, 640);
  t.true(same(crate.encode(profile, data), simd.encode(profile, data)));
});

test('GF(2^8) multiplication is the 0x11D field: generator 2 has order 255, products commute and distribute', (t) => {
  let x = 1;
  for (let i = 1; i <= 255; i++) {
    x = gfMultiply(x, 2);
    if (x === 1) t.is(i, 255);
  }
  t.is(x, 1);
  t.is(gfMultiply(0x80, 2), 0x1d);
  const random = mulberry32(9);
  for (let i = 0; i < 500; i++) {
    const [a, b, c] = [0, 0, 0].map(() => (random() * 256) & 0xff) as [number, number, number];
    t.is(gfMultiply(a, b), gfMultiply(b, a));
    t.is(gfMultiply(a, b ^ c), gfMultiply(a, b) ^ gfMultiply(a, c));
  }
});
