/**
 * The benchmark object's bytes as a pure function of (seed, offset), so any range can be
 * recomputed to check a response without keeping the object anywhere. Each aligned 4-byte word is
 * a 32-bit hash of its word index and the seed (murmur3's finaliser), written in the platform's
 * byte order: the same machine generates and checks, so the order only has to be consistent.
 */
import { Readable } from 'node:stream';

function mix32(value: number): number {
  value ^= value >>> 16;
  value = Math.imul(value, 0x85ebca6b);
  value ^= value >>> 13;
  value = Math.imul(value, 0xc2b2ae35);
  return (value ^ (value >>> 16)) >>> 0;
}

/** The object bytes `[offset, offset + length)`. */
export function objectBytes(seed: number, offset: number, length: number): Buffer {
  const firstWord = Math.floor(offset / 4);
  const words = new Uint32Array(Math.ceil((offset + length) / 4) - firstWord);
  const seedMix = mix32(seed ^ 0x9e3779b9);
  // Word indexes pass 2^32 only beyond 16 GiB: the high part is folded into the seed, per run of
  // words that share it, so the hot loop stays on 32-bit integers.
  for (let i = 0; i < words.length;) {
    const high = Math.floor((firstWord + i) / 2 ** 32);
    const runSeed = (seedMix ^ Math.imul(high, 0x27d4eb2f)) >>> 0;
    const runEnd = Math.min(words.length, high * 2 ** 32 + 2 ** 32 - firstWord);
    let low = (firstWord + i) >>> 0;
    for (; i < runEnd; i++, low = (low + 1) >>> 0) words[i] = mix32(low ^ runSeed);
  }
  const bytes = Buffer.from(words.buffer, words.byteOffset, words.byteLength);
  return bytes.subarray(offset - firstWord * 4, offset - firstWord * 4 + length);
}

/** The whole object as a stream of `pieceSize` buffers; memory O(pieceSize). */
export function objectStream(seed: number, size: number, pieceSize = 1024 * 1024): Readable {
  return Readable.from((function* generate() {
    for (let offset = 0; offset < size; offset += pieceSize) yield objectBytes(seed, offset, Math.min(pieceSize, size - offset));
  })(), { objectMode: false });
}

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
