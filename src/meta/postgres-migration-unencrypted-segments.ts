/**
 * Schema step: sqlite-migration-unencrypted-segments.ts in PostgreSQL terms (a partial index on
 * the segments stored in the clear). An entry of POSTGRES_MIGRATIONS: never edit it once
 * released, add a new one.
 */
export const POSTGRES_UNENCRYPTED_SEGMENTS_MIGRATION = `
  CREATE INDEX segments_unencrypted ON segments (id) WHERE key_id IS NULL;
`;
