import type pg from 'pg';
import { POSTGRES_ENCRYPTION_MIGRATION } from './postgres-migration-encryption.ts';
import { POSTGRES_NODE_IDENTITY_MIGRATION } from './postgres-migration-node-identity.ts';
import { POSTGRES_REPAIR_MIGRATION } from './postgres-migration-repair.ts';
import { POSTGRES_UNENCRYPTED_SEGMENTS_MIGRATION } from './postgres-migration-unencrypted-segments.ts';
import { POSTGRES_ADMIN_AUDIT_MIGRATION } from './postgres-migration-admin-audit.ts';
import { POSTGRES_REWARDS_MIGRATION } from './postgres-migration-rewards.ts';
import { POSTGRES_TAGGING_MIGRATION } from './postgres-migration-tagging.ts';
import { POSTGRES_LIFECYCLE_MIGRATION } from './postgres-migration-lifecycle.ts';
import { POSTGRES_ACCESS_MIGRATION } from './postgres-migration-access.ts';
import { SchemaTooNewError } from './sqlite-migrations.ts';
import { POSTGRES_WRITE_LEASES_MIGRATION } from './postgres-migration-write-leases.ts';
import { POSTGRES_INLINE_SEGMENTS_MIGRATION } from './postgres-migration-inline-segments.ts';

/**
 * The PostgreSQL schema as an append-only list, like SQLite's (sqlite-migrations.ts): migration i
 * takes `shardgate_schema.version` from i to i + 1. Never edit a released entry; add one. The
 * first entry is SQLite's schema as it stands after its fourth migration, in PostgreSQL terms.
 *
 * Conventions, as in SQLite: times are bigint milliseconds since the epoch; bigint surrogate ids
 * join the big tables; JSON is stored as text (read back exactly as written). Every text column
 * that is compared or ordered (keys, bucket and node names, upload ids) is COLLATE "C": byte
 * order of UTF-8, which is S3's key order and SQLite's BINARY, whatever the database's locale.
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE settings (
    name  text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
  );

  CREATE TABLE accounts (
    id         text COLLATE "C" PRIMARY KEY,
    name       text COLLATE "C" NOT NULL UNIQUE,
    created_at bigint NOT NULL
  );

  CREATE TABLE access_keys (
    access_key_id text COLLATE "C" PRIMARY KEY,
    secret_key    text NOT NULL,
    account_id    text COLLATE "C" NOT NULL REFERENCES accounts (id),
    created_at    bigint NOT NULL,
    revoked_at    bigint
  );
  CREATE INDEX access_keys_by_account ON access_keys (account_id, created_at);

  CREATE TABLE buckets (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text COLLATE "C" NOT NULL UNIQUE,
    account_id    text COLLATE "C" NOT NULL REFERENCES accounts (id),
    created_at    bigint NOT NULL,
    data_shards   integer NOT NULL,
    parity_shards integer NOT NULL,
    chunk_size    integer NOT NULL,
    acl           text NOT NULL DEFAULT 'private',
    cors_rules    text
  );
  CREATE INDEX buckets_by_account ON buckets (account_id, name);

  -- Current versions only (see SQLite's schema).
  CREATE TABLE objects (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    bucket_id       bigint NOT NULL REFERENCES buckets (id),
    key             text COLLATE "C" NOT NULL,
    version_id      text COLLATE "C" NOT NULL UNIQUE,
    size            bigint NOT NULL,
    etag            text NOT NULL,
    content_type    text NOT NULL,
    user_metadata   text NOT NULL,
    checksums       text NOT NULL,
    created_at      bigint NOT NULL,
    content_headers text NOT NULL DEFAULT '{}',
    UNIQUE (bucket_id, key)
  );

  -- Shared, reference-counted segments (sqlite-migration-multipart.ts explains the model).
  CREATE TABLE segments (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    segment_id    text COLLATE "C" NOT NULL UNIQUE,
    data_length   bigint NOT NULL,
    data_shards   integer NOT NULL,
    parity_shards integer NOT NULL,
    chunk_size    integer NOT NULL,
    ref_count     integer NOT NULL CHECK (ref_count >= 0)
  );
  CREATE INDEX segments_unreferenced ON segments (id) WHERE ref_count = 0;

  CREATE TABLE shards (
    segment_ref bigint NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    shard_index integer NOT NULL,
    node_id     text COLLATE "C" NOT NULL,
    root        bytea NOT NULL,
    PRIMARY KEY (segment_ref, shard_index)
  );

  CREATE TABLE object_segments (
    object_id     bigint NOT NULL REFERENCES objects (id) DEFERRABLE INITIALLY DEFERRED,
    segment_index integer NOT NULL,
    segment_ref   bigint NOT NULL REFERENCES segments (id),
    part_number   integer NOT NULL,
    object_offset bigint NOT NULL,
    PRIMARY KEY (object_id, segment_index)
  );
  CREATE INDEX object_segments_by_offset ON object_segments (object_id, object_offset, segment_index);
  CREATE INDEX object_segments_by_segment ON object_segments (segment_ref, object_id);

  CREATE TABLE object_parts (
    object_id     bigint NOT NULL REFERENCES objects (id) DEFERRABLE INITIALLY DEFERRED,
    part_number   integer NOT NULL,
    object_offset bigint NOT NULL,
    size          bigint NOT NULL,
    checksums     text NOT NULL,
    PRIMARY KEY (object_id, part_number)
  );

  CREATE TABLE multipart_uploads (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    upload_id            text COLLATE "C" NOT NULL UNIQUE,
    bucket_id            bigint NOT NULL REFERENCES buckets (id),
    key                  text COLLATE "C" NOT NULL,
    initiator_account_id text NOT NULL,
    initiated_at         bigint NOT NULL,
    headers              text NOT NULL,
    checksum_algorithm   text,
    checksum_type        text
  );
  CREATE UNIQUE INDEX multipart_uploads_by_key ON multipart_uploads (bucket_id, key, upload_id);

  CREATE TABLE upload_parts (
    upload_ref    bigint NOT NULL REFERENCES multipart_uploads (id) ON DELETE CASCADE,
    part_number   integer NOT NULL,
    size          bigint NOT NULL,
    etag          text NOT NULL,
    checksums     text NOT NULL,
    last_modified bigint NOT NULL,
    PRIMARY KEY (upload_ref, part_number)
  );

  CREATE TABLE part_segments (
    upload_ref    bigint NOT NULL,
    part_number   integer NOT NULL,
    segment_index integer NOT NULL,
    segment_ref   bigint NOT NULL REFERENCES segments (id),
    part_offset   bigint NOT NULL,
    PRIMARY KEY (upload_ref, part_number, segment_index),
    FOREIGN KEY (upload_ref, part_number) REFERENCES upload_parts (upload_ref, part_number) ON DELETE CASCADE
  );
  CREATE INDEX part_segments_by_segment ON part_segments (segment_ref, upload_ref);

  CREATE TABLE nodes (
    id                text COLLATE "C" PRIMARY KEY,
    url               text NOT NULL,
    zone              text NOT NULL,
    capacity_bytes    bigint NOT NULL,
    free_bytes        bigint NOT NULL,
    registered_at     bigint NOT NULL,
    last_heartbeat_at bigint NOT NULL
  );

  CREATE TABLE pending_writes (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    write_id       text COLLATE "C" NOT NULL UNIQUE,
    last_active_at bigint NOT NULL
  );
  CREATE INDEX pending_writes_by_activity ON pending_writes (last_active_at);

  CREATE TABLE pending_shards (
    write_ref  bigint NOT NULL REFERENCES pending_writes (id) ON DELETE CASCADE,
    shard_id   text COLLATE "C" NOT NULL,
    node_id    text COLLATE "C" NOT NULL,
    created_at bigint NOT NULL,
    PRIMARY KEY (write_ref, shard_id, node_id)
  );

  CREATE TABLE garbage (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    shard_id    text NOT NULL,
    node_id     text NOT NULL,
    enqueued_at bigint NOT NULL
  );
  CREATE INDEX garbage_by_age ON garbage (enqueued_at, id);

  -- Billing ledger, append-only; sizes and times are bigint (byte-milliseconds are computed in
  -- BigInt by the invoice, never stored).
  CREATE TABLE storage_ledger (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id  text COLLATE "C" NOT NULL,
    bucket      text COLLATE "C" NOT NULL,
    key         text COLLATE "C" NOT NULL,
    item        text NOT NULL,
    upload_id   text,
    part_number integer,
    cause       text NOT NULL,
    old_size    bigint,
    new_size    bigint,
    at          bigint NOT NULL
  );
  CREATE INDEX storage_ledger_by_account_time ON storage_ledger (account_id, at, id);

  CREATE TABLE request_usage (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id    text COLLATE "C" NOT NULL,
    bucket        text COLLATE "C" NOT NULL,
    request_class text COLLATE "C" NOT NULL,
    status        integer NOT NULL,
    at            bigint NOT NULL,
    requests      bigint NOT NULL,
    bytes_in      bigint NOT NULL,
    bytes_out     bigint NOT NULL
  );
  CREATE INDEX request_usage_by_account_time ON request_usage (account_id, at);
  `,
  POSTGRES_NODE_IDENTITY_MIGRATION,
  POSTGRES_ENCRYPTION_MIGRATION,
  POSTGRES_REPAIR_MIGRATION,
  POSTGRES_UNENCRYPTED_SEGMENTS_MIGRATION,
  POSTGRES_ADMIN_AUDIT_MIGRATION,
  POSTGRES_REWARDS_MIGRATION,
  POSTGRES_WRITE_LEASES_MIGRATION,
  POSTGRES_TAGGING_MIGRATION,
  POSTGRES_LIFECYCLE_MIGRATION,
  // Bucket policies and object ACLs.
  POSTGRES_ACCESS_MIGRATION,
  // Tiny objects' ciphertext inline in segment rows (see the imported file).
  POSTGRES_INLINE_SEGMENTS_MIGRATION,
];

/** The advisory lock (one bigint key) every gateway takes to migrate: "shardgate" in ASCII. */
export const MIGRATION_LOCK_KEY = 0x7368617264676174n;

/**
 * Brings the database to the latest schema under a session advisory lock, so gateways starting
 * at once migrate one after another (the later ones find nothing to do). Each migration runs in
 * one transaction with its version bump: a crash leaves the old version or the new one. Throws
 * SchemaTooNewError for a database migrated by a newer gateway. Returns the schema version.
 */
export async function migratePostgres(pool: pg.Pool, migrations: readonly string[] = POSTGRES_MIGRATIONS): Promise<number> {
  const client = await pool.connect();
  let broken: Error | undefined;
  const onError = (error: Error) => { broken = error; };
  client.on('error', onError);
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY.toString()]);
    try {
      await client.query('CREATE TABLE IF NOT EXISTS shardgate_schema (version integer NOT NULL)');
      await client.query('INSERT INTO shardgate_schema (version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM shardgate_schema)');
      const readVersion = async () => (await client.query<{ version: number }>('SELECT version FROM shardgate_schema')).rows[0]!.version;
      const start = await readVersion();
      if (start > migrations.length) throw new SchemaTooNewError(start, migrations.length);
      for (let index = start; index < migrations.length; index += 1) {
        await client.query('BEGIN');
        try {
          await client.query(migrations[index]!);
          await client.query('UPDATE shardgate_schema SET version = $1', [index + 1]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch((rollbackError: Error) => { broken = rollbackError; });
          throw error;
        }
      }
      return await readVersion();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY.toString()]).catch((error: Error) => { broken = error; });
    }
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
