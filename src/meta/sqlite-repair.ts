import type {
  NodeAdminRecord, NodeAdminState, PlacementSwap, PlacementSwapResult, RepairJob, RepairQueueStats, RepairRequest,
  PlacedShard, SegmentPlacement, SegmentScanEntry, ShardInFlight,
} from './repair-types.ts';
import type { RepairStatements } from './sqlite-repair-statements.ts';
import { PendingClaim } from './sqlite-segments.ts';
import type { Statements } from './sqlite-statements.ts';
import { shardId, type SegmentRecord, type ShardPlacement } from './types.ts';

interface SegmentPlacementRow {
  id: number; segment_id: string; data_length: number; data_shards: number; parity_shards: number; chunk_size: number;
  placement_version: number; ref_count: number;
}
interface QueueRow {
  segment_id: string; healthy_shards: number; corrupt_shards: string; suspect_shards: string; enqueued_at: number;
  not_before: number; attempts: number; lease_token: number; lease_expires_at: number | null;
}

/**
 * Repair in the SQLite store: node admin states, the repair queue (claim / renew / complete /
 * release with a fencing token) and placement swaps. Methods run inside the store's transaction
 * when they change several rows (the caller opens it); nothing here opens one.
 */
export class SqliteRepair {
  constructor(private readonly sql: RepairStatements, private readonly storeSql: Statements) {}

  setAdminState(nodeId: string, state: NodeAdminState | null, at: Date): void {
    if (state === null) this.sql.deleteAdminState.run(nodeId);
    else this.sql.upsertAdminState.run(nodeId, state, at.getTime());
  }

  adminStates(): NodeAdminRecord[] {
    return (this.sql.adminStates.all() as { node_id: string; state: NodeAdminState; since: number }[])
      .map((row) => ({ nodeId: row.node_id, state: row.state, since: new Date(row.since) }));
  }

  /** Runs inside a write transaction. */
  enqueue(request: RepairRequest, at: Date): void {
    const notBefore = (request.notBefore ?? at).getTime();
    const corrupt = sortedUnique(request.corruptShards ?? []);
    const suspect = sortedUnique(request.suspectShards ?? []);
    const row = this.sql.queueEntry.get(request.segmentId) as QueueRow | undefined;
    if (!row) {
      this.sql.insertQueueEntry.run(request.segmentId, request.healthyShards, JSON.stringify(corrupt), JSON.stringify(suspect), at.getTime(), notBefore);
      return;
    }
    const oldCorrupt = JSON.parse(row.corrupt_shards) as number[];
    const oldSuspect = JSON.parse(row.suspect_shards) as number[];
    const mergedCorrupt = sortedUnique([...oldCorrupt, ...corrupt]);
    const mergedSuspect = sortedUnique([...oldSuspect, ...suspect]);
    // News (fewer healthy shards, another bad shard) cancels a retry backoff; a repeat does not.
    const news = request.healthyShards < row.healthy_shards || mergedCorrupt.length > oldCorrupt.length || mergedSuspect.length > oldSuspect.length;
    this.sql.updateQueueEntry.run(
      Math.min(row.healthy_shards, request.healthyShards), JSON.stringify(mergedCorrupt), JSON.stringify(mergedSuspect),
      news ? Math.min(row.not_before, notBefore) : row.not_before, request.segmentId,
    );
  }

  /** Runs inside a write transaction. */
  claim(owner: string, limit: number, leaseMs: number, at: Date): RepairJob[] {
    if (!(limit > 0)) return [];
    const ids = this.sql.claimable.all({ now: at.getTime(), limit: Math.floor(limit) }) as { segment_id: string }[];
    return ids.map(({ segment_id }) => toJob(this.sql.claim.get(owner, at.getTime() + leaseMs, segment_id) as QueueRow));
  }

  renew(segmentId: string, leaseToken: number, leaseMs: number, at: Date): boolean {
    return this.sql.renew.run(at.getTime() + leaseMs, segmentId, leaseToken).changes > 0;
  }

  /** Runs inside a write transaction. */
  complete(segmentId: string, leaseToken: number): boolean {
    if (this.sql.completeDone.run(segmentId, leaseToken).changes > 0) return true;
    return this.sql.completeRequeued.run(segmentId, leaseToken).changes > 0;
  }

  release(segmentId: string, leaseToken: number, retryAt: Date, error: string): boolean {
    return this.sql.release.run(retryAt.getTime(), error.slice(0, 500), segmentId, leaseToken).changes > 0;
  }

  stats(at: Date): RepairQueueStats {
    const row = this.sql.queueStats.get(at.getTime()) as { length: number; leased: number; oldest: number | null };
    return { length: row.length, leased: row.leased, oldestEnqueuedAt: row.oldest === null ? null : new Date(row.oldest) };
  }

  /** Runs inside a read transaction (one snapshot). */
  scan(afterCursor: number, limit: number, nodeId?: string): SegmentScanEntry[] {
    if (!(limit > 0)) return [];
    const rows = nodeId === undefined
      ? this.sql.segmentsAfter.all(afterCursor, Math.floor(limit)) as SegmentPlacementRow[]
      : (this.sql.segmentRefsOnNodeAfter.all(nodeId, afterCursor, Math.floor(limit)) as { segment_ref: number }[])
        .map(({ segment_ref }) => this.sql.segmentByRef.get(segment_ref) as SegmentPlacementRow)
        .filter((row) => row.ref_count > 0);
    return rows.map((row) => ({ ...this.#placement(row), cursor: row.id }));
  }

  /** Runs inside a read transaction. */
  placement(segmentId: string): SegmentPlacement | null {
    const row = this.sql.segmentById.get(segmentId) as SegmentPlacementRow | undefined;
    return row && row.ref_count > 0 ? this.#placement(row) : null;
  }

  shardsOnNode(nodeId: string): number {
    return (this.sql.countShardsOnNode.get(nodeId) as { shards: number }).shards;
  }

  inFlight(segmentId: string): ShardInFlight[] {
    return (this.sql.shardsInFlight.all({ from: `${segmentId}.`, to: `${segmentId}/` }) as { shard_id: string; node_id: string; kind: 'garbage' | 'pending' }[])
      .map((row) => ({ shardId: row.shard_id, nodeId: row.node_id, kind: row.kind }));
  }

  /** Runs inside a read transaction. */
  unknownShards(nodeId: string, shardIds: readonly string[]): string[] {
    return shardIds.filter((id) => {
      const dot = id.lastIndexOf('.');
      const segmentId = id.slice(0, dot);
      const shardIndex = Number(id.slice(dot + 1));
      return dot <= 0 || !Number.isInteger(shardIndex)
        || (!this.sql.shardPlacedOnNode.get(segmentId, shardIndex, nodeId)
          && !this.sql.shardPendingOnNode.get(id, nodeId)
          && !this.sql.shardGarbageOnNode.get(id, nodeId));
    });
  }

  /** Runs inside a read transaction. */
  shardsPlacedOnNode(nodeId: string, fromSegmentId: string, throughSegmentId: string, limit: number): PlacedShard[] {
    return (this.sql.shardsPlacedOnNodeBetween.all(fromSegmentId, throughSegmentId, nodeId, limit) as { segment_id: string; shard_index: number }[])
      .map((row) => ({ segmentId: row.segment_id, shardIndex: row.shard_index }));
  }

  /** Runs inside a write transaction; throws WriteAbandonedError (nothing changed) when a new shard is no longer pending. */
  swap(swap: PlacementSwap, now: Date): PlacementSwapResult {
    const row = this.sql.segmentById.get(swap.segmentId) as SegmentPlacementRow | undefined;
    if (!row || row.ref_count === 0) return { replaced: false, reason: 'gone' };
    if (row.placement_version !== swap.expectedVersion) return { replaced: false, reason: 'changed' };
    const claim = PendingClaim.claim(this.storeSql, swap.writeId, [{ id: swap.segmentId, shards: swap.replacements } as unknown as SegmentRecord]);
    for (const shard of swap.replacements) {
      const old = this.sql.shardOfSegment.get(row.id, shard.shardIndex) as { node_id: string } | undefined;
      if (old && old.node_id !== shard.nodeId) this.storeSql.insertGarbage.run(shardId(swap.segmentId, shard.shardIndex), old.node_id, now.getTime());
      this.sql.upsertShard.run(row.id, shard.shardIndex, shard.nodeId, shard.root);
    }
    const { placement_version } = this.sql.bumpPlacementVersion.get(row.id) as { placement_version: number };
    claim.settle(now);
    return { replaced: true, placementVersion: placement_version };
  }

  #placement(row: SegmentPlacementRow): SegmentPlacement {
    const shards = (this.sql.shardsOfSegment.all(row.id) as { shard_index: number; node_id: string; root: Buffer }[])
      .map((shard): ShardPlacement => ({ shardIndex: shard.shard_index, nodeId: shard.node_id, root: new Uint8Array(shard.root) }));
    return {
      segmentId: row.segment_id,
      length: row.data_length,
      profile: { dataShards: row.data_shards, parityShards: row.parity_shards, chunkSize: row.chunk_size },
      shards,
      placementVersion: row.placement_version,
    };
  }
}

function toJob(row: QueueRow): RepairJob {
  return {
    segmentId: row.segment_id,
    healthyShards: row.healthy_shards,
    corruptShards: JSON.parse(row.corrupt_shards) as number[],
    suspectShards: JSON.parse(row.suspect_shards) as number[],
    enqueuedAt: new Date(row.enqueued_at),
    attempts: row.attempts,
    leaseToken: row.lease_token,
    leaseExpiresAt: new Date(row.lease_expires_at!),
  };
}

function sortedUnique(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}
