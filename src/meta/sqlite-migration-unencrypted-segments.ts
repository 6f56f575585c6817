/**
 * Schema step: a partial index on the segments stored in the clear (no data key), so
 * `shardgate encrypt-existing` pages through them by index seeks and a rerun over a fully
 * encrypted store reads nothing. An entry of MIGRATIONS (sqlite-migrations.ts): never edit it
 * once released, add a new one.
 */
export const UNENCRYPTED_SEGMENTS_MIGRATION = `
  CREATE INDEX segments_unencrypted ON segments (id) WHERE key_id IS NULL;
`;
