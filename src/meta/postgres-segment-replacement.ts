import type { Sql } from './postgres-db.ts';
import { REPAIR_SQL } from './postgres-repair-sql.ts';
import { placement } from './postgres-repair.ts';
import { claimPending, insertSegment, sweepSegments } from './postgres-segments.ts';
import type { SegmentScanEntry } from './repair-types.ts';
import type { SegmentReplacement, SegmentReplacementResult, UnencryptedSegmentTotals } from './segment-replacement-types.ts';
import type { SegmentRecord } from './types.ts';

/**
 * Whole-segment replacement in the PostgreSQL store (the model of sqlite-segment-replacement.ts)
 * and the pages of segments stored in the clear. `replace` runs in the caller's write
 * transaction, the others in a read transaction; nothing here opens one.
 */
const SQL = {
  unencryptedAfter: 'SELECT id, segment_id FROM segments WHERE key_id IS NULL AND id > $1 AND ref_count > 0 ORDER BY id LIMIT $2',
  unencryptedTotals: `SELECT count(*)::integer AS segments, coalesce(sum(data_length), 0)::bigint AS bytes FROM segments
    WHERE key_id IS NULL AND ref_count > 0`,
  repointObjects: 'UPDATE object_segments SET segment_ref = $1 WHERE segment_ref = $2',
  repointParts: 'UPDATE part_segments SET segment_ref = $1 WHERE segment_ref = $2',
  setRefCount: 'UPDATE segments SET ref_count = $1 WHERE id = $2',
  markObjects: `UPDATE objects SET encryption = $2
    WHERE encryption IS NULL AND id IN (SELECT object_id FROM object_segments WHERE segment_ref = $1)
      AND NOT EXISTS (SELECT 1 FROM object_segments os JOIN segments s ON s.id = os.segment_ref
        WHERE os.object_id = objects.id AND s.key_id IS NULL)`,
} as const;

interface SegmentRow { id: number; data_length: number; placement_version: number; ref_count: number }

export async function unencryptedAfter(sql: Sql, afterCursor: number, limit: number): Promise<SegmentScanEntry[]> {
  if (!(limit > 0)) return [];
  const rows = await sql.rows<{ id: number; segment_id: string }>(SQL.unencryptedAfter, [afterCursor, Math.floor(limit)]);
  const entries: SegmentScanEntry[] = [];
  for (const row of rows) entries.push({ ...(await placement(sql, row.segment_id))!, cursor: Number(row.id) });
  return entries;
}

export async function unencryptedTotals(sql: Sql): Promise<UnencryptedSegmentTotals> {
  const row = (await sql.one<{ segments: number; bytes: string | number }>(SQL.unencryptedTotals))!;
  return { segments: Number(row.segments), bytes: Number(row.bytes) };
}

/**
 * Runs in a write transaction. The old segment's row is locked FOR UPDATE (a concurrent swap,
 * copy or release waits, then sees it gone); WriteAbandonedError (nothing changed) when a new
 * shard is no longer pending. Shards are placed (the new segment's rows) by `insertSegment` and
 * removed (the old segment's rows, to the garbage queue) by `sweepSegments`.
 */
export async function replace(sql: Sql, request: SegmentReplacement, now: Date): Promise<SegmentReplacementResult> {
  const old = await sql.one<SegmentRow>(REPAIR_SQL.segmentByIdForUpdate, [request.segmentId]);
  if (!old || old.ref_count === 0) return { replaced: false, reason: 'gone' };
  if (old.placement_version !== request.expectedVersion) return { replaced: false, reason: 'changed' };
  const { replacement } = request;
  const pending = await claimPending(sql, request.writeId, [{ id: replacement.id, shards: replacement.shards } as unknown as SegmentRecord]);
  const next = await insertSegment(sql, { ...replacement, partNumber: 1, index: 0, offset: 0, length: Number(old.data_length) });
  const references = await sql.run(SQL.repointObjects, [next, old.id]) + await sql.run(SQL.repointParts, [next, old.id]);
  await sql.run(SQL.setRefCount, [references, next]);
  await sql.run(SQL.setRefCount, [0, old.id]);
  await sweepSegments(sql, now);
  const objectsEncrypted = request.objectEncryption === null ? 0
    : await sql.run(SQL.markObjects, [next, JSON.stringify(request.objectEncryption)]);
  await pending.settle(now);
  return { replaced: true, segmentId: replacement.id, references, objectsEncrypted };
}
