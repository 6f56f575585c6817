import type { ErasureProfile } from '../erasure/profile.ts';
import type { ObjectEncryption, SegmentEncryption, ShardPlacement } from './types.ts';

/**
 * Replace a whole segment by a new one holding the same bytes under a new id, new shards and
 * (typically) a new key: what `shardgate encrypt-existing` does to a segment stored in the clear.
 * A new id because shard files are named `<segment id>.<shard index>`: rewriting all n shards
 * under the old id would collide with the old files on the nodes that hold them. The new shards
 * must be pending under `writeId` (see `addPendingShards`). See MetaStore.replaceSegment.
 */
export interface SegmentReplacement {
  readonly segmentId: string;
  /** The old segment's `placementVersion` when the caller read it. */
  readonly expectedVersion: number;
  readonly replacement: {
    readonly id: string;
    readonly profile: ErasureProfile;
    readonly shards: readonly ShardPlacement[];
    readonly encryption: SegmentEncryption | null;
  };
  /**
   * Recorded on each object that names the segment, has no encryption recorded and, after the
   * swap, no segment stored in the clear (null: objects are left as they are).
   */
  readonly objectEncryption: ObjectEncryption | null;
  readonly writeId: string;
}

export type SegmentReplacementResult =
  | { readonly replaced: true; readonly segmentId: string; readonly references: number; readonly objectsEncrypted: number }
  | { readonly replaced: false; readonly reason: 'gone' | 'changed' };

/** Referenced segments stored in the clear (no data key): what encrypt-existing has left. */
export interface UnencryptedSegmentTotals {
  readonly segments: number;
  readonly bytes: number;
}
