import test from 'ava';
import { blake3 } from './blake3.ts';
import { MalformedHashListError, PartialChunkError } from './errors.ts';
import {
  CHUNK_HASH_LENGTH,
  HashListBuilder,
  chunkHash,
  hashChunks,
  hashListChunkCount,
  hashListRoot,
  verifyChunk,
} from './hash-list.ts';
import { mulberry32 } from '../testing/seeded-random.ts';

function randomBytes(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

/** The list built the obvious way: concatenated BLAKE3 of each chunk. */
function referenceList(data: Uint8Array, chunkSize: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < data.length; offset += chunkSize) {
    parts.push(blake3(data.slice(offset, offset + chunkSize)));
  }
  return Buffer.concat(parts);
}

test('CHUNK_HASH_LENGTH is 32', (t) => {
  t.is(CHUNK_HASH_LENGTH, 32);
});

test('hashChunks is the concatenated BLAKE3 of each chunk', (t) => {
  const random = mulberry32(1);
  for (const chunkSize of [1, 64, 100, 1024, 65_536]) {
    for (const chunkCount of [0, 1, 2, 7]) {
      const data = randomBytes(random, chunkSize * chunkCount);
      const list = hashChunks(data, chunkSize);
      t.is(list.length, chunkCount * CHUNK_HASH_LENGTH);
      t.is(hex(list), hex(referenceList(data, chunkSize)), `chunkSize ${chunkSize} × ${chunkCount}`);
    }
  }
});

test('hashChunks refuses a partial last chunk with PartialChunkError', (t) => {
  const error = t.throws(() => hashChunks(new Uint8Array(130), 64), { instanceOf: PartialChunkError });
  t.is(error?.code, 'PARTIAL_CHUNK');
  t.is(error?.chunkSize, 64);
  t.is(error?.tailLength, 2);
});

test('hashChunks refuses a non-positive or fractional chunkSize', (t) => {
  for (const chunkSize of [0, -64, 1.5, Number.NaN]) {
    t.throws(() => hashChunks(new Uint8Array(0), chunkSize), { instanceOf: RangeError });
  }
});

test('hashListRoot is BLAKE3 of the list bytes; the empty list has the empty-input hash', (t) => {
  const data = randomBytes(mulberry32(2), 64 * 5);
  const list = hashChunks(data, 64);
  t.is(hex(hashListRoot(list)), hex(blake3(list)));
  t.is(hex(hashListRoot(new Uint8Array(0))), 'af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
});

test('a list that is not a whole number of hashes is MalformedHashListError', (t) => {
  const list = new Uint8Array(CHUNK_HASH_LENGTH * 2 + 1);
  for (const call of [() => hashListRoot(list), () => hashListChunkCount(list), () => chunkHash(list, 0)]) {
    const error = t.throws(call, { instanceOf: MalformedHashListError });
    t.is(error?.code, 'MALFORMED_HASH_LIST');
    t.is(error?.length, 65);
  }
});

test('chunkHash returns each entry; out of range is a RangeError', (t) => {
  const data = randomBytes(mulberry32(3), 32 * 4);
  const list = hashChunks(data, 32);
  t.is(hashListChunkCount(list), 4);
  for (let chunkIndex = 0; chunkIndex < 4; chunkIndex++) {
    t.is(hex(chunkHash(list, chunkIndex)), hex(blake3(data.subarray(chunkIndex * 32, chunkIndex * 32 + 32))));
  }
  for (const chunkIndex of [-1, 4, 1.5]) {
    t.throws(() => chunkHash(list, chunkIndex), { instanceOf: RangeError });
  }
});

test('verifyChunk accepts every true chunk and rejects any flipped byte, wrong index, or wrong length', (t) => {
  const chunkSize = 64;
  const data = randomBytes(mulberry32(4), chunkSize * 6);
  const list = hashChunks(data, chunkSize);
  const chunkAt = (chunkIndex: number) => data.slice(chunkIndex * chunkSize, (chunkIndex + 1) * chunkSize);
  for (let chunkIndex = 0; chunkIndex < 6; chunkIndex++) {
    const chunk = chunkAt(chunkIndex);
    t.true(verifyChunk(list, chunkIndex, chunk));
    t.false(verifyChunk(list, (chunkIndex + 1) % 6, chunk));
    t.false(verifyChunk(list, chunkIndex, chunk.subarray(0, chunkSize - 1)));
    for (let byteIndex = 0; byteIndex < chunkSize; byteIndex += 7) {
      const corrupt = chunk.slice();
      corrupt[byteIndex] = (corrupt[byteIndex] ?? 0) ^ 0x01;
      t.false(verifyChunk(list, chunkIndex, corrupt));
    }
  }
  t.throws(() => verifyChunk(list, 6, chunkAt(0)), { instanceOf: RangeError });
});

test('HashListBuilder equals hashChunks for every way of splitting the input (seeded sweep)', (t) => {
  const random = mulberry32(5);
  for (const chunkSize of [1, 3, 64, 256, 4096]) {
    for (let trial = 0; trial < 20; trial++) {
      const chunkCount = Math.floor(random() * 9);
      const data = randomBytes(random, chunkCount * chunkSize);
      const builder = new HashListBuilder(chunkSize);
      let offset = 0;
      while (offset < data.length) {
        // Pieces from empty to ~2.5 chunks, so splits land before, on and after chunk boundaries.
        const pieceLength = Math.floor(random() * chunkSize * 2.5);
        builder.push(data.subarray(offset, offset + pieceLength));
        offset += pieceLength;
      }
      t.is(builder.byteLength, data.length);
      t.is(builder.chunkCount, chunkCount);
      t.is(hex(builder.finish()), hex(hashChunks(data, chunkSize)), `chunkSize ${chunkSize} trial ${trial}`);
    }
  }
});

test('HashListBuilder split at every byte position of a 3-chunk input', (t) => {
  const chunkSize = 16;
  const data = randomBytes(mulberry32(6), chunkSize * 3);
  const expected = hex(hashChunks(data, chunkSize));
  for (let first = 0; first <= data.length; first++) {
    for (let second = first; second <= data.length; second += 5) {
      const builder = new HashListBuilder(chunkSize);
      builder.push(data.subarray(0, first));
      builder.push(data.subarray(first, second));
      builder.push(data.subarray(second));
      t.is(hex(builder.finish()), expected);
    }
  }
});

test('HashListBuilder grows past its initial capacity', (t) => {
  const data = randomBytes(mulberry32(7), 1000);
  const builder = new HashListBuilder(1);
  builder.push(data);
  t.is(hex(builder.finish()), hex(hashChunks(data, 1)));
});

test('HashListBuilder does not keep references to pushed buffers', (t) => {
  const chunkSize = 8;
  const data = randomBytes(mulberry32(8), chunkSize * 2);
  const expected = hex(hashChunks(data, chunkSize));
  const builder = new HashListBuilder(chunkSize);
  const piece = data.slice(0, 5);
  builder.push(piece);
  piece.fill(0); // a stream may reuse its buffer
  builder.push(data.subarray(5));
  t.is(hex(builder.finish()), expected);
});

test('HashListBuilder.finish with a partial chunk throws PartialChunkError; empty input gives an empty list', (t) => {
  const builder = new HashListBuilder(64);
  builder.push(new Uint8Array(64 + 10));
  const error = t.throws(() => builder.finish(), { instanceOf: PartialChunkError });
  t.is(error?.tailLength, 10);
  t.is(new HashListBuilder(64).finish().length, 0);
});

test('HashListBuilder refuses push after finish and a bad chunkSize', (t) => {
  const builder = new HashListBuilder(4);
  builder.finish();
  t.throws(() => builder.push(new Uint8Array(4)));
  t.throws(() => new HashListBuilder(0), { instanceOf: RangeError });
});
