/**
 * `shardgate node` settings: flags win over environment variables; every value is validated once
 * here and the result is frozen. Errors are `ConfigError`s with a one-line message.
 */
import path from 'node:path';
import { isIP } from 'node:net';
import { readSecretSetting } from '../src/config/secret-setting.ts';
import { ConfigError, formatHelp, parseBoolean, parseBytes, parseDuration, parseInteger, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { LOG_SETTING_SPECS, loadLogSettings, type LogSettings } from '../src/log/log-settings.ts';

export interface NodeConfig {
  /** Address to listen on. */
  readonly host: string;
  /** Port to listen on; 0 picks a free one (the real port is in `startShardNode`'s url). */
  readonly port: number;
  /** Absolute path of the data directory (created if missing). */
  readonly dataDir: string;
  /** Gateway origin, e.g. `http://10.0.0.1:9000`, no trailing slash. */
  readonly gatewayUrl: string;
  readonly joinToken: string;
  /** Failure domain used by placement (rack, site, host…). */
  readonly zone: string;
  /** Bytes offered to the cluster; null = the size of the disk holding the data directory. */
  readonly capacityBytes: number | null;
  /** Origin the gateway should use to reach this node; null = derived from host and port. */
  readonly publicUrl: string | null;
  /** Serve HTTPS with a certificate self-signed by the node key (the gateway pins the key). */
  readonly tls: boolean;
  /** `--log-format` and `--log-level`. */
  readonly log: LogSettings;
  /** An upload or commit body that sends nothing this long is aborted. */
  readonly bodyProgressTimeoutMs: number;
  /** Background re-hashing of the node's own shards: bytes per second (0 = off) and pass period. */
  readonly scrub: { readonly bytesPerSecond: number; readonly passEveryMs: number };
  /** After SIGTERM/SIGINT, how long requests in flight may take before they are cut. */
  readonly shutdownTimeoutMs: number;
  /** Bearer token of `GET /metrics` (Prometheus); null turns the route off. */
  readonly metricsToken: string | null;
  /** Shard windows up to this many bytes are read with a blocking `pread` on the event loop; 0: always through the thread pool. */
  readonly blockingReadMaxBytes: number;
}

export type NodeCommandLine =
  | { readonly help: true; readonly config: null }
  | { readonly help: false; readonly config: NodeConfig };

export const DEFAULT_NODE_PORT = 9100;
export const DEFAULT_BLOCKING_READ_MAX_BYTES = 1024 * 1024;

const SPECS = {
  port: { flag: 'port', env: 'SHARDGATE_NODE_PORT', kind: 'integer', description: 'port to listen on (0 picks a free one)', defaultText: String(DEFAULT_NODE_PORT) },
  host: { flag: 'host', env: 'SHARDGATE_NODE_HOST', kind: 'string', description: 'address to listen on', defaultText: '0.0.0.0' },
  dataDir: { flag: 'data-dir', env: 'SHARDGATE_NODE_DATA_DIR', kind: 'string', description: 'where shard files live', defaultText: './data/node' },
  gatewayUrl: { flag: 'gateway', env: 'SHARDGATE_GATEWAY_URL', kind: 'string', description: 'gateway URL to register with (required)' },
  joinToken: { flag: 'join-token', env: 'SHARDGATE_JOIN_TOKEN', kind: 'string', description: 'a join token of your operator (this or --join-token-file is required; prefer the environment or a file: a command line is visible in ps)' },
  joinTokenFile: { flag: 'join-token-file', env: 'SHARDGATE_JOIN_TOKEN_FILE', kind: 'string', description: 'file holding the join token (surrounding whitespace ignored)' },
  zone: { flag: 'zone', env: 'SHARDGATE_NODE_ZONE', kind: 'string', description: 'failure zone for placement', defaultText: 'default' },
  capacity: { flag: 'capacity', env: 'SHARDGATE_NODE_CAPACITY', kind: 'bytes', description: 'space offered, e.g. 500GiB', defaultText: 'disk size' },
  tls: { flag: 'tls', env: 'SHARDGATE_NODE_TLS', kind: 'boolean', description: 'serve HTTPS with a certificate of the node key, pinned by the gateway', defaultText: 'true unless --host is a loopback address' },
  publicUrl: { flag: 'public-url', env: 'SHARDGATE_NODE_PUBLIC_URL', kind: 'string', description: 'URL the gateway reaches this node at', defaultText: 'http://<host>:<port>' },
  ...LOG_SETTING_SPECS,
  bodyProgressTimeout: { flag: 'body-progress-timeout', env: 'SHARDGATE_NODE_BODY_PROGRESS_TIMEOUT_MS', kind: 'integer', description: 'ms an upload body may send nothing before it is aborted', defaultText: '30000' },
  scrubRate: { flag: 'scrub-rate', env: 'SHARDGATE_NODE_SCRUB_RATE', kind: 'bytes', description: 'bytes per second the node re-hashes its own shards at, reporting corrupt ones to the gateway (0 turns scrub off)', defaultText: '8MiB' },
  scrubEvery: { flag: 'scrub-every', env: 'SHARDGATE_NODE_SCRUB_EVERY_MS', kind: 'integer', description: 'ms from the start of one scrub pass over every shard to the start of the next', defaultText: '86400000 (a day)' },
  metricsToken: { flag: 'metrics-token', env: 'SHARDGATE_NODE_METRICS_TOKEN', kind: 'string', description: 'bearer token for the Prometheus metrics at GET /metrics', defaultText: 'none: /metrics is off' },
  metricsTokenFile: { flag: 'metrics-token-file', env: 'SHARDGATE_NODE_METRICS_TOKEN_FILE', kind: 'string', description: 'file holding the metrics token (instead of --metrics-token)' },
  blockingReadMax: { flag: 'blocking-read-max', env: 'SHARDGATE_NODE_BLOCKING_READ_MAX', kind: 'bytes', description: 'shard windows up to this size are read with a blocking pread on the event loop (a thread-pool round trip costs more than a read from the page cache; a read from a cold disk then holds other requests up, as in nginx without aio); 0 sends every read through the thread pool', defaultText: '1MiB' },
  shutdownTimeout: { flag: 'shutdown-timeout', env: 'SHARDGATE_NODE_SHUTDOWN_TIMEOUT', kind: 'string', description: 'after SIGTERM/SIGINT, time requests in flight may take before they are cut (exit 124)', defaultText: '30s' },
} as const satisfies SettingSpecs;

export const NODE_HELP = formatHelp(
  'shardgate node [options]      (shardgate node status --help: the status of a node on this machine)',
  'Runs a shard node: stores erasure-coded shard files in a data directory and serves them to the gateway.',
  SPECS,
);

/** An http(s) origin (path `/` at most), returned without the trailing slash. */
function parseOrigin(name: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL like http://10.0.0.1:9000, got "${raw}"`);
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash || url.username) {
    throw new ConfigError(`${name} must be an http(s) URL with no path, query or credentials, got "${raw}"`);
  }
  return url.origin;
}

function parseName(name: string, raw: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$/.test(raw)) {
    throw new ConfigError(`${name} must be 1-64 letters, digits, '.', '_', ':' or '-', got "${raw}"`);
  }
  return raw;
}

/** 127.0.0.0/8, ::1 and localhost: plain HTTP is fine there (dev, tests). */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/** The token from --join-token or from --join-token-file (not both); one of them is required. */
function readJoinToken(given: string | undefined, file: string | undefined): string {
  const token = readSecretSetting('join-token', given, file);
  if (token === null) throw new ConfigError('--join-token-file or SHARDGATE_JOIN_TOKEN is required');
  return token;
}

export function loadNodeConfig(argv: readonly string[], env: NodeJS.ProcessEnv): NodeCommandLine {
  const { values: v, help, positionals } = readSettings(SPECS, argv, env);
  if (help) return Object.freeze({ help: true, config: null });
  if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
  if (v.gatewayUrl === undefined) throw new ConfigError('--gateway (or SHARDGATE_GATEWAY_URL) is required');
  const joinToken = readJoinToken(v.joinToken, v.joinTokenFile);
  const host = v.host ?? '0.0.0.0';
  if (host === '' || /[\s/]/.test(host)) throw new ConfigError(`--host must be a host name or IP address, got "${host}"`);
  const tls = v.tls === undefined ? !isLoopback(host) : parseBoolean('--tls', v.tls);
  const capacityBytes = v.capacity === undefined ? null : parseBytes('--capacity', v.capacity);
  if (capacityBytes !== null && capacityBytes <= 0) throw new ConfigError('--capacity must be more than 0 bytes');
  const config: NodeConfig = {
    host,
    port: v.port === undefined ? DEFAULT_NODE_PORT : parseInteger('--port', v.port, 0, 65535),
    dataDir: path.resolve(v.dataDir ?? './data/node'),
    gatewayUrl: parseOrigin('--gateway', v.gatewayUrl),
    joinToken,
    zone: v.zone === undefined ? 'default' : parseName('--zone', v.zone),
    capacityBytes,
    publicUrl: v.publicUrl === undefined ? null : parseOrigin('--public-url', v.publicUrl),
    tls,
    log: loadLogSettings(v),
    bodyProgressTimeoutMs: v.bodyProgressTimeout === undefined ? 30_000 : parseInteger('--body-progress-timeout', v.bodyProgressTimeout, 100, 3_600_000),
    scrub: {
      bytesPerSecond: v.scrubRate === undefined ? 8 * 1024 * 1024 : parseBytes('--scrub-rate', v.scrubRate),
      passEveryMs: v.scrubEvery === undefined ? 86_400_000 : parseInteger('--scrub-every', v.scrubEvery, 100, 365 * 86_400_000),
    },
    metricsToken: readSecretSetting('metrics-token', v.metricsToken, v.metricsTokenFile),
    shutdownTimeoutMs: v.shutdownTimeout === undefined ? 30_000 : parseDuration('--shutdown-timeout', v.shutdownTimeout, 0),
    blockingReadMaxBytes: v.blockingReadMax === undefined ? DEFAULT_BLOCKING_READ_MAX_BYTES : parseBytes('--blocking-read-max', v.blockingReadMax),
  };
  if (config.publicUrl !== null && config.publicUrl.startsWith('https:') !== tls) {
    throw new ConfigError(tls ? '--public-url must be https:// when the node serves TLS' : '--public-url must be http:// with --tls false');
  }
  return Object.freeze({ help: false, config: Object.freeze(config) });
}
