/**
 * Schema step: object and bucket tags (S3 tagging). `objects.tags` is the version's tag set as a
 * JSON array of `{ key, value }` (`[]`: none), kept with the version like its user metadata;
 * `buckets.tags` is the bucket's tag set as JSON, NULL when it has none (GetBucketTagging answers
 * NoSuchTagSet). An entry of MIGRATIONS (sqlite-migrations.ts): never edit it once released, add a new one.
 */
export const TAGGING_MIGRATION = `
  ALTER TABLE objects ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE buckets ADD COLUMN tags TEXT;
`;
