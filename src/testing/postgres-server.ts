import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A throwaway PostgreSQL server for tests and benches: Debian's `initdb` and `postgres` binaries
 * (found on PATH, then in /usr/lib/postgresql/<version>/bin), a cluster in a temp dir, listening
 * on a free 127.0.0.1 port and a unix socket inside the temp dir, trust authentication on those
 * only, fsync off. Run as root, the server runs as the `postgres` OS user (initdb refuses root).
 * One server per test file; each test takes a fresh database (`createDatabase`), so tests in a
 * file run concurrently without seeing each other's rows.
 */

export class PostgresUnavailableError extends Error {
  readonly code = 'POSTGRES_UNAVAILABLE';
  override name = 'PostgresUnavailableError';
}

export interface PostgresTestServer {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string;
  readonly port: number;
  /** A new empty database; returns its connection URL. */
  createDatabase(): Promise<string>;
  /** Stops the server (fast shutdown), keeping its data: a database outage. */
  halt(): Promise<void>;
  /** Starts the halted server again on the same port, with its data. */
  resume(): Promise<void>;
  /** Stops the server and removes its directory; safe to call twice. */
  stop(): Promise<void>;
}

const BINARIES = ['initdb', 'postgres'] as const;

/** The directory holding initdb and postgres: PATH first, then Debian's versioned directories (newest first). */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = (env.PATH ?? '').split(delimiter).filter((entry) => entry !== '');
  try {
    const versions = readdirSync('/usr/lib/postgresql').filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
    for (const version of versions) candidates.push(`/usr/lib/postgresql/${version}/bin`);
  } catch { /* no Debian PostgreSQL directory */ }
  const found = candidates.find((directory) => BINARIES.every((name) => isExecutable(join(directory, name))));
  if (found === undefined) {
    throw new PostgresUnavailableError(
      'PostgreSQL binaries (initdb, postgres) not found on PATH or in /usr/lib/postgresql/*/bin: install Debian\'s postgresql package (.ci/run does)',
    );
  }
  return found;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Process options that run a command as the `postgres` OS user when we are root (initdb and postgres refuse root). */
function serverUserOptions(): { uid?: number; gid?: number } {
  return process.getuid?.() === 0 ? postgresUser() : {};
}

function run(command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, [...args], { timeout: 60_000, ...serverUserOptions() }, (error, _stdout, stderr) => {
      if (error) reject(new PostgresUnavailableError(`${command} failed: ${(stderr || error.message).trim().split('\n').at(-1)}`));
      else resolve();
    });
  });
}

/** Starts a server; throws PostgresUnavailableError with one clear line when it cannot. */
export async function startPostgresTestServer(): Promise<PostgresTestServer> {
  const bin = findPostgresBinaries();
  const directory = mkdtempSync(join(tmpdir(), 'shardgate-pg-'));
  const dataDir = join(directory, 'data');
  const root = process.getuid?.() === 0;
  if (root) {
    const { uid, gid } = postgresUser();
    chownSync(directory, uid, gid);
  }
  chmodSync(directory, 0o700);
  let child: ChildProcess | null = null;
  let stopped = false;
  /** Fast shutdown (sessions are cut; committed work is flushed, so a restart keeps it). */
  const halt = async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const running = child;
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGINT');
      const timer = setTimeout(() => running.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await halt();
    rmSync(directory, { recursive: true, force: true });
  };
  try {
    await run(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
    // Loopback and the socket only; initdb's pg_hba.conf is replaced.
    writeFileSync(join(dataDir, 'pg_hba.conf'), 'local all all trust\nhost all all 127.0.0.1/32 trust\n');
    if (root) {
      const { uid, gid } = postgresUser();
      chownSync(join(dataDir, 'pg_hba.conf'), uid, gid);
    }
    const port = await freePort();
    const argv = [
      '-D', dataDir, '-p', String(port), '-h', '127.0.0.1', '-k', directory,
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
      '-c', 'max_connections=400', '-c', 'shared_buffers=32MB', '-c', 'logging_collector=off',
    ];
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const launch = async () => {
      let output = '';
      child = spawn(join(bin, 'postgres'), argv, { stdio: ['ignore', 'pipe', 'pipe'], ...serverUserOptions() });
      child.stdout!.on('data', (data: Buffer) => { output = (output + data.toString()).slice(-4000); });
      child.stderr!.on('data', (data: Buffer) => { output = (output + data.toString()).slice(-4000); });
      await waitUntilAccepting(url, child, () => output);
    };
    await launch();
    return {
      url,
      port,
      createDatabase: async () => {
        const name = `t_${randomBytes(8).toString('hex')}`;
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          await client.query(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'`);
        } finally {
          await client.end();
        }
        return `postgres://postgres@127.0.0.1:${port}/${name}`;
      },
      halt,
      resume: launch,
      stop,
    };
  } catch (error) {
    await stop();
    if (error instanceof PostgresUnavailableError) throw error;
    throw new PostgresUnavailableError(`PostgreSQL test server did not start: ${(error as Error).message}`);
  }
}

function postgresUser(): { uid: number; gid: number } {
  const line = readPasswd().find((entry) => entry.startsWith('postgres:'));
  if (!line) throw new PostgresUnavailableError('running as root but there is no "postgres" OS user to run PostgreSQL as');
  const fields = line.split(':');
  return { uid: Number(fields[2]), gid: Number(fields[3]) };
}

function readPasswd(): string[] {
  return readFileSync('/etc/passwd', 'utf8').split('\n');
}

async function waitUntilAccepting(url: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const last = output().trim().split('\n').filter((line) => line !== '').at(-1) ?? '';
      throw new PostgresUnavailableError(`postgres exited at start: ${last}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => {});
      if (Date.now() > deadline) throw new PostgresUnavailableError(`postgres did not accept connections within 30 s: ${(error as Error).message}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
