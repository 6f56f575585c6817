/**
 * Integrity failures with stable codes. A shard file is a whole number of chunks, so bytes that
 * end mid-chunk are an error, never silently hashed as a short chunk.
 */

/** Data handed to `hashChunks` / `HashListBuilder.finish` does not end on a chunk boundary. */
export class PartialChunkError extends Error {
  override readonly name = 'PartialChunkError';
  readonly code = 'PARTIAL_CHUNK';
  constructor(
    readonly chunkSize: number,
    /** Bytes after the last whole chunk (1 … chunkSize-1). */
    readonly tailLength: number,
  ) {
    super(`data ends ${tailLength} bytes into a chunk of ${chunkSize} bytes`);
  }
}

/** A hash list whose length is not a whole number of 32-byte hashes. */
export class MalformedHashListError extends Error {
  override readonly name = 'MalformedHashListError';
  readonly code = 'MALFORMED_HASH_LIST';
  constructor(readonly length: number) {
    super(`hash list of ${length} bytes is not a whole number of 32-byte hashes`);
  }
}
