/**
 * Test support for shard-node tests (not used by the node itself): a tiny real gateway (Hono on
 * 127.0.0.1:0) implementing the two registration endpoints (node-key signatures checked, a fresh
 * secret per registration), a raw `http.request` client that sends
 * paths exactly as given (fetch and undici would normalise `..`), and a helper that starts a real
 * node in a temp directory against that gateway and cleans everything up in `t.teardown`.
 */
import { EventEmitter } from 'node:events';
import http, { type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Hono } from 'hono';
import { createAdaptorServer, type HttpBindings } from '@hono/node-server';
import type { ExecutionContext } from 'ava';
import type { Logger } from '../src/log/logger.ts';
import {
  NODE_HEARTBEAT_PATH, NODE_REGISTER_PATH, parseNodeHeartbeatRequest, parseNodeRegisterRequest,
  type NodeHeartbeatRequest, type NodeRegisterRequest,
} from '../src/node-protocol/routes.ts';
import { randomBytes } from 'node:crypto';
import { heartbeatMessage, registrationMessage, verifyNodeKeySignature } from '../src/node-protocol/node-key.ts';
import { signNodeRequest } from '../src/node-protocol/signature.ts';
import { DEFAULT_BLOCKING_READ_MAX_BYTES, type NodeConfig } from './config.ts';
import { startShardNode, type ShardNodeHandle, type ShardNodeOptions } from './main.ts';

export interface FakeGateway {
  readonly url: string;
  readonly registrations: NodeRegisterRequest[];
  /** `ok` when signed by the key the node registered, and not older than the previous one. */
  readonly heartbeats: { readonly body: NodeHeartbeatRequest; readonly verdict: 'ok' | 'forged' | 'stale' }[];
  /** Answer this many registrations with 503 before accepting. */
  failRegistrations: number;
  /** Node ids whose heartbeats are answered 404 (the gateway "forgot" them). */
  readonly forgotten: Set<string>;
  /** The request secret handed out at the node's latest registration. */
  secretFor(nodeId: string): string;
  /** Resolves when `condition` holds after some request (checked after every request). */
  waitFor(condition: () => boolean): Promise<void>;
  close(): Promise<void>;
}

export interface FakeGatewayOptions {
  readonly joinToken: string;
  readonly heartbeatIntervalMs?: number;
  /** The gateway's clock runs this far ahead of the real one (Date header, signature checks). */
  readonly clockOffsetMs?: number;
}

export async function startFakeGateway(options: FakeGatewayOptions): Promise<FakeGateway> {
  const gatewayNowMs = () => Date.now() + (options.clockOffsetMs ?? 0);
  const secrets = new Map<string, string>();
  const publicKeys = new Map<string, string>();
  const lastHeartbeatMs = new Map<string, number>();
  const events = new EventEmitter();
  const app = new Hono<{ Bindings: HttpBindings }>();
  app.use('*', async (c, next) => {
    await next();
    c.header('date', new Date(gatewayNowMs()).toUTCString());
  });
  const gateway: Omit<FakeGateway, 'url' | 'close'> = {
    registrations: [],
    heartbeats: [],
    failRegistrations: 0,
    forgotten: new Set(),
    secretFor: (nodeId) => {
      const secret = secrets.get(nodeId);
      if (secret === undefined) throw new Error(`node ${nodeId} has not registered`);
      return secret;
    },
    waitFor: (condition) => new Promise<void>((resolve) => {
      if (condition()) return resolve();
      const check = () => {
        if (!condition()) return;
        events.off('request', check);
        resolve();
      };
      events.on('request', check);
    }),
  };
  app.post(NODE_REGISTER_PATH, async (c) => {
    const body = parseNodeRegisterRequest(await c.req.json());
    try {
      if (gateway.failRegistrations > 0) {
        gateway.failRegistrations -= 1;
        return c.text('busy', 503);
      }
      if (body.joinToken !== options.joinToken) return c.json({ error: 'JOIN_TOKEN_INVALID', message: 'bad join token' }, 403);
      const signedAtMs = body.signedAtMs;
      if (Math.abs(signedAtMs - gatewayNowMs()) > 60_000) {
        return c.json({ error: 'SIGNED_AT_STALE', message: 'signed too long ago', gatewayTimeMs: gatewayNowMs() }, 403);
      }
      if (!verifyNodeKeySignature(body.publicKey, registrationMessage(body), body.signature)) {
        return c.json({ error: 'SIGNATURE_INVALID', message: 'bad signature' }, 403);
      }
      const known = publicKeys.get(body.nodeId);
      if (known !== undefined && known !== body.publicKey) return c.json({ error: 'IDENTITY_MISMATCH', message: 'another key' }, 403);
      publicKeys.set(body.nodeId, body.publicKey);
      gateway.registrations.push(body);
      gateway.forgotten.delete(body.nodeId);
      const secret = randomBytes(32).toString('hex');
      secrets.set(body.nodeId, secret);
      lastHeartbeatMs.delete(body.nodeId);
      return c.json({ secret, secretEpoch: gateway.registrations.length, heartbeatIntervalMs: options.heartbeatIntervalMs ?? 50 });
    } finally {
      events.emit('request');
    }
  });
  app.post(NODE_HEARTBEAT_PATH, async (c) => {
    const body = parseNodeHeartbeatRequest(await c.req.json());
    const publicKey = publicKeys.get(body.nodeId) ?? '';
    const verdict = !verifyNodeKeySignature(publicKey, heartbeatMessage(body), body.signature)
      ? 'forged'
      : body.signedAtMs <= (lastHeartbeatMs.get(body.nodeId) ?? 0) || Math.abs(body.signedAtMs - gatewayNowMs()) > 60_000 ? 'stale' : 'ok';
    if (verdict === 'ok') lastHeartbeatMs.set(body.nodeId, body.signedAtMs);
    gateway.heartbeats.push({ body, verdict });
    events.emit('request');
    if (gateway.forgotten.has(body.nodeId)) return c.text('unknown node', 404);
    return c.body(null, verdict === 'ok' ? 204 : 403);
  });
  const server = createAdaptorServer({ fetch: app.fetch }) as http.Server;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(gateway, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  });
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export interface RawRequest {
  readonly method: string;
  /** Sent exactly as given. */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | Readable;
}

/** One request over a fresh connection; the path is not normalised or re-encoded. */
export function rawRequest(baseUrl: string, request: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method: request.method, path: request.path, headers: request.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (request.body === undefined) req.end();
    else if (Buffer.isBuffer(request.body)) req.end(request.body);
    else request.body.pipe(req);
  });
}

export interface SignedRequest extends RawRequest {
  readonly range?: string;
  /** Unix seconds; default now + 60. */
  readonly expiresAt?: number;
}

/** `rawRequest` with the node signature headers (and the Range header when given). */
export function signedRequest(baseUrl: string, secret: string, request: SignedRequest): Promise<RawResponse> {
  const expiresAt = request.expiresAt ?? Math.floor(Date.now() / 1000) + 60;
  const signature = signNodeRequest(secret, { method: request.method, pathWithQuery: request.path, range: request.range, expiresAt });
  return rawRequest(baseUrl, {
    ...request,
    headers: { ...request.headers, ...signature, ...(request.range === undefined ? {} : { range: request.range }) },
  });
}

/** A logger that keeps every line, to assert on what was (not) logged. */
export function memoryLogger(): Logger & { readonly lines: string[] } {
  const lines: string[] = [];
  const keep = (level: string) => (event: string, fields?: Record<string, unknown>) => {
    lines.push(JSON.stringify({ level, event, ...fields }));
  };
  return { lines, info: keep('info'), warn: keep('warn'), error: keep('error') };
}

export async function makeTempDir(t: ExecutionContext): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shardgate-node-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export interface TestNode {
  readonly node: ShardNodeHandle;
  readonly gateway: FakeGateway;
  readonly secret: string;
  readonly dataDir: string;
  readonly logger: ReturnType<typeof memoryLogger>;
  request(request: SignedRequest): Promise<RawResponse>;
}

export const TEST_JOIN_TOKEN = 'join-me';

export function testNodeConfig(dataDir: string, gatewayUrl: string, overrides: Partial<NodeConfig> = {}): NodeConfig {
  return {
    host: '127.0.0.1', port: 0, dataDir, gatewayUrl, joinToken: TEST_JOIN_TOKEN,
    zone: 'zone-a', capacityBytes: null, publicUrl: null, tls: false, log: { format: 'json', level: 'info' }, bodyProgressTimeoutMs: 30_000, shutdownTimeoutMs: 10_000, metricsToken: null, scrub: { bytesPerSecond: 8 * 1024 * 1024, passEveryMs: 86_400_000 },
    blockingReadMaxBytes: DEFAULT_BLOCKING_READ_MAX_BYTES, ...overrides,
  };
}

/** A registered node in a fresh temp dir, torn down with the test. */
export async function startTestNode(
  t: ExecutionContext,
  options: { dataDir?: string; gateway?: FakeGateway; config?: Partial<NodeConfig>; node?: ShardNodeOptions } = {},
): Promise<TestNode> {
  const dataDir = options.dataDir ?? await makeTempDir(t);
  const gateway = options.gateway ?? await startFakeGateway({ joinToken: TEST_JOIN_TOKEN });
  if (!options.gateway) t.teardown(() => gateway.close());
  const logger = memoryLogger();
  const node = await startShardNode(testNodeConfig(dataDir, gateway.url, options.config), { logger, ...options.node });
  t.teardown(() => node.close());
  await node.registered;
  return {
    node, gateway, dataDir, logger,
    get secret() {
      return gateway.secretFor(node.nodeId);
    },
    request: (request) => signedRequest(node.url, gateway.secretFor(node.nodeId), request),
  };
}
