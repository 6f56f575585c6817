import type { Sql } from './postgres-db.ts';
import type { SegmentKeyRecord } from './store.ts';
import type { SegmentEncryption } from './types.ts';

/**
 * Segment data keys in the PostgreSQL store, for master-key rotation (sqlite-segment-keys.ts):
 * which segments a key wraps (a seek on segments_by_key_id) and a compare-and-set that replaces
 * one wrapped key. One statement each.
 */
export const SEGMENT_KEY_SQL = {
  keyCounts: 'SELECT key_id, count(*) AS segments FROM segments WHERE key_id IS NOT NULL GROUP BY key_id ORDER BY key_id',
  segmentsOfKey: 'SELECT segment_id, key_id, wrapped_key, cipher_iv FROM segments WHERE key_id = $1 ORDER BY id LIMIT $2',
  replaceKey: `UPDATE segments SET key_id = $5, wrapped_key = $6
    WHERE segment_id = $1 AND key_id = $2 AND wrapped_key = $3 AND cipher_iv = $4`,
} as const;

interface KeyRow { segment_id: string; key_id: string; wrapped_key: Buffer; cipher_iv: Buffer }

export async function countSegmentKeys(sql: Sql): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const row of await sql.rows<{ key_id: string; segments: number }>(SEGMENT_KEY_SQL.keyCounts)) counts[row.key_id] = row.segments;
  return counts;
}

export async function listSegmentKeys(sql: Sql, keyId: string, limit: number): Promise<SegmentKeyRecord[]> {
  const rows = await sql.rows<KeyRow>(SEGMENT_KEY_SQL.segmentsOfKey, [keyId, Math.max(0, Math.floor(limit))]);
  return rows.map((row) => ({
    segmentId: row.segment_id,
    encryption: { keyId: row.key_id, wrappedKey: new Uint8Array(row.wrapped_key), iv: new Uint8Array(row.cipher_iv) },
  }));
}

/** False when the segment is gone or its key is no longer exactly `current`. */
export async function replaceSegmentKey(sql: Sql, segmentId: string, current: SegmentEncryption, next: SegmentEncryption): Promise<boolean> {
  if (Buffer.compare(Buffer.from(current.iv), Buffer.from(next.iv)) !== 0) throw new RangeError('a rewrap keeps the segment IV');
  return await sql.run(SEGMENT_KEY_SQL.replaceKey, [
    segmentId, current.keyId, Buffer.from(current.wrappedKey), Buffer.from(current.iv), next.keyId, Buffer.from(next.wrappedKey),
  ]) === 1;
}
