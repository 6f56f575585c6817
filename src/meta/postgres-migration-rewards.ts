/**
 * Schema step: the rewards ledger (REWARDS_MIGRATION of sqlite-migration-rewards.ts in PostgreSQL
 * terms). An entry of POSTGRES_MIGRATIONS: never edit it once released, add a new one.
 */
export const POSTGRES_REWARDS_MIGRATION = `
  CREATE TABLE shard_holdings (
    id          bigserial PRIMARY KEY,
    node_id     text COLLATE "C" NOT NULL,
    segment_id  text COLLATE "C" NOT NULL,
    shard_index integer NOT NULL,
    bytes       bigint NOT NULL,
    from_ms     bigint NOT NULL,
    to_ms       bigint,
    end_reason  text
  );
  CREATE INDEX shard_holdings_by_node ON shard_holdings (node_id, to_ms);
  CREATE INDEX shard_holdings_open ON shard_holdings (segment_id, shard_index) WHERE to_ms IS NULL;

  CREATE TABLE node_service (
    node_id        text COLLATE "C" NOT NULL,
    slot_ms        bigint NOT NULL,
    kind           text COLLATE "C" NOT NULL,
    verified_bytes bigint NOT NULL,
    failed_bytes   bigint NOT NULL,
    answered       bigint NOT NULL,
    failed         bigint NOT NULL,
    audits_passed  bigint NOT NULL,
    audits_failed  bigint NOT NULL,
    PRIMARY KEY (node_id, slot_ms, kind)
  );

  -- Shards stored before the ledger earn from the migration on (see sqlite-migration-rewards.ts).
  INSERT INTO shard_holdings (node_id, segment_id, shard_index, bytes, from_ms)
    SELECT sh.node_id, s.segment_id, sh.shard_index,
      ((s.data_length + s.data_shards * s.chunk_size - 1) / (s.data_shards * s.chunk_size)) * s.chunk_size,
      (extract(epoch FROM clock_timestamp()) * 1000)::bigint
    FROM segments s JOIN shards sh ON sh.segment_ref = s.id WHERE s.ref_count > 0 ORDER BY s.id, sh.shard_index;
`;
