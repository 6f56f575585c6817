import type { Span } from '../span.ts';
import { walkListing, type SeekBound } from './listing.ts';
import type { SqliteObjectContext } from './sqlite-multipart.ts';
import { toObjectVersion, toSegment, type ObjectRow, type SegmentRow, type ShardRow } from './sqlite-rows.ts';
import { PendingClaim } from './sqlite-segments.ts';
import { CommitPreconditionError, NoSuchBucketError } from './store.ts';
import type {
  CommitPrecondition, ListObjectsPage, ListObjectsQuery, NewObjectVersion, ObjectVersion, SegmentRecord,
} from './types.ts';

/** What the object code needs from the SQLite store it runs in. */
export type SqliteObjectsContext = Pick<SqliteObjectContext, 'sql' | 'segments' | 'bucketRow' | 'ledger'> & {
  /** The store's clock: the time of a commit or delete. */
  now(): Date;
};

/** Throws CommitPreconditionError when the key's current version (`current`) is not as required. */
function checkPrecondition(
  precondition: CommitPrecondition, current: ObjectRow | undefined, object: { bucket: string; key: string },
): void {
  if (precondition.kind === 'absent') {
    if (current) throw new CommitPreconditionError(object.bucket, object.key, 'exists');
    return;
  }
  if (!current) throw new CommitPreconditionError(object.bucket, object.key, 'absent');
  if (precondition.etag !== '*' && precondition.etag !== current.etag) {
    throw new CommitPreconditionError(object.bucket, object.key, 'etag');
  }
}

/**
 * Current object versions in the SQLite store: commit, lookup, segment maps, delete and listing.
 * Every method runs inside the store's transaction (the caller opens it: a write transaction for
 * `commit` and `delete`, a read transaction for the rest); nothing here opens one.
 */
export class SqliteObjects {
  constructor(private readonly ctx: SqliteObjectsContext) {}

  /** Returns the version the commit replaced. */
  commit(version: NewObjectVersion): ObjectVersion | null {
    const { sql, segments: book } = this.ctx;
    const { object, segments, writeId } = version;
    const bucket = this.ctx.bucketRow(object.bucket);
    if (!bucket) throw new NoSuchBucketError(object.bucket);
    const claim = PendingClaim.claim(sql, writeId, segments);

    const now = this.ctx.now();
    const replaced = sql.objectByKey.get(bucket.id, object.key) as ObjectRow | undefined;
    if (version.precondition) checkPrecondition(version.precondition, replaced, object);
    if (replaced) this.retire(replaced);
    book.addWrittenToObject(this.insertRow(bucket.id, object, now), segments, now);
    this.ctx.ledger(bucket, { key: object.key, item: 'object', cause: 'put', oldSize: replaced?.size ?? null, newSize: object.size }, now);
    claim.settle(now);
    book.sweep(now);
    return replaced ? toObjectVersion(replaced, bucket.name) : null;
  }

  /** The object row of a new current version (its segments are added by the caller). */
  insertRow(bucketId: number, object: NewObjectVersion['object'], now: Date): number {
    return Number(this.ctx.sql.insertObject.run(
      bucketId, object.key, object.versionId, object.size, object.etag, object.contentType,
      JSON.stringify(object.userMetadata), JSON.stringify(object.checksums), (object.createdAt ?? now).getTime(),
      JSON.stringify(object.contentHeaders ?? {}), object.encryption ? JSON.stringify(object.encryption) : null,
      JSON.stringify(object.tags ?? []), object.acl ?? 'private',
    ).lastInsertRowid);
  }

  /**
   * Deletes the version: its segment references are released (the transaction must end with
   * `segments.sweep`, which queues the shards no other object or part references).
   */
  retire(row: ObjectRow): void {
    this.ctx.segments.releaseObject(row.id);
    this.ctx.sql.deleteObject.run(row.id);
  }

  get(bucket: string, key: string): ObjectVersion | null {
    const bucketRow = this.ctx.bucketRow(bucket);
    const row = bucketRow && this.ctx.sql.objectByKey.get(bucketRow.id, key) as ObjectRow | undefined;
    return row ? toObjectVersion(row, bucket) : null;
  }

  /** The version's segments, or those overlapping `span` (which the caller has checked is not empty). */
  segments(versionId: string, span?: Span): SegmentRecord[] {
    const { sql } = this.ctx;
    const object = sql.objectIdByVersion.get(versionId) as { id: number } | undefined;
    if (!object) return [];
    const rows = span === undefined
      ? sql.segmentsOfObject.all(object.id)
      : sql.segmentsInSpan.all({ objectId: object.id, offset: span.offset, end: span.offset + span.length });
    return (rows as SegmentRow[]).map((row) => toSegment(row, sql.shardsOfSegment.all(row.id) as ShardRow[]));
  }

  /** Returns the version deleted, null when the key had none. */
  delete(bucket: string, key: string, ifMatch?: string, ifVersionId?: string): ObjectVersion | null {
    const bucketRow = this.ctx.bucketRow(bucket);
    const row = bucketRow && this.ctx.sql.objectByKey.get(bucketRow.id, key) as ObjectRow | undefined;
    if (ifMatch !== undefined) checkPrecondition({ kind: 'etag', etag: ifMatch }, row || undefined, { bucket, key });
    if (ifVersionId !== undefined && !row) throw new CommitPreconditionError(bucket, key, 'absent');
    if (ifVersionId !== undefined && row && row.version_id !== ifVersionId) throw new CommitPreconditionError(bucket, key, 'version');
    if (!row) return null;
    const now = this.ctx.now();
    this.retire(row);
    this.ctx.ledger(bucketRow, { key, item: 'object', cause: 'delete', oldSize: row.size, newSize: null }, now);
    this.ctx.segments.sweep(now);
    return toObjectVersion(row, bucket);
  }

  list(bucket: string, query: ListObjectsQuery): ListObjectsPage {
    const { sql } = this.ctx;
    const bucketRow = this.ctx.bucketRow(bucket);
    if (!bucketRow) throw new NoSuchBucketError(bucket);
    const seek = (from: SeekBound, upper: string | null, limit: number) => {
      const statement = upper === null
        ? (from.inclusive ? sql.seekFrom : sql.seekAfter)
        : (from.inclusive ? sql.seekFromBelow : sql.seekAfterBelow);
      const bounds = upper === null ? [from.key] : [from.key, upper];
      return statement.iterate(bucketRow.id, ...bounds, limit) as Iterable<ObjectRow>;
    };
    const page = walkListing(query, seek);
    return {
      objects: page.objects.map((row) => toObjectVersion(row, bucket)),
      commonPrefixes: page.commonPrefixes,
      isTruncated: page.isTruncated,
      nextAfter: page.nextAfter,
    };
  }
}
