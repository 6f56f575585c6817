import type { ErasureProfile } from '../erasure/profile.ts';

/**
 * Records of the rewards ledger (the supply side of billing), kept in the metadata store.
 *
 * Stored byte-time is kept as holdings: one row per (node, shard placement) with the shard file's
 * bytes, opened in the transaction that commits the placement (a write's commit, a part's commit,
 * a repair or drain swap) and closed in the transaction that ends it (the segment garbage-
 * collected, the shard replaced by a swap, or the shard found missing or corrupt by an audit or a
 * read). Byte-time over a window is Σ bytes × overlap, computed exactly from the rows.
 *
 * Service (egress, requests answered, audits) is kept as counters per node, hour slot and kind of
 * read, added to by the gateway's meter.
 */

/** Who asked a node for bytes: a client's read, repair reading sources, or an audit. */
export type ServiceKind = 'client' | 'repair' | 'audit';

/** Why a holding ended. */
export type HoldingEnd = 'gc' | 'replaced' | 'corrupt' | 'missing';

/** One shard placement whose holding ends because a read or audit found it missing or corrupt. */
export interface HoldingLoss {
  readonly segmentId: string;
  readonly shardIndex: number;
  /** Only this node's holding ends: when the shard has moved meanwhile, nothing changes. */
  readonly nodeId: string;
  readonly reason: 'corrupt' | 'missing';
}

/** A holding row as the contract tests and the admin view see it. */
export interface ShardHolding {
  readonly nodeId: string;
  readonly segmentId: string;
  readonly shardIndex: number;
  readonly bytes: number;
  readonly from: Date;
  /** Null while the node still holds the shard. */
  readonly to: Date | null;
  readonly endReason: HoldingEnd | null;
}

/**
 * Counters of one node, one hour slot (`slot` = start of the hour, UTC) and one kind. Added to
 * the stored row of the same key (an upsert that adds), so flushes may repeat a slot.
 */
export interface NodeServiceCounts {
  readonly nodeId: string;
  readonly slot: Date;
  readonly kind: ServiceKind;
  /** Chunk bytes that passed BLAKE3 verification against the trusted root. */
  readonly verifiedBytes: number;
  /** Chunk bytes that failed verification (corrupt, or under a hash list that did not match its root). */
  readonly failedBytes: number;
  /** Requests whose first chunk arrived and verified. */
  readonly answered: number;
  /** Requests that failed: no answer in time, an error status, a short body, bytes that failed verification. */
  readonly failed: number;
  readonly auditsPassed: number;
  readonly auditsFailed: number;
}

export type NodeServiceTotal = Omit<NodeServiceCounts, 'nodeId' | 'slot'> & {
  /** Distinct hour slots with at least one request of this kind. */
  readonly observedSlots: number;
};

/** Service counters are kept per this many milliseconds (one hour). */
export const SERVICE_SLOT_MS = 3_600_000;

/** A segment's shards being placed: what opening their holdings needs to know. */
export interface PlacedShards {
  readonly id: string;
  readonly length: number;
  readonly profile: ErasureProfile;
  readonly shards: readonly { readonly shardIndex: number; readonly nodeId: string }[];
}
