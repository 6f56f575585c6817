/**
 * Verified shard hash lists, least recently used evicted first, bounded by total bytes. Shard ids
 * are never reused (a new segment gets a new random id), so an entry can never go stale.
 */
export class HashListCache {
  readonly #entries = new Map<string, Uint8Array>();
  #bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(shardId: string): Uint8Array | undefined {
    const list = this.#entries.get(shardId);
    if (list) {
      this.#entries.delete(shardId);
      this.#entries.set(shardId, list);
    }
    return list;
  }

  set(shardId: string, list: Uint8Array): void {
    if (list.length > this.maxBytes) return;
    const previous = this.#entries.get(shardId);
    if (previous) {
      this.#bytes -= previous.length;
      this.#entries.delete(shardId);
    }
    this.#entries.set(shardId, list);
    this.#bytes += list.length;
    for (const [oldestId, oldest] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldestId);
      this.#bytes -= oldest.length;
    }
  }
}
