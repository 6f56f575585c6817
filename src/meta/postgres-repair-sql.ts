/**
 * The PostgreSQL statements of repair (tables of postgres-migration-repair.ts): node admin states,
 * the repair queue, segment scans and placement swaps. SQLite's REPAIR_SQL
 * (sqlite-repair-statements.ts) in PostgreSQL terms; claiming is SELECT ... FOR UPDATE SKIP
 * LOCKED, so gateways claiming at once take different rows instead of waiting for each other.
 */
const SEGMENT_COLUMNS = 'id, segment_id, data_length, data_shards, parity_shards, chunk_size, placement_version, ref_count';

export const REPAIR_SQL = {
  upsertAdminState: `INSERT INTO node_admin_states (node_id, state, since) VALUES ($1, $2, $3)
    ON CONFLICT (node_id) DO UPDATE SET state = excluded.state, since = excluded.since`,
  deleteAdminState: 'DELETE FROM node_admin_states WHERE node_id = $1',
  adminStates: 'SELECT * FROM node_admin_states ORDER BY node_id',

  queueEntryForUpdate: 'SELECT * FROM repair_queue WHERE segment_id = $1 FOR UPDATE',
  insertQueueEntry: `INSERT INTO repair_queue (segment_id, healthy_shards, corrupt_shards, suspect_shards, enqueued_at, not_before)
    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (segment_id) DO NOTHING`,
  updateQueueEntry: `UPDATE repair_queue SET healthy_shards = $1, corrupt_shards = $2, suspect_shards = $3, not_before = $4,
    requeued = (lease_expires_at IS NOT NULL OR requeued) WHERE segment_id = $5`,
  // Fewest healthy shards first, then oldest; rows another gateway is claiming are skipped.
  claim: `WITH picked AS (
      SELECT segment_id FROM repair_queue
      WHERE not_before <= $1 AND (lease_expires_at IS NULL OR lease_expires_at <= $1)
      ORDER BY healthy_shards, enqueued_at, segment_id LIMIT $2
      FOR UPDATE SKIP LOCKED)
    UPDATE repair_queue q SET lease_owner = $3, lease_token = q.lease_token + 1, lease_expires_at = $4,
      attempts = q.attempts + 1, requeued = false
    FROM picked WHERE q.segment_id = picked.segment_id RETURNING q.*`,
  renew: 'UPDATE repair_queue SET lease_expires_at = $1 WHERE segment_id = $2 AND lease_token = $3 AND lease_expires_at IS NOT NULL',
  completeDone: 'DELETE FROM repair_queue WHERE segment_id = $1 AND lease_token = $2 AND lease_expires_at IS NOT NULL AND NOT requeued',
  completeRequeued: `UPDATE repair_queue SET lease_owner = NULL, lease_expires_at = NULL, requeued = false
    WHERE segment_id = $1 AND lease_token = $2 AND lease_expires_at IS NOT NULL AND requeued`,
  release: `UPDATE repair_queue SET lease_owner = NULL, lease_expires_at = NULL, requeued = false, not_before = $1, last_error = $2
    WHERE segment_id = $3 AND lease_token = $4 AND lease_expires_at IS NOT NULL`,
  queueStats: `SELECT count(*) AS length, count(*) FILTER (WHERE lease_expires_at > $1) AS leased, min(enqueued_at) AS oldest
    FROM repair_queue`,

  segmentsAfter: `SELECT ${SEGMENT_COLUMNS} FROM segments WHERE id > $1 AND ref_count > 0 AND inline_data IS NULL ORDER BY id LIMIT $2`,
  segmentRefsOnNodeAfter: 'SELECT DISTINCT segment_ref FROM shards WHERE node_id = $1 AND segment_ref > $2 ORDER BY segment_ref LIMIT $3',
  segmentsByRefs: `SELECT ${SEGMENT_COLUMNS} FROM segments WHERE id = ANY($1::bigint[]) AND ref_count > 0 ORDER BY id`,
  segmentById: `SELECT ${SEGMENT_COLUMNS} FROM segments WHERE segment_id = $1 AND inline_data IS NULL`,
  segmentByIdForUpdate: `SELECT ${SEGMENT_COLUMNS} FROM segments WHERE segment_id = $1 AND inline_data IS NULL FOR UPDATE`,
  shardsOfSegments: `SELECT segment_ref, shard_index, node_id, root FROM shards WHERE segment_ref = ANY($1::bigint[])
    ORDER BY segment_ref, shard_index`,
  shardOfSegment: 'SELECT node_id FROM shards WHERE segment_ref = $1 AND shard_index = $2',
  upsertShard: `INSERT INTO shards (segment_ref, shard_index, node_id, root) VALUES ($1, $2, $3, $4)
    ON CONFLICT (segment_ref, shard_index) DO UPDATE SET node_id = excluded.node_id, root = excluded.root`,
  bumpPlacementVersion: 'UPDATE segments SET placement_version = placement_version + 1 WHERE id = $1 RETURNING placement_version',
  insertGarbage: 'INSERT INTO garbage (shard_id, node_id, enqueued_at) VALUES ($1, $2, $3)',
  countShardsOnNode: 'SELECT count(*) AS shards FROM shards WHERE node_id = $1',
  // A segment's file names are `<segment id>.<index>`: the range ['<id>.', '<id>/') holds exactly them (COLLATE "C").
  shardsInFlight: `SELECT shard_id, node_id, 'garbage' AS kind FROM garbage WHERE shard_id >= $1 AND shard_id < $2
    UNION ALL SELECT shard_id, node_id, 'pending' AS kind FROM pending_shards WHERE shard_id >= $1 AND shard_id < $2`,
  shardsPlacedOnNodeBetween: `SELECT s.segment_id, sh.shard_index FROM segments s JOIN shards sh ON sh.segment_ref = s.id
    WHERE s.segment_id COLLATE "C" >= $1 AND s.segment_id COLLATE "C" <= $2 AND sh.node_id = $3 AND s.ref_count > 0
    ORDER BY s.segment_id COLLATE "C", sh.shard_index LIMIT $4`,
  // The listed files (in the order given) that are neither placed on the node, pending there, nor queued as garbage there.
  unknownShards: `SELECT u.shard_id FROM unnest($2::text[], $3::text[], $4::integer[]) WITH ORDINALITY AS u(shard_id, segment_id, shard_index, n)
    WHERE NOT EXISTS (SELECT 1 FROM shards sh JOIN segments s ON s.id = sh.segment_ref
        WHERE s.segment_id = u.segment_id AND sh.shard_index = u.shard_index AND sh.node_id = $1)
      AND NOT EXISTS (SELECT 1 FROM pending_shards p WHERE p.shard_id = u.shard_id AND p.node_id = $1)
      AND NOT EXISTS (SELECT 1 FROM garbage g WHERE g.shard_id = u.shard_id AND g.node_id = $1)
    ORDER BY u.n`,
} as const;
