import { ByteBoundedLru } from '../../src/cache/byte-bounded-lru.ts';

/**
 * What one cached list costs beyond its own bytes: its key string, the Uint8Array and its
 * separately allocated ArrayBuffer, the LRU's map entry. Measured with 200,000 32-byte lists
 * (the list of a one-chunk shard): 284 bytes each on the V8 heap and in ArrayBuffers, 373 of RSS
 * (README "Decisions"). Counting the list's length alone let a 64 MiB cache of such lists hold
 * ~570 MiB.
 */
export const HASH_LIST_ENTRY_OVERHEAD_BYTES = 320;

/**
 * Verified shard hash lists by shard id, least recently used evicted first, bounded by total
 * bytes (each list's length plus HASH_LIST_ENTRY_OVERHEAD_BYTES). Shard ids are never reused (a
 * new segment gets a new random id), so an entry can never go stale.
 */
export class HashListCache extends ByteBoundedLru<string, Uint8Array> {
  constructor(maxBytes: number) {
    super(maxBytes, (list) => list.length + HASH_LIST_ENTRY_OVERHEAD_BYTES);
  }
}
