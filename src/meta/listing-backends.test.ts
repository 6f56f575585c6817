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
  for (let at = 0; at < keys.length; at += 64) {
    await Promise.all(keys.slice(at, at + 64).map((key) => store.commitObject(newVersion('bucket', key, { size: key.length }))));
  }
}

/** The pages of a listing (at most `limit` of them), as comparable plain values. */
async function pages(store: MetaStore, query: ListObjectsQuery, limit: number): Promise<unknown[]> {
  const all: unknown[] = [];
  let after = query.after;
  while (all.length < limit) {
    const page: ListObjectsPage = await store.listObjects('bucket', { ...query, after });
    all.push({
      keys: page.objects.map((object) => object.key), prefixes: page.commonPrefixes, isTruncated: page.isTruncated, nextAfter: page.nextAfter,
    });
    if (!page.isTruncated) break;
    after = page.nextAfter!;
  }
  return all;
}

const KEYS = 100_000;
/** Pages compared per query: whole listings of the bucket in pages of 1,000; small pages are sampled. */
const PAGES_PER_QUERY = 110;

test(`SQLite and PostgreSQL give identical listing pages for ${KEYS.toLocaleString('en')} keys with deep and non-ASCII prefixes`, async (t) => {
  t.timeout(20 * 60_000, 'seeding 100,000 keys into PostgreSQL (~10 statements a commit) takes minutes on a loaded 2-core machine');
  const keys = makeKeys(KEYS, 12);
  const sqlite = SqliteMetaStore.open(':memory:');
  t.teardown(() => sqlite.close());
  const postgres = await PostgresMetaStore.open(await server!.createDatabase(), { maxConnections: 16 });
  t.teardown(() => postgres.close());
  const started = Date.now();
  await Promise.all([seed(sqlite, keys), seed(postgres, keys)]);
  t.log(`seeded ${keys.length} keys into each backend in ${Date.now() - started} ms`);

  const queries: ListObjectsQuery[] = [];
  for (const prefix of [undefined, 'a/', 'é', '😀/', '\uFFFD/b', 'x', 'photos/2024/', 'A/A/A/A/', 'nothing-here']) {
    for (const delimiter of [undefined, '/', '::', 'é']) {
      for (const maxKeys of [1, 7, 97, 1000]) queries.push({ prefix, delimiter, maxKeys });
    }
  }
  // Continuations from anywhere in the bucket: start-after existing keys, between keys, past the end.
  const random = mulberry32(34);
  const sorted = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  for (let sample = 0; sample < 40; sample += 1) {
    const key = sorted[Math.floor(random() * sorted.length)]!;
    const after = sample % 2 === 0 ? key : `${key}\u0001`;
    queries.push({ maxKeys: 50, after }, { maxKeys: 13, delimiter: '/', after }, { maxKeys: 5, prefix: key.split('/')[0] + '/', delimiter: '/', after });
  }
  queries.push({ maxKeys: 1000, after: sorted.at(-1)! }, { maxKeys: 1000, after: '\u{10FFFF}' });

  let compared = 0;
  let keysCompared = 0;
  for (const query of queries) {
    const [expected, actual] = await Promise.all([pages(sqlite, query, PAGES_PER_QUERY), pages(postgres, query, PAGES_PER_QUERY)]);
    t.deepEqual(actual, expected, JSON.stringify(query));
    compared += expected.length;
    for (const page of expected as { keys: string[] }[]) keysCompared += page.keys.length;
  }
  t.log(`${compared} pages (${keysCompared} keys) compared over ${queries.length} queries`);
  t.true(compared > 5000, `${compared} pages compared`);
  // The whole bucket, page by page, is every seeded key once, in UTF-8 byte order, on both.
  const whole = (await pages(postgres, { maxKeys: 1000 }, PAGES_PER_QUERY)) as { keys: string[] }[];
  t.deepEqual(whole.flatMap((page) => page.keys), sorted);
  // The order really is UTF-8 bytes: U+FFFD (EF BF BD) before U+1F600 (F0 9F 98 80).
  const top = ((await pages(postgres, { delimiter: '/', maxKeys: 1000 }, PAGES_PER_QUERY)) as { prefixes: string[] }[]).flatMap((page) => page.prefixes);
  t.true(top.includes('\uFFFD/') && top.indexOf('\uFFFD/') < top.indexOf('😀/'), top.join(' '));
});
