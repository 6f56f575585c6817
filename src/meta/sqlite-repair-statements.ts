import type { Database, Statement } from 'better-sqlite3';

/**
 * The SQLite statements of repair (tables of sqlite-migration-repair.ts): node admin states, the
 * repair queue, segment scans and placement swaps. Prepared once per connection.
 */
const SEGMENT_COLUMNS = 'id, segment_id, data_length, data_shards, parity_shards, chunk_size, placement_version, ref_count';

export const REPAIR_SQL = {
  upsertAdminState: `INSERT INTO node_admin_states (node_id, state, since) VALUES (?, ?, ?)
    ON CONFLICT (node_id) DO UPDATE SET state = excluded.state, since = excluded.since`,
  deleteAdminState: 'DELETE FROM node_admin_states WHERE node_id = ?',
  adminStates: 'SELECT * FROM node_admin_states ORDER BY node_id',

  queueEntry: 'SELECT * FROM repair_queue WHERE segment_id = ?',
  insertQueueEntry: `INSERT INTO repair_queue (segment_id, healthy_shards, corrupt_shards, suspect_shards, enqueued_at, not_before)
    VALUES (?, ?, ?, ?, ?, ?)`,
  updateQueueEntry: `UPDATE repair_queue SET healthy_shards = ?, corrupt_shards = ?, suspect_shards = ?, not_before = ?,
    requeued = CASE WHEN lease_expires_at IS NOT NULL THEN 1 ELSE requeued END WHERE segment_id = ?`,
  // Fewest healthy shards first, then oldest: a walk of repair_queue_by_priority. (PostgreSQL:
  // the same SELECT ... FOR UPDATE SKIP LOCKED, then this UPDATE.)
  claimable: `SELECT segment_id FROM repair_queue
    WHERE not_before <= @now AND (lease_expires_at IS NULL OR lease_expires_at <= @now)
    ORDER BY healthy_shards, enqueued_at LIMIT @limit`,
  claim: `UPDATE repair_queue SET lease_owner = ?, lease_token = lease_token + 1, lease_expires_at = ?,
    attempts = attempts + 1, requeued = 0 WHERE segment_id = ? RETURNING *`,
  renew: 'UPDATE repair_queue SET lease_expires_at = ? WHERE segment_id = ? AND lease_token = ? AND lease_expires_at IS NOT NULL',
  completeDone: 'DELETE FROM repair_queue WHERE segment_id = ? AND lease_token = ? AND lease_expires_at IS NOT NULL AND requeued = 0',
  completeRequeued: `UPDATE repair_queue SET lease_owner = NULL, lease_expires_at = NULL, requeued = 0
    WHERE segment_id = ? AND lease_token = ? AND lease_expires_at IS NOT NULL AND requeued = 1`,
  release: `UPDATE repair_queue SET lease_owner = NULL, lease_expires_at = NULL, requeued = 0, not_before = ?, last_error = ?
    WHERE segment_id = ? AND lease_token = ? AND lease_expires_at IS NOT NULL`,
  queueStats: `SELECT count(*) AS length, coalesce(sum(lease_expires_at > ?), 0) AS leased, min(enqueued_at) AS oldest
    FROM repair_queue`,

  segmentsAfter: `SELECT ${SEGMENT_COLUMNS} FROM segments WHERE id > ? AND ref_count > 0 AND inline_data IS NULL ORDER BY id LIMIT ?`,
  segmentRefsOnNodeAfter: 'SELECT DISTINCT segment_ref FROM shards WHERE node_id = ? AND segment_ref > ? ORDER BY segment_ref LIMIT ?',
  segmentByRef: `SELECT ${SEGMENT_COLUMNS} FROM segments WHERE id = ?`,
  segmentById: `SELECT ${SEGMENT_COLUMNS} FROM segments WHERE segment_id = ? AND inline_data IS NULL`,
  shardsOfSegment: 'SELECT shard_index, node_id, root FROM shards WHERE segment_ref = ? ORDER BY shard_index',
  shardOfSegment: 'SELECT node_id FROM shards WHERE segment_ref = ? AND shard_index = ?',
  upsertShard: `INSERT INTO shards (segment_ref, shard_index, node_id, root) VALUES (?, ?, ?, ?)
    ON CONFLICT (segment_ref, shard_index) DO UPDATE SET node_id = excluded.node_id, root = excluded.root`,
  bumpPlacementVersion: 'UPDATE segments SET placement_version = placement_version + 1 WHERE id = ? RETURNING placement_version',
  countShardsOnNode: 'SELECT count(*) AS shards FROM shards WHERE node_id = ?',
  // A segment's file names are `<segment id>.<index>`: the range ['<id>.', '<id>/') holds exactly them.
  shardsInFlight: `SELECT shard_id, node_id, 'garbage' AS kind FROM garbage WHERE shard_id >= @from AND shard_id < @to
    UNION ALL SELECT shard_id, node_id, 'pending' AS kind FROM pending_shards WHERE shard_id >= @from AND shard_id < @to`,
  shardPlacedOnNode: `SELECT 1 FROM shards sh JOIN segments s ON s.id = sh.segment_ref
    WHERE s.segment_id = ? AND sh.shard_index = ? AND sh.node_id = ?`,
  shardPendingOnNode: 'SELECT 1 FROM pending_shards WHERE shard_id = ? AND node_id = ? LIMIT 1',
  shardsPlacedOnNodeBetween: `SELECT s.segment_id, sh.shard_index FROM segments s JOIN shards sh ON sh.segment_ref = s.id
    WHERE s.segment_id >= ? AND s.segment_id <= ? AND sh.node_id = ? AND s.ref_count > 0
    ORDER BY s.segment_id, sh.shard_index LIMIT ?`,
  shardGarbageOnNode: 'SELECT 1 FROM garbage WHERE shard_id = ? AND node_id = ? LIMIT 1',
} as const;

export type RepairStatements = Readonly<Record<keyof typeof REPAIR_SQL, Statement<unknown[], unknown>>>;

export function prepareRepairStatements(db: Database): RepairStatements {
  const prepared = {} as Record<keyof typeof REPAIR_SQL, Statement<unknown[], unknown>>;
  for (const name of Object.keys(REPAIR_SQL) as (keyof typeof REPAIR_SQL)[]) prepared[name] = db.prepare(REPAIR_SQL[name]);
  return prepared;
}
