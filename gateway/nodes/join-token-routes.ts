import type { Context, Handler } from 'hono';
import type { JoinToken } from '../../src/meta/types.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';
import { DEFAULT_JOIN_TOKEN_ID, OPERATOR_NAME, hashJoinToken, newJoinToken, operatorNamed } from './join-tokens.ts';

/** A join token as the admin API lists it: never the token, never its hash. */
export interface JoinTokenView {
  readonly id: string;
  readonly operator: string;
  readonly operatorId: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  /** The gateway's configured `--join-token` (operator `default`). */
  readonly configured: boolean;
}

function failure(c: Context<GatewayEnv>, status: 400 | 404 | 409, error: string, message: string): Response {
  return c.json({ error, message }, status);
}

/**
 * `POST /_/admin/join-tokens` with `{"operator": "NAME"}`: a new join token for the operator
 * (created when new). 201 with the token — the only time it is shown; the store keeps its hash.
 */
export function createJoinTokenHandler(deps: GatewayDeps): Handler<GatewayEnv> {
  return async function createJoinToken(c) {
    const body = await c.req.json().catch(() => null) as { operator?: unknown } | null;
    const name = body?.operator;
    if (typeof name !== 'string' || !OPERATOR_NAME.test(name)) {
      return failure(c, 400, 'BadRequest', 'send {"operator": "NAME"}: 1-64 letters, digits and . _ @ + - (not first)');
    }
    const { operator, created } = await operatorNamed(deps.store, name);
    const { id, token } = newJoinToken();
    const stored = await deps.store.putJoinToken({ id, operatorId: operator.id, tokenHash: hashJoinToken(token), createdAt: deps.now() });
    return c.json({ ...view(stored, operator.name), token, operatorCreated: created }, 201);
  };
}

/** `GET /_/admin/join-tokens[?operator=NAME]`: every token, revoked ones too, without the tokens. */
export function listJoinTokensHandler(deps: GatewayDeps): Handler<GatewayEnv> {
  return async function listJoinTokens(c) {
    const name = c.req.query('operator');
    let operatorId: string | undefined;
    if (name !== undefined) {
      const operator = await deps.store.getOperatorByName(name);
      if (!operator) return failure(c, 404, 'NoSuchOperator', `no operator named "${name}"`);
      operatorId = operator.id;
    }
    const tokens = await deps.store.listJoinTokens(operatorId);
    const names = new Map<string, string>();
    for (const token of tokens) {
      if (!names.has(token.operatorId)) names.set(token.operatorId, (await deps.store.getOperator(token.operatorId))?.name ?? token.operatorId);
    }
    return c.json({ tokens: tokens.map((token) => view(token, names.get(token.operatorId)!)) });
  };
}

/**
 * `DELETE /_/admin/join-tokens/:id`: the token admits no new node from then on (nodes it admitted
 * keep working: they prove themselves with their keys). 404 unknown, 409 already revoked.
 */
export function revokeJoinTokenHandler(deps: GatewayDeps): Handler<GatewayEnv> {
  return async function revokeJoinToken(c) {
    const id = c.req.param('id') ?? '';
    const token = await deps.store.getJoinToken(id);
    if (!token) return failure(c, 404, 'NoSuchJoinToken', `no join token ${id}`);
    if (token.revokedAt !== null) return failure(c, 409, 'AlreadyRevoked', `join token ${id} was revoked at ${token.revokedAt.toISOString()}`);
    const revokedAt = deps.now();
    await deps.store.revokeJoinToken(id, revokedAt);
    const operator = await deps.store.getOperator(token.operatorId);
    return c.json(view({ ...token, revokedAt }, operator?.name ?? token.operatorId));
  };
}

function view(token: JoinToken, operator: string): JoinTokenView {
  return {
    id: token.id,
    operator,
    operatorId: token.operatorId,
    createdAt: token.createdAt.toISOString(),
    revokedAt: token.revokedAt?.toISOString() ?? null,
    configured: token.id === DEFAULT_JOIN_TOKEN_ID,
  };
}
