/**
 * Schema step: sqlite-migration-write-leases.ts in PostgreSQL terms (the writer of each pending
 * write, for lease renewal). An entry of POSTGRES_MIGRATIONS: never edit it once released, add a
 * new one.
 */
export const POSTGRES_WRITE_LEASES_MIGRATION = `
  ALTER TABLE pending_writes ADD COLUMN writer text COLLATE "C" NOT NULL DEFAULT '';
  CREATE INDEX pending_writes_by_writer ON pending_writes (writer);
`;
