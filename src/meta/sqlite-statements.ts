import type { Database, Statement } from 'better-sqlite3';

/**
 * Every statement the SQLite store runs, prepared once per connection. The SQL lives here, apart
 * from the store's logic, so the tests can EXPLAIN each one and prove that listing and segment
 * lookups are index seeks, not scans.
 */

const OBJECT_SEEK = 'SELECT * FROM objects WHERE bucket_id = ? AND key';
const OBJECT_SEGMENT_COLUMNS = `SELECT s.id, s.segment_id, os.segment_index, os.part_number, os.object_offset,
    s.data_length, s.data_shards, s.parity_shards, s.chunk_size, s.key_id, s.wrapped_key, s.cipher_iv, s.inline_data
  FROM object_segments os JOIN segments s ON s.id = os.segment_ref`;

export const SQL = {
  getSetting: 'SELECT value FROM settings WHERE name = ?',
  setSetting: 'INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  claimSetting: 'INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING',

  insertAccount: 'INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)',
  accountById: 'SELECT * FROM accounts WHERE id = ?',
  accountByName: 'SELECT * FROM accounts WHERE name = ?',
  accountsAfter: 'SELECT * FROM accounts WHERE name > ? ORDER BY name LIMIT ?',
  insertAccessKey: 'INSERT INTO access_keys (access_key_id, secret_key, account_id, created_at) VALUES (?, ?, ?, ?)',
  accessKeyById: 'SELECT * FROM access_keys WHERE access_key_id = ?',
  accessKeys: 'SELECT * FROM access_keys ORDER BY created_at, access_key_id',
  accessKeysOfAccount: 'SELECT * FROM access_keys WHERE account_id = ? ORDER BY created_at, access_key_id',
  revokeAccessKey: 'UPDATE access_keys SET revoked_at = ? WHERE access_key_id = ? AND revoked_at IS NULL',

  insertBucket: `INSERT INTO buckets (name, account_id, created_at, data_shards, parity_shards, chunk_size, acl)
    VALUES (?, ?, ?, ?, ?, ?, ?)`,
  bucketByName: 'SELECT * FROM buckets WHERE name = ?',
  bucketRecord: `SELECT b.*, EXISTS (SELECT 1 FROM bucket_lifecycle l WHERE l.bucket_id = b.id) AS has_lifecycle
    FROM buckets b WHERE b.name = ?`,
  setBucketAcl: 'UPDATE buckets SET acl = ? WHERE name = ?',
  setBucketPolicy: 'UPDATE buckets SET policy = ? WHERE name = ?',
  setObjectAcl: 'UPDATE objects SET acl = ? WHERE bucket_id = (SELECT id FROM buckets WHERE name = ?) AND key = ?',
  bucketCors: 'SELECT cors_rules FROM buckets WHERE name = ?',
  setBucketCors: 'UPDATE buckets SET cors_rules = ? WHERE name = ?',
  bucketEncryption: 'SELECT default_encryption FROM buckets WHERE name = ?',
  setBucketEncryption: 'UPDATE buckets SET default_encryption = ? WHERE name = ?',
  bucketTags: 'SELECT tags FROM buckets WHERE name = ?',
  setBucketTags: 'UPDATE buckets SET tags = ? WHERE name = ?',
  setObjectTags: 'UPDATE objects SET tags = ? WHERE bucket_id = (SELECT id FROM buckets WHERE name = ?) AND key = ?',
  bucketsOfAccount: `SELECT * FROM buckets WHERE account_id = ? AND name > ? AND substr(name, 1, length(?)) = ? ORDER BY name LIMIT ?`,
  bucketHasObjects: 'SELECT 1 FROM objects WHERE bucket_id = ? LIMIT 1',
  deleteBucket: 'DELETE FROM buckets WHERE id = ?',

  objectByKey: 'SELECT * FROM objects WHERE bucket_id = ? AND key = ?',
  objectIdByVersion: 'SELECT id FROM objects WHERE version_id = ?',
  insertObject: `INSERT INTO objects
    (bucket_id, key, version_id, size, etag, content_type, user_metadata, checksums, created_at, content_headers, encryption, tags, acl)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  deleteObject: 'DELETE FROM objects WHERE id = ?',
  // Segments are shared and reference-counted (sqlite-migration-multipart.ts); an object names its
  // segments through object_segments, which carries the object offsets.
  insertSegment: `INSERT INTO segments (segment_id, data_length, data_shards, parity_shards, chunk_size, ref_count, key_id, wrapped_key, cipher_iv, inline_data)
    VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
  segmentByPublicId: 'SELECT id, data_length FROM segments WHERE segment_id = ?',
  retainSegment: 'UPDATE segments SET ref_count = ref_count + 1 WHERE id = ?',
  insertShard: 'INSERT INTO shards (segment_ref, shard_index, node_id, root) VALUES (?, ?, ?, ?)',
  insertObjectSegment: `INSERT INTO object_segments (object_id, segment_index, segment_ref, part_number, object_offset)
    VALUES (?, ?, ?, ?, ?)`,
  // One reference less per row of the object that names the segment (an object may name one twice).
  releaseObjectSegments: `UPDATE segments SET ref_count = ref_count - (SELECT count(*) FROM object_segments os
      WHERE os.segment_ref = segments.id AND os.object_id = @objectId)
    WHERE id IN (SELECT segment_ref FROM object_segments WHERE object_id = @objectId)`,
  deleteObjectSegments: 'DELETE FROM object_segments WHERE object_id = ?',
  deleteObjectParts: 'DELETE FROM object_parts WHERE object_id = ?',
  // The shard file name is shardId() of types.ts: `<segment id>.<shard index>`.
  garbageUnreferenced: `INSERT INTO garbage (shard_id, node_id, enqueued_at)
    SELECT s.segment_id || '.' || sh.shard_index, sh.node_id, ? FROM segments s JOIN shards sh ON sh.segment_ref = s.id
    WHERE s.ref_count = 0 ORDER BY s.id, sh.shard_index`,
  deleteUnreferenced: 'DELETE FROM segments WHERE ref_count = 0',
  segmentsOfObject: `${OBJECT_SEGMENT_COLUMNS} WHERE os.object_id = ? ORDER BY os.object_offset, os.segment_index`,
  // The last segment starting at or before the span, then those starting inside it: two seeks on
  // (object_id, object_offset), however many segments the object has.
  segmentsInSpan: `${OBJECT_SEGMENT_COLUMNS}
    WHERE os.object_id = @objectId
      AND os.object_offset >= coalesce((SELECT object_offset FROM object_segments
        WHERE object_id = @objectId AND object_offset <= @offset
        ORDER BY object_offset DESC LIMIT 1), 0)
      AND os.object_offset < @end
      AND os.object_offset + s.data_length > @offset
    ORDER BY os.object_offset, os.segment_index`,
  shardsOfSegment: 'SELECT shard_index, node_id, root FROM shards WHERE segment_ref = ? ORDER BY shard_index',

  // Listing seeks on UNIQUE (bucket_id, key): from a bound, optionally below an upper bound.
  seekFrom: `${OBJECT_SEEK} >= ? ORDER BY key LIMIT ?`,
  seekAfter: `${OBJECT_SEEK} > ? ORDER BY key LIMIT ?`,
  seekFromBelow: `${OBJECT_SEEK} >= ? AND key < ? ORDER BY key LIMIT ?`,
  seekAfterBelow: `${OBJECT_SEEK} > ? AND key < ? ORDER BY key LIMIT ?`,

  upsertNode: `INSERT INTO nodes (id, url, zone, capacity_bytes, free_bytes, registered_at, last_heartbeat_at,
      operator_id, public_key, secret, secret_epoch, last_signed_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET url = excluded.url, zone = excluded.zone,
      capacity_bytes = excluded.capacity_bytes, free_bytes = excluded.free_bytes,
      registered_at = excluded.registered_at, last_heartbeat_at = excluded.last_heartbeat_at,
      operator_id = excluded.operator_id, public_key = excluded.public_key, secret = excluded.secret,
      secret_epoch = excluded.secret_epoch, last_signed_at = excluded.last_signed_at`,
  heartbeat: 'UPDATE nodes SET free_bytes = ?, capacity_bytes = ?, last_heartbeat_at = ? WHERE id = ?',
  nodeById: 'SELECT * FROM nodes WHERE id = ?',
  nodes: 'SELECT * FROM nodes ORDER BY id',

  touchWrite: `INSERT INTO pending_writes (write_id, last_active_at, writer) VALUES (?, ?, ?)
    ON CONFLICT (write_id) DO UPDATE SET last_active_at = max(last_active_at, excluded.last_active_at)
    RETURNING id`,
  renewWrites: 'UPDATE pending_writes SET last_active_at = max(last_active_at, ?) WHERE writer = ?',
  writeRefById: 'SELECT id FROM pending_writes WHERE write_id = ?',
  idleWrites: 'SELECT id FROM pending_writes WHERE last_active_at < ?',
  insertPendingShard: `INSERT INTO pending_shards (write_ref, shard_id, node_id, created_at) VALUES (?, ?, ?, ?)
    ON CONFLICT DO NOTHING`,
  pendingShardsOfWrite: 'SELECT shard_id, node_id FROM pending_shards WHERE write_ref = ?',
  deleteWrite: 'DELETE FROM pending_writes WHERE id = ?',

  insertGarbage: 'INSERT INTO garbage (shard_id, node_id, enqueued_at) VALUES (?, ?, ?)',
  garbageBefore: 'SELECT * FROM garbage WHERE enqueued_at < ? ORDER BY enqueued_at, id LIMIT ?',
  deleteGarbage: 'DELETE FROM garbage WHERE id = ?',

  // Billing ledger: appends, and range seeks on (account_id, at).
  insertStorageEvent: `INSERT INTO storage_ledger
    (account_id, bucket, key, item, upload_id, part_number, cause, old_size, new_size, at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  storageEventsBefore: 'SELECT * FROM storage_ledger WHERE account_id = ? AND at < ? ORDER BY at, id',
  insertRequestUsage: `INSERT INTO request_usage
    (account_id, bucket, request_class, status, at, requests, bytes_in, bytes_out) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  requestUsageInWindow: `SELECT bucket, request_class, status, requests, bytes_in, bytes_out FROM request_usage
    WHERE account_id = ? AND at >= ? AND at < ?`,
  // The key up to its last '/': rtrim strips every trailing character that is not a '/'.
  smallObjectPrefixesOfAccount: `SELECT b.account_id, b.name AS bucket, rtrim(o.key, replace(o.key, '/', '')) AS prefix,
      count(*) AS objects, sum(o.size) AS bytes
    FROM buckets b JOIN objects o ON o.bucket_id = b.id
    WHERE b.account_id = ? AND o.size < ?
    GROUP BY b.id, prefix ORDER BY objects DESC, bucket, prefix LIMIT ?`,
  smallObjectPrefixes: `SELECT b.account_id, b.name AS bucket, rtrim(o.key, replace(o.key, '/', '')) AS prefix,
      count(*) AS objects, sum(o.size) AS bytes
    FROM buckets b JOIN objects o ON o.bucket_id = b.id
    WHERE o.size < ?
    GROUP BY b.id, prefix ORDER BY objects DESC, bucket, prefix LIMIT ?`,
} as const;

export type StatementName = keyof typeof SQL;

/** The prepared statements of one connection; callers cast rows to the types in sqlite-rows.ts. */
export type Statements = Readonly<Record<StatementName, Statement<unknown[], unknown>>>;

export function prepareStatements(db: Database): Statements {
  const prepared = {} as Record<StatementName, Statement<unknown[], unknown>>;
  for (const name of Object.keys(SQL) as StatementName[]) prepared[name] = db.prepare(SQL[name]);
  return prepared;
}
