/**
 * Schema step: sqlite-migration-inline-segments.ts in PostgreSQL terms (`segments.inline_data`,
 * the ciphertext of a segment kept in the metadata, NULL for a segment on nodes). An entry of
 * POSTGRES_MIGRATIONS: never edit it once released, add a new one.
 */
export const POSTGRES_INLINE_SEGMENTS_MIGRATION = `
  ALTER TABLE segments ADD COLUMN inline_data bytea;
  CREATE INDEX segments_on_nodes ON segments (id) WHERE inline_data IS NULL AND ref_count > 0;
`;
