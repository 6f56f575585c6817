import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import type { Span } from '../span.ts';
import { walkListing, type SeekBound } from './listing.ts';
import { migrate } from './sqlite-migrations.ts';
import { prepareStatements, type Statements } from './sqlite-statements.ts';
import {
  toAccessKey, toAccount, toBucket, toNode, toObjectVersion, toSegment, type AccessKeyRow, type AccountRow,
  type BucketRow, type GarbageRow, type NodeRow, type ObjectRow, type ObjectShardRow, type PendingShardRow,
  type SegmentRow, type ShardRow,
} from './sqlite-rows.ts';
import {
  AccessKeyAlreadyExistsError, AccountAlreadyExistsError, BucketAlreadyExistsError, BucketNotEmptyError,
  NoSuchAccountError, NoSuchBucketError, WriteAbandonedError, type MetaStore,
} from './store.ts';
import { shardId } from './types.ts';
import type {
  AccessKey, Account, Bucket, GarbageShard, ListObjectsPage, ListObjectsQuery, NewObjectVersion,
  NodeRecord, ObjectVersion, PendingShard, SegmentRecord,
} from './types.ts';

export interface SqliteMetaStoreOptions {
  /** The clock for times the store stamps itself: garbage enqueueing, a commit without createdAt. */
  readonly now?: () => Date;
  /** How long a statement waits for another connection's write lock. Default 5 s. */
  readonly busyTimeoutMs?: number;
}

/** A placement's identity in the pending and garbage bookkeeping: which file on which node. */
function placementKey(shardFileId: string, nodeId: string): string {
  return JSON.stringify([shardFileId, nodeId]);
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

  async createBucket(bucket: Bucket): Promise<void> {
    this.#write(() => {
      const existing = this.#sql.bucketByName.get(bucket.name) as BucketRow | undefined;
      if (existing) throw new BucketAlreadyExistsError(bucket.name, existing.account_id);
      if (!this.#sql.accountById.get(bucket.accountId)) throw new NoSuchAccountError(bucket.accountId);
      const { dataShards, parityShards, chunkSize } = bucket.profile;
      this.#sql.insertBucket.run(
        bucket.name, bucket.accountId, bucket.createdAt.getTime(), dataShards, parityShards, chunkSize,
      );
    });
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
      this.#sql.deleteBucket.run(row.id);
    });
  }

  async commitObject(version: NewObjectVersion): Promise<ObjectVersion | null> {
    const { object, segments, writeId } = version;
    return this.#write(() => {
      const bucket = this.#bucketRow(object.bucket);
      if (!bucket) throw new NoSuchBucketError(object.bucket);
      const writeRef = this.#writeRef(writeId);
      const pending = writeRef === null
        ? []
        : this.#sql.pendingShardsOfWrite.all(writeRef) as PendingShardRow[];
      const pendingKeys = new Set(pending.map((row) => placementKey(row.shard_id, row.node_id)));
      const namedKeys = new Set<string>();
      let missing = 0;
      for (const segment of segments) {
        for (const shard of segment.shards) {
          const key = placementKey(shardId(segment.id, shard.shardIndex), shard.nodeId);
          namedKeys.add(key);
          if (!pendingKeys.has(key)) missing += 1;
        }
      }
      if (missing > 0) throw new WriteAbandonedError(writeId, missing);

      const now = this.#now();
      const replaced = this.#sql.objectByKey.get(bucket.id, object.key) as ObjectRow | undefined;
      if (replaced) this.#retireObject(replaced, now);
      this.#insertVersion(bucket.id, object, segments, now);
      for (const row of pending) {
        if (!namedKeys.has(placementKey(row.shard_id, row.node_id))) {
          this.#sql.insertGarbage.run(row.shard_id, row.node_id, now.getTime());
        }
      }
      if (writeRef !== null) this.#sql.deleteWrite.run(writeRef);
      return replaced ? toObjectVersion(replaced, bucket.name) : null;
    });
  }

  #insertVersion(
    bucketId: number, object: NewObjectVersion['object'], segments: readonly SegmentRecord[], now: Date,
  ): void {
    const objectId = this.#sql.insertObject.run(
      bucketId, object.key, object.versionId, object.size, object.etag, object.contentType,
      JSON.stringify(object.userMetadata), JSON.stringify(object.checksums), (object.createdAt ?? now).getTime(),
    ).lastInsertRowid;
    for (const segment of segments) {
      const { dataShards, parityShards, chunkSize } = segment.profile;
      const segmentRef = this.#sql.insertSegment.run(
        segment.id, objectId, segment.index, segment.partNumber, segment.offset, segment.length,
        dataShards, parityShards, chunkSize,
      ).lastInsertRowid;
      for (const shard of segment.shards) {
        this.#sql.insertShard.run(segmentRef, shard.shardIndex, shard.nodeId, shard.root);
      }
    }
  }

  /** Queues every shard of the version as garbage and deletes it (segments and shards cascade). */
  #retireObject(row: ObjectRow, now: Date): void {
    for (const shard of this.#sql.shardsOfObject.all(row.id) as ObjectShardRow[]) {
      this.#sql.insertGarbage.run(shardId(shard.segment_id, shard.shard_index), shard.node_id, now.getTime());
    }
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
      this.#retireObject(row, this.#now());
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

  #bucketRow(name: string): BucketRow | undefined {
    return this.#sql.bucketByName.get(name) as BucketRow | undefined;
  }

  #writeRef(writeId: string): number | null {
    const row = this.#sql.writeRefById.get(writeId) as { id: number } | undefined;
    return row?.id ?? null;
  }
}
