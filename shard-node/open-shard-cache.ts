/**
 * Kept-open descriptors of recently read shard files (a bounded LRU), for the node's hot read
 * path: a cached shard is checked with one synchronous `stat` of its path instead of an `open` and
 * an `fstat`, each of which is a round trip through libuv's thread pool (measured at 0.5–1 ms each
 * on a loaded 2-core machine, where the whole node answer took 3–4.6 ms).
 *
 * Freshness: the store forgets a shard's descriptor when it deletes or replaces the file (so a
 * deleted file's blocks are not held); an open in flight at that moment is served but not cached
 * (a per-id generation, bumped by `forget`). Every read of a cached descriptor also compares the
 * path's (device, inode) with the descriptor's: a shard replaced by a commit (a rename), deleted,
 * moved away or replaced by hand has another inode (or none), so the stale descriptor is dropped
 * and the path opened anew. An inode number cannot be reused while the cache holds its descriptor
 * open, so an equal pair is the same file. The size is the path's current size. The `stat` is
 * synchronous on purpose: the path was opened recently, so its directory entry and inode are in
 * memory and the call costs microseconds (2–3 µs measured). Why not the descriptor's link count
 * (fstat) or a periodic check: a file moved away by hand keeps its link, and a period serves a
 * deleted file for its length (README, Decisions).
 *
 * Lifetime: an evicted (or stale) descriptor is closed once the last read holding it is released,
 * so eviction never cuts a read in flight.
 */
import { statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { ShardNotFoundError } from './errors.ts';
import { openShardFile, shardOverHandle, type OpenedShardFile, type OpenShard } from './open-shard.ts';

/** Descriptors kept open by default: a small share of a default `ulimit -n` of 1024. */
export const OPEN_SHARD_FILES_MAX = 256;

/** Opens a shard's file (`openShardFile`); tests inject one that holds an open in flight. */
export type OpenShardFile = typeof openShardFile;

export interface OpenShardCacheOptions {
  /** Descriptors kept open at most; default OPEN_SHARD_FILES_MAX. */
  readonly maxEntries?: number;
  readonly openFile?: OpenShardFile;
}

interface Entry {
  readonly handle: FileHandle;
  readonly dev: number;
  readonly ino: number;
  /** Reads holding the descriptor (OpenShards not yet closed). */
  holders: number;
  /** Out of the cache: closed when the last holder releases it. */
  dropped: boolean;
}

export class OpenShardCache {
  readonly #entries = new Map<string, Entry>();
  /**
   * Opens in flight, by shard id, with the id's generation: `forget` bumps it, and an open that
   * finishes under another generation than it started with is not cached (the file it opened
   * may be the one just deleted or replaced). Only ids with an open in flight are kept.
   */
  readonly #opening = new Map<string, { generation: number; count: number }>();
  /** Descriptors still open: cached ones and dropped ones that reads still hold. */
  #openDescriptors = 0;
  #closed = false;
  readonly #maxEntries: number;
  readonly #openFile: OpenShardFile;

  constructor(
    /** The committed file of a shard id (`ShardPaths.shardFile`). */
    private readonly shardFile: (shardId: string) => string,
    options: OpenShardCacheOptions = {},
  ) {
    const maxEntries = options.maxEntries ?? OPEN_SHARD_FILES_MAX;
    this.#maxEntries = maxEntries;
    this.#openFile = options.openFile ?? openShardFile;
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  /** Descriptors this cache holds open right now (cached, or dropped but still read). */
  get openDescriptors(): number {
    return this.#openDescriptors;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Opens a committed shard for reading; ShardNotFoundError when there is none. Close the result. */
  async openShard(shardId: string): Promise<OpenShard> {
    const file = this.shardFile(shardId);
    const cached = this.#entries.get(shardId);
    if (cached) {
      const current = statIfExists(file);
      if (current !== null && current.dev === cached.dev && current.ino === cached.ino) {
        this.#entries.delete(shardId); // most recently used goes last
        this.#entries.set(shardId, cached);
        return this.#hold(shardId, cached, current.size);
      }
      this.#drop(shardId, cached);
      if (current === null) throw new ShardNotFoundError(shardId);
    }
    const opening = this.#opening.get(shardId) ?? { generation: 0, count: 0 };
    this.#opening.set(shardId, opening);
    opening.count++;
    const generation = opening.generation;
    let info: OpenedShardFile;
    try {
      info = await this.#openFile(shardId, file);
    } finally {
      if (--opening.count === 0) this.#opening.delete(shardId);
    }
    this.#openDescriptors++;
    const forgotten = opening.generation !== generation; // forget() ran while this open was in flight
    const entry: Entry = { handle: info.handle, dev: info.dev, ino: info.ino, holders: 0, dropped: this.#closed || forgotten };
    if (!entry.dropped) {
      const racing = this.#entries.get(shardId); // another open of this id finished first
      if (racing) this.#drop(shardId, racing);
      this.#entries.set(shardId, entry);
      for (const [oldestId, oldest] of this.#entries) {
        if (this.#entries.size <= this.#maxEntries) break;
        this.#drop(oldestId, oldest);
      }
    }
    return this.#hold(shardId, entry, info.size);
  }

  /**
   * Drops the cached descriptor of `shardId` (the store deleted or replaced the file): closed once
   * its reads are released. An open of the id in flight now is served but not cached.
   */
  forget(shardId: string): void {
    const opening = this.#opening.get(shardId);
    if (opening) opening.generation++;
    const entry = this.#entries.get(shardId);
    if (entry) this.#drop(shardId, entry);
  }

  /** Drops every cached descriptor (each closes once its reads are released); later opens are not cached. */
  close(): void {
    this.#closed = true;
    for (const [shardId, entry] of this.#entries) this.#drop(shardId, entry);
  }

  #hold(shardId: string, entry: Entry, size: number): OpenShard {
    entry.holders++;
    return shardOverHandle(shardId, entry.handle, size, async () => {
      entry.holders--;
      if (entry.dropped && entry.holders === 0) await this.#closeHandle(entry);
    });
  }

  #drop(shardId: string, entry: Entry): void {
    if (this.#entries.get(shardId) === entry) this.#entries.delete(shardId);
    if (entry.dropped) return;
    entry.dropped = true;
    if (entry.holders === 0) void this.#closeHandle(entry).catch(() => {});
  }

  async #closeHandle(entry: Entry): Promise<void> {
    this.#openDescriptors--;
    await entry.handle.close();
  }
}

function statIfExists(file: string): { dev: number; ino: number; size: number } | null {
  return statSync(file, { throwIfNoEntry: false }) ?? null;
}
