import type { SqliteRewards } from './sqlite-rewards.ts';
import type { Statements } from './sqlite-statements.ts';
import type { PendingShardRow } from './sqlite-rows.ts';
import { SegmentGoneError } from './multipart-errors.ts';
import { WriteAbandonedError } from './store.ts';
import { shardId, type SegmentRecord } from './types.ts';

/**
 * Shared segments in the SQLite store (see sqlite-migration-multipart.ts): a segment row counts
 * the object and part rows that name it. Every method here runs inside the caller's write
 * transaction; a transaction that releases references ends with `sweep`, which hands the shards
 * of segments nothing names any more to the garbage queue.
 */
export class SegmentBook {
  constructor(private readonly sql: Statements, private readonly rewards: SqliteRewards) {}

  /** A new segment with its shards, referenced once (by the row the caller inserts next); its nodes' holdings start at `at`. */
  insert(segment: SegmentRecord, at: Date): number {
    const { dataShards, parityShards, chunkSize } = segment.profile;
    const { encryption } = segment;
    const segmentRef = Number(this.sql.insertSegment.run(
      segment.id, segment.length, dataShards, parityShards, chunkSize,
      encryption?.keyId ?? null, encryption ? Buffer.from(encryption.wrappedKey) : null, encryption ? Buffer.from(encryption.iv) : null,
    segment.inlineCiphertext ? Buffer.from(segment.inlineCiphertext) : null,
    ).lastInsertRowid);
    for (const shard of segment.shards) this.sql.insertShard.run(segmentRef, shard.shardIndex, shard.nodeId, shard.root);
    this.rewards.openSegment(segment, at);
    return segmentRef;
  }

  /** One more reference to a stored segment of `length` bytes; SegmentGoneError when there is none. */
  retain(segmentId: string, length: number): number {
    const row = this.sql.segmentByPublicId.get(segmentId) as { id: number; data_length: number } | undefined;
    if (!row || row.data_length !== length) throw new SegmentGoneError(segmentId);
    this.sql.retainSegment.run(row.id);
    return row.id;
  }

  /** Inserts `segments` (new) as the bytes of object row `objectId`. */
  addWrittenToObject(objectId: number, segments: readonly SegmentRecord[], at: Date): void {
    for (const segment of segments) {
      this.sql.insertObjectSegment.run(objectId, segment.index, this.insert(segment, at), segment.partNumber, segment.offset);
    }
  }

  /** Drops the object row's references and its segment and part rows (the object row itself stays). */
  releaseObject(objectId: number): void {
    this.sql.releaseObjectSegments.run({ objectId });
    this.sql.deleteObjectSegments.run(objectId);
    this.sql.deleteObjectParts.run(objectId);
  }

  /** Segments nothing references any more: shards to the garbage queue, rows (and shard rows) deleted. */
  sweep(now: Date): void {
    this.rewards.closeUnreferenced(now);
    this.sql.garbageUnreferenced.run(now.getTime());
    this.sql.deleteUnreferenced.run();
  }
}

/** A placement's identity in the pending and garbage bookkeeping: which file on which node. */
function placementKey(shardFileId: string, nodeId: string): string {
  return JSON.stringify([shardFileId, nodeId]);
}

/**
 * The pending shards of a write being committed. `claim` checks that every shard the segments
 * name is still pending under the write (else WriteAbandonedError, nothing changed); `settle`
 * sends the write's other pending shards (failed nodes, retried segments) to the garbage queue
 * and forgets the write.
 */
export class PendingClaim {
  private constructor(
    private readonly sql: Statements,
    private readonly writeRef: number | null,
    private readonly unnamed: readonly PendingShardRow[],
  ) {}

  static claim(sql: Statements, writeId: string, segments: readonly SegmentRecord[]): PendingClaim {
    const writeRow = sql.writeRefById.get(writeId) as { id: number } | undefined;
    const writeRef = writeRow?.id ?? null;
    const pending = writeRef === null ? [] : sql.pendingShardsOfWrite.all(writeRef) as PendingShardRow[];
    const pendingKeys = new Set(pending.map((row) => placementKey(row.shard_id, row.node_id)));
    const namedKeys = new Set<string>();
    let missing = 0;
    for (const segment of segments) {
      for (const shard of segment.shards) {
        const key = placementKey(shardId(segment.id, shard.shardIndex), shard.nodeId);
        namedKeys.add(key);
        if (!pendingKeys.has(key)) missing += 1;
      }
    }
    if (missing > 0) throw new WriteAbandonedError(writeId, missing);
    return new PendingClaim(sql, writeRef, pending.filter((row) => !namedKeys.has(placementKey(row.shard_id, row.node_id))));
  }

  settle(now: Date): void {
    for (const row of this.unnamed) this.sql.insertGarbage.run(row.shard_id, row.node_id, now.getTime());
    if (this.writeRef !== null) this.sql.deleteWrite.run(this.writeRef);
  }
}
