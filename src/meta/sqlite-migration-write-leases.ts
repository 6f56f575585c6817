/**
 * Schema step: every pending write names the store instance (one gateway process) that writes it,
 * so that process can renew all its live writes in one statement (MetaStore.renewPendingWrites)
 * and any gateway can tell a live write from a crashed one by its lease. Rows from before this step
 * have no writer: nobody renews them, and they are collected once idle past the lease. An entry of
 * MIGRATIONS (sqlite-migrations.ts): never edit it once released, add a new one.
 */
export const WRITE_LEASES_MIGRATION = `
  ALTER TABLE pending_writes ADD COLUMN writer TEXT NOT NULL DEFAULT '';
  CREATE INDEX pending_writes_by_writer ON pending_writes (writer);
`;
