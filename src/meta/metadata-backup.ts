/**
 * Backup and restore of the metadata store. SQLite: the online backup API (a consistent copy
 * while a gateway writes; WAL readers do not block it), checked with `PRAGMA integrity_check`;
 * restore checks the file the same way and that it is a shardgate metadata database, then
 * renames it into place (fsynced) with the old WAL files removed. PostgreSQL: `pg_dump` in its
 * custom format, and `pg_restore --clean --if-exists --single-transaction` into the database.
 * Neither copies the master key file: without it the restored metadata opens no object.
 */
import { spawn } from 'node:child_process';
import { chmodSync, closeSync, copyFileSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * A backup holds every secret of the metadata (access keys' secrets, the admin and join tokens,
 * node request secrets, wrapped data keys): owner-only, like the database itself.
 */
const SECRET_FILE_MODE = 0o600;

export class BackupError extends Error {
  readonly code = 'BACKUP_FAILED';
  override name = 'BackupError';
}

export interface BackupResult {
  readonly bytes: number;
  readonly objects: number | null;
}

/** Copies the live SQLite database `dbPath` to `target` (which must not exist). */
export async function backupSqlite(dbPath: string, target: string): Promise<BackupResult> {
  if (!existsSync(dbPath)) throw new BackupError(`no metadata database at ${dbPath} (is --data-dir right?)`);
  if (existsSync(target)) throw new BackupError(`${target} exists; choose a new file`);
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target);
  } catch (error) {
    rmSync(target, { force: true });
    throw new BackupError(`backup of ${dbPath} failed: ${(error as Error).message}`);
  } finally {
    db.close();
  }
  chmodSync(target, SECRET_FILE_MODE);
  const objects = checkMetadataFile(target);
  syncFile(target);
  return { bytes: statSync(target).size, objects };
}

/** Puts the backup `source` in place of `dbPath` (the gateway must be stopped). */
export function restoreSqlite(source: string, dbPath: string): BackupResult {
  if (!existsSync(source)) throw new BackupError(`no backup at ${source}`);
  const objects = checkMetadataFile(source);
  const staging = `${dbPath}.restoring`;
  copyFileSync(source, staging);
  chmodSync(staging, SECRET_FILE_MODE);
  syncFile(staging);
  for (const suffix of ['-wal', '-shm']) rmSync(`${dbPath}${suffix}`, { force: true });
  renameSync(staging, dbPath);
  syncFile(path.dirname(dbPath));
  return { bytes: statSync(dbPath).size, objects };
}

/** Integrity check and a shardgate schema; returns the number of current objects. */
function checkMetadataFile(file: string): number {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new BackupError(`${file} is not a SQLite database: ${(error as Error).message}`);
  }
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`${file} fails SQLite's integrity check: ${String(check)}`);
    const version = db.pragma('user_version', { simple: true }) as number;
    const hasObjects = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'objects'").get();
    if (version === 0 || !hasObjects) throw new BackupError(`${file} is not a shardgate metadata database`);
    return (db.prepare('SELECT count(*) AS n FROM objects').get() as { n: number }).n;
  } catch (error) {
    if (error instanceof BackupError) throw error;
    throw new BackupError(`${file} is not readable as a SQLite database: ${(error as Error).message}`);
  } finally {
    db.close();
  }
}

function syncFile(file: string): void {
  const fd = openSync(file, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** `pg_dump --format=custom` of the database at `url` into `target`. */
export async function backupPostgres(url: string, target: string): Promise<BackupResult> {
  if (existsSync(target)) throw new BackupError(`${target} exists; choose a new file`);
  const { dbname, env } = connection(url);
  await runTool('pg_dump', ['--format=custom', '--no-owner', `--file=${target}`, `--dbname=${dbname}`], env);
  chmodSync(target, SECRET_FILE_MODE);
  return { bytes: statSync(target).size, objects: null };
}

/** `pg_restore` of a `backupPostgres` file into the database at `url`, replacing what is there, in one transaction. */
export async function restorePostgres(source: string, url: string): Promise<BackupResult> {
  if (!existsSync(source)) throw new BackupError(`no backup at ${source}`);
  const { dbname, env } = connection(url);
  await runTool('pg_restore', ['--clean', '--if-exists', '--no-owner', '--single-transaction', '--exit-on-error', `--dbname=${dbname}`, source], env);
  return { bytes: statSync(source).size, objects: null };
}

/** The URL without its password (a command line is visible in ps), which goes in PGPASSWORD instead. */
function connection(url: string): { dbname: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  if (parsed.searchParams.has('password') || parsed.searchParams.has('sslpassword')) {
    throw new BackupError('put the password in the URL\'s user part (postgres://user:password@host/db), not in a query parameter: it would appear on pg_dump\'s command line');
  }
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { dbname: parsed.toString(), env: password === '' ? {} : { PGPASSWORD: password } };
}

/** Runs a PostgreSQL client tool; the last lines of its stderr go in the error. */
function runTool(tool: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
    child.on('error', (error: NodeJS.ErrnoException) => reject(new BackupError(error.code === 'ENOENT'
      ? `${tool} not found: install the PostgreSQL client tools (Debian: postgresql-client)`
      : `${tool} failed: ${error.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new BackupError(`${tool} exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`))));
  });
}
