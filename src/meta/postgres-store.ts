import { randomBytes } from 'node:crypto';
import * as lifecycle from './postgres-lifecycle.ts';
import type { LifecycleRule } from '../lifecycle/lifecycle-types.ts';
import type { LifecycleJob } from './lifecycle-store-types.ts';
import * as rewards from './postgres-rewards.ts';
import type { HoldingLoss, NodeServiceCounts, NodeServiceTotal, ShardHolding } from './rewards-types.ts';
import type pg from 'pg';
import type { Span } from '../span.ts';
import type {
  CompletedUpload, ListPartsPage, ListPartsQuery, ListUploadsPage, ListUploadsQuery, MultipartUpload, NewUploadedPart,
  ObjectCopy, ObjectPartLookup, ObjectPartsPage, UploadedPart,
} from './multipart-types.ts';
import type { AccountListPage, AdminAuditEntry, AdminAuditPage, NewAdminAuditEntry } from './admin-audit-types.ts';
import * as accounts from './postgres-accounts.ts';
import * as adminAudit from './postgres-admin-audit.ts';
import * as buckets from './postgres-buckets.ts';
import { createPool, describeError, inTransaction, redactUrl, Sql, type PostgresPoolOptions, type TransactionMode } from './postgres-db.ts';
import * as ledger from './postgres-ledger.ts';
import { migratePostgres } from './postgres-migrations.ts';
import * as multipart from './postgres-multipart.ts';
import * as nodes from './postgres-nodes.ts';
import { copyObject, objectPart, objectParts } from './postgres-object-copy.ts';
import * as objects from './postgres-objects.ts';
import * as operators from './postgres-operators.ts';
import * as repair from './postgres-repair.ts';
import * as segmentKeys from './postgres-segment-keys.ts';
import * as replacements from './postgres-segment-replacement.ts';
import type { SegmentReplacement, SegmentReplacementResult, UnencryptedSegmentTotals } from './segment-replacement-types.ts';
import * as writes from './postgres-write-queue.ts';
import type { LedgerChange } from './sqlite-ledger.ts';
import { toBucket } from './sqlite-rows.ts';
import type { BucketEncryptionAlgorithm, MetaStore, SegmentKeyRecord } from './store.ts';
import type {
  AccessKey, Account, Bucket, BucketAcl, BucketSummary, ObjectAcl, BucketListPage, CorsRule, GarbageShard, JoinToken, ListObjectsPage, ListObjectsQuery,
  NewBucket, NewJoinToken, NewObjectVersion, NodeRecord, NodeTombstone, ObjectVersion, Operator, PendingShard, SegmentEncryption,
  SegmentRecord, Tag,
} from './types.ts';
import type {
  PlacedShard,
  NodeAdminRecord, NodeAdminState, PlacementSwap, PlacementSwapResult, RepairJob, RepairQueueStats, RepairRequest,
  SegmentPlacement, SegmentScanEntry, ShardInFlight,
} from './repair-types.ts';
import type {
  RequestUsage, RequestUsageTotal, SmallObjectPrefix, SmallObjectQuery, StorageEvent, TimeWindow,
} from './usage-types.ts';

export interface PostgresMetaStoreOptions extends PostgresPoolOptions {
  /** The clock for times the store stamps itself (as SqliteMetaStoreOptions.now). */
  readonly now?: () => Date;
}

/** The database could not be reached or migrated when the store opened. */
export class MetaStoreConnectError extends Error {
  readonly code = 'META_STORE_CONNECT_FAILED';
  override name = 'MetaStoreConnectError';
}

/**
 * The MetaStore on PostgreSQL, for several gateways sharing one database. A `pg.Pool`; each
 * multi-statement method is one transaction on one checked-out client (postgres-db.ts), writes in
 * READ COMMITTED with row and advisory locks (the README's Decisions say why), multi-statement
 * reads in one REPEATABLE READ snapshot. Single statements go straight to the pool. The schema is
 * migrated at open under an advisory lock.
 */
export class PostgresMetaStore implements MetaStore {
  readonly #pool: pg.Pool;
  readonly #sql: Sql;
  readonly #now: () => Date;
  /** Names this instance in the pending writes it adds (MetaStore.renewPendingWrites). */
  readonly #writer = randomBytes(8).toString('hex');
  #closed = false;

  /** Connects, migrates, and returns the store; MetaStoreConnectError (one line) when the database is unreachable. */
  static async open(url: string, options: PostgresMetaStoreOptions = {}): Promise<PostgresMetaStore> {
    const pool = createPool(url, options);
    try {
      await migratePostgres(pool);
    } catch (error) {
      await pool.end().catch(() => {});
      if ((error as { code?: string }).code === 'SCHEMA_TOO_NEW') throw error;
      throw new MetaStoreConnectError(`cannot open the PostgreSQL metadata store at ${redactUrl(url)}: ${describeError(error)}`);
    }
    return new PostgresMetaStore(pool, options.now ?? (() => new Date()));
  }

  private constructor(pool: pg.Pool, now: () => Date) {
    this.#pool = pool;
    this.#sql = new Sql(pool);
    this.#now = now;
  }

  #tx<T>(mode: TransactionMode, fn: (sql: Sql) => Promise<T>): Promise<T> {
    return inTransaction(this.#pool, mode, fn);
  }

  /**
   * The storage ledger's one writer (see MetaStore): every method that changes a current object
   * or a multipart part calls it, inside its write transaction, once per item changed.
   */
  readonly #ledger = (sql: Sql, bucket: objects.LedgerBucket, change: LedgerChange, at: Date) => ledger.appendStorageEvent(sql, bucket, change, at);

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#pool.end();
  }

  async getSetting(name: string): Promise<string | null> {
    return (await this.#sql.one<{ value: string }>(accounts.ACCOUNT_SQL.getSetting, [name]))?.value ?? null;
  }

  async claimSetting(name: string, value: string): Promise<string> {
    await this.#sql.run(accounts.ACCOUNT_SQL.claimSetting, [name, value]);
    return (await this.#sql.one<{ value: string }>(accounts.ACCOUNT_SQL.getSetting, [name]))!.value;
  }

  async setSetting(name: string, value: string): Promise<void> {
    await this.#sql.run(accounts.ACCOUNT_SQL.setSetting, [name, value]);
  }

  createAccount(name: string): Promise<Account> {
    return accounts.createAccount(this.#sql, name, this.#now());
  }

  getAccount(id: string): Promise<Account | null> {
    return accounts.getAccount(this.#sql, id);
  }

  getAccountByName(name: string): Promise<Account | null> {
    return accounts.getAccountByName(this.#sql, name);
  }

  listAccounts(page: AccountListPage): Promise<Account[]> {
    return accounts.listAccounts(this.#sql, page);
  }

  createAccessKey(accountId: string, accessKeyId: string, secretKey: string): Promise<AccessKey> {
    return this.#tx('write', (sql) => accounts.createAccessKey(sql, accountId, accessKeyId, secretKey, this.#now()));
  }

  getAccessKey(accessKeyId: string): Promise<AccessKey | null> {
    return accounts.getAccessKey(this.#sql, accessKeyId);
  }

  listAccessKeys(accountId?: string): Promise<AccessKey[]> {
    return accounts.listAccessKeys(this.#sql, accountId);
  }

  revokeAccessKey(accessKeyId: string, at: Date): Promise<boolean> {
    return accounts.revokeAccessKey(this.#sql, accessKeyId, at);
  }

  createBucket(bucket: NewBucket): Promise<void> {
    return this.#tx('write', (sql) => buckets.createBucket(sql, bucket));
  }

  getBucket(name: string): Promise<Bucket | null> {
    return buckets.getBucket(this.#sql, name);
  }

  setBucketAcl(name: string, acl: BucketAcl): Promise<void> {
    return buckets.setBucketAcl(this.#sql, name, acl);
  }

  setBucketPolicy(name: string, policy: string | null): Promise<void> {
    return buckets.setBucketPolicy(this.#sql, name, policy);
  }

  setObjectAcl(bucket: string, key: string, acl: ObjectAcl): Promise<boolean> {
    return buckets.setObjectAcl(this.#sql, bucket, key, acl);
  }

  getBucketCors(name: string): Promise<readonly CorsRule[] | null> {
    return buckets.getBucketCors(this.#sql, name);
  }

  setBucketCors(name: string, rules: readonly CorsRule[] | null): Promise<void> {
    return buckets.setBucketCors(this.#sql, name, rules);
  }

  getBucketEncryption(name: string): Promise<BucketEncryptionAlgorithm | null> {
    return buckets.getBucketEncryption(this.#sql, name);
  }

  setBucketEncryption(name: string, algorithm: BucketEncryptionAlgorithm | null): Promise<void> {
    return buckets.setBucketEncryption(this.#sql, name, algorithm);
  }

  getBucketTags(name: string): Promise<readonly Tag[] | null> {
    return buckets.getBucketTags(this.#sql, name);
  }

  setBucketTags(name: string, tags: readonly Tag[] | null): Promise<void> {
    return buckets.setBucketTags(this.#sql, name, tags);
  }

  setObjectTags(bucket: string, key: string, tags: readonly Tag[]): Promise<boolean> {
    return buckets.setObjectTags(this.#sql, bucket, key, tags);
  }

  listBuckets(accountId: string, page: BucketListPage = {}): Promise<BucketSummary[]> {
    return buckets.listBuckets(this.#sql, accountId, page);
  }

  deleteBucket(name: string): Promise<void> {
    return this.#tx('write', (sql) => buckets.deleteBucket(sql, this.#ledger, name, this.#now()));
  }

  countSegmentKeys(): Promise<Record<string, number>> {
    return segmentKeys.countSegmentKeys(this.#sql);
  }

  listSegmentKeys(keyId: string, limit: number): Promise<SegmentKeyRecord[]> {
    return segmentKeys.listSegmentKeys(this.#sql, keyId, limit);
  }

  replaceSegmentKey(segmentId: string, current: SegmentEncryption, next: SegmentEncryption): Promise<boolean> {
    return segmentKeys.replaceSegmentKey(this.#sql, segmentId, current, next);
  }

  commitObject(version: NewObjectVersion): Promise<ObjectVersion | null> {
    return this.#tx('write', (sql) => objects.commitObject(sql, this.#ledger, version, this.#now()));
  }

  getObject(bucket: string, key: string): Promise<ObjectVersion | null> {
    return objects.getObject(this.#sql, bucket, key);
  }

  async getSegments(versionId: string, span?: Span): Promise<SegmentRecord[]> {
    if (span !== undefined && span.length <= 0) return [];
    return this.#tx('read', (sql) => objects.getSegments(sql, versionId, span));
  }

  deleteObject(bucket: string, key: string, ifMatch?: string, ifVersionId?: string): Promise<ObjectVersion | null> {
    return this.#tx('write', (sql) => objects.deleteObject(sql, this.#ledger, bucket, key, this.#now(), ifMatch, ifVersionId));
  }

  listObjects(bucket: string, query: ListObjectsQuery): Promise<ListObjectsPage> {
    return this.#tx('read', (sql) => objects.listObjects(sql, bucket, query));
  }

  copyObject(copy: ObjectCopy): Promise<ObjectVersion | null> {
    return this.#tx('write', (sql) => copyObject(sql, this.#ledger, copy, this.#now()));
  }

  getObjectPart(versionId: string, partNumber: number): Promise<ObjectPartLookup> {
    return this.#tx('read', (sql) => objectPart(sql, versionId, partNumber));
  }

  listObjectParts(versionId: string, query: ListPartsQuery): Promise<ObjectPartsPage> {
    return this.#tx('read', (sql) => objectParts(sql, versionId, query));
  }

  createMultipartUpload(upload: MultipartUpload): Promise<void> {
    return this.#tx('write', (sql) => multipart.createUpload(sql, upload));
  }

  getMultipartUpload(bucket: string, key: string, uploadId: string): Promise<MultipartUpload | null> {
    return multipart.getUpload(this.#sql, bucket, key, uploadId);
  }

  commitPart(part: NewUploadedPart): Promise<UploadedPart | null> {
    return this.#tx('write', (sql) => multipart.commitPart(sql, this.#ledger, part, this.#now()));
  }

  listParts(uploadId: string, query: ListPartsQuery): Promise<ListPartsPage> {
    return this.#tx('read', (sql) => multipart.listParts(sql, uploadId, query));
  }

  listMultipartUploads(bucket: string, query: ListUploadsQuery): Promise<ListUploadsPage> {
    return this.#tx('read', (sql) => multipart.listUploads(sql, bucket, query));
  }

  completeMultipartUpload(completion: CompletedUpload): Promise<ObjectVersion | null> {
    return this.#tx('write', (sql) => multipart.completeUpload(sql, this.#ledger, completion, this.#now()));
  }

  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<boolean> {
    return this.#tx('write', (sql) => multipart.abortUpload(sql, this.#ledger, bucket, key, uploadId, this.#now()));
  }

  createOperator(name: string): Promise<Operator> {
    return operators.createOperator(this.#sql, name, this.#now());
  }

  getOperator(id: string): Promise<Operator | null> {
    return operators.getOperator(this.#sql, id);
  }

  getOperatorByName(name: string): Promise<Operator | null> {
    return operators.getOperatorByName(this.#sql, name);
  }

  putJoinToken(token: NewJoinToken): Promise<JoinToken> {
    return this.#tx('write', (sql) => operators.putJoinToken(sql, token));
  }

  getJoinToken(id: string): Promise<JoinToken | null> {
    return operators.getJoinToken(this.#sql, id);
  }

  findJoinTokenByHash(tokenHash: Uint8Array): Promise<JoinToken | null> {
    return operators.findJoinTokenByHash(this.#sql, tokenHash);
  }

  listJoinTokens(operatorId?: string): Promise<JoinToken[]> {
    return operators.listJoinTokens(this.#sql, operatorId);
  }

  revokeJoinToken(id: string, at: Date): Promise<boolean> {
    return operators.revokeJoinToken(this.#sql, id, at);
  }

  tombstoneNode(nodeId: string, reason: string, at: Date): Promise<void> {
    return operators.tombstoneNode(this.#sql, nodeId, reason, at);
  }

  getNodeTombstone(nodeId: string): Promise<NodeTombstone | null> {
    return operators.getNodeTombstone(this.#sql, nodeId);
  }

  upsertNode(node: NodeRecord): Promise<void> {
    return nodes.upsertNode(this.#sql, node);
  }

  recordHeartbeat(nodeId: string, freeBytes: number, capacityBytes: number, at: Date): Promise<boolean> {
    return nodes.recordHeartbeat(this.#sql, nodeId, freeBytes, capacityBytes, at);
  }

  getNode(id: string): Promise<NodeRecord | null> {
    return nodes.getNode(this.#sql, id);
  }

  listNodes(): Promise<NodeRecord[]> {
    return nodes.listNodes(this.#sql);
  }

  addPendingShards(writeId: string, shards: readonly PendingShard[], at: Date): Promise<void> {
    return writes.addPending(this.#sql, writeId, shards, at, this.#writer);
  }

  renewPendingWrites(at: Date): Promise<number> {
    return writes.renewWrites(this.#sql, this.#writer, at);
  }

  abandonWrite(writeId: string): Promise<void> {
    return this.#tx('write', (sql) => writes.abandonWrite(sql, writeId, this.#now()));
  }

  abandonPendingShardsBefore(before: Date): Promise<number> {
    return this.#tx('write', (sql) => writes.abandonIdleBefore(sql, before, this.#now()));
  }

  listGarbage(limit: number, enqueuedBefore?: Date): Promise<GarbageShard[]> {
    return writes.listGarbage(this.#sql, limit, enqueuedBefore);
  }

  removeGarbage(ids: readonly number[]): Promise<void> {
    return writes.removeGarbage(this.#sql, ids);
  }

  setNodeAdminState(nodeId: string, state: NodeAdminState | null, at: Date): Promise<void> {
    return repair.setAdminState(this.#sql, nodeId, state, at);
  }

  listNodeAdminStates(): Promise<NodeAdminRecord[]> {
    return repair.adminStates(this.#sql);
  }

  enqueueRepair(request: RepairRequest, at: Date): Promise<void> {
    return this.#tx('write', (sql) => repair.enqueue(sql, request, at));
  }

  claimRepairs(owner: string, limit: number, leaseMs: number, at: Date): Promise<RepairJob[]> {
    return repair.claim(this.#sql, owner, limit, leaseMs, at);
  }

  renewRepair(segmentId: string, leaseToken: number, leaseMs: number, at: Date): Promise<boolean> {
    return repair.renew(this.#sql, segmentId, leaseToken, leaseMs, at);
  }

  completeRepair(segmentId: string, leaseToken: number): Promise<boolean> {
    return this.#tx('write', (sql) => repair.complete(sql, segmentId, leaseToken));
  }

  releaseRepair(segmentId: string, leaseToken: number, retryAt: Date, error: string): Promise<boolean> {
    return repair.release(this.#sql, segmentId, leaseToken, retryAt, error);
  }

  repairQueueStats(at: Date): Promise<RepairQueueStats> {
    return repair.stats(this.#sql, at);
  }

  scanSegments(afterCursor: number, limit: number, nodeId?: string): Promise<SegmentScanEntry[]> {
    return this.#tx('read', (sql) => repair.scan(sql, afterCursor, limit, nodeId));
  }

  getSegmentPlacement(segmentId: string): Promise<SegmentPlacement | null> {
    return this.#tx('read', (sql) => repair.placement(sql, segmentId));
  }

  async countObjects(): Promise<{ objects: number; bytes: number }> {
    const row = await this.#sql.one<{ objects: string | number; bytes: string | number }>('SELECT count(*) AS objects, coalesce(sum(size), 0) AS bytes FROM objects', []);
    return { objects: Number(row!.objects), bytes: Number(row!.bytes) };
  }

  countShardsOnNode(nodeId: string): Promise<number> {
    return repair.shardsOnNode(this.#sql, nodeId);
  }

  listShardsInFlight(segmentId: string): Promise<ShardInFlight[]> {
    return repair.inFlight(this.#sql, segmentId);
  }

  listUnknownShards(nodeId: string, shardIds: readonly string[]): Promise<string[]> {
    return repair.unknownShards(this.#sql, nodeId, shardIds);
  }

  listShardsPlacedOnNode(nodeId: string, fromSegmentId: string, throughSegmentId: string, limit: number): Promise<PlacedShard[]> {
    return repair.shardsPlacedOnNode(this.#sql, nodeId, fromSegmentId, throughSegmentId, limit);
  }

  replaceShardPlacements(swap: PlacementSwap): Promise<PlacementSwapResult> {
    return this.#tx('write', (sql) => repair.swap(sql, swap, this.#now()));
  }

  replaceSegment(request: SegmentReplacement): Promise<SegmentReplacementResult> {
    return this.#tx('write', (sql) => replacements.replace(sql, request, this.#now()));
  }

  scanUnencryptedSegments(afterCursor: number, limit: number): Promise<SegmentScanEntry[]> {
    return this.#tx('read', (sql) => replacements.unencryptedAfter(sql, afterCursor, limit));
  }

  countUnencryptedSegments(): Promise<UnencryptedSegmentTotals> {
    return this.#tx('read', (sql) => replacements.unencryptedTotals(sql));
  }

  scanStorageEvents(accountId: string, before: Date, visit: (event: StorageEvent) => void): Promise<void> {
    return this.#tx('read', (sql) => ledger.visitStorageEvents(sql, accountId, before, visit));
  }

  async appendRequestUsage(rows: readonly RequestUsage[]): Promise<void> {
    if (rows.length > 0) await ledger.insertRequestUsage(this.#sql, rows);
  }

  sumRequestUsage(accountId: string, window: TimeWindow): Promise<RequestUsageTotal[]> {
    return ledger.totalRequestUsage(this.#sql, accountId, window);
  }

  smallObjectPrefixes(query: SmallObjectQuery): Promise<SmallObjectPrefix[]> {
    return ledger.listSmallObjectPrefixes(this.#sql, query);
  }

  appendAdminAudit(entry: NewAdminAuditEntry): Promise<AdminAuditEntry> {
    return adminAudit.appendAdminAudit(this.#sql, entry);
  }

  listAdminAudit(page: AdminAuditPage): Promise<AdminAuditEntry[]> {
    return adminAudit.listAdminAudit(this.#sql, page);
  }

  async endShardHoldings(losses: readonly HoldingLoss[], at: Date): Promise<number> {
    return losses.length === 0 ? 0 : this.#tx('write', (sql) => rewards.loseHoldings(sql, losses, at));
  }

  storedByteMs(nodeId: string, window: TimeWindow): Promise<bigint> {
    return rewards.storedByteMs(this.#sql, nodeId, window);
  }

  listShardHoldings(nodeId: string): Promise<ShardHolding[]> {
    return rewards.listHoldings(this.#sql, nodeId);
  }

  async addNodeService(rows: readonly NodeServiceCounts[]): Promise<void> {
    if (rows.length > 0) await rewards.addService(this.#sql, rows);
  }

  sumNodeService(nodeId: string, window: TimeWindow): Promise<NodeServiceTotal[]> {
    return rewards.sumService(this.#sql, nodeId, window);
  }

  getBucketLifecycle(name: string): Promise<readonly LifecycleRule[] | null> {
    return lifecycle.getRules(this.#sql, name);
  }

  setBucketLifecycle(name: string, rules: readonly LifecycleRule[] | null, at: Date): Promise<void> {
    return this.#tx('write', (sql) => lifecycle.setRules(sql, name, rules, at));
  }

  claimLifecycleJobs(owner: string, limit: number, leaseMs: number, at: Date): Promise<LifecycleJob[]> {
    return lifecycle.claim(this.#sql, owner, limit, leaseMs, at);
  }

  renewLifecycleJob(bucketRef: number, leaseToken: number, leaseMs: number, at: Date): Promise<boolean> {
    return lifecycle.renew(this.#sql, bucketRef, leaseToken, leaseMs, at);
  }

  completeLifecycleJob(bucketRef: number, leaseToken: number, nextRunAt: Date): Promise<boolean> {
    return lifecycle.complete(this.#sql, bucketRef, leaseToken, nextRunAt);
  }
}
