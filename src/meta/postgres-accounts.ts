import { randomBytes } from 'node:crypto';
import type { Sql } from './postgres-db.ts';
import { toAccessKey, toAccount, type AccessKeyRow, type AccountRow } from './sqlite-rows.ts';
import { AccessKeyAlreadyExistsError, AccountAlreadyExistsError, NoSuchAccountError } from './store.ts';
import type { AccountListPage } from './admin-audit-types.ts';
import type { AccessKey, Account } from './types.ts';

/**
 * Accounts, access keys and settings in the PostgreSQL store. Creations insert with
 * ON CONFLICT DO NOTHING: a name or id taken by a concurrent transaction is reported as taken,
 * never as a unique-violation error.
 */
export const ACCOUNT_SQL = {
  getSetting: 'SELECT value FROM settings WHERE name = $1',
  setSetting: 'INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
  claimSetting: 'INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING',
  insertAccount: 'INSERT INTO accounts (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
  accountById: 'SELECT * FROM accounts WHERE id = $1',
  accountByIdForKey: 'SELECT * FROM accounts WHERE id = $1 FOR KEY SHARE',
  accountByName: 'SELECT * FROM accounts WHERE name = $1',
  accountsAfter: 'SELECT * FROM accounts WHERE name > $1 ORDER BY name LIMIT $2',
  insertAccessKey: `INSERT INTO access_keys (access_key_id, secret_key, account_id, created_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT DO NOTHING`,
  accessKeyById: 'SELECT * FROM access_keys WHERE access_key_id = $1',
  accessKeys: 'SELECT * FROM access_keys ORDER BY created_at, access_key_id',
  accessKeysOfAccount: 'SELECT * FROM access_keys WHERE account_id = $1 ORDER BY created_at, access_key_id',
  revokeAccessKey: 'UPDATE access_keys SET revoked_at = $1 WHERE access_key_id = $2 AND revoked_at IS NULL',
} as const;

export async function createAccount(sql: Sql, name: string, now: Date): Promise<Account> {
  const account: Account = { id: randomBytes(16).toString('hex'), name, createdAt: now };
  if (await sql.run(ACCOUNT_SQL.insertAccount, [account.id, name, now.getTime()]) === 0) throw new AccountAlreadyExistsError(name);
  return account;
}

export async function getAccount(sql: Sql, id: string): Promise<Account | null> {
  return toAccount(await sql.one<AccountRow>(ACCOUNT_SQL.accountById, [id]));
}

export async function getAccountByName(sql: Sql, name: string): Promise<Account | null> {
  return toAccount(await sql.one<AccountRow>(ACCOUNT_SQL.accountByName, [name]));
}

/** A page of accounts in name order (the name column is COLLATE "C": byte order, as SQLite). */
export async function listAccounts(sql: Sql, page: AccountListPage): Promise<Account[]> {
  return (await sql.rows<AccountRow>(ACCOUNT_SQL.accountsAfter, [page.after ?? '', page.limit])).map((row) => toAccount(row)!);
}

/** Runs inside a write transaction. */
export async function createAccessKey(sql: Sql, accountId: string, accessKeyId: string, secretKey: string, now: Date): Promise<AccessKey> {
  if (!await sql.one(ACCOUNT_SQL.accountByIdForKey, [accountId])) throw new NoSuchAccountError(accountId);
  if (await sql.run(ACCOUNT_SQL.insertAccessKey, [accessKeyId, secretKey, accountId, now.getTime()]) === 0) {
    throw new AccessKeyAlreadyExistsError(accessKeyId);
  }
  return { accessKeyId, secretKey, accountId, createdAt: now, revokedAt: null };
}

export async function getAccessKey(sql: Sql, accessKeyId: string): Promise<AccessKey | null> {
  const row = await sql.one<AccessKeyRow>(ACCOUNT_SQL.accessKeyById, [accessKeyId]);
  return row ? toAccessKey(row) : null;
}

export async function listAccessKeys(sql: Sql, accountId?: string): Promise<AccessKey[]> {
  const rows = accountId === undefined
    ? await sql.rows<AccessKeyRow>(ACCOUNT_SQL.accessKeys)
    : await sql.rows<AccessKeyRow>(ACCOUNT_SQL.accessKeysOfAccount, [accountId]);
  return rows.map(toAccessKey);
}

export async function revokeAccessKey(sql: Sql, accessKeyId: string, at: Date): Promise<boolean> {
  return await sql.run(ACCOUNT_SQL.revokeAccessKey, [at.getTime(), accessKeyId]) > 0;
}
