import { SegmentGoneError } from './multipart-errors.ts';
import type { Sql } from './postgres-db.ts';
import { closeUnreferencedHoldings, openSegmentHoldings } from './postgres-rewards.ts';
import type { PendingShardRow } from './sqlite-rows.ts';
import { WriteAbandonedError } from './store.ts';
import { shardId, type SegmentRecord } from './types.ts';

/**
 * Shared, reference-counted segments in the PostgreSQL store (the model of
 * sqlite-migration-multipart.ts). Every function runs inside the caller's write transaction; one
 * that releases references ends with `sweepSegments`.
 */

export const SEGMENT_SQL = {
  insertSegment: `INSERT INTO segments (segment_id, data_length, data_shards, parity_shards, chunk_size, ref_count, key_id, wrapped_key, cipher_iv, inline_data)
    VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $8, $9) RETURNING id`,
  insertShards: `INSERT INTO shards (segment_ref, shard_index, node_id, root)
    SELECT $1, * FROM unnest($2::integer[], $3::text[], $4::bytea[])`,
  // A segment swept by a concurrent transaction is gone by the time the row lock is granted.
  retainSegment: 'UPDATE segments SET ref_count = ref_count + 1 WHERE segment_id = $1 AND data_length = $2 RETURNING id',
  insertObjectSegments: `INSERT INTO object_segments (object_id, segment_index, segment_ref, part_number, object_offset)
    SELECT $1, * FROM unnest($2::integer[], $3::bigint[], $4::integer[], $5::bigint[])`,
  releaseObjectSegments: `UPDATE segments s SET ref_count = s.ref_count - os.n
    FROM (SELECT segment_ref, count(*) AS n FROM object_segments WHERE object_id = $1 GROUP BY segment_ref) os
    WHERE s.id = os.segment_ref`,
  deleteObjectSegments: 'DELETE FROM object_segments WHERE object_id = $1',
  deleteObjectParts: 'DELETE FROM object_parts WHERE object_id = $1',
  // One statement: the unreferenced segments go (shards cascade) and their shards are queued as
  // garbage from the statement's snapshot, so two sweeps never queue a shard twice.
  sweep: `WITH gone AS (DELETE FROM segments WHERE ref_count = 0 RETURNING id, segment_id)
    INSERT INTO garbage (shard_id, node_id, enqueued_at)
    SELECT g.segment_id || '.' || sh.shard_index, sh.node_id, $1 FROM gone g JOIN shards sh ON sh.segment_ref = g.id
    ORDER BY g.id, sh.shard_index`,

  writeRefById: 'SELECT id FROM pending_writes WHERE write_id = $1 FOR UPDATE',
  pendingShardsOfWrite: 'SELECT shard_id, node_id FROM pending_shards WHERE write_ref = $1',
  insertGarbage: `INSERT INTO garbage (shard_id, node_id, enqueued_at)
    SELECT *, $3::bigint FROM unnest($1::text[], $2::text[])`,
  deleteWrite: 'DELETE FROM pending_writes WHERE id = $1',
} as const;

/** A new segment with its shards, referenced once (by the row the caller inserts next); its nodes' holdings start at `at`. */
export async function insertSegment(sql: Sql, segment: SegmentRecord, at: Date): Promise<number> {
  const { dataShards, parityShards, chunkSize } = segment.profile;
  const { encryption } = segment;
  const row = await sql.one<{ id: number }>(SEGMENT_SQL.insertSegment, [
    segment.id, segment.length, dataShards, parityShards, chunkSize,
    encryption?.keyId ?? null, encryption ? Buffer.from(encryption.wrappedKey) : null, encryption ? Buffer.from(encryption.iv) : null,
    segment.inlineCiphertext ? Buffer.from(segment.inlineCiphertext) : null,
  ]);
  const segmentRef = row!.id;
  if (segment.shards.length > 0) {
    await sql.run(SEGMENT_SQL.insertShards, [
      segmentRef,
      segment.shards.map((shard) => shard.shardIndex),
      segment.shards.map((shard) => shard.nodeId),
      segment.shards.map((shard) => Buffer.from(shard.root)),
    ]);
  }
  await openSegmentHoldings(sql, segment, at);
  return segmentRef;
}

/** One more reference to a stored segment of `length` bytes; SegmentGoneError when there is none. */
export async function retainSegment(sql: Sql, segmentId: string, length: number): Promise<number> {
  const row = await sql.one<{ id: number }>(SEGMENT_SQL.retainSegment, [segmentId, length]);
  if (!row) throw new SegmentGoneError(segmentId);
  return row.id;
}

/** Inserts `segments` (new) as the bytes of object row `objectId`. */
export async function addWrittenToObject(sql: Sql, objectId: number, segments: readonly SegmentRecord[], at: Date): Promise<void> {
  if (segments.length === 0) return;
  const refs: number[] = [];
  for (const segment of segments) refs.push(await insertSegment(sql, segment, at));
  await sql.run(SEGMENT_SQL.insertObjectSegments, [
    objectId,
    segments.map((segment) => segment.index),
    refs,
    segments.map((segment) => segment.partNumber),
    segments.map((segment) => segment.offset),
  ]);
}

/** Drops the object row's references and its segment and part rows (the object row itself stays). */
export async function releaseObject(sql: Sql, objectId: number): Promise<void> {
  await sql.run(SEGMENT_SQL.releaseObjectSegments, [objectId]);
  await sql.run(SEGMENT_SQL.deleteObjectSegments, [objectId]);
  await sql.run(SEGMENT_SQL.deleteObjectParts, [objectId]);
}

/** Segments nothing references any more: shards to the garbage queue, rows (and shard rows) deleted. */
export async function sweepSegments(sql: Sql, now: Date): Promise<void> {
  await closeUnreferencedHoldings(sql, now);
  await sql.run(SEGMENT_SQL.sweep, [now.getTime()]);
}

/** Queues shard files as garbage. */
export async function enqueueGarbage(sql: Sql, shards: readonly PendingShardRow[], now: Date): Promise<void> {
  if (shards.length === 0) return;
  await sql.run(SEGMENT_SQL.insertGarbage, [shards.map((row) => row.shard_id), shards.map((row) => row.node_id), now.getTime()]);
}

function placementKey(shardFileId: string, nodeId: string): string {
  return JSON.stringify([shardFileId, nodeId]);
}

/**
 * The pending shards of a write being committed (PendingClaim of sqlite-segments.ts): `claimPending`
 * locks the write's row and checks that every shard the segments name is still pending under it
 * (else WriteAbandonedError, nothing changed); `settle` queues the write's other pending shards
 * as garbage and forgets the write.
 */
export interface PendingClaim {
  settle(now: Date): Promise<void>;
}

export async function claimPending(sql: Sql, writeId: string, segments: readonly SegmentRecord[]): Promise<PendingClaim> {
  // FOR UPDATE: a concurrent abandonWrite / janitor waits for this commit, or wins and we see no row.
  const writeRow = await sql.one<{ id: number }>(SEGMENT_SQL.writeRefById, [writeId]);
  const writeRef = writeRow?.id ?? null;
  const pending = writeRef === null ? [] : await sql.rows<PendingShardRow>(SEGMENT_SQL.pendingShardsOfWrite, [writeRef]);
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
  const unnamed = pending.filter((row) => !namedKeys.has(placementKey(row.shard_id, row.node_id)));
  return {
    async settle(now: Date) {
      await enqueueGarbage(sql, unnamed, now);
      if (writeRef !== null) await sql.run(SEGMENT_SQL.deleteWrite, [writeRef]);
    },
  };
}
