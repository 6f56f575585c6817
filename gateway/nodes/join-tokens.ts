/**
 * Join tokens: each admits new shard-node identities for one operator. Only the SHA-256 of a token
 * is stored. The gateway's configured (or generated) `--join-token` is the token of the operator
 * named `default`, under the fixed token id `default`: configuring another value replaces it.
 */
import { createHash, randomBytes } from 'node:crypto';
import { OperatorAlreadyExistsError, type MetaStore } from '../../src/meta/store.ts';
import type { JoinToken, Operator } from '../../src/meta/types.ts';

export const DEFAULT_OPERATOR = 'default';
export const DEFAULT_JOIN_TOKEN_ID = 'default';

/** Operator names: what an admin types, safe in logs and URLs. */
export const OPERATOR_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

export function hashJoinToken(token: string): Uint8Array {
  return new Uint8Array(createHash('sha256').update(token, 'utf8').digest());
}

/** A new token and its id: 192 random bits, shown once. */
export function newJoinToken(): { id: string; token: string } {
  return { id: `jt${randomBytes(6).toString('hex')}`, token: `sgjt_${randomBytes(24).toString('base64url')}` };
}

export async function operatorNamed(store: MetaStore, name: string): Promise<{ operator: Operator; created: boolean }> {
  const existing = await store.getOperatorByName(name);
  if (existing) return { operator: existing, created: false };
  try {
    return { operator: await store.createOperator(name), created: true };
  } catch (error) {
    if (!(error instanceof OperatorAlreadyExistsError)) throw error;
    return { operator: (await store.getOperatorByName(name))!, created: false }; // created concurrently
  }
}

/**
 * Makes `token` the default operator's join token. A token already stored with the same hash is
 * left alone, so one an admin revoked stays revoked across restarts.
 */
export async function ensureDefaultJoinToken(store: MetaStore, token: string, now: Date): Promise<JoinToken> {
  const { operator } = await operatorNamed(store, DEFAULT_OPERATOR);
  const tokenHash = hashJoinToken(token);
  const existing = await store.getJoinToken(DEFAULT_JOIN_TOKEN_ID);
  if (existing && Buffer.from(existing.tokenHash).equals(tokenHash)) return existing;
  return store.putJoinToken({ id: DEFAULT_JOIN_TOKEN_ID, operatorId: operator.id, tokenHash, createdAt: now });
}

/** The operator a join token admits nodes for, or null when it is unknown or revoked. */
export async function operatorOfJoinToken(store: MetaStore, token: string | null): Promise<string | null> {
  if (token === null) return null;
  const found = await store.findJoinTokenByHash(hashJoinToken(token));
  return found && found.revokedAt === null ? found.operatorId : null;
}
