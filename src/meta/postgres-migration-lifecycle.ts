/**
 * PostgreSQL schema step: bucket lifecycle, SQLite's LIFECYCLE_MIGRATION
 * (sqlite-migration-lifecycle.ts explains the table) in PostgreSQL terms. An entry of
 * POSTGRES_MIGRATIONS: never edit it once released, add a new one.
 */
export const POSTGRES_LIFECYCLE_MIGRATION = `
  CREATE TABLE bucket_lifecycle (
    bucket_id        bigint PRIMARY KEY REFERENCES buckets (id) ON DELETE CASCADE,
    rules            text NOT NULL,
    next_run_at      bigint NOT NULL,
    lease_owner      text,
    lease_token      bigint NOT NULL DEFAULT 0,
    lease_expires_at bigint
  );
  CREATE INDEX bucket_lifecycle_due ON bucket_lifecycle (next_run_at, bucket_id);
`;
