import { randomBytes } from 'node:crypto';
import type { MetaStore } from '../src/meta/store.ts';
import type { GatewayConfig } from './config.ts';
import { newAccessKeyId, newSecretKey } from './keys/new-access-key.ts';

export interface Credentials {
  readonly accountId: string;
  readonly accessKeyId: string;
  readonly secretKey: string;
  readonly adminToken: string;
  readonly joinToken: string;
  /** Signs gateway-minted tokens (archive playlist tokens); never leaves the gateway. */
  readonly masterKey: string;
}

export const ROOT_ACCOUNT = 'root';

/**
 * The root account's keys, the admin token, the node join token and the master key: generated
 * on first start and persisted in the store, or taken from configuration (which then also
 * replaces the persisted value, so an operator can rotate them with an environment variable).
 */
export async function ensureCredentials(store: MetaStore, config: GatewayConfig): Promise<Credentials> {
  // Gateways starting at once on one database: whoever creates a row first wins, the others read it.
  const account = (await store.getAccountByName(ROOT_ACCOUNT)) ?? (await store.createAccount(ROOT_ACCOUNT).catch(async (error: unknown) => {
    const raced = await store.getAccountByName(ROOT_ACCOUNT);
    if (!raced) throw error;
    return raced;
  }));
  const setting = async (name: string, configured: string | null, generate: () => string) => {
    if (configured === null) return (await store.getSetting(name)) ?? store.claimSetting(name, generate());
    await store.setSetting(name, configured);
    return configured;
  };
  const accessKeyId = await setting('root.access_key_id', config.accessKey, newAccessKeyId);
  const secretKey = await setting('root.secret_key', config.secretKey, newSecretKey);
  const existing = await store.getAccessKey(accessKeyId);
  if (!existing || existing.secretKey !== secretKey || existing.accountId !== account.id) {
    if (existing && existing.accountId !== account.id) {
      throw new Error(`access key ${accessKeyId} belongs to another account`);
    }
    if (!existing) {
      await store.createAccessKey(account.id, accessKeyId, secretKey).catch(async (error: unknown) => {
        const raced = await store.getAccessKey(accessKeyId);
        if (raced?.secretKey !== secretKey || raced.accountId !== account.id) throw error;
      });
    } else throw new Error(`access key ${accessKeyId} is stored with another secret; revoke it first or choose another key id`);
  }
  return {
    accountId: account.id,
    accessKeyId,
    secretKey,
    adminToken: await setting('admin_token', config.adminToken, () => randomBytes(24).toString('base64url')),
    joinToken: await setting('join_token', config.joinToken, () => randomBytes(24).toString('base64url')),
    masterKey: await setting('node_master_key', null, () => randomBytes(32).toString('hex')),
  };
}
