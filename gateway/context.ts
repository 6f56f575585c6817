import type { HttpBindings } from '@hono/node-server';
import type { Context } from 'hono';
import type { ReedSolomonCodec } from '../src/erasure/codec.ts';
import type { Logger } from '../src/log/logger.ts';
import type { MetaStore } from '../src/meta/store.ts';
import type { SigV4Verifier } from '../src/s3/sigv4.ts';
import type { UsageRecorder } from './billing/usage-recorder.ts';
import type { GatewayConfig } from './config.ts';
import type { ConsoleKey } from './console/console-key.ts';
import type { Credentials } from './credentials.ts';
import type { Janitor } from './janitor.ts';
import type { GatewayMasterKeys } from './master-keys.ts';
import type { GatewayMetrics } from './metrics.ts';
import type { GatewayPrometheus } from './prometheus.ts';
import type { NodeRegistry } from './nodes/registry.ts';
import type { ShardClient } from './nodes/shard-client.ts';
import type { HashListCache } from './read/hash-list-cache.ts';
import type { NodeLatency } from './read/node-latency.ts';
import type { ParsedPolicies } from './access/parsed-policies.ts';
import type { ArchiveIndexCache } from './archive/archive-index-cache.ts';
import type { UploadLimiter } from './limits/upload-limiter.ts';
import type { NodeServiceMeter } from './rewards/service-meter.ts';
import type { ReadReport } from './read/segment-reader.ts';
import type { RequestTiming } from './request-timing.ts';
import type { ReadLeases } from './repair/read-leases.ts';
import type { RepairService } from './repair/repair-service.ts';
import type { RepairSignals } from './repair/repair-signals.ts';

/** Everything the gateway needs, passed in: no module-level singletons. */
export interface GatewayDeps {
  readonly config: GatewayConfig;
  readonly credentials: Credentials;
  readonly store: MetaStore;
  readonly registry: NodeRegistry;
  readonly client: ShardClient;
  readonly codec: ReedSolomonCodec;
  readonly hashLists: HashListCache;
  readonly latency: NodeLatency;
  /** Parsed ZIP central directories by object version, for member-by-path reads. */
  readonly archiveIndexes: ArchiveIndexCache;
  /** Bucket policies parsed once, for the access decision. */
  readonly policies: ParsedPolicies;
  readonly metrics: GatewayMetrics;
  /** The Prometheus view of the same counters plus request histograms (`/_/metrics`). */
  readonly prometheus: GatewayPrometheus;
  readonly logger: Logger;
  readonly janitor: Janitor;
  readonly verifier: SigV4Verifier;
  /** Wraps and unwraps SSE-S3 segment data keys (the master key file); never sent anywhere. */
  readonly masterKeys: GatewayMasterKeys;
  readonly now: () => Date;
  /** Batches metered requests into the usage ledger; null when billing is off (`--billing false`). */
  readonly usage: UsageRecorder | null;
  /** Node states, checker, repairer, drain (gateway/repair/). */
  readonly repair: RepairService;
  /** Heal on read and write: segments that met missing or bad shards are queued for repair. */
  readonly repairSignals: RepairSignals;
  /** Requests in flight: the janitor deletes no garbage a response still streaming may read. */
  readonly readLeases: ReadLeases;
  /** Uploads in progress, globally and per account (`--max-uploads`, `--max-uploads-per-client`). */
  readonly uploads: UploadLimiter;
  /** The web console's read-only key (GetObject/HeadObject only), in memory; null when the console is off. */
  readonly consoleKey: ConsoleKey | null;
  /** The rewards ledger's meter: what each node served (client, repair, audit reads) and its audits. */
  readonly rewards: NodeServiceMeter;
  /** True once a shutdown began (SIGTERM/SIGINT): new requests are refused with 503 while those in flight finish. */
  readonly draining: () => boolean;
  /** When this gateway process started serving (uptime in `/_/admin/status`). */
  readonly startedAt: Date;
}

/** Fields of the one log line each request writes when its response is finished. */
export interface RequestLog {
  operation?: string;
  bucket?: string;
  key?: string;
  accessKeyId?: string;
  /** The authenticated account: who the billing middleware meters the request to. */
  accountId?: string;
  bytesIn: number;
  bytesOut: number;
  read?: ReadReport;
  error?: string;
  /** Where the request's time went (`Server-Timing`, the log line's `stagesMs`); set by the app's first middleware. */
  timing?: RequestTiming;
}

export interface GatewayEnv {
  Bindings: HttpBindings;
  Variables: {
    requestId: string;
    log: RequestLog;
  };
}

export type GatewayContext = Context<GatewayEnv>;
