/**
 * Starting and stopping a shard node: open the data directory (node id and key, shard store,
 * stale temp sweep), listen, then register with the gateway and heartbeat in the background.
 * `runShardNodeCli` is what `shardgate node` runs.
 */
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ConfigError } from '../src/config/flags.ts';
import { createLogger, type Logger } from '../src/log/logger.ts';
import { InFlightRequests, drainServer, markClosing, type DrainReport } from '../src/http/graceful-drain.ts';
import type { NodeErrorBody } from '../src/node-protocol/routes.ts';
import { EXIT_DRAINED, EXIT_SHUTDOWN_DEADLINE, handleShutdownSignals } from '../src/process/shutdown-signals.ts';
import { createNodeApp } from './app.ts';
import { systemClock, type Clock } from './clock.ts';
import { NODE_HELP, loadNodeConfig, type NodeConfig } from './config.ts';
import { readNodeSpace } from './disk-space.ts';
import { loadOrCreateNodeIdentity, type NodeIdentity } from './node-identity.ts';
import { exportPrivateKeyPem } from '../src/node-protocol/node-key.ts';
import { selfSignedCertificate } from '../src/node-protocol/self-signed-cert.ts';
import { createServer as createHttpsServer } from 'node:https';
import { NodeMetrics, type RequestObserver } from './node-metrics.ts';
import { PendingCommits } from './pending-commits.ts';
import { NodeStateRecorder } from './node-state-file.ts';
import { maintainRegistration } from './registration.ts';
import { Scrubber } from './scrubber.ts';
import { scrubReporter } from './scrub-report.ts';
import { ShardFileStore } from './shard-files.ts';
import { createShardReadHandler } from './shard-read-handler.ts';
import { NODE_SERVER_OPTIONS, applyNodeServerTimeouts } from './server-timeouts.ts';

export interface ShardNodeHandle {
  /** The URL the node registered with (`publicUrl`, or http://<host>:<bound port>). */
  readonly url: string;
  readonly nodeId: string;
  /** Settles on the first successful registration; rejects if the gateway refuses the node. */
  readonly registered: Promise<void>;
  /**
   * Rejects when the gateway refuses this node for good at any later registration (a tombstoned
   * id, an unknown key); resolves when the node is closed.
   */
  readonly registrationEnded: Promise<void>;
  /** Requests in flight right now. */
  inFlight(): number;
  /**
   * Graceful stop: refuse new requests (503 SHUTTING_DOWN) and connections, stop heartbeats, let
   * the requests in flight finish within `config.shutdownTimeoutMs`, then cut what is left. Idempotent.
   */
  shutdown(): Promise<DrainReport>;
  /** The same as `shutdown`, for callers that do not need the report. */
  close(): Promise<void>;
}

export interface ShardNodeOptions {
  readonly logger?: Logger;
  readonly clock?: Clock;
  readonly fetch?: typeof fetch;
  /** Temp files untouched this long are abandoned uploads; default one hour. */
  readonly tempMaxAgeMs?: number;
  /** Registration retry backoff; default 250 ms doubling to 30 s. */
  readonly backoff?: { readonly initialMs: number; readonly maxMs: number };
}

const COMMIT_PATH = /^\/shards\/[^/?]+\/commit(\?|$)/;
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

function listenUrl(host: string, port: number, tls: boolean): string {
  const reachable = WILDCARD_HOSTS.has(host) ? '127.0.0.1' : host;
  return `${tls ? 'https' : 'http'}://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/**
 * HTTPS options with a certificate self-signed by the node key: the gateway pins the key it
 * registered, so the certificate needs no authority and is made afresh at every start (ten years).
 */
function tlsOptions(identity: NodeIdentity, config: NodeConfig, now: Date): { key: string; cert: string } {
  const altNames = new Set<string>();
  if (!WILDCARD_HOSTS.has(config.host)) altNames.add(config.host);
  if (config.publicUrl !== null) altNames.add(new URL(config.publicUrl).hostname.replace(/^\[|\]$/g, ''));
  const cert = selfSignedCertificate(identity.privateKey, {
    commonName: `shardgate-node ${identity.nodeId}`,
    altNames: [...altNames],
    notBefore: new Date(now.getTime() - 24 * 3600 * 1000),
    notAfter: new Date(now.getTime() + 10 * 365 * 24 * 3600 * 1000),
  });
  return { key: exportPrivateKeyPem(identity.privateKey), cert };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

export async function startShardNode(config: NodeConfig, options: ShardNodeOptions = {}): Promise<ShardNodeHandle> {
  const logger = options.logger ?? createLogger('shard-node', config.log);
  const clock = options.clock ?? systemClock;
  const tempMaxAgeMs = options.tempMaxAgeMs ?? 60 * 60 * 1000;
  await mkdir(config.dataDir, { recursive: true });
  const store = await ShardFileStore.open(config.dataDir);
  const identity = await loadOrCreateNodeIdentity(store.paths);
  const { nodeId } = identity;
  const removedTemp = await store.removeStaleTemp(tempMaxAgeMs, clock.nowMs());
  if (removedTemp > 0) logger.info('removed stale temp files', { count: removedTemp });

  let secret: string | null = null;
  let clockOffsetMs = 0;
  /** Gateway time: signature expiries are checked against the gateway's clock, not ours. */
  const gatewayClock: Clock = { nowMs: () => clock.nowMs() + clockOffsetMs };
  const readSpace = () => readNodeSpace(config.dataDir, config.capacityBytes, store.usage.usedBytes);
  let server: Server | null = null;
  const inFlight = new InFlightRequests();
  const metrics = new NodeMetrics({ readSpace, usage: () => store.usage, server: () => server, inFlight: () => inFlight.count });
  const pendingCommits = new PendingCommits(() => clock.nowMs());
  const observe: RequestObserver = (observation) => {
    metrics.observe(observation);
    pendingCommits.observe(observation);
  };
  const app = createNodeApp({ store, getSecret: () => secret, clock: gatewayClock, logger, nodeId, readSpace, bodyProgressTimeoutMs: config.bodyProgressTimeoutMs, observe });
  const appListener = getRequestListener(app.fetch);
  const openShards = { openShard: (shardId: string) => store.openCachedShard(shardId) };
  const readShard = createShardReadHandler({
    store: openShards, getSecret: () => secret, clock: gatewayClock, logger, observe, blockingReadMaxBytes: config.blockingReadMaxBytes,
  });
  let draining = false;
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    // A commit finishes an upload already received (the PUT before it), so it is still taken.
    if (draining && !(request.method === 'POST' && COMMIT_PATH.test(request.url ?? ''))) {
      refuseWhileDraining(request, response);
      return;
    }
    if (metrics.serve(config.metricsToken, request, response)) return;
    if (!readShard(request, response)) void appListener(request, response);
  };
  server = config.tls
    ? createHttpsServer({ ...NODE_SERVER_OPTIONS, ...tlsOptions(identity, config, new Date(clock.nowMs())) }, listener)
    : createServer(NODE_SERVER_OPTIONS, listener);
  applyNodeServerTimeouts(server);
  inFlight.attach(server);
  const address = await listen(server, config.port, config.host);
  const url = config.publicUrl ?? listenUrl(config.host, address.port, config.tls);
  if (config.publicUrl === null && WILDCARD_HOSTS.has(config.host)) {
    logger.warn('registering a loopback URL; set --public-url so a remote gateway can reach this node', { url });
  }
  logger.info('listening', { nodeId, publicKey: identity.publicKey, url, tls: config.tls, dataDir: config.dataDir });

  const sweep = setInterval(() => {
    store.removeStaleTemp(tempMaxAgeMs, clock.nowMs()).then(
      (count) => count > 0 && logger.info('removed stale temp files', { count }),
      (error: unknown) => logger.error('temp sweep failed', { message: (error as Error).message }),
    );
  }, Math.min(tempMaxAgeMs / 4, 10 * 60 * 1000));
  sweep.unref();

  const nowIso = () => new Date(clock.nowMs()).toISOString();
  const stateFile = new NodeStateRecorder(config.dataDir, {
    nodeId, url, zone: config.zone, gatewayUrl: config.gatewayUrl, pid: process.pid, startedAt: nowIso(), stoppedAt: null,
    configuredCapacityBytes: config.capacityBytes, registration: { state: 'registering', at: nowIso() }, lastHeartbeat: null,
    scrub: { ...config.scrub, lastPass: null },
  }, (error) => logger.warn('node state file not written', { message: error.message }));

  const stop = new AbortController();
  let markRegistered!: () => void;
  const registered = new Promise<void>((resolve) => (markRegistered = resolve));
  const registration = maintainRegistration({
    gatewayUrl: config.gatewayUrl,
    joinToken: config.joinToken,
    identity,
    nodeUrl: url,
    zone: config.zone,
    readSpace,
    onRegistered: (answer, offsetMs) => {
      secret = answer.secret;
      clockOffsetMs = offsetMs;
      stateFile.update({
        registration: { state: 'registered', at: nowIso(), secretEpoch: answer.secretEpoch, ...(answer.operatorId ? { operatorId: answer.operatorId } : {}) },
      });
      markRegistered();
    },
    onHeartbeat: (outcome) => stateFile.update({ lastHeartbeat: { at: nowIso(), ...outcome } }),
    clock,
    logger,
    signal: stop.signal,
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });
  const registeredOrRefused = Promise.race([
    registered,
    registration.then(() => {
      throw new Error('the node stopped before it registered');
    }),
  ]);
  registration.catch((error: unknown) => {
    logger.error('registration stopped', { message: (error as Error).message });
    stateFile.update({ registration: { ...stateFile.state.registration, state: 'refused', at: nowIso(), message: (error as Error).message } });
  });
  if (config.scrub.bytesPerSecond > 0) {
    const reporter = scrubReporter({ gatewayUrl: config.gatewayUrl, identity, gatewayClock, logger, ...(options.fetch ? { fetch: options.fetch } : {}) });
    const scrubber = new Scrubber(store, config.scrub, reporter, logger, (lastPass) => stateFile.update({ scrub: { ...config.scrub, lastPass } }));
    // Scrubbing starts once registered: reports need the gateway's clock offset.
    void registeredOrRefused.then(() => scrubber.run(stop.signal)).catch((error: unknown) => {
      if (!stop.signal.aborted) logger.error('scrub stopped', { message: (error as Error).message });
    });
  }
  registeredOrRefused.catch(() => {}); // the caller may never look; the log line above says it

  let stopping: Promise<DrainReport> | undefined;
  const shutdown = () => (stopping ??= (async () => {
    draining = true;
    logger.info('shutdown_started', { nodeId, timeoutMs: config.shutdownTimeoutMs, inFlight: inFlight.count });
    stop.abort(); // no more heartbeats: the gateway counts the node offline after --node-timeout and reads go around it
    clearInterval(sweep);
    const report = await drainServer(server!, inFlight, config.shutdownTimeoutMs, () => pendingCommits.settled());
    store.close();
    if (report.outcome === 'deadline') {
      // A cut upload's temp file is removed by its own failure path (or the next start's stale-temp sweep).
      logger.warn('shutdown_deadline', { nodeId, timeoutMs: config.shutdownTimeoutMs, cutRequests: report.cut, inFlightAtStart: report.inFlightAtStart });
    } else {
      logger.info('shutdown_drained', { nodeId, inFlightAtStart: report.inFlightAtStart, ms: report.elapsedMs });
    }
    await registration.catch(() => {});
    const { registration: last } = stateFile.state;
    stateFile.update({ stoppedAt: nowIso(), registration: last.state === 'refused' ? last : { ...last, state: 'stopped', at: nowIso() } });
    await stateFile.flushed();
    logger.info('stopped', { nodeId, outcome: report.outcome });
    return report;
  })());

  return {
    url, nodeId, registered: registeredOrRefused, registrationEnded: registration,
    inFlight: () => inFlight.count,
    shutdown,
    close: async () => { await shutdown(); },
  };
}

/** A request on an open connection while the node drains: 503 SHUTTING_DOWN, and the connection closes after it. */
function refuseWhileDraining(request: IncomingMessage, response: ServerResponse): void {
  markClosing(response);
  const body = JSON.stringify({ error: 'SHUTTING_DOWN', message: 'the node is shutting down' } satisfies NodeErrorBody);
  response.writeHead(503, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) }).end(body);
  request.resume(); // drop an upload body; the connection closes after the answer
}

/**
 * `shardgate node [options]`: `argv` are the arguments after `node`. Resolves once the node has
 * stopped (SIGTERM/SIGINT, or the gateway refused the join token), with `process.exitCode` set:
 * 0 after a signal and a complete drain, 124 when `--shutdown-timeout` cut requests in flight,
 * 1 when the node could not start or was refused, 2 for bad options; a second signal during the
 * drain exits at once with 128 + the signal's number.
 */
export async function runShardNodeCli(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: NodeConfig;
  try {
    const commandLine = loadNodeConfig(argv, env);
    if (commandLine.help) {
      process.stdout.write(NODE_HELP);
      return;
    }
    config = commandLine.config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`shardgate node: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  let node: ShardNodeHandle;
  try {
    node = await startShardNode(config);
  } catch (error) {
    process.stderr.write(`shardgate node: ${(error as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  process.stdout.write(`shard node ${node.nodeId} listening on ${node.url}\n`);
  const logger = createLogger('shard-node', config.log);
  const exitCode = await new Promise<number>((resolve) => {
    const uninstall = handleShutdownSignals({
      logger,
      inFlight: node.inFlight,
      shutdown: async (signal) => {
        logger.info('signal_received', { signal });
        const report = await node.shutdown();
        return report.outcome === 'drained' ? EXIT_DRAINED : EXIT_SHUTDOWN_DEADLINE;
      },
      exit: resolve,
    });
    const refused = () => {
      uninstall();
      node.close().then(() => resolve(1), () => resolve(1));
    };
    node.registered.catch(refused);
    node.registrationEnded.catch(refused);
  });
  process.exitCode = exitCode;
  if (exitCode >= 128) process.exit(exitCode); // a second signal: do not wait for what is left
}
