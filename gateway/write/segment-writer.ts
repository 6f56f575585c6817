import { randomBytes } from 'node:crypto';
import { CtrStream } from '../../src/crypto/ctr-cipher.ts';
import type { SegmentKeySealer } from '../../src/crypto/segment-keys.ts';
import type { ReedSolomonCodec } from '../../src/erasure/codec.ts';
import { stripesToColumns } from '../../src/erasure/layout.ts';
import { totalShards, type ErasureProfile } from '../../src/erasure/profile.ts';
import { HashListBuilder, hashListRoot } from '../../src/integrity/hash-list.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import { shardId, type SegmentEncryption, type SegmentRecord, type ShardPlacement } from '../../src/meta/types.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { GatewayMetrics } from '../metrics.ts';
import { chooseNodes } from '../placement.ts';
import type { NodeRegistry, NodeView } from '../nodes/registry.ts';
import type { ShardClient, ShardUpload } from '../nodes/shard-client.ts';
import { WriteQuorumError } from './errors.ts';
import { writeWithBackpressure } from './writable-chunk.ts';

export interface WriteContext {
  readonly store: MetaStore;
  readonly registry: NodeRegistry;
  readonly client: ShardClient;
  readonly codec: ReedSolomonCodec;
  readonly config: { readonly writeQuorum: number; readonly maxShardsPerOperator: number };
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Heal on write: a segment committed with fewer than n shards is queued for repair. */
  readonly repairSignals?: { segmentWrittenDegraded(segmentId: string, storedShards: number): void };
}

interface ShardSlot {
  readonly shardIndex: number;
  readonly node: NodeView;
  readonly shardId: string;
  readonly upload: ShardUpload;
  readonly hashes: HashListBuilder;
  failure: string | null;
}

/**
 * Writes one segment: seals a fresh data key for it, picks n nodes, records them as pending (so a crash leaves collectable
 * records), streams each batch of stripes as k data columns + m parity columns to the n nodes with
 * back-pressure, hashing every chunk, then commits each shard with its hash list. Succeeds when
 * at least `writeQuorum` shards are committed; the rest are reported as missing.
 */
export class SegmentWriter {
  private constructor(
    private readonly ctx: WriteContext,
    private readonly profile: ErasureProfile,
    readonly segmentId: string,
    private readonly slots: readonly ShardSlot[],
    private readonly cipher: CtrStream,
    private readonly encryption: SegmentEncryption,
  ) {}

  /** `keys` seals the segment's data key (the master key ring, or an SSE-C customer's key). */
  static async open(ctx: WriteContext, profile: ErasureProfile, writeId: string, keys: SegmentKeySealer, signal: AbortSignal): Promise<SegmentWriter> {
    const segmentId = randomBytes(16).toString('hex');
    const { cipherKey, encryption } = keys.seal(segmentId);
    const candidates = ctx.registry.placementCandidates();
    const cap = ctx.config.maxShardsPerOperator;
    const chosen = chooseNodes(segmentId, candidates, totalShards(profile), { maxShardsPerOperator: cap });
    if (chosen.length < ctx.config.writeQuorum) {
      const operators = new Set(candidates.map((node) => node.operatorId)).size;
      throw new WriteQuorumError(ctx.config.writeQuorum, chosen.length, candidates.length > chosen.length
        ? [`${candidates.length} nodes of ${operators} operators have room, and one operator may hold at most ${cap} shards of a segment`]
        : []);
    }
    const nodes = chosen.map((candidate) => ctx.registry.get(candidate.id)!);
    const ids = nodes.map((_, shardIndex) => shardId(segmentId, shardIndex));
    await ctx.store.addPendingShards(writeId, nodes.map((node, i) => ({ shardId: ids[i]!, nodeId: node.record.id })), ctx.now());
    const slots = nodes.map((node, shardIndex) => {
      const slot: ShardSlot = {
        shardIndex,
        node,
        shardId: ids[shardIndex]!,
        upload: ctx.client.upload(node, ids[shardIndex]!, profile.chunkSize, signal),
        hashes: new HashListBuilder(profile.chunkSize),
        failure: null,
      };
      slot.upload.done.catch((error: Error) => { slot.failure ??= error.message; });
      return slot;
    });
    return new SegmentWriter(ctx, profile, segmentId, slots, new CtrStream(cipherKey.key, cipherKey.iv, 0), encryption);
  }

  /**
   * `stripes` holds whole stripes: `dataLength` plaintext bytes, the next of the segment, then zero
   * padding to the stripe boundary (only the last batch of a segment may be padded). The data bytes
   * are encrypted (into a new buffer; `stripes` is left as it was) before the erasure code, so data
   * and parity shards are ciphertext and the chunk hashes are over what the nodes store.
   */
  async writeStripes(stripes: Uint8Array, dataLength: number): Promise<void> {
    // The ciphertext of the data bytes; stripesToColumns zero-pads its last stripe as `stripes` is padded.
    const dataColumns = stripesToColumns(this.profile, this.cipher.transform(stripes.subarray(0, dataLength)));
    const columns = [...dataColumns, ...this.ctx.codec.encode(this.profile, dataColumns)];
    await Promise.all(this.#live().map(async (slot) => {
      const column = columns[slot.shardIndex]!;
      slot.hashes.push(column);
      try {
        await writeWithBackpressure(slot.upload.body, column);
      } catch (error) {
        slot.failure ??= (error as Error).message;
      }
    }));
    this.#requireQuorum();
  }

  /** Ends the uploads, commits every shard that arrived, and returns the segment's record. */
  async finish(segment: { partNumber: number; index: number; offset: number; length: number }, signal: AbortSignal): Promise<SegmentRecord> {
    for (const slot of this.#live()) slot.upload.body.end();
    await Promise.all(this.slots.map((slot) => slot.upload.done.catch(() => {})));
    const placements: ShardPlacement[] = [];
    await Promise.all(this.#live().map(async (slot) => {
      const list = slot.hashes.finish();
      try {
        await this.ctx.client.commit(slot.node, slot.shardId, list, signal);
        placements.push({ shardIndex: slot.shardIndex, nodeId: slot.node.record.id, root: hashListRoot(list) });
      } catch (error) {
        slot.failure ??= (error as Error).message;
      }
    }));
    this.#requireQuorum();
    const missing = totalShards(this.profile) - placements.length;
    if (missing > 0) {
      this.ctx.metrics.shardsMissingAfterWrite += missing;
      this.ctx.repairSignals?.segmentWrittenDegraded(this.segmentId, placements.length);
      this.ctx.logger.warn('segment_written_degraded', {
        segmentId: this.segmentId, missing, failures: this.#failures(),
      });
    }
    placements.sort((a, b) => a.shardIndex - b.shardIndex);
    return { id: this.segmentId, ...segment, profile: this.profile, shards: placements, encryption: this.encryption };
  }

  /** Stops every upload; what reached the nodes is collected through the pending records. */
  abort(): void {
    for (const slot of this.slots) slot.upload.body.destroy();
  }

  #live(): ShardSlot[] {
    return this.slots.filter((slot) => slot.failure === null);
  }

  #failures(): string[] {
    return this.slots.filter((slot) => slot.failure !== null).map((slot) => `shard ${slot.shardIndex} on ${slot.node.record.id}: ${slot.failure}`);
  }

  #requireQuorum(): void {
    const live = this.#live().length;
    if (live < this.ctx.config.writeQuorum) throw new WriteQuorumError(this.ctx.config.writeQuorum, live, this.#failures());
  }
}
