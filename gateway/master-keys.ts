import { createHmac } from 'node:crypto';
import { ConfigError } from '../src/config/flags.ts';
import { MasterKeyFileError, readMasterKeyFile, type MasterKey } from '../src/crypto/master-key-file.ts';
import { MasterKeyRing } from '../src/crypto/segment-keys.ts';
import type { MetaStore } from '../src/meta/store.ts';

/** Settings entry: key id → check value (HMAC of a constant under the key) of every master key this metadata has seen. */
const KNOWN_KEYS_SETTING = 'master_keys';

function checkValue(key: Uint8Array): string {
  return createHmac('sha256', key).update('shardgate master key check v1').digest('base64');
}

/**
 * The gateway's master key ring from `file`, checked against the metadata: every key id the
 * metadata has seen must be in the file with the same key (else the file is the wrong one, or
 * an older copy), and new ids are remembered. Any problem is a ConfigError whose one line names
 * the file; no key material is ever in a message.
 */
export async function loadMasterKeys(store: MetaStore, file: string | null): Promise<MasterKeyRing> {
  if (file === null) throw new ConfigError('--master-key-file (or SHARDGATE_MASTER_KEY_FILE) is required');
  let keys: MasterKey[];
  try {
    keys = readMasterKeyFile(file);
  } catch (error) {
    if (error instanceof MasterKeyFileError) throw new ConfigError(error.message);
    throw error;
  }
  const known = JSON.parse((await store.getSetting(KNOWN_KEYS_SETTING)) ?? '{}') as Record<string, string>;
  const byId = new Map(keys.map((entry) => [entry.id, entry.key]));
  for (const [id, check] of Object.entries(known)) {
    const key = byId.get(id);
    if (!key) throw new ConfigError(`master key file ${file}: lacks key ${id}, which data in this metadata is wrapped with`);
    if (checkValue(key) !== check) throw new ConfigError(`master key file ${file}: key ${id} is not the key this metadata was written with`);
  }
  const merged = { ...known };
  for (const entry of keys) merged[entry.id] ??= checkValue(entry.key);
  if (Object.keys(merged).length !== Object.keys(known).length) await store.setSetting(KNOWN_KEYS_SETTING, JSON.stringify(merged));
  return new MasterKeyRing(keys);
}
