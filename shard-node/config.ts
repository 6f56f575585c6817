/**
 * `shardgate node` settings: flags win over environment variables; every value is validated once
 * here and the result is frozen. Errors are `ConfigError`s with a one-line message.
 */
import path from 'node:path';
import { ConfigError, formatHelp, parseBytes, parseInteger, readSettings, type SettingSpecs } from '../src/config/flags.ts';

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
  /** An upload or commit body that sends nothing this long is aborted. */
  readonly bodyProgressTimeoutMs: number;
}

export type NodeCommandLine =
  | { readonly help: true; readonly config: null }
  | { readonly help: false; readonly config: NodeConfig };

export const DEFAULT_NODE_PORT = 9100;

const SPECS = {
  port: { flag: 'port', env: 'SHARDGATE_NODE_PORT', kind: 'integer', description: 'port to listen on (0 picks a free one)', defaultText: String(DEFAULT_NODE_PORT) },
  host: { flag: 'host', env: 'SHARDGATE_NODE_HOST', kind: 'string', description: 'address to listen on', defaultText: '0.0.0.0' },
  dataDir: { flag: 'data-dir', env: 'SHARDGATE_NODE_DATA_DIR', kind: 'string', description: 'where shard files live', defaultText: './data/node' },
  gatewayUrl: { flag: 'gateway', env: 'SHARDGATE_GATEWAY_URL', kind: 'string', description: 'gateway URL to register with (required)' },
  joinToken: { flag: 'join-token', env: 'SHARDGATE_JOIN_TOKEN', kind: 'string', description: 'the gateway\'s join token (required)' },
  zone: { flag: 'zone', env: 'SHARDGATE_NODE_ZONE', kind: 'string', description: 'failure zone for placement', defaultText: 'default' },
  capacity: { flag: 'capacity', env: 'SHARDGATE_NODE_CAPACITY', kind: 'bytes', description: 'space offered, e.g. 500GiB', defaultText: 'disk size' },
  publicUrl: { flag: 'public-url', env: 'SHARDGATE_NODE_PUBLIC_URL', kind: 'string', description: 'URL the gateway reaches this node at', defaultText: 'http://<host>:<port>' },
  bodyProgressTimeout: { flag: 'body-progress-timeout', env: 'SHARDGATE_NODE_BODY_PROGRESS_TIMEOUT_MS', kind: 'integer', description: 'ms an upload body may send nothing before it is aborted', defaultText: '30000' },
} as const satisfies SettingSpecs;

export const NODE_HELP = formatHelp(
  'shardgate node [options]',
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

export function loadNodeConfig(argv: readonly string[], env: NodeJS.ProcessEnv): NodeCommandLine {
  const { values: v, help, positionals } = readSettings(SPECS, argv, env);
  if (help) return Object.freeze({ help: true, config: null });
  if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
  if (v.gatewayUrl === undefined) throw new ConfigError('--gateway (or SHARDGATE_GATEWAY_URL) is required');
  if (v.joinToken === undefined || v.joinToken === '') throw new ConfigError('--join-token (or SHARDGATE_JOIN_TOKEN) is required');
  const host = v.host ?? '0.0.0.0';
  if (host === '' || /[\s/]/.test(host)) throw new ConfigError(`--host must be a host name or IP address, got "${host}"`);
  const capacityBytes = v.capacity === undefined ? null : parseBytes('--capacity', v.capacity);
  if (capacityBytes !== null && capacityBytes <= 0) throw new ConfigError('--capacity must be more than 0 bytes');
  const config: NodeConfig = {
    host,
    port: v.port === undefined ? DEFAULT_NODE_PORT : parseInteger('--port', v.port, 0, 65535),
    dataDir: path.resolve(v.dataDir ?? './data/node'),
    gatewayUrl: parseOrigin('--gateway', v.gatewayUrl),
    joinToken: v.joinToken,
    zone: v.zone === undefined ? 'default' : parseName('--zone', v.zone),
    capacityBytes,
    publicUrl: v.publicUrl === undefined ? null : parseOrigin('--public-url', v.publicUrl),
    bodyProgressTimeoutMs: v.bodyProgressTimeout === undefined ? 30_000 : parseInteger('--body-progress-timeout', v.bodyProgressTimeout, 100, 3_600_000),
  };
  return Object.freeze({ help: false, config: Object.freeze(config) });
}
