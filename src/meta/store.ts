import type { Span } from '../span.ts';
import type {
  CompletedUpload, ListPartsPage, ListPartsQuery, ListUploadsPage, ListUploadsQuery, MultipartUpload, NewUploadedPart,
  ObjectCopy, ObjectPartLookup, UploadedPart,
} from './multipart-types.ts';
import type {
  AccessKey, Account, Bucket, BucketAcl, CorsRule, GarbageShard, ListObjectsPage, ListObjectsQuery, NewBucket,
  NewObjectVersion, NodeRecord, ObjectVersion, PendingShard, SegmentRecord,
} from './types.ts';
import type {
  RequestUsage, RequestUsageTotal, SmallObjectPrefix, SmallObjectQuery, StorageEvent, TimeWindow,
} from './usage-types.ts';

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
 * A conditional commit (`NewObjectVersion.precondition`) found the key's current version not as
 * required: `exists` (an object is there, `absent` was required), `absent` (no object, an ETag was
 * required) or `etag` (another ETag). Nothing is committed; the write's pending shards stay
 * pending for the caller to abandon.
 */
export class CommitPreconditionError extends Error {
  readonly code = 'COMMIT_PRECONDITION_FAILED';
  override name = 'CommitPreconditionError';
  constructor(readonly bucket: string, readonly key: string, readonly reason: 'exists' | 'absent' | 'etag') {
    super(`conditional write of ${bucket}/${key} failed: ${reason}`);
  }
}

/**
 * The metadata database cannot be reached right now (connection refused or lost, server
 * shutting down or refusing connections). Nothing the failed call was doing is committed, unless
 * the connection was lost after the database received its COMMIT; the gateway answers 503
 * ServiceUnavailable, and later calls reconnect.
 */
export class MetaStoreUnavailableError extends Error {
  readonly code = 'META_STORE_UNAVAILABLE';
  override name = 'MetaStoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
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
  createBucket(bucket: NewBucket): Promise<void>;
  getBucket(name: string): Promise<Bucket | null>;
  /** Throws NoSuchBucketError when absent. */
  setBucketAcl(name: string, acl: BucketAcl): Promise<void>;
  /** The bucket's CORS rules, null when it has none; throws NoSuchBucketError when absent. */
  getBucketCors(name: string): Promise<readonly CorsRule[] | null>;
  /** Replaces the CORS rules (null removes them); throws NoSuchBucketError when absent. */
  setBucketCors(name: string, rules: readonly CorsRule[] | null): Promise<void>;
  listBuckets(accountId: string): Promise<Bucket[]>;
  /**
   * Throws BucketNotEmptyError when objects remain, NoSuchBucketError when absent. Multipart
   * uploads in progress are aborted with the bucket (their parts' shards go to the garbage queue).
   */
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
   *
   * With a `precondition` (conditional PUT), the key's current version is checked in the same
   * transaction: CommitPreconditionError and nothing changes when it does not hold.
   */
  commitObject(version: NewObjectVersion): Promise<ObjectVersion | null>;
  getObject(bucket: string, key: string): Promise<ObjectVersion | null>;
  /**
   * Segments of a version in object order; only those that overlap `span` when given (an empty
   * span overlaps nothing). [] for an unknown version, and for one that has been replaced or
   * deleted: its segments left with its shards for the garbage queue.
   */
  getSegments(versionId: string, span?: Span): Promise<SegmentRecord[]>;
  /**
   * Removes the current version; its shards go to the garbage queue unless another object or part
   * shares its segments (a copy). Returns what was removed. Replacing a version (commitObject,
   * copyObject, completeMultipartUpload) releases its segments the same way.
   */
  deleteObject(bucket: string, key: string): Promise<ObjectVersion | null>;
  /**
   * Keys in UTF-8 byte order (S3's), by index seeks. Keys must be well-formed Unicode (no lone
   * surrogates). A page is the sorted run of entries — keys, and common prefixes standing for all
   * keys under them — strictly after `after`; a key under a common prefix that sorts at or before
   * `after` is skipped with its prefix, so `nextAfter` always resumes without repeats.
   * Throws NoSuchBucketError when the bucket is absent.
   */
  listObjects(bucket: string, query: ListObjectsQuery): Promise<ListObjectsPage>;

  /**
   * A copy without moving bytes, in one transaction: the new version names the source version's
   * segments (shared: each gets one more reference) and its part list, and replaces its key's
   * current version. A copy onto the source's own key replaces it with the new version's fields.
   * Throws SourceVersionGoneError when the source is no longer its key's current version,
   * NoSuchBucketError when the destination bucket is gone; nothing changes then.
   */
  copyObject(copy: ObjectCopy): Promise<ObjectVersion | null>;
  /**
   * Part `partNumber` of a completed multipart version, and how many parts it has (0 for an
   * object that was not uploaded in parts, and for an unknown version).
   */
  getObjectPart(versionId: string, partNumber: number): Promise<ObjectPartLookup>;

  /*
   * Multipart uploads (multipart-types.ts). A part is committed like an object: its own write's
   * pending shards become its segments, and they stay until Complete or Abort. No method loads
   * all parts of an upload at once.
   */
  /** Throws NoSuchBucketError when the bucket is absent. */
  createMultipartUpload(upload: MultipartUpload): Promise<void>;
  /** The upload when it is in progress for exactly this bucket and key, else null. */
  getMultipartUpload(bucket: string, key: string, uploadId: string): Promise<MultipartUpload | null>;
  /**
   * One transaction: the part becomes the upload's part with its number, replacing (and
   * releasing the segments of) one uploaded before; returns the replaced part. `written` parts
   * follow commitObject's rules for pending shards (WriteAbandonedError); `shared` parts add a
   * reference to segments the store holds (SegmentGoneError when one is gone). Throws
   * NoSuchUploadError when the upload was completed or aborted; nothing changes then.
   */
  commitPart(part: NewUploadedPart): Promise<UploadedPart | null>;
  /** Parts in number order, a page at a time. Throws NoSuchUploadError. */
  listParts(uploadId: string, query: ListPartsQuery): Promise<ListPartsPage>;
  /** Uploads in progress in key order, with prefix / delimiter as listObjects. Throws NoSuchBucketError. */
  listMultipartUploads(bucket: string, query: ListUploadsQuery): Promise<ListUploadsPage>;
  /**
   * One transaction, metadata only: the chosen parts' segments become the object's (at object
   * offsets, in part order), their spans its part list; the parts not chosen are released, the
   * upload ends, and the object replaces its key's current version (returned). Every chosen part
   * must still have the given ETag (PartMismatchError otherwise); NoSuchUploadError when the
   * upload is gone or not of the object's bucket and key. Nothing changes on error.
   */
  completeMultipartUpload(completion: CompletedUpload): Promise<ObjectVersion | null>;
  /** Ends the upload, releasing its parts' segments; false when there is no such upload. */
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<boolean>;

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

  /*
   * Billing ledger (append-only; see usage-types.ts). Storage events are the store's own job:
   * EVERY method that changes a current object or a multipart part appends one StorageEvent per
   * item it changes, inside the same transaction as the change (old and new actual size, the
   * bucket owner's account, the store's clock), so a bill changes exactly when the data does and
   * a failed change bills nothing. Today: commitObject (put, overwrite), deleteObject; a copy is
   * billed as a full object to its owner (billing is logical, segments shared or not); multipart
   * parts are billed at their actual size from upload to abort or completion, when the completed
   * object takes over. The SQLite backend funnels all of them through one internal function
   * (`SqliteMetaStore#ledger`); a new object-changing method must call it.
   */
  /**
   * Passes the account's storage events strictly before `before` to `visit`, oldest first (ties in
   * append order), one at a time: never collected in memory. `visit` must not call the store.
   */
  scanStorageEvents(accountId: string, before: Date, visit: (event: StorageEvent) => void): Promise<void>;
  /** Appends metered request rows in one transaction. */
  appendRequestUsage(rows: readonly RequestUsage[]): Promise<void>;
  /** Sums of the account's request rows with `from <= at < to`, one per (bucket, class, status). */
  sumRequestUsage(accountId: string, window: TimeWindow): Promise<RequestUsageTotal[]>;
  /** Current objects below a size, counted per (bucket, key prefix), most objects first. */
  smallObjectPrefixes(query: SmallObjectQuery): Promise<SmallObjectPrefix[]>;
}
