import { createHash } from 'node:crypto';
import pg from 'pg';
import { MetaStoreUnavailableError } from './store.ts';

/**
 * The PostgreSQL connection layer of the store: a `pg.Pool` whose integer columns come back as
 * JS numbers (checked: a value past 2^53 throws instead of rounding), and transactions on one
 * checked-out client each, retried when PostgreSQL aborts one to break a deadlock or a
 * serialization conflict (SQLSTATE 40P01, 40001).
 */

const INT8_OID = 20;
const NUMERIC_OID = 1700;

export class UnsafeIntegerError extends Error {
  readonly code = 'UNSAFE_INTEGER';
  override name = 'UnsafeIntegerError';
  constructor(readonly text: string) {
    super(`database integer ${text} does not fit a JS number exactly`);
  }
}

/** bigint and numeric (sums) as numbers, refusing any that a double cannot hold exactly. */
function parseExactNumber(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new UnsafeIntegerError(text);
  return value;
}

const TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if ((oid === INT8_OID || oid === NUMERIC_OID) && format !== 'binary') return parseExactNumber;
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresPoolOptions {
  /** Connections at most. Default 10. */
  readonly maxConnections?: number;
  /** How long to wait for a new connection. Default 10 s. */
  readonly connectTimeoutMs?: number;
}

export function createPool(url: string, options: PostgresPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    types: TYPES,
    application_name: 'shardgate',
  });
  // An idle client whose server went away: the pool drops it; the next query reports the failure.
  pool.on('error', () => {});
  return pool;
}

/** Queries on one connection (inside a transaction) or on the pool (one statement each). */
export class Sql {
  constructor(private readonly target: pg.Pool | pg.PoolClient) {}

  /** All rows of one statement, prepared once per connection (named by a hash of its text). */
  async rows<Row>(text: string, values: readonly unknown[] = []): Promise<Row[]> {
    try {
      const result = await this.target.query({ name: statementName(text), text, values: values as unknown[] });
      return result.rows as Row[];
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  async one<Row>(text: string, values: readonly unknown[] = []): Promise<Row | undefined> {
    return (await this.rows<Row>(text, values))[0];
  }

  /** Runs a statement; returns the number of rows it changed. */
  async run(text: string, values: readonly unknown[] = []): Promise<number> {
    try {
      const result = await this.target.query({ name: statementName(text), text, values: values as unknown[] });
      return result.rowCount ?? 0;
    } catch (error) {
      throw asUnavailable(error);
    }
  }

  /** A statement not kept prepared (transaction and cursor commands). */
  async raw<Row>(text: string, values?: readonly unknown[]): Promise<Row[]> {
    try {
      return (await this.target.query(text, values as unknown[] | undefined)).rows as Row[];
    } catch (error) {
      throw asUnavailable(error);
    }
  }
}

const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `sg_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    names.set(text, name);
  }
  return name;
}

/** Socket errors, and SQLSTATEs of a lost or refused connection (class 08, shutdown, too many connections). */
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  '57P01', '57P02', '57P03', '53300',
]);
const UNAVAILABLE_MESSAGES = /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Connection ended)/;

/** A connection failure as MetaStoreUnavailableError (the gateway's 503); any other error unchanged. */
export function asUnavailable(error: unknown): unknown {
  if (error instanceof MetaStoreUnavailableError) return error;
  const { code, message } = error as { code?: string; message?: string };
  const unavailable = (code !== undefined && (UNAVAILABLE_CODES.has(code) || code.startsWith('08')))
    || UNAVAILABLE_MESSAGES.test(message ?? '');
  return unavailable ? new MetaStoreUnavailableError(`metadata database unavailable: ${message ?? code}`, { cause: error }) : error;
}

/** SQLSTATEs after which the whole transaction may simply run again. */
const RETRYABLE = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 8;

export type TransactionMode = 'write' | 'read';

/**
 * Runs `fn` in one transaction on one client: READ COMMITTED with explicit row locks for writes,
 * REPEATABLE READ READ ONLY (one snapshot) for multi-statement reads. Rolled back when `fn`
 * throws; run again (from the start, `fn` must not have effects outside the database) after a
 * deadlock or serialization failure.
 */
export async function inTransaction<T>(pool: pg.Pool, mode: TransactionMode, fn: (sql: Sql) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    const client = await pool.connect().catch((error: unknown) => { throw asUnavailable(error); });
    let broken: Error | undefined;
    // A connection lost between two statements is reported by the next query; without a listener
    // the client's 'error' event would crash the process.
    const onError = (error: Error) => { broken = error; };
    client.on('error', onError);
    try {
      const sql = new Sql(client);
      await sql.raw(mode === 'read' ? 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY' : 'BEGIN');
      const result = await fn(sql);
      await sql.raw('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => { broken = rollbackError; });
      if (!broken && attempt < MAX_ATTEMPTS && RETRYABLE.has((error as { code?: string }).code ?? '')) {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 5 * attempt));
        continue;
      }
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'an unparsable URL';
  }
}

/** The first line of a driver error, with its SQLSTATE or errno code. */
export function describeError(error: unknown): string {
  const { message, code } = error as { message?: string; code?: string };
  const text = (message && message !== '' ? message : code ?? String(error)).split('\n')[0]!;
  return code && !text.includes(code) ? `${text} (${code})` : text;
}
