import type { Logger } from '../../src/log/logger.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import type { RequestClass, RequestUsage } from '../../src/meta/usage-types.ts';
import type { GatewayMetrics } from '../metrics.ts';

/** Requests are attributed to the one-second slot they started in (the ledger's request resolution). */
export const USAGE_SLOT_MS = 1_000;

/** One finished (or abandoned) request, as the billing middleware measured it. */
export interface MeteredRequest {
  readonly accountId: string;
  readonly bucket: string;
  readonly requestClass: RequestClass;
  readonly status: number;
  readonly startedAt: Date;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface UsageRecorderOptions {
  readonly store: Pick<MetaStore, 'appendRequestUsage'>;
  readonly logger: Logger;
  readonly metrics: Pick<GatewayMetrics, 'usageFlushFailures' | 'usageRowsDropped'>;
  /** Pending rows are written at least this often. Default 1000 ms. */
  readonly flushIntervalMs?: number;
  /** A flush starts as soon as this many distinct rows are pending. Default 1000. */
  readonly maxPendingRows?: number;
  /** While the store refuses writes, at most this many rows are kept for the next attempt. Default 100,000. */
  readonly maxRetainedRows?: number;
}

type MutableUsage = { -readonly [K in keyof RequestUsage]: RequestUsage[K] };

/**
 * Batches metered requests into ledger rows off the response path: `record` only adds to an
 * in-memory row per (account, bucket, class, status, second), and a timer (or a full batch) appends
 * the rows in one store transaction. A failed append keeps the rows for the next flush.
 */
export class UsageRecorder {
  readonly #options: UsageRecorderOptions;
  readonly #maxPendingRows: number;
  readonly #maxRetainedRows: number;
  #pending = new Map<string, MutableUsage>();
  #flushing: Promise<void> | null = null;
  #flushScheduled = false;
  #timer: NodeJS.Timeout | null = null;

  constructor(options: UsageRecorderOptions) {
    this.#options = options;
    this.#maxPendingRows = options.maxPendingRows ?? 1_000;
    this.#maxRetainedRows = options.maxRetainedRows ?? 100_000;
  }

  /** Starts the periodic flush (the timer does not keep the process alive). */
  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.#flushInBackground(), this.#options.flushIntervalMs ?? 1_000);
    this.#timer.unref();
  }

  /** O(1) and synchronous: no I/O happens here. */
  record(request: MeteredRequest): void {
    const slotMs = Math.floor(request.startedAt.getTime() / USAGE_SLOT_MS) * USAGE_SLOT_MS;
    const rowKey = `${request.accountId}\n${request.bucket}\n${request.requestClass}\n${request.status}\n${slotMs}`;
    const row = this.#pending.get(rowKey);
    if (row) {
      row.requests += 1;
      row.bytesIn += request.bytesIn;
      row.bytesOut += request.bytesOut;
    } else {
      this.#pending.set(rowKey, {
        accountId: request.accountId, bucket: request.bucket, requestClass: request.requestClass, status: request.status,
        at: new Date(slotMs), requests: 1, bytesIn: request.bytesIn, bytesOut: request.bytesOut,
      });
      if (this.#pending.size >= this.#maxPendingRows && !this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(() => {
          this.#flushScheduled = false;
          this.#flushInBackground();
        });
      }
    }
  }

  /** Writes everything recorded so far (waits for a flush in progress first). Rejects when the store does. */
  async flush(): Promise<void> {
    while (this.#flushing) await this.#flushing.catch(() => {});
    if (this.#pending.size === 0) return;
    const batch = this.#pending;
    this.#pending = new Map();
    this.#flushing = this.#options.store.appendRequestUsage([...batch.values()])
      .catch((error: Error) => {
        this.#options.metrics.usageFlushFailures++;
        this.#retain(batch);
        throw error;
      })
      .finally(() => { this.#flushing = null; });
    await this.#flushing;
  }

  /** Stops the timer and writes what is left. */
  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.flush();
  }

  #flushInBackground(): void {
    this.flush().catch((error: Error) => this.#options.logger.error('usage_flush_failed', { error: error.message }));
  }

  /** Puts a batch the store refused back in front of what arrived since, within the retention cap. */
  #retain(batch: Map<string, MutableUsage>): void {
    for (const [rowKey, row] of this.#pending) {
      const kept = batch.get(rowKey);
      if (kept) {
        kept.requests += row.requests;
        kept.bytesIn += row.bytesIn;
        kept.bytesOut += row.bytesOut;
      } else {
        batch.set(rowKey, row);
      }
    }
    let dropped = 0;
    for (const rowKey of batch.keys()) {
      if (batch.size <= this.#maxRetainedRows) break;
      batch.delete(rowKey);
      dropped += 1;
    }
    if (dropped > 0) {
      this.#options.metrics.usageRowsDropped += dropped;
      this.#options.logger.error('usage_rows_dropped', { rows: dropped });
    }
    this.#pending = batch;
  }
}
