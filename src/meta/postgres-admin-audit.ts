import type { AdminAuditEntry, AdminAuditPage, NewAdminAuditEntry } from './admin-audit-types.ts';
import type { Sql } from './postgres-db.ts';
import { toAdminAuditEntry, type AdminAuditRow } from './sqlite-admin-audit.ts';

/** The admin audit log in the PostgreSQL store (table `admin_audit`, sqlite-admin-audit.ts's twin). */
const SQL = {
  append: `INSERT INTO admin_audit (at, action, outcome, subject, remote_address) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
  newest: 'SELECT * FROM admin_audit ORDER BY id DESC LIMIT $1',
  before: 'SELECT * FROM admin_audit WHERE id < $1 ORDER BY id DESC LIMIT $2',
} as const;

export async function appendAdminAudit(sql: Sql, entry: NewAdminAuditEntry): Promise<AdminAuditEntry> {
  const row = await sql.one<{ id: number }>(SQL.append, [entry.at.getTime(), entry.action, entry.outcome, entry.subject, entry.remoteAddress]);
  return { ...entry, id: row!.id };
}

export async function listAdminAudit(sql: Sql, page: AdminAuditPage): Promise<AdminAuditEntry[]> {
  const rows = page.before === undefined
    ? await sql.rows<AdminAuditRow>(SQL.newest, [page.limit])
    : await sql.rows<AdminAuditRow>(SQL.before, [page.before, page.limit]);
  return rows.map(toAdminAuditEntry);
}
