import { ShardCorruptError } from '../../src/erasure/errors.ts';
import type { ErasureProfile } from '../../src/erasure/profile.ts';
import { shardId, type SegmentRecord } from '../../src/meta/types.ts';
import type { ReadContext, ReadReport } from './segment-reader.ts';
import { HashListCorruptError, VerifiedChunkReader } from './verified-chunk-reader.ts';

/**
 * The shards of one segment during one read: which are usable, opening readers on them, and
 * recording what failed (in the request's report, the metrics and, for corruption, a log line).
 */
export class SegmentShards {
  readonly #bad = new Set<number>();
  readonly #slow = new Set<number>();

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

  get badCount(): number {
    return this.#bad.size;
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

  /** A reader over stripes [firstStripe, firstStripe + stripeCount) of a shard; null when unusable. */
  open(shardIndex: number, firstStripe: number, stripeCount: number): VerifiedChunkReader | null {
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
      firstStripe,
      stripeCount,
      signal: this.signal,
      latency: this.ctx.latency,
    });
  }

  /** A read from this shard failed: it is bad for the rest of this read. */
  fail(shardIndex: number, error: unknown): void {
    const corrupt = error instanceof ShardCorruptError || error instanceof HashListCorruptError;
    const reason = error instanceof Error ? error.message : String(error);
    this.#bad.add(shardIndex);
    this.ctx.metrics.shardReadFailures++;
    this.#record(shardIndex, reason, corrupt);
    if (corrupt) {
      this.ctx.metrics.corruptChunks++;
      this.ctx.logger.warn('shard_corrupt', { segmentId: this.segment.id, shardIndex, nodeId: this.#placement(shardIndex)?.nodeId, reason });
    }
  }

  /** Failures of this segment so far, for NotEnoughShardsError. */
  failures(): { shardIndex: number; reason: string }[] {
    return this.report.failures.filter((f) => f.segmentId === this.segment.id).map(({ shardIndex, reason }) => ({ shardIndex, reason }));
  }

  #skip(shardIndex: number, reason: string): false {
    this.#bad.add(shardIndex);
    this.ctx.metrics.shardsSkipped++;
    this.#record(shardIndex, reason, false);
    return false;
  }

  #record(shardIndex: number, reason: string, corrupt: boolean): void {
    const nodeId = this.#placement(shardIndex)?.nodeId ?? null;
    this.report.failures.push({ segmentId: this.segment.id, shardIndex, nodeId, reason, corrupt });
  }

  #placement(shardIndex: number) {
    return this.segment.shards.find((s) => s.shardIndex === shardIndex);
  }
}
