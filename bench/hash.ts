/**
 * BLAKE3 chunk-hash throughput: `npx tsx bench/hash.ts [chunkSize=65536] [totalMiB=64] [rounds=5]`.
 *
 * Measures `hashChunks` (one-shot hash per chunk, with the backend this process chose),
 * `HashListBuilder` fed in 16 KiB pieces (as a socket would deliver), each backend's one-shot hash
 * per chunk side by side (native `@napi-rs/blake-hash` and `blake3-wasm`), wasm's per-chunk
 * `createHash()`, and one hash over the whole buffer. Prints the median MB/s of each
 * (1 MB = 10^6 bytes) as one JSON object. `SHARDGATE_BLAKE3=wasm` makes the first two use wasm.
 */
import { createHash } from 'blake3-wasm';
import { blake3, blake3BackendName, loadNativeBlake3, wasmBlake3, type Blake3Backend } from '../src/integrity/blake3.ts';
import { CHUNK_HASH_LENGTH, HashListBuilder, hashChunks } from '../src/integrity/hash-list.ts';

const chunkSize = Number(process.argv[2] ?? 64 * 1024);
const totalBytes = Math.floor((Number(process.argv[3] ?? 64) * 2 ** 20) / chunkSize) * chunkSize;
const rounds = Number(process.argv[4] ?? 5);

const data = new Uint8Array(totalBytes);
for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;

function createHashPerChunk(bytes: Uint8Array): Uint8Array {
  const list = new Uint8Array((bytes.length / chunkSize) * CHUNK_HASH_LENGTH);
  for (let offset = 0, index = 0; offset < bytes.length; offset += chunkSize, index++) {
    const hasher = createHash();
    hasher.update(bytes.subarray(offset, offset + chunkSize));
    list.set(hasher.digest(), index * CHUNK_HASH_LENGTH);
  }
  return list;
}

function builderIn16KiBPieces(bytes: Uint8Array): Uint8Array {
  const builder = new HashListBuilder(chunkSize);
  for (let offset = 0; offset < bytes.length; offset += 16 * 1024) builder.push(bytes.subarray(offset, offset + 16 * 1024));
  return builder.finish();
}

function perChunkWith(backend: Blake3Backend): (bytes: Uint8Array) => Uint8Array {
  return (bytes) => {
    const list = new Uint8Array((bytes.length / chunkSize) * CHUNK_HASH_LENGTH);
    for (let offset = 0, index = 0; offset < bytes.length; offset += chunkSize, index++) {
      list.set(backend.hash(bytes.subarray(offset, offset + chunkSize)), index * CHUNK_HASH_LENGTH);
    }
    return list;
  };
}

const native = loadNativeBlake3();
const variants: Record<string, (bytes: Uint8Array) => Uint8Array> = {
  hashChunks: (bytes) => hashChunks(bytes, chunkSize),
  hashListBuilder16KiBPieces: builderIn16KiBPieces,
  ...(native ? { nativePerChunk: perChunkWith(native) } : {}),
  wasmPerChunk: perChunkWith(wasmBlake3),
  wasmCreateHashPerChunk: createHashPerChunk,
  wholeBufferOneHash: blake3,
};

const reference = Buffer.from(hashChunks(data, chunkSize)).toString('hex');
const megabytesPerSecond: Record<string, number> = {};
for (const [name, run] of Object.entries(variants)) {
  run(data); // warm up
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const list = run(data);
    samples.push(totalBytes / 1e6 / ((performance.now() - started) / 1000));
    if (name !== 'wholeBufferOneHash' && Buffer.from(list).toString('hex') !== reference) {
      throw new Error(`${name} produced a different hash list`);
    }
  }
  samples.sort((a, b) => a - b);
  megabytesPerSecond[name] = Math.round(samples[Math.floor(samples.length / 2)] ?? 0);
}

console.log(
  JSON.stringify({ bench: 'hash', node: process.version, backend: blake3BackendName, chunkSize, totalBytes, rounds, medianMBps: megabytesPerSecond }),
);
