import type { ReedSolomonCodec } from '../../src/erasure/codec.ts';
import type { Logger } from '../../src/log/logger.ts';
import type { GatewayMetrics } from '../metrics.ts';
import type { NodeRegistry } from '../nodes/registry.ts';
import type { NodeServiceMeter } from '../rewards/service-meter.ts';
import type { ShardClient } from '../nodes/shard-client.ts';
import type { HashListCache } from './hash-list-cache.ts';
import type { NodeLatency } from './node-latency.ts';
import type { RequestTiming } from '../request-timing.ts';

/** What the read path needs from the gateway. */
export interface ReadContext {
  readonly registry: NodeRegistry;
  readonly client: ShardClient;
  readonly codec: ReedSolomonCodec;
  readonly hashLists: HashListCache;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly latency: NodeLatency;
  /** The rewards ledger's meter: what each node served to client reads. */
  readonly rewards?: NodeServiceMeter;
}

export interface ShardFailure {
  readonly segmentId: string;
  readonly shardIndex: number;
  readonly nodeId: string | null;
  readonly reason: string;
  /** Bytes that failed their hash (a chunk, or the shard's hash list): the shard needs repair. */
  readonly corrupt: boolean;
  /** Set when only this stripe's chunk failed (the shard stayed in use for the other stripes). */
  readonly stripeIndex?: number;
}

/** What a read did, for the request log line: a degraded read succeeds *and* says what failed. */
export interface ReadReport {
  shardsRead: number;
  readonly failures: ShardFailure[];
  /** The request's stage clock, for the read of a response body only (not index or header reads). */
  timing?: RequestTiming;
}
