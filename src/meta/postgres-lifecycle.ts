import type { LifecycleRule } from '../lifecycle/lifecycle-types.ts';
import type { LifecycleJob } from './lifecycle-store-types.ts';
import type { Sql } from './postgres-db.ts';
import { NoSuchBucketError } from './store.ts';

/**
 * Lifecycle in the PostgreSQL store (lifecycle-store-types.ts): rules per bucket and the leased,
 * fenced per-bucket job; claiming is one `UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED)`, so
 * gateways claiming at once take different buckets instead of waiting for each other.
 */
export const LIFECYCLE_SQL = {
  rulesOfBucket: `SELECT b.id, l.rules FROM buckets b LEFT JOIN bucket_lifecycle l ON l.bucket_id = b.id WHERE b.name = $1`,
  // FOR SHARE: a DeleteBucket (FOR UPDATE) waits, so the insert never names a bucket being deleted.
  bucketForLifecycle: 'SELECT id FROM buckets WHERE name = $1 FOR SHARE',
  upsert: `INSERT INTO bucket_lifecycle (bucket_id, rules, next_run_at) VALUES ($1, $2, $3)
    ON CONFLICT (bucket_id) DO UPDATE SET rules = excluded.rules, next_run_at = excluded.next_run_at,
      lease_owner = NULL, lease_expires_at = NULL, lease_token = bucket_lifecycle.lease_token + 1`,
  remove: 'DELETE FROM bucket_lifecycle WHERE bucket_id = $1',
  claim: `WITH picked AS (
      SELECT bucket_id FROM bucket_lifecycle
      WHERE next_run_at <= $1 AND (lease_expires_at IS NULL OR lease_expires_at <= $1)
      ORDER BY next_run_at, bucket_id LIMIT $2
      FOR UPDATE SKIP LOCKED)
    UPDATE bucket_lifecycle l SET lease_owner = $3, lease_token = l.lease_token + 1, lease_expires_at = $4
    FROM picked, buckets b WHERE l.bucket_id = picked.bucket_id AND b.id = l.bucket_id
    RETURNING l.bucket_id, l.rules, l.lease_token, l.next_run_at, b.name`,
  renew: `UPDATE bucket_lifecycle SET lease_expires_at = $1
    WHERE bucket_id = $2 AND lease_token = $3 AND lease_expires_at IS NOT NULL`,
  complete: `UPDATE bucket_lifecycle SET lease_owner = NULL, lease_expires_at = NULL, next_run_at = $1
    WHERE bucket_id = $2 AND lease_token = $3 AND lease_expires_at IS NOT NULL`,
} as const;

interface JobRow { bucket_id: number; rules: string; lease_token: number; next_run_at: number; name: string }

export async function getRules(sql: Sql, bucket: string): Promise<LifecycleRule[] | null> {
  const row = await sql.one<{ id: number; rules: string | null }>(LIFECYCLE_SQL.rulesOfBucket, [bucket]);
  if (!row) throw new NoSuchBucketError(bucket);
  return row.rules === null ? null : JSON.parse(row.rules) as LifecycleRule[];
}

/** Runs in a write transaction. */
export async function setRules(sql: Sql, bucket: string, rules: readonly LifecycleRule[] | null, at: Date): Promise<void> {
  const row = await sql.one<{ id: number }>(LIFECYCLE_SQL.bucketForLifecycle, [bucket]);
  if (!row) throw new NoSuchBucketError(bucket);
  if (rules === null) await sql.run(LIFECYCLE_SQL.remove, [row.id]);
  else await sql.run(LIFECYCLE_SQL.upsert, [row.id, JSON.stringify(rules), at.getTime()]);
}

export async function claim(sql: Sql, owner: string, limit: number, leaseMs: number, at: Date): Promise<LifecycleJob[]> {
  if (!(limit > 0)) return [];
  const rows = await sql.rows<JobRow>(LIFECYCLE_SQL.claim, [at.getTime(), Math.floor(limit), owner, at.getTime() + leaseMs]);
  rows.sort((a, b) => a.next_run_at - b.next_run_at || a.bucket_id - b.bucket_id);
  return rows.map((row) => ({ bucket: row.name, bucketRef: row.bucket_id, rules: JSON.parse(row.rules) as LifecycleRule[], leaseToken: row.lease_token }));
}

export async function renew(sql: Sql, bucketRef: number, leaseToken: number, leaseMs: number, at: Date): Promise<boolean> {
  return await sql.run(LIFECYCLE_SQL.renew, [at.getTime() + leaseMs, bucketRef, leaseToken]) > 0;
}

export async function complete(sql: Sql, bucketRef: number, leaseToken: number, nextRunAt: Date): Promise<boolean> {
  return await sql.run(LIFECYCLE_SQL.complete, [nextRunAt.getTime(), bucketRef, leaseToken]) > 0;
}
