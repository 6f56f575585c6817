/**
 * Requests in flight, by start time, so the janitor never deletes a shard that a response still
 * streaming may read: a read loads its segments' placements when it starts, so garbage enqueued
 * after the oldest request in flight started must wait for it. Every request holds a lease from
 * its start until its response is closed (finished, failed or hung up); in one gateway process.
 * (Several gateways on PostgreSQL will need the leases in the store; stated in the README.)
 */
export class ReadLeases {
  /** Lease id → start time (ms). A Map iterates in insertion order, so the first entry is the oldest. */
  readonly #active = new Map<number, number>();
  #nextId = 0;

  constructor(private readonly now: () => Date) {}

  /** Takes a lease; call the returned function once the response is closed (a second call is harmless). */
  acquire(): () => void {
    const id = this.#nextId++;
    this.#active.set(id, this.now().getTime());
    return () => { this.#active.delete(id); };
  }

  /** Start time of the oldest request still in flight, or null. */
  oldestStartedAt(): number | null {
    for (const startedAt of this.#active.values()) return startedAt;
    return null;
  }

  get size(): number {
    return this.#active.size;
  }
}
