/**
 * A token bucket over bytes: `take(n)` resolves when n bytes fit under `bytesPerSecond` (with one
 * second of burst). Shared by every repair worker, so repair as a whole stays under the rate and
 * client reads keep the nodes' bandwidth. 0 means no limit.
 */
export class ByteRateLimiter {
  #available: number;
  #updatedAt = performance.now();

  constructor(private readonly bytesPerSecond: number) {
    this.#available = bytesPerSecond;
  }

  async take(bytes: number, signal?: AbortSignal): Promise<void> {
    if (this.bytesPerSecond <= 0) return;
    for (;;) {
      signal?.throwIfAborted();
      const now = performance.now();
      this.#available = Math.min(this.bytesPerSecond, this.#available + ((now - this.#updatedAt) / 1000) * this.bytesPerSecond);
      this.#updatedAt = now;
      // A request larger than the burst goes through once the bucket is full (it then runs into debt).
      if (this.#available >= Math.min(bytes, this.bytesPerSecond)) {
        this.#available -= bytes;
        return;
      }
      const waitMs = ((Math.min(bytes, this.bytesPerSecond) - this.#available) / this.bytesPerSecond) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(1, Math.ceil(waitMs))));
    }
  }
}
