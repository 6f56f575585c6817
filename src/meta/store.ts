import type { Span } from '../span.ts';
import type {
  AccessKey, Account, Bucket, GarbageShard, ListObjectsPage, ListObjectsQuery, NewObjectVersion,
  NodeRecord, ObjectVersion, PendingShard, SegmentRecord,
} from './types.ts';

export class BucketAlreadyExistsError extends Error {
  readonly code = 'BUCKET_ALREADY_EXISTS';
  override name = 'BucketAlreadyExistsError';
  constructor(readonly bucket: string, readonly ownerAccountId: string) {
    super(`bucket ${bucket} already exists`);
  }
}

export class BucketNotEmptyError extends Error {
  readonly code = 'BUCKET_NOT_EMPTY';
  override name = 'BucketNotEmptyError';
  constructor(readonly bucket: string) {
    super(`bucket ${bucket} is not empty`);
  }
}

export class NoSuchBucketError extends Error {
  readonly code = 'NO_SUCH_BUCKET';
  override name = 'NoSuchBucketError';
  constructor(readonly bucket: string) {
    super(`bucket ${bucket} does not exist`);
  }
}

export class NoSuchAccountError extends Error {
  readonly code = 'NO_SUCH_ACCOUNT';
  override name = 'NoSuchAccountError';
  constructor(readonly accountId: string) {
    super(`account ${accountId} does not exist`);
  }
}

export class AccountAlreadyExistsError extends Error {
  readonly code = 'ACCOUNT_ALREADY_EXISTS';
  override name = 'AccountAlreadyExistsError';
  constructor(readonly accountName: string) {
    super(`account ${accountName} already exists`);
  }
}

export class AccessKeyAlreadyExistsError extends Error {
  readonly code = 'ACCESS_KEY_ALREADY_EXISTS';
  override name = 'AccessKeyAlreadyExistsError';
  constructor(readonly accessKeyId: string) {
    super(`access key ${accessKeyId} already exists`);
  }
}

/**
 * A commit named shards that are no longer pending under its write: the write was abandoned
 * (`abandonWrite`, or `abandonPendingShardsBefore` judged it crashed) and those shards are in the
 * garbage queue, possibly already deleted. Committing would publish an object whose bytes are
 * going away, so nothing is committed; the caller fails the request (and may retry the upload).
 */
export class WriteAbandonedError extends Error {
  readonly code = 'WRITE_ABANDONED';
  override name = 'WriteAbandonedError';
  constructor(readonly writeId: string, readonly missingShards: number) {
    super(`write ${writeId} was abandoned: ${missingShards} of its shards are no longer pending`);
  }
}

/**
 * Everything the gateway remembers. Every method is async so that the SQLite backend and the
 * PostgreSQL one (several gateways) share callers. Listing is by index seeks only: no method
 * loads a bucket, and `getSegments` loads only the segments a span touches.
 */
export interface MetaStore {
  close(): Promise<void>;

  /** A small persisted key/value for generated credentials and cluster settings. */
  getSetting(name: string): Promise<string | null>;
  setSetting(name: string, value: string): Promise<void>;

  /** Names are unique: throws AccountAlreadyExistsError when taken. */
  createAccount(name: string): Promise<Account>;
  getAccount(id: string): Promise<Account | null>;
  getAccountByName(name: string): Promise<Account | null>;
  /** Throws NoSuchAccountError for an unknown account, AccessKeyAlreadyExistsError for a taken id. */
  createAccessKey(accountId: string, accessKeyId: string, secretKey: string): Promise<AccessKey>;
  /** Returns revoked keys too: the caller decides (a revoked key must fail auth). */
  getAccessKey(accessKeyId: string): Promise<AccessKey | null>;
  listAccessKeys(accountId?: string): Promise<AccessKey[]>;
  /** True when the key existed and was not revoked yet; a second revocation keeps the first date. */
  revokeAccessKey(accessKeyId: string, at: Date): Promise<boolean>;

  /**
   * Throws BucketAlreadyExistsError when the name is taken (by anyone; the error carries the
   * owner so the caller can answer BucketAlreadyOwnedByYou), NoSuchAccountError for an unknown owner.
   */
  createBucket(bucket: Bucket): Promise<void>;
  getBucket(name: string): Promise<Bucket | null>;
  listBuckets(accountId: string): Promise<Bucket[]>;
  /** Throws BucketNotEmptyError when objects remain, NoSuchBucketError when absent. */
  deleteBucket(name: string): Promise<void>;

  /**
   * One transaction: the new version becomes the bucket's current object for its key, its
   * write's pending shards are cleared, and the shards of the version it replaces (if any) go to
   * the garbage queue. Returns the replaced version. Throws NoSuchBucketError when the bucket is gone.
   *
   * Every shard the version names must be pending under `writeId` (see `addPendingShards`), else
   * WriteAbandonedError and nothing changes: those shards were handed to the garbage collector.
   * Pending shards of the write that the version does not name (a node that failed mid-write, a
   * retried segment) go to the garbage queue rather than being forgotten on their nodes.
   */
  commitObject(version: NewObjectVersion): Promise<ObjectVersion | null>;
  getObject(bucket: string, key: string): Promise<ObjectVersion | null>;
  /**
   * Segments of a version in object order; only those that overlap `span` when given (an empty
   * span overlaps nothing). [] for an unknown version, and for one that has been replaced or
   * deleted: its segments left with its shards for the garbage queue.
   */
  getSegments(versionId: string, span?: Span): Promise<SegmentRecord[]>;
  /** Removes the current version; its shards go to the garbage queue. Returns what was removed. */
  deleteObject(bucket: string, key: string): Promise<ObjectVersion | null>;
  /**
   * Keys in UTF-8 byte order (S3's), by index seeks. Keys must be well-formed Unicode (no lone
   * surrogates). A page is the sorted run of entries — keys, and common prefixes standing for all
   * keys under them — strictly after `after`; a key under a common prefix that sorts at or before
   * `after` is skipped with its prefix, so `nextAfter` always resumes without repeats.
   * Throws NoSuchBucketError when the bucket is absent.
   */
  listObjects(bucket: string, query: ListObjectsQuery): Promise<ListObjectsPage>;

  /** Replaces every field of the node (a re-registration). */
  upsertNode(node: NodeRecord): Promise<void>;
  /** False when the node is unknown (it must register again); nothing is recorded then. */
  recordHeartbeat(nodeId: string, freeBytes: number, capacityBytes: number, at: Date): Promise<boolean>;
  getNode(id: string): Promise<NodeRecord | null>;
  listNodes(): Promise<NodeRecord[]>;

  /**
   * Before a write sends shards to nodes: remember them, so a crash leaves collectable records.
   * Each call also marks the write as alive at `at` (adding the same shard twice is harmless).
   */
  addPendingShards(writeId: string, shards: readonly PendingShard[], at: Date): Promise<void>;
  /** A failed write: its pending shards go to the garbage queue at once. */
  abandonWrite(writeId: string): Promise<void>;
  /**
   * Writes idle since before `before` — no `addPendingShards` at or after it, i.e. crashed
   * gateways — are abandoned: their pending shards go to the garbage queue. Judged per write by its
   * latest activity, not per shard by age, so a long upload that keeps registering segments is
   * never collected under its own feet. Returns the number of shards queued.
   */
  abandonPendingShardsBefore(before: Date): Promise<number>;
  /** Oldest garbage first; only garbage enqueued strictly before `enqueuedBefore` when given. */
  listGarbage(limit: number, enqueuedBefore?: Date): Promise<GarbageShard[]>;
  removeGarbage(ids: readonly number[]): Promise<void>;
}
