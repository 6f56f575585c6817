import test from 'ava';
import { startPostgresTestServer, type PostgresTestServer } from '../testing/postgres-server.ts';
import { PostgresMetaStore } from './postgres-store.ts';
import { SqliteMetaStore } from './sqlite-store.ts';
import { mulberry32, newVersion, PROFILE } from './store-contract-fixtures.ts';
import type { MetaStore } from './store.ts';
import type { ListObjectsPage, ListObjectsQuery } from './types.ts';

/**
 * The same keys, seeded through the MetaStore into SQLite and PostgreSQL, list identically:
 * every page of every query (prefixes, delimiters, continuations, start-after) is the same on
 * both. Keys have deep prefixes, non-ASCII (2-, 3- and 4-byte UTF-8, where UTF-16 order differs
 * from byte order) and delimiters of one and several characters.
 */

let server: PostgresTestServer | undefined;
test.before(async () => {
  server = await startPostgresTestServer();
});
test.after.always(async () => {
  await server?.stop();
});

const SEGMENTS = ['a', 'b', 'é', 'z', '😀', '\uFFFD', 'photos', '2024', 'x::y', 'A', '-', '.', '~'];

function makeKeys(count: number, seed: number): string[] {
  const random = mulberry32(seed);
  const pick = () => SEGMENTS[Math.floor(random() * SEGMENTS.length)]!;
  const keys = new Set<string>();
  while (keys.size < count) {
    const depth = 1 + Math.floor(random() * 5);
    const parts = Array.from({ length: depth }, pick);
    keys.add(parts.join('/') + (random() < 0.5 ? `${Math.floor(random() * 100)}` : ''));
  }
  return [...keys];
}

async function seed(store: MetaStore, keys: readonly string[]): Promise<void> {
  const account = await store.createAccount('owner');
  await store.createBucket({ name: 'bucket', accountId: account.id, createdAt: new Date(1_700_000_000_000), profile: PROFILE });
  for (let at = 0; at < keys.length; at += 16) {
    await Promise.all(keys.slice(at, at + 16).map((key) => store.commitObject(newVersion('bucket', key, { size: key.length }))));
  }
}

/** Every page of a listing, as comparable plain values. */
async function pages(store: MetaStore, query: ListObjectsQuery): Promise<unknown[]> {
  const all: unknown[] = [];
  let after = query.after;
  for (;;) {
    const page: ListObjectsPage = await store.listObjects('bucket', { ...query, after });
    all.push({
      keys: page.objects.map((object) => object.key), prefixes: page.commonPrefixes, isTruncated: page.isTruncated, nextAfter: page.nextAfter,
    });
    if (!page.isTruncated) return all;
    after = page.nextAfter!;
  }
}

test('SQLite and PostgreSQL give identical listing pages for 3,000 keys with deep and non-ASCII prefixes', async (t) => {
  const keys = makeKeys(3000, 12);
  const sqlite = SqliteMetaStore.open(':memory:');
  t.teardown(() => sqlite.close());
  const postgres = await PostgresMetaStore.open(await server!.createDatabase(), { maxConnections: 16 });
  t.teardown(() => postgres.close());
  const started = Date.now();
  await Promise.all([seed(sqlite, keys), seed(postgres, keys)]);
  t.log(`seeded in ${Date.now() - started} ms`);

  const queries: ListObjectsQuery[] = [];
  for (const prefix of [undefined, 'a/', 'é', '😀/', '\uFFFD/b', 'x', 'photos/2024/', 'nothing-here']) {
    for (const delimiter of [undefined, '/', '::', 'é']) {
      // Small pages under a prefix; the whole bucket in pages of 97 and 1000 (thousands of tiny pages add nothing).
      for (const maxKeys of prefix === undefined ? [97, 1000] : [1, 7, 1000]) queries.push({ prefix, delimiter, maxKeys });
    }
  }
  queries.push({ maxKeys: 100, after: 'é/z' }, { maxKeys: 50, delimiter: '/', after: '😀' }, { maxKeys: 10, prefix: 'a/', delimiter: '/', after: 'a/b/' });
  let compared = 0;
  for (const query of queries) {
    const [expected, actual] = await Promise.all([pages(sqlite, query), pages(postgres, query)]);
    t.deepEqual(actual, expected, JSON.stringify(query));
    compared += expected.length;
  }
  t.true(compared > 500, `${compared} pages compared`);
  // The order really is UTF-8 bytes: U+FFFD (EF BF BD) before U+1F600 (F0 9F 98 80).
  const top = await postgres.listObjects('bucket', { delimiter: '/', maxKeys: 1000 });
  t.true(top.commonPrefixes.indexOf('\uFFFD/') < top.commonPrefixes.indexOf('😀/'));
});
