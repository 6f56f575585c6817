import type { Logger } from '../../src/log/logger.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { ReadReport } from '../read/segment-reader.ts';
import type { NodeStates } from './node-states.ts';

/** How long a segment queued by a read is not queued again by another read (unless corrupt). */
const READ_REPORT_QUIET_MS = 10_000;
const RECENT_LIMIT = 10_000;

/**
 * Heal on read and on write: a read that met missing, failing or corrupt shards, and a write that
 * committed fewer than n shards, queue their segments at once (the checker would find them only on
 * its next pass). Fire and forget: a failure to queue is logged, never the request's problem.
 */
export class RepairSignals {
  readonly #recent = new Map<string, number>();

  constructor(
    private readonly deps: { store: MetaStore; states: NodeStates; metrics: GatewayMetrics; logger: Logger; now: () => Date; shardsPerSegment: number },
    private readonly onQueued: () => void,
  ) {}

  /** A finished read's report. Slow shards (hedged reads) and shards on nodes merely offline are not repair's business. */
  readFinished(report: ReadReport | undefined): void {
    if (!report || report.failures.length === 0) return;
    const bySegment = new Map<string, { corrupt: Set<number>; suspect: Set<number>; bad: Set<number> }>();
    for (const failure of report.failures) {
      if (!failure.corrupt && failure.reason.startsWith('slow')) continue;
      if (!failure.corrupt && failure.nodeId !== null && this.deps.states.stateOf(failure.nodeId) === 'offline') continue;
      const entry = bySegment.get(failure.segmentId) ?? { corrupt: new Set(), suspect: new Set(), bad: new Set() };
      bySegment.set(failure.segmentId, entry);
      entry.bad.add(failure.shardIndex);
      if (failure.corrupt) entry.corrupt.add(failure.shardIndex);
      else if (failure.nodeId !== null && this.deps.states.holdsHealthyShards(failure.nodeId)) entry.suspect.add(failure.shardIndex);
    }
    const now = this.deps.now().getTime();
    for (const [segmentId, entry] of bySegment) {
      const last = this.#recent.get(segmentId);
      if (entry.corrupt.size === 0 && last !== undefined && now - last < READ_REPORT_QUIET_MS) continue;
      this.#remember(segmentId, now);
      this.deps.metrics.repairsQueuedByReads++;
      // The report says which shards failed, not the segment's n: the gateway's n is the guess
      // (the queue's order only; the repairer works from the segment's own placements).
      this.#enqueue({ segmentId, healthyShards: Math.max(0, this.deps.shardsPerSegment - entry.bad.size), corruptShards: [...entry.corrupt], suspectShards: [...entry.suspect] });
    }
  }

  /** A node's own scrub found shard `shardIndex` of the segment corrupt (the gateway checked that it placed it there). */
  shardScrubbedCorrupt(segmentId: string, shardIndex: number, placedShards: number): void {
    this.deps.metrics.repairsQueuedByScrub++;
    this.#enqueue({ segmentId, healthyShards: Math.max(0, placedShards - 1), corruptShards: [shardIndex] });
  }

  /** A segment write committed only `storedShards` of its shards. */
  segmentWrittenDegraded(segmentId: string, storedShards: number): void {
    this.deps.metrics.repairsQueuedByWrites++;
    this.#enqueue({ segmentId, healthyShards: storedShards });
  }

  #enqueue(request: Parameters<MetaStore['enqueueRepair']>[0]): void {
    this.deps.store.enqueueRepair(request, this.deps.now())
      .then(() => this.onQueued())
      .catch((error: Error) => this.deps.logger.error('repair_enqueue_failed', { segmentId: request.segmentId, error: error.message }));
  }

  #remember(segmentId: string, now: number): void {
    this.#recent.delete(segmentId);
    this.#recent.set(segmentId, now);
    if (this.#recent.size > RECENT_LIMIT) this.#recent.delete(this.#recent.keys().next().value!);
  }
}
