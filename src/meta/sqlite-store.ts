import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Span } from '../span.ts';
import { walkListing, type SeekBound } from './listing.ts';
import type {
  CompletedUpload, ListPartsPage, ListPartsQuery, ListUploadsPage, ListUploadsQuery, MultipartUpload, NewUploadedPart,
  ObjectCopy, ObjectPartLookup, UploadedPart,
} from './multipart-types.ts';
import { migrate } from './sqlite-migrations.ts';
import { prepareMultipartStatements } from './sqlite-multipart-statements.ts';
import { SqliteMultipart, type LedgerBucket } from './sqlite-multipart.ts';
import { SqliteObjectCopy } from './sqlite-object-copy.ts';
import { PendingClaim, SegmentBook } from './sqlite-segments.ts';
import {
  appendStorageEvent, insertRequestUsage, listSmallObjectPrefixes, totalRequestUsage, visitStorageEvents, type LedgerChange,
} from './sqlite-ledger.ts';
import { prepareStatements, type Statements } from './sqlite-statements.ts';
import {
  toAccessKey, toAccount, toBucket, toNode, toObjectVersion, toSegment, type AccessKeyRow, type AccountRow,
  type BucketRow, type GarbageRow, type NodeRow, type ObjectRow, type PendingShardRow,
  type SegmentRow, type ShardRow,
} from './sqlite-rows.ts';
import {
  AccessKeyAlreadyExistsError, AccountAlreadyExistsError, BucketAlreadyExistsError, BucketNotEmptyError,
  CommitPreconditionError, NoSuchAccountError, NoSuchBucketError, type MetaStore,
} from './store.ts';
import type {
  AccessKey, Account, Bucket, BucketAcl, CommitPrecondition, CorsRule, GarbageShard, ListObjectsPage, ListObjectsQuery,
  NewBucket, NewObjectVersion, NodeRecord, ObjectVersion, PendingShard, SegmentRecord,
} from './types.ts';
import type {
  RequestUsage, RequestUsageTotal, SmallObjectPrefix, SmallObjectQuery, StorageEvent, TimeWindow,
} from './usage-types.ts';

export interface SqliteMetaStoreOptions {
  /** The clock for times the store stamps itself: garbage enqueueing, a commit without createdAt. */
  readonly now?: () => Date;
  /** How long a statement waits for another connection's write lock. Default 5 s. */
  readonly busyTimeoutMs?: number;
}

/** Throws CommitPreconditionError when the key's current version (`current`) is not as required. */
function checkPrecondition(
  precondition: CommitPrecondition, current: ObjectRow | undefined, object: { bucket: string; key: string },
): void {
  if (precondition.kind === 'absent') {
    if (current) throw new CommitPreconditionError(object.bucket, object.key, 'exists');
    return;
  }
  if (!current) throw new CommitPreconditionError(object.bucket, object.key, 'absent');
  if (precondition.etag !== '*' && precondition.etag !== current.etag) {
    throw new CommitPreconditionError(object.bucket, object.key, 'etag');
  }
}

/**
 * The embedded MetaStore: one better-sqlite3 connection in WAL mode. The driver is synchronous;
 * each method does its work synchronously inside an async function, so a call is atomic with
 * respect to the event loop, and every multi-statement write is one IMMEDIATE transaction (a
 * second process on the same file waits for the lock instead of failing to upgrade a read lock).
 * Multi-statement reads run in a deferred transaction: one WAL snapshot.
 */
export class SqliteMetaStore implements MetaStore {
  readonly #db: Database.Database;
  readonly #sql: Statements;
  readonly #now: () => Date;
  /** Shared, reference-counted segments (sqlite-segments.ts). */
  readonly #segments: SegmentBook;
  readonly #multipart: SqliteMultipart;
  readonly #copies: SqliteObjectCopy;
  /** One cached transaction wrapper that runs the function it is given. */
  readonly #transaction: Database.Transaction<(fn: () => unknown) => unknown>;

  /** Opens (creating if needed) and migrates the database file; ':memory:' works for throwaways. */
  static open(path: string, options: SqliteMetaStoreOptions = {}): SqliteMetaStore {
    const db = new Database(path);
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
      migrate(db);
      return new SqliteMetaStore(db, options.now ?? (() => new Date()));
    } catch (error) {
      db.close();
      throw error;
    }
  }

  private constructor(db: Database.Database, now: () => Date) {
    this.#db = db;
    this.#sql = prepareStatements(db);
    this.#now = now;
    this.#transaction = db.transaction((fn: () => unknown) => fn());
    this.#segments = new SegmentBook(this.#sql);
    const context = {
      sql: this.#sql,
      multipartSql: prepareMultipartStatements(db),
      segments: this.#segments,
      bucketRow: (name: string) => this.#bucketRow(name),
      insertObjectRow: (bucketId: number, object: NewObjectVersion['object'], at: Date) => this.#insertObjectRow(bucketId, object, at),
      retireObject: (row: ObjectRow) => this.#retireObject(row),
      ledger: (bucket: LedgerBucket, change: LedgerChange, at: Date) => this.#ledger(bucket, change, at),
    };
    this.#multipart = new SqliteMultipart(context);
    this.#copies = new SqliteObjectCopy(context);
  }

  /** Runs `fn` in one IMMEDIATE transaction (rolled back when it throws). */
  #write<T>(fn: () => T): T {
    return this.#transaction.immediate(fn) as T;
  }

  /** Runs `fn` in one deferred transaction: all its reads see one snapshot. */
  #read<T>(fn: () => T): T {
    return this.#transaction.deferred(fn) as T;
  }

  async close(): Promise<void> {
    if (this.#db.open) this.#db.close();
  }

  async getSetting(name: string): Promise<string | null> {
    const row = this.#sql.getSetting.get(name) as { value: string } | undefined;
    return row?.value ?? null;
  }

  async setSetting(name: string, value: string): Promise<void> {
    this.#sql.setSetting.run(name, value);
  }

  async createAccount(name: string): Promise<Account> {
    return this.#write(() => {
      if (this.#sql.accountByName.get(name)) throw new AccountAlreadyExistsError(name);
      const account: Account = { id: randomBytes(16).toString('hex'), name, createdAt: this.#now() };
      this.#sql.insertAccount.run(account.id, name, account.createdAt.getTime());
      return account;
    });
  }

  async getAccount(id: string): Promise<Account | null> {
    return toAccount(this.#sql.accountById.get(id) as AccountRow | undefined);
  }

  async getAccountByName(name: string): Promise<Account | null> {
    return toAccount(this.#sql.accountByName.get(name) as AccountRow | undefined);
  }

  async createAccessKey(accountId: string, accessKeyId: string, secretKey: string): Promise<AccessKey> {
    return this.#write(() => {
      if (!this.#sql.accountById.get(accountId)) throw new NoSuchAccountError(accountId);
      if (this.#sql.accessKeyById.get(accessKeyId)) throw new AccessKeyAlreadyExistsError(accessKeyId);
      const createdAt = this.#now();
      this.#sql.insertAccessKey.run(accessKeyId, secretKey, accountId, createdAt.getTime());
      return { accessKeyId, secretKey, accountId, createdAt, revokedAt: null };
    });
  }

  async getAccessKey(accessKeyId: string): Promise<AccessKey | null> {
    const row = this.#sql.accessKeyById.get(accessKeyId) as AccessKeyRow | undefined;
    return row ? toAccessKey(row) : null;
  }

  async listAccessKeys(accountId?: string): Promise<AccessKey[]> {
    const rows = accountId === undefined
      ? this.#sql.accessKeys.all()
      : this.#sql.accessKeysOfAccount.all(accountId);
    return (rows as AccessKeyRow[]).map(toAccessKey);
  }

  async revokeAccessKey(accessKeyId: string, at: Date): Promise<boolean> {
    return this.#sql.revokeAccessKey.run(at.getTime(), accessKeyId).changes > 0;
  }

  async createBucket(bucket: NewBucket): Promise<void> {
    this.#write(() => {
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
    if (this.#sql.setBucketAcl.run(acl, name).changes === 0) throw new NoSuchBucketError(name);
  }

  async getBucketCors(name: string): Promise<readonly CorsRule[] | null> {
    const row = this.#sql.bucketCors.get(name) as { cors_rules: string | null } | undefined;
    if (!row) throw new NoSuchBucketError(name);
    return row.cors_rules === null ? null : JSON.parse(row.cors_rules) as CorsRule[];
  }

  async setBucketCors(name: string, rules: readonly CorsRule[] | null): Promise<void> {
    if (this.#sql.setBucketCors.run(rules === null ? null : JSON.stringify(rules), name).changes === 0) {
      throw new NoSuchBucketError(name);
    }
  }

  async getBucket(name: string): Promise<Bucket | null> {
    const row = this.#bucketRow(name);
    return row ? toBucket(row) : null;
  }

  async listBuckets(accountId: string): Promise<Bucket[]> {
    return (this.#sql.bucketsOfAccount.all(accountId) as BucketRow[]).map(toBucket);
  }

  async deleteBucket(name: string): Promise<void> {
    this.#write(() => {
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
    const { object, segments, writeId } = version;
    return this.#write(() => {
      const bucket = this.#bucketRow(object.bucket);
      if (!bucket) throw new NoSuchBucketError(object.bucket);
      const claim = PendingClaim.claim(this.#sql, writeId, segments);

      const now = this.#now();
      const replaced = this.#sql.objectByKey.get(bucket.id, object.key) as ObjectRow | undefined;
      if (version.precondition) checkPrecondition(version.precondition, replaced, object);
      if (replaced) this.#retireObject(replaced);
      this.#segments.addWrittenToObject(this.#insertObjectRow(bucket.id, object, now), segments);
      this.#ledger(bucket, { key: object.key, item: 'object', cause: 'put', oldSize: replaced?.size ?? null, newSize: object.size }, now);
      claim.settle(now);
      this.#segments.sweep(now);
      return replaced ? toObjectVersion(replaced, bucket.name) : null;
    });
  }

  /** The object row of a new current version (its segments are added by the caller). */
  #insertObjectRow(bucketId: number, object: NewObjectVersion['object'], now: Date): number {
    return Number(this.#sql.insertObject.run(
      bucketId, object.key, object.versionId, object.size, object.etag, object.contentType,
      JSON.stringify(object.userMetadata), JSON.stringify(object.checksums), (object.createdAt ?? now).getTime(),
      JSON.stringify(object.contentHeaders ?? {}),
    ).lastInsertRowid);
  }

  /**
   * Deletes the version: its segment references are released (the transaction must end with
   * `#segments.sweep`, which queues the shards no other object or part references).
   */
  #retireObject(row: ObjectRow): void {
    this.#segments.releaseObject(row.id);
    this.#sql.deleteObject.run(row.id);
  }

  async getObject(bucket: string, key: string): Promise<ObjectVersion | null> {
    return this.#read(() => {
      const bucketRow = this.#bucketRow(bucket);
      const row = bucketRow && this.#sql.objectByKey.get(bucketRow.id, key) as ObjectRow | undefined;
      return row ? toObjectVersion(row, bucket) : null;
    });
  }

  async getSegments(versionId: string, span?: Span): Promise<SegmentRecord[]> {
    if (span !== undefined && span.length <= 0) return [];
    return this.#read(() => {
      const object = this.#sql.objectIdByVersion.get(versionId) as { id: number } | undefined;
      if (!object) return [];
      const rows = span === undefined
        ? this.#sql.segmentsOfObject.all(object.id)
        : this.#sql.segmentsInSpan.all({ objectId: object.id, offset: span.offset, end: span.offset + span.length });
      return (rows as SegmentRow[]).map((row) => toSegment(row, this.#sql.shardsOfSegment.all(row.id) as ShardRow[]));
    });
  }

  async deleteObject(bucket: string, key: string): Promise<ObjectVersion | null> {
    return this.#write(() => {
      const bucketRow = this.#bucketRow(bucket);
      const row = bucketRow && this.#sql.objectByKey.get(bucketRow.id, key) as ObjectRow | undefined;
      if (!row) return null;
      const now = this.#now();
      this.#retireObject(row);
      this.#ledger(bucketRow, { key, item: 'object', cause: 'delete', oldSize: row.size, newSize: null }, now);
      this.#segments.sweep(now);
      return toObjectVersion(row, bucket);
    });
  }

  async listObjects(bucket: string, query: ListObjectsQuery): Promise<ListObjectsPage> {
    return this.#read(() => {
      const bucketRow = this.#bucketRow(bucket);
      if (!bucketRow) throw new NoSuchBucketError(bucket);
      const seek = (from: SeekBound, upper: string | null, limit: number) => {
        const statement = upper === null
          ? (from.inclusive ? this.#sql.seekFrom : this.#sql.seekAfter)
          : (from.inclusive ? this.#sql.seekFromBelow : this.#sql.seekAfterBelow);
        const bounds = upper === null ? [from.key] : [from.key, upper];
        return statement.iterate(bucketRow.id, ...bounds, limit) as Iterable<ObjectRow>;
      };
      const page = walkListing(query, seek);
      return {
        objects: page.objects.map((row) => toObjectVersion(row, bucket)),
        commonPrefixes: page.commonPrefixes,
        isTruncated: page.isTruncated,
        nextAfter: page.nextAfter,
      };
    });
  }

  async createMultipartUpload(upload: MultipartUpload): Promise<void> {
    this.#write(() => this.#multipart.create(upload));
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

  async copyObject(copy: ObjectCopy): Promise<ObjectVersion | null> {
    return this.#write(() => this.#copies.copy(copy, this.#now()));
  }

  async upsertNode(node: NodeRecord): Promise<void> {
    this.#sql.upsertNode.run(
      node.id, node.url, node.zone, node.capacityBytes, node.freeBytes,
      node.registeredAt.getTime(), node.lastHeartbeatAt.getTime(),
    );
  }

  async recordHeartbeat(nodeId: string, freeBytes: number, capacityBytes: number, at: Date): Promise<boolean> {
    return this.#sql.heartbeat.run(freeBytes, capacityBytes, at.getTime(), nodeId).changes > 0;
  }

  async getNode(id: string): Promise<NodeRecord | null> {
    const row = this.#sql.nodeById.get(id) as NodeRow | undefined;
    return row ? toNode(row) : null;
  }

  async listNodes(): Promise<NodeRecord[]> {
    return (this.#sql.nodes.all() as NodeRow[]).map(toNode);
  }

  async addPendingShards(writeId: string, shards: readonly PendingShard[], at: Date): Promise<void> {
    this.#write(() => {
      const { id } = this.#sql.touchWrite.get(writeId, at.getTime()) as { id: number };
      for (const shard of shards) this.#sql.insertPendingShard.run(id, shard.shardId, shard.nodeId, at.getTime());
    });
  }

  async abandonWrite(writeId: string): Promise<void> {
    this.#write(() => {
      const writeRef = this.#writeRef(writeId);
      if (writeRef !== null) this.#abandon(writeRef, this.#now());
    });
  }

  async abandonPendingShardsBefore(before: Date): Promise<number> {
    return this.#write(() => {
      const now = this.#now();
      let queued = 0;
      for (const { id } of this.#sql.idleWrites.all(before.getTime()) as { id: number }[]) {
        queued += this.#abandon(id, now);
      }
      return queued;
    });
  }

  /** Moves a write's pending shards to the garbage queue and forgets the write. */
  #abandon(writeRef: number, now: Date): number {
    const pending = this.#sql.pendingShardsOfWrite.all(writeRef) as PendingShardRow[];
    for (const row of pending) this.#sql.insertGarbage.run(row.shard_id, row.node_id, now.getTime());
    this.#sql.deleteWrite.run(writeRef);
    return pending.length;
  }

  async listGarbage(limit: number, enqueuedBefore?: Date): Promise<GarbageShard[]> {
    if (!(limit > 0)) return []; // SQLite reads a negative LIMIT as "no limit"
    const before = enqueuedBefore?.getTime() ?? Number.MAX_SAFE_INTEGER;
    return (this.#sql.garbageBefore.all(before, Math.floor(limit)) as GarbageRow[]).map((row) => ({
      id: row.id, shardId: row.shard_id, nodeId: row.node_id, enqueuedAt: new Date(row.enqueued_at),
    }));
  }

  async removeGarbage(ids: readonly number[]): Promise<void> {
    this.#write(() => {
      for (const id of ids) this.#sql.deleteGarbage.run(id);
    });
  }

  async scanStorageEvents(accountId: string, before: Date, visit: (event: StorageEvent) => void): Promise<void> {
    this.#read(() => visitStorageEvents(this.#sql, accountId, before, visit));
  }

  async appendRequestUsage(rows: readonly RequestUsage[]): Promise<void> {
    if (rows.length > 0) this.#write(() => insertRequestUsage(this.#sql, rows));
  }

  async sumRequestUsage(accountId: string, window: TimeWindow): Promise<RequestUsageTotal[]> {
    return totalRequestUsage(this.#sql, accountId, window);
  }

  async smallObjectPrefixes(query: SmallObjectQuery): Promise<SmallObjectPrefix[]> {
    return listSmallObjectPrefixes(this.#sql, query);
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

  #writeRef(writeId: string): number | null {
    const row = this.#sql.writeRefById.get(writeId) as { id: number } | undefined;
    return row?.id ?? null;
  }
}
