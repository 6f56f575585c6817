/**
 * `shardgate backup <file>` and `shardgate restore <file>`: the gateway's metadata store — the
 * SQLite file in --data-dir (online backup, safe while the gateway runs) or the PostgreSQL
 * database of --meta (pg_dump / pg_restore). Restore replaces the metadata: stop every gateway
 * first. The master key file is never in a backup and must be kept separately.
 */
import path from 'node:path';
import { ConfigError, formatHelp, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { BackupError, backupPostgres, backupSqlite, restorePostgres, restoreSqlite, type BackupResult } from '../src/meta/metadata-backup.ts';
import { parseMetaUrl } from '../gateway/config.ts';

const SPECS = {
  dataDir: { flag: 'data-dir', env: 'SHARDGATE_DATA_DIR', kind: 'string', description: 'the gateway data directory (its meta.sqlite); not used when --meta is set, as for the gateway', defaultText: './data/gateway' },
  meta: { flag: 'meta', env: 'SHARDGATE_META_URL', kind: 'string', description: 'the gateways\' PostgreSQL metadata store, postgres://user:password@host:port/database (uses pg_dump/pg_restore; prefer the environment variable: a command line is visible in ps)', defaultText: 'SQLite in --data-dir' },
} as const satisfies SettingSpecs;

const HELP = {
  backup: formatHelp(
    'shardgate backup <file> [--data-dir DIR | --meta URL]',
    'Copies the metadata store to a new file: SQLite through its online backup (the gateway may keep\n'
    + 'running; the copy is checked with PRAGMA integrity_check), PostgreSQL with pg_dump --format=custom.\n'
    + 'The master key file is NOT included: back it up separately — losing either loses the data.\n'
    + 'The file is written owner-only (0600): it holds every access key secret and token of the cluster.',
    SPECS,
  ),
  restore: formatHelp(
    'shardgate restore <file> [--data-dir DIR | --meta URL]',
    'Replaces the metadata store with a backup (checked first). Stop every gateway before, start them\n'
    + 'after. Objects written after the backup are gone from the metadata; their shard files are\n'
    + 'collected by reconciliation as orphans.',
    SPECS,
  ),
} as const;

function describe(result: BackupResult): string {
  const objects = result.objects === null ? '' : `, ${result.objects} objects`;
  return `${(result.bytes / 2 ** 20).toFixed(1)} MiB${objects}`;
}

export async function runBackupCli(command: 'backup' | 'restore', argv: readonly string[], out: (line: string) => void = (line) => process.stdout.write(line)): Promise<void> {
  try {
    const { values: v, help, positionals } = readSettings(SPECS, argv, process.env);
    if (help) {
      out(HELP[command]);
      return;
    }
    const [file, ...rest] = positionals;
    if (file === undefined) throw new ConfigError(`a file is required (see shardgate ${command} --help)`);
    if (rest.length > 0) throw new ConfigError(`unexpected argument "${rest[0]}" (see --help)`);
    const target = path.resolve(file);
    const metaUrl = v.meta === undefined || v.meta === '' ? null : parseMetaUrl(v.meta);
    const dbPath = path.join(path.resolve(v.dataDir ?? './data/gateway'), 'meta.sqlite');
    if (command === 'backup') {
      const result = metaUrl === null ? await backupSqlite(dbPath, target) : await backupPostgres(metaUrl, target);
      out(`backed up ${metaUrl === null ? dbPath : 'the PostgreSQL metadata'} to ${target} (${describe(result)}); back up the master key file separately\n`);
    } else {
      const result = metaUrl === null ? restoreSqlite(target, dbPath) : await restorePostgres(target, metaUrl);
      out(`restored ${metaUrl === null ? dbPath : 'the PostgreSQL metadata'} from ${target} (${describe(result)}); start the gateways\n`);
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof BackupError) {
      process.stderr.write(`shardgate ${command}: ${error.message}\n`);
      process.exitCode = error instanceof ConfigError ? 2 : 1;
      return;
    }
    throw error;
  }
}
