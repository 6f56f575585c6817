/**
 * The on-disk shard store of one node. Uploads stream into `tmp/` while every chunk is hashed;
 * a commit compares the gateway's hash list with the node's own, fsyncs both files, renames them
 * into `shards/<xx>/` and fsyncs that directory. Reads open the file once and stream a range from
 * that descriptor, so a concurrent delete or replace never mixes two versions in one response.
 *
 * Renames of one shard id (finishing an upload, commit, delete) run under a per-id lock.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Span } from '../src/span.ts';
import { HashListBuilder } from '../src/integrity/hash-list.ts';
import { isValidShardId, type ShardListResponse } from '../src/node-protocol/routes.ts';
import {
  HashListMismatchError, IncompleteBodyError, InsufficientStorageError, PartialChunkUploadError,
  ShardNotFoundError, UploadNotFoundError,
} from './errors.ts';
import { KeyedLock } from './keyed-lock.ts';
import { OpenShardCache } from './open-shard-cache.ts';
import { shardOverHandle, type OpenShard } from './open-shard.ts';

export type { OpenShard } from './open-shard.ts';
import { ShardPaths } from './shard-paths.ts';

export interface ShardUsage {
  /** Bytes of committed shard files and their hash lists. */
  readonly usedBytes: number;
  readonly shardCount: number;
}


function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

async function readIfExists(file: string): Promise<Buffer | null> {
  try {
    return await readFile(file);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

async function sizeIfExists(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return null;
    throw error;
  }
}

async function fsyncPath(file: string): Promise<void> {
  const handle = await open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Errors of a streamed upload, as the protocol names them. */
function uploadFailure(error: unknown): unknown {
  const code = errorCode(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') return new InsufficientStorageError();
  if (code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ABORT_ERR') {
    return new IncompleteBodyError('the upload ended before its body was complete', { cause: error });
  }
  return error;
}

export class ShardFileStore {
  readonly paths: ShardPaths;
  readonly #locks = new KeyedLock();
  /** Upload files being written right now: stale-temp cleanup leaves them alone. */
  readonly #activeUploads = new Set<string>();
  #usedBytes = 0;
  #shardCount = 0;
  /** Kept-open descriptors of the hot read path (`openCachedShard`). */
  readonly #openFiles: OpenShardCache;

  private constructor(paths: ShardPaths) {
    this.paths = paths;
    this.#openFiles = new OpenShardCache((shardId) => paths.shardFile(shardId));
  }

  /** Creates the directories if needed and counts what is already committed. */
  static async open(dataDir: string): Promise<ShardFileStore> {
    const store = new ShardFileStore(new ShardPaths(dataDir));
    await mkdir(store.paths.shardsDir, { recursive: true });
    await mkdir(store.paths.tmpDir, { recursive: true });
    await store.#countUsage();
    return store;
  }

  get usage(): ShardUsage {
    return { usedBytes: this.#usedBytes, shardCount: this.#shardCount };
  }

  /**
   * Streams `body` into a temp file, hashing each `chunkSize` chunk on the way, with back-pressure
   * from the disk. The body must be a whole number of chunks (`PartialChunkUploadError`).
   * `expectedLength` (the Content-Length, when known) lets a partial upload fail before any byte
   * is read. The finished upload replaces any earlier uncommitted upload of the same id.
   */
  async receiveUpload(shardId: string, chunkSize: number, body: Readable, expectedLength?: number): Promise<{ length: number }> {
    if (expectedLength !== undefined && expectedLength % chunkSize !== 0) {
      throw new PartialChunkUploadError(`a body of ${expectedLength} bytes is not a whole number of ${chunkSize}-byte chunks`);
    }
    const token = randomBytes(6).toString('hex');
    const uploadFile = this.paths.uploadFile(shardId, token);
    const uploadHashListFile = `${uploadFile}.hashes`;
    const builder = new HashListBuilder(chunkSize);
    const hasher = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        builder.push(chunk);
        callback(null, chunk);
      },
    });
    this.#activeUploads.add(uploadFile);
    try {
      try {
        await pipeline(body, hasher, createWriteStream(uploadFile, { flags: 'wx' }));
        if (builder.byteLength % chunkSize !== 0) {
          throw new PartialChunkUploadError(`upload ends ${builder.byteLength % chunkSize} bytes into a ${chunkSize}-byte chunk`);
        }
        await writeFile(uploadHashListFile, builder.finish());
      } catch (error) {
        throw uploadFailure(error);
      }
      await this.#locks.run(shardId, async () => {
        try {
          // The pending list is renamed last: a pending upload is complete exactly when it exists.
          await rm(this.paths.pendingHashListFile(shardId), { force: true });
          await rename(uploadFile, this.paths.pendingFile(shardId));
          await rename(uploadHashListFile, this.paths.pendingHashListFile(shardId));
        } catch (error) {
          // A DELETE of this id while the body was streaming removed our files: the upload is gone.
          if (errorCode(error) === 'ENOENT') throw new UploadNotFoundError(shardId);
          throw error;
        }
      });
      return { length: builder.byteLength };
    } catch (error) {
      await rm(uploadFile, { force: true });
      await rm(uploadHashListFile, { force: true });
      throw error;
    } finally {
      this.#activeUploads.delete(uploadFile);
    }
  }

  /**
   * Makes the pending upload of `shardId` durable and visible if `hashList` equals the node's own
   * list of the bytes it received; otherwise removes the upload and throws HashListMismatchError.
   * Committing again with the same list after success is a no-op.
   */
  async commit(shardId: string, hashList: Uint8Array): Promise<void> {
    await this.#locks.run(shardId, async () => {
      const pendingFile = this.paths.pendingFile(shardId);
      const pendingHashListFile = this.paths.pendingHashListFile(shardId);
      const ownList = await readIfExists(pendingHashListFile);
      if (ownList === null) return this.#recommit(shardId, hashList);
      if (!ownList.equals(hashList)) {
        await rm(pendingFile, { force: true });
        await rm(pendingHashListFile, { force: true });
        throw new HashListMismatchError(shardId);
      }
      await fsyncPath(pendingFile);
      await fsyncPath(pendingHashListFile);
      const shardDir = this.paths.shardDir(shardId);
      const createdDir = await mkdir(shardDir, { recursive: true });
      if (createdDir !== undefined) await fsyncPath(this.paths.shardsDir);
      const shardFile = this.paths.shardFile(shardId);
      const hashListFile = this.paths.hashListFile(shardId);
      const previousShardBytes = await sizeIfExists(shardFile);
      const previousListBytes = (await sizeIfExists(hashListFile)) ?? 0;
      const pendingBytes = (await stat(pendingFile)).size + ownList.length;
      await rename(pendingHashListFile, hashListFile);
      await rename(pendingFile, shardFile);
      this.#openFiles.forget(shardId);
      await fsyncPath(shardDir);
      this.#usedBytes += pendingBytes - (previousShardBytes ?? 0) - previousListBytes;
      if (previousShardBytes === null) this.#shardCount += 1;
    });
  }

  /**
   * Opens a committed shard through the descriptor cache (see open-shard-cache.ts): for the hot
   * read path. Scans (the scrubber) use `openShard`, which does not push hot descriptors out.
   */
  openCachedShard(shardId: string): Promise<OpenShard> {
    return this.#openFiles.openShard(shardId);
  }

  /** Closes the cached descriptors (each once its reads are released); later opens are not cached. */
  close(): void {
    this.#openFiles.close();
  }

  /** Opens a committed shard; ShardNotFoundError when there is none. */
  async openShard(shardId: string): Promise<OpenShard> {
    let handle: FileHandle;
    try {
      handle = await open(this.paths.shardFile(shardId), 'r');
    } catch (error) {
      if (errorCode(error) === 'ENOENT') throw new ShardNotFoundError(shardId);
      throw error;
    }
    let size: number;
    try {
      size = (await handle.stat()).size;
    } catch (error) {
      await handle.close();
      throw error;
    }
    return shardOverHandle(shardId, handle, size, () => handle.close());
  }

  async readHashList(shardId: string): Promise<Uint8Array> {
    const list = await readIfExists(this.paths.hashListFile(shardId));
    if (list === null || (await sizeIfExists(this.paths.shardFile(shardId))) === null) {
      throw new ShardNotFoundError(shardId);
    }
    return list;
  }

  /** Removes the committed shard and every temp file of the id (in-progress uploads then fail). */
  async delete(shardId: string): Promise<void> {
    await this.#locks.run(shardId, async () => {
      const shardFile = this.paths.shardFile(shardId);
      const hashListFile = this.paths.hashListFile(shardId);
      const shardBytes = await sizeIfExists(shardFile);
      const listBytes = (await sizeIfExists(hashListFile)) ?? 0;
      await rm(shardFile, { force: true });
      this.#openFiles.forget(shardId);
      await rm(hashListFile, { force: true });
      this.#usedBytes -= (shardBytes ?? 0) + listBytes;
      if (shardBytes !== null) this.#shardCount -= 1;
      const prefix = this.paths.tempPrefix(shardId);
      for (const name of await readdir(this.paths.tmpDir)) {
        if (name.startsWith(prefix)) await rm(path.join(this.paths.tmpDir, name), { force: true });
      }
    });
  }

  /** Committed shard ids in ascending order, strictly after `after`, at most `limit` of them. */
  async list(after: string | null, limit: number): Promise<ShardListResponse> {
    const firstDir = after === null ? '' : after.slice(0, 2);
    const dirs = (await readdir(this.paths.shardsDir)).filter((name) => /^[0-9a-f]{2}$/.test(name) && name >= firstDir).sort();
    const shards: string[] = [];
    for (const dir of dirs) {
      const names = await readdir(path.join(this.paths.shardsDir, dir)).catch((error: unknown) => {
        if (errorCode(error) === 'ENOENT') return [] as string[];
        throw error;
      });
      const ids = names.filter((name) => isValidShardId(name) && (after === null || name > after)).sort();
      for (const id of ids) {
        if (shards.length === limit) return { shards, next: shards[shards.length - 1] ?? null };
        shards.push(id);
      }
    }
    return { shards, next: null };
  }

  /** Removes temp files not written for `maxAgeMs` (abandoned uploads). Returns how many. */
  async removeStaleTemp(maxAgeMs: number, nowMs: number): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.paths.tmpDir)) {
      const file = path.join(this.paths.tmpDir, name);
      if (this.#activeUploads.has(file) || this.#activeUploads.has(file.replace(/\.hashes$/, ''))) continue;
      const info = await stat(file).catch(() => null);
      if (info === null || nowMs - info.mtimeMs < maxAgeMs) continue;
      await rm(file, { force: true, recursive: true });
      removed += 1;
    }
    return removed;
  }

  /** No pending upload: succeed if the same list is already committed, else say why not. */
  async #recommit(shardId: string, hashList: Uint8Array): Promise<void> {
    const committedList = await readIfExists(this.paths.hashListFile(shardId));
    const committed = committedList !== null && (await sizeIfExists(this.paths.shardFile(shardId))) !== null;
    if (!committed) throw new UploadNotFoundError(shardId);
    if (!committedList.equals(hashList)) throw new HashListMismatchError(shardId);
  }

  async #countUsage(): Promise<void> {
    for (const dir of await readdir(this.paths.shardsDir)) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      for (const name of await readdir(path.join(this.paths.shardsDir, dir))) {
        const id = name.endsWith('.hashes') ? name.slice(0, -'.hashes'.length) : name;
        if (!isValidShardId(id)) continue;
        const size = await sizeIfExists(path.join(this.paths.shardsDir, dir, name));
        if (size === null) continue;
        this.#usedBytes += size;
        if (id === name) this.#shardCount += 1;
      }
    }
  }
}

