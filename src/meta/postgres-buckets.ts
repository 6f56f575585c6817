import * as accounts from './postgres-accounts.ts';
import type { Sql } from './postgres-db.ts';
import { abortAllOfBucket } from './postgres-multipart.ts';
import { bucketRow, type Ledger } from './postgres-objects.ts';
import { sweepSegments } from './postgres-segments.ts';
import { toBucket, toBucketSummary, type BucketRecordRow, type BucketRow } from './sqlite-rows.ts';
import {
  BucketAlreadyExistsError, BucketNotEmptyError, NoSuchAccountError, NoSuchBucketError, type BucketEncryptionAlgorithm,
} from './store.ts';
import type { Bucket, BucketAcl, BucketListPage, BucketSummary, CorsRule, NewBucket, ObjectAcl, Tag } from './types.ts';

/** Buckets in the PostgreSQL store: create, list (paged), settings, delete. */
export const BUCKET_SQL = {
  insertBucket: `INSERT INTO buckets (name, account_id, created_at, data_shards, parity_shards, chunk_size, acl)
    VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING`,
  bucketForDelete: 'SELECT * FROM buckets WHERE name = $1 FOR UPDATE',
  setBucketAcl: 'UPDATE buckets SET acl = $1 WHERE name = $2',
  setBucketPolicy: 'UPDATE buckets SET policy = $1 WHERE name = $2',
  setObjectAcl: 'UPDATE objects SET acl = $1 WHERE bucket_id = (SELECT id FROM buckets WHERE name = $2) AND key = $3',
  bucketCors: 'SELECT cors_rules FROM buckets WHERE name = $1',
  setBucketCors: 'UPDATE buckets SET cors_rules = $1 WHERE name = $2',
  bucketEncryption: 'SELECT default_encryption FROM buckets WHERE name = $1',
  setBucketEncryption: 'UPDATE buckets SET default_encryption = $1 WHERE name = $2',
  bucketTags: 'SELECT tags FROM buckets WHERE name = $1',
  setBucketTags: 'UPDATE buckets SET tags = $1 WHERE name = $2',
  setObjectTags: 'UPDATE objects SET tags = $1 WHERE bucket_id = (SELECT id FROM buckets WHERE name = $2) AND key = $3',
  // A seek on buckets_by_account (account_id, name COLLATE "C"); LIMIT NULL is no limit.
  bucketsOfAccount: `SELECT * FROM buckets WHERE account_id = $1 AND name > $2 AND left(name, length($3)) = $3 ORDER BY name LIMIT $4`,
  bucketRecord: `SELECT b.*, EXISTS (SELECT 1 FROM bucket_lifecycle l WHERE l.bucket_id = b.id) AS has_lifecycle
    FROM buckets b WHERE b.name = $1`,
  bucketHasObjects: 'SELECT 1 FROM objects WHERE bucket_id = $1 LIMIT 1',
  deleteBucket: 'DELETE FROM buckets WHERE id = $1',
} as const;

/** Runs in a write transaction. */
export async function createBucket(sql: Sql, bucket: NewBucket): Promise<void> {
  const existing = await bucketRow(sql, bucket.name);
  if (existing) throw new BucketAlreadyExistsError(bucket.name, existing.account_id);
  if (!await sql.one(accounts.ACCOUNT_SQL.accountByIdForKey, [bucket.accountId])) throw new NoSuchAccountError(bucket.accountId);
  const { dataShards, parityShards, chunkSize } = bucket.profile;
  const inserted = await sql.run(BUCKET_SQL.insertBucket, [
    bucket.name, bucket.accountId, bucket.createdAt.getTime(), dataShards, parityShards, chunkSize, bucket.acl ?? 'private',
  ]);
  if (inserted === 0) {
    // Taken by a concurrent CreateBucket that committed after our first look: its row is visible now.
    const winner = await bucketRow(sql, bucket.name);
    throw new BucketAlreadyExistsError(bucket.name, winner?.account_id ?? '');
  }
}

export async function listBuckets(sql: Sql, accountId: string, page: BucketListPage): Promise<BucketSummary[]> {
  const prefix = page.prefix ?? '';
  // After the larger of `after` and the last name below the prefix (as the SQLite store).
  const after = page.after !== undefined && page.after > prefix ? page.after : prefix === '' ? '' : prefix.slice(0, -1);
  const limit = page.limit === undefined || page.limit < 0 ? null : Math.floor(page.limit);
  return (await sql.rows<BucketRow>(BUCKET_SQL.bucketsOfAccount, [accountId, after, prefix, limit])).map(toBucketSummary);
}

/** The Bucket record of `name`, or null. */
export async function getBucket(sql: Sql, name: string): Promise<Bucket | null> {
  const row = await sql.one<BucketRecordRow>(BUCKET_SQL.bucketRecord, [name]);
  return row ? toBucket(row) : null;
}

export async function setBucketAcl(sql: Sql, name: string, acl: BucketAcl): Promise<void> {
  if (await sql.run(BUCKET_SQL.setBucketAcl, [acl, name]) === 0) throw new NoSuchBucketError(name);
}

export async function setBucketPolicy(sql: Sql, name: string, policy: string | null): Promise<void> {
  if (await sql.run(BUCKET_SQL.setBucketPolicy, [policy, name]) === 0) throw new NoSuchBucketError(name);
}

export async function setObjectAcl(sql: Sql, bucket: string, key: string, acl: ObjectAcl): Promise<boolean> {
  if (await sql.run(BUCKET_SQL.setObjectAcl, [acl, bucket, key]) > 0) return true;
  if (!await bucketRow(sql, bucket)) throw new NoSuchBucketError(bucket);
  return false;
}

export async function getBucketCors(sql: Sql, name: string): Promise<readonly CorsRule[] | null> {
  const row = await sql.one<{ cors_rules: string | null }>(BUCKET_SQL.bucketCors, [name]);
  if (!row) throw new NoSuchBucketError(name);
  return row.cors_rules === null ? null : JSON.parse(row.cors_rules) as CorsRule[];
}

export async function setBucketCors(sql: Sql, name: string, rules: readonly CorsRule[] | null): Promise<void> {
  if (await sql.run(BUCKET_SQL.setBucketCors, [rules === null ? null : JSON.stringify(rules), name]) === 0) {
    throw new NoSuchBucketError(name);
  }
}

export async function getBucketEncryption(sql: Sql, name: string): Promise<BucketEncryptionAlgorithm | null> {
  const row = await sql.one<{ default_encryption: string | null }>(BUCKET_SQL.bucketEncryption, [name]);
  if (!row) throw new NoSuchBucketError(name);
  return row.default_encryption as BucketEncryptionAlgorithm | null;
}

export async function setBucketEncryption(sql: Sql, name: string, algorithm: BucketEncryptionAlgorithm | null): Promise<void> {
  if (await sql.run(BUCKET_SQL.setBucketEncryption, [algorithm, name]) === 0) throw new NoSuchBucketError(name);
}

export async function getBucketTags(sql: Sql, name: string): Promise<readonly Tag[] | null> {
  const row = await sql.one<{ tags: string | null }>(BUCKET_SQL.bucketTags, [name]);
  if (!row) throw new NoSuchBucketError(name);
  return row.tags === null ? null : JSON.parse(row.tags) as Tag[];
}

export async function setBucketTags(sql: Sql, name: string, tags: readonly Tag[] | null): Promise<void> {
  if (await sql.run(BUCKET_SQL.setBucketTags, [tags === null ? null : JSON.stringify(tags), name]) === 0) throw new NoSuchBucketError(name);
}

/** One statement: the current version's tags (see MetaStore.setObjectTags). */
export async function setObjectTags(sql: Sql, bucket: string, key: string, tags: readonly Tag[]): Promise<boolean> {
  return await sql.run(BUCKET_SQL.setObjectTags, [JSON.stringify(tags), bucket, key]) > 0;
}

/** Runs in a write transaction. */
export async function deleteBucket(sql: Sql, ledger: Ledger, name: string, now: Date): Promise<void> {
  // FOR UPDATE waits for writes in flight (they hold the row FOR KEY SHARE), then sees their objects.
  const row = await sql.one<BucketRow>(BUCKET_SQL.bucketForDelete, [name]);
  if (!row) throw new NoSuchBucketError(name);
  if (await sql.one(BUCKET_SQL.bucketHasObjects, [row.id])) throw new BucketNotEmptyError(name);
  // Uploads in progress do not keep a bucket alive (as on S3): they are aborted with it.
  await abortAllOfBucket(sql, ledger, row, now);
  await sweepSegments(sql, now);
  await sql.run(BUCKET_SQL.deleteBucket, [row.id]);
}
