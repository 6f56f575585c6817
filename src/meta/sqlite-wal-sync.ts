import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fsyncPath } from '../fs/fsync-path.ts';

/**
 * How the SQLite store makes a commit durable before the method that made it returns:
 * - `group`: `synchronous = NORMAL` (WAL frames written, not synced) and one shared `fdatasync`
 *   of the `-wal` file that every commit awaits (WalGroupSync). Durable; the default.
 * - `full`: `synchronous = FULL`: SQLite syncs the WAL inside each commit, blocking the event loop.
 * - `normal`: `synchronous = NORMAL` and no wait: the last commits can be lost on power loss.
 */
export type MetaDurability = 'group' | 'full' | 'normal';

export const META_DURABILITIES: readonly MetaDurability[] = ['group', 'full', 'normal'];

/** Syncs a file's data (and the size needed to read it) to stable storage. `fs.promises`-shaped. */
export type FileDataSync = (file: fs.FileHandle) => Promise<void>;

const datasync: FileDataSync = (file) => file.datasync();

/** A sync of the metadata WAL failed: the write it covers is not known to be durable, so it failed. */
export class MetaSyncError extends Error {
  readonly code = 'META_SYNC_FAILED';
  override name = 'MetaSyncError';
}

/**
 * Group commit for a SQLite database in WAL mode with `synchronous = NORMAL`. After a commit,
 * `afterCommit()` resolves once an fdatasync of the WAL file that STARTED after the commit has
 * finished: the first waiter starts one; everyone who commits while it runs waits for the one
 * right after it, so N concurrent commits share one or two syncs.
 *
 * Why syncing the WAL is enough (https://sqlite.org/pragma.html#pragma_synchronous and the WAL
 * notes at https://sqlite.org/wal.html): a commit with NORMAL appends its frames to the WAL and
 * syncs nothing; with NORMAL SQLite itself syncs the WAL before a checkpoint copies frames back,
 * syncs the database file after a completed checkpoint, and syncs the WAL header when it starts
 * reusing the file. So a committed frame is either still in the WAL (our fdatasync covers it) or
 * already in the synced database file. Resetting, reusing or truncating the WAL
 * (`wal_checkpoint(TRUNCATE)`, `journal_size_limit`) keeps the same file (inode), so the handle
 * opened here stays valid; SQLite deletes the WAL only when the last connection closes, and this
 * store's connection is open until `close()` (sqlite-wal-sync.test.ts checks both).
 *
 * The WAL file is opened on the first sync (a commit has happened, so it exists), and its
 * directory is synced once then, so the file's entry survives a power loss too.
 *
 * A failed sync fails every commit waiting on it and every later one (`failure`): after a failed
 * fsync Linux may have dropped the dirty pages and a retry can report success without writing
 * them (PostgreSQL stops for the same reason), so the store refuses writes until it is reopened.
 * `onFailure` is told once, at the first failure: the gateway logs it and exits so that its
 * supervisor restarts it (gateway/meta-store.ts), instead of answering 500 to every write.
 */
export class WalGroupSync {
  readonly #walPath: string;
  readonly #dataSync: FileDataSync;
  #file: fs.FileHandle | null = null;
  /** The sync in flight, if any. */
  #running: Promise<void> | null = null;
  /** The callers waiting for the sync after the one in flight. */
  #queued: { promise: Promise<void>; resolve: (sync: Promise<void>) => void; reject: (error: Error) => void } | null = null;
  #failure: MetaSyncError | null = null;
  #closed = false;

  readonly #onFailure: ((error: MetaSyncError) => void) | undefined;

  /** `databasePath` is the SQLite file; its WAL is `<databasePath>-wal`. `onFailure` is called once, at the first failed sync. */
  constructor(databasePath: string, dataSync: FileDataSync = datasync, onFailure?: (error: MetaSyncError) => void) {
    this.#walPath = `${path.resolve(databasePath)}-wal`;
    this.#dataSync = dataSync;
    this.#onFailure = onFailure;
  }

  /** The error of the sync that failed, once one has: no write may commit after it. */
  get failure(): MetaSyncError | null {
    return this.#failure;
  }

  /** Resolves when every commit completed before this call is on stable storage; rejects with MetaSyncError. */
  afterCommit(): Promise<void> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(new MetaSyncError('the metadata store is closed'));
    if (this.#running === null) return this.#start();
    if (this.#queued === null) {
      let resolve!: (sync: Promise<void>) => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
      this.#queued = { promise, resolve, reject };
    }
    return this.#queued.promise;
  }

  /**
   * Call right after closing the database (which checkpoints the WAL into the synced database
   * file and deletes it): waits for the syncs in flight and queued, then closes the WAL handle.
   */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.#running !== null) await this.#running.catch(() => undefined);
    const file = this.#file;
    this.#file = null;
    await file?.close();
  }

  #start(): Promise<void> {
    const sync = this.#syncOnce();
    this.#running = sync;
    sync.then(() => this.#next(), () => this.#next());
    return sync;
  }

  async #syncOnce(): Promise<void> {
    try {
      if (this.#file === null) {
        const file = await fs.open(this.#walPath, 'r');
        try {
          await fsyncPath(path.dirname(this.#walPath)); // the WAL's directory entry
        } catch (error) {
          await file.close();
          throw error;
        }
        this.#file = file;
      }
      await this.#dataSync(this.#file);
    } catch (error) {
      // Closing the database checkpointed the WAL into the (synced) database file and deleted it.
      if (this.#closed && (error as { code?: string }).code === 'ENOENT') return;
      if (this.#failure === null) {
        this.#failure = new MetaSyncError(
          `could not sync the metadata write-ahead log ${this.#walPath} (${(error as Error).message}): `
          + 'the write is not known to be durable; metadata writes are refused until the gateway restarts', { cause: error },
        );
        this.#onFailure?.(this.#failure);
      }
      throw this.#failure;
    }
  }

  /** The sync in flight has settled: start the one the queued callers wait for. */
  #next(): void {
    this.#running = null;
    const queued = this.#queued;
    this.#queued = null;
    if (queued === null) return;
    if (this.#failure !== null) queued.reject(this.#failure);
    else queued.resolve(this.#start());
  }
}
