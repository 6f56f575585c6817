import { ByteBoundedLru } from '../../src/cache/byte-bounded-lru.ts';

/**
 * Verified shard hash lists by shard id, least recently used evicted first, bounded by total
 * bytes. Shard ids are never reused (a new segment gets a new random id), so an entry can never
 * go stale.
 */
export class HashListCache extends ByteBoundedLru<string, Uint8Array> {
  constructor(maxBytes: number) {
    super(maxBytes, (list) => list.length);
  }
}
