import { NotEnoughShardsError, ShardCorruptError } from '../../src/erasure/errors.ts';
import type { ShardWindow } from '../../src/erasure/layout.ts';
import { totalShards, type ErasureProfile } from '../../src/erasure/profile.ts';
import { shardId, type SegmentRecord } from '../../src/meta/types.ts';
import type { ReadContext, ReadReport } from './read-context.ts';
import { HashListCorruptError, VerifiedChunkReader } from './verified-chunk-reader.ts';

/**
 * The shards of one segment during one read: which are usable, opening readers on them, and
 * recording what failed (in the request's report, the metrics and, for corruption, a log line).
 * A shard is retired for the rest of the read ("bad") on a connection failure, timeout, short
 * body or untrusted hash list; a chunk that fails its hash only costs that stripe.
 */
export class SegmentShards {
  readonly #bad = new Set<number>();
  readonly #slow = new Set<number>();
  #degraded = false;

  constructor(
    private readonly ctx: ReadContext,
    private readonly segment: SegmentRecord,
    private readonly report: ReadReport,
    private readonly signal: AbortSignal,
  ) {}

  get profile(): ErasureProfile {
    return this.segment.profile;
  }

  isBad(shardIndex: number): boolean {
    return this.#bad.has(shardIndex);
  }

  /** Hedged: read around for now, but still a candidate when nothing better is left. */
  isSlow(shardIndex: number): boolean {
    return this.#slow.has(shardIndex);
  }

  markSlow(shardIndex: number, waitedMs: number): void {
    this.#slow.add(shardIndex);
    this.ctx.metrics.hedgedShardReads++;
    this.#record(shardIndex, `slow: no chunk within ${Math.round(waitedMs)} ms (the node's recent p95), read around from parity`, false);
  }

  /** How long to wait for this shard's first chunk before hedging, or null. */
  hedgeDelayMs(shardIndex: number): number | null {
    const placement = this.#placement(shardIndex);
    return placement ? this.ctx.latency.hedgeDelayMs(placement.nodeId) : null;
  }

  /** True when the shard was stored and its node is online; otherwise it is marked bad. */
  usable(shardIndex: number): boolean {
    if (this.#bad.has(shardIndex)) return false;
    const placement = this.#placement(shardIndex);
    if (!placement) return this.#skip(shardIndex, 'shard was never stored');
    if (!this.ctx.registry.get(placement.nodeId) || !this.ctx.registry.isOnline(placement.nodeId)) {
      return this.#skip(shardIndex, 'node offline');
    }
    return true;
  }

  /** Counts the segment read as degraded (some stripe needed parity), once per read. */
  markDegraded(): void {
    if (this.#degraded) return;
    this.#degraded = true;
    this.ctx.metrics.degradedSegmentReads++;
  }

  /** A reader over one window of a shard (from the read plan); null when the shard is unusable. */
  open(window: ShardWindow): VerifiedChunkReader | null {
    const { shardIndex } = window;
    if (!this.usable(shardIndex)) return null;
    const placement = this.#placement(shardIndex)!;
    this.report.shardsRead++;
    this.ctx.metrics.shardReads++;
    return new VerifiedChunkReader({
      client: this.ctx.client,
      hashLists: this.ctx.hashLists,
      node: this.ctx.registry.get(placement.nodeId)!,
      placement,
      shardId: shardId(this.segment.id, shardIndex),
      chunkSize: this.segment.profile.chunkSize,
      window,
      signal: this.signal,
      latency: this.ctx.latency,
      service: this.ctx.rewards && { kind: 'client', meter: this.ctx.rewards },
      timing: this.report.timing,
    });
  }

  /**
   * A read from this shard failed. A chunk that failed its hash (ShardCorruptError) costs only
   * its stripe; anything else makes the shard bad for the rest of this read.
   */
  fail(shardIndex: number, error: unknown): void {
    if (error instanceof ShardCorruptError) {
      this.corruptChunk(shardIndex, error.chunkIndex);
      return;
    }
    const reason = error instanceof Error ? error.message : String(error);
    this.ctx.metrics.shardReadFailures++;
    const corrupt = error instanceof HashListCorruptError;
    this.#bad.add(shardIndex);
    this.#record(shardIndex, reason, corrupt);
    if (corrupt) {
      this.ctx.metrics.corruptChunks++;
      this.ctx.logger.warn('shard_corrupt', { segmentId: this.segment.id, shardIndex, nodeId: this.#placement(shardIndex)?.nodeId, reason });
    }
  }

  /** Chunk `stripeIndex` of the shard failed its hash: counted, logged, reported for repair; the shard stays in use. */
  corruptChunk(shardIndex: number, stripeIndex: number): void {
    const reason = `chunk ${stripeIndex} failed verification`;
    this.ctx.metrics.shardReadFailures++;
    this.ctx.metrics.corruptChunks++;
    this.#record(shardIndex, reason, true, stripeIndex);
    this.ctx.logger.warn('shard_corrupt', { segmentId: this.segment.id, shardIndex, stripeIndex, nodeId: this.#placement(shardIndex)?.nodeId, reason });
  }

  /** NotEnoughShardsError for a stripe with only `good` good chunks, listing what failed there. */
  notEnough(stripeIndex: number, good: number): NotEnoughShardsError {
    this.ctx.metrics.unreadableSegments++;
    const failures = this.report.failures
      .filter((f) => f.segmentId === this.segment.id && (f.stripeIndex === undefined || f.stripeIndex === stripeIndex))
      .map(({ shardIndex, reason }) => ({ shardIndex, reason }));
    return new NotEnoughShardsError({ needed: this.profile.dataShards, available: good, failures, stripeIndex });
  }

  /** Shards worth opening for a stripe: not bad, not in `exclude`; slow (hedged) ones last. */
  candidates(exclude: (shardIndex: number) => boolean): number[] {
    const fast: number[] = [];
    const slow: number[] = [];
    for (let shardIndex = 0; shardIndex < totalShards(this.profile); shardIndex++) {
      if (this.#bad.has(shardIndex) || exclude(shardIndex)) continue;
      (this.#slow.has(shardIndex) ? slow : fast).push(shardIndex);
    }
    return [...fast, ...slow];
  }

  #skip(shardIndex: number, reason: string): false {
    this.#bad.add(shardIndex);
    this.ctx.metrics.shardsSkipped++;
    this.#record(shardIndex, reason, false);
    return false;
  }

  #record(shardIndex: number, reason: string, corrupt: boolean, stripeIndex?: number): void {
    const nodeId = this.#placement(shardIndex)?.nodeId ?? null;
    this.report.failures.push({ segmentId: this.segment.id, shardIndex, nodeId, reason, corrupt, ...(stripeIndex === undefined ? {} : { stripeIndex }) });
  }

  #placement(shardIndex: number) {
    return this.segment.shards.find((s) => s.shardIndex === shardIndex);
  }
}
