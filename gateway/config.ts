import { readFileSync } from 'node:fs';
import path from 'node:path';
import { MAX_SEGMENT_BYTES, validateProfile, InvalidProfileError, type ErasureProfile } from '../src/erasure/profile.ts';
import {
  ConfigError, formatHelp, parseBoolean, parseBytes, parseDuration, parseInteger, readSettings, type SettingSpecs,
} from '../src/config/flags.ts';
import type { PriceTable } from '../src/billing/price-table.ts';
import { META_DURABILITIES, type MetaDurability } from '../src/meta/sqlite-wal-sync.ts';
import { readSecretSetting } from '../src/config/secret-setting.ts';
import { LOG_SETTING_SPECS, loadLogSettings, type LogSettings } from '../src/log/log-settings.ts';
import { BILLING_SETTING_SPECS, loadBillingSettings } from './billing/billing-config.ts';
import { LIMIT_SETTING_SPECS, loadLimitSettings, type LimitSettings } from './limits/limits-config.ts';
import { defaultBaseDomains } from './addressing.ts';
import { CONSOLE_SETTING_SPECS, loadConsoleSettings, type ConsoleSettings } from './console/console-config.ts';
import { REPAIR_SETTING_SPECS, loadRepairSettings, type RepairSettings } from './repair/repair-config.ts';
import { PAYOUT_SETTING_SPECS, loadPayoutSettings } from './rewards/payout-config.ts';
import type { PayoutPrices } from '../src/rewards/payout-prices.ts';
import { LIFECYCLE_SETTING_SPECS, loadLifecycleSettings, type LifecycleSettings } from './lifecycle/lifecycle-config.ts';

export interface GatewayConfig extends RepairSettings, LimitSettings, ConsoleSettings, LifecycleSettings {
  readonly host: string;
  /** PEM certificate chain and key of the S3 listener; null serves plain HTTP. */
  readonly tls: { readonly cert: string; readonly key: string } | null;
  readonly port: number;
  /** Virtual-hosted-style requests are `<bucket>.<one of these>` (see addressing.ts). */
  readonly baseDomains: readonly string[];
  readonly dataDir: string;
  /** SQLite file of the metadata store (used when `metaUrl` is null). */
  readonly dbPath: string;
  /** A `postgres://…` URL: metadata in PostgreSQL (several gateways may share it); null for SQLite. */
  readonly metaUrl: string | null;
  /** How a SQLite commit is made durable before a write is acknowledged (src/meta/sqlite-wal-sync.ts). */
  readonly metaDurability: MetaDurability;
  readonly region: string;
  readonly profile: ErasureProfile;
  /** Upper bound of data bytes per segment (rounded down to whole stripes). */
  readonly maxSegmentBytes: number;
  /** An object written in one request with at most this many bytes is stored inline (encrypted) in the metadata; 0: never. */
  readonly inlineMaxBytes: number;
  /** Shards that must be committed for a segment write to succeed (default k+1, capped at n). */
  readonly writeQuorum: number;
  /** Overrides for the generated credentials; null means "generate once and persist". */
  readonly accessKey: string | null;
  readonly secretKey: string | null;
  readonly adminToken: string | null;
  /** Bearer token for the Prometheus view `/_/metrics`; null: the admin token. */
  readonly metricsToken: string | null;
  readonly joinToken: string | null;
  /** Shards of one segment that nodes of one operator may hold (default m). */
  readonly maxShardsPerOperator: number;
  /** Nodes reporting less free space than this get no new shards. */
  readonly nodeFreeReserveBytes: number;
  /** A node is offline when its last heartbeat is older than this. */
  readonly nodeTimeoutMs: number;
  /** A pending write not renewed this long is judged crashed and its shards collected (any gateway). */
  readonly writeLeaseMs: number;
  /** Per shard request: time to response headers (waiting for a pooled connection included), and longest pause inside a body. */
  readonly shardTimeoutMs: number;
  /** Bytes of verified hash lists kept in memory. */
  readonly hashListCacheBytes: number;
  /** Memory for parsed ZIP central directories (member-by-path reads). */
  readonly archiveIndexCacheBytes: number;
  readonly logRequests: boolean;
  /** Add a `Server-Timing` header (per-stage durations) to every S3 response. */
  readonly serverTiming: boolean;
  /** `--log-format` and `--log-level`. */
  readonly log: LogSettings;
  /** Meter S3 requests into the usage ledger (storage events are the store's, always on). */
  readonly billing: boolean;
  /** Prices and the small-object floor invoices are computed with. */
  readonly prices: PriceTable;
  /** What node operators are paid, and the thresholds that withhold a period's pay (rewards). */
  readonly payoutPrices: PayoutPrices;
  /**
   * The master key file (src/crypto/master-key-file.ts): wraps SSE-S3 data keys; outside `dataDir`.
   * Required to start a gateway (startGateway refuses null); `dev` generates one.
   */
  readonly masterKeyFile: string | null;
  /** Accept SSE-C keys over plain HTTP (S3 refuses them without TLS; for tests and local use). */
  readonly allowInsecureSsec: boolean;
  /** After SIGTERM/SIGINT, how long requests in flight may take before they are cut. */
  readonly shutdownTimeoutMs: number;
}

const SPECS = {
  host: { flag: 'host', env: 'SHARDGATE_HOST', kind: 'string', description: 'address to listen on', defaultText: '127.0.0.1' },
  tlsCert: { flag: 'tls-cert', env: 'SHARDGATE_TLS_CERT', kind: 'string', description: 'PEM certificate (chain) file: serve S3 over HTTPS', defaultText: 'plain HTTP' },
  tlsKey: { flag: 'tls-key', env: 'SHARDGATE_TLS_KEY', kind: 'string', description: 'PEM private key file of --tls-cert' },
  port: { flag: 'port', env: 'SHARDGATE_PORT', kind: 'integer', description: 'S3 port (0 picks a free one)', defaultText: '9000' },
  domain: { flag: 'domain', env: 'SHARDGATE_DOMAIN', kind: 'string', description: 'base domains for virtual-hosted buckets (<bucket>.<domain>), comma-separated', defaultText: 'the --host and localhost' },
  meta: { flag: 'meta', env: 'SHARDGATE_META_URL', kind: 'string', description: 'metadata store: postgres://user:password@host:port/database', defaultText: 'SQLite in the data directory' },
  metaDurability: { flag: 'meta-durability', env: 'SHARDGATE_META_DURABILITY', kind: 'string', description: 'SQLite commits: group (one shared fdatasync of the WAL per batch of commits), full (synchronous=FULL, one sync per commit), normal (no sync: the last acknowledged writes can be lost on power loss)', defaultText: 'group' },
  dataDir: { flag: 'data-dir', env: 'SHARDGATE_DATA_DIR', kind: 'string', description: 'gateway data directory', defaultText: './data/gateway' },
  region: { flag: 'region', env: 'SHARDGATE_REGION', kind: 'string', description: 'S3 region name clients sign for', defaultText: 'us-east-1' },
  dataShards: { flag: 'data-shards', env: 'SHARDGATE_DATA_SHARDS', kind: 'integer', description: 'k: data shards per stripe', defaultText: '4' },
  parityShards: { flag: 'parity-shards', env: 'SHARDGATE_PARITY_SHARDS', kind: 'integer', description: 'm: parity shards per stripe', defaultText: '2' },
  chunkSize: { flag: 'chunk-size', env: 'SHARDGATE_CHUNK_SIZE', kind: 'bytes', description: 'c: bytes per chunk', defaultText: '64KiB' },
  maxSegmentSize: { flag: 'max-segment-size', env: 'SHARDGATE_MAX_SEGMENT_SIZE', kind: 'bytes', description: 'data bytes per segment at most', defaultText: '64MiB' },
  inlineMaxBytes: { flag: 'inline-max-bytes', env: 'SHARDGATE_INLINE_MAX_BYTES', kind: 'bytes', description: 'objects written in one request up to this size are kept inline (encrypted) in the metadata, not on nodes; 0: off; at most 64KiB', defaultText: '4096' },
  writeQuorum: { flag: 'write-quorum', env: 'SHARDGATE_WRITE_QUORUM', kind: 'integer', description: 'shards a segment write needs', defaultText: 'k+1' },
  accessKey: { flag: 'access-key', env: 'SHARDGATE_ACCESS_KEY', kind: 'string', description: 'root access key id', defaultText: 'generated, persisted' },
  secretKey: { flag: 'secret-key', env: 'SHARDGATE_SECRET_KEY', kind: 'string', description: 'root secret key', defaultText: 'generated, persisted' },
  adminToken: { flag: 'admin-token', env: 'SHARDGATE_ADMIN_TOKEN', kind: 'string', description: 'bearer token for /_/admin/*', defaultText: 'generated, persisted' },
  metricsToken: { flag: 'metrics-token', env: 'SHARDGATE_METRICS_TOKEN', kind: 'string', description: 'bearer token for the Prometheus metrics at /_/metrics', defaultText: 'the admin token' },
  metricsTokenFile: { flag: 'metrics-token-file', env: 'SHARDGATE_METRICS_TOKEN_FILE', kind: 'string', description: 'file holding the metrics token (instead of --metrics-token)' },
  joinToken: { flag: 'join-token', env: 'SHARDGATE_JOIN_TOKEN', kind: 'string', description: 'token shard nodes register with', defaultText: 'generated, persisted' },
  maxShardsPerOperator: { flag: 'max-shards-per-operator', env: 'SHARDGATE_MAX_SHARDS_PER_OPERATOR', kind: 'integer', description: 'shards of one segment nodes of one operator may hold', defaultText: 'm (parity shards)' },
  nodeFreeReserve: { flag: 'node-free-reserve', env: 'SHARDGATE_NODE_FREE_RESERVE', kind: 'bytes', description: 'nodes with less free space get no new shards', defaultText: '1GiB' },
  writeLease: { flag: 'write-lease', env: 'SHARDGATE_WRITE_LEASE_MS', kind: 'integer', description: 'ms a write in flight stays alive without renewal; a gateway renews its writes every third of it, and any gateway collects the shards of writes past it (crashed gateways)', defaultText: '60000' },
  nodeTimeout: { flag: 'node-timeout', env: 'SHARDGATE_NODE_TIMEOUT_MS', kind: 'integer', description: 'ms without heartbeat before a node is offline', defaultText: '15000' },
  shardTimeout: { flag: 'shard-timeout', env: 'SHARDGATE_SHARD_TIMEOUT_MS', kind: 'integer', description: 'ms a shard request may go unanswered (waiting for a pooled connection included) or pause before the read degrades', defaultText: '5000' },
  hashListCache: { flag: 'hash-list-cache', env: 'SHARDGATE_HASH_LIST_CACHE', kind: 'bytes', description: 'memory for cached verified hash lists', defaultText: '64MiB' },
  archiveIndexCache: { flag: 'archive-index-cache', env: 'SHARDGATE_ARCHIVE_INDEX_CACHE', kind: 'bytes', description: 'memory for cached ZIP central directories', defaultText: '64MiB' },
  masterKeyFile: { flag: 'master-key-file', env: 'SHARDGATE_MASTER_KEY_FILE', kind: 'string', description: 'file of the master keys that wrap data keys (back it up!)', defaultText: 'required (dev: <data-dir>/master.key, generated)' },
  allowInsecureSsec: { flag: 'allow-insecure-ssec', env: 'SHARDGATE_ALLOW_INSECURE_SSEC', kind: 'boolean', description: 'accept SSE-C customer keys over plain HTTP', defaultText: 'false' },
  shutdownTimeout: { flag: 'shutdown-timeout', env: 'SHARDGATE_SHUTDOWN_TIMEOUT', kind: 'string', description: 'after SIGTERM/SIGINT, time requests in flight may take before they are cut (exit 124)', defaultText: '30s' },
  logRequests: { flag: 'log-requests', env: 'SHARDGATE_LOG_REQUESTS', kind: 'boolean', description: 'one JSON log line per request', defaultText: 'true' },
  serverTiming: { flag: 'server-timing', env: 'SHARDGATE_SERVER_TIMING', kind: 'boolean', description: 'a Server-Timing header (per-stage ms) on every S3 response', defaultText: 'false' },
  ...LOG_SETTING_SPECS,
  ...BILLING_SETTING_SPECS,
  ...PAYOUT_SETTING_SPECS,
  ...REPAIR_SETTING_SPECS,
  ...LIMIT_SETTING_SPECS,
  ...CONSOLE_SETTING_SPECS,
  ...LIFECYCLE_SETTING_SPECS,
} as const satisfies SettingSpecs;

export const GATEWAY_HELP = formatHelp(
  'shardgate gateway [options]',
  'Runs the S3 gateway: SigV4 auth, erasure-coded writes to registered shard nodes, verified range reads.',
  SPECS,
);

export interface GatewayCommandLine {
  readonly config: GatewayConfig;
  readonly help: boolean;
}

/** Validates every setting once; the result is frozen. Throws ConfigError with a one-line message. */
export function loadGatewayConfig(argv: readonly string[], env: NodeJS.ProcessEnv): GatewayCommandLine {
  const { values: v, help, positionals } = readSettings(SPECS, argv, env);
  if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
  const dataDir = path.resolve(v.dataDir ?? './data/gateway');
  let profile: ErasureProfile;
  try {
    profile = validateProfile({
      dataShards: v.dataShards ? parseInteger('--data-shards', v.dataShards, 1, 255) : 4,
      parityShards: v.parityShards ? parseInteger('--parity-shards', v.parityShards, 1, 255) : 2,
      chunkSize: v.chunkSize ? parseBytes('--chunk-size', v.chunkSize) : 64 * 1024,
    });
  } catch (error) {
    if (error instanceof InvalidProfileError) throw new ConfigError(error.message);
    throw error;
  }
  const totalShards = profile.dataShards + profile.parityShards;
  const writeQuorum = v.writeQuorum
    ? parseInteger('--write-quorum', v.writeQuorum, profile.dataShards, totalShards)
    : Math.min(profile.dataShards + 1, totalShards);
  const config: GatewayConfig = {
    host: v.host ?? '127.0.0.1',
    tls: loadTls(v.tlsCert, v.tlsKey),
    baseDomains: v.domain ? parseBaseDomains(v.domain) : defaultBaseDomains(v.host ?? '127.0.0.1'),
    port: v.port ? parseInteger('--port', v.port, 0, 65535) : 9000,
    dataDir,
    dbPath: path.join(dataDir, 'meta.sqlite'),
    metaUrl: v.meta ? parseMetaUrl(v.meta) : null,
    metaDurability: parseMetaDurability(v.metaDurability, v.meta !== undefined),
    region: v.region ?? 'us-east-1',
    profile,
    maxSegmentBytes: v.maxSegmentSize ? parseBytes('--max-segment-size', v.maxSegmentSize) : MAX_SEGMENT_BYTES,
    inlineMaxBytes: v.inlineMaxBytes ? parseInlineMaxBytes(v.inlineMaxBytes) : DEFAULT_INLINE_MAX_BYTES,
    writeQuorum,
    accessKey: nonEmpty(v.accessKey),
    secretKey: nonEmpty(v.secretKey),
    adminToken: nonEmpty(v.adminToken),
    metricsToken: readSecretSetting('metrics-token', v.metricsToken, v.metricsTokenFile),
    joinToken: nonEmpty(v.joinToken),
    maxShardsPerOperator: v.maxShardsPerOperator
      ? parseInteger('--max-shards-per-operator', v.maxShardsPerOperator, 1, totalShards)
      : profile.parityShards,
    nodeFreeReserveBytes: v.nodeFreeReserve ? parseBytes('--node-free-reserve', v.nodeFreeReserve) : 1024 ** 3,
    writeLeaseMs: v.writeLease ? parseInteger('--write-lease', v.writeLease, 1_000, 3_600_000) : 60_000,
    nodeTimeoutMs: v.nodeTimeout ? parseInteger('--node-timeout', v.nodeTimeout, 100, 3_600_000) : 15_000,
    shardTimeoutMs: v.shardTimeout ? parseInteger('--shard-timeout', v.shardTimeout, 50, 600_000) : 5_000,
    hashListCacheBytes: v.hashListCache ? parseBytes('--hash-list-cache', v.hashListCache) : 64 * 1024 * 1024,
    archiveIndexCacheBytes: v.archiveIndexCache ? parseBytes('--archive-index-cache', v.archiveIndexCache) : 64 * 1024 * 1024,
    logRequests: v.logRequests ? parseBoolean('--log-requests', v.logRequests) : true,
    serverTiming: v.serverTiming ? parseBoolean('--server-timing', v.serverTiming) : false,
    log: loadLogSettings(v),
    ...loadBillingSettings(v),
    ...loadPayoutSettings(v, v.currency ?? 'USD'),
    masterKeyFile: masterKeyFileOutside(dataDir, v.masterKeyFile),
    allowInsecureSsec: v.allowInsecureSsec ? parseBoolean('--allow-insecure-ssec', v.allowInsecureSsec) : false,
    shutdownTimeoutMs: v.shutdownTimeout ? parseDuration('--shutdown-timeout', v.shutdownTimeout, 0) : 30_000,
    ...loadRepairSettings(v),
    ...loadLimitSettings(v),
    ...loadConsoleSettings(v),
    ...loadLifecycleSettings(v),
  };
  if ((config.accessKey === null) !== (config.secretKey === null)) {
    throw new ConfigError('set both the access key and the secret key, or neither');
  }
  return { config: Object.freeze(config), help };
}

const DEFAULT_INLINE_MAX_BYTES = 4096;
/** Inline segments live in metadata rows (and every backup): kept small on purpose. */
const MAX_INLINE_MAX_BYTES = 64 * 1024;

function parseInlineMaxBytes(raw: string): number {
  const bytes = parseBytes('--inline-max-bytes', raw);
  if (bytes > MAX_INLINE_MAX_BYTES) throw new ConfigError(`--inline-max-bytes must be at most ${MAX_INLINE_MAX_BYTES} (64KiB), got "${raw}"`);
  return bytes;
}

/** `s3.example.com,localhost` → lower-case names; each must be a host name, not a URL. */
function parseBaseDomains(raw: string): string[] {
  const domains = raw.split(',').map((domain) => domain.trim().toLowerCase().replace(/\.$/, '')).filter((domain) => domain !== '');
  const bad = domains.find((domain) => !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(domain));
  if (domains.length === 0 || bad !== undefined) {
    throw new ConfigError(`--domain must be host names like s3.example.com, comma-separated, got "${bad ?? raw}"`);
  }
  return domains;
}

/** `postgres://` or `postgresql://` with a host; anything else is a one-line ConfigError (never echoing a password). */
export function parseMetaUrl(raw: string): string {
  let url: URL | null = null;
  try {
    url = new URL(raw);
  } catch { /* reported below */ }
  if (!url || !/^postgres(ql)?:$/.test(url.protocol) || url.hostname === '') {
    throw new ConfigError('--meta must be a PostgreSQL URL like postgres://user:password@host:5432/database');
  }
  return raw;
}

/** SQLite only: PostgreSQL commits are always durable (synchronous_commit on), so the flag is refused with --meta. */
function parseMetaDurability(raw: string | undefined, postgres: boolean): MetaDurability {
  if (raw === undefined) return 'group';
  if (postgres) throw new ConfigError('--meta-durability applies to the SQLite store; PostgreSQL commits are always durable');
  if (!(META_DURABILITIES as readonly string[]).includes(raw)) {
    throw new ConfigError(`--meta-durability must be one of ${META_DURABILITIES.join(', ')}, got "${raw}"`);
  }
  return raw as MetaDurability;
}

/** Both files or neither; each must be readable PEM. */
function loadTls(certFile: string | undefined, keyFile: string | undefined): GatewayConfig['tls'] {
  if (certFile === undefined && keyFile === undefined) return null;
  if (certFile === undefined || keyFile === undefined) throw new ConfigError('give both --tls-cert and --tls-key, or neither');
  const read = (flag: string, file: string) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new ConfigError(`${flag}: cannot read ${file} (${(error as { code?: string }).code ?? (error as Error).message})`);
    }
    if (!text.includes('-----BEGIN ')) throw new ConfigError(`${flag}: ${file} is not PEM`);
    return text;
  };
  return { cert: read('--tls-cert', certFile), key: read('--tls-key', keyFile) };
}

/** The key file must not live in the metadata's directory: a copy of one must not carry the other. */
function masterKeyFileOutside(dataDir: string, raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  const file = path.resolve(raw);
  const relative = path.relative(dataDir, file);
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
    throw new ConfigError(`master key file ${file} is inside --data-dir ${dataDir}: keep it apart from the metadata`);
  }
  return file;
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
