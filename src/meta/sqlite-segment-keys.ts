import type { Database, Statement } from 'better-sqlite3';
import type { SegmentKeyRecord } from './store.ts';
import type { SegmentEncryption } from './types.ts';

/**
 * Segment data keys in the SQLite store, for master-key rotation: which segments a key wraps
 * (an index seek on segments_by_key_id, sqlite-migration-encryption.ts), and a compare-and-set
 * that replaces one wrapped key. The shard bytes are never involved.
 */
const SQL = {
  keyCounts: 'SELECT key_id, count(*) AS segments FROM segments WHERE key_id IS NOT NULL GROUP BY key_id ORDER BY key_id',
  segmentsOfKey: 'SELECT segment_id, key_id, wrapped_key, cipher_iv FROM segments WHERE key_id = ? ORDER BY id LIMIT ?',
  replaceKey: `UPDATE segments SET key_id = @nextKeyId, wrapped_key = @nextWrappedKey
    WHERE segment_id = @segmentId AND key_id = @keyId AND wrapped_key = @wrappedKey AND cipher_iv = @iv`,
} as const;

interface KeyRow { segment_id: string; key_id: string; wrapped_key: Buffer; cipher_iv: Buffer }

export class SqliteSegmentKeys {
  readonly #statements: Readonly<Record<keyof typeof SQL, Statement<unknown[], unknown>>>;

  constructor(db: Database) {
    this.#statements = {
      keyCounts: db.prepare(SQL.keyCounts),
      segmentsOfKey: db.prepare(SQL.segmentsOfKey),
      replaceKey: db.prepare(SQL.replaceKey),
    };
  }

  counts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const row of this.#statements.keyCounts.all() as { key_id: string; segments: number }[]) counts[row.key_id] = row.segments;
    return counts;
  }

  segmentsOfKey(keyId: string, limit: number): SegmentKeyRecord[] {
    return (this.#statements.segmentsOfKey.all(keyId, limit) as KeyRow[]).map((row) => ({
      segmentId: row.segment_id,
      encryption: { keyId: row.key_id, wrappedKey: new Uint8Array(row.wrapped_key), iv: new Uint8Array(row.cipher_iv) },
    }));
  }

  replace(segmentId: string, current: SegmentEncryption, next: SegmentEncryption): boolean {
    if (Buffer.compare(Buffer.from(current.iv), Buffer.from(next.iv)) !== 0) throw new RangeError('a rewrap keeps the segment IV');
    return this.#statements.replaceKey.run({
      segmentId, keyId: current.keyId, wrappedKey: Buffer.from(current.wrappedKey), iv: Buffer.from(current.iv),
      nextKeyId: next.keyId, nextWrappedKey: Buffer.from(next.wrappedKey),
    }).changes === 1;
  }
}
