/**
 * Counters an operator watches: every one only goes up. Exposed as JSON at `/_/admin/metrics`.
 */
export interface GatewayMetrics {
  requests: number;
  bytesIn: number;
  bytesOut: number;
  /** Shard range reads started (one per shard window). */
  shardReads: number;
  /** Shard reads that failed: error, timeout (waiting for a pooled connection included), or bad bytes (each corrupt chunk counts once). */
  shardReadFailures: number;
  /** Shards a read did not even ask for: node known offline, or shard never stored. */
  shardsSkipped: number;
  /** Data shards read around (from parity) because their first chunk was later than the node's recent p95. */
  hedgedShardReads: number;
  /** Chunks (or hash lists) whose bytes did not match the trusted hashes. */
  corruptChunks: number;
  /** Segment reads in which some stripe needed parity (a corrupt chunk, or a shard dropped). */
  degradedSegmentReads: number;
  /** Reads that failed because a stripe had fewer than k good chunks. */
  unreadableSegments: number;
  objectsWritten: number;
  /** Segments of tiny objects kept inline (encrypted) in the metadata instead of sent to nodes, when sealed (a write refused after that still counts). */
  inlineSegmentsWritten: number;
  /** Shards not stored at write time (write succeeded with quorum, shard missing). */
  shardsMissingAfterWrite: number;
  garbageShardsDeleted: number;
  /** Requests metered to no account: failed before or at authentication (billing on). */
  unbilledRequests: number;
  /** Usage batches the store refused (kept and retried), and rows dropped past the retention cap. */
  usageFlushFailures: number;
  usageRowsDropped: number;
  /** Repair (gateway/repair/): segments brought back to health, shards re-created, their bytes uploaded. */
  segmentsRepaired: number;
  shardsRepaired: number;
  bytesRepaired: number;
  /** Repair attempts that failed (retried later with a backoff). */
  repairFailures: number;
  /** Repairs whose swap found the segment changed or gone (new shards sent to garbage). */
  repairsRaced: number;
  /** Segments queued for repair by reads and writes that met missing or bad shards. */
  repairsQueuedByReads: number;
  repairsQueuedByWrites: number;
  /** Segments queued because a node's own scrub reported one of its shards corrupt. */
  repairsQueuedByScrub: number;
  /** Shards metadata places on a node that its listing lacked at two reconciliation passes in a row (queued for repair). */
  missingShardsQueued: number;
  /** Audits (one chunk of one shard, checked against the trusted root) a node answered right, and failed. */
  auditsPassed: number;
  auditsFailed: number;
  /** Shard files nodes held that metadata did not know (at two reconciliation passes in a row), sent to garbage. */
  orphanShardsCollected: number;
  /** A gauge, not a counter: repair queue entries when last polled (about once a second). */
  repairQueueLength: number;
}

export function createMetrics(): GatewayMetrics {
  return {
    requests: 0,
    bytesIn: 0,
    bytesOut: 0,
    shardReads: 0,
    shardReadFailures: 0,
    shardsSkipped: 0,
    hedgedShardReads: 0,
    corruptChunks: 0,
    degradedSegmentReads: 0,
    unreadableSegments: 0,
    objectsWritten: 0,
    inlineSegmentsWritten: 0,
    shardsMissingAfterWrite: 0,
    garbageShardsDeleted: 0,
    unbilledRequests: 0,
    usageFlushFailures: 0,
    usageRowsDropped: 0,
    segmentsRepaired: 0,
    shardsRepaired: 0,
    bytesRepaired: 0,
    repairFailures: 0,
    repairsRaced: 0,
    repairsQueuedByReads: 0,
    repairsQueuedByWrites: 0,
    repairsQueuedByScrub: 0,
    missingShardsQueued: 0,
    auditsPassed: 0,
    auditsFailed: 0,
    orphanShardsCollected: 0,
    repairQueueLength: 0,
  };
}
