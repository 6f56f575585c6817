import { randomBytes } from 'node:crypto';
import type { Database, Statement } from 'better-sqlite3';
import { NoSuchOperatorError, OperatorAlreadyExistsError } from './store.ts';
import type { JoinToken, NewJoinToken, NodeTombstone, Operator } from './types.ts';

const SQL = {
  insertOperator: 'INSERT INTO operators (id, name, created_at) VALUES (?, ?, ?)',
  operatorById: 'SELECT * FROM operators WHERE id = ?',
  operatorByName: 'SELECT * FROM operators WHERE name = ?',
  putJoinToken: `INSERT INTO join_tokens (id, operator_id, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, NULL)
    ON CONFLICT (id) DO UPDATE SET operator_id = excluded.operator_id, token_hash = excluded.token_hash,
      created_at = excluded.created_at, revoked_at = NULL`,
  joinTokenById: 'SELECT * FROM join_tokens WHERE id = ?',
  joinTokenByHash: 'SELECT * FROM join_tokens WHERE token_hash = ?',
  joinTokens: 'SELECT * FROM join_tokens ORDER BY created_at, id',
  joinTokensOfOperator: 'SELECT * FROM join_tokens WHERE operator_id = ? ORDER BY created_at, id',
  revokeJoinToken: 'UPDATE join_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL',
  insertTombstone: 'INSERT INTO node_tombstones (node_id, reason, tombstoned_at) VALUES (?, ?, ?) ON CONFLICT (node_id) DO NOTHING',
  tombstone: 'SELECT * FROM node_tombstones WHERE node_id = ?',
} as const;

interface OperatorRow { id: string; name: string; created_at: number }
interface JoinTokenRow { id: string; operator_id: string; token_hash: Buffer; created_at: number; revoked_at: number | null }
interface TombstoneRow { node_id: string; reason: string; tombstoned_at: number }

function toOperator(row: OperatorRow | undefined): Operator | null {
  return row ? { id: row.id, name: row.name, createdAt: new Date(row.created_at) } : null;
}

function toJoinToken(row: JoinTokenRow | undefined): JoinToken | null {
  if (!row) return null;
  return {
    id: row.id,
    operatorId: row.operator_id,
    tokenHash: new Uint8Array(row.token_hash),
    createdAt: new Date(row.created_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  };
}

/**
 * Operators, their join tokens (hashes only) and node tombstones in the SQLite store. `create`
 * and `putJoinToken` check then write, so they run inside the store's write transaction; the rest
 * are one statement each.
 */
type OperatorStatements = { readonly [K in keyof typeof SQL]: Statement };

export class SqliteOperators {
  readonly #sql: OperatorStatements;

  constructor(db: Database, private readonly now: () => Date) {
    this.#sql = Object.fromEntries(Object.entries(SQL).map(([name, text]) => [name, db.prepare(text)])) as OperatorStatements;
  }

  /** Runs inside a write transaction. */
  create(name: string): Operator {
    if (this.#sql.operatorByName.get(name)) throw new OperatorAlreadyExistsError(name);
    const operator: Operator = { id: randomBytes(16).toString('hex'), name, createdAt: this.now() };
    this.#sql.insertOperator.run(operator.id, name, operator.createdAt.getTime());
    return operator;
  }

  get(id: string): Operator | null {
    return toOperator(this.#sql.operatorById.get(id) as OperatorRow | undefined);
  }

  getByName(name: string): Operator | null {
    return toOperator(this.#sql.operatorByName.get(name) as OperatorRow | undefined);
  }

  /** Runs inside a write transaction. */
  putJoinToken(token: NewJoinToken): JoinToken {
    if (!this.#sql.operatorById.get(token.operatorId)) throw new NoSuchOperatorError(token.operatorId);
    this.#sql.putJoinToken.run(token.id, token.operatorId, Buffer.from(token.tokenHash), token.createdAt.getTime());
    return { ...token, tokenHash: new Uint8Array(token.tokenHash), revokedAt: null };
  }

  getJoinToken(id: string): JoinToken | null {
    return toJoinToken(this.#sql.joinTokenById.get(id) as JoinTokenRow | undefined);
  }

  findJoinTokenByHash(tokenHash: Uint8Array): JoinToken | null {
    return toJoinToken(this.#sql.joinTokenByHash.get(Buffer.from(tokenHash)) as JoinTokenRow | undefined);
  }

  listJoinTokens(operatorId?: string): JoinToken[] {
    const rows = operatorId === undefined ? this.#sql.joinTokens.all() : this.#sql.joinTokensOfOperator.all(operatorId);
    return (rows as JoinTokenRow[]).map((row) => toJoinToken(row)!);
  }

  revokeJoinToken(id: string, at: Date): boolean {
    return this.#sql.revokeJoinToken.run(at.getTime(), id).changes > 0;
  }

  tombstoneNode(nodeId: string, reason: string, at: Date): void {
    this.#sql.insertTombstone.run(nodeId, reason, at.getTime());
  }

  getNodeTombstone(nodeId: string): NodeTombstone | null {
    const row = this.#sql.tombstone.get(nodeId) as TombstoneRow | undefined;
    return row ? { nodeId: row.node_id, reason: row.reason, tombstonedAt: new Date(row.tombstoned_at) } : null;
  }
}
