import { randomBytes } from 'node:crypto';
import type { Sql } from './postgres-db.ts';
import { NoSuchOperatorError, OperatorAlreadyExistsError } from './store.ts';
import type { JoinToken, NewJoinToken, NodeTombstone, Operator } from './types.ts';

/**
 * Operators, their join tokens (SHA-256 hashes only) and node tombstones in the PostgreSQL store
 * (tables of postgres-migration-node-identity.ts). `createOperator` and `putJoinToken` run in the
 * caller's write transaction; the rest are one statement each.
 */
export const OPERATOR_SQL = {
  insertOperator: 'INSERT INTO operators (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
  operatorById: 'SELECT * FROM operators WHERE id = $1',
  operatorByIdForShare: 'SELECT id FROM operators WHERE id = $1 FOR KEY SHARE',
  operatorByName: 'SELECT * FROM operators WHERE name = $1',
  putJoinToken: `INSERT INTO join_tokens (id, operator_id, token_hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, NULL)
    ON CONFLICT (id) DO UPDATE SET operator_id = excluded.operator_id, token_hash = excluded.token_hash,
      created_at = excluded.created_at, revoked_at = NULL`,
  joinTokenById: 'SELECT * FROM join_tokens WHERE id = $1',
  joinTokenByHash: 'SELECT * FROM join_tokens WHERE token_hash = $1',
  joinTokens: 'SELECT * FROM join_tokens ORDER BY created_at, id',
  joinTokensOfOperator: 'SELECT * FROM join_tokens WHERE operator_id = $1 ORDER BY created_at, id',
  revokeJoinToken: 'UPDATE join_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL',
  insertTombstone: 'INSERT INTO node_tombstones (node_id, reason, tombstoned_at) VALUES ($1, $2, $3) ON CONFLICT (node_id) DO NOTHING',
  tombstone: 'SELECT * FROM node_tombstones WHERE node_id = $1',
} as const;

interface OperatorRow { id: string; name: string; created_at: number }
interface JoinTokenRow { id: string; operator_id: string; token_hash: Buffer; created_at: number; revoked_at: number | null }
interface TombstoneRow { node_id: string; reason: string; tombstoned_at: number }

function toOperator(row: OperatorRow | undefined): Operator | null {
  return row ? { id: row.id, name: row.name, createdAt: new Date(row.created_at) } : null;
}

function toJoinToken(row: JoinTokenRow): JoinToken {
  return {
    id: row.id,
    operatorId: row.operator_id,
    tokenHash: new Uint8Array(row.token_hash),
    createdAt: new Date(row.created_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
  };
}

/** OperatorAlreadyExistsError when the name is taken (also by a concurrent create that committed first). */
export async function createOperator(sql: Sql, name: string, now: Date): Promise<Operator> {
  const operator: Operator = { id: randomBytes(16).toString('hex'), name, createdAt: now };
  if (await sql.run(OPERATOR_SQL.insertOperator, [operator.id, name, now.getTime()]) === 0) throw new OperatorAlreadyExistsError(name);
  return operator;
}

export async function getOperator(sql: Sql, id: string): Promise<Operator | null> {
  return toOperator(await sql.one<OperatorRow>(OPERATOR_SQL.operatorById, [id]));
}

export async function getOperatorByName(sql: Sql, name: string): Promise<Operator | null> {
  return toOperator(await sql.one<OperatorRow>(OPERATOR_SQL.operatorByName, [name]));
}

/** Runs in a write transaction: the operator row is held FOR KEY SHARE while the token is written. */
export async function putJoinToken(sql: Sql, token: NewJoinToken): Promise<JoinToken> {
  if (!await sql.one(OPERATOR_SQL.operatorByIdForShare, [token.operatorId])) throw new NoSuchOperatorError(token.operatorId);
  await sql.run(OPERATOR_SQL.putJoinToken, [token.id, token.operatorId, Buffer.from(token.tokenHash), token.createdAt.getTime()]);
  return { ...token, tokenHash: new Uint8Array(token.tokenHash), revokedAt: null };
}

export async function getJoinToken(sql: Sql, id: string): Promise<JoinToken | null> {
  const row = await sql.one<JoinTokenRow>(OPERATOR_SQL.joinTokenById, [id]);
  return row ? toJoinToken(row) : null;
}

export async function findJoinTokenByHash(sql: Sql, tokenHash: Uint8Array): Promise<JoinToken | null> {
  const row = await sql.one<JoinTokenRow>(OPERATOR_SQL.joinTokenByHash, [Buffer.from(tokenHash)]);
  return row ? toJoinToken(row) : null;
}

export async function listJoinTokens(sql: Sql, operatorId?: string): Promise<JoinToken[]> {
  const rows = operatorId === undefined
    ? await sql.rows<JoinTokenRow>(OPERATOR_SQL.joinTokens)
    : await sql.rows<JoinTokenRow>(OPERATOR_SQL.joinTokensOfOperator, [operatorId]);
  return rows.map(toJoinToken);
}

export async function revokeJoinToken(sql: Sql, id: string, at: Date): Promise<boolean> {
  return await sql.run(OPERATOR_SQL.revokeJoinToken, [at.getTime(), id]) > 0;
}

/** Idempotent: the first tombstone of an id stays. */
export async function tombstoneNode(sql: Sql, nodeId: string, reason: string, at: Date): Promise<void> {
  await sql.run(OPERATOR_SQL.insertTombstone, [nodeId, reason, at.getTime()]);
}

export async function getNodeTombstone(sql: Sql, nodeId: string): Promise<NodeTombstone | null> {
  const row = await sql.one<TombstoneRow>(OPERATOR_SQL.tombstone, [nodeId]);
  return row ? { nodeId: row.node_id, reason: row.reason, tombstonedAt: new Date(row.tombstoned_at) } : null;
}
