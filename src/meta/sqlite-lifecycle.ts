import type Database from 'better-sqlite3';
import type { LifecycleRule } from '../lifecycle/lifecycle-types.ts';
import type { LifecycleJob } from './lifecycle-store-types.ts';
import { NoSuchBucketError } from './store.ts';

interface JobRow { bucket_id: number; rules: string; lease_token: number; name: string }

/**
 * Lifecycle in the SQLite store (lifecycle-store-types.ts): rules per bucket and the leased,
 * fenced per-bucket job. Methods that change several rows run inside the store's write
 * transaction (the caller opens it).
 */
export class SqliteLifecycle {
  readonly #rulesOfBucket: Database.Statement;
  readonly #bucketId: Database.Statement;
  readonly #upsert: Database.Statement;
  readonly #remove: Database.Statement;
  readonly #due: Database.Statement;
  readonly #lease: Database.Statement;
  readonly #renew: Database.Statement;
  readonly #complete: Database.Statement;

  constructor(db: Database.Database) {
    this.#rulesOfBucket = db.prepare('SELECT b.id, l.rules FROM buckets b LEFT JOIN bucket_lifecycle l ON l.bucket_id = b.id WHERE b.name = ?');
    this.#bucketId = db.prepare('SELECT id FROM buckets WHERE name = ?');
    this.#upsert = db.prepare(`INSERT INTO bucket_lifecycle (bucket_id, rules, next_run_at) VALUES (?, ?, ?)
      ON CONFLICT (bucket_id) DO UPDATE SET rules = excluded.rules, next_run_at = excluded.next_run_at,
        lease_owner = NULL, lease_expires_at = NULL, lease_token = bucket_lifecycle.lease_token + 1`);
    this.#remove = db.prepare('DELETE FROM bucket_lifecycle WHERE bucket_id = ?');
    this.#due = db.prepare(`SELECT l.bucket_id, l.rules, l.lease_token, b.name FROM bucket_lifecycle l JOIN buckets b ON b.id = l.bucket_id
      WHERE l.next_run_at <= ? AND (l.lease_expires_at IS NULL OR l.lease_expires_at <= ?)
      ORDER BY l.next_run_at, l.bucket_id LIMIT ?`);
    this.#lease = db.prepare('UPDATE bucket_lifecycle SET lease_owner = ?, lease_token = lease_token + 1, lease_expires_at = ? WHERE bucket_id = ?');
    this.#renew = db.prepare(`UPDATE bucket_lifecycle SET lease_expires_at = ?
      WHERE bucket_id = ? AND lease_token = ? AND lease_expires_at IS NOT NULL`);
    this.#complete = db.prepare(`UPDATE bucket_lifecycle SET lease_owner = NULL, lease_expires_at = NULL, next_run_at = ?
      WHERE bucket_id = ? AND lease_token = ? AND lease_expires_at IS NOT NULL`);
  }

  rules(bucket: string): LifecycleRule[] | null {
    const row = this.#rulesOfBucket.get(bucket) as { id: number; rules: string | null } | undefined;
    if (!row) throw new NoSuchBucketError(bucket);
    return row.rules === null ? null : JSON.parse(row.rules) as LifecycleRule[];
  }

  /** Runs inside a write transaction. */
  setRules(bucket: string, rules: readonly LifecycleRule[] | null, at: Date): void {
    const row = this.#bucketId.get(bucket) as { id: number } | undefined;
    if (!row) throw new NoSuchBucketError(bucket);
    if (rules === null) this.#remove.run(row.id);
    else this.#upsert.run(row.id, JSON.stringify(rules), at.getTime());
  }

  /** Runs inside a write transaction. */
  claim(owner: string, limit: number, leaseMs: number, at: Date): LifecycleJob[] {
    if (!(limit > 0)) return [];
    const rows = this.#due.all(at.getTime(), at.getTime(), Math.floor(limit)) as JobRow[];
    return rows.map((row) => {
      this.#lease.run(owner, at.getTime() + leaseMs, row.bucket_id);
      return { bucket: row.name, bucketRef: row.bucket_id, rules: JSON.parse(row.rules) as LifecycleRule[], leaseToken: row.lease_token + 1 };
    });
  }

  renew(bucketRef: number, leaseToken: number, leaseMs: number, at: Date): boolean {
    return this.#renew.run(at.getTime() + leaseMs, bucketRef, leaseToken).changes > 0;
  }

  complete(bucketRef: number, leaseToken: number, nextRunAt: Date): boolean {
    return this.#complete.run(nextRunAt.getTime(), bucketRef, leaseToken).changes > 0;
  }
}
