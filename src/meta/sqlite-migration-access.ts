/**
 * Schema step: bucket policies and object ACLs. An entry of MIGRATIONS (sqlite-migrations.ts):
 * never edit it once released, add a new one. `buckets.policy` is the policy's JSON text as the
 * owner stored it (NULL: none); `objects.acl` the version's canned ACL (`private`, `public-read`).
 */
export const ACCESS_MIGRATION = `
  ALTER TABLE buckets ADD COLUMN policy TEXT;
  ALTER TABLE objects ADD COLUMN acl TEXT NOT NULL DEFAULT 'private';
`;
