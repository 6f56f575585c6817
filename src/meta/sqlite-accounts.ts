import { randomBytes } from 'node:crypto';
import { toAccessKey, toAccount, type AccessKeyRow, type AccountRow } from './sqlite-rows.ts';
import type { Statements } from './sqlite-statements.ts';
import { AccessKeyAlreadyExistsError, AccountAlreadyExistsError, NoSuchAccountError } from './store.ts';
import type { AccountListPage } from './admin-audit-types.ts';
import type { AccessKey, Account } from './types.ts';

/**
 * Accounts and their access keys in the SQLite store (tables `accounts` and `access_keys`). The
 * two `create` methods check then insert, so they run inside the store's write transaction (the
 * caller opens it); the rest are one statement each.
 */
export class SqliteAccounts {
  constructor(private readonly sql: Statements, private readonly now: () => Date) {}

  /** Runs inside a write transaction. */
  createAccount(name: string): Account {
    if (this.sql.accountByName.get(name)) throw new AccountAlreadyExistsError(name);
    const account: Account = { id: randomBytes(16).toString('hex'), name, createdAt: this.now() };
    this.sql.insertAccount.run(account.id, name, account.createdAt.getTime());
    return account;
  }

  getAccount(id: string): Account | null {
    return toAccount(this.sql.accountById.get(id) as AccountRow | undefined);
  }

  getAccountByName(name: string): Account | null {
    return toAccount(this.sql.accountByName.get(name) as AccountRow | undefined);
  }

  /** A page of accounts in name order (index seek on the unique name). */
  listAccounts(page: AccountListPage): Account[] {
    return (this.sql.accountsAfter.all(page.after ?? '', page.limit) as AccountRow[]).map((row) => toAccount(row)!);
  }

  /** Runs inside a write transaction. */
  createAccessKey(accountId: string, accessKeyId: string, secretKey: string): AccessKey {
    if (!this.sql.accountById.get(accountId)) throw new NoSuchAccountError(accountId);
    if (this.sql.accessKeyById.get(accessKeyId)) throw new AccessKeyAlreadyExistsError(accessKeyId);
    const createdAt = this.now();
    this.sql.insertAccessKey.run(accessKeyId, secretKey, accountId, createdAt.getTime());
    return { accessKeyId, secretKey, accountId, createdAt, revokedAt: null };
  }

  getAccessKey(accessKeyId: string): AccessKey | null {
    const row = this.sql.accessKeyById.get(accessKeyId) as AccessKeyRow | undefined;
    return row ? toAccessKey(row) : null;
  }

  listAccessKeys(accountId?: string): AccessKey[] {
    const rows = accountId === undefined
      ? this.sql.accessKeys.all()
      : this.sql.accessKeysOfAccount.all(accountId);
    return (rows as AccessKeyRow[]).map(toAccessKey);
  }

  revokeAccessKey(accessKeyId: string, at: Date): boolean {
    return this.sql.revokeAccessKey.run(at.getTime(), accessKeyId).changes > 0;
  }
}
