/**
 * PostgreSQL schema step: repair, SQLite's REPAIR_MIGRATION (sqlite-migration-repair.ts explains
 * the tables) in PostgreSQL terms. An entry of POSTGRES_MIGRATIONS: never edit it once released,
 * add a new one.
 *
 * `garbage.shard_id` and `node_id` become COLLATE "C": a segment's in-flight files are found with
 * the byte range ['<id>.', '<id>/'), which a locale collation would not keep contiguous.
 */
export const POSTGRES_REPAIR_MIGRATION = `
  ALTER TABLE segments ADD COLUMN placement_version integer NOT NULL DEFAULT 0;

  CREATE TABLE node_admin_states (
    node_id text COLLATE "C" PRIMARY KEY,
    state   text NOT NULL CHECK (state IN ('draining', 'drained', 'disqualified', 'forgotten')),
    since   bigint NOT NULL
  );

  CREATE TABLE repair_queue (
    segment_id       text COLLATE "C" PRIMARY KEY,
    healthy_shards   integer NOT NULL,
    corrupt_shards   text NOT NULL DEFAULT '[]',
    suspect_shards   text NOT NULL DEFAULT '[]',
    enqueued_at      bigint NOT NULL,
    not_before       bigint NOT NULL,
    attempts         integer NOT NULL DEFAULT 0,
    lease_owner      text,
    lease_token      bigint NOT NULL DEFAULT 0,
    lease_expires_at bigint,
    requeued         boolean NOT NULL DEFAULT false,
    last_error       text
  );
  CREATE INDEX repair_queue_by_priority ON repair_queue (healthy_shards, enqueued_at, segment_id);

  ALTER TABLE garbage ALTER COLUMN shard_id TYPE text COLLATE "C";
  ALTER TABLE garbage ALTER COLUMN node_id TYPE text COLLATE "C";
  CREATE INDEX garbage_by_shard ON garbage (shard_id, node_id);
  CREATE INDEX pending_shards_by_shard ON pending_shards (shard_id, node_id);
  CREATE INDEX shards_by_node ON shards (node_id, segment_ref);
`;
