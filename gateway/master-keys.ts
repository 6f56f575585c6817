import { createHmac } from 'node:crypto';
import { ConfigError } from '../src/config/flags.ts';
import { MasterKeyFileError, readMasterKeyFile, type MasterKey } from '../src/crypto/master-key-file.ts';
import { MasterKeyRing, UnknownKeyError, type SegmentCipherKey, type SegmentKeyOpener, type SegmentKeySealer } from '../src/crypto/segment-keys.ts';
import type { SegmentEncryption } from '../src/meta/types.ts';
import type { MetaStore } from '../src/meta/store.ts';

/** Settings entry: key id → check value (HMAC of a constant under the key) of every master key this metadata has seen. */
const KNOWN_KEYS_SETTING = 'master_keys';

function checkValue(key: Uint8Array): string {
  return createHmac('sha256', key).update('shardgate master key check v1').digest('base64');
}

/**
 * The master keys of `file`, checked against the metadata: every key id the
 * metadata has seen must be in the file with the same key (else the file is the wrong one, or
 * an older copy), and new ids are remembered. Any problem is a ConfigError whose one line names
 * the file; no key material is ever in a message.
 */
export async function loadMasterKeys(store: MetaStore, file: string | null): Promise<MasterKey[]> {
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
  return keys;
}

/** A gateway re-reads its key file at most this often, when it meets a key id it has not loaded. */
const RELOAD_INTERVAL_MS = 1000;

/**
 * The gateway's master keys: the file loaded at start, re-read when a segment names a key id this
 * gateway lacks (another gateway, or `keys rewrap-master`, used a key that `keys rotate-master`
 * added after this gateway started). A re-read file is taken only if it still holds every key
 * loaded before, unchanged; its newest key then also seals new segments.
 */
export class GatewayMasterKeys implements SegmentKeySealer, SegmentKeyOpener {
  #keys: MasterKey[];
  #ring: MasterKeyRing;
  #lastReloadMs = 0;

  constructor(private readonly file: string, keys: MasterKey[], private readonly nowMs: () => number = Date.now) {
    this.#keys = keys;
    this.#ring = new MasterKeyRing(keys);
  }

  /** Reads and checks the file (see loadMasterKeys). */
  static async load(store: MetaStore, file: string | null): Promise<GatewayMasterKeys> {
    return new GatewayMasterKeys(file!, await loadMasterKeys(store, file));
  }

  get current(): { readonly id: string } {
    return this.#ring.current;
  }

  seal(segmentId: string): ReturnType<MasterKeyRing['seal']> {
    return this.#ring.seal(segmentId);
  }

  open(segmentId: string, encryption: SegmentEncryption): SegmentCipherKey {
    try {
      return this.#ring.open(segmentId, encryption);
    } catch (error) {
      if (!(error instanceof UnknownKeyError) || this.nowMs() - this.#lastReloadMs < RELOAD_INTERVAL_MS) throw error;
    }
    this.#lastReloadMs = this.nowMs();
    this.#reload();
    return this.#ring.open(segmentId, encryption);
  }

  /** Synchronous (it runs inside a read); a file that lost or changed a loaded key is ignored. */
  #reload(): void {
    let keys: MasterKey[];
    try {
      keys = readMasterKeyFile(this.file);
    } catch {
      return;
    }
    const byId = new Map(keys.map((entry) => [entry.id, entry.key]));
    if (this.#keys.some((entry) => !byId.get(entry.id)?.equals(entry.key))) return;
    this.#keys = keys;
    this.#ring = new MasterKeyRing(keys);
  }
}
