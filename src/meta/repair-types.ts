import type { ErasureProfile } from '../erasure/profile.ts';
import type { ShardPlacement } from './types.ts';

/**
 * Node states an operator (or the audits) decides and the store keeps across restarts.
 * `draining`: its shards are being moved away, it gets no new ones; `drained`: none left, its
 * operator may stop it; `disqualified`: untrusted, no new shards, its shards repaired away;
 * `forgotten`: gone for good, its shards repaired from the others. Online, offline and lost are
 * derived from heartbeats and never stored.
 */
export type NodeAdminState = 'draining' | 'drained' | 'disqualified' | 'forgotten';

export interface NodeAdminRecord {
  readonly nodeId: string;
  readonly state: NodeAdminState;
  readonly since: Date;
}

/** A segment that needs repair, as the checker, a read or a write reports it. */
export interface RepairRequest {
  readonly segmentId: string;
  /** Shards the reporter counts as healthy: the queue serves the fewest first. */
  readonly healthyShards: number;
  /** Shard indexes known to hold wrong bytes: recreated whatever their node's state. */
  readonly corruptShards?: readonly number[];
  /** Shard indexes a read could not get (error, timeout): the repairer reads them first to find out. */
  readonly suspectShards?: readonly number[];
  /** Not claimable before this time (default: at once). */
  readonly notBefore?: Date;
}

/** A claimed queue entry. `leaseToken` fences every later verb: a newer claim makes it stale. */
export interface RepairJob {
  readonly segmentId: string;
  readonly healthyShards: number;
  readonly corruptShards: readonly number[];
  readonly suspectShards: readonly number[];
  readonly enqueuedAt: Date;
  /** Claims so far, this one included. */
  readonly attempts: number;
  readonly leaseToken: number;
  readonly leaseExpiresAt: Date;
}

export interface RepairQueueStats {
  /** Entries queued, leased or not. */
  readonly length: number;
  readonly leased: number;
  readonly oldestEnqueuedAt: Date | null;
}

/** A stored segment's shards as repair sees them, with the version a swap must present. */
export interface SegmentPlacement {
  readonly segmentId: string;
  /** Data bytes of the segment. */
  readonly length: number;
  readonly profile: ErasureProfile;
  readonly shards: readonly ShardPlacement[];
  readonly placementVersion: number;
}

/** One entry of a segment scan; pass `cursor` back to resume after it. */
export interface SegmentScanEntry extends SegmentPlacement {
  readonly cursor: number;
}

/**
 * Replace some shards of a segment: each replacement names a shard index and its new node and
 * root. The new shards must be pending under `writeId` (see `addPendingShards`).
 */
export interface PlacementSwap {
  readonly segmentId: string;
  readonly expectedVersion: number;
  readonly replacements: readonly ShardPlacement[];
  readonly writeId: string;
}

export type PlacementSwapResult =
  | { readonly replaced: true; readonly placementVersion: number }
  | { readonly replaced: false; readonly reason: 'gone' | 'changed' };

/** A node holding a file of the segment that is about to be deleted (garbage) or not yet committed (pending). */
export interface ShardInFlight {
  readonly shardId: string;
  readonly nodeId: string;
  readonly kind: 'garbage' | 'pending';
}

/** A shard metadata places on a node: file `<segmentId>.<shardIndex>` there. */
export interface PlacedShard {
  readonly segmentId: string;
  readonly shardIndex: number;
}
