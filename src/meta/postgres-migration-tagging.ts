/**
 * Schema step: object and bucket tags (S3 tagging), as sqlite-migration-tagging.ts: `objects.tags`
 * a JSON array of `{ key, value }` (`[]`: none), `buckets.tags` JSON or NULL (no tag set). An entry
 * of POSTGRES_MIGRATIONS: never edit it once released, add a new one.
 */
export const POSTGRES_TAGGING_MIGRATION = `
  ALTER TABLE objects ADD COLUMN tags text NOT NULL DEFAULT '[]';
  ALTER TABLE buckets ADD COLUMN tags text;
`;
