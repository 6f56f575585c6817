/**
 * `shardgate keys rotate-master` and `shardgate keys rewrap-master`: the master key file and the
 * data keys it wraps. Both work on files, not through a gateway: rotation appends a key to the
 * key file; rewrap opens the metadata store directly (the SQLite file in --data-dir, or the
 * PostgreSQL database of --meta, as the gateway) and rewraps every segment data key wrapped
 * by an older master key with the newest one, one compare-and-set per segment, so it is safe
 * while gateways run and never touches a shard byte. No key is ever printed.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, formatHelp, parseInteger, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { MasterKeyFileError, rotateMasterKeyFile } from '../src/crypto/master-key-file.ts';
import { MasterKeyRing } from '../src/crypto/segment-keys.ts';
import type { MetaStore } from '../src/meta/store.ts';
import { parseMetaUrl } from '../gateway/config.ts';
import { loadMasterKeys } from '../gateway/master-keys.ts';
import { openMetaStore } from '../gateway/meta-store.ts';

const SPECS = {
  masterKeyFile: { flag: 'master-key-file', env: 'SHARDGATE_MASTER_KEY_FILE', kind: 'string', description: 'the master key file (required)' },
  dataDir: { flag: 'data-dir', env: 'SHARDGATE_DATA_DIR', kind: 'string', description: 'rewrap: the gateway data directory (its meta.sqlite)', defaultText: './data/gateway' },
  meta: { flag: 'meta', env: 'SHARDGATE_META_URL', kind: 'string', description: 'rewrap: the gateways\' PostgreSQL metadata store, postgres://user:password@host:port/database', defaultText: 'SQLite in --data-dir' },
  batch: { flag: 'batch', kind: 'integer', description: 'rewrap: segments per progress step', defaultText: '500' },
} as const satisfies SettingSpecs;

export const MASTER_KEYS_HELP = formatHelp(
  'shardgate keys rotate-master --master-key-file FILE\n       shardgate keys rewrap-master --master-key-file FILE [--data-dir DIR | --meta URL]',
  'rotate-master appends a new master key to the key file: restart the gateways (or let them meet a\n'
  + 'segment wrapped by it) and new writes use it; older keys stay and still open what they wrapped.\n'
  + 'rewrap-master then rewraps every data key wrapped by an older key with the newest one, in the\n'
  + 'metadata only (shard files are not touched); after it, the older keys wrap nothing.',
  SPECS,
);

export const MASTER_KEY_SUBCOMMANDS = ['rotate-master', 'rewrap-master'] as const;

export async function runMasterKeysCli(argv: readonly string[], out: (line: string) => void = (line) => process.stdout.write(line)): Promise<void> {
  try {
    const { values: v, help, positionals } = readSettings(SPECS, argv, process.env);
    if (help) {
      out(MASTER_KEYS_HELP);
      return;
    }
    const [subcommand, ...rest] = positionals;
    if (rest.length > 0) throw new ConfigError(`unexpected argument "${rest[0]}" (see --help)`);
    if (!v.masterKeyFile) throw new ConfigError('--master-key-file (or SHARDGATE_MASTER_KEY_FILE) is required');
    const file = path.resolve(v.masterKeyFile);
    if (subcommand === 'rotate-master') {
      const added = rotateMasterKeyFile(file);
      out(`added master key ${added.id} to ${file}; restart the gateways, then run "shardgate keys rewrap-master"\n`);
      return;
    }
    const batch = v.batch ? parseInteger('--batch', v.batch, 1, 100_000) : 500;
    const store = await openRewrapStore(v.meta, v.dataDir);
    try {
      const ring = new MasterKeyRing(await loadMasterKeys(store, file));
      const done = await rewrapSegments(store, ring, batch, out);
      out(`rewrapped ${done} data keys with ${ring.current.id}; the older keys wrap nothing now\n`);
    } finally {
      await store.close();
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof MasterKeyFileError || error instanceof RewrapError) {
      process.stderr.write(`shardgate keys: ${error.message}\n`);
      process.exitCode = error instanceof ConfigError ? 2 : 1;
      return;
    }
    throw error;
  }
}

/** The gateways' store: PostgreSQL with --meta, else the SQLite file of --data-dir, which must exist. */
async function openRewrapStore(metaUrl: string | undefined, dataDir: string | undefined): Promise<MetaStore> {
  if (metaUrl) return openMetaStore({ metaUrl: parseMetaUrl(metaUrl), dataDir: '', dbPath: '' });
  const dir = path.resolve(dataDir ?? './data/gateway');
  const dbPath = path.join(dir, 'meta.sqlite');
  if (!existsSync(dbPath)) throw new ConfigError(`no metadata store at ${dbPath} (see --data-dir, --meta)`);
  return openMetaStore({ metaUrl: null, dataDir: dir, dbPath });
}

export class RewrapError extends Error {
  readonly code = 'REWRAP_FAILED';
  override name = 'RewrapError';
}

/**
 * Rewraps, batch by batch, every segment key wrapped by a master key other than the newest. A
 * segment deleted or rewrapped by someone else meanwhile is skipped (the compare-and-set says
 * so); a key that does not unwrap stops the run naming its segment. Returns the keys rewrapped.
 */
export async function rewrapSegments(store: MetaStore, ring: MasterKeyRing, batch: number, out: (line: string) => void): Promise<number> {
  const counts = await store.countSegmentKeys();
  const oldIds = ring.keyIds.filter((id) => id !== ring.current.id && (counts[id] ?? 0) > 0);
  const total = oldIds.reduce((sum, id) => sum + counts[id]!, 0);
  out(`${total} data keys wrapped by ${oldIds.length === 0 ? 'older keys' : oldIds.join(', ')} to rewrap with ${ring.current.id}\n`);
  let done = 0;
  for (const keyId of oldIds) {
    for (;;) {
      const page = await store.listSegmentKeys(keyId, batch);
      if (page.length === 0) break;
      for (const record of page) {
        let next;
        try {
          next = ring.rewrap(record.segmentId, record.encryption);
        } catch (error) {
          throw new RewrapError(`segment ${record.segmentId}: ${(error as Error).message}; nothing after it was rewrapped`);
        }
        if (await store.replaceSegmentKey(record.segmentId, record.encryption, next)) done += 1;
      }
      out(`  ${done} / ${total}\n`);
    }
  }
  return done;
}
