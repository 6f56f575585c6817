/**
 * Schema step: tiny objects stored inline. `segments.inline_data` holds the whole ciphertext of a
 * segment kept in the metadata instead of on nodes (AES-256-CTR under the segment's own data key,
 * like any segment: never plaintext); NULL for a segment on nodes. An inline segment has no shard
 * rows, so every walk over shards (audits, drains, rewards, node GC) never meets it; the partial
 * index lets the repair checker's scan skip inline segments by index seeks. An entry of
 * MIGRATIONS (sqlite-migrations.ts): never edit it once released, add a new one.
 */
export const INLINE_SEGMENTS_MIGRATION = `
  ALTER TABLE segments ADD COLUMN inline_data BLOB;
  CREATE INDEX segments_on_nodes ON segments (id) WHERE inline_data IS NULL AND ref_count > 0;
`;
