/**
 * Schema step: the admin audit log (admin-audit-types.ts). An entry of MIGRATIONS
 * (sqlite-migrations.ts): never edit it once released, add a new one. Rows are only appended;
 * the id orders them and pages them newest first.
 */
export const ADMIN_AUDIT_MIGRATION = `
  CREATE TABLE admin_audit (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    at             INTEGER NOT NULL,
    action         TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    subject        TEXT,
    remote_address TEXT
  );
`;
