import type { Span } from '../span.ts';
import type { AccountListPage, AdminAuditEntry, AdminAuditPage, NewAdminAuditEntry } from './admin-audit-types.ts';
import type {
  CompletedUpload, ListPartsPage, ListPartsQuery, ListUploadsPage, ListUploadsQuery, MultipartUpload, NewUploadedPart,
  ObjectCopy, ObjectPartLookup, ObjectPartsPage, UploadedPart,
} from './multipart-types.ts';
import type {
  AccessKey, Account, Bucket, BucketAcl, BucketSummary, ObjectAcl, BucketListPage, CorsRule, GarbageShard, ListObjectsPage, ListObjectsQuery, NewBucket,
  NewObjectVersion, NodeRecord, ObjectVersion, PendingShard, SegmentEncryption, SegmentRecord, Tag,
} from './types.ts';
import type { JoinToken, NewJoinToken, NodeTombstone, Operator } from './types.ts';
import type {
  PlacedShard,
  NodeAdminRecord, NodeAdminState, PlacementSwap, PlacementSwapResult, RepairJob, RepairQueueStats, RepairRequest,
  SegmentPlacement, SegmentScanEntry, ShardInFlight,
} from './repair-types.ts';
import type { SegmentReplacement, SegmentReplacementResult, UnencryptedSegmentTotals } from './segment-replacement-types.ts';
import type { LifecycleRule } from '../lifecycle/lifecycle-types.ts';
import type { LifecycleJob } from './lifecycle-store-types.ts';
import type { HoldingLoss, NodeServiceCounts, NodeServiceTotal, ShardHolding } from './rewards-types.ts';
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

export class OperatorAlreadyExistsError extends Error {
  readonly code = 'OPERATOR_ALREADY_EXISTS';
  override name = 'OperatorAlreadyExistsError';
  constructor(readonly operatorName: string) {
    super(`operator ${operatorName} already exists`);
  }
}

export class NoSuchOperatorError extends Error {
  readonly code = 'NO_SUCH_OPERATOR';
  override name = 'NoSuchOperatorError';
  constructor(readonly operatorId: string) {
    super(`no operator ${operatorId}`);
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
  constructor(readonly bucket: string, readonly key: string, readonly reason: 'exists' | 'absent' | 'etag' | 'version') {
    super(`conditional write of ${bucket}/${key} failed: ${reason}`);
  }
}

/** The only bucket default encryption shardgate has: SSE-S3 (`aws:kms` is NotImplemented). */
export type BucketEncryptionAlgorithm = 'AES256';

/** A segment's wrapped data key, for master-key rotation. */
export interface SegmentKeyRecord {
  readonly segmentId: string;
  readonly encryption: SegmentEncryption;
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
  /**
   * Stores `value` under `name` unless a value is already stored, and returns the stored one:
   * gateways starting at once on one database agree on a generated secret (the first writer wins).
   */
  claimSetting(name: string, value: string): Promise<string>;

  /** Names are unique: throws AccountAlreadyExistsError when taken. */
  createAccount(name: string): Promise<Account>;
  getAccount(id: string): Promise<Account | null>;
  getAccountByName(name: string): Promise<Account | null>;
  /** A page of accounts in name order (UTF-8 byte order on both backends), by index seek. */
  listAccounts(page: AccountListPage): Promise<Account[]>;
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
  /**
   * Stores the bucket policy's JSON text as given (null removes it; the gateway validated it);
   * getBucket returns it. Throws NoSuchBucketError when absent.
   */
  setBucketPolicy(name: string, policy: string | null): Promise<void>;
  /** The bucket's CORS rules, null when it has none; throws NoSuchBucketError when absent. */
  getBucketCors(name: string): Promise<readonly CorsRule[] | null>;
  /** Replaces the CORS rules (null removes them); throws NoSuchBucketError when absent. */
  setBucketCors(name: string, rules: readonly CorsRule[] | null): Promise<void>;
  /**
   * The bucket's default encryption algorithm (PutBucketEncryption; only `AES256` exists), null
   * when none is configured; throws NoSuchBucketError when absent.
   */
  getBucketEncryption(name: string): Promise<BucketEncryptionAlgorithm | null>;
  /** Sets (null removes) the default encryption; throws NoSuchBucketError when absent. */
  setBucketEncryption(name: string, algorithm: BucketEncryptionAlgorithm | null): Promise<void>;
  /** The bucket's tag set (PutBucketTagging), null when it has none; throws NoSuchBucketError when absent. */
  getBucketTags(name: string): Promise<readonly Tag[] | null>;
  /** Replaces the bucket's tag set (null removes it); throws NoSuchBucketError when absent. */
  setBucketTags(name: string, tags: readonly Tag[] | null): Promise<void>;
  /**
   * The account's buckets in name order, by index seek: only names starting with `prefix`,
   * strictly after `after`, at most `limit` (all when absent).
   */
  listBuckets(accountId: string, page?: BucketListPage): Promise<BucketSummary[]>;
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
   *
   * A segment with `inlineCiphertext` (a tiny object kept in the metadata) names no shards: its
   * ciphertext is stored in its row, read back by `getSegments`, and leaves with the row when the
   * last reference goes (no garbage, no holdings). Repair scans never return it.
   */
  commitObject(version: NewObjectVersion): Promise<ObjectVersion | null>;
  getObject(bucket: string, key: string): Promise<ObjectVersion | null>;
  /**
   * Replaces the tag set of the key's current version (PutObjectTagging; [] for
   * DeleteObjectTagging), in one statement; nothing else about the version changes (ETag,
   * last-modified, segments). False when the bucket or key has no object.
   */
  setObjectTags(bucket: string, key: string, tags: readonly Tag[]): Promise<boolean>;
  /**
   * Sets the canned ACL of the key's current version (PutObjectAcl). False when the key has no
   * object, and nothing changes; throws NoSuchBucketError when the bucket is absent.
   */
  setObjectAcl(bucket: string, key: string, acl: ObjectAcl): Promise<boolean>;
  /**
   * Segments of a version in object order; only those that overlap `span` when given (an empty
   * span overlaps nothing). [] for an unknown version, and for one that has been replaced or
   * deleted: its segments left with its shards for the garbage queue. An inline segment comes
   * with its `inlineCiphertext` (absent for segments on nodes).
   */
  getSegments(versionId: string, span?: Span): Promise<SegmentRecord[]>;

  /** Segments per wrapping key id (encrypted segments only): what a master-key rewrap has left. */
  countSegmentKeys(): Promise<Record<string, number>>;
  /** Up to `limit` segments whose data key is wrapped by `keyId`, oldest first. */
  listSegmentKeys(keyId: string, limit: number): Promise<SegmentKeyRecord[]>;
  /**
   * Replaces a segment's wrapped data key (same data key and IV, another wrapping key) if it is
   * still exactly `current`; false when the segment is gone or its key changed meanwhile.
   */
  replaceSegmentKey(segmentId: string, current: SegmentEncryption, next: SegmentEncryption): Promise<boolean>;
  /**
   * Removes the current version; its shards go to the garbage queue unless another object or part
   * shares its segments (a copy). Returns what was removed. Replacing a version (commitObject,
   * copyObject, completeMultipartUpload) releases its segments the same way.
   */
  /**
   * With `ifMatch` (a conditional delete: an ETag, or `*` for any), the key's current version is
   * checked in the same transaction: CommitPreconditionError (`absent` or `etag`) and nothing
   * changes when it does not hold. With `ifVersionId` (the lifecycle worker's delete of the version
   * it judged expired), the current version must be that one: CommitPreconditionError (`absent` or
   * `version`) otherwise, so an object replaced since it was judged is never deleted.
   */
  deleteObject(bucket: string, key: string, ifMatch?: string, ifVersionId?: string): Promise<ObjectVersion | null>;
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
  /**
   * A page of a completed multipart version's parts in number order (numbers after `query.after`,
   * at most `query.maxParts`), by index seek; no parts and a count of 0 for an object that was not
   * uploaded in parts, and for an unknown version.
   */
  listObjectParts(versionId: string, query: ListPartsQuery): Promise<ObjectPartsPage>;

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

  /** Names are unique: throws OperatorAlreadyExistsError when taken. */
  createOperator(name: string): Promise<Operator>;
  getOperator(id: string): Promise<Operator | null>;
  getOperatorByName(name: string): Promise<Operator | null>;
  /**
   * Stores a join token (only its hash). A token with the same id is replaced: new hash and
   * operator, revocation cleared (how a configured token is rotated). Throws NoSuchOperatorError.
   */
  putJoinToken(token: NewJoinToken): Promise<JoinToken>;
  getJoinToken(id: string): Promise<JoinToken | null>;
  /** The token with this SHA-256, revoked or not (the caller refuses revoked ones). */
  findJoinTokenByHash(tokenHash: Uint8Array): Promise<JoinToken | null>;
  /** Every token, revoked ones too, oldest first; only one operator's when given. */
  listJoinTokens(operatorId?: string): Promise<JoinToken[]>;
  /** True when the token existed and was not revoked yet; a second revocation keeps the first date. */
  revokeJoinToken(id: string, at: Date): Promise<boolean>;
  /**
   * Marks a node id dead for good (forgotten by an operator, disqualified): its registrations are
   * refused from then on. Idempotent: a second call keeps the first reason and time. The node row,
   * if any, is left to the caller.
   */
  tombstoneNode(nodeId: string, reason: string, at: Date): Promise<void>;
  /** The tombstone of a node id, or null while it may register. */
  getNodeTombstone(nodeId: string): Promise<NodeTombstone | null>;

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
   * The writer's lease renewal: every write this store instance (one gateway process) added
   * pending shards for, and has not committed or abandoned, is marked alive at `at` — one
   * statement however many writes are in flight. A gateway renews well within the lease that
   * `abandonPendingShardsBefore` judges by, so no other gateway takes its live writes for
   * crashed ones; a gateway that stops renewing (killed, or cut from the database) has its writes
   * abandoned, and its late commits fail (WriteAbandonedError). Returns the number of writes.
   */
  renewPendingWrites(at: Date): Promise<number>;
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
   * Repair (repair-types.ts). Node admin states survive restarts; the repair queue is shared by
   * every gateway: a claim is a lease with a fencing token (`leaseToken`) that renew, complete and
   * release must present, so a job taken over after its lease expired cannot be finished twice.
   * PostgreSQL claims with `SELECT … ORDER BY healthy_shards, enqueued_at FOR UPDATE SKIP LOCKED`.
   */
  /** Sets (or, with null, clears) an operator's decision about a node. Unknown node ids are the caller's to refuse. */
  setNodeAdminState(nodeId: string, state: NodeAdminState | null, at: Date): Promise<void>;
  listNodeAdminStates(): Promise<NodeAdminRecord[]>;
  /**
   * Queues a segment for repair, or merges into its entry: the lower healthy count, the union of
   * corrupt and suspect shards, the oldest enqueue time. A merge that brings news (fewer healthy,
   * a new bad shard) makes the entry claimable at once and, when it is leased, keeps it queued
   * after the current holder completes (the holder may have read before the news).
   */
  enqueueRepair(request: RepairRequest, at: Date): Promise<void>;
  /**
   * Leases up to `limit` entries claimable at `at` (not leased, or lease expired; `notBefore`
   * passed), fewest healthy shards first then oldest; each claim increments its fencing token.
   */
  claimRepairs(owner: string, limit: number, leaseMs: number, at: Date): Promise<RepairJob[]>;
  /** Extends the lease; false when the token is stale (another claim took the job) or the job is gone. */
  renewRepair(segmentId: string, leaseToken: number, leaseMs: number, at: Date): Promise<boolean>;
  /**
   * The job is done: the entry leaves the queue (or, when news arrived meanwhile, stays for another
   * round, unleased). False, and nothing changes, for a stale token: a second completion is a no-op.
   */
  completeRepair(segmentId: string, leaseToken: number): Promise<boolean>;
  /** The job failed: lease released, claimable again from `retryAt`; false for a stale token. */
  releaseRepair(segmentId: string, leaseToken: number, retryAt: Date, error: string): Promise<boolean>;
  repairQueueStats(at: Date): Promise<RepairQueueStats>;
  /**
   * Referenced segments with their placements in a stable order, `limit` at a time after
   * `afterCursor` (0 to start): index seeks, so a checker can walk millions in bounded memory and
   * resume. With `nodeId`, only segments with a shard on that node. Inline segments (no shards:
   * nothing to check, audit or repair) are never returned, nor by `getSegmentPlacement`.
   */
  scanSegments(afterCursor: number, limit: number, nodeId?: string): Promise<SegmentScanEntry[]>;
  /** A referenced segment's placements and version; null when it is gone (or was never committed). */
  getSegmentPlacement(segmentId: string): Promise<SegmentPlacement | null>;
  /** Shards the store places on the node (all segments). */
  countShardsOnNode(nodeId: string): Promise<number>;
  /** Current objects in every bucket and the sum of their sizes (the bytes users stored). */
  countObjects(): Promise<{ readonly objects: number; readonly bytes: number }>;
  /** Files of the segment's shards waiting for deletion (garbage) or commit (pending), with their nodes. */
  listShardsInFlight(segmentId: string): Promise<ShardInFlight[]>;
  /**
   * Reconciliation: the ids among `shardIds` (files a node lists) that metadata does not expect on
   * that node — not placed there, not pending there, not queued there as garbage.
   */
  listUnknownShards(nodeId: string, shardIds: readonly string[]): Promise<string[]>;
  /**
   * Reconciliation, the other way: the shards of referenced segments whose ids lie in
   * [`fromSegmentId`, `throughSegmentId`] (inclusive) that metadata places on the node, ordered by
   * segment id then shard index, at most `limit` (page by calling again from the last segment id).
   */
  listShardsPlacedOnNode(nodeId: string, fromSegmentId: string, throughSegmentId: string, limit: number): Promise<PlacedShard[]>;
  /**
   * The one placement primitive (repair, drain, re-encryption): in one transaction, if the segment
   * is still referenced and still at `expectedVersion`, each replacement becomes the placement of
   * its shard index, the shard it replaces goes to the garbage queue, the new shards stop being
   * pending under `writeId` (its other pending shards go to garbage) and the version is bumped.
   * Otherwise `{ replaced: false }` and nothing changes: the caller abandons its write, so its new
   * shards go to garbage. WriteAbandonedError (nothing changes) when a new shard is no longer pending.
   */
  replaceShardPlacements(swap: PlacementSwap): Promise<PlacementSwapResult>;
  /**
   * The whole-segment primitive (re-encryption; see segment-replacement-types.ts): in one
   * transaction, if the segment is still referenced and still at `expectedVersion`, the
   * replacement is inserted as a new segment with the old one's length, every object and part row
   * naming the old segment names the new one instead (so its reference count is the old one's),
   * the old segment's shards go to the garbage queue and its row is deleted, each object left with
   * no segment in the clear and no encryption recorded gets `objectEncryption`, and the new
   * shards stop being pending under `writeId` (its other pending shards go to garbage).
   * Otherwise `{ replaced: false }` and nothing changes: the caller abandons its write, so the new
   * shards go to garbage. WriteAbandonedError (nothing changes) when a new shard is no longer
   * pending. Billing is logical: no storage event (the objects' sizes do not change).
   */
  replaceSegment(request: SegmentReplacement): Promise<SegmentReplacementResult>;
  /**
   * Referenced segments stored in the clear (no data key) in a stable order, `limit` at a time
   * after `afterCursor` (0 to start), by index seeks on a partial index: a re-encryption walks
   * them in bounded memory, resumes, and a rerun finds none once all are encrypted.
   */
  scanUnencryptedSegments(afterCursor: number, limit: number): Promise<SegmentScanEntry[]>;
  /** How many referenced segments, and data bytes, are stored in the clear. */
  countUnencryptedSegments(): Promise<UnencryptedSegmentTotals>;

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

  /** Appends one entry to the admin audit log (the web console's actions); returns it with its id. */
  appendAdminAudit(entry: NewAdminAuditEntry): Promise<AdminAuditEntry>;
  /** Admin audit entries newest first, `limit` at most, only ids below `before` when given. */
  listAdminAudit(page: AdminAuditPage): Promise<AdminAuditEntry[]>;
  /*
   * Rewards ledger (rewards-types.ts). Holdings are the store's own job, like storage events:
   * every method that places a shard opens one (commitObject, commitPart: their new segments'
   * shards; replaceShardPlacements: each replacement) and every method that removes one closes it,
   * in the same transaction and at the store's clock (a sweep of unreferenced segments: `gc`; a
   * swap: `replaced`). Both backends funnel this through one module (sqlite-rewards.ts,
   * postgres-rewards.ts).
   */
  /**
   * A read or audit found these shards missing or corrupt on their node: each one's open holding
   * ends at `at` (it earns nothing from then until a repair places a good copy, which opens a new
   * one). A loss naming a node that no longer holds the shard changes nothing. Returns how many
   * holdings ended.
   */
  endShardHoldings(losses: readonly HoldingLoss[], at: Date): Promise<number>;
  /**
   * The node's stored byte-time over the window: Σ bytes × (min(to, window.to) − max(from,
   * window.from)) over its holdings, in byte-milliseconds, exact (never rounded, never summed in
   * floating point). Rows are streamed or summed by the database, never loaded at once.
   */
  storedByteMs(nodeId: string, window: TimeWindow): Promise<bigint>;
  /** Every holding of the node, oldest first (tests and diagnostics; a node's full history). */
  listShardHoldings(nodeId: string): Promise<ShardHolding[]>;
  /** Adds the counters to the stored rows of the same (node, slot, kind), in one transaction. */
  addNodeService(rows: readonly NodeServiceCounts[]): Promise<void>;
  /** Sums of the node's service rows with `from <= slot < to`, one per kind present, in kind order. */
  sumNodeService(nodeId: string, window: TimeWindow): Promise<NodeServiceTotal[]>;

  /*
   * Lifecycle (lifecycle-store-types.ts): a bucket's rules, and one leased, fenced job per bucket
   * with rules, shared by every gateway like the repair queue (PostgreSQL claims with
   * `FOR UPDATE SKIP LOCKED`). The row leaves with its bucket.
   */
  /** The bucket's lifecycle rules, null when it has none; throws NoSuchBucketError when absent. */
  getBucketLifecycle(name: string): Promise<readonly LifecycleRule[] | null>;
  /**
   * Replaces (null removes) the rules; throws NoSuchBucketError when absent. New rules make the
   * bucket's job due at `at` and cancel a lease held on it (its token is stale from then on: a
   * pass still running with the old rules cannot renew or complete).
   */
  setBucketLifecycle(name: string, rules: readonly LifecycleRule[] | null, at: Date): Promise<void>;
  /**
   * Leases up to `limit` buckets whose job is due at `at` (`nextRunAt` passed) and not leased
   * (or lease expired), longest due first; each claim increments the job's fencing token.
   */
  claimLifecycleJobs(owner: string, limit: number, leaseMs: number, at: Date): Promise<LifecycleJob[]>;
  /** Extends the lease; false when the token is stale (claimed again, rules replaced) or the job is gone. */
  renewLifecycleJob(bucketRef: number, leaseToken: number, leaseMs: number, at: Date): Promise<boolean>;
  /** The pass is done: lease released, due again at `nextRunAt`. False, and nothing changes, for a stale token. */
  completeLifecycleJob(bucketRef: number, leaseToken: number, nextRunAt: Date): Promise<boolean>;
}
