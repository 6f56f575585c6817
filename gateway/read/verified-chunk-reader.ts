import type { Readable } from 'node:stream';
import { ShardCorruptError } from '../../src/erasure/errors.ts';
import type { ShardWindow } from '../../src/erasure/layout.ts';
import { hashListRoot, verifyChunk } from '../../src/integrity/hash-list.ts';
import type { ShardPlacement } from '../../src/meta/types.ts';
import type { NodeView } from '../nodes/registry.ts';
import type { ShardClient } from '../nodes/shard-client.ts';
import type { ServiceObserver } from '../rewards/service-meter.ts';
import type { HashListCache } from './hash-list-cache.ts';
import type { NodeLatency } from './node-latency.ts';
import type { RequestTiming } from '../request-timing.ts';

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
  /** Which stripes of the shard file to read: from the segment's read plan (`planSegmentRead`, `shardWindow`). */
  readonly window: ShardWindow;
  readonly signal: AbortSignal;
  /** Told the node's time to first chunk, for hedging. */
  readonly latency?: NodeLatency;
  /** The rewards meter: verified and failed bytes, and whether the node answered (see `close`). */
  readonly service?: ServiceObserver;
  /** The request's stage clock (hash list, first shard byte, verify), when this read is a timed response body. */
  readonly timing?: RequestTiming;
}

/** One column of a decode batch: `count` chunks back to back; the chunks of `corruptStripes` failed their hash. */
export interface ChunkColumn {
  readonly column: Uint8Array;
  /** Stripe indices (of the segment) whose chunk in `column` must not be used. */
  readonly corruptStripes: readonly number[];
}

/**
 * Reads consecutive chunks of one shard window from its node, each checked against the shard's
 * hash list (itself checked against the root the gateway trusts). The window's range request and
 * the hash list are fetched in parallel, so a cold read costs one round trip. A chunk whose bytes
 * fail their hash rejects `next()` with ShardCorruptError and the reader goes on with the next
 * chunk (only that stripe needs parity); any other failure — connection, status, short body,
 * timeout, a hash list that does not match its root — kills the reader: every later `next()`
 * rejects with the same error.
 */
export class VerifiedChunkReader {
  readonly #options: ChunkReaderOptions;
  readonly #abort = new AbortController();
  readonly #hashList: Promise<Uint8Array>;
  readonly #body: Promise<AsyncIterator<Buffer>>;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #nextStripe: number;
  #failure: unknown = null;
  readonly #startedAt = performance.now();
  #verifiedBytes = 0;
  #failedBytes = 0;
  #firstByteSeen = false;

  constructor(options: ChunkReaderOptions) {
    this.#options = options;
    this.#nextStripe = options.window.firstStripe;
    const signal = AbortSignal.any([options.signal, this.#abort.signal]);
    this.#hashList = this.#loadHashList(signal);
    options.timing?.shardRequested();
    this.#body = options.client.readRange(options.node, options.shardId, options.window, signal)
      .then((stream: Readable) => stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>);
    // Failures surface through next(); do not let an unobserved rejection crash the process.
    this.#hashList.catch(() => {});
    this.#body.catch(() => {});
  }

  get shardIndex(): number {
    return this.#options.placement.shardIndex;
  }

  /** The next chunk of the window, verified; ShardCorruptError (reader still alive) when it is not. */
  async next(): Promise<Uint8Array> {
    if (this.#failure !== null) throw this.#failure;
    const { chunkSize, window, shardId } = this.#options;
    const stripeIndex = this.#nextStripe;
    if (stripeIndex >= window.firstStripe + window.stripeCount) throw new Error(`read past the window of shard ${shardId}`);
    let chunk: Uint8Array | undefined;
    let list: Uint8Array;
    try {
      chunk = await this.#take(chunkSize);
      list = await this.#hashList;
    } catch (error) {
      this.#failure = error;
      if (chunk) this.#failedBytes += chunkSize; // bytes that arrived under a hash list that does not match its root
      throw error;
    }
    this.#nextStripe++;
    const timing = this.#options.timing;
    const verifySince = timing ? performance.now() : 0;
    const verified = verifyChunk(list, stripeIndex, chunk);
    timing?.add('verify', verifySince);
    if (!verified) {
      this.#failedBytes += chunkSize;
      throw new ShardCorruptError({ shardIndex: this.shardIndex, chunkIndex: stripeIndex });
    }
    this.#verifiedBytes += chunkSize;
    if (stripeIndex === window.firstStripe) this.#options.latency?.record(this.#options.node.record.id, performance.now() - this.#startedAt);
    return chunk;
  }

  /** `count` chunks concatenated: one column of a decode batch, with the stripes whose chunk failed its hash. */
  async nextChunks(count: number): Promise<ChunkColumn> {
    const { chunkSize } = this.#options;
    const corruptStripes: number[] = [];
    if (count === 1) {
      const stripeIndex = this.#nextStripe;
      const chunk = await this.next().catch((error: unknown) => {
        if (!(error instanceof ShardCorruptError)) throw error;
        corruptStripes.push(stripeIndex);
        return new Uint8Array(chunkSize);
      });
      return { column: chunk, corruptStripes };
    }
    const column = new Uint8Array(count * chunkSize);
    for (let i = 0; i < count; i++) {
      const stripeIndex = this.#nextStripe;
      try {
        column.set(await this.next(), i * chunkSize);
      } catch (error) {
        if (!(error instanceof ShardCorruptError)) throw error;
        corruptStripes.push(stripeIndex);
      }
    }
    return { column, corruptStripes };
  }

  /**
   * Releases the request: aborted if the window was not read to its end, else just closed. Tells
   * the rewards meter what the node served: its verified and failed bytes, and the request as
   * failed (an error, timeout, short body or untrusted hash list — even after some chunks — or
   * only bytes that failed their hash) or else answered (some chunk verified). A request this
   * side gave up on before any answer (a client that hung up, a hedge, a stopping gateway) counts
   * neither way; a deadline that expired counts as failed.
   */
  close(): void {
    this.#observe();
    const { window } = this.#options;
    if (this.#nextStripe < window.firstStripe + window.stripeCount || this.#failure !== null) {
      this.#abort.abort();
      this.#body.then((iterator) => iterator.return?.()).catch(() => {});
      return;
    }
    // Read to its end: take the body's end as well. Returning the iterator before it saw the end
    // destroys the stream with an AbortError (and undici adds a RequestAbortedError), two errors
    // with stack traces per shard request for a body that was complete.
    this.#body.then((iterator) => iterator.next()).catch(() => {});
  }

  #observe(): void {
    const { service, node } = this.#options;
    if (!service) return;
    const failed = (this.#failure !== null && !this.#abandonedByCaller()) || (this.#verifiedBytes === 0 && this.#failedBytes > 0);
    const answered = !failed && this.#verifiedBytes > 0;
    if (!answered && !failed) return;
    service.meter.record(node.record.id, service.kind, {
      verifiedBytes: this.#verifiedBytes, failedBytes: this.#failedBytes, answered: answered ? 1 : 0, failed: failed ? 1 : 0,
    });
  }

  /** The caller's signal ended the request (not a deadline: `AbortSignal.timeout` is the node's fault). */
  #abandonedByCaller(): boolean {
    const { signal } = this.#options;
    return signal.aborted && (signal.reason as { name?: string } | undefined)?.name !== 'TimeoutError';
  }

  async #take(length: number): Promise<Uint8Array> {
    const iterator = await this.#body;
    while (this.#pendingBytes < length) {
      const { value, done } = await iterator.next();
      if (done) throw new Error(`shard ${this.#options.shardId} ended ${length - this.#pendingBytes} bytes short`);
      if (!this.#firstByteSeen) {
        this.#firstByteSeen = true;
        this.#options.timing?.shardByteArrived();
      }
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
    // Copies exactly one chunk; what follows it stays a view of the piece it arrived in. (Joining
    // everything pending copied a chunk and a half on average, the half again at the next chunk.)
    const chunk = Buffer.concat(this.#pending, length);
    let consumed = length;
    while (consumed > 0) {
      const head = this.#pending[0]!;
      if (head.length > consumed) {
        this.#pending[0] = head.subarray(consumed);
        break;
      }
      consumed -= head.length;
      this.#pending.shift();
    }
    this.#pendingBytes -= length;
    return chunk;
  }

  async #loadHashList(signal: AbortSignal): Promise<Uint8Array> {
    const { hashLists, shardId, client, node, placement, timing } = this.#options;
    const cached = hashLists.get(shardId);
    if (cached) {
      timing?.touch('hash-list');
      return cached;
    }
    timing?.hashListFetchStarted();
    let list: Uint8Array;
    try {
      list = await client.readHashList(node, shardId, signal);
    } finally {
      timing?.hashListFetchEnded();
    }
    if (!Buffer.from(hashListRoot(list)).equals(Buffer.from(placement.root))) {
      throw new HashListCorruptError(this.shardIndex);
    }
    hashLists.set(shardId, list);
    return list;
  }
}
