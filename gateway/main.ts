import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { ReedSolomonCodec } from '../src/erasure/codec.ts';
import { ConfigError } from '../src/config/flags.ts';
import { createJsonLogger, type Logger } from '../src/log/logger.ts';
import type { MetaStore } from '../src/meta/store.ts';
import { createApp } from './app.ts';
import { createVerifier } from './auth.ts';
import { UsageRecorder } from './billing/usage-recorder.ts';
import { GATEWAY_HELP, loadGatewayConfig, type GatewayConfig } from './config.ts';
import type { GatewayDeps } from './context.ts';
import { ensureCredentials, type Credentials } from './credentials.ts';
import { Janitor } from './janitor.ts';
import { openMetaStore } from './meta-store.ts';
import { createMetrics } from './metrics.ts';
import { NodeRegistry } from './nodes/registry.ts';
import { ShardClient } from './nodes/shard-client.ts';
import { HashListCache } from './read/hash-list-cache.ts';
import { NodeLatency } from './read/node-latency.ts';
import { ArchiveIndexCache } from './archive/archive-index-cache.ts';

export interface RunningGateway {
  readonly url: string;
  readonly credentials: Credentials;
  readonly deps: GatewayDeps;
  close(): Promise<void>;
}

const JANITOR_INTERVAL_MS = 5_000;

/** Opens the store, loads the node registry, and serves S3 on `config.host:config.port`. */
export async function startGateway(config: GatewayConfig, logger: Logger = createJsonLogger('gateway')): Promise<RunningGateway> {
  mkdirSync(config.dataDir, { recursive: true });
  const startedAt = new Date();
  const now = () => new Date();
  const store = await openMetaStore(config);
  try {
    return await serveWithStore(config, logger, store, startedAt, now);
  } catch (error) {
    await store.close(); // a PostgreSQL pool left open would keep the process alive
    throw error;
  }
}

async function serveWithStore(
  config: GatewayConfig, logger: Logger, store: MetaStore, startedAt: Date, now: () => Date,
): Promise<RunningGateway> {
  const credentials = await ensureCredentials(store, config);
  const registry = await NodeRegistry.load({
    store, masterKey: credentials.masterKey, nodeTimeoutMs: config.nodeTimeoutMs, shardTimeoutMs: config.shardTimeoutMs, now,
  });
  const client = new ShardClient(registry, now);
  const metrics = createMetrics();
  const janitor = new Janitor({ store, registry, client, logger, metrics, now }, JANITOR_INTERVAL_MS);
  const usage = config.billing ? new UsageRecorder({ store, logger, metrics }) : null;
  const deps: GatewayDeps = {
    config, credentials, store, registry, client, codec: ReedSolomonCodec.load(),
    hashLists: new HashListCache(config.hashListCacheBytes), latency: new NodeLatency(), metrics, logger, janitor, now,
    archiveIndexes: new ArchiveIndexCache(config.archiveIndexCacheBytes),
    verifier: createVerifier(store, config.region), usage,
  };
  const app = createApp(deps);
  const server = await listen(app.fetch, config);
  await janitor.start(startedAt);
  usage?.start();
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info('gateway_listening', { url, profile: config.profile, writeQuorum: config.writeQuorum, dataDir: config.dataDir });
  return {
    url,
    credentials,
    deps,
    async close() {
      await janitor.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await usage?.close();
      await registry.close();
      await store.close();
    },
  };
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], config: GatewayConfig): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: config.host, port: config.port }, () => resolve(server));
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' || error.code === 'EACCES'
        ? new ConfigError(`cannot listen on ${config.host}:${config.port} (${error.code}); choose another --port`)
        : error);
    });
  });
}

/** `shardgate gateway`: prints where it listens, stops cleanly on SIGINT/SIGTERM. */
export async function runGatewayCli(argv: readonly string[]): Promise<void> {
  let config: GatewayConfig;
  try {
    const parsed = loadGatewayConfig(argv, process.env);
    if (parsed.help) {
      process.stdout.write(GATEWAY_HELP);
      return;
    }
    config = parsed.config;
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`shardgate gateway: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw error;
  }
  let gateway: RunningGateway;
  try {
    gateway = await startGateway(config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`shardgate gateway: ${error.message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`shardgate gateway listening on ${gateway.url}\n`);
  const stop = async () => {
    await gateway.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
