import type { Database, Statement } from 'better-sqlite3';
import { shardFileLength } from '../erasure/layout.ts';
import type {
  HoldingEnd, HoldingLoss, NodeServiceCounts, NodeServiceTotal, PlacedShards, ServiceKind, ShardHolding,
} from './rewards-types.ts';
import type { TimeWindow } from './usage-types.ts';

/**
 * The SQLite side of the rewards ledger (tables of sqlite-migration-rewards.ts). Holdings are
 * opened and closed inside the store's own write transactions (the caller opens them); nothing
 * here opens one.
 */
export const REWARDS_SQL = {
  openHolding: `INSERT INTO shard_holdings (node_id, segment_id, shard_index, bytes, from_ms) VALUES (?, ?, ?, ?, ?)`,
  // The holdings of segments a sweep is about to delete (ref_count 0), by the partial index.
  closeUnreferenced: `UPDATE shard_holdings SET to_ms = max(from_ms, @at), end_reason = 'gc'
    WHERE to_ms IS NULL AND segment_id IN (SELECT segment_id FROM segments WHERE ref_count = 0)`,
  closeShard: `UPDATE shard_holdings SET to_ms = max(from_ms, @at), end_reason = @reason
    WHERE segment_id = @segmentId AND shard_index = @shardIndex AND to_ms IS NULL`,
  closeShardOnNode: `UPDATE shard_holdings SET to_ms = max(from_ms, @at), end_reason = @reason
    WHERE segment_id = @segmentId AND shard_index = @shardIndex AND to_ms IS NULL AND node_id = @nodeId`,
  // Two seeks on (node_id, to_ms): the open holdings, and those that ended after the window began.
  holdingsInWindow: `SELECT bytes, from_ms, to_ms FROM shard_holdings WHERE node_id = @nodeId AND to_ms IS NULL AND from_ms < @to
    UNION ALL SELECT bytes, from_ms, to_ms FROM shard_holdings WHERE node_id = @nodeId AND to_ms > @from AND from_ms < @to`,
  holdingsOfNode: 'SELECT * FROM shard_holdings WHERE node_id = ? ORDER BY from_ms, id',
  addService: `INSERT INTO node_service (node_id, slot_ms, kind, verified_bytes, failed_bytes, answered, failed, audits_passed, audits_failed)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (node_id, slot_ms, kind) DO UPDATE SET
      verified_bytes = verified_bytes + excluded.verified_bytes, failed_bytes = failed_bytes + excluded.failed_bytes,
      answered = answered + excluded.answered, failed = failed + excluded.failed,
      audits_passed = audits_passed + excluded.audits_passed, audits_failed = audits_failed + excluded.audits_failed`,
  serviceInWindow: `SELECT kind, sum(verified_bytes) AS verified_bytes, sum(failed_bytes) AS failed_bytes,
      sum(answered) AS answered, sum(failed) AS failed, sum(audits_passed) AS audits_passed, sum(audits_failed) AS audits_failed,
      sum(answered + failed > 0) AS observed_slots
    FROM node_service WHERE node_id = ? AND slot_ms >= ? AND slot_ms < ? GROUP BY kind ORDER BY kind`,
} as const;

type RewardsStatements = Readonly<Record<keyof typeof REWARDS_SQL, Statement<unknown[], unknown>>>;

interface HoldingRow {
  node_id: string; segment_id: string; shard_index: number; bytes: number; from_ms: number; to_ms: number | null; end_reason: HoldingEnd | null;
}

interface ServiceRow {
  kind: ServiceKind; verified_bytes: number; failed_bytes: number; answered: number; failed: number;
  audits_passed: number; audits_failed: number; observed_slots: number;
}

export class SqliteRewards {
  readonly #sql: RewardsStatements;

  constructor(db: Database) {
    const prepared = {} as Record<keyof typeof REWARDS_SQL, Statement<unknown[], unknown>>;
    for (const name of Object.keys(REWARDS_SQL) as (keyof typeof REWARDS_SQL)[]) prepared[name] = db.prepare(REWARDS_SQL[name]);
    this.#sql = prepared;
  }

  /** Opens a holding for every shard of a segment just committed. Inside the committing transaction. */
  openSegment(segment: PlacedShards, at: Date): void {
    const bytes = shardFileLength(segment.profile, segment.length);
    for (const shard of segment.shards) this.#sql.openHolding.run(shard.nodeId, segment.id, shard.shardIndex, bytes, at.getTime());
  }

  /** A swap placed shard `shardIndex` on `nodeId`: the previous holding ends (replaced), a new one starts. */
  replaceShard(segment: Omit<PlacedShards, 'shards'>, shard: { readonly shardIndex: number; readonly nodeId: string }, at: Date): void {
    this.#sql.closeShard.run({ segmentId: segment.id, shardIndex: shard.shardIndex, at: at.getTime(), reason: 'replaced' });
    this.openSegment({ ...segment, shards: [shard] }, at);
  }

  /** Before a sweep deletes unreferenced segments: their holdings end (gc). */
  closeUnreferenced(at: Date): void {
    this.#sql.closeUnreferenced.run({ at: at.getTime() });
  }

  /** Ends the holdings a read or audit found missing or corrupt; returns how many ended. */
  lose(losses: readonly HoldingLoss[], at: Date): number {
    let ended = 0;
    for (const loss of losses) {
      ended += this.#sql.closeShardOnNode.run({
        segmentId: loss.segmentId, shardIndex: loss.shardIndex, nodeId: loss.nodeId, reason: loss.reason, at: at.getTime(),
      }).changes;
    }
    return ended;
  }

  /** Σ bytes × overlap with the window, in byte-milliseconds, exact (rows streamed, summed in BigInt). */
  storedByteMs(nodeId: string, window: TimeWindow): bigint {
    const from = window.from.getTime();
    const to = window.to.getTime();
    // Products and partial sums stay in exact JS numbers while they are below 2^53, and move to
    // BigInt before they would not be: exact, without a BigInt per row.
    let total = 0n;
    let partial = 0;
    for (const [bytes, fromMs, toMs] of this.#sql.holdingsInWindow.raw(true).iterate({ nodeId, to, from }) as Iterable<[number, number, number | null]>) {
      const overlap = Math.min(toMs ?? to, to) - Math.max(fromMs, from);
      if (overlap <= 0) continue;
      const product = bytes * overlap;
      if (Number.isSafeInteger(product) && Number.isSafeInteger(partial + product)) {
        partial += product;
      } else {
        total += BigInt(partial) + BigInt(bytes) * BigInt(overlap);
        partial = 0;
      }
    }
    return total + BigInt(partial);
  }

  holdings(nodeId: string): ShardHolding[] {
    return (this.#sql.holdingsOfNode.all(nodeId) as HoldingRow[]).map((row) => ({
      nodeId: row.node_id, segmentId: row.segment_id, shardIndex: row.shard_index, bytes: row.bytes,
      from: new Date(row.from_ms), to: row.to_ms === null ? null : new Date(row.to_ms), endReason: row.end_reason,
    }));
  }

  /** Inside a write transaction. */
  addService(rows: readonly NodeServiceCounts[]): void {
    for (const row of rows) {
      this.#sql.addService.run(
        row.nodeId, row.slot.getTime(), row.kind, row.verifiedBytes, row.failedBytes, row.answered, row.failed, row.auditsPassed, row.auditsFailed,
      );
    }
  }

  sumService(nodeId: string, window: TimeWindow): NodeServiceTotal[] {
    return (this.#sql.serviceInWindow.all(nodeId, window.from.getTime(), window.to.getTime()) as ServiceRow[]).map(toServiceTotal);
  }
}

export function toServiceTotal(row: ServiceRow): NodeServiceTotal {
  return {
    kind: row.kind, verifiedBytes: row.verified_bytes, failedBytes: row.failed_bytes, answered: row.answered, failed: row.failed,
    auditsPassed: row.audits_passed, auditsFailed: row.audits_failed, observedSlots: row.observed_slots,
  };
}
