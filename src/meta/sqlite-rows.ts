import type { AccessKey, Account, Bucket, BucketAcl, BucketSummary, ContentHeaders, NodeRecord, ObjectAcl, ObjectEncryption, ObjectVersion, SegmentRecord, Tag } from './types.ts';

/** Rows of the SQLite schema (see sqlite-migrations.ts) and their conversion to records. */

export interface AccountRow { id: string; name: string; created_at: number }
export interface AccessKeyRow {
  access_key_id: string; secret_key: string; account_id: string; created_at: number; revoked_at: number | null;
}
export interface BucketRow {
  id: number; name: string; account_id: string; created_at: number;
  data_shards: number; parity_shards: number; chunk_size: number; acl: string; cors_rules: string | null;
  policy: string | null;
}
export interface ObjectRow {
  id: number; bucket_id: number; key: string; version_id: string; size: number; etag: string;
  content_type: string; user_metadata: string; checksums: string; created_at: number; content_headers: string;
  encryption: string | null; tags: string; acl: string;
}
/** A segment as an object names it: the shared row joined with the object's offsets (object_segments). */
export interface SegmentRow {
  id: number; segment_id: string; segment_index: number; part_number: number;
  object_offset: number; data_length: number; data_shards: number; parity_shards: number; chunk_size: number;
  key_id: string | null; wrapped_key: Buffer | null; cipher_iv: Buffer | null; inline_data: Buffer | null;
}
export interface ShardRow { shard_index: number; node_id: string; root: Buffer }
export interface NodeRow {
  id: string; url: string; zone: string; capacity_bytes: number; free_bytes: number;
  registered_at: number; last_heartbeat_at: number;
  operator_id: string | null; public_key: string | null; secret: string | null; secret_epoch: number; last_signed_at: number;
}
export interface PendingShardRow { shard_id: string; node_id: string }
export interface GarbageRow { id: number; shard_id: string; node_id: string; enqueued_at: number }

export function toAccount(row: AccountRow | undefined): Account | null {
  return row ? { id: row.id, name: row.name, createdAt: new Date(row.created_at) } : null;
}

export function toAccessKey(row: AccessKeyRow): AccessKey {
  return {
    accessKeyId: row.access_key_id,
    secretKey: row.secret_key,
    accountId: row.account_id,
    createdAt: new Date(row.created_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  };
}

/** A bucket row with what the Bucket record adds from other tables (getBucket). */
export type BucketRecordRow = BucketRow & { has_lifecycle: number | boolean };

export function toBucket(row: BucketRecordRow): Bucket {
  return { ...toBucketSummary(row), hasLifecycle: Boolean(row.has_lifecycle) };
}

/** A bucket as listed (listBuckets): the row alone. */
export function toBucketSummary(row: BucketRow): BucketSummary {
  return {
    name: row.name,
    accountId: row.account_id,
    createdAt: new Date(row.created_at),
    profile: { dataShards: row.data_shards, parityShards: row.parity_shards, chunkSize: row.chunk_size },
    acl: row.acl as BucketAcl,
    policy: row.policy,
  };
}

export function toObjectVersion(row: ObjectRow, bucket: string): ObjectVersion {
  return {
    bucket,
    key: row.key,
    versionId: row.version_id,
    size: row.size,
    etag: row.etag,
    contentType: row.content_type,
    userMetadata: JSON.parse(row.user_metadata) as Record<string, string>,
    checksums: JSON.parse(row.checksums) as Record<string, string>,
    contentHeaders: JSON.parse(row.content_headers) as ContentHeaders,
    encryption: row.encryption === null ? null : JSON.parse(row.encryption) as ObjectEncryption,
    tags: JSON.parse(row.tags) as Tag[],
    acl: row.acl as ObjectAcl,
    createdAt: new Date(row.created_at),
  };
}

export function toSegment(row: SegmentRow, shards: readonly ShardRow[]): SegmentRecord {
  return {
    id: row.segment_id,
    partNumber: row.part_number,
    index: row.segment_index,
    offset: row.object_offset,
    length: row.data_length,
    profile: { dataShards: row.data_shards, parityShards: row.parity_shards, chunkSize: row.chunk_size },
    // A plain Uint8Array copy: callers compare and hash roots, a driver Buffer would leak through.
    shards: shards.map((shard) => ({ shardIndex: shard.shard_index, nodeId: shard.node_id, root: new Uint8Array(shard.root) })),
    encryption: row.key_id === null || row.wrapped_key === null || row.cipher_iv === null
      ? null
      : { keyId: row.key_id, wrappedKey: new Uint8Array(row.wrapped_key), iv: new Uint8Array(row.cipher_iv) },
    ...(row.inline_data === null ? {} : { inlineCiphertext: new Uint8Array(row.inline_data) }),
  };
}

export function toNode(row: NodeRow): NodeRecord {
  return {
    id: row.id,
    url: row.url,
    zone: row.zone,
    capacityBytes: row.capacity_bytes,
    freeBytes: row.free_bytes,
    registeredAt: new Date(row.registered_at),
    lastHeartbeatAt: new Date(row.last_heartbeat_at),
    operatorId: row.operator_id,
    publicKey: row.public_key,
    secret: row.secret,
    secretEpoch: row.secret_epoch,
    lastSignedAtMs: row.last_signed_at,
  };
}
