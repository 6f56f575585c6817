import { mkdirSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { ReedSolomonCodec } from '../src/erasure/codec.ts';
import { ConfigError } from '../src/config/flags.ts';
import { InFlightRequests, drainServer, type DrainReport } from '../src/http/graceful-drain.ts';
import { EXIT_DRAINED, EXIT_SHUTDOWN_DEADLINE, handleShutdownSignals } from '../src/process/shutdown-signals.ts';
import { createLogger, type Logger } from '../src/log/logger.ts';
import type { MetaStore } from '../src/meta/store.ts';
import { createApp } from './app.ts';
import { holdContinueUntilAuthenticated } from './expect-continue.ts';
import { createVerifier } from './auth.ts';
import { UsageRecorder } from './billing/usage-recorder.ts';
import { GATEWAY_HELP, loadGatewayConfig, type GatewayConfig } from './config.ts';
import type { GatewayDeps } from './context.ts';
import { newConsoleKey } from './console/console-key.ts';
import { startConsole } from './console/console-server.ts';
import { ensureCredentials, type Credentials } from './credentials.ts';
import { WriteLeaseRenewer } from './write/write-lease-renewer.ts';
import { Janitor } from './janitor.ts';
import { LifecycleWorker } from './lifecycle/lifecycle-worker.ts';
import { exitOnMetaSyncFailure, openMetaStore } from './meta-store.ts';
import { GatewayMasterKeys } from './master-keys.ts';
import { createMetrics } from './metrics.ts';
import { GatewayPrometheus } from './prometheus.ts';
import { ensureDefaultJoinToken } from './nodes/join-tokens.ts';
import { NodeRegistry } from './nodes/registry.ts';
import { ShardClient } from './nodes/shard-client.ts';
import { HashListCache } from './read/hash-list-cache.ts';
import { NodeLatency } from './read/node-latency.ts';
import { ParsedPolicies } from './access/parsed-policies.ts';
import { ArchiveIndexCache } from './archive/archive-index-cache.ts';
import { ReadLeases } from './repair/read-leases.ts';
import { RepairService } from './repair/repair-service.ts';
import { UploadLimiter } from './limits/upload-limiter.ts';
import { NodeServiceMeter } from './rewards/service-meter.ts';

export interface RunningGateway {
  readonly url: string;
  /** The web console's URL (`--console-listen`); null when it is off. */
  readonly consoleUrl: string | null;
  readonly credentials: Credentials;
  readonly deps: GatewayDeps;
  /** Requests in flight right now. */
  inFlight(): number;
  /**
   * Graceful stop: refuse new requests (503) and connections, let those in flight finish within
   * `--shutdown-timeout` (then cut them), stop repair (its leases released) and the janitor, flush
   * the usage recorder, close the node pools and the store. Idempotent.
   */
  shutdown(): Promise<DrainReport>;
  /** The same as `shutdown`, for callers that do not need the report. */
  close(): Promise<void>;
}

const JANITOR_INTERVAL_MS = 5_000;
/** Write-pool connections per node beyond one per admitted upload: commits and the janitor's deletes. */
const WRITE_POOL_SPARE_CONNECTIONS = 16;

/**
 * Opens the store, loads the node registry, and serves S3 on `config.host:config.port`. A failed
 * SQLite metadata sync logs one fatal line and calls `exit` (process.exit by default) with
 * EXIT_META_SYNC_FAILED (gateway/meta-store.ts).
 */
export async function startGateway(
  config: GatewayConfig, logger: Logger = createLogger('gateway', config.log), exit: (code: number) => void = (code) => process.exit(code),
): Promise<RunningGateway> {
  mkdirSync(config.dataDir, { recursive: true });
  const startedAt = new Date();
  const now = () => new Date();
  const store = await openMetaStore(config, { onSyncFailure: exitOnMetaSyncFailure(logger, exit) });
  try {
    return await serveWithStore(config, logger, store, startedAt, now);
  } catch (error) {
    await store.close(); // a PostgreSQL pool left open would keep the process alive
    throw error;
  }
}

/** Serves with a store the caller opened (startGateway opens it from the config; tests inject one). */
export async function serveWithStore(
  config: GatewayConfig, logger: Logger, store: MetaStore, startedAt: Date, now: () => Date,
): Promise<RunningGateway> {
  if (config.masterKeyFile === null) throw new ConfigError('--master-key-file (or SHARDGATE_MASTER_KEY_FILE) is required');
  const masterKeys = await GatewayMasterKeys.load(store, config.masterKeyFile);
  const credentials = await ensureCredentials(store, config);
  await ensureDefaultJoinToken(store, credentials.joinToken, now());
  const registry = await NodeRegistry.load({
    store, nodeTimeoutMs: config.nodeTimeoutMs, shardTimeoutMs: config.shardTimeoutMs, now,
    freeReserveBytes: config.nodeFreeReserveBytes,
    shardRoomBytes: Math.ceil(config.maxSegmentBytes / config.profile.dataShards),
    writeConnections: config.maxUploads + WRITE_POOL_SPARE_CONNECTIONS,
    sharedStore: config.metaUrl !== null,
  });
  registry.startSharing((error) => logger.warn('node_registry_refresh_failed', { error: error.message }));
  const client = new ShardClient(registry, now, config.shardTimeoutMs);
  const metrics = createMetrics();
  const prometheus = new GatewayPrometheus(metrics, () => Date.now(), () => registry.all().map(({ record }) => ({
    id: record.id, zone: record.zone, state: repair.states.describe(record.id).state,
    freeBytes: record.freeBytes, capacityBytes: record.capacityBytes,
  })));
  const codec = ReedSolomonCodec.load();
  const hashLists = new HashListCache(config.hashListCacheBytes);
  const rewards = new NodeServiceMeter({ store, logger, now });
  const repair = await RepairService.create({ config, store, registry, client, codec, hashLists, metrics, logger, now, rewards });
  const readLeases = new ReadLeases(now);
  const janitor = new Janitor({
    store, registry, client, logger, metrics, now, readLeases, writeLeaseMs: config.writeLeaseMs, isGone: (nodeId) => repair.states.adminState(nodeId) === 'forgotten',
  }, JANITOR_INTERVAL_MS);
  const writeLeases = new WriteLeaseRenewer({ store, logger, now }, config.writeLeaseMs);
  const lifecycle = new LifecycleWorker({
    store, logger, now, kickJanitor: () => janitor.kick(), dayMs: config.lifecycleDayMs, intervalMs: config.lifecycleIntervalMs,
  });
  let draining = false;
  const usage = config.billing ? new UsageRecorder({ store, logger, metrics }) : null;
  const consoleKey = config.consoleListen ? newConsoleKey() : null;
  const deps: GatewayDeps = {
    config, credentials, store, registry, client, codec,
    hashLists, latency: new NodeLatency(), metrics, prometheus, logger, janitor, now, repair, repairSignals: repair.signals, readLeases,
    archiveIndexes: new ArchiveIndexCache(config.archiveIndexCacheBytes), policies: new ParsedPolicies(),
    verifier: createVerifier(store, config.region, consoleKey), usage, masterKeys,
    uploads: new UploadLimiter(config), consoleKey,
    rewards,
    draining: () => draining,
    startedAt,
  };
  const app = createApp(deps);
  const server = await listen(app.fetch, config);
  const inFlight = new InFlightRequests();
  inFlight.attach(server as Server);
  const { port } = server.address() as AddressInfo;
  const url = `${config.tls ? 'https' : 'http'}://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  const webConsole = config.consoleListen
    ? await startConsole(deps, url).catch(async (error: Error) => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      throw error;
    })
    : null;
  writeLeases.start();
  janitor.start();
  repair.start();
  lifecycle.start();
  usage?.start();
  rewards.start();
  logger.info('gateway_listening', {
    url, profile: config.profile, writeQuorum: config.writeQuorum, dataDir: config.dataDir, masterKeyId: masterKeys.current.id,
  });
  let stopping: Promise<DrainReport> | undefined;
  const shutdown = () => (stopping ??= (async () => {
    draining = true;
    logger.info('shutdown_started', { timeoutMs: config.shutdownTimeoutMs, inFlight: inFlight.count });
    await webConsole?.close();
    // Background work stops beside the drain: a repair in progress is aborted and its lease released.
    const background = Promise.all([repair.stop(), lifecycle.stop(), janitor.stop()]);
    const report = await drainServer(server as Server, inFlight, config.shutdownTimeoutMs);
    if (report.outcome === 'deadline') {
      // A cut write committed nothing: its pending shards are collected once its lease runs out.
      logger.warn('shutdown_deadline', { timeoutMs: config.shutdownTimeoutMs, cutRequests: report.cut, inFlightAtStart: report.inFlightAtStart });
    } else {
      logger.info('shutdown_drained', { inFlightAtStart: report.inFlightAtStart, ms: report.elapsedMs });
    }
    await background;
    await writeLeases.stop();
    await usage?.close();
    await rewards.close();
    await registry.close();
    await store.close();
    logger.info('shutdown_complete', { outcome: report.outcome });
    return report;
  })());
  return {
    url,
    consoleUrl: webConsole?.url ?? null,
    credentials,
    deps,
    inFlight: () => inFlight.count,
    shutdown,
    async close() {
      await shutdown();
    },
  };
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], config: GatewayConfig): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const options = {
      fetch,
      hostname: config.host,
      port: config.port,
      // Checked once a second, so a short --headers-timeout is enforced on time (Node's default is every 30 s).
      serverOptions: { connectionsCheckingInterval: Math.min(1000, config.headersTimeoutMs) },
    };
    const server = config.tls
      ? serve({ ...options, createServer: createHttpsServer, serverOptions: { ...options.serverOptions, cert: config.tls.cert, key: config.tls.key } }, () => resolve(server))
      : serve(options, () => resolve(server));
    const http = server as Server;
    http.headersTimeout = config.headersTimeoutMs;
    http.keepAliveTimeout = config.idleTimeoutMs;
    // No whole-request cap: Node's default (300 s) cuts any honest upload that lasts five minutes.
    // Stalled bodies are cut by --body-progress-timeout instead (request-body.ts).
    http.requestTimeout = 0;
    holdContinueUntilAuthenticated(http);
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' || error.code === 'EACCES'
        ? new ConfigError(`cannot listen on ${config.host}:${config.port} (${error.code}); choose another --port`)
        : error);
    });
  });
}

/**
 * `shardgate gateway`: prints where it listens; SIGTERM/SIGINT drain it (exit 0, or 124 when
 * `--shutdown-timeout` cut requests in flight); a second signal exits at once (128 + signal).
 */
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
  if (gateway.consoleUrl) process.stdout.write(`shardgate console listening on ${gateway.consoleUrl}\n`);
  handleShutdownSignals({
    logger: gateway.deps.logger,
    inFlight: gateway.inFlight,
    shutdown: async (signal) => {
      gateway.deps.logger.info('signal_received', { signal });
      const report = await gateway.shutdown();
      return report.outcome === 'drained' ? EXIT_DRAINED : EXIT_SHUTDOWN_DEADLINE;
    },
  });
}
