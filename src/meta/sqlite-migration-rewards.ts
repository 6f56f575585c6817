/**
 * Schema step: the rewards ledger (issue 16). An entry of MIGRATIONS (sqlite-migrations.ts):
 * never edit it once released, add a new one. See rewards-types.ts.
 *
 * - `shard_holdings`: one row per (node, shard placement): bytes of the shard file, from, to
 *   (NULL while held) and why it ended. Opened and closed by the store in the transactions that
 *   place and remove shards. No foreign keys: the history outlives segments and nodes. Indexed by
 *   (node, end), so a window's byte-time seeks past every holding that ended before the window
 *   (the history grows; windows are mostly recent).
 * - `node_service`: counters per node, hour slot and kind of read (client, repair, audit).
 *
 * Existing data: every shard of a referenced segment gets an open holding from the moment of the
 * migration (its bytes: stripes × chunk size), so shards stored before the ledger earn from then on.
 */
export const REWARDS_MIGRATION = `
  CREATE TABLE shard_holdings (
    id          INTEGER PRIMARY KEY,
    node_id     TEXT NOT NULL,
    segment_id  TEXT NOT NULL,
    shard_index INTEGER NOT NULL,
    bytes       INTEGER NOT NULL,
    from_ms     INTEGER NOT NULL,
    to_ms       INTEGER,
    end_reason  TEXT
  );
  CREATE INDEX shard_holdings_by_node ON shard_holdings (node_id, to_ms);
  CREATE INDEX shard_holdings_open ON shard_holdings (segment_id, shard_index) WHERE to_ms IS NULL;

  CREATE TABLE node_service (
    node_id        TEXT NOT NULL,
    slot_ms        INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    verified_bytes INTEGER NOT NULL,
    failed_bytes   INTEGER NOT NULL,
    answered       INTEGER NOT NULL,
    failed         INTEGER NOT NULL,
    audits_passed  INTEGER NOT NULL,
    audits_failed  INTEGER NOT NULL,
    PRIMARY KEY (node_id, slot_ms, kind)
  ) WITHOUT ROWID;

  INSERT INTO shard_holdings (node_id, segment_id, shard_index, bytes, from_ms)
    SELECT sh.node_id, s.segment_id, sh.shard_index,
      ((s.data_length + s.data_shards * s.chunk_size - 1) / (s.data_shards * s.chunk_size)) * s.chunk_size,
      CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
    FROM segments s JOIN shards sh ON sh.segment_ref = s.id WHERE s.ref_count > 0 ORDER BY s.id, sh.shard_index;
`;
