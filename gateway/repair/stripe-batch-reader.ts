import { NotEnoughShardsError, ShardCorruptError } from '../../src/erasure/errors.ts';
import { shardWindow } from '../../src/erasure/layout.ts';
import { totalShards, type ErasureProfile } from '../../src/erasure/profile.ts';
import { shardId, type ShardPlacement } from '../../src/meta/types.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { NodeRegistry } from '../nodes/registry.ts';
import type { ShardClient } from '../nodes/shard-client.ts';
import type { HashListCache } from '../read/hash-list-cache.ts';
import { HashListCorruptError, VerifiedChunkReader } from '../read/verified-chunk-reader.ts';
import type { ServiceObserver } from '../rewards/service-meter.ts';

export interface SourceFailure {
  readonly shardIndex: number;
  readonly nodeId: string;
  readonly reason: string;
  readonly corrupt: boolean;
}

export interface StripeBatchReaderOptions {
  readonly client: ShardClient;
  readonly registry: NodeRegistry;
  readonly hashLists: HashListCache;
  readonly metrics: GatewayMetrics;
  readonly segmentId: string;
  readonly profile: ErasureProfile;
  /** Stripes of the segment: every source is read from stripe 0 to here. */
  readonly stripeCount: number;
  /** Shards to read from, in order of preference (the first k usable ones are read). */
  readonly sources: readonly ShardPlacement[];
  readonly signal: AbortSignal;
  /** The rewards meter (repair reads). */
  readonly service?: ServiceObserver;
}

/**
 * Repair's reader: the segment's stripes in consecutive batches, each batch as n columns of which
 * at least k are present (verified chunks of k source shards; null for the rest), ready for
 * `codec.reconstructAll`. Each source is one streamed range request over the rest of its shard,
 * so memory is a batch per source plus what the sockets buffer. A source that fails (error,
 * timeout, bytes that fail their hash) is replaced by the next candidate from the batch it failed
 * in; its failure is kept in `failures` (the repairer queues corrupt ones for another round).
 */
export class StripeBatchReader {
  readonly #readers = new Map<number, VerifiedChunkReader>();
  readonly #failed = new Map<number, SourceFailure>();
  #nextStripe = 0;

  constructor(private readonly options: StripeBatchReaderOptions) {}

  get failures(): SourceFailure[] {
    return [...this.#failed.values()];
  }

  /** The next `count` stripes as n columns (`count · chunkSize` bytes each, or null). */
  async next(count: number): Promise<(Uint8Array | null)[]> {
    const { profile } = this.options;
    const k = profile.dataShards;
    const stripe = this.#nextStripe;
    const columns: (Uint8Array | null)[] = new Array(totalShards(profile)).fill(null);
    let have = 0;
    while (have < k) {
      this.#openUpTo(k, stripe);
      const pending = [...this.#readers.entries()].filter(([shardIndex]) => columns[shardIndex] === null);
      if (pending.length === 0) {
        throw new NotEnoughShardsError({ needed: k, available: have, failures: this.failures.map(({ shardIndex, reason }) => ({ shardIndex, reason })) });
      }
      // A source chunk that fails its hash retires that source for this repair (another one is opened).
      const results = await Promise.allSettled(pending.map(([shardIndex, reader]) => reader.nextChunks(count).then(({ column, corruptStripes }) => {
        if (corruptStripes.length > 0) throw new ShardCorruptError({ shardIndex, chunkIndex: corruptStripes[0]! });
        return column;
      })));
      for (const [i, result] of results.entries()) {
        const [shardIndex, reader] = pending[i]!;
        if (result.status === 'fulfilled') {
          columns[shardIndex] = result.value;
          have++;
        } else {
          this.#fail(shardIndex, reader, result.reason);
        }
      }
    }
    this.#nextStripe += count;
    return columns;
  }

  close(): void {
    for (const reader of this.#readers.values()) reader.close();
    this.#readers.clear();
  }

  /** Opens readers at `stripe` on the next candidates until `k` are open or none is left. */
  #openUpTo(k: number, stripe: number): void {
    const { sources, registry } = this.options;
    for (const placement of sources) {
      if (this.#readers.size >= k) return;
      if (this.#readers.has(placement.shardIndex) || this.#failed.has(placement.shardIndex)) continue;
      const node = registry.get(placement.nodeId);
      if (!node || !registry.isOnline(placement.nodeId)) {
        this.#failed.set(placement.shardIndex, { shardIndex: placement.shardIndex, nodeId: placement.nodeId, reason: 'node offline', corrupt: false });
        continue;
      }
      this.options.metrics.shardReads++;
      this.#readers.set(placement.shardIndex, new VerifiedChunkReader({
        client: this.options.client,
        hashLists: this.options.hashLists,
        node,
        placement,
        shardId: shardId(this.options.segmentId, placement.shardIndex),
        chunkSize: this.options.profile.chunkSize,
        window: shardWindow(this.options.profile, placement.shardIndex, stripe, this.options.stripeCount - stripe),
        signal: this.options.signal,
        service: this.options.service,
      }));
    }
  }

  #fail(shardIndex: number, reader: VerifiedChunkReader, error: unknown): void {
    reader.close();
    this.#readers.delete(shardIndex);
    this.options.metrics.shardReadFailures++;
    const corrupt = error instanceof ShardCorruptError || error instanceof HashListCorruptError;
    if (corrupt) this.options.metrics.corruptChunks++;
    const nodeId = this.options.sources.find((s) => s.shardIndex === shardIndex)!.nodeId;
    this.#failed.set(shardIndex, { shardIndex, nodeId, reason: error instanceof Error ? error.message : String(error), corrupt });
  }
}
