import type { Sql } from './postgres-db.ts';
import { enqueueGarbage } from './postgres-segments.ts';
import type { GarbageRow, PendingShardRow } from './sqlite-rows.ts';
import type { GarbageShard, PendingShard } from './types.ts';

/**
 * The write-intent and garbage queues in the PostgreSQL store (SqliteWriteQueue's logic). A
 * write's row is locked while its shards are added, abandoned or committed (claimPending), so a
 * commit and an abandonment of the same write never both win.
 */
export const WRITE_QUEUE_SQL = {
  // One statement (atomic without a transaction): the write is touched (the CTE runs even with
  // no shards) and its shards are added.
  addPending: `WITH touched AS (
      INSERT INTO pending_writes (write_id, last_active_at, writer) VALUES ($1, $2, $5)
      ON CONFLICT (write_id) DO UPDATE SET last_active_at = greatest(pending_writes.last_active_at, excluded.last_active_at)
      RETURNING id)
    INSERT INTO pending_shards (write_ref, shard_id, node_id, created_at)
    SELECT touched.id, shard.shard_id, shard.node_id, $2 FROM touched, unnest($3::text[], $4::text[]) AS shard (shard_id, node_id)
    ON CONFLICT DO NOTHING`,
  writeRefById: 'SELECT id FROM pending_writes WHERE write_id = $1 FOR UPDATE',
  renewWrites: 'UPDATE pending_writes SET last_active_at = greatest(last_active_at, $1) WHERE writer = $2',
  // SKIP LOCKED: a write being committed right now is not idle.
  idleWrites: 'SELECT id FROM pending_writes WHERE last_active_at < $1 ORDER BY id FOR UPDATE SKIP LOCKED',
  pendingShardsOfWrite: 'SELECT shard_id, node_id FROM pending_shards WHERE write_ref = $1',
  deleteWrite: 'DELETE FROM pending_writes WHERE id = $1',
  garbageBefore: 'SELECT * FROM garbage WHERE enqueued_at < $1 ORDER BY enqueued_at, id LIMIT $2',
  deleteGarbage: 'DELETE FROM garbage WHERE id = ANY($1::bigint[])',
} as const;

/** One statement: needs no transaction. `writer` names the store instance (see renewWrites). */
export async function addPending(sql: Sql, writeId: string, shards: readonly PendingShard[], at: Date, writer: string): Promise<void> {
  await sql.run(WRITE_QUEUE_SQL.addPending, [writeId, at.getTime(), shards.map((shard) => shard.shardId), shards.map((shard) => shard.nodeId), writer]);
}

/** Marks every write `writer` added as alive at `at`; returns how many. One statement. */
export async function renewWrites(sql: Sql, writer: string, at: Date): Promise<number> {
  return sql.run(WRITE_QUEUE_SQL.renewWrites, [at.getTime(), writer]);
}

/** Runs inside a write transaction. An unknown write is already gone: nothing to do. */
export async function abandonWrite(sql: Sql, writeId: string, now: Date): Promise<void> {
  const row = await sql.one<{ id: number }>(WRITE_QUEUE_SQL.writeRefById, [writeId]);
  if (row) await abandon(sql, row.id, now);
}

/** Runs inside a write transaction. Returns how many shards went to the garbage queue. */
export async function abandonIdleBefore(sql: Sql, before: Date, now: Date): Promise<number> {
  let queued = 0;
  for (const { id } of await sql.rows<{ id: number }>(WRITE_QUEUE_SQL.idleWrites, [before.getTime()])) {
    queued += await abandon(sql, id, now);
  }
  return queued;
}

export async function listGarbage(sql: Sql, limit: number, enqueuedBefore?: Date): Promise<GarbageShard[]> {
  if (!(limit > 0)) return [];
  const before = enqueuedBefore?.getTime() ?? Number.MAX_SAFE_INTEGER;
  return (await sql.rows<GarbageRow>(WRITE_QUEUE_SQL.garbageBefore, [before, Math.floor(limit)])).map((row) => ({
    id: row.id, shardId: row.shard_id, nodeId: row.node_id, enqueuedAt: new Date(row.enqueued_at),
  }));
}

export async function removeGarbage(sql: Sql, ids: readonly number[]): Promise<void> {
  if (ids.length > 0) await sql.run(WRITE_QUEUE_SQL.deleteGarbage, [ids]);
}

async function abandon(sql: Sql, writeRef: number, now: Date): Promise<number> {
  const pending = await sql.rows<PendingShardRow>(WRITE_QUEUE_SQL.pendingShardsOfWrite, [writeRef]);
  await enqueueGarbage(sql, pending, now);
  await sql.run(WRITE_QUEUE_SQL.deleteWrite, [writeRef]);
  return pending.length;
}
