/**
 * Hash lists: the BLAKE3-256 hash of every chunk of a shard file, concatenated (chunk i's hash at
 * bytes [32·i, 32·i + 32)). Nodes keep the list beside the shard; metadata keeps only its root,
 * `hashListRoot(list)` = BLAKE3 of the list bytes. The gateway checks a fetched list against the
 * root once, then each fetched chunk against its entry.
 */
import { blake3 } from './blake3.ts';
import { MalformedHashListError, PartialChunkError } from './errors.ts';

export const CHUNK_HASH_LENGTH = 32;

function assertChunkSize(chunkSize: number): void {
  if (!Number.isSafeInteger(chunkSize) || chunkSize <= 0) {
    throw new RangeError(`chunkSize must be a positive integer, got ${chunkSize}`);
  }
}

function assertHashList(list: Uint8Array): void {
  if (list.length % CHUNK_HASH_LENGTH !== 0) throw new MalformedHashListError(list.length);
}

/**
 * The hash list of `data`, which must be a whole number of chunks (an empty `data` gives an empty
 * list). Throws `PartialChunkError` otherwise.
 */
export function hashChunks(data: Uint8Array, chunkSize: number): Uint8Array {
  assertChunkSize(chunkSize);
  const tailLength = data.length % chunkSize;
  if (tailLength !== 0) throw new PartialChunkError(chunkSize, tailLength);
  const chunkCount = data.length / chunkSize;
  const list = new Uint8Array(chunkCount * CHUNK_HASH_LENGTH);
  for (let chunkIndex = 0; chunkIndex < chunkCount; chunkIndex++) {
    const offset = chunkIndex * chunkSize;
    list.set(blake3(data.subarray(offset, offset + chunkSize)), chunkIndex * CHUNK_HASH_LENGTH);
  }
  return list;
}

/** The root stored in metadata: BLAKE3 of the whole list. */
export function hashListRoot(list: Uint8Array): Uint8Array {
  assertHashList(list);
  return blake3(list);
}

/** Number of chunks a (well-formed) hash list covers. */
export function hashListChunkCount(list: Uint8Array): number {
  assertHashList(list);
  return list.length / CHUNK_HASH_LENGTH;
}

/** The 32-byte entry of chunk `chunkIndex` (a view into `list`). RangeError past the end. */
export function chunkHash(list: Uint8Array, chunkIndex: number): Uint8Array {
  const chunkCount = hashListChunkCount(list);
  if (!Number.isSafeInteger(chunkIndex) || chunkIndex < 0 || chunkIndex >= chunkCount) {
    throw new RangeError(`chunk ${chunkIndex} is outside a hash list of ${chunkCount} chunks`);
  }
  const offset = chunkIndex * CHUNK_HASH_LENGTH;
  return list.subarray(offset, offset + CHUNK_HASH_LENGTH);
}

/**
 * True when `chunk` hashes to entry `chunkIndex` of `list`. The hashes are public, so a plain
 * (not constant-time) compare is fine. RangeError when `chunkIndex` is past the end of the list.
 */
export function verifyChunk(list: Uint8Array, chunkIndex: number, chunk: Uint8Array): boolean {
  const expected = chunkHash(list, chunkIndex);
  const actual = blake3(chunk);
  for (let i = 0; i < CHUNK_HASH_LENGTH; i++) {
    if (actual[i] !== expected[i]) return false;
  }
  return true;
}

/**
 * Builds a hash list from bytes that arrive in pieces of any size (a streamed shard upload).
 * Whole chunks inside a piece are hashed in place; only a chunk split across pieces is copied.
 */
export class HashListBuilder {
  readonly chunkSize: number;
  #list = new Uint8Array(16 * CHUNK_HASH_LENGTH);
  #chunkCount = 0;
  #tail: Uint8Array;
  #tailLength = 0;
  #byteLength = 0;
  #finished = false;

  constructor(chunkSize: number) {
    assertChunkSize(chunkSize);
    this.chunkSize = chunkSize;
    this.#tail = new Uint8Array(chunkSize);
  }

  /** Bytes pushed so far. */
  get byteLength(): number {
    return this.#byteLength;
  }

  /** Whole chunks hashed so far. */
  get chunkCount(): number {
    return this.#chunkCount;
  }

  push(bytes: Uint8Array): void {
    if (this.#finished) throw new Error('HashListBuilder.push after finish()');
    this.#byteLength += bytes.length;
    let offset = 0;
    if (this.#tailLength > 0) {
      const take = Math.min(this.chunkSize - this.#tailLength, bytes.length);
      this.#tail.set(bytes.subarray(0, take), this.#tailLength);
      this.#tailLength += take;
      offset = take;
      if (this.#tailLength < this.chunkSize) return;
      this.#append(blake3(this.#tail));
      this.#tailLength = 0;
    }
    while (bytes.length - offset >= this.chunkSize) {
      this.#append(blake3(bytes.subarray(offset, offset + this.chunkSize)));
      offset += this.chunkSize;
    }
    if (offset < bytes.length) {
      this.#tail.set(bytes.subarray(offset), 0);
      this.#tailLength = bytes.length - offset;
    }
  }

  /** The finished list. Throws `PartialChunkError` if the bytes pushed end mid-chunk. */
  finish(): Uint8Array {
    if (this.#tailLength !== 0) throw new PartialChunkError(this.chunkSize, this.#tailLength);
    this.#finished = true;
    return this.#list.slice(0, this.#chunkCount * CHUNK_HASH_LENGTH);
  }

  #append(hash: Uint8Array): void {
    const offset = this.#chunkCount * CHUNK_HASH_LENGTH;
    if (offset + CHUNK_HASH_LENGTH > this.#list.length) {
      const grown = new Uint8Array(this.#list.length * 2);
      grown.set(this.#list);
      this.#list = grown;
    }
    this.#list.set(hash, offset);
    this.#chunkCount++;
  }
}
