import type { ReedSolomonCodec } from '../../src/erasure/codec.ts';
import { stripeCount } from '../../src/erasure/layout.ts';
import { totalShards } from '../../src/erasure/profile.ts';
import { HashListBuilder, hashListRoot } from '../../src/integrity/hash-list.ts';
import type { RepairJob, SegmentPlacement } from '../../src/meta/repair-types.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import { shardId, type ShardPlacement } from '../../src/meta/types.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { NodeRegistry, NodeView } from '../nodes/registry.ts';
import type { ShardClient, ShardUpload } from '../nodes/shard-client.ts';
import { chooseNodes } from '../placement.ts';
import type { HashListCache } from '../read/hash-list-cache.ts';
import { writeWithBackpressure } from '../write/writable-chunk.ts';
import type { ByteRateLimiter } from '../../src/rate/byte-rate-limiter.ts';
import type { NodeStates } from './node-states.ts';
import { StripeBatchReader, type SourceFailure } from './stripe-batch-reader.ts';

export interface RepairContext {
  readonly store: MetaStore;
  readonly registry: NodeRegistry;
  readonly client: ShardClient;
  readonly codec: ReedSolomonCodec;
  readonly hashLists: HashListCache;
  readonly metrics: GatewayMetrics;
  readonly states: NodeStates;
  readonly limiter: ByteRateLimiter;
  /** Re-created shards obey the same per-operator cap as writes. */
  readonly config: { readonly maxShardsPerOperator: number };
  readonly now: () => Date;
}

/**
 * What one attempt did. `healthy`: nothing to re-create. `gone`: the segment is no longer
 * referenced. `pending`: not committed yet (a write in flight), try later. `raced`: the segment
 * changed under the repair, the new shards went to garbage. `repaired`: `shards` re-created and
 * swapped in; `partial` when fewer than needed (not enough target nodes or a target failed).
 */
export type RepairOutcome =
  | { readonly kind: 'healthy' | 'gone' | 'pending' | 'raced' }
  | { readonly kind: 'repaired'; readonly shards: number; readonly bytes: number; readonly partial: boolean; readonly sourceFailures: readonly SourceFailure[] };

export class NoRepairTargetError extends Error {
  readonly code = 'NO_REPAIR_TARGET';
  override name = 'NoRepairTargetError';
  constructor(readonly segmentId: string, readonly needed: number) {
    super(`no node can take the ${needed} shard(s) segment ${segmentId} needs (every online node already holds one)`);
  }
}

/** Data bytes per source per codec call: a few of these batches are all repair holds per segment. */
const BATCH_BYTES_PER_SHARD = 1024 * 1024;

/** The shard indexes a segment must have re-created: missing, on unhealthy nodes, or known corrupt. */
export function shardsToRecreate(placement: SegmentPlacement, job: Pick<RepairJob, 'corruptShards'>, states: NodeStates): number[] {
  const corrupt = new Set(job.corruptShards);
  const recreate: number[] = [];
  for (let shardIndex = 0; shardIndex < totalShards(placement.profile); shardIndex++) {
    const shard = placement.shards.find((s) => s.shardIndex === shardIndex);
    if (!shard || corrupt.has(shardIndex) || !states.holdsHealthyShards(shard.nodeId)) recreate.push(shardIndex);
  }
  return recreate;
}

/**
 * One repair attempt of one segment: read k verified shards in stripe batches, re-create only the
 * shards that need it (data or parity alike: `reconstructAll`), stream them to new distinct nodes
 * chosen by the placement rules (never a node that holds, or is about to delete or commit, a shard
 * of this segment; a corrupt shard with no such node left is rewritten in place), commit them with their hash lists (a re-created shard must hash to the root
 * metadata already has), then swap them in with the store's primitive. Every new shard is recorded
 * as pending first, so a crash or a lost race leaves only collectable garbage.
 */
export async function repairSegment(ctx: RepairContext, job: RepairJob, signal: AbortSignal): Promise<RepairOutcome> {
  const placement = await ctx.store.getSegmentPlacement(job.segmentId);
  if (!placement) {
    const inFlight = await ctx.store.listShardsInFlight(job.segmentId);
    return { kind: inFlight.some((f) => f.kind === 'pending') ? 'pending' : 'gone' };
  }
  const recreate = shardsToRecreate(placement, job, ctx.states);
  if (recreate.length === 0) return { kind: 'healthy' };

  const inFlight = await ctx.store.listShardsInFlight(job.segmentId);
  const excluded = new Set([...placement.shards.map((s) => s.nodeId), ...inFlight.map((f) => f.nodeId)]);
  const candidates = ctx.registry.placementCandidates().filter((candidate) => !excluded.has(candidate.id));
  // The shards that stay keep their operators' share of the per-operator cap.
  const kept = placement.shards.filter((shard) => !recreate.includes(shard.shardIndex)).flatMap((shard) => {
    const record = ctx.registry.get(shard.nodeId)?.record;
    return record ? [{ operatorId: record.operatorId ?? `node:${record.id}`, zone: record.zone }] : [];
  });
  const targets = chooseNodes(job.segmentId, candidates, recreate.length, { maxShardsPerOperator: ctx.config.maxShardsPerOperator, kept })
    .map((c) => ctx.registry.get(c.id)!);
  const slots: TargetSlot[] = recreate.slice(0, targets.length).map((shardIndex, i) => ({ shardIndex, node: targets[i]!, inPlace: false }));
  // No distinct node left (n nodes in all): a corrupt shard on a good node is rewritten in place.
  for (const shardIndex of recreate.slice(targets.length)) {
    const nodeId = placement.shards.find((s) => s.shardIndex === shardIndex)?.nodeId;
    const node = nodeId === undefined ? undefined : ctx.registry.get(nodeId);
    if (node && job.corruptShards.includes(shardIndex) && ctx.states.acceptsShards(nodeId!)) slots.push({ shardIndex, node, inPlace: true });
  }
  if (slots.length === 0) throw new NoRepairTargetError(job.segmentId, recreate.length);

  const writeId = `repair:${job.segmentId}:${job.leaseToken}`;
  const moved = slots.filter((slot) => !slot.inPlace);
  await ctx.store.addPendingShards(writeId, moved.map((slot) => ({ shardId: shardId(job.segmentId, slot.shardIndex), nodeId: slot.node.record.id })), ctx.now());
  try {
    const { committed, bytes, sourceFailures } = await rebuildShards(ctx, placement, job, slots, signal);
    if (committed.length === 0) throw new Error(`no re-created shard of ${job.segmentId} could be committed`);
    // A shard rewritten in place keeps its placement (same node, same root): nothing to swap.
    const replacements = committed.filter((shard) => moved.some((slot) => slot.shardIndex === shard.shardIndex));
    const result = replacements.length === 0
      ? { replaced: true as const }
      : await ctx.store.replaceShardPlacements({ segmentId: job.segmentId, expectedVersion: placement.placementVersion, replacements, writeId });
    if (!result.replaced) {
      await ctx.store.abandonWrite(writeId);
      return { kind: 'raced' };
    }
    if (replacements.length === 0) await ctx.store.abandonWrite(writeId);
    return { kind: 'repaired', shards: committed.length, bytes, partial: committed.length < recreate.length, sourceFailures };
  } catch (error) {
    await ctx.store.abandonWrite(writeId).catch(() => {});
    throw error;
  }
}

interface TargetSlot {
  readonly shardIndex: number;
  readonly node: NodeView;
  /** Rewrites the shard's own file on its own node (not recorded as pending: a failure leaves the old file). */
  readonly inPlace: boolean;
}

interface UploadSlot extends TargetSlot {
  readonly upload: ShardUpload;
  readonly hashes: HashListBuilder;
  failure: string | null;
}

async function rebuildShards(
  ctx: RepairContext,
  placement: SegmentPlacement,
  job: RepairJob,
  targets: readonly TargetSlot[],
  signal: AbortSignal,
): Promise<{ committed: ShardPlacement[]; bytes: number; sourceFailures: SourceFailure[] }> {
  const { profile } = placement;
  const stripes = stripeCount(profile, placement.length);
  const corrupt = new Set(job.corruptShards);
  const suspect = new Set(job.suspectShards);
  // Suspects first: reading one through is how repair learns it is fine (or not).
  const sources = placement.shards
    .filter((shard) => !corrupt.has(shard.shardIndex))
    .sort((a, b) => Number(suspect.has(b.shardIndex)) - Number(suspect.has(a.shardIndex)) || a.shardIndex - b.shardIndex);
  const reader = new StripeBatchReader({
    client: ctx.client, registry: ctx.registry, hashLists: ctx.hashLists, metrics: ctx.metrics,
    segmentId: placement.segmentId, profile, stripeCount: stripes, sources, signal,
  });
  const slots: UploadSlot[] = targets.map((target) => {
    const slot: UploadSlot = {
      ...target,
      upload: ctx.client.upload(target.node, shardId(placement.segmentId, target.shardIndex), profile.chunkSize, signal),
      hashes: new HashListBuilder(profile.chunkSize),
      failure: null,
    };
    slot.upload.done.catch((error: Error) => { slot.failure ??= error.message; });
    return slot;
  });
  const live = () => slots.filter((slot) => slot.failure === null);
  const batchStripes = Math.max(1, Math.floor(BATCH_BYTES_PER_SHARD / profile.chunkSize));
  let bytes = 0;
  try {
    for (let stripe = 0; stripe < stripes && live().length > 0; stripe += batchStripes) {
      const count = Math.min(batchStripes, stripes - stripe);
      await ctx.limiter.take(count * profile.chunkSize * profile.dataShards, signal);
      const columns = ctx.codec.reconstructAll(profile, await reader.next(count));
      await Promise.all(live().map(async (slot) => {
        const column = columns[slot.shardIndex]!;
        slot.hashes.push(column);
        try {
          await writeWithBackpressure(slot.upload.body, column);
        } catch (error) {
          slot.failure ??= (error as Error).message;
        }
      }));
    }
  } catch (error) {
    for (const slot of slots) slot.upload.body.destroy();
    throw error;
  } finally {
    reader.close();
  }
  for (const slot of live()) slot.upload.body.end();
  await Promise.all(slots.map((slot) => slot.upload.done.catch(() => {})));
  const committed: ShardPlacement[] = [];
  await Promise.all(live().map(async (slot) => {
    const list = slot.hashes.finish();
    const root = hashListRoot(list);
    const known = placement.shards.find((s) => s.shardIndex === slot.shardIndex)?.root;
    if (known && !Buffer.from(known).equals(Buffer.from(root))) {
      slot.failure = 're-created shard does not hash to the root in metadata';
      return;
    }
    try {
      await ctx.client.commit(slot.node, shardId(placement.segmentId, slot.shardIndex), list, signal);
      committed.push({ shardIndex: slot.shardIndex, nodeId: slot.node.record.id, root });
      bytes += slot.hashes.byteLength;
    } catch (error) {
      slot.failure ??= (error as Error).message;
    }
  }));
  committed.sort((a, b) => a.shardIndex - b.shardIndex);
  return { committed, bytes, sourceFailures: reader.failures };
}
