/**
 * Schema step: repair (issue 10). An entry of MIGRATIONS (sqlite-migrations.ts): never edit it
 * once released, add a new one.
 *
 * - `segments.placement_version`: bumped by every placement swap (repair, drain), so a swap
 *   computed from an older read of the placements changes nothing.
 * - `node_admin_states`: what an operator (or the audits) decided about a node and must survive a
 *   restart: draining, drained, disqualified, forgotten. Online/offline/lost are derived from
 *   heartbeats and never stored.
 * - `repair_queue`: one row per segment needing repair, fewest healthy shards first; a claim is a
 *   lease (owner, expiry) with a fencing token that every later verb must present.
 * - Indexes to find a segment's shards in the garbage and pending queues (a repaired shard must
 *   never land on a node where the same file name is about to be deleted) and a node's shards
 *   (drain, status).
 */
export const REPAIR_MIGRATION = `
  ALTER TABLE segments ADD COLUMN placement_version INTEGER NOT NULL DEFAULT 0;

  CREATE TABLE node_admin_states (
    node_id TEXT PRIMARY KEY,
    state   TEXT NOT NULL CHECK (state IN ('draining', 'drained', 'disqualified', 'forgotten')),
    since   INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE repair_queue (
    segment_id       TEXT PRIMARY KEY,
    healthy_shards   INTEGER NOT NULL,
    corrupt_shards   TEXT NOT NULL DEFAULT '[]',
    suspect_shards   TEXT NOT NULL DEFAULT '[]',
    enqueued_at      INTEGER NOT NULL,
    not_before       INTEGER NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    lease_owner      TEXT,
    lease_token      INTEGER NOT NULL DEFAULT 0,
    lease_expires_at INTEGER,
    requeued         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT
  ) WITHOUT ROWID;
  CREATE INDEX repair_queue_by_priority ON repair_queue (healthy_shards, enqueued_at);

  CREATE INDEX garbage_by_shard ON garbage (shard_id, node_id);
  CREATE INDEX pending_shards_by_shard ON pending_shards (shard_id, node_id);
  CREATE INDEX shards_by_node ON shards (node_id, segment_ref);
`;
