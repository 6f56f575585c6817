/**
 * Schema step: bucket policies and object ACLs (as sqlite-migration-access.ts). An entry of
 * POSTGRES_MIGRATIONS: never edit it once released, add a new one.
 */
export const POSTGRES_ACCESS_MIGRATION = `
  ALTER TABLE buckets ADD COLUMN policy text;
  ALTER TABLE objects ADD COLUMN acl text NOT NULL DEFAULT 'private';
`;
