/**
 * A map that forgets its least recently used entries once their total size passes `maxBytes`.
 * Sizes are what the caller says an entry costs (`sizeOf`); an entry larger than the whole budget
 * is not kept at all. `get` counts as a use. No I/O, no timers: callers decide what to cache.
 */
export class ByteBoundedLru<K, V> {
  readonly #entries = new Map<K, { readonly value: V; readonly bytes: number }>();
  #bytes = 0;

  constructor(readonly maxBytes: number, private readonly sizeOf: (value: V) => number) {}

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const bytes = this.sizeOf(value);
    if (bytes > this.maxBytes) return;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    for (const [oldestKey, oldest] of this.#entries) {
      if (this.#bytes <= this.maxBytes) break;
      this.#entries.delete(oldestKey);
      this.#bytes -= oldest.bytes;
    }
  }

  delete(key: K): boolean {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
    return true;
  }

  /** Entries held. */
  get size(): number {
    return this.#entries.size;
  }

  /** Total size of the entries held. */
  get bytes(): number {
    return this.#bytes;
  }
}
