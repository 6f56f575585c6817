import type { GarbageRow, PendingShardRow } from './sqlite-rows.ts';
import type { Statements } from './sqlite-statements.ts';
import type { GarbageShard, PendingShard } from './types.ts';

/**
 * The write-intent and garbage queues in the SQLite store (tables `pending_writes`,
 * `pending_shards` and `garbage`): shards placed by writes not yet committed, and shards waiting
 * to be deleted from their nodes. Methods that change several rows run inside the store's write
 * transaction (the caller opens it); nothing here opens one. Committing a write's shards is
 * PendingClaim's job (sqlite-segments.ts).
 */
export class SqliteWriteQueue {
  /** `writer` names this store instance in the writes it adds (see renewWrites). */
  constructor(private readonly sql: Statements, private readonly now: () => Date, private readonly writer: string) {}

  /** Runs inside a write transaction. */
  addPending(writeId: string, shards: readonly PendingShard[], at: Date): void {
    const { id } = this.sql.touchWrite.get(writeId, at.getTime(), this.writer) as { id: number };
    for (const shard of shards) this.sql.insertPendingShard.run(id, shard.shardId, shard.nodeId, at.getTime());
  }

  /** Marks every write this instance added as alive at `at`; returns how many. One statement. */
  renewWrites(at: Date): number {
    return this.sql.renewWrites.run(at.getTime(), this.writer).changes;
  }

  /** Runs inside a write transaction. An unknown write is already gone: nothing to do. */
  abandonWrite(writeId: string): void {
    const writeRef = this.#writeRef(writeId);
    if (writeRef !== null) this.#abandon(writeRef, this.now());
  }

  /** Runs inside a write transaction. Returns how many shards went to the garbage queue. */
  abandonIdleBefore(before: Date): number {
    const now = this.now();
    let queued = 0;
    for (const { id } of this.sql.idleWrites.all(before.getTime()) as { id: number }[]) {
      queued += this.#abandon(id, now);
    }
    return queued;
  }

  listGarbage(limit: number, enqueuedBefore?: Date): GarbageShard[] {
    if (!(limit > 0)) return []; // SQLite reads a negative LIMIT as "no limit"
    const before = enqueuedBefore?.getTime() ?? Number.MAX_SAFE_INTEGER;
    return (this.sql.garbageBefore.all(before, Math.floor(limit)) as GarbageRow[]).map((row) => ({
      id: row.id, shardId: row.shard_id, nodeId: row.node_id, enqueuedAt: new Date(row.enqueued_at),
    }));
  }

  /** Runs inside a write transaction. */
  removeGarbage(ids: readonly number[]): void {
    for (const id of ids) this.sql.deleteGarbage.run(id);
  }

  /** Moves a write's pending shards to the garbage queue and forgets the write. */
  #abandon(writeRef: number, now: Date): number {
    const pending = this.sql.pendingShardsOfWrite.all(writeRef) as PendingShardRow[];
    for (const row of pending) this.sql.insertGarbage.run(row.shard_id, row.node_id, now.getTime());
    this.sql.deleteWrite.run(writeRef);
    return pending.length;
  }

  #writeRef(writeId: string): number | null {
    const row = this.sql.writeRefById.get(writeId) as { id: number } | undefined;
    return row?.id ?? null;
  }
}
