/**
 * PostgreSQL schema step: encryption at rest, SQLite's ENCRYPTION_MIGRATION
 * (sqlite-migration-encryption.ts explains the columns) in PostgreSQL terms. An entry of
 * POSTGRES_MIGRATIONS: never edit it once released, add a new one.
 *
 * A segment's wrapped key lives in its row, deleted in the transaction that drops the last
 * reference. PostgreSQL has no secure_delete: the dead tuple stays in the heap file until VACUUM
 * reuses the space (the README's PostgreSQL section says so).
 */
export const POSTGRES_ENCRYPTION_MIGRATION = `
  ALTER TABLE segments ADD COLUMN key_id text COLLATE "C";
  ALTER TABLE segments ADD COLUMN wrapped_key bytea;
  ALTER TABLE segments ADD COLUMN cipher_iv bytea;
  CREATE INDEX segments_by_key_id ON segments (key_id, id) WHERE key_id IS NOT NULL;
  ALTER TABLE objects ADD COLUMN encryption text;
  ALTER TABLE buckets ADD COLUMN default_encryption text;
`;
