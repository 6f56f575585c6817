import { SourceVersionGoneError } from './multipart-errors.ts';
import type { ListPartsQuery, ObjectCopy, ObjectPartLookup, ObjectPartsPage } from './multipart-types.ts';
import type { ObjectPartRow } from './sqlite-multipart-statements.ts';
import type { SqliteObjectContext } from './sqlite-multipart.ts';
import { toObjectVersion, type ObjectRow } from './sqlite-rows.ts';
import { NoSuchBucketError } from './store.ts';
import type { ObjectVersion } from './types.ts';

/**
 * Server-side copies and completed objects' part lists in the SQLite store. A copy is metadata
 * only: the new version names the source's segments (one more reference each) and parts.
 */
export class SqliteObjectCopy {
  constructor(private readonly ctx: SqliteObjectContext) {}

  /** Runs inside the store's write transaction. Returns the version the copy replaced. */
  copy(copy: ObjectCopy, now: Date): ObjectVersion | null {
    const { sql, multipartSql } = this.ctx;
    const { object } = copy;
    const source = multipartSql.objectByVersion.get(copy.sourceVersionId) as ObjectRow | undefined;
    if (!source) throw new SourceVersionGoneError(copy.sourceVersionId);
    const bucket = this.ctx.bucketRow(object.bucket);
    if (!bucket) throw new NoSuchBucketError(object.bucket);
    if (object.size !== source.size) throw new RangeError(`a copy of ${source.size} bytes cannot have size ${object.size}`);

    const replaced = sql.objectByKey.get(bucket.id, object.key) as ObjectRow | undefined;
    if (replaced?.id === source.id) {
      // Onto itself: the new row takes over the old one's segment and part rows; no reference changes.
      sql.deleteObject.run(source.id);
      const objectId = this.ctx.insertObjectRow(bucket.id, object, now);
      multipartSql.moveObjectSegments.run(objectId, source.id);
      multipartSql.moveObjectParts.run(objectId, source.id);
    } else {
      if (replaced) this.ctx.retireObject(replaced);
      const objectId = this.ctx.insertObjectRow(bucket.id, object, now);
      multipartSql.copyObjectSegments.run(objectId, source.id);
      multipartSql.retainObjectSegments.run({ objectId });
      multipartSql.copyObjectParts.run(objectId, source.id);
    }
    this.ctx.ledger(bucket, { key: object.key, item: 'object', cause: 'copy', oldSize: replaced?.size ?? null, newSize: object.size }, now);
    this.ctx.segments.sweep(now);
    return replaced ? toObjectVersion(replaced, bucket.name) : null;
  }

  /** Runs inside a read transaction. */
  objectPart(versionId: string, partNumber: number): ObjectPartLookup {
    const { sql, multipartSql } = this.ctx;
    const object = sql.objectIdByVersion.get(versionId) as { id: number } | undefined;
    if (!object) return { partCount: 0, part: null };
    const { count } = multipartSql.objectPartCount.get(object.id) as { count: number };
    const row = count === 0 ? undefined : multipartSql.objectPart.get(object.id, partNumber) as ObjectPartRow | undefined;
    return {
      partCount: count,
      part: row ? {
        partNumber: row.part_number, offset: row.object_offset, size: row.size, checksums: JSON.parse(row.checksums) as Record<string, string>,
      } : null,
    };
  }

  /** See MetaStore.listObjectParts. */
  objectParts(versionId: string, query: ListPartsQuery): ObjectPartsPage {
    const { sql, multipartSql } = this.ctx;
    const object = sql.objectIdByVersion.get(versionId) as { id: number } | undefined;
    if (!object) return { partCount: 0, parts: [], isTruncated: false, nextAfter: null };
    const { count } = multipartSql.objectPartCount.get(object.id) as { count: number };
    const maxParts = Math.max(0, Math.floor(query.maxParts));
    const rows = multipartSql.objectPartsAfter.all(object.id, query.after, maxParts + 1) as ObjectPartRow[];
    return objectPartsPage(count, rows, maxParts, query.after);
  }
}

/** A page from up to `maxParts + 1` rows (one more tells truncation); both backends. */
export function objectPartsPage(partCount: number, rows: readonly ObjectPartRow[], maxParts: number, after: number): ObjectPartsPage {
  const parts = rows.slice(0, maxParts).map((row) => ({
    partNumber: row.part_number, offset: Number(row.object_offset), size: Number(row.size), checksums: JSON.parse(row.checksums) as Record<string, string>,
  }));
  const isTruncated = rows.length > maxParts;
  return { partCount, parts, isTruncated, nextAfter: isTruncated ? parts.at(-1)?.partNumber ?? after : null };
}
