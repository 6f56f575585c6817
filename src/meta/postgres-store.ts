import type pg from 'pg';
import type { Span } from '../span.ts';
import type {
  CompletedUpload, ListPartsPage, ListPartsQuery, ListUploadsPage, ListUploadsQuery, MultipartUpload, NewUploadedPart,
  ObjectCopy, ObjectPartLookup, UploadedPart,
} from './multipart-types.ts';
import * as accounts from './postgres-accounts.ts';
import { createPool, inTransaction, Sql, type PostgresPoolOptions, type TransactionMode } from './postgres-db.ts';
import * as ledger from './postgres-ledger.ts';
import { migratePostgres } from './postgres-migrations.ts';
import * as multipart from './postgres-multipart.ts';
import * as nodes from './postgres-nodes.ts';
import { copyObject, objectPart } from './postgres-object-copy.ts';
import * as objects from './postgres-objects.ts';
import { sweepSegments } from './postgres-segments.ts';
import * as writes from './postgres-write-queue.ts';
import type { LedgerChange } from './sqlite-ledger.ts';
import { toBucket, type BucketRow } from './sqlite-rows.ts';
import { BucketAlreadyExistsError, BucketNotEmptyError, NoSuchAccountError, NoSuchBucketError, type MetaStore } from './store.ts';
import type {
  AccessKey, Account, Bucket, BucketAcl, CorsRule, GarbageShard, ListObjectsPage, ListObjectsQuery, NewBucket,
  NewObjectVersion, NodeRecord, ObjectVersion, PendingShard, SegmentRecord,
} from './types.ts';
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

const BUCKET_SQL = {
  insertBucket: `INSERT INTO buckets (name, account_id, created_at, data_shards, parity_shards, chunk_size, acl)
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING`,
  bucketForDelete: 'SELECT * FROM buckets WHERE name = $1 FOR UPDATE',
  setBucketAcl: 'UPDATE buckets SET acl = $1 WHERE name = $2',
  bucketCors: 'SELECT cors_rules FROM buckets WHERE name = $1',
  setBucketCors: 'UPDATE buckets SET cors_rules = $1 WHERE name = $2',
  bucketsOfAccount: 'SELECT * FROM buckets WHERE account_id = $1 ORDER BY name',
  bucketHasObjects: 'SELECT 1 FROM objects WHERE bucket_id = $1 LIMIT 1',
  deleteBucket: 'DELETE FROM buckets WHERE id = $1',
} as const;

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
  #closed = false;

  /** Connects, migrates, and returns the store; MetaStoreConnectError (one line) when the database is unreachable. */
  static async open(url: string, options: PostgresMetaStoreOptions = {}): Promise<PostgresMetaStore> {
    const pool = createPool(url, options);
    try {
      await migratePostgres(pool);
    } catch (error) {
      await pool.end().catch(() => {});
      if ((error as { code?: string }).code === 'SCHEMA_TOO_NEW') throw error;
      throw new MetaStoreConnectError(`cannot open the PostgreSQL metadata store at ${redactUrl(url)}: ${describe(error)}`);
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

  async createBucket(bucket: NewBucket): Promise<void> {
    await this.#tx('write', async (sql) => {
      const existing = await objects.bucketRow(sql, bucket.name);
      if (existing) throw new BucketAlreadyExistsError(bucket.name, existing.account_id);
      if (!await sql.one(accounts.ACCOUNT_SQL.accountByIdForKey, [bucket.accountId])) throw new NoSuchAccountError(bucket.accountId);
      const { dataShards, parityShards, chunkSize } = bucket.profile;
      const inserted = await sql.run(BUCKET_SQL.insertBucket, [
        bucket.name, bucket.accountId, bucket.createdAt.getTime(), dataShards, parityShards, chunkSize, bucket.acl ?? 'private',
      ]);
      if (inserted === 0) {
        // Taken by a concurrent CreateBucket that committed after our first look: its row is visible now.
        const winner = await objects.bucketRow(sql, bucket.name);
        throw new BucketAlreadyExistsError(bucket.name, winner?.account_id ?? '');
      }
    });
  }

  async getBucket(name: string): Promise<Bucket | null> {
    const row = await objects.bucketRow(this.#sql, name);
    return row ? toBucket(row) : null;
  }

  async setBucketAcl(name: string, acl: BucketAcl): Promise<void> {
    if (await this.#sql.run(BUCKET_SQL.setBucketAcl, [acl, name]) === 0) throw new NoSuchBucketError(name);
  }

  async getBucketCors(name: string): Promise<readonly CorsRule[] | null> {
    const row = await this.#sql.one<{ cors_rules: string | null }>(BUCKET_SQL.bucketCors, [name]);
    if (!row) throw new NoSuchBucketError(name);
    return row.cors_rules === null ? null : JSON.parse(row.cors_rules) as CorsRule[];
  }

  async setBucketCors(name: string, rules: readonly CorsRule[] | null): Promise<void> {
    if (await this.#sql.run(BUCKET_SQL.setBucketCors, [rules === null ? null : JSON.stringify(rules), name]) === 0) {
      throw new NoSuchBucketError(name);
    }
  }

  async listBuckets(accountId: string): Promise<Bucket[]> {
    return (await this.#sql.rows<BucketRow>(BUCKET_SQL.bucketsOfAccount, [accountId])).map(toBucket);
  }

  async deleteBucket(name: string): Promise<void> {
    await this.#tx('write', async (sql) => {
      // FOR UPDATE waits for writes in flight (they hold the row FOR KEY SHARE), then sees their objects.
      const row = await sql.one<BucketRow>(BUCKET_SQL.bucketForDelete, [name]);
      if (!row) throw new NoSuchBucketError(name);
      if (await sql.one(BUCKET_SQL.bucketHasObjects, [row.id])) throw new BucketNotEmptyError(name);
      const now = this.#now();
      await multipart.abortAllOfBucket(sql, this.#ledger, row, now);
      await sweepSegments(sql, now);
      await sql.run(BUCKET_SQL.deleteBucket, [row.id]);
    });
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

  deleteObject(bucket: string, key: string): Promise<ObjectVersion | null> {
    return this.#tx('write', (sql) => objects.deleteObject(sql, this.#ledger, bucket, key, this.#now()));
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
    return writes.addPending(this.#sql, writeId, shards, at);
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
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparsable URL';
  }
}

function describe(error: unknown): string {
  const { message, code } = error as { message?: string; code?: string };
  const text = (message && message !== '' ? message : code ?? String(error)).split('\n')[0]!;
  return code && !text.includes(code) ? `${text} (${code})` : text;
}
