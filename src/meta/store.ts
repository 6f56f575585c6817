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

  createAccount(name: string): Promise<Account>;
  getAccount(id: string): Promise<Account | null>;
  getAccountByName(name: string): Promise<Account | null>;
  createAccessKey(accountId: string, accessKeyId: string, secretKey: string): Promise<AccessKey>;
  /** Returns revoked keys too: the caller decides (a revoked key must fail auth). */
  getAccessKey(accessKeyId: string): Promise<AccessKey | null>;
  listAccessKeys(accountId?: string): Promise<AccessKey[]>;
  revokeAccessKey(accessKeyId: string, at: Date): Promise<boolean>;

  /** Throws BucketAlreadyExistsError when the name is taken (by anyone). */
  createBucket(bucket: Bucket): Promise<void>;
  getBucket(name: string): Promise<Bucket | null>;
  listBuckets(accountId: string): Promise<Bucket[]>;
  /** Throws BucketNotEmptyError when objects remain, NoSuchBucketError when absent. */
  deleteBucket(name: string): Promise<void>;

  /**
   * One transaction: the new version becomes the bucket's current object for its key, its
   * write's pending shards are cleared, and the shards of the version it replaces (if any) go to
   * the garbage queue. Returns the replaced version. Throws NoSuchBucketError when the bucket is gone.
   */
  commitObject(version: NewObjectVersion): Promise<ObjectVersion | null>;
  getObject(bucket: string, key: string): Promise<ObjectVersion | null>;
  /** Segments of a version in object order; only those that overlap `span` when given. */
  getSegments(versionId: string, span?: Span): Promise<SegmentRecord[]>;
  /** Removes the current version; its shards go to the garbage queue. Returns what was removed. */
  deleteObject(bucket: string, key: string): Promise<ObjectVersion | null>;
  /** Keys in UTF-8 byte order (S3's), by index seeks. */
  listObjects(bucket: string, query: ListObjectsQuery): Promise<ListObjectsPage>;

  upsertNode(node: NodeRecord): Promise<void>;
  recordHeartbeat(nodeId: string, freeBytes: number, capacityBytes: number, at: Date): Promise<void>;
  getNode(id: string): Promise<NodeRecord | null>;
  listNodes(): Promise<NodeRecord[]>;

  /** Before a write sends shards to nodes: remember them, so a crash leaves collectable records. */
  addPendingShards(writeId: string, shards: readonly PendingShard[], at: Date): Promise<void>;
  /** A failed write: its pending shards go to the garbage queue at once. */
  abandonWrite(writeId: string): Promise<void>;
  /** Pending shards of writes started before `before` (crashed gateways) go to the garbage queue. */
  abandonPendingShardsBefore(before: Date): Promise<number>;
  /** Oldest garbage first. */
  listGarbage(limit: number): Promise<GarbageShard[]>;
  removeGarbage(ids: readonly number[]): Promise<void>;
}
