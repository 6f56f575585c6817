import { shardFileLength } from '../erasure/layout.ts';
import type { Sql } from './postgres-db.ts';
import type {
  HoldingEnd, HoldingLoss, NodeServiceCounts, NodeServiceTotal, PlacedShards, ServiceKind, ShardHolding,
} from './rewards-types.ts';
import type { TimeWindow } from './usage-types.ts';

/**
 * The PostgreSQL side of the rewards ledger (postgres-migration-rewards.ts), the same verbs as
 * sqlite-rewards.ts. Functions that change rows run inside the caller's write transaction.
 * Byte-time is summed by the database in `numeric` (arbitrary precision) and read back as text,
 * so it is exact however many rows and however large.
 */
export const REWARDS_SQL = {
  openHoldings: `INSERT INTO shard_holdings (node_id, segment_id, shard_index, bytes, from_ms)
    SELECT node_id, $2, shard_index, $3, $4 FROM unnest($1::text[], $5::integer[]) AS t (node_id, shard_index)`,
  closeUnreferenced: `UPDATE shard_holdings SET to_ms = greatest(from_ms, $1), end_reason = 'gc'
    WHERE to_ms IS NULL AND segment_id IN (SELECT segment_id FROM segments WHERE ref_count = 0)`,
  closeShard: `UPDATE shard_holdings SET to_ms = greatest(from_ms, $3), end_reason = $4
    WHERE segment_id = $1 AND shard_index = $2 AND to_ms IS NULL`,
  closeShardOnNode: `UPDATE shard_holdings SET to_ms = greatest(from_ms, $4), end_reason = $5
    WHERE segment_id = $1 AND shard_index = $2 AND node_id = $3 AND to_ms IS NULL`,
  // Two seeks on (node_id, to_ms), as in SQLite: open holdings, and those that ended after the window began.
  storedByteMs: `SELECT coalesce(sum(bytes::numeric * (least(coalesce(to_ms, $2), $2) - greatest(from_ms, $3))), 0)::text AS byte_ms
    FROM (SELECT bytes, from_ms, to_ms FROM shard_holdings WHERE node_id = $1 AND to_ms IS NULL AND from_ms < $2
      UNION ALL SELECT bytes, from_ms, to_ms FROM shard_holdings WHERE node_id = $1 AND to_ms > $3 AND from_ms < $2) AS held`,
  holdingsOfNode: 'SELECT * FROM shard_holdings WHERE node_id = $1 ORDER BY from_ms, id',
  addService: `INSERT INTO node_service (node_id, slot_ms, kind, verified_bytes, failed_bytes, answered, failed, audits_passed, audits_failed)
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[])
    ON CONFLICT (node_id, slot_ms, kind) DO UPDATE SET
      verified_bytes = node_service.verified_bytes + excluded.verified_bytes, failed_bytes = node_service.failed_bytes + excluded.failed_bytes,
      answered = node_service.answered + excluded.answered, failed = node_service.failed + excluded.failed,
      audits_passed = node_service.audits_passed + excluded.audits_passed, audits_failed = node_service.audits_failed + excluded.audits_failed`,
  serviceInWindow: `SELECT kind, sum(verified_bytes)::bigint AS verified_bytes, sum(failed_bytes)::bigint AS failed_bytes,
      sum(answered)::bigint AS answered, sum(failed)::bigint AS failed, sum(audits_passed)::bigint AS audits_passed,
      sum(audits_failed)::bigint AS audits_failed, count(*) FILTER (WHERE answered + failed > 0) AS observed_slots
    FROM node_service WHERE node_id = $1 AND slot_ms >= $2 AND slot_ms < $3 GROUP BY kind ORDER BY kind`,
} as const;

export async function openSegmentHoldings(sql: Sql, segment: PlacedShards, at: Date): Promise<void> {
  if (segment.shards.length === 0) return;
  await sql.run(REWARDS_SQL.openHoldings, [
    segment.shards.map((shard) => shard.nodeId), segment.id, shardFileLength(segment.profile, segment.length), at.getTime(),
    segment.shards.map((shard) => shard.shardIndex),
  ]);
}

/** A swap placed shard `shardIndex` on `nodeId`: the previous holding ends (replaced), a new one starts. */
export async function replaceShardHolding(
  sql: Sql, segment: Omit<PlacedShards, 'shards'>, shard: { readonly shardIndex: number; readonly nodeId: string }, at: Date,
): Promise<void> {
  await sql.run(REWARDS_SQL.closeShard, [segment.id, shard.shardIndex, at.getTime(), 'replaced']);
  await openSegmentHoldings(sql, { ...segment, shards: [shard] }, at);
}

/** Before a sweep deletes unreferenced segments: their holdings end (gc). */
export async function closeUnreferencedHoldings(sql: Sql, at: Date): Promise<void> {
  await sql.run(REWARDS_SQL.closeUnreferenced, [at.getTime()]);
}

export async function loseHoldings(sql: Sql, losses: readonly HoldingLoss[], at: Date): Promise<number> {
  let ended = 0;
  for (const loss of losses) {
    ended += await sql.run(REWARDS_SQL.closeShardOnNode, [loss.segmentId, loss.shardIndex, loss.nodeId, at.getTime(), loss.reason]);
  }
  return ended;
}

export async function storedByteMs(sql: Sql, nodeId: string, window: TimeWindow): Promise<bigint> {
  const row = await sql.one<{ byte_ms: string }>(REWARDS_SQL.storedByteMs, [nodeId, window.to.getTime(), window.from.getTime()]);
  return BigInt(row!.byte_ms);
}

interface HoldingRow {
  node_id: string; segment_id: string; shard_index: number; bytes: number; from_ms: number; to_ms: number | null; end_reason: HoldingEnd | null;
}

export async function listHoldings(sql: Sql, nodeId: string): Promise<ShardHolding[]> {
  return (await sql.rows<HoldingRow>(REWARDS_SQL.holdingsOfNode, [nodeId])).map((row) => ({
    nodeId: row.node_id, segmentId: row.segment_id, shardIndex: row.shard_index, bytes: row.bytes,
    from: new Date(row.from_ms), to: row.to_ms === null ? null : new Date(row.to_ms), endReason: row.end_reason,
  }));
}

export async function addService(sql: Sql, input: readonly NodeServiceCounts[]): Promise<void> {
  // One statement cannot update a row twice: rows of the same key are added up first.
  const merged = new Map<string, { -readonly [K in keyof NodeServiceCounts]: NodeServiceCounts[K] }>();
  for (const row of input) {
    const key = JSON.stringify([row.nodeId, row.slot.getTime(), row.kind]);
    const seen = merged.get(key);
    if (!seen) {
      merged.set(key, { ...row });
      continue;
    }
    seen.verifiedBytes += row.verifiedBytes;
    seen.failedBytes += row.failedBytes;
    seen.answered += row.answered;
    seen.failed += row.failed;
    seen.auditsPassed += row.auditsPassed;
    seen.auditsFailed += row.auditsFailed;
  }
  const rows = [...merged.values()];
  await sql.run(REWARDS_SQL.addService, [
    rows.map((row) => row.nodeId), rows.map((row) => row.slot.getTime()), rows.map((row) => row.kind),
    rows.map((row) => row.verifiedBytes), rows.map((row) => row.failedBytes), rows.map((row) => row.answered),
    rows.map((row) => row.failed), rows.map((row) => row.auditsPassed), rows.map((row) => row.auditsFailed),
  ]);
}

interface ServiceRow {
  kind: ServiceKind; verified_bytes: number; failed_bytes: number; answered: number; failed: number;
  audits_passed: number; audits_failed: number; observed_slots: number;
}

export async function sumService(sql: Sql, nodeId: string, window: TimeWindow): Promise<NodeServiceTotal[]> {
  return (await sql.rows<ServiceRow>(REWARDS_SQL.serviceInWindow, [nodeId, window.from.getTime(), window.to.getTime()])).map((row) => ({
    kind: row.kind, verifiedBytes: row.verified_bytes, failedBytes: row.failed_bytes, answered: row.answered, failed: row.failed,
    auditsPassed: row.audits_passed, auditsFailed: row.audits_failed, observedSlots: row.observed_slots,
  }));
}
