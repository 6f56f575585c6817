import type { Logger } from '../../src/log/logger.ts';
import { SERVICE_SLOT_MS, type NodeServiceCounts, type ServiceKind } from '../../src/meta/rewards-types.ts';
import type { MetaStore } from '../../src/meta/store.ts';

/** What one observation adds to a node's counters (absent fields add nothing). */
export type ServiceDelta = Partial<Pick<NodeServiceCounts, 'verifiedBytes' | 'failedBytes' | 'answered' | 'failed' | 'auditsPassed' | 'auditsFailed'>>;

/** What the read path is told: which kind of read it serves, and where to count it. */
export interface ServiceObserver {
  readonly kind: ServiceKind;
  readonly meter: Pick<NodeServiceMeter, 'record'>;
}

export interface NodeServiceMeterOptions {
  readonly store: Pick<MetaStore, 'addNodeService'>;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Pending counters are written at least this often. Default 10 s. */
  readonly flushIntervalMs?: number;
}

type MutableCounts = { -readonly [K in keyof NodeServiceCounts]: NodeServiceCounts[K] };

/**
 * The rewards ledger's meter: what the gateway observed of each node — verified and failed bytes,
 * requests answered and failed, audits passed and failed — added up in memory per (node, hour slot,
 * kind) and written to the store every `flushIntervalMs`, before a statement is computed, and on
 * close. `record` is synchronous and O(1). A failed write keeps the counters for the next flush
 * (they are sums, so a later flush adds them to the same rows).
 */
export class NodeServiceMeter {
  readonly #options: NodeServiceMeterOptions;
  #pending = new Map<string, MutableCounts>();
  #flushing: Promise<void> | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: NodeServiceMeterOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => {
      this.flush().catch((error: Error) => this.#options.logger.error('rewards_flush_failed', { error: error.message }));
    }, this.#options.flushIntervalMs ?? 10_000);
    this.#timer.unref();
  }

  record(nodeId: string, kind: ServiceKind, delta: ServiceDelta): void {
    const at = this.#options.now().getTime();
    this.#add(nodeId, at - (at % SERVICE_SLOT_MS), kind, delta);
  }

  #add(nodeId: string, slotMs: number, kind: ServiceKind, delta: ServiceDelta): void {
    const key = `${nodeId}\n${slotMs}\n${kind}`;
    let row = this.#pending.get(key);
    if (!row) {
      row = { nodeId, slot: new Date(slotMs), kind, verifiedBytes: 0, failedBytes: 0, answered: 0, failed: 0, auditsPassed: 0, auditsFailed: 0 };
      this.#pending.set(key, row);
    }
    row.verifiedBytes += delta.verifiedBytes ?? 0;
    row.failedBytes += delta.failedBytes ?? 0;
    row.answered += delta.answered ?? 0;
    row.failed += delta.failed ?? 0;
    row.auditsPassed += delta.auditsPassed ?? 0;
    row.auditsFailed += delta.auditsFailed ?? 0;
  }

  /** Writes everything recorded so far (after a flush in progress). Rejects when the store does. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing.catch(() => {});
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.#options.store.addNodeService([...batch.values()])
      .catch((error: Error) => {
        for (const row of batch.values()) this.#add(row.nodeId, row.slot.getTime(), row.kind, row);
        throw error;
      })
      .finally(() => { this.#flushing = null; });
    await this.#flushing;
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush();
  }
}
