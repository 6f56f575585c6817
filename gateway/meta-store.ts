import { mkdirSync } from 'node:fs';
import { ConfigError } from '../src/config/flags.ts';
import { MetaStoreConnectError, PostgresMetaStore } from '../src/meta/postgres-store.ts';
import type { Logger } from '../src/log/logger.ts';
import { SqliteMetaStore, type SqliteMetaStoreOptions } from '../src/meta/sqlite-store.ts';
import type { MetaSyncError } from '../src/meta/sqlite-wal-sync.ts';
import type { MetaStore } from '../src/meta/store.ts';
import type { GatewayConfig } from './config.ts';

/** The gateway's exit code when a metadata sync failed (sysexits' EX_IOERR): a supervisor restarts it. */
export const EXIT_META_SYNC_FAILED = 74;

/**
 * What the gateway does when a SQLite group-commit sync fails: one fatal log line, then `exit`.
 * After a failed fsync the state of the WAL's pages in the page cache is unknown (Linux may have
 * marked them clean without writing them, and a retried fsync then reports success), so the store
 * refuses every later write; a gateway left up would answer 500 to every write until someone
 * restarted it. PostgreSQL PANICs on a failed fsync for the same reason ("fsyncgate", 2018). On
 * restart SQLite replays the WAL from the file: the write whose sync failed may be there or not,
 * which is what its 500 said (outcome unknown).
 */
export function exitOnMetaSyncFailure(logger: Logger, exit: (code: number) => void): (error: MetaSyncError) => void {
  return (error) => {
    logger.error('metadata_sync_failed', { error: error.message, exitCode: EXIT_META_SYNC_FAILED });
    exit(EXIT_META_SYNC_FAILED);
  };
}

/**
 * The gateway's metadata store: PostgreSQL when `--meta postgres://…` is set, else the SQLite file
 * in the data directory, its commits made durable as `metaDurability` says (default: group
 * commit). A database that cannot be reached at start is a ConfigError (one line, exit 1), never
 * a stack trace. `sqlite` hooks apply to the SQLite store (the gateway passes `exitOnMetaSyncFailure`).
 */
export async function openMetaStore(
  config: Pick<GatewayConfig, 'metaUrl' | 'dataDir' | 'dbPath'> & Partial<Pick<GatewayConfig, 'metaDurability'>>,
  sqlite: Pick<SqliteMetaStoreOptions, 'onSyncFailure' | 'walDataSync'> = {},
): Promise<MetaStore> {
  if (config.metaUrl === null) {
    mkdirSync(config.dataDir, { recursive: true });
    return SqliteMetaStore.open(config.dbPath, { ...sqlite, durability: config.metaDurability });
  }
  try {
    return await PostgresMetaStore.open(config.metaUrl);
  } catch (error) {
    if (error instanceof MetaStoreConnectError || (error as { code?: string }).code === 'SCHEMA_TOO_NEW') {
      throw new ConfigError((error as Error).message);
    }
    throw error;
  }
}
