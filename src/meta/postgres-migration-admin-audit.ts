/**
 * PostgreSQL schema step: the admin audit log, SQLite's ADMIN_AUDIT_MIGRATION
 * (sqlite-migration-admin-audit.ts) in PostgreSQL terms. An entry of POSTGRES_MIGRATIONS: never
 * edit it once released, add a new one.
 */
export const POSTGRES_ADMIN_AUDIT_MIGRATION = `
  CREATE TABLE admin_audit (
    id             bigserial PRIMARY KEY,
    at             bigint NOT NULL,
    action         text NOT NULL,
    outcome        text NOT NULL,
    subject        text,
    remote_address text
  );
`;
