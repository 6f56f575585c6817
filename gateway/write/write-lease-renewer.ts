import type { Logger } from '../../src/log/logger.ts';
import type { MetaStore } from '../../src/meta/store.ts';

/**
 * Keeps this gateway's writes in flight alive for the other gateways: every third of
 * `--write-lease` it renews, in one statement, every write this process has pending
 * (MetaStore.renewPendingWrites). A write whose gateway stops renewing — killed, or cut from the
 * database longer than the lease — is then judged crashed by the janitor of any gateway
 * (Janitor: abandonPendingShardsBefore(now − lease)); such a write's own commit fails later, so a
 * write is never both collected and committed. Two missed renewals are tolerated.
 */
export class WriteLeaseRenewer {
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;

  constructor(
    private readonly deps: { store: MetaStore; logger: Logger; now: () => Date },
    private readonly leaseMs: number,
  ) {}

  start(): void {
    this.#timer = setInterval(() => { this.#running ??= this.#renew().finally(() => { this.#running = null; }); }, Math.floor(this.leaseMs / 3));
    this.#timer.unref();
  }

  /** Stops renewing. Called after the drain: the writes that finished no longer need it. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  async #renew(): Promise<void> {
    try {
      await this.deps.store.renewPendingWrites(this.deps.now());
    } catch (error) {
      this.deps.logger.warn('write_lease_renewal_failed', { error: (error as Error).message, leaseMs: this.leaseMs });
    }
  }
}
