import type { Span } from '../span.ts';
import { walkListingAsync, type SeekBound } from './listing.ts';
import type { Sql } from './postgres-db.ts';
import type { LedgerChange } from './sqlite-ledger.ts';
import { addWrittenToObject, claimPending, releaseObject, sweepSegments } from './postgres-segments.ts';
import { toObjectVersion, toSegment, type BucketRow, type ObjectRow, type SegmentRow, type ShardRow } from './sqlite-rows.ts';
import { CommitPreconditionError, NoSuchBucketError } from './store.ts';
import type {
  CommitPrecondition, ListObjectsPage, ListObjectsQuery, NewObjectVersion, ObjectVersion, SegmentRecord,
} from './types.ts';

/**
 * Current object versions in the PostgreSQL store: commit, lookup, segment maps, delete, listing.
 * Rows have the SQLite store's shapes (sqlite-rows.ts), so the same converters apply.
 *
 * Concurrency (READ COMMITTED plus locks, see the README's Decisions): a write to a key takes
 * the bucket row FOR KEY SHARE (DeleteBucket's FOR UPDATE waits for it, or it finds the bucket
 * gone), then a transaction advisory lock on (bucket, key hash) so writers of one key run one
 * after another and a conditional write sees the committed current version; the current row is
 * then read FOR UPDATE so a copy reading it as its source waits.
 */

const OBJECT_SEGMENT_COLUMNS = `SELECT s.id, s.segment_id, os.segment_index, os.part_number, os.object_offset,
    s.data_length, s.data_shards, s.parity_shards, s.chunk_size, s.key_id, s.wrapped_key, s.cipher_iv, s.inline_data
  FROM object_segments os JOIN segments s ON s.id = os.segment_ref`;

export const OBJECT_SQL = {
  bucketByName: 'SELECT * FROM buckets WHERE name = $1',
  bucketForWrite: 'SELECT * FROM buckets WHERE name = $1 FOR KEY SHARE',
  lockKey: 'SELECT pg_advisory_xact_lock($1::integer, hashtext($2))',
  objectByKey: 'SELECT * FROM objects WHERE bucket_id = $1 AND key = $2',
  objectByKeyForUpdate: 'SELECT * FROM objects WHERE bucket_id = $1 AND key = $2 FOR UPDATE',
  objectIdByVersion: 'SELECT id FROM objects WHERE version_id = $1',
  insertObject: `INSERT INTO objects
    (bucket_id, key, version_id, size, etag, content_type, user_metadata, checksums, created_at, content_headers, encryption, tags, acl)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id`,
  deleteObject: 'DELETE FROM objects WHERE id = $1',
  segmentsOfObject: `${OBJECT_SEGMENT_COLUMNS} WHERE os.object_id = $1 ORDER BY os.object_offset, os.segment_index`,
  // The last segment starting at or before the span, then those starting inside it (two seeks).
  segmentsInSpan: `${OBJECT_SEGMENT_COLUMNS}
    WHERE os.object_id = $1
      AND os.object_offset >= coalesce((SELECT object_offset FROM object_segments
        WHERE object_id = $1 AND object_offset <= $2
        ORDER BY object_offset DESC LIMIT 1), 0)
      AND os.object_offset < $3
      AND os.object_offset + s.data_length > $2
    ORDER BY os.object_offset, os.segment_index`,
  shardsOfSegments: 'SELECT segment_ref, shard_index, node_id, root FROM shards WHERE segment_ref = ANY($1::bigint[]) ORDER BY segment_ref, shard_index',
  // Listing seeks on UNIQUE (bucket_id, key), key COLLATE "C".
  seekFrom: 'SELECT * FROM objects WHERE bucket_id = $1 AND key >= $2 ORDER BY key LIMIT $3',
  seekAfter: 'SELECT * FROM objects WHERE bucket_id = $1 AND key > $2 ORDER BY key LIMIT $3',
  seekFromBelow: 'SELECT * FROM objects WHERE bucket_id = $1 AND key >= $2 AND key < $4 ORDER BY key LIMIT $3',
  seekAfterBelow: 'SELECT * FROM objects WHERE bucket_id = $1 AND key > $2 AND key < $4 ORDER BY key LIMIT $3',
} as const;

/** The bucket an event bills: its owner pays. */
export type LedgerBucket = Pick<BucketRow, 'account_id' | 'name'>;
export type Ledger = (sql: Sql, bucket: LedgerBucket, change: LedgerChange, at: Date) => Promise<void>;

function checkPrecondition(precondition: CommitPrecondition, current: ObjectRow | undefined, object: { bucket: string; key: string }): void {
  if (precondition.kind === 'absent') {
    if (current) throw new CommitPreconditionError(object.bucket, object.key, 'exists');
    return;
  }
  if (!current) throw new CommitPreconditionError(object.bucket, object.key, 'absent');
  if (precondition.etag !== '*' && precondition.etag !== current.etag) throw new CommitPreconditionError(object.bucket, object.key, 'etag');
}

export async function bucketRow(sql: Sql, name: string): Promise<BucketRow | undefined> {
  return sql.one<BucketRow>(OBJECT_SQL.bucketByName, [name]);
}

/**
 * Locks a key for writing (see the file comment): the bucket row shared, the key exclusively,
 * and returns the bucket with the key's current row (locked FOR UPDATE). NoSuchBucketError when
 * the bucket is gone.
 */
export async function lockKeyForWrite(sql: Sql, bucket: string, key: string): Promise<{ bucket: BucketRow; current: ObjectRow | undefined }> {
  const row = await sql.one<BucketRow>(OBJECT_SQL.bucketForWrite, [bucket]);
  if (!row) throw new NoSuchBucketError(bucket);
  await sql.rows(OBJECT_SQL.lockKey, [row.id, key]);
  const current = await sql.one<ObjectRow>(OBJECT_SQL.objectByKeyForUpdate, [row.id, key]);
  return { bucket: row, current };
}

/** The object row of a new current version (its segments are added by the caller). */
export async function insertObjectRow(sql: Sql, bucketId: number, object: NewObjectVersion['object'], now: Date): Promise<number> {
  const row = await sql.one<{ id: number }>(OBJECT_SQL.insertObject, [
    bucketId, object.key, object.versionId, object.size, object.etag, object.contentType,
    JSON.stringify(object.userMetadata), JSON.stringify(object.checksums), (object.createdAt ?? now).getTime(),
    JSON.stringify(object.contentHeaders ?? {}), object.encryption ? JSON.stringify(object.encryption) : null,
    JSON.stringify(object.tags ?? []), object.acl ?? 'private',
  ]);
  return row!.id;
}

/** Deletes a version after releasing its segment references (the transaction must end with a sweep). */
export async function retireObject(sql: Sql, row: ObjectRow): Promise<void> {
  await releaseObject(sql, row.id);
  await sql.run(OBJECT_SQL.deleteObject, [row.id]);
}

/** Runs inside a write transaction. Returns the version the commit replaced. */
export async function commitObject(sql: Sql, ledger: Ledger, version: NewObjectVersion, now: Date): Promise<ObjectVersion | null> {
  const { object, segments, writeId } = version;
  const { bucket, current: replaced } = await lockKeyForWrite(sql, object.bucket, object.key);
  const claim = await claimPending(sql, writeId, segments);
  if (version.precondition) checkPrecondition(version.precondition, replaced, object);
  if (replaced) await retireObject(sql, replaced);
  await addWrittenToObject(sql, await insertObjectRow(sql, bucket.id, object, now), segments, now);
  await ledger(sql, bucket, { key: object.key, item: 'object', cause: 'put', oldSize: replaced?.size ?? null, newSize: object.size }, now);
  await claim.settle(now);
  await sweepSegments(sql, now);
  return replaced ? toObjectVersion(replaced, bucket.name) : null;
}

export async function getObject(sql: Sql, bucket: string, key: string): Promise<ObjectVersion | null> {
  const row = await sql.one<ObjectRow>(
    'SELECT o.* FROM objects o JOIN buckets b ON b.id = o.bucket_id WHERE b.name = $1 AND o.key = $2', [bucket, key],
  );
  return row ? toObjectVersion(row, bucket) : null;
}

/** The version's segments, or those overlapping `span` (not empty). Runs in a read transaction. */
export async function getSegments(sql: Sql, versionId: string, span?: Span): Promise<SegmentRecord[]> {
  const object = await sql.one<{ id: number }>(OBJECT_SQL.objectIdByVersion, [versionId]);
  if (!object) return [];
  const rows = span === undefined
    ? await sql.rows<SegmentRow>(OBJECT_SQL.segmentsOfObject, [object.id])
    : await sql.rows<SegmentRow>(OBJECT_SQL.segmentsInSpan, [object.id, span.offset, span.offset + span.length]);
  if (rows.length === 0) return [];
  const shards = await sql.rows<ShardRow & { segment_ref: number }>(OBJECT_SQL.shardsOfSegments, [rows.map((row) => row.id)]);
  const bySegment = new Map<number, ShardRow[]>();
  for (const shard of shards) {
    const list = bySegment.get(shard.segment_ref) ?? [];
    list.push(shard);
    bySegment.set(shard.segment_ref, list);
  }
  return rows.map((row) => toSegment(row, bySegment.get(row.id) ?? []));
}

/** Runs inside a write transaction. Returns the version deleted, null when the key had none. */
export async function deleteObject(
  sql: Sql, ledger: Ledger, bucket: string, key: string, now: Date, ifMatch?: string, ifVersionId?: string,
): Promise<ObjectVersion | null> {
  const row = await sql.one<BucketRow>(OBJECT_SQL.bucketForWrite, [bucket]);
  if (!row && (ifMatch !== undefined || ifVersionId !== undefined)) throw new CommitPreconditionError(bucket, key, 'absent');
  if (!row) return null;
  await sql.rows(OBJECT_SQL.lockKey, [row.id, key]);
  const current = await sql.one<ObjectRow>(OBJECT_SQL.objectByKeyForUpdate, [row.id, key]);
  if (ifMatch !== undefined) checkPrecondition({ kind: 'etag', etag: ifMatch }, current ?? undefined, { bucket, key });
  if (ifVersionId !== undefined && !current) throw new CommitPreconditionError(bucket, key, 'absent');
  if (ifVersionId !== undefined && current && current.version_id !== ifVersionId) throw new CommitPreconditionError(bucket, key, 'version');
  if (!current) return null;
  await retireObject(sql, current);
  await ledger(sql, row, { key, item: 'object', cause: 'delete', oldSize: current.size, newSize: null }, now);
  await sweepSegments(sql, now);
  return toObjectVersion(current, bucket);
}

/**
 * Rows from `from` in key order, fetched in growing batches (16, 64, … up to `limit`): a walk
 * with a delimiter often stops after the first row of a seek.
 */
export function batchedSeek<Row>(
  fetch: (from: SeekBound, upper: string | null, limit: number) => Promise<Row[]>, firstBatch: number,
  keyOf: (row: Row) => string,
) {
  return (from: SeekBound, upper: string | null, limit: number): AsyncIterable<Row> => ({
    async *[Symbol.asyncIterator]() {
      let bound = from;
      let batch = Math.min(firstBatch, limit);
      for (let remaining = limit; remaining > 0;) {
        const rows = await fetch(bound, upper, Math.min(batch, remaining));
        yield* rows;
        if (rows.length < Math.min(batch, remaining)) return;
        remaining -= rows.length;
        bound = { key: keyOf(rows.at(-1)!), inclusive: false };
        batch *= 4;
      }
    },
  });
}

/** Runs inside a read transaction (one snapshot for every seek of the page). */
export async function listObjects(sql: Sql, bucket: string, query: ListObjectsQuery): Promise<ListObjectsPage> {
  const row = await bucketRow(sql, bucket);
  if (!row) throw new NoSuchBucketError(bucket);
  const fetch = (from: SeekBound, upper: string | null, limit: number) => {
    const statement = upper === null
      ? (from.inclusive ? OBJECT_SQL.seekFrom : OBJECT_SQL.seekAfter)
      : (from.inclusive ? OBJECT_SQL.seekFromBelow : OBJECT_SQL.seekAfterBelow);
    return sql.rows<ObjectRow>(statement, upper === null ? [row.id, from.key, limit] : [row.id, from.key, limit, upper]);
  };
  const page = await walkListingAsync(query, batchedSeek(fetch, query.delimiter ? 16 : 1001, (object) => object.key));
  return {
    objects: page.objects.map((object) => toObjectVersion(object, bucket)),
    commonPrefixes: page.commonPrefixes,
    isTruncated: page.isTruncated,
    nextAfter: page.nextAfter,
  };
}
