import { SourceVersionGoneError } from './multipart-errors.ts';
import type { ListPartsQuery, ObjectCopy, ObjectPartLookup, ObjectPartsPage } from './multipart-types.ts';
import type { Sql } from './postgres-db.ts';
import { insertObjectRow, lockKeyForWrite, retireObject, OBJECT_SQL, type Ledger } from './postgres-objects.ts';
import { sweepSegments } from './postgres-segments.ts';
import type { ObjectPartRow } from './sqlite-multipart-statements.ts';
import { objectPartsPage } from './sqlite-object-copy.ts';
import { toObjectVersion, type ObjectRow } from './sqlite-rows.ts';
import type { ObjectVersion } from './types.ts';

/**
 * Server-side copies and completed objects' part lists in the PostgreSQL store (SqliteObjectCopy's
 * logic). The source row is read FOR SHARE: a concurrent overwrite or delete of the source (which
 * reads it FOR UPDATE) waits for the copy, or has already removed it (SourceVersionGoneError).
 */

export const COPY_SQL = {
  sourceByVersion: 'SELECT * FROM objects WHERE version_id = $1 FOR SHARE',
  copyObjectSegments: `INSERT INTO object_segments (object_id, segment_index, segment_ref, part_number, object_offset)
    SELECT $1, segment_index, segment_ref, part_number, object_offset FROM object_segments WHERE object_id = $2`,
  retainObjectSegments: `UPDATE segments s SET ref_count = s.ref_count + os.n
    FROM (SELECT segment_ref, count(*) AS n FROM object_segments WHERE object_id = $1 GROUP BY segment_ref) os
    WHERE s.id = os.segment_ref`,
  copyObjectParts: `INSERT INTO object_parts (object_id, part_number, object_offset, size, checksums)
    SELECT $1, part_number, object_offset, size, checksums FROM object_parts WHERE object_id = $2`,
  moveObjectSegments: 'UPDATE object_segments SET object_id = $1 WHERE object_id = $2',
  moveObjectParts: 'UPDATE object_parts SET object_id = $1 WHERE object_id = $2',
  objectPartCount: 'SELECT count(*) AS count FROM object_parts WHERE object_id = $1',
  objectPart: 'SELECT * FROM object_parts WHERE object_id = $1 AND part_number = $2',
  objectPartsAfter: 'SELECT * FROM object_parts WHERE object_id = $1 AND part_number > $2 ORDER BY part_number LIMIT $3',
} as const;

/** Runs inside a write transaction. Returns the version the copy replaced. */
export async function copyObject(sql: Sql, ledger: Ledger, copy: ObjectCopy, now: Date): Promise<ObjectVersion | null> {
  const { object } = copy;
  const source = await sql.one<ObjectRow>(COPY_SQL.sourceByVersion, [copy.sourceVersionId]);
  if (!source) throw new SourceVersionGoneError(copy.sourceVersionId);
  const { bucket, current: replaced } = await lockKeyForWrite(sql, object.bucket, object.key);
  if (object.size !== source.size) throw new RangeError(`a copy of ${source.size} bytes cannot have size ${object.size}`);

  if (replaced?.id === source.id) {
    // Onto itself: the new row takes over the old one's segment and part rows; no reference changes.
    await sql.run(OBJECT_SQL.deleteObject, [source.id]);
    const objectId = await insertObjectRow(sql, bucket.id, object, now);
    await sql.run(COPY_SQL.moveObjectSegments, [objectId, source.id]);
    await sql.run(COPY_SQL.moveObjectParts, [objectId, source.id]);
  } else {
    if (replaced) await retireObject(sql, replaced);
    const objectId = await insertObjectRow(sql, bucket.id, object, now);
    await sql.run(COPY_SQL.copyObjectSegments, [objectId, source.id]);
    await sql.run(COPY_SQL.retainObjectSegments, [objectId]);
    await sql.run(COPY_SQL.copyObjectParts, [objectId, source.id]);
  }
  await ledger(sql, bucket, { key: object.key, item: 'object', cause: 'copy', oldSize: replaced?.size ?? null, newSize: object.size }, now);
  await sweepSegments(sql, now);
  return replaced ? toObjectVersion(replaced, bucket.name) : null;
}

/** Runs inside a read transaction. */
export async function objectPart(sql: Sql, versionId: string, partNumber: number): Promise<ObjectPartLookup> {
  const object = await sql.one<{ id: number }>(OBJECT_SQL.objectIdByVersion, [versionId]);
  if (!object) return { partCount: 0, part: null };
  const { count } = (await sql.one<{ count: number }>(COPY_SQL.objectPartCount, [object.id]))!;
  const row = count === 0 ? undefined : await sql.one<ObjectPartRow>(COPY_SQL.objectPart, [object.id, partNumber]);
  return {
    partCount: count,
    part: row ? {
      partNumber: row.part_number, offset: row.object_offset, size: row.size, checksums: JSON.parse(row.checksums) as Record<string, string>,
    } : null,
  };
}

/** Runs inside a read transaction (see MetaStore.listObjectParts). */
export async function objectParts(sql: Sql, versionId: string, query: ListPartsQuery): Promise<ObjectPartsPage> {
  const object = await sql.one<{ id: number }>(OBJECT_SQL.objectIdByVersion, [versionId]);
  if (!object) return { partCount: 0, parts: [], isTruncated: false, nextAfter: null };
  const { count } = (await sql.one<{ count: number }>(COPY_SQL.objectPartCount, [object.id]))!;
  const maxParts = Math.max(0, Math.floor(query.maxParts));
  const rows = await sql.rows<ObjectPartRow>(COPY_SQL.objectPartsAfter, [object.id, query.after, maxParts + 1]);
  return objectPartsPage(Number(count), rows, maxParts, query.after);
}
