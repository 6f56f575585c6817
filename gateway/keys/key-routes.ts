import type { Context, Handler } from 'hono';
import { AccessKeyAlreadyExistsError, AccountAlreadyExistsError } from '../../src/meta/store.ts';
import type { AccessKey, Account } from '../../src/meta/types.ts';
import type { GatewayDeps, GatewayEnv } from '../context.ts';
import { newAccessKeyId, newSecretKey } from './new-access-key.ts';

/** Account names: what an operator types, safe in logs and URLs. */
const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

/** A key as the admin API lists it: never its secret. */
export interface AccessKeyView {
  readonly accessKeyId: string;
  readonly account: string;
  readonly accountId: string;
  readonly createdAt: string;
  readonly revokedAt: string | null;
  /** The gateway's configured root key (it cannot be revoked through the API). */
  readonly root: boolean;
}

type AdminContext = Context<GatewayEnv>;

function failure(c: AdminContext, status: 400 | 404 | 409, error: string, message: string): Response {
  return c.json({ error, message }, status);
}

/**
 * `POST /_/admin/keys` with `{"account": "NAME"}`: a new access key for the account, which is
 * created when it does not exist yet. 201 with the secret — the only time it is shown.
 */
export function createKeyHandler(deps: GatewayDeps): Handler<GatewayEnv> {
  return async function createKey(c) {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return failure(c, 400, 'BadRequest', 'send a JSON body: {"account": "NAME"}');
    }
    const name = (body as { account?: unknown } | null)?.account;
    if (typeof name !== 'string' || !ACCOUNT_NAME.test(name)) {
      return failure(c, 400, 'BadRequest', 'account must be 1-64 characters: letters, digits and . _ @ + - (not first)');
    }
    const { account, created } = await accountNamed(deps, name);
    for (;;) {
      try {
        const key = await deps.store.createAccessKey(account.id, newAccessKeyId(), newSecretKey());
        return c.json({
          accessKeyId: key.accessKeyId,
          secretKey: key.secretKey,
          account: account.name,
          accountId: account.id,
          accountCreated: created,
          createdAt: key.createdAt.toISOString(),
        }, 201);
      } catch (error) {
        if (!(error instanceof AccessKeyAlreadyExistsError)) throw error; // 72 random bits collided: draw again
      }
    }
  };
}

/** `GET /_/admin/keys[?account=NAME]`: every key (revoked ones too), oldest first, without secrets. */
export function listKeysHandler(deps: GatewayDeps): Handler<GatewayEnv> {
  return async function listKeys(c) {
    const name = c.req.query('account');
    let accountId: string | undefined;
    if (name !== undefined) {
      const account = await deps.store.getAccountByName(name);
      if (!account) return failure(c, 404, 'NoSuchAccount', `no account named "${name}"`);
      accountId = account.id;
    }
    const keys = await deps.store.listAccessKeys(accountId);
    const names = new Map<string, string>();
    for (const key of keys) {
      if (!names.has(key.accountId)) names.set(key.accountId, (await deps.store.getAccount(key.accountId))?.name ?? key.accountId);
    }
    return c.json({ keys: keys.map((key) => keyView(deps, key, names.get(key.accountId)!)) });
  };
}

/**
 * `DELETE /_/admin/keys/:accessKeyId`: revokes the key; requests signed with it fail with
 * InvalidAccessKeyId from then on. 404 for an unknown key, 409 for one already revoked and for
 * the root key (it comes from the gateway's configuration: rotate it there).
 */
export function revokeKeyHandler(deps: GatewayDeps): Handler<GatewayEnv> {
  return async function revokeKey(c) {
    const accessKeyId = c.req.param('accessKeyId') ?? '';
    const key = await deps.store.getAccessKey(accessKeyId);
    if (!key) return failure(c, 404, 'NoSuchAccessKey', `no access key ${accessKeyId}`);
    if (accessKeyId === deps.credentials.accessKeyId) {
      return failure(c, 409, 'RootKey', 'the root key comes from the gateway configuration; rotate it with --access-key and --secret-key');
    }
    if (key.revokedAt !== null) return failure(c, 409, 'AlreadyRevoked', `access key ${accessKeyId} was revoked at ${key.revokedAt.toISOString()}`);
    const revokedAt = deps.now();
    await deps.store.revokeAccessKey(accessKeyId, revokedAt);
    const account = await deps.store.getAccount(key.accountId);
    return c.json(keyView(deps, { ...key, revokedAt }, account?.name ?? key.accountId));
  };
}

async function accountNamed(deps: GatewayDeps, name: string): Promise<{ account: Account; created: boolean }> {
  const existing = await deps.store.getAccountByName(name);
  if (existing) return { account: existing, created: false };
  try {
    return { account: await deps.store.createAccount(name), created: true };
  } catch (error) {
    if (!(error instanceof AccountAlreadyExistsError)) throw error;
    return { account: (await deps.store.getAccountByName(name))!, created: false }; // created concurrently
  }
}

function keyView(deps: GatewayDeps, key: AccessKey, account: string): AccessKeyView {
  return {
    accessKeyId: key.accessKeyId,
    account,
    accountId: key.accountId,
    createdAt: key.createdAt.toISOString(),
    revokedAt: key.revokedAt?.toISOString() ?? null,
    root: key.accessKeyId === deps.credentials.accessKeyId,
  };
}
