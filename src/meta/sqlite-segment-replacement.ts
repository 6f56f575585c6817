import type { Database, Statement } from 'better-sqlite3';
import type { SegmentScanEntry } from './repair-types.ts';
import type { SegmentReplacement, SegmentReplacementResult, UnencryptedSegmentTotals } from './segment-replacement-types.ts';
import type { SqliteRepair } from './sqlite-repair.ts';
import { PendingClaim, SegmentBook } from './sqlite-segments.ts';
import type { Statements } from './sqlite-statements.ts';
import type { SegmentRecord } from './types.ts';

/**
 * Whole-segment replacement in the SQLite store (MetaStore.replaceSegment) and the pages of
 * segments stored in the clear that `encrypt-existing` walks (an index seek on
 * segments_unencrypted, sqlite-migration-unencrypted-segments.ts).
 */
const SQL = {
  segment: 'SELECT id, data_length, placement_version, ref_count FROM segments WHERE segment_id = ?',
  unencryptedAfter: 'SELECT id, segment_id FROM segments WHERE key_id IS NULL AND id > ? AND ref_count > 0 ORDER BY id LIMIT ?',
  unencryptedTotals: `SELECT count(*) AS segments, coalesce(sum(data_length), 0) AS bytes FROM segments
    WHERE key_id IS NULL AND ref_count > 0`,
  repointObjects: 'UPDATE object_segments SET segment_ref = @next WHERE segment_ref = @old',
  repointParts: 'UPDATE part_segments SET segment_ref = @next WHERE segment_ref = @old',
  setRefCount: 'UPDATE segments SET ref_count = ? WHERE id = ?',
  // Objects naming the new segment that recorded no encryption and have no segment in the clear left.
  markObjects: `UPDATE objects SET encryption = @encryption
    WHERE encryption IS NULL AND id IN (SELECT object_id FROM object_segments WHERE segment_ref = @next)
      AND NOT EXISTS (SELECT 1 FROM object_segments os JOIN segments s ON s.id = os.segment_ref
        WHERE os.object_id = objects.id AND s.key_id IS NULL)`,
} as const;

interface SegmentRow { id: number; data_length: number; placement_version: number; ref_count: number }

export class SqliteSegmentReplacement {
  readonly #statements: Readonly<Record<keyof typeof SQL, Statement<unknown[], unknown>>>;

  constructor(db: Database, private readonly storeSql: Statements, private readonly repair: SqliteRepair) {
    this.#statements = Object.fromEntries(Object.entries(SQL).map(([name, text]) => [name, db.prepare(text)])) as Record<keyof typeof SQL, Statement<unknown[], unknown>>;
  }

  /** Runs inside a read transaction (one snapshot). */
  unencryptedAfter(afterCursor: number, limit: number): SegmentScanEntry[] {
    if (!(limit > 0)) return [];
    return (this.#statements.unencryptedAfter.all(afterCursor, Math.floor(limit)) as { id: number; segment_id: string }[])
      .map((row) => ({ ...this.repair.placement(row.segment_id)!, cursor: row.id }));
  }

  unencryptedTotals(): UnencryptedSegmentTotals {
    return this.#statements.unencryptedTotals.get() as UnencryptedSegmentTotals;
  }

  /**
   * Runs inside a write transaction; throws WriteAbandonedError (nothing changed) when a new
   * shard is no longer pending. Shards are placed (the new segment's rows) by `book.insert` and
   * removed (the old segment's rows, to the garbage queue) by `book.sweep`.
   */
  replace(request: SegmentReplacement, now: Date): SegmentReplacementResult {
    const old = this.#statements.segment.get(request.segmentId) as SegmentRow | undefined;
    if (!old || old.ref_count === 0) return { replaced: false, reason: 'gone' };
    if (old.placement_version !== request.expectedVersion) return { replaced: false, reason: 'changed' };
    const { replacement } = request;
    const claim = PendingClaim.claim(this.storeSql, request.writeId, [{ id: replacement.id, shards: replacement.shards } as unknown as SegmentRecord]);
    const book = new SegmentBook(this.storeSql);
    const next = book.insert({ ...replacement, partNumber: 1, index: 0, offset: 0, length: old.data_length });
    const references = this.#statements.repointObjects.run({ next, old: old.id }).changes
      + this.#statements.repointParts.run({ next, old: old.id }).changes;
    this.#statements.setRefCount.run(references, next);
    this.#statements.setRefCount.run(0, old.id);
    book.sweep(now);
    const objectsEncrypted = request.objectEncryption === null ? 0
      : this.#statements.markObjects.run({ next, encryption: JSON.stringify(request.objectEncryption) }).changes;
    claim.settle(now);
    return { replaced: true, segmentId: replacement.id, references, objectsEncrypted };
  }
}
