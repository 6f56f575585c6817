/**
 * The shard node's HTTP API (see src/node-protocol/routes.ts for the table). Everything except
 * `/health` is signed by the gateway, and `/health` says nothing but "alive" (no id, no space: an
 * unauthenticated caller must not learn which node this is); ids are validated before any path is built; request paths
 * with dot segments are refused before routing.
 *
 * Uploads read the raw Node request (`c.env.incoming`) straight into the file: ~40% faster than
 * going through the web stream Hono would build. Range reads (`GET`/`HEAD /shards/<id>`), the hot
 * path, are not here: shard-read-handler.ts answers them on raw `node:http` before a request
 * reaches this app (main.ts wires both into one server).
 */
import { Hono, type Context } from 'hono';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { Logger } from '../src/log/logger.ts';
import {
  DEFAULT_SHARD_LIST_LIMIT, HEALTH_PATH, MAX_SHARD_LIST_LIMIT, STATUS_PATH, isValidShardId,
  type NodeErrorBody, type NodeHealthResponse, type NodeStatusResponse, type ShardUploadResponse,
} from '../src/node-protocol/routes.ts';
import type { Clock } from './clock.ts';
import type { NodeSpace } from './disk-space.ts';
import { InsufficientStorageError, InvalidNodeRequestError, InvalidPathError, RangeNotSatisfiableError, ShardNodeError } from './errors.ts';
import { logRequests } from './request-log.ts';
import type { RequestObserver } from './node-metrics.ts';
import { hasUnsafeSegment, incomingOf, rawRequestTarget, type NodeAppEnv } from './request-target.ts';
import type { ShardFileStore } from './shard-files.ts';
import { assertShardId } from './shard-paths.ts';
import { requireNodeSignature } from './signature-middleware.ts';
import { abortStalledBody } from './stalled-body.ts';
import { bodyLimit, type BodyRefusal } from '../src/http/body-limit.ts';

export interface NodeAppDeps {
  readonly store: ShardFileStore;
  /** The secret from the latest registration, or null before the first one. */
  readonly getSecret: () => string | null;
  /** Signature expiries are checked against this clock (the node runs it in gateway time). */
  readonly clock: Clock;
  readonly logger: Logger;
  readonly nodeId: string;
  readonly readSpace: () => Promise<NodeSpace>;
  /** An upload body that sends nothing this long is aborted; default 30 s. */
  readonly bodyProgressTimeoutMs?: number;
  /** Told about every request when its log line is written (the node's Prometheus metrics). */
  readonly observe?: RequestObserver;
}

/** Largest chunk a node accepts (the erasure profile allows up to 16 MiB). */
const MAX_CHUNK_SIZE = 16 * 1024 * 1024;
/** Largest hash list a commit may carry (a 64 MiB shard of 64-byte chunks needs 32 MiB). */
const MAX_HASH_LIST_BYTES = 64 * 1024 * 1024;

function parseCount(name: string, raw: string | undefined, min: number, max: number): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^[0-9]{1,16}$/.test(raw) || value < min || value > max) {
    throw new InvalidNodeRequestError(`${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function shardIdParam(c: Context<NodeAppEnv>): string {
  return assertShardId(c.req.param('id') ?? '');
}

function errorBody(error: NodeErrorBody['error'], message: string): NodeErrorBody {
  return { error, message };
}

/** A commit body over the limit (413) or stalled (408), as a node error body. */
function refuseBody(c: Context<NodeAppEnv>, refusal: BodyRefusal): Response {
  return refusal.kind === 'too-large'
    ? c.json(errorBody('INVALID_REQUEST', `the body may be at most ${refusal.maxBytes} bytes`), 413, { connection: 'close' })
    : c.json(errorBody('INCOMPLETE_BODY', `the body sent no byte for ${refusal.progressTimeoutMs} ms`), 408, { connection: 'close' });
}

export function createNodeApp(deps: NodeAppDeps): Hono<NodeAppEnv> {
  const { store } = deps;
  const app = new Hono<NodeAppEnv>();
  const signature = requireNodeSignature({ getSecret: deps.getSecret, clock: deps.clock });

  app.use('*', logRequests(deps.logger, deps.clock, deps.observe));
  app.use('*', async function rejectUnsafePaths(c, next) {
    if (hasUnsafeSegment(rawRequestTarget(c))) throw new InvalidPathError('path segments may not be ".", ".." or encode "/"');
    await next();
  });
  app.use('*', async function signedExceptHealth(c, next) {
    if (c.req.path === HEALTH_PATH) return next();
    return signature(c, next);
  });

  app.get(HEALTH_PATH, (c) => c.json({ status: 'ok' } satisfies NodeHealthResponse));

  app.get(STATUS_PATH, async (c) => {
    const space = await deps.readSpace();
    const body: NodeStatusResponse = { nodeId: deps.nodeId, ...space, shardCount: store.usage.shardCount };
    return c.json(body);
  });

  app.put('/shards/:id', async (c) => {
    const shardId = shardIdParam(c);
    const chunkSize = parseCount('chunkSize', c.req.query('chunkSize'), 1, MAX_CHUNK_SIZE);
    if (chunkSize === undefined) throw new InvalidNodeRequestError('chunkSize query parameter is required');
    const expectedLength = parseCount('Content-Length', c.req.header('content-length'), 0, Number.MAX_SAFE_INTEGER);
    // The space offered (--capacity, or the disk) must hold at least the first chunk: a node never
    // takes shards it has no room for, and the gateway stops placing on it until it has room again.
    if ((await deps.readSpace()).freeBytes < Math.max(chunkSize, expectedLength ?? 0)) throw new InsufficientStorageError();
    const incoming = incomingOf(c);
    const body = incoming ?? Readable.fromWeb((c.req.raw.body ?? new Blob([]).stream()) as NodeReadableStream);
    const stopWatching = incoming ? abortStalledBody(incoming, deps.bodyProgressTimeoutMs ?? 30_000) : () => {};
    let length: number;
    try {
      ({ length } = await store.receiveUpload(shardId, chunkSize, body, expectedLength));
    } finally {
      stopWatching();
    }
    c.set('requestBytes', length);
    return c.json({ length } satisfies ShardUploadResponse, 200);
  });

  app.post('/shards/:id/commit', bodyLimit({ maxBytes: MAX_HASH_LIST_BYTES, progressTimeoutMs: deps.bodyProgressTimeoutMs ?? 30_000, refuse: refuseBody }), async (c) => {
    const shardId = shardIdParam(c);
    const hashList = new Uint8Array(await c.req.arrayBuffer());
    c.set('requestBytes', hashList.length);
    await store.commit(shardId, hashList);
    return c.body(null, 204);
  });

  app.get('/shards/:id/hashes', async (c) => {
    const list = await store.readHashList(shardIdParam(c));
    return c.body(list as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/octet-stream' });
  });

  app.delete('/shards/:id', async (c) => {
    await store.delete(shardIdParam(c));
    return c.body(null, 204);
  });

  app.get('/shards', async (c) => {
    const after = c.req.query('after');
    if (after !== undefined && !isValidShardId(after)) throw new InvalidNodeRequestError('after must be a shard id');
    const limit = parseCount('limit', c.req.query('limit'), 1, MAX_SHARD_LIST_LIMIT) ?? DEFAULT_SHARD_LIST_LIMIT;
    return c.json(await store.list(after ?? null, limit));
  });

  app.notFound((c) => c.json(errorBody('NOT_FOUND', 'no such endpoint'), 404));

  app.onError((error, c) => {
    if (error instanceof ShardNodeError) {
      if (error instanceof RangeNotSatisfiableError) c.header('content-range', `bytes */${error.size}`);
      return c.json(errorBody(error.code, error.message), error.status);
    }
    deps.logger.error('unexpected error', { method: c.req.method, path: c.req.path.slice(0, 200), message: error.message, stack: error.stack });
    return c.json(errorBody('INTERNAL_ERROR', 'internal error'), 500);
  });

  return app;
}
