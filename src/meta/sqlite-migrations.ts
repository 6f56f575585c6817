import type { Database } from 'better-sqlite3';
import { ENCRYPTION_MIGRATION } from './sqlite-migration-encryption.ts';
import { MULTIPART_MIGRATION } from './sqlite-migration-multipart.ts';
import { NODE_IDENTITY_MIGRATION } from './sqlite-migration-node-identity.ts';
import { REPAIR_MIGRATION } from './sqlite-migration-repair.ts';
import { UNENCRYPTED_SEGMENTS_MIGRATION } from './sqlite-migration-unencrypted-segments.ts';
import { ADMIN_AUDIT_MIGRATION } from './sqlite-migration-admin-audit.ts';
import { REWARDS_MIGRATION } from './sqlite-migration-rewards.ts';
import { WRITE_LEASES_MIGRATION } from './sqlite-migration-write-leases.ts';
import { TAGGING_MIGRATION } from './sqlite-migration-tagging.ts';
import { LIFECYCLE_MIGRATION } from './sqlite-migration-lifecycle.ts';
import { ACCESS_MIGRATION } from './sqlite-migration-access.ts';
import { INLINE_SEGMENTS_MIGRATION } from './sqlite-migration-inline-segments.ts';

/**
 * The SQLite schema as an append-only list: migration i (0-based) takes `user_version` from i to
 * i + 1. Never edit a released entry; add one. Conventions: times are integer milliseconds since
 * the epoch; integer surrogate ids join the big tables (objects → segments → shards) so child rows
 * and their indexes stay small; keys are TEXT compared by the default BINARY collation, i.e.
 * memcmp of UTF-8, which is S3's key order.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE accounts (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE access_keys (
    access_key_id TEXT PRIMARY KEY,
    secret_key    TEXT NOT NULL,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    created_at    INTEGER NOT NULL,
    revoked_at    INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX access_keys_by_account ON access_keys (account_id, created_at);

  CREATE TABLE buckets (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    created_at    INTEGER NOT NULL,
    data_shards   INTEGER NOT NULL,
    parity_shards INTEGER NOT NULL,
    chunk_size    INTEGER NOT NULL
  );
  CREATE INDEX buckets_by_account ON buckets (account_id, name);

  -- Current versions only: a replaced or deleted version leaves with its segments (cascade)
  -- after its shards went to the garbage queue.
  CREATE TABLE objects (
    id            INTEGER PRIMARY KEY,
    bucket_id     INTEGER NOT NULL REFERENCES buckets (id),
    key           TEXT NOT NULL,
    version_id    TEXT NOT NULL UNIQUE,
    size          INTEGER NOT NULL,
    etag          TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    user_metadata TEXT NOT NULL,
    checksums     TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (bucket_id, key)
  );

  CREATE TABLE segments (
    id            INTEGER PRIMARY KEY,
    segment_id    TEXT NOT NULL UNIQUE,
    object_id     INTEGER NOT NULL REFERENCES objects (id) ON DELETE CASCADE,
    segment_index INTEGER NOT NULL,
    part_number   INTEGER NOT NULL,
    object_offset INTEGER NOT NULL,
    data_length   INTEGER NOT NULL,
    data_shards   INTEGER NOT NULL,
    parity_shards INTEGER NOT NULL,
    chunk_size    INTEGER NOT NULL,
    UNIQUE (object_id, segment_index)
  );
  CREATE INDEX segments_by_offset ON segments (object_id, object_offset, segment_index);

  -- Node ids are not foreign keys: a node dropped from the registry still holds shards that
  -- repair must find.
  CREATE TABLE shards (
    segment_ref INTEGER NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
    shard_index INTEGER NOT NULL,
    node_id     TEXT NOT NULL,
    root        BLOB NOT NULL,
    PRIMARY KEY (segment_ref, shard_index)
  ) WITHOUT ROWID;

  CREATE TABLE nodes (
    id                TEXT PRIMARY KEY,
    url               TEXT NOT NULL,
    zone              TEXT NOT NULL,
    capacity_bytes    INTEGER NOT NULL,
    free_bytes        INTEGER NOT NULL,
    registered_at     INTEGER NOT NULL,
    last_heartbeat_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  -- A write in flight, judged alive by its latest addPendingShards, and the shards it sent.
  CREATE TABLE pending_writes (
    id             INTEGER PRIMARY KEY,
    write_id       TEXT NOT NULL UNIQUE,
    last_active_at INTEGER NOT NULL
  );
  CREATE INDEX pending_writes_by_activity ON pending_writes (last_active_at);

  CREATE TABLE pending_shards (
    write_ref  INTEGER NOT NULL REFERENCES pending_writes (id) ON DELETE CASCADE,
    shard_id   TEXT NOT NULL,
    node_id    TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (write_ref, shard_id, node_id)
  ) WITHOUT ROWID;

  CREATE TABLE garbage (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    shard_id    TEXT NOT NULL,
    node_id     TEXT NOT NULL,
    enqueued_at INTEGER NOT NULL
  );
  CREATE INDEX garbage_by_age ON garbage (enqueued_at, id);
  `,
  // Billing ledger, append-only (see usage-types.ts). No foreign keys: the history outlives buckets.
  `
  CREATE TABLE storage_ledger (
    id          INTEGER PRIMARY KEY,
    account_id  TEXT NOT NULL,
    bucket      TEXT NOT NULL,
    key         TEXT NOT NULL,
    item        TEXT NOT NULL,
    upload_id   TEXT,
    part_number INTEGER,
    cause       TEXT NOT NULL,
    old_size    INTEGER,
    new_size    INTEGER,
    at          INTEGER NOT NULL
  );
  CREATE INDEX storage_ledger_by_account_time ON storage_ledger (account_id, at);

  CREATE TABLE request_usage (
    id            INTEGER PRIMARY KEY,
    account_id    TEXT NOT NULL,
    bucket        TEXT NOT NULL,
    request_class TEXT NOT NULL,
    status        INTEGER NOT NULL,
    at            INTEGER NOT NULL,
    requests      INTEGER NOT NULL,
    bytes_in      INTEGER NOT NULL,
    bytes_out     INTEGER NOT NULL
  );
  CREATE INDEX request_usage_by_account_time ON request_usage (account_id, at);
  `,
  // Shared reference-counted segments, multipart uploads, part lists (see the imported file).
  MULTIPART_MIGRATION,
  // Bucket access (canned ACL) and CORS rules (JSON, NULL = none); object representation headers
  // (JSON object of lower-case header name → value).
  `
  ALTER TABLE buckets ADD COLUMN acl TEXT NOT NULL DEFAULT 'private';
  ALTER TABLE buckets ADD COLUMN cors_rules TEXT;
  ALTER TABLE objects ADD COLUMN content_headers TEXT NOT NULL DEFAULT '{}';
  `,
  NODE_IDENTITY_MIGRATION,
  ENCRYPTION_MIGRATION,
  // Placement versions, node admin states, the repair queue (see the imported file).
  REPAIR_MIGRATION,
  UNENCRYPTED_SEGMENTS_MIGRATION,
  // The web console's admin audit log (see the imported file).
  ADMIN_AUDIT_MIGRATION,
  // The rewards ledger: shard holdings and node service counters (see the imported file).
  REWARDS_MIGRATION,
  // Pending writes name their writer, for lease renewal (see the imported file).
  WRITE_LEASES_MIGRATION,
  // Object and bucket tags (see the imported file).
  TAGGING_MIGRATION,
  // Bucket lifecycle rules and the lifecycle worker's per-bucket lease (see the imported file).
  LIFECYCLE_MIGRATION,
  // Bucket policies and object ACLs.
  ACCESS_MIGRATION,
  // Tiny objects' ciphertext inline in segment rows (see the imported file).
  INLINE_SEGMENTS_MIGRATION,
];

export class SchemaTooNewError extends Error {
  readonly code = 'SCHEMA_TOO_NEW';
  override name = 'SchemaTooNewError';
  constructor(readonly fileVersion: number, readonly knownVersion: number) {
    super(`metadata schema version ${fileVersion} is newer than this gateway's ${knownVersion}: upgrade the gateway`);
  }
}

/**
 * Brings the database to the latest schema; a no-op when it is there already. Each migration
 * runs with its `user_version` bump in one immediate transaction, so a crash leaves either the
 * old or the new version, and two processes opening the same file do not both migrate.
 * Returns the schema version.
 */
export function migrate(db: Database, migrations: readonly string[] = MIGRATIONS): number {
  const readVersion = () => db.pragma('user_version', { simple: true }) as number;
  const step = db.transaction((index: number) => {
    if (readVersion() !== index) return; // another connection got there first
    db.exec(migrations[index]!);
    db.pragma(`user_version = ${index + 1}`);
  });
  const start = readVersion();
  if (start > migrations.length) throw new SchemaTooNewError(start, migrations.length);
  for (let index = start; index < migrations.length; index += 1) step.immediate(index);
  return readVersion();
}
