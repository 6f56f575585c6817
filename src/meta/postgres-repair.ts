import type { Sql } from './postgres-db.ts';
import { REPAIR_SQL } from './postgres-repair-sql.ts';
import { claimPending } from './postgres-segments.ts';
import type {
  PlacedShard,
  NodeAdminRecord, NodeAdminState, PlacementSwap, PlacementSwapResult, RepairJob, RepairQueueStats, RepairRequest,
  SegmentPlacement, SegmentScanEntry, ShardInFlight,
} from './repair-types.ts';
import { shardId, type SegmentRecord, type ShardPlacement } from './types.ts';

/**
 * Repair in the PostgreSQL store (the model of sqlite-repair.ts): node admin states, the leased
 * and fenced repair queue, segment scans and placement swaps. A function that changes several
 * rows runs in the caller's write transaction, one that reads several in a read transaction;
 * nothing here opens one.
 */

interface SegmentPlacementRow {
  id: number; segment_id: string; data_length: number; data_shards: number; parity_shards: number; chunk_size: number;
  placement_version: number; ref_count: number;
}
interface QueueRow {
  segment_id: string; healthy_shards: number; corrupt_shards: string; suspect_shards: string; enqueued_at: number;
  not_before: number; attempts: number; lease_token: number; lease_expires_at: number | null;
}
interface PlacedShardRow { segment_ref: number; shard_index: number; node_id: string; root: Buffer }

export async function setAdminState(sql: Sql, nodeId: string, state: NodeAdminState | null, at: Date): Promise<void> {
  if (state === null) await sql.run(REPAIR_SQL.deleteAdminState, [nodeId]);
  else await sql.run(REPAIR_SQL.upsertAdminState, [nodeId, state, at.getTime()]);
}

export async function adminStates(sql: Sql): Promise<NodeAdminRecord[]> {
  return (await sql.rows<{ node_id: string; state: NodeAdminState; since: number }>(REPAIR_SQL.adminStates))
    .map((row) => ({ nodeId: row.node_id, state: row.state, since: new Date(row.since) }));
}

/** Runs in a write transaction: a new entry, or the news merged into the queued one (locked FOR UPDATE). */
export async function enqueue(sql: Sql, request: RepairRequest, at: Date): Promise<void> {
  const notBefore = (request.notBefore ?? at).getTime();
  const corrupt = sortedUnique(request.corruptShards ?? []);
  const suspect = sortedUnique(request.suspectShards ?? []);
  let row = await sql.one<QueueRow>(REPAIR_SQL.queueEntryForUpdate, [request.segmentId]);
  if (!row) {
    const inserted = await sql.run(REPAIR_SQL.insertQueueEntry, [
      request.segmentId, request.healthyShards, JSON.stringify(corrupt), JSON.stringify(suspect), at.getTime(), notBefore,
    ]);
    if (inserted > 0) return;
    // A concurrent enqueue inserted it after our look: merge into its row.
    row = (await sql.one<QueueRow>(REPAIR_SQL.queueEntryForUpdate, [request.segmentId]))!;
  }
  const oldCorrupt = JSON.parse(row.corrupt_shards) as number[];
  const oldSuspect = JSON.parse(row.suspect_shards) as number[];
  const mergedCorrupt = sortedUnique([...oldCorrupt, ...corrupt]);
  const mergedSuspect = sortedUnique([...oldSuspect, ...suspect]);
  // News (fewer healthy shards, another bad shard) cancels a retry backoff; a repeat does not.
  const news = request.healthyShards < row.healthy_shards || mergedCorrupt.length > oldCorrupt.length || mergedSuspect.length > oldSuspect.length;
  await sql.run(REPAIR_SQL.updateQueueEntry, [
    Math.min(row.healthy_shards, request.healthyShards), JSON.stringify(mergedCorrupt), JSON.stringify(mergedSuspect),
    news ? Math.min(row.not_before, notBefore) : row.not_before, request.segmentId,
  ]);
}

/** One statement: up to `limit` due, unleased entries, skipping rows other claimers hold; priority order. */
export async function claim(sql: Sql, owner: string, limit: number, leaseMs: number, at: Date): Promise<RepairJob[]> {
  if (!(limit > 0)) return [];
  const rows = await sql.rows<QueueRow>(REPAIR_SQL.claim, [at.getTime(), Math.floor(limit), owner, at.getTime() + leaseMs]);
  rows.sort((a, b) => a.healthy_shards - b.healthy_shards || a.enqueued_at - b.enqueued_at || compareText(a.segment_id, b.segment_id));
  return rows.map(toJob);
}

export async function renew(sql: Sql, segmentId: string, leaseToken: number, leaseMs: number, at: Date): Promise<boolean> {
  return await sql.run(REPAIR_SQL.renew, [at.getTime() + leaseMs, segmentId, leaseToken]) > 0;
}

/** Runs in a write transaction. */
export async function complete(sql: Sql, segmentId: string, leaseToken: number): Promise<boolean> {
  if (await sql.run(REPAIR_SQL.completeDone, [segmentId, leaseToken]) > 0) return true;
  return await sql.run(REPAIR_SQL.completeRequeued, [segmentId, leaseToken]) > 0;
}

export async function release(sql: Sql, segmentId: string, leaseToken: number, retryAt: Date, error: string): Promise<boolean> {
  return await sql.run(REPAIR_SQL.release, [retryAt.getTime(), error.slice(0, 500), segmentId, leaseToken]) > 0;
}

export async function stats(sql: Sql, at: Date): Promise<RepairQueueStats> {
  const row = (await sql.one<{ length: number; leased: number; oldest: number | null }>(REPAIR_SQL.queueStats, [at.getTime()]))!;
  return { length: row.length, leased: row.leased, oldestEnqueuedAt: row.oldest === null ? null : new Date(row.oldest) };
}

/** Runs in a read transaction (one snapshot). */
export async function scan(sql: Sql, afterCursor: number, limit: number, nodeId?: string): Promise<SegmentScanEntry[]> {
  if (!(limit > 0)) return [];
  let rows: SegmentPlacementRow[];
  if (nodeId === undefined) {
    rows = await sql.rows<SegmentPlacementRow>(REPAIR_SQL.segmentsAfter, [afterCursor, Math.floor(limit)]);
  } else {
    const refs = await sql.rows<{ segment_ref: number }>(REPAIR_SQL.segmentRefsOnNodeAfter, [nodeId, afterCursor, Math.floor(limit)]);
    rows = refs.length === 0 ? [] : await sql.rows<SegmentPlacementRow>(REPAIR_SQL.segmentsByRefs, [refs.map((ref) => ref.segment_ref)]);
  }
  const placements = await withShards(sql, rows);
  return placements.map((placement, i) => ({ ...placement, cursor: rows[i]!.id }));
}

/** Runs in a read transaction. */
export async function placement(sql: Sql, segmentId: string): Promise<SegmentPlacement | null> {
  const row = await sql.one<SegmentPlacementRow>(REPAIR_SQL.segmentById, [segmentId]);
  return row && row.ref_count > 0 ? (await withShards(sql, [row]))[0]! : null;
}

export async function shardsOnNode(sql: Sql, nodeId: string): Promise<number> {
  return (await sql.one<{ shards: number }>(REPAIR_SQL.countShardsOnNode, [nodeId]))!.shards;
}

export async function inFlight(sql: Sql, segmentId: string): Promise<ShardInFlight[]> {
  const rows = await sql.rows<{ shard_id: string; node_id: string; kind: 'garbage' | 'pending' }>(
    REPAIR_SQL.shardsInFlight, [`${segmentId}.`, `${segmentId}/`],
  );
  return rows.map((row) => ({ shardId: row.shard_id, nodeId: row.node_id, kind: row.kind }));
}

export async function shardsPlacedOnNode(sql: Sql, nodeId: string, fromSegmentId: string, throughSegmentId: string, limit: number): Promise<PlacedShard[]> {
  const rows = await sql.rows<{ segment_id: string; shard_index: number }>(REPAIR_SQL.shardsPlacedOnNodeBetween, [fromSegmentId, throughSegmentId, nodeId, limit]);
  return rows.map((row) => ({ segmentId: row.segment_id, shardIndex: Number(row.shard_index) }));
}

/** One statement over the listed ids; a name that is not `<segment id>.<index>` is always unknown. */
export async function unknownShards(sql: Sql, nodeId: string, shardIds: readonly string[]): Promise<string[]> {
  const wellFormed: { id: string; segmentId: string; shardIndex: number }[] = [];
  for (const id of shardIds) {
    const dot = id.lastIndexOf('.');
    const shardIndex = Number(id.slice(dot + 1));
    if (dot > 0 && Number.isInteger(shardIndex) && shardIndex >= 0 && shardIndex <= 0x7fffffff) {
      wellFormed.push({ id, segmentId: id.slice(0, dot), shardIndex });
    }
  }
  const unknown = new Set(wellFormed.length === 0 ? [] : (await sql.rows<{ shard_id: string }>(REPAIR_SQL.unknownShards, [
    nodeId, wellFormed.map((s) => s.id), wellFormed.map((s) => s.segmentId), wellFormed.map((s) => s.shardIndex),
  ])).map((row) => row.shard_id));
  const known = new Set(wellFormed.map((s) => s.id).filter((id) => !unknown.has(id)));
  return shardIds.filter((id) => !known.has(id));
}

/**
 * Runs in a write transaction. The segment row is locked FOR UPDATE (a concurrent swap waits,
 * then sees the bumped version); WriteAbandonedError (nothing changed) when a new shard is no
 * longer pending under the swap's write.
 */
export async function swap(sql: Sql, request: PlacementSwap, now: Date): Promise<PlacementSwapResult> {
  const row = await sql.one<SegmentPlacementRow>(REPAIR_SQL.segmentByIdForUpdate, [request.segmentId]);
  if (!row || row.ref_count === 0) return { replaced: false, reason: 'gone' };
  if (row.placement_version !== request.expectedVersion) return { replaced: false, reason: 'changed' };
  const pending = await claimPending(sql, request.writeId, [{ id: request.segmentId, shards: request.replacements } as unknown as SegmentRecord]);
  for (const shard of request.replacements) {
    const old = await sql.one<{ node_id: string }>(REPAIR_SQL.shardOfSegment, [row.id, shard.shardIndex]);
    if (old && old.node_id !== shard.nodeId) {
      await sql.run(REPAIR_SQL.insertGarbage, [shardId(request.segmentId, shard.shardIndex), old.node_id, now.getTime()]);
    }
    await sql.run(REPAIR_SQL.upsertShard, [row.id, shard.shardIndex, shard.nodeId, Buffer.from(shard.root)]);
  }
  const bumped = (await sql.one<{ placement_version: number }>(REPAIR_SQL.bumpPlacementVersion, [row.id]))!;
  await pending.settle(now);
  return { replaced: true, placementVersion: bumped.placement_version };
}

async function withShards(sql: Sql, rows: readonly SegmentPlacementRow[]): Promise<SegmentPlacement[]> {
  if (rows.length === 0) return [];
  const shards = new Map<number, ShardPlacement[]>();
  for (const shard of await sql.rows<PlacedShardRow>(REPAIR_SQL.shardsOfSegments, [rows.map((row) => row.id)])) {
    let list = shards.get(shard.segment_ref);
    if (!list) shards.set(shard.segment_ref, list = []);
    list.push({ shardIndex: shard.shard_index, nodeId: shard.node_id, root: new Uint8Array(shard.root) });
  }
  return rows.map((row) => ({
    segmentId: row.segment_id,
    length: row.data_length,
    profile: { dataShards: row.data_shards, parityShards: row.parity_shards, chunkSize: row.chunk_size },
    shards: shards.get(row.id) ?? [],
    placementVersion: row.placement_version,
  }));
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

function compareText(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
