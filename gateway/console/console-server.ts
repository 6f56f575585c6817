import { createServer as createHttpsServer } from 'node:https';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { ConfigError } from '../../src/config/flags.ts';
import { bodyLimit } from '../../src/http/body-limit.ts';
import { MetaStoreUnavailableError } from '../../src/meta/store.ts';
import type { GatewayDeps } from '../context.ts';
import { consoleClusterRoutes } from './console-cluster-routes.ts';
import { consoleError, type ConsoleContext, type ConsoleDeps, type ConsoleEnv } from './console-context.ts';
import { ConsoleParameterError, consoleDataRoutes } from './console-data-routes.ts';
import { consoleLoginRoutes } from './console-login-routes.ts';
import { requireSession, sameOriginWrites, securityHeaders } from './console-security.ts';
import { ConsoleSessions } from './console-sessions.ts';
import { registerConsoleStatic } from './console-static.ts';
import { LoginThrottle } from './login-throttle.ts';
import { MetricsSampler } from './metrics-sampler.ts';

/** The sampler's period and ring: 5 s × 360 = the last 30 minutes. */
export const SAMPLE_INTERVAL_MS = 5_000;
export const SAMPLE_CAPACITY = 360;
const MAX_CONSOLE_BODY_BYTES = 16 * 1024;

export interface RunningConsole {
  readonly url: string;
  close(): Promise<void>;
}

/** The console as a Hono app: security headers on everything, the page, login, then the session-only API. */
export function createConsoleApp(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  app.use('*', securityHeaders());
  app.use('*', sameOriginWrites(deps));
  app.use('/api/*', bodyLimit({
    maxBytes: MAX_CONSOLE_BODY_BYTES, progressTimeoutMs: deps.gateway.config.bodyProgressTimeoutMs,
    refuse: (c: ConsoleContext, refusal) => (refusal.kind === 'too-large'
      ? consoleError(c, 413, 'PayloadTooLarge', `the body may be at most ${refusal.maxBytes} bytes`)
      : consoleError(c, 408, 'RequestTimeout', 'the body stalled')),
  }));
  app.onError((error, c) => {
    if (error instanceof ConsoleParameterError) return c.json({ error: 'InvalidParameter', parameter: error.parameter, message: error.message }, 400);
    if (error instanceof MetaStoreUnavailableError) return consoleError(c, 503, 'ServiceUnavailable', 'the metadata database is unreachable right now');
    deps.gateway.logger.error('console_internal_error', { path: c.req.path, error: error.stack ?? error.message });
    return consoleError(c, 500, 'InternalError', 'the console failed to answer; see the gateway log');
  });
  app.notFound((c) => consoleError(c, 404, 'NotFound', 'no such console page or API'));
  registerConsoleStatic(app, deps);
  app.route('/', consoleLoginRoutes(deps));
  app.use('/api/*', requireSession(deps));
  app.route('/', consoleClusterRoutes(deps));
  app.route('/', consoleDataRoutes(deps));
  return app;
}

/**
 * Starts the console on its own listener (`--console-listen`): another origin than the S3
 * listener, so content of public buckets never runs with the console's cookies. HTTPS with the
 * S3 listener's certificate when `--tls-cert` is set.
 */
export async function startConsole(gateway: GatewayDeps, s3ListenerUrl: string): Promise<RunningConsole> {
  const { config } = gateway;
  const listen = config.consoleListen!;
  const sampler = new MetricsSampler(
    gateway.prometheus.registry,
    () => gateway.registry.all().map(({ record }) => ({ id: record.id, online: gateway.registry.isOnline(record.id) })),
    SAMPLE_INTERVAL_MS, SAMPLE_CAPACITY,
  );
  const deps: ConsoleDeps = {
    gateway, sampler, secure: config.tls !== null,
    sessions: new ConsoleSessions(config.consoleSessionTtlMs, () => gateway.now().getTime()),
    loginThrottle: new LoginThrottle(() => gateway.now().getTime()),
    s3Url: config.consoleS3Url ?? s3ListenerUrl,
  };
  const app = createConsoleApp(deps);
  const server = await new Promise<ServerType>((resolve, reject) => {
    const options = { fetch: app.fetch, hostname: listen.host, port: listen.port };
    const started = config.tls
      ? serve({ ...options, createServer: createHttpsServer, serverOptions: { cert: config.tls.cert, key: config.tls.key } }, () => resolve(started))
      : serve(options, () => resolve(started));
    started.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' || error.code === 'EACCES'
        ? new ConfigError(`cannot listen on ${listen.host}:${listen.port} (${error.code}); choose another --console-listen`)
        : error);
    });
  });
  const http = server as Server;
  http.headersTimeout = config.headersTimeoutMs;
  http.keepAliveTimeout = config.idleTimeoutMs;
  sampler.start();
  const { port } = server.address() as AddressInfo;
  const url = `${deps.secure ? 'https' : 'http'}://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${port}`;
  gateway.logger.info('console_listening', { url, s3Url: deps.s3Url });
  return {
    url,
    async close() {
      sampler.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        http.closeAllConnections?.();
      });
    },
  };
}
