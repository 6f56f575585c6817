import type { Logger } from '../src/log/logger.ts';
import type { MetaStore } from '../src/meta/store.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { NodeRegistry } from './nodes/registry.ts';
import type { ShardClient } from './nodes/shard-client.ts';
import type { ReadLeases } from './repair/read-leases.ts';

const BATCH = 200;
/**
 * Garbage is deleted only when it is older than this AND older than the start of every request
 * still in flight (ReadLeases): a read that loaded a version's placements before the version was
 * replaced, deleted or repaired finishes reading its shards however long it streams.
 */
const MIN_GRACE_MS = 5_000;
/** A request in flight longer than this (a client stalled for hours) no longer holds garbage back. */
export const MAX_READ_LEASE_MS = 6 * 3_600_000;

/**
 * Deletes shards nothing references any more: replaced or deleted objects' shards, and the shards
 * of writes that failed or whose gateway crashed — any gateway's: a write whose writer has not
 * renewed it for `--write-lease` (WriteLeaseRenewer) is abandoned by whichever janitor sees it
 * first; the store hands each such write to one of them (row locks / one writer). A shard whose
 * node is offline stays queued until the node is back.
 */
export class Janitor {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  #again = false;
  readonly #abort = new AbortController();

  constructor(
    private readonly deps: {
      store: MetaStore; registry: NodeRegistry; client: ShardClient; logger: Logger; metrics: GatewayMetrics; now: () => Date;
      readLeases: ReadLeases;
      /** --write-lease: a pending write idle this long belongs to a crashed gateway. */
      writeLeaseMs: number;
      /** A node forgotten by the operator: its garbage is dropped, there is nothing left to delete. */
      isGone: (nodeId: string) => boolean;
    },
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.#timer = setInterval(() => this.kick(), this.intervalMs);
    this.#timer.unref();
    this.kick();
  }

  /** Runs a pass soon (coalesced with one already running). */
  kick(): void {
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#pass()
      .catch((error: Error) => this.deps.logger.error('janitor_failed', { error: error.message }))
      .finally(() => {
        this.#running = null;
        if (this.#again && !this.#abort.signal.aborted) {
          this.#again = false;
          this.kick();
        }
      });
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#abort.abort();
    await this.#running;
  }

  /** Garbage enqueued strictly before this may be deleted. */
  #cutoff(): Date {
    const now = this.deps.now().getTime();
    const oldestRead = this.deps.readLeases.oldestStartedAt();
    let cutoff = now - MIN_GRACE_MS;
    if (oldestRead !== null) cutoff = Math.min(cutoff, Math.max(oldestRead, now - MAX_READ_LEASE_MS));
    return new Date(cutoff);
  }

  async #pass(): Promise<void> {
    const { store, registry, client, metrics } = this.deps;
    const abandoned = await store.abandonPendingShardsBefore(new Date(this.deps.now().getTime() - this.deps.writeLeaseMs));
    if (abandoned > 0) this.deps.logger.info('abandoned_writes_collected', { shards: abandoned, writeLeaseMs: this.deps.writeLeaseMs });
    const garbage = await store.listGarbage(BATCH, this.#cutoff());
    const done: number[] = [];
    await Promise.all(garbage.map(async (item) => {
      const node = registry.get(item.nodeId);
      if (!node || this.deps.isGone(item.nodeId)) {
        done.push(item.id); // the node is gone for good: nothing left to delete
        return;
      }
      if (!registry.isOnline(item.nodeId)) return;
      try {
        await client.delete(node, item.shardId, this.#abort.signal);
        done.push(item.id);
      } catch {
        // stays queued; the next pass retries
      }
    }));
    if (done.length > 0) {
      await store.removeGarbage(done);
      metrics.garbageShardsDeleted += done.length;
      if (done.length === BATCH) this.#again = true;
    }
  }
}
