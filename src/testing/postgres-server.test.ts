import test from 'ava';
import pg from 'pg';
import { startPostgresTestServer } from './postgres-server.ts';

test('a throwaway PostgreSQL starts on a free port, gives isolated UTF-8 "C" databases, and leaves nothing behind', async (t) => {
  const server = await startPostgresTestServer();
  t.teardown(() => server.stop());
  const [first, second] = await Promise.all([server.createDatabase(), server.createDatabase()]);
  t.not(first, second);
  const client = new pg.Client({ connectionString: first });
  await client.connect();
  try {
    await client.query('CREATE TABLE only_here (x int)');
    const { rows } = await client.query<{ encoding: string; ordered: boolean }>(
      // UTF-8 byte order: U+1F600 sorts after U+FFFD (UTF-16 order would say before).
      `SELECT pg_encoding_to_char(encoding) AS encoding, ($1::text > $2::text) AS ordered FROM pg_database WHERE datname = current_database()`,
      ['😀', '\uFFFD'],
    );
    t.deepEqual(rows, [{ encoding: 'UTF8', ordered: true }]);
  } finally {
    await client.end();
  }
  const other = new pg.Client({ connectionString: second });
  await other.connect();
  try {
    const { rows } = await other.query(`SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'only_here'`);
    t.deepEqual(rows, [{ n: 0 }]);
  } finally {
    await other.end();
  }
  await server.stop();
  await server.stop();
  const after = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 2_000 });
  await t.throwsAsync(after.connect());
  await after.end().catch(() => {});
});
