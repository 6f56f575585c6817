import { randomBytes } from 'node:crypto';
import type { Logger } from '../../src/log/logger.ts';
import type { RepairJob } from '../../src/meta/repair-types.ts';
import { repairSegment, type RepairContext } from './segment-repair.ts';

const IDLE_POLL_MS = 1_000;
const MAX_BACKOFF_MS = 5 * 60_000;

/**
 * Repair workers: `concurrency` loops that claim one queue entry at a time (fewest healthy
 * shards first), keep its lease renewed while they work, and complete or release it. A gateway
 * killed mid-repair loses nothing: its uploads are pending shards (collected at the next start),
 * the placements are untouched until the swap, and its jobs are claimed again when their leases
 * expire.
 */
export class Repairer {
  readonly #owner = `gateway-${randomBytes(6).toString('hex')}`;
  readonly #abort = new AbortController();
  readonly #workers: Promise<void>[] = [];
  readonly #waiters = new Set<() => void>();

  /** `leaseMs`: a claim lasts this long unless renewed; a worker renews every third of it. */
  constructor(private readonly ctx: RepairContext & { logger: Logger }, private readonly concurrency: number, private readonly leaseMs: number) {}

  start(): void {
    for (let i = 0; i < this.concurrency; i++) this.#workers.push(this.#work());
  }

  /** New work was queued: idle workers look now instead of at their next poll. */
  kick(): void {
    for (const wake of [...this.#waiters]) wake();
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.kick();
    await Promise.all(this.#workers);
  }

  async #work(): Promise<void> {
    const signal = this.#abort.signal;
    while (!signal.aborted) {
      let job: RepairJob | undefined;
      try {
        [job] = await this.ctx.store.claimRepairs(this.#owner, 1, this.leaseMs, this.ctx.now());
      } catch (error) {
        this.ctx.logger.error('repair_claim_failed', { error: (error as Error).message });
      }
      if (!job) {
        await this.#idle();
        continue;
      }
      await this.#run(job, signal);
    }
  }

  async #run(job: RepairJob, signal: AbortSignal): Promise<void> {
    const { store, metrics, logger, now } = this.ctx;
    const started = performance.now();
    const renewal = setInterval(() => {
      store.renewRepair(job.segmentId, job.leaseToken, this.leaseMs, now()).catch(() => {});
    }, this.leaseMs / 3);
    try {
      const outcome = await repairSegment(this.ctx, job, signal);
      if (outcome.kind === 'pending') {
        await store.releaseRepair(job.segmentId, job.leaseToken, new Date(now().getTime() + 10_000), 'segment not committed yet');
        return;
      }
      if (outcome.kind === 'raced') {
        metrics.repairsRaced++;
        await store.releaseRepair(job.segmentId, job.leaseToken, now(), 'segment changed during repair');
        return;
      }
      if (outcome.kind === 'repaired') {
        metrics.shardsRepaired += outcome.shards;
        metrics.bytesRepaired += outcome.bytes;
        if (!outcome.partial) metrics.segmentsRepaired++;
        const corrupt = outcome.sourceFailures.filter((f) => f.corrupt).map((f) => f.shardIndex);
        if (corrupt.length > 0) await store.enqueueRepair({ segmentId: job.segmentId, healthyShards: job.healthyShards, corruptShards: corrupt }, now());
        logger.info('segment_repaired', {
          segmentId: job.segmentId, shards: outcome.shards, bytes: outcome.bytes, partial: outcome.partial,
          sourceFailures: outcome.sourceFailures.length > 0 ? outcome.sourceFailures : undefined,
          ms: Math.round(performance.now() - started),
        });
        if (outcome.partial) {
          await store.releaseRepair(job.segmentId, job.leaseToken, new Date(now().getTime() + backoffMs(job.attempts)), 'partial repair');
          return;
        }
      }
      await store.completeRepair(job.segmentId, job.leaseToken);
    } catch (error) {
      if (signal.aborted) return; // stopping: the lease expires and another claim finishes the job
      metrics.repairFailures++;
      const message = (error as Error).message;
      logger.warn('repair_failed', { segmentId: job.segmentId, attempts: job.attempts, error: message });
      await store.releaseRepair(job.segmentId, job.leaseToken, new Date(now().getTime() + backoffMs(job.attempts)), message).catch(() => {});
    } finally {
      clearInterval(renewal);
    }
  }

  #idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, IDLE_POLL_MS);
      this.#waiters.add(done);
    });
  }
}

/** 2 s, 4 s, 8 s … up to 5 min between attempts of a failing job. */
function backoffMs(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));
}
