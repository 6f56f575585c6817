/**
 * Scrub: the node re-reads its own committed shard files in the background and re-hashes every
 * chunk against the hash list it stored at commit, at no more than `bytesPerSecond`, so bit rot is
 * found without any client read and without any key (shards are ciphertext; the hashes are over
 * the stored bytes). A shard whose bytes or list do not match is reported to the gateway — which
 * checks that it placed that shard here and queues it for repair — and nothing is deleted here:
 * the repair replaces the shard elsewhere and the garbage collector removes this file.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CHUNK_HASH_LENGTH, hashListChunkCount, verifyChunk } from '../src/integrity/hash-list.ts';
import type { Logger } from '../src/log/logger.ts';
import { ByteRateLimiter } from '../src/rate/byte-rate-limiter.ts';
import { ShardNotFoundError } from './errors.ts';
import type { ShardFileStore } from './shard-files.ts';

/** Shard ids listed per directory walk step. */
const LIST_PAGE = 256;
/** Corrupt shards remembered until the gateway took the report: a bound, not a queue without end. */
const MAX_UNREPORTED = 1024;

export interface ScrubSettings {
  /** Bytes re-hashed per second at most (shard bytes and hash lists). */
  readonly bytesPerSecond: number;
  /** Time from the start of one full pass to the start of the next. */
  readonly passEveryMs: number;
}

export interface ScrubPass {
  readonly shards: number;
  readonly bytes: number;
  readonly corrupt: readonly string[];
}

/** A finished pass as `shardgate node status` shows it. */
export interface ScrubPassReport {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly shards: number;
  readonly bytes: number;
  readonly corrupt: number;
}

export type ScrubReporter = (shardIds: readonly string[]) => Promise<boolean>;

export class Scrubber {
  readonly #limiter: ByteRateLimiter;
  /** Found corrupt and not yet accepted by the gateway. */
  readonly #unreported = new Set<string>();

  constructor(
    private readonly store: ShardFileStore,
    private readonly settings: ScrubSettings,
    private readonly report: ScrubReporter,
    private readonly logger: Logger,
    private readonly onPass: (pass: ScrubPassReport) => void = () => {},
  ) {
    this.#limiter = new ByteRateLimiter(settings.bytesPerSecond);
  }

  /** Passes every `passEveryMs` until `signal` aborts (then resolves). */
  async run(signal: AbortSignal): Promise<void> {
    try {
      for (;;) {
        const started = Date.now();
        const pass = await this.scrubAll(signal);
        this.logger.info('scrub_pass_finished', { shards: pass.shards, bytes: pass.bytes, corrupt: pass.corrupt.length, ms: Date.now() - started });
        this.onPass({
          startedAt: new Date(started).toISOString(), finishedAt: new Date().toISOString(), shards: pass.shards, bytes: pass.bytes, corrupt: pass.corrupt.length,
        });
        await this.#sendReports();
        await sleep(Math.max(0, this.settings.passEveryMs - (Date.now() - started)), undefined, { signal });
      }
    } catch (error) {
      if (signal.aborted) return;
      throw error;
    }
  }

  /** One pass over every committed shard; corrupt ones are queued for the next report. */
  async scrubAll(signal: AbortSignal): Promise<ScrubPass> {
    let shards = 0;
    let bytes = 0;
    const corrupt: string[] = [];
    let after: string | null = null;
    do {
      const page = await this.store.list(after, LIST_PAGE);
      for (const shardId of page.shards) {
        signal.throwIfAborted();
        const checked = await this.#scrubShard(shardId, signal);
        if (checked === null) continue; // deleted meanwhile
        shards += 1;
        bytes += checked.bytes;
        if (!checked.intact) {
          corrupt.push(shardId);
          this.logger.warn('scrub_found_corrupt_shard', { shardId, reason: checked.reason });
          if (this.#unreported.size < MAX_UNREPORTED) this.#unreported.add(shardId);
        }
      }
      after = page.next;
    } while (after !== null);
    return { shards, bytes, corrupt };
  }

  /** Reports what is unreported; what the gateway did not take is tried again after the next pass. */
  async #sendReports(): Promise<void> {
    if (this.#unreported.size === 0) return;
    const shardIds = [...this.#unreported];
    try {
      if (await this.report(shardIds)) for (const id of shardIds) this.#unreported.delete(id);
    } catch (error) {
      this.logger.warn('scrub_report_failed', { shards: shardIds.length, error: (error as Error).message });
    }
  }

  async #scrubShard(shardId: string, signal: AbortSignal): Promise<{ intact: boolean; bytes: number; reason?: string } | null> {
    let list: Uint8Array;
    let shard;
    try {
      list = await this.store.readHashList(shardId);
      shard = await this.store.openShard(shardId);
    } catch (error) {
      if (error instanceof ShardNotFoundError) return null;
      throw error;
    }
    try {
      await this.#limiter.take(list.length, signal);
      const chunks = list.length % CHUNK_HASH_LENGTH === 0 ? hashListChunkCount(list) : Number.NaN;
      if (!Number.isInteger(chunks) || (chunks === 0) !== (shard.size === 0) || (chunks > 0 && shard.size % chunks !== 0)) {
        return { intact: false, bytes: list.length, reason: `a ${shard.size}-byte file does not match its ${list.length}-byte hash list` };
      }
      const chunkSize = chunks === 0 ? 0 : shard.size / chunks;
      for (let index = 0; index < chunks; index++) {
        await this.#limiter.take(chunkSize, signal);
        const bytes = await shard.read({ offset: index * chunkSize, length: chunkSize });
        if (!verifyChunk(list, index, bytes)) {
          return { intact: false, bytes: list.length + (index + 1) * chunkSize, reason: `chunk ${index} does not match its hash` };
        }
      }
      return { intact: true, bytes: list.length + shard.size };
    } finally {
      await shard.close();
    }
  }
}
