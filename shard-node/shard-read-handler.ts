/**
 * The node's hot path, `GET`/`HEAD /shards/<id>` with a Range, on raw `node:http`: no Hono
 * context, no web streams. Everything else the node serves goes through the Hono app (app.ts),
 * which still has the same route for `app.request()` callers.
 *
 * Same rules as the app: signed by the gateway (403 otherwise, 503 before registration), raw
 * request target checked for dot segments, shard id validated before a path is built, one
 * `bytes=` range (400 when malformed, 416 when past the end), errors as `{ error, message }` JSON,
 * one log line per request (no headers, so no signature or token is ever logged).
 *
 * A window up to `SINGLE_READ_MAX_BYTES` is one positional read into one buffer and one
 * `res.end(buffer)`: a gateway range read is a few windows of 64 KiB–2 MiB, and a single read
 * avoids a stream's 64 KiB reads and their event-loop turns. Larger windows stream in 1 MiB reads
 * with back-pressure, so memory stays bounded whatever the window. Windows up to
 * `blockingReadMaxBytes` are read with a blocking `pread`: from the page cache that takes tens of
 * microseconds, where a thread-pool round trip took 0.6–3 ms p50 on a loaded 2-core machine.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../src/log/logger.ts';
import type { NodeErrorBody } from '../src/node-protocol/routes.ts';
import { verifyNodeRequest } from '../src/node-protocol/signature.ts';
import { type Clock, unixSeconds } from './clock.ts';
import { InvalidPathError, RangeNotSatisfiableError, ShardNodeError } from './errors.ts';
import { formatContentRange, parseNodeRange } from './range-header.ts';
import { hasUnsafeSegment } from './request-target.ts';
import type { RequestObserver } from './node-metrics.ts';
import type { OpenShard } from './open-shard.ts';
import { assertShardId } from './shard-paths.ts';

export interface ShardReadDeps {
  /** Where shards are opened: the node's descriptor cache (`OpenShardCache`), or the store itself. */
  readonly store: { openShard(shardId: string): Promise<OpenShard> };
  readonly getSecret: () => string | null;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Told about every request when its log line is written (the node's Prometheus metrics). */
  readonly observe?: RequestObserver;
  /** Windows up to this many bytes are read with a blocking `pread` (`--blocking-read-max`); default 0: never. */
  readonly blockingReadMaxBytes?: number;
}

/** Windows up to this size are read with one positional read into one buffer. */
export const SINGLE_READ_MAX_BYTES = 4 * 1024 * 1024;
const STREAM_READ_BYTES = 1024 * 1024;
const SHARD_READ_PATH = /^\/shards\/([^/?]+)$/;

const REFUSALS = {
  missing: { error: 'SIGNATURE_MISSING', message: 'request is not signed' },
  expired: { error: 'SIGNATURE_EXPIRED', message: 'signature has expired' },
  forged: { error: 'SIGNATURE_INVALID', message: 'signature does not match' },
} as const satisfies Record<string, NodeErrorBody>;

/**
 * A request listener for shard reads: returns false (and does nothing) for any other request, so
 * the caller hands it to the Hono app.
 */
export function createShardReadHandler(deps: ShardReadDeps): (request: IncomingMessage, response: ServerResponse) => boolean {
  return (request, response) => {
    const target = request.url ?? '';
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !SHARD_READ_PATH.test(target)) return false;
    const startedMs = deps.clock.nowMs();
    const sent = { bytes: 0 };
    response.once('close', () => {
      const line = { method: request.method!, path: target.slice(0, 200), status: response.statusCode, bytes: sent.bytes, ms: Math.round(deps.clock.nowMs() - startedMs) };
      deps.logger.info('request', { ...line, ...(response.writableFinished ? {} : { aborted: true }) });
      deps.observe?.(line);
    });
    serveShardRead(deps, request, response, target, sent).catch((error: unknown) => sendError(deps.logger, response, error));
    return true;
  };
}

/** Answers one shard read; `sent.bytes` is the body length handed to the socket, for the log line. */
async function serveShardRead(
  deps: ShardReadDeps, request: IncomingMessage, response: ServerResponse, target: string, sent: { bytes: number },
): Promise<void> {
  if (hasUnsafeSegment(target)) throw new InvalidPathError('path segments may not be ".", ".." or encode "/"');
  const secret = deps.getSecret();
  if (secret === null) {
    sendJson(response, 503, { error: 'NOT_REGISTERED', message: 'node has not registered with the gateway yet' });
    return;
  }
  const rangeHeader = request.headers.range;
  const verdict = verifyNodeRequest(secret, {
    method: request.method!, pathWithQuery: target, range: rangeHeader, headers: request.headers,
  }, unixSeconds(deps.clock));
  if (verdict !== 'ok') {
    sendJson(response, 403, REFUSALS[verdict]);
    return;
  }
  const shard = await deps.store.openShard(assertShardId(decodeURIComponent(SHARD_READ_PATH.exec(target)![1]!)));
  let handed = false;
  try {
    const size = shard.size;
    const span = parseNodeRange(rangeHeader, size);
    const offset = span?.offset ?? 0;
    const length = span?.length ?? size;
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream', 'content-length': String(length), 'accept-ranges': 'bytes',
    };
    if (span !== null) headers['content-range'] = formatContentRange(span, size);
    const status = span === null ? 200 : 206;
    if (request.method === 'HEAD' || length === 0) {
      response.writeHead(status, headers).end();
      return;
    }
    if (length <= SINGLE_READ_MAX_BYTES) {
      const buffer = length <= (deps.blockingReadMaxBytes ?? 0) ? shard.readBlocking({ offset, length }) : await shard.read({ offset, length });
      sent.bytes = length;
      response.writeHead(status, headers).end(buffer);
      return;
    }
    response.writeHead(status, headers);
    sent.bytes = length;
    handed = true; // the stream releases the shard when it ends or is destroyed
    await pipeline(shard.stream({ offset, length }, STREAM_READ_BYTES), response).catch(() => {}); // a client that hangs up ends the read; the log line says aborted
  } finally {
    if (!handed) await shard.close().catch(() => {});
  }
}

function sendJson(response: ServerResponse, status: number, body: NodeErrorBody, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers }).end(text);
}

function sendError(logger: Logger, response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  if (error instanceof ShardNodeError) {
    const headers: Record<string, string> = error instanceof RangeNotSatisfiableError ? { 'content-range': `bytes */${error.size}` } : {};
    sendJson(response, error.status, { error: error.code, message: error.message }, headers);
    return;
  }
  logger.error('unexpected error', { message: (error as Error).message, stack: (error as Error).stack });
  sendJson(response, 500, { error: 'INTERNAL_ERROR', message: 'internal error' });
}
