import { mkdirSync } from 'node:fs';
import { ConfigError } from '../src/config/flags.ts';
import { MetaStoreConnectError, PostgresMetaStore } from '../src/meta/postgres-store.ts';
import { SqliteMetaStore } from '../src/meta/sqlite-store.ts';
import type { MetaStore } from '../src/meta/store.ts';
import type { GatewayConfig } from './config.ts';

/**
 * The gateway's metadata store: PostgreSQL when `--meta postgres://…` is set, else the SQLite file
 * in the data directory, its commits made durable as `metaDurability` says (default: group
 * commit). A database that cannot be reached at start is a ConfigError (one line, exit 1), never
 * a stack trace.
 */
export async function openMetaStore(
  config: Pick<GatewayConfig, 'metaUrl' | 'dataDir' | 'dbPath'> & Partial<Pick<GatewayConfig, 'metaDurability'>>,
): Promise<MetaStore> {
  if (config.metaUrl === null) {
    mkdirSync(config.dataDir, { recursive: true });
    return SqliteMetaStore.open(config.dbPath, { durability: config.metaDurability });
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
