/**
 * Schema step: bucket lifecycle (issue 13). An entry of MIGRATIONS (sqlite-migrations.ts): never
 * edit it once released, add a new one.
 *
 * `bucket_lifecycle`: one row per bucket with a lifecycle configuration (`rules`, JSON of
 * LifecycleRule[]), which is also the bucket's lease for the lifecycle worker: due from
 * `next_run_at`, leased to `lease_owner` until `lease_expires_at`, fenced by `lease_token`.
 * The row leaves with its bucket (cascade).
 */
export const LIFECYCLE_MIGRATION = `
  CREATE TABLE bucket_lifecycle (
    bucket_id        INTEGER PRIMARY KEY REFERENCES buckets (id) ON DELETE CASCADE,
    rules            TEXT NOT NULL,
    next_run_at      INTEGER NOT NULL,
    lease_owner      TEXT,
    lease_token      INTEGER NOT NULL DEFAULT 0,
    lease_expires_at INTEGER
  );
  CREATE INDEX bucket_lifecycle_due ON bucket_lifecycle (next_run_at);
`;
