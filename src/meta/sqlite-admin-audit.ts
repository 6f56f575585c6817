import type { Database, Statement } from 'better-sqlite3';
import type { AdminAuditEntry, AdminAuditPage, NewAdminAuditEntry } from './admin-audit-types.ts';

const SQL = {
  append: 'INSERT INTO admin_audit (at, action, outcome, subject, remote_address) VALUES (?, ?, ?, ?, ?)',
  newest: 'SELECT * FROM admin_audit ORDER BY id DESC LIMIT ?',
  before: 'SELECT * FROM admin_audit WHERE id < ? ORDER BY id DESC LIMIT ?',
} as const;

export interface AdminAuditRow {
  id: number;
  at: number;
  action: string;
  outcome: string;
  subject: string | null;
  remote_address: string | null;
}

export function toAdminAuditEntry(row: AdminAuditRow): AdminAuditEntry {
  return {
    id: row.id, at: new Date(row.at), action: row.action, outcome: row.outcome, subject: row.subject, remoteAddress: row.remote_address,
  };
}

/** The admin audit log in the SQLite store (table `admin_audit`): one statement per call. */
export class SqliteAdminAudit {
  readonly #sql: { readonly [K in keyof typeof SQL]: Statement };

  constructor(db: Database) {
    this.#sql = Object.fromEntries(Object.entries(SQL).map(([name, text]) => [name, db.prepare(text)])) as never;
  }

  append(entry: NewAdminAuditEntry): AdminAuditEntry {
    const { lastInsertRowid } = this.#sql.append.run(entry.at.getTime(), entry.action, entry.outcome, entry.subject, entry.remoteAddress);
    return { ...entry, id: Number(lastInsertRowid) };
  }

  list(page: AdminAuditPage): AdminAuditEntry[] {
    const rows = page.before === undefined ? this.#sql.newest.all(page.limit) : this.#sql.before.all(page.before, page.limit);
    return (rows as AdminAuditRow[]).map(toAdminAuditEntry);
  }
}
