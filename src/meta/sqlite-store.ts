import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Span } from '../span.ts';
import type {
  CompletedUpload, ListPartsPage, ListPartsQuery, ListUploadsPage, ListUploadsQuery, MultipartUpload, NewUploadedPart,
  ObjectCopy, ObjectPartLookup, ObjectPartsPage, UploadedPart,
} from './multipart-types.ts';
import type { AccountListPage, AdminAuditEntry, AdminAuditPage, NewAdminAuditEntry } from './admin-audit-types.ts';
import { SqliteAccounts } from './sqlite-accounts.ts';
import { SqliteAdminAudit } from './sqlite-admin-audit.ts';
import { migrate } from './sqlite-migrations.ts';
import { prepareMultipartStatements } from './sqlite-multipart-statements.ts';
import { SqliteMultipart, type LedgerBucket } from './sqlite-multipart.ts';
import { SqliteNodes } from './sqlite-nodes.ts';
import { SqliteOperators } from './sqlite-operators.ts';
import { SqliteRepair } from './sqlite-repair.ts';
import { SqliteSegmentReplacement } from './sqlite-segment-replacement.ts';
import type { SegmentReplacement, SegmentReplacementResult, UnencryptedSegmentTotals } from './segment-replacement-types.ts';
import { SqliteRewards } from './sqlite-rewards.ts';
import { SqliteLifecycle } from './sqlite-lifecycle.ts';
import type { LifecycleRule } from '../lifecycle/lifecycle-types.ts';
import type { LifecycleJob } from './lifecycle-store-types.ts';
import { prepareRepairStatements } from './sqlite-repair-statements.ts';
import { SqliteObjectCopy } from './sqlite-object-copy.ts';
import { SqliteObjects } from './sqlite-objects.ts';
import { SegmentBook } from './sqlite-segments.ts';
import {
  appendStorageEvent, insertRequestUsage, listSmallObjectPrefixes, totalRequestUsage, visitStorageEvents, type LedgerChange,
} from './sqlite-ledger.ts';
import { prepareStatements, type Statements } from './sqlite-statements.ts';
import { SqliteWriteQueue } from './sqlite-write-queue.ts';
import { WalGroupSync, type FileDataSync, type MetaDurability, type MetaSyncError } from './sqlite-wal-sync.ts';
import { toBucket, toBucketSummary, type BucketRecordRow, type BucketRow, type ObjectRow } from './sqlite-rows.ts';
import { SqliteSegmentKeys } from './sqlite-segment-keys.ts';
import {
  BucketAlreadyExistsError, BucketNotEmptyError, NoSuchAccountError, NoSuchBucketError,
  type BucketEncryptionAlgorithm, type MetaStore, type SegmentKeyRecord,
} from './store.ts';
import type {
  AccessKey, Account, Bucket, BucketAcl, BucketSummary, ObjectAcl, BucketListPage, CorsRule, GarbageShard, ListObjectsPage, ListObjectsQuery, NewBucket,
  NewObjectVersion, NodeRecord, ObjectVersion, PendingShard, SegmentEncryption, SegmentRecord,
} from './types.ts';
import type { JoinToken, NewJoinToken, NodeTombstone, Operator, Tag } from './types.ts';
import type {
  PlacedShard,
  NodeAdminRecord, NodeAdminState, PlacementSwap, PlacementSwapResult, RepairJob, RepairQueueStats, RepairRequest,
  SegmentPlacement, SegmentScanEntry, ShardInFlight,
} from './repair-types.ts';
import type { HoldingLoss, NodeServiceCounts, NodeServiceTotal, ShardHolding } from './rewards-types.ts';
import type {
  RequestUsage, RequestUsageTotal, SmallObjectPrefix, SmallObjectQuery, StorageEvent, TimeWindow,
} from './usage-types.ts';

export interface SqliteMetaStoreOptions {
  /** The clock for times the store stamps itself: garbage enqueueing, a commit without createdAt. */
  readonly now?: () => Date;
  /** How long a statement waits for another connection's write lock. Default 5 s. */
  readonly busyTimeoutMs?: number;
  /** How a commit is made durable before the method that made it returns (sqlite-wal-sync.ts). Default 'group'. */
  readonly durability?: MetaDurability;
  /** The fdatasync group commit calls on the WAL file (tests inject one that counts or fails). */
  readonly walDataSync?: FileDataSync;
  /** Called once, at the first failed group-commit sync (after it, no write commits): the gateway exits on it. */
  readonly onSyncFailure?: (error: MetaSyncError) => void;
}

/**
 * The embedded MetaStore: one better-sqlite3 connection in WAL mode. The driver is synchronous;
 * each method does its work synchronously inside an async function, so a call is atomic with
 * respect to the event loop, and every write is one IMMEDIATE transaction (a second process on
 * the same file waits for the lock instead of failing to upgrade a read lock) run by `#write`,
 * which then waits until the commit is durable (group commit, sqlite-wal-sync.ts) before the
 * method returns. Another caller may read a commit during that wait; anything it then writes is
 * later in the WAL, so it can never be durable without the commit it read. Multi-statement
 * reads run in a deferred transaction: one WAL snapshot; reads never wait for a sync.
 */
export class SqliteMetaStore implements MetaStore {
  readonly #db: Database.Database;
  readonly #sql: Statements;
  readonly #now: () => Date;
  /** Shared, reference-counted segments (sqlite-segments.ts). */
  readonly #segments: SegmentBook;
  readonly #objects: SqliteObjects;
  readonly #multipart: SqliteMultipart;
  readonly #copies: SqliteObjectCopy;
  readonly #accounts: SqliteAccounts;
  readonly #nodes: SqliteNodes;
  readonly #operators: SqliteOperators;
  readonly #writes: SqliteWriteQueue;
  /** Rows changed on this connection so far (`total_changes()`): did a write transaction change any? */
  readonly #totalChanges: Database.Statement;
  readonly #segmentKeys: SqliteSegmentKeys;
  readonly #repair: SqliteRepair;
  readonly #replacements: SqliteSegmentReplacement;
  readonly #adminAudit: SqliteAdminAudit;
  readonly #rewards: SqliteRewards;
  readonly #lifecycle: SqliteLifecycle;
  /** One cached transaction wrapper that runs the function it is given. */
  readonly #transaction: Database.Transaction<(fn: () => unknown) => unknown>;
  /** Group commit on the WAL ('group' durability on a file); null when SQLite syncs itself or nothing is to sync. */
  readonly #walSync: WalGroupSync | null;

  /** Opens (creating if needed) and migrates the database file; ':memory:' works for throwaways. */
  static open(path: string, options: SqliteMetaStoreOptions = {}): SqliteMetaStore {
    const db = new Database(path);
    try {
      const durability = options.durability ?? 'group';
      const journalMode = db.pragma('journal_mode = WAL', { simple: true });
      db.pragma(durability === 'full' ? 'synchronous = FULL' : 'synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      // Deleted rows are zeroed in the file: a dropped segment's wrapped key must not linger (crypto-erase).
      db.pragma('secure_delete = ON');
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      migrate(db);
      // ':memory:' (journal mode "memory") has no file to sync.
      const walSync = durability === 'group' && journalMode === 'wal' ? new WalGroupSync(db.name, options.walDataSync, options.onSyncFailure) : null;
      return new SqliteMetaStore(db, options.now ?? (() => new Date()), walSync);
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(db: Database.Database, now: () => Date, walSync: WalGroupSync | null) {
    this.#db = db;
    this.#walSync = walSync;
    this.#sql = prepareStatements(db);
    this.#now = now;
    this.#transaction = db.transaction((fn: () => unknown) => fn());
    this.#rewards = new SqliteRewards(db);
    this.#lifecycle = new SqliteLifecycle(db);
    this.#segments = new SegmentBook(this.#sql, this.#rewards);
    const base = {
      sql: this.#sql,
      segments: this.#segments,
      bucketRow: (name: string) => this.#bucketRow(name),
      ledger: (bucket: LedgerBucket, change: LedgerChange, at: Date) => this.#ledger(bucket, change, at),
    };
    this.#objects = new SqliteObjects({ ...base, now });
    const context = {
      ...base,
      multipartSql: prepareMultipartStatements(db),
      insertObjectRow: (bucketId: number, object: NewObjectVersion['object'], at: Date) => this.#objects.insertRow(bucketId, object, at),
      retireObject: (row: ObjectRow) => this.#objects.retire(row),
    };
    this.#multipart = new SqliteMultipart(context);
    this.#copies = new SqliteObjectCopy(context);
    this.#accounts = new SqliteAccounts(this.#sql, now);
    this.#nodes = new SqliteNodes(this.#sql);
    this.#operators = new SqliteOperators(db, now);
    this.#writes = new SqliteWriteQueue(this.#sql, now, randomBytes(8).toString('hex'));
    this.#totalChanges = db.prepare('SELECT total_changes()').pluck();
    this.#segmentKeys = new SqliteSegmentKeys(db);
    this.#repair = new SqliteRepair(prepareRepairStatements(db), this.#sql, this.#rewards);
    this.#replacements = new SqliteSegmentReplacement(db, this.#sql, this.#repair, this.#segments);
    this.#adminAudit = new SqliteAdminAudit(db);
  }

  /**
   * Runs `fn` in one IMMEDIATE transaction (rolled back when it throws), then, when it changed
   * any row, waits until the commit is on stable storage. The one way a method changes the database: every write a
   * client is told about is durable. After a failed sync nothing more is committed.
   * `untilDurable = false` is for node heartbeats only: nobody is told about one, the next one
   * repeats it, and a heartbeat request held open by a sync would delay a drain for nothing.
   */
  async #write<T>(fn: () => T, untilDurable = true): Promise<T> {
    const walSync = this.#walSync;
    if (walSync?.failure) throw walSync.failure;
    const changesBefore = this.#totalChanges.get() as number;
    const result = this.#transaction.immediate(fn) as T;
    // A transaction that changed no row (a job poll that found nothing) wrote nothing to sync.
    if (walSync && untilDurable && this.#totalChanges.get() !== changesBefore) await walSync.afterCommit();
    return result;
  }

  /** Runs `fn` in one deferred transaction: all its reads see one snapshot. */
  #read<T>(fn: () => T): T {
    return this.#transaction.deferred(fn) as T;
  }

  /** Closing checkpoints the WAL into the database file (SQLite syncs both); waiters on a sync get it first. */
  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
    await this.#walSync?.close();
  }

  async getSetting(name: string): Promise<string | null> {
    const row = this.#sql.getSetting.get(name) as { value: string } | undefined;
    return row?.value ?? null;
  }

  async claimSetting(name: string, value: string): Promise<string> {
    return this.#write(() => {
      this.#sql.claimSetting.run(name, value);
      return (this.#sql.getSetting.get(name) as { value: string }).value;
    });
  }

  async setSetting(name: string, value: string): Promise<void> {
    await this.#write(() => this.#sql.setSetting.run(name, value));
  }

  async createAccount(name: string): Promise<Account> {
    return this.#write(() => this.#accounts.createAccount(name));
  }

  async getAccount(id: string): Promise<Account | null> {
    return this.#accounts.getAccount(id);
  }

  async getAccountByName(name: string): Promise<Account | null> {
    return this.#accounts.getAccountByName(name);
  }

  async listAccounts(page: AccountListPage): Promise<Account[]> {
    return this.#accounts.listAccounts(page);
  }

  async createAccessKey(accountId: string, accessKeyId: string, secretKey: string): Promise<AccessKey> {
    return this.#write(() => this.#accounts.createAccessKey(accountId, accessKeyId, secretKey));
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKey | null> {
    return this.#accounts.getAccessKey(accessKeyId);
  }

  async listAccessKeys(accountId?: string): Promise<AccessKey[]> {
    return this.#accounts.listAccessKeys(accountId);
  }

  async revokeAccessKey(accessKeyId: string, at: Date): Promise<boolean> {
    return this.#write(() => this.#accounts.revokeAccessKey(accessKeyId, at));
  }

  async createBucket(bucket: NewBucket): Promise<void> {
    await this.#write(() => {
      const existing = this.#sql.bucketByName.get(bucket.name) as BucketRow | undefined;
      if (existing) throw new BucketAlreadyExistsError(bucket.name, existing.account_id);
      if (!this.#sql.accountById.get(bucket.accountId)) throw new NoSuchAccountError(bucket.accountId);
      const { dataShards, parityShards, chunkSize } = bucket.profile;
      this.#sql.insertBucket.run(
        bucket.name, bucket.accountId, bucket.createdAt.getTime(), dataShards, parityShards, chunkSize, bucket.acl ?? 'private',
      );
    });
  }

  async setBucketAcl(name: string, acl: BucketAcl): Promise<void> {
    await this.#write(() => {
      if (this.#sql.setBucketAcl.run(acl, name).changes === 0) throw new NoSuchBucketError(name);
    });
  }

  async setBucketPolicy(name: string, policy: string | null): Promise<void> {
    await this.#write(() => {
      if (this.#sql.setBucketPolicy.run(policy, name).changes === 0) throw new NoSuchBucketError(name);
    });
  }

  async setObjectAcl(bucket: string, key: string, acl: ObjectAcl): Promise<boolean> {
    return this.#write(() => {
      if (this.#sql.setObjectAcl.run(acl, bucket, key).changes > 0) return true;
      if (!this.#sql.bucketByName.get(bucket)) throw new NoSuchBucketError(bucket);
      return false;
    });
  }

  async getBucketCors(name: string): Promise<readonly CorsRule[] | null> {
    const row = this.#sql.bucketCors.get(name) as { cors_rules: string | null } | undefined;
    if (!row) throw new NoSuchBucketError(name);
    return row.cors_rules === null ? null : JSON.parse(row.cors_rules) as CorsRule[];
  }

  async setBucketCors(name: string, rules: readonly CorsRule[] | null): Promise<void> {
    await this.#write(() => {
      if (this.#sql.setBucketCors.run(rules === null ? null : JSON.stringify(rules), name).changes === 0) throw new NoSuchBucketError(name);
    });
  }

  async getBucketEncryption(name: string): Promise<BucketEncryptionAlgorithm | null> {
    const row = this.#sql.bucketEncryption.get(name) as { default_encryption: string | null } | undefined;
    if (!row) throw new NoSuchBucketError(name);
    return row.default_encryption as BucketEncryptionAlgorithm | null;
  }

  async setBucketEncryption(name: string, algorithm: BucketEncryptionAlgorithm | null): Promise<void> {
    await this.#write(() => {
      if (this.#sql.setBucketEncryption.run(algorithm, name).changes === 0) throw new NoSuchBucketError(name);
    });
  }

  async getBucketTags(name: string): Promise<readonly Tag[] | null> {
    const row = this.#sql.bucketTags.get(name) as { tags: string | null } | undefined;
    if (!row) throw new NoSuchBucketError(name);
    return row.tags === null ? null : JSON.parse(row.tags) as Tag[];
  }

  async setBucketTags(name: string, tags: readonly Tag[] | null): Promise<void> {
    await this.#write(() => {
      if (this.#sql.setBucketTags.run(tags === null ? null : JSON.stringify(tags), name).changes === 0) throw new NoSuchBucketError(name);
    });
  }

  async setObjectTags(bucket: string, key: string, tags: readonly Tag[]): Promise<boolean> {
    return this.#write(() => this.#sql.setObjectTags.run(JSON.stringify(tags), bucket, key).changes > 0);
  }

  async countSegmentKeys(): Promise<Record<string, number>> {
    return this.#segmentKeys.counts();
  }

  async listSegmentKeys(keyId: string, limit: number): Promise<SegmentKeyRecord[]> {
    return this.#segmentKeys.segmentsOfKey(keyId, limit);
  }

  async replaceSegmentKey(segmentId: string, current: SegmentEncryption, next: SegmentEncryption): Promise<boolean> {
    return this.#write(() => this.#segmentKeys.replace(segmentId, current, next));
  }

  async getBucket(name: string): Promise<Bucket | null> {
    const row = this.#sql.bucketRecord.get(name) as BucketRecordRow | undefined;
    return row ? toBucket(row) : null;
  }

  async listBuckets(accountId: string, page: BucketListPage = {}): Promise<BucketSummary[]> {
    const prefix = page.prefix ?? '';
    const after = page.after !== undefined && page.after > prefix ? page.after : prefix === '' ? '' : prefix.slice(0, -1);
    const rows = this.#sql.bucketsOfAccount.all(accountId, after, prefix, prefix, page.limit ?? -1) as BucketRow[];
    return rows.map(toBucketSummary);
  }

  async deleteBucket(name: string): Promise<void> {
    await this.#write(() => {
      const row = this.#bucketRow(name);
      if (!row) throw new NoSuchBucketError(name);
      if (this.#sql.bucketHasObjects.get(row.id)) throw new BucketNotEmptyError(name);
      // Uploads in progress do not keep a bucket alive (as on S3): they are aborted with it.
      const now = this.#now();
      this.#multipart.abortAllOfBucket(row, now);
      this.#segments.sweep(now);
      this.#sql.deleteBucket.run(row.id);
    });
  }

  async commitObject(version: NewObjectVersion): Promise<ObjectVersion | null> {
    return this.#write(() => this.#objects.commit(version));
  }

  async getObject(bucket: string, key: string): Promise<ObjectVersion | null> {
    return this.#read(() => this.#objects.get(bucket, key));
  }

  async getSegments(versionId: string, span?: Span): Promise<SegmentRecord[]> {
    if (span !== undefined && span.length <= 0) return [];
    return this.#read(() => this.#objects.segments(versionId, span));
  }

  async deleteObject(bucket: string, key: string, ifMatch?: string, ifVersionId?: string): Promise<ObjectVersion | null> {
    return this.#write(() => this.#objects.delete(bucket, key, ifMatch, ifVersionId));
  }

  async listObjects(bucket: string, query: ListObjectsQuery): Promise<ListObjectsPage> {
    return this.#read(() => this.#objects.list(bucket, query));
  }

  async createMultipartUpload(upload: MultipartUpload): Promise<void> {
    await this.#write(() => this.#multipart.create(upload));
  }

  async getMultipartUpload(bucket: string, key: string, uploadId: string): Promise<MultipartUpload | null> {
    return this.#read(() => this.#multipart.get(bucket, key, uploadId));
  }

  async commitPart(part: NewUploadedPart): Promise<UploadedPart | null> {
    return this.#write(() => this.#multipart.commitPart(part, this.#now()));
  }

  async listParts(uploadId: string, query: ListPartsQuery): Promise<ListPartsPage> {
    return this.#read(() => this.#multipart.listParts(uploadId, query));
  }

  async listMultipartUploads(bucket: string, query: ListUploadsQuery): Promise<ListUploadsPage> {
    return this.#read(() => this.#multipart.listUploads(bucket, query));
  }

  async completeMultipartUpload(completion: CompletedUpload): Promise<ObjectVersion | null> {
    return this.#write(() => this.#multipart.complete(completion, this.#now()));
  }

  async abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<boolean> {
    return this.#write(() => this.#multipart.abort(bucket, key, uploadId, this.#now()));
  }

  async getObjectPart(versionId: string, partNumber: number): Promise<ObjectPartLookup> {
    return this.#read(() => this.#copies.objectPart(versionId, partNumber));
  }

  async listObjectParts(versionId: string, query: ListPartsQuery): Promise<ObjectPartsPage> {
    return this.#read(() => this.#copies.objectParts(versionId, query));
  }

  async copyObject(copy: ObjectCopy): Promise<ObjectVersion | null> {
    return this.#write(() => this.#copies.copy(copy, this.#now()));
  }

  async createOperator(name: string): Promise<Operator> {
    return this.#write(() => this.#operators.create(name));
  }

  async getOperator(id: string): Promise<Operator | null> {
    return this.#operators.get(id);
  }

  async getOperatorByName(name: string): Promise<Operator | null> {
    return this.#operators.getByName(name);
  }

  async putJoinToken(token: NewJoinToken): Promise<JoinToken> {
    return this.#write(() => this.#operators.putJoinToken(token));
  }

  async getJoinToken(id: string): Promise<JoinToken | null> {
    return this.#operators.getJoinToken(id);
  }

  async findJoinTokenByHash(tokenHash: Uint8Array): Promise<JoinToken | null> {
    return this.#operators.findJoinTokenByHash(tokenHash);
  }

  async listJoinTokens(operatorId?: string): Promise<JoinToken[]> {
    return this.#operators.listJoinTokens(operatorId);
  }

  async revokeJoinToken(id: string, at: Date): Promise<boolean> {
    return this.#write(() => this.#operators.revokeJoinToken(id, at));
  }

  async tombstoneNode(nodeId: string, reason: string, at: Date): Promise<void> {
    await this.#write(() => this.#operators.tombstoneNode(nodeId, reason, at));
  }

  async getNodeTombstone(nodeId: string): Promise<NodeTombstone | null> {
    return this.#operators.getNodeTombstone(nodeId);
  }

  async upsertNode(node: NodeRecord): Promise<void> {
    await this.#write(() => this.#nodes.upsert(node));
  }

  async recordHeartbeat(nodeId: string, freeBytes: number, capacityBytes: number, at: Date): Promise<boolean> {
    return this.#write(() => this.#nodes.recordHeartbeat(nodeId, freeBytes, capacityBytes, at), false);
  }

  async getNode(id: string): Promise<NodeRecord | null> {
    return this.#nodes.get(id);
  }

  async listNodes(): Promise<NodeRecord[]> {
    return this.#nodes.list();
  }

  async addPendingShards(writeId: string, shards: readonly PendingShard[], at: Date): Promise<void> {
    await this.#write(() => this.#writes.addPending(writeId, shards, at));
  }

  async abandonWrite(writeId: string): Promise<void> {
    await this.#write(() => this.#writes.abandonWrite(writeId));
  }

  async renewPendingWrites(at: Date): Promise<number> {
    return this.#write(() => this.#writes.renewWrites(at));
  }

  async abandonPendingShardsBefore(before: Date): Promise<number> {
    return this.#write(() => this.#writes.abandonIdleBefore(before));
  }

  async listGarbage(limit: number, enqueuedBefore?: Date): Promise<GarbageShard[]> {
    return this.#writes.listGarbage(limit, enqueuedBefore);
  }

  async removeGarbage(ids: readonly number[]): Promise<void> {
    await this.#write(() => this.#writes.removeGarbage(ids));
  }

  async setNodeAdminState(nodeId: string, state: NodeAdminState | null, at: Date): Promise<void> {
    await this.#write(() => this.#repair.setAdminState(nodeId, state, at));
  }

  async listNodeAdminStates(): Promise<NodeAdminRecord[]> {
    return this.#repair.adminStates();
  }

  async enqueueRepair(request: RepairRequest, at: Date): Promise<void> {
    await this.#write(() => this.#repair.enqueue(request, at));
  }

  async claimRepairs(owner: string, limit: number, leaseMs: number, at: Date): Promise<RepairJob[]> {
    return this.#write(() => this.#repair.claim(owner, limit, leaseMs, at));
  }

  async renewRepair(segmentId: string, leaseToken: number, leaseMs: number, at: Date): Promise<boolean> {
    return this.#write(() => this.#repair.renew(segmentId, leaseToken, leaseMs, at));
  }

  async completeRepair(segmentId: string, leaseToken: number): Promise<boolean> {
    return this.#write(() => this.#repair.complete(segmentId, leaseToken));
  }

  async releaseRepair(segmentId: string, leaseToken: number, retryAt: Date, error: string): Promise<boolean> {
    return this.#write(() => this.#repair.release(segmentId, leaseToken, retryAt, error));
  }

  async repairQueueStats(at: Date): Promise<RepairQueueStats> {
    return this.#repair.stats(at);
  }

  async scanSegments(afterCursor: number, limit: number, nodeId?: string): Promise<SegmentScanEntry[]> {
    return this.#read(() => this.#repair.scan(afterCursor, limit, nodeId));
  }

  async getSegmentPlacement(segmentId: string): Promise<SegmentPlacement | null> {
    return this.#read(() => this.#repair.placement(segmentId));
  }

  async countObjects(): Promise<{ objects: number; bytes: number }> {
    return this.#db.prepare('SELECT count(*) AS objects, coalesce(sum(size), 0) AS bytes FROM objects').get() as { objects: number; bytes: number };
  }

  async countShardsOnNode(nodeId: string): Promise<number> {
    return this.#repair.shardsOnNode(nodeId);
  }

  async listShardsInFlight(segmentId: string): Promise<ShardInFlight[]> {
    return this.#read(() => this.#repair.inFlight(segmentId));
  }

  async listUnknownShards(nodeId: string, shardIds: readonly string[]): Promise<string[]> {
    return this.#read(() => this.#repair.unknownShards(nodeId, shardIds));
  }

  async listShardsPlacedOnNode(nodeId: string, fromSegmentId: string, throughSegmentId: string, limit: number): Promise<PlacedShard[]> {
    return this.#read(() => this.#repair.shardsPlacedOnNode(nodeId, fromSegmentId, throughSegmentId, limit));
  }

  async replaceShardPlacements(swap: PlacementSwap): Promise<PlacementSwapResult> {
    return this.#write(() => this.#repair.swap(swap, this.#now()));
  }

  async replaceSegment(request: SegmentReplacement): Promise<SegmentReplacementResult> {
    return this.#write(() => this.#replacements.replace(request, this.#now()));
  }

  async scanUnencryptedSegments(afterCursor: number, limit: number): Promise<SegmentScanEntry[]> {
    return this.#read(() => this.#replacements.unencryptedAfter(afterCursor, limit));
  }

  async countUnencryptedSegments(): Promise<UnencryptedSegmentTotals> {
    return this.#replacements.unencryptedTotals();
  }

  async scanStorageEvents(accountId: string, before: Date, visit: (event: StorageEvent) => void): Promise<void> {
    this.#read(() => visitStorageEvents(this.#sql, accountId, before, visit));
  }

  async appendRequestUsage(rows: readonly RequestUsage[]): Promise<void> {
    if (rows.length > 0) await this.#write(() => insertRequestUsage(this.#sql, rows));
  }

  async sumRequestUsage(accountId: string, window: TimeWindow): Promise<RequestUsageTotal[]> {
    return totalRequestUsage(this.#sql, accountId, window);
  }

  async smallObjectPrefixes(query: SmallObjectQuery): Promise<SmallObjectPrefix[]> {
    return listSmallObjectPrefixes(this.#sql, query);
  }

  async appendAdminAudit(entry: NewAdminAuditEntry): Promise<AdminAuditEntry> {
    return this.#write(() => this.#adminAudit.append(entry));
  }

  async listAdminAudit(page: AdminAuditPage): Promise<AdminAuditEntry[]> {
    return this.#adminAudit.list(page);
  }

  async endShardHoldings(losses: readonly HoldingLoss[], at: Date): Promise<number> {
    return losses.length === 0 ? 0 : this.#write(() => this.#rewards.lose(losses, at));
  }

  async storedByteMs(nodeId: string, window: TimeWindow): Promise<bigint> {
    return this.#read(() => this.#rewards.storedByteMs(nodeId, window));
  }

  async listShardHoldings(nodeId: string): Promise<ShardHolding[]> {
    return this.#rewards.holdings(nodeId);
  }

  async addNodeService(rows: readonly NodeServiceCounts[]): Promise<void> {
    if (rows.length > 0) await this.#write(() => this.#rewards.addService(rows));
  }

  async sumNodeService(nodeId: string, window: TimeWindow): Promise<NodeServiceTotal[]> {
    return this.#rewards.sumService(nodeId, window);
  }

  async getBucketLifecycle(name: string): Promise<readonly LifecycleRule[] | null> {
    return this.#lifecycle.rules(name);
  }

  async setBucketLifecycle(name: string, rules: readonly LifecycleRule[] | null, at: Date): Promise<void> {
    await this.#write(() => this.#lifecycle.setRules(name, rules, at));
  }

  async claimLifecycleJobs(owner: string, limit: number, leaseMs: number, at: Date): Promise<LifecycleJob[]> {
    return this.#write(() => this.#lifecycle.claim(owner, limit, leaseMs, at));
  }

  async renewLifecycleJob(bucketRef: number, leaseToken: number, leaseMs: number, at: Date): Promise<boolean> {
    return this.#write(() => this.#lifecycle.renew(bucketRef, leaseToken, leaseMs, at));
  }

  async completeLifecycleJob(bucketRef: number, leaseToken: number, nextRunAt: Date): Promise<boolean> {
    return this.#write(() => this.#lifecycle.complete(bucketRef, leaseToken, nextRunAt));
  }

  /**
   * The storage ledger's one writer (see MetaStore): every method that changes a current object
   * or a multipart part calls it, inside its #write transaction, once per item changed.
   */
  #ledger(bucket: LedgerBucket, change: LedgerChange, at: Date): void {
    appendStorageEvent(this.#sql, bucket, change, at);
  }

  #bucketRow(name: string): BucketRow | undefined {
    return this.#sql.bucketByName.get(name) as BucketRow | undefined;
  }
}
