import { PassThrough, type Readable, type Writable } from 'node:stream';
import type { Span } from '../../src/span.ts';
import { formatNodeRange, shardCommitPath, shardHashesPath, shardPath, shardUploadPath } from '../../src/node-protocol/routes.ts';
import { signNodeRequest } from '../../src/node-protocol/signature.ts';
import type { NodeRegistry, NodeView } from './registry.ts';

/** A shard request that did not give the expected answer. `reason` is what a log line shows. */
export class ShardRequestError extends Error {
  readonly code = 'SHARD_REQUEST_FAILED';
  override name = 'ShardRequestError';
  constructor(
    readonly nodeId: string,
    readonly shardId: string,
    readonly reason: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`shard ${shardId} on node ${nodeId}: ${reason}`, options);
  }
}

export interface ShardUpload {
  /** Write whole chunks; respect back-pressure (see `writeChunk` in the segment writer). */
  readonly body: Writable;
  /** Settles when the node has answered the upload. */
  readonly done: Promise<void>;
}

const SIGNATURE_LIFETIME_SECONDS = 300;
const CONNECTION_FAILURES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED',
]);

/** A shard request that got no answer (or, for an upload, no connection) within the shard timeout. */
export class ShardTimeoutError extends Error {
  readonly code = 'SHARD_TIMEOUT';
  override name = 'ShardTimeoutError';
  constructor(readonly milliseconds: number) {
    super(`no answer within ${milliseconds} ms (waiting for a pooled connection included)`);
  }
}

/**
 * Signed HTTP calls from the gateway to shard nodes over each node's keep-alive pools: reads on
 * the read pool, uploads, commits and deletes on the write pool. Every call takes an AbortSignal,
 * so a client that hangs up cancels the shard work behind it, and has a deadline of
 * `shardTimeoutMs` that starts when the call is made: time spent waiting for a pooled connection
 * counts, so a read that cannot get a connection in time fails like a slow node (and degrades to
 * parity). For reads, commits and deletes the deadline ends at the response headers; for an upload
 * it ends when the upload gets its connection (a long upload is bounded by body progress instead).
 */
export class ShardClient {
  constructor(
    private readonly registry: NodeRegistry,
    private readonly now: () => Date,
    private readonly shardTimeoutMs: number,
  ) {}

  upload(node: NodeView, shardId: string, chunkSize: number, signal: AbortSignal): ShardUpload {
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    const path = shardUploadPath(shardId, chunkSize);
    // undici starts reading the body once the request has a connection: the deadline ends there.
    const connected = new Promise<void>((resolve) => body.once('resume', resolve));
    const done = this.#request(node, shardId, { method: 'PUT', path, body, signal, until: connected }).then(async (response) => {
      await response.body.dump();
      if (response.statusCode === 507) this.registry.markOutOfStorage(node.record.id);
      if (response.statusCode !== 200) throw new ShardRequestError(node.record.id, shardId, `upload answered ${response.statusCode}`, response.statusCode);
    });
    done.catch(() => body.destroy());
    return { body, done };
  }

  async commit(node: NodeView, shardId: string, hashList: Uint8Array, signal: AbortSignal): Promise<void> {
    const response = await this.#request(node, shardId, {
      method: 'POST', path: shardCommitPath(shardId), body: Buffer.from(hashList.buffer, hashList.byteOffset, hashList.byteLength), signal, write: true,
    });
    await response.body.dump();
    if (response.statusCode !== 204) throw new ShardRequestError(node.record.id, shardId, `commit answered ${response.statusCode}`, response.statusCode);
  }

  /** The shard file bytes of `window`, streamed; exactly `window.length` bytes or an error. */
  async readRange(node: NodeView, shardId: string, window: Span, signal: AbortSignal): Promise<Readable> {
    const range = formatNodeRange(window);
    const response = await this.#request(node, shardId, { method: 'GET', path: shardPath(shardId), range, signal });
    const length = Number(response.headers['content-length']);
    if (response.statusCode !== 206 || length !== window.length) {
      await response.body.dump().catch(() => {});
      throw new ShardRequestError(node.record.id, shardId, `range read answered ${response.statusCode} with ${length} bytes`, response.statusCode);
    }
    return response.body;
  }

  async readHashList(node: NodeView, shardId: string, signal: AbortSignal): Promise<Uint8Array> {
    const response = await this.#request(node, shardId, { method: 'GET', path: shardHashesPath(shardId), signal });
    if (response.statusCode !== 200) {
      await response.body.dump().catch(() => {});
      throw new ShardRequestError(node.record.id, shardId, `hash list answered ${response.statusCode}`, response.statusCode);
    }
    return new Uint8Array(await response.body.arrayBuffer());
  }

  async delete(node: NodeView, shardId: string, signal: AbortSignal): Promise<void> {
    const response = await this.#request(node, shardId, { method: 'DELETE', path: shardPath(shardId), signal, write: true });
    await response.body.dump();
    if (response.statusCode !== 204) throw new ShardRequestError(node.record.id, shardId, `delete answered ${response.statusCode}`, response.statusCode);
  }

  async #request(
    node: NodeView,
    shardId: string,
    request: {
      method: string; path: string; range?: string; body?: Readable | Buffer; signal: AbortSignal;
      /** On the write pool (uploads always are). */
      write?: boolean;
      /** The deadline ends when this settles (uploads: the connection); default the response headers. */
      until?: Promise<void>;
    },
  ) {
    const expiresAt = Math.floor(this.now().getTime() / 1000) + SIGNATURE_LIFETIME_SECONDS;
    const headers: Record<string, string> = {
      ...signNodeRequest(node.secret, { method: request.method, pathWithQuery: request.path, range: request.range, expiresAt }),
    };
    if (request.range) headers.range = request.range;
    // undici does not drop a queued request when its signal aborts (it only aborts it once it has
    // a connection), so the deadline also rejects on its own: a caller never waits past it.
    const deadline = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new ShardTimeoutError(this.shardTimeoutMs);
        deadline.abort(error);
        reject(error);
      }, this.shardTimeoutMs);
    });
    timedOut.catch(() => {});
    void request.until?.then(() => clearTimeout(timer));
    const pool = request.write || request.until ? node.writePool : node.pool;
    const pending = pool.request({
      method: request.method as 'GET',
      path: request.path,
      headers,
      body: request.body ?? null,
      signal: AbortSignal.any([request.signal, deadline.signal]),
    });
    // An answer that lands after the deadline is not read by anyone: free its connection.
    pending.then((response) => { if (deadline.signal.aborted) response.body.destroy(); }, () => {});
    try {
      return await Promise.race([pending, timedOut]);
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (CONNECTION_FAILURES.has(code)) this.registry.markUnreachable(node.record.id);
      const reason = error instanceof ShardTimeoutError ? error.message : code || (error as Error).message;
      throw new ShardRequestError(node.record.id, shardId, reason, undefined, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }
}
