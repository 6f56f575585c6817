import type { Readable } from 'node:stream';
import { ShardCorruptError } from '../../src/erasure/errors.ts';
import { hashListRoot, verifyChunk } from '../../src/integrity/hash-list.ts';
import type { ShardPlacement } from '../../src/meta/types.ts';
import type { NodeView } from '../nodes/registry.ts';
import type { ShardClient } from '../nodes/shard-client.ts';
import type { HashListCache } from './hash-list-cache.ts';
import type { NodeLatency } from './node-latency.ts';

/** A node's hash list for a shard does not match the root in metadata: the whole shard is untrusted. */
export class HashListCorruptError extends Error {
  readonly code = 'HASH_LIST_CORRUPT';
  override name = 'HashListCorruptError';
  constructor(readonly shardIndex: number) {
    super(`shard ${shardIndex} hash list does not match its root`);
  }
}

export interface ChunkReaderOptions {
  readonly client: ShardClient;
  readonly hashLists: HashListCache;
  readonly node: NodeView;
  readonly shardId: string;
  readonly placement: ShardPlacement;
  readonly chunkSize: number;
  readonly firstStripe: number;
  readonly stripeCount: number;
  readonly signal: AbortSignal;
  /** Told the node's time to first chunk, for hedging. */
  readonly latency?: NodeLatency;
}

/**
 * Reads consecutive chunks of one shard window from its node, each checked against the shard's
 * hash list (itself checked against the root the gateway trusts). The window's range request and
 * the hash list are fetched in parallel, so a cold read costs one round trip. Any failure —
 * connection, status, short body, timeout, wrong bytes — rejects `next()`; the reader is then dead.
 */
export class VerifiedChunkReader {
  readonly #options: ChunkReaderOptions;
  readonly #abort = new AbortController();
  readonly #hashList: Promise<Uint8Array>;
  readonly #body: Promise<AsyncIterator<Buffer>>;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #nextStripe: number;
  readonly #startedAt = performance.now();

  constructor(options: ChunkReaderOptions) {
    this.#options = options;
    this.#nextStripe = options.firstStripe;
    const signal = AbortSignal.any([options.signal, this.#abort.signal]);
    this.#hashList = this.#loadHashList(signal);
    const window = { offset: options.firstStripe * options.chunkSize, length: options.stripeCount * options.chunkSize };
    this.#body = options.client.readRange(options.node, options.shardId, window, signal)
      .then((stream: Readable) => stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>);
    // Failures surface through next(); do not let an unobserved rejection crash the process.
    this.#hashList.catch(() => {});
    this.#body.catch(() => {});
  }

  get shardIndex(): number {
    return this.#options.placement.shardIndex;
  }

  /** The next chunk of the window, verified. */
  async next(): Promise<Uint8Array> {
    const { chunkSize, firstStripe, stripeCount, shardId } = this.#options;
    const stripeIndex = this.#nextStripe;
    if (stripeIndex >= firstStripe + stripeCount) throw new Error(`read past the window of shard ${shardId}`);
    const chunk = await this.#take(chunkSize);
    const list = await this.#hashList;
    if (!verifyChunk(list, stripeIndex, chunk)) {
      throw new ShardCorruptError({ shardIndex: this.shardIndex, chunkIndex: stripeIndex });
    }
    if (stripeIndex === firstStripe) this.#options.latency?.record(this.#options.node.record.id, performance.now() - this.#startedAt);
    this.#nextStripe++;
    return chunk;
  }

  /** `count` chunks concatenated: one column of a decode batch. */
  async nextChunks(count: number): Promise<Uint8Array> {
    if (count === 1) return this.next();
    const column = new Uint8Array(count * this.#options.chunkSize);
    for (let i = 0; i < count; i++) column.set(await this.next(), i * this.#options.chunkSize);
    return column;
  }

  /** Releases the request: aborted if the window was not read to its end, else just closed. */
  close(): void {
    const { firstStripe, stripeCount } = this.#options;
    if (this.#nextStripe < firstStripe + stripeCount) this.#abort.abort();
    this.#body.then((iterator) => iterator.return?.()).catch(() => {});
  }

  async #take(length: number): Promise<Uint8Array> {
    const iterator = await this.#body;
    while (this.#pendingBytes < length) {
      const { value, done } = await iterator.next();
      if (done) throw new Error(`shard ${this.#options.shardId} ended ${length - this.#pendingBytes} bytes short`);
      this.#pending.push(value);
      this.#pendingBytes += value.length;
    }
    const first = this.#pending[0]!;
    if (first.length >= length) {
      const chunk = first.subarray(0, length);
      if (first.length === length) this.#pending.shift();
      else this.#pending[0] = first.subarray(length);
      this.#pendingBytes -= length;
      return chunk;
    }
    const joined = Buffer.concat(this.#pending, this.#pendingBytes);
    this.#pending = joined.length > length ? [joined.subarray(length)] : [];
    this.#pendingBytes -= length;
    return joined.subarray(0, length);
  }

  async #loadHashList(signal: AbortSignal): Promise<Uint8Array> {
    const { hashLists, shardId, client, node, placement } = this.#options;
    const cached = hashLists.get(shardId);
    if (cached) return cached;
    const list = await client.readHashList(node, shardId, signal);
    if (!Buffer.from(hashListRoot(list)).equals(Buffer.from(placement.root))) {
      throw new HashListCorruptError(this.shardIndex);
    }
    hashLists.set(shardId, list);
    return list;
  }
}
