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

/**
 * Signed HTTP calls from the gateway to shard nodes over each node's keep-alive pool. Every call
 * takes an AbortSignal, so a client that hangs up cancels the shard work behind it.
 */
export class ShardClient {
  constructor(private readonly registry: NodeRegistry, private readonly now: () => Date) {}

  upload(node: NodeView, shardId: string, chunkSize: number, signal: AbortSignal): ShardUpload {
    const body = new PassThrough({ highWaterMark: 1024 * 1024 });
    const path = shardUploadPath(shardId, chunkSize);
    const done = this.#request(node, shardId, { method: 'PUT', path, body, signal }).then(async (response) => {
      await response.body.dump();
      if (response.statusCode === 507) this.registry.markOutOfStorage(node.record.id);
      if (response.statusCode !== 200) throw new ShardRequestError(node.record.id, shardId, `upload answered ${response.statusCode}`, response.statusCode);
    });
    done.catch(() => body.destroy());
    return { body, done };
  }

  async commit(node: NodeView, shardId: string, hashList: Uint8Array, signal: AbortSignal): Promise<void> {
    const response = await this.#request(node, shardId, {
      method: 'POST', path: shardCommitPath(shardId), body: Buffer.from(hashList.buffer, hashList.byteOffset, hashList.byteLength), signal,
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
    const response = await this.#request(node, shardId, { method: 'DELETE', path: shardPath(shardId), signal });
    await response.body.dump();
    if (response.statusCode !== 204) throw new ShardRequestError(node.record.id, shardId, `delete answered ${response.statusCode}`, response.statusCode);
  }

  async #request(
    node: NodeView,
    shardId: string,
    request: { method: string; path: string; range?: string; body?: Readable | Buffer; signal: AbortSignal },
  ) {
    const expiresAt = Math.floor(this.now().getTime() / 1000) + SIGNATURE_LIFETIME_SECONDS;
    const headers: Record<string, string> = {
      ...signNodeRequest(node.secret, { method: request.method, pathWithQuery: request.path, range: request.range, expiresAt }),
    };
    if (request.range) headers.range = request.range;
    try {
      return await node.pool.request({
        method: request.method as 'GET',
        path: request.path,
        headers,
        body: request.body ?? null,
        signal: request.signal,
      });
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (CONNECTION_FAILURES.has(code)) this.registry.markUnreachable(node.record.id);
      throw new ShardRequestError(node.record.id, shardId, code || (error as Error).message, undefined, { cause: error });
    }
  }
}
