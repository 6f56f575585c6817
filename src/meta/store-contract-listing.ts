import type { ExecutionContext, TestFn } from 'ava';
import {
  committed, createAccountAndBucket, mulberry32, newVersion, openStore, utf8Compare, type MakeStore,
} from './store-contract-fixtures.ts';
import type { MetaStore } from './store.ts';
import type { ListObjectsPage, ListObjectsQuery } from './types.ts';

/** An entry of a listing: a key, or a common prefix standing for the keys under it. */
type Entry = `key:${string}` | `prefix:${string}`;

const entryValue = (entry: Entry) => entry.slice(entry.indexOf(':') + 1);

/**
 * The listing computed the obvious way, in memory: every key under the prefix, rolled up at the
 * first delimiter after the prefix, deduplicated, sorted by UTF-8 bytes, strictly after `after`.
 */
function referenceListing(keys: readonly string[], query: Omit<ListObjectsQuery, 'maxKeys'>): Entry[] {
  const prefix = query.prefix ?? '';
  const entries = new Map<string, Entry>();
  for (const key of keys) {
    if (!key.startsWith(prefix)) continue;
    const at = query.delimiter ? key.indexOf(query.delimiter, prefix.length) : -1;
    const value = at < 0 ? key : key.slice(0, at + query.delimiter!.length);
    entries.set(value, at < 0 ? `key:${value}` : `prefix:${value}`);
  }
  return [...entries.entries()]
    .filter(([value]) => query.after === undefined || utf8Compare(value, query.after) > 0)
    .sort(([a], [b]) => utf8Compare(a, b))
    .map(([, entry]) => entry);
}

/** A page's entries in key order (objects and prefixes interleaved). */
function pageEntries(page: ListObjectsPage): Entry[] {
  const entries: Entry[] = [
    ...page.objects.map((object) => `key:${object.key}` as const),
    ...page.commonPrefixes.map((prefix) => `prefix:${prefix}` as const),
  ];
  return entries.sort((a, b) => utf8Compare(entryValue(a), entryValue(b)));
}

async function putKeys(store: MetaStore, bucket: string, keys: readonly string[]): Promise<void> {
  for (const key of keys) await store.commitObject(newVersion(bucket, key));
}

/** Pages through a listing from `query.after`, checking every page against the reference. */
async function listAll(t: ExecutionContext, store: MetaStore, keys: readonly string[], query: ListObjectsQuery): Promise<Entry[]> {
  const all: Entry[] = [];
  let after = query.after;
  for (let pages = 0; ; pages += 1) {
    if (pages > keys.length + 2) throw new Error('listing does not terminate');
    const page = await store.listObjects('bucket', { ...query, after });
    const entries = pageEntries(page);
    const expected = referenceListing(keys, { ...query, after });
    t.deepEqual(entries, expected.slice(0, query.maxKeys), `page after ${JSON.stringify(after)}`);
    t.is(page.isTruncated, expected.length > query.maxKeys);
    all.push(...entries);
    if (!page.isTruncated) {
      t.is(page.nextAfter, null);
      return all;
    }
    t.is(page.nextAfter, entryValue(entries.at(-1)!), 'nextAfter is the last entry returned');
    after = page.nextAfter!;
  }
}

/** Listing order, delimiters, continuation and maxKeys. */
export function runListingContract(test: TestFn, makeStore: MakeStore): void {
  test('keys list in UTF-8 byte order, not UTF-16 order', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const keys = ['z', '😀', 'a', '\uFFFD', 'é', 'ab', 'a/b', 'a😀', 'a\uFFFD', 'a\uE000', '\uE000', 'é/x', 'éa', '\u{10FFFF}', 'A', '~'];
    await putKeys(store, 'bucket', keys);
    const expected = [...keys].sort(utf8Compare);
    t.true(expected.indexOf('\uFFFD') < expected.indexOf('😀'), 'the order under test differs from UTF-16 order');
    t.notDeepEqual(expected, [...keys].sort());
    const page = await store.listObjects('bucket', { maxKeys: 1000 });
    t.deepEqual(page.objects.map((object) => object.key), expected);
    t.deepEqual(page.commonPrefixes, []);
    t.false(page.isTruncated);
    t.deepEqual(await listAll(t, store, keys, { maxKeys: 3 }), expected.map((key) => `key:${key}` as const));
  });

  test('listed objects carry their versions; other buckets stay apart; a missing bucket throws', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    await createAccountAndBucket(store, 'other');
    const version = newVersion('bucket', 'k', { etag: '"abc"', userMetadata: { a: 'b' } });
    await store.commitObject(version);
    await putKeys(store, 'other', ['j', 'k', 'l']);
    t.deepEqual((await store.listObjects('bucket', { maxKeys: 10 })).objects, [committed(version)]);
    const missing = await t.throwsAsync(store.listObjects('nope', { maxKeys: 10 }));
    t.is((missing as { code?: string }).code, 'NO_SUCH_BUCKET');
  });

  test('maxKeys 0 gives an empty page that is not truncated', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    await putKeys(store, 'bucket', ['a', 'b/c']);
    t.deepEqual(await store.listObjects('bucket', { maxKeys: 0, delimiter: '/' }),
      { objects: [], commonPrefixes: [], isTruncated: false, nextAfter: null });
  });

  test('common prefixes count towards maxKeys; truncation is exact; nextAfter resumes past a prefix', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    await putKeys(store, 'bucket', ['a/1', 'a/2', 'a/3/x', 'b', 'c/1', 'd']);
    const first = await store.listObjects('bucket', { maxKeys: 2, delimiter: '/' });
    t.deepEqual(first.commonPrefixes, ['a/']);
    t.deepEqual(first.objects.map((object) => object.key), ['b']);
    t.true(first.isTruncated);
    t.is(first.nextAfter, 'b');
    const second = await store.listObjects('bucket', { maxKeys: 2, delimiter: '/', after: 'b' });
    t.deepEqual([second.commonPrefixes, second.objects.map((object) => object.key)], [['c/'], ['d']]);
    t.false(second.isTruncated, 'nothing after the last entry: not truncated');
    t.is(second.nextAfter, null);
    const one = await store.listObjects('bucket', { maxKeys: 1, delimiter: '/' });
    t.deepEqual([one.commonPrefixes, one.objects, one.isTruncated, one.nextAfter], [['a/'], [], true, 'a/']);
    const resumed = await store.listObjects('bucket', { maxKeys: 1, delimiter: '/', after: 'a/' });
    t.deepEqual(resumed.objects.map((object) => object.key), ['b'], 'keys under a/ are not listed again');
    const nested = await store.listObjects('bucket', { maxKeys: 10, delimiter: '/', prefix: 'a/' });
    t.deepEqual([nested.objects.map((object) => object.key), nested.commonPrefixes], [['a/1', 'a/2'], ['a/3/']]);
  });

  test('after inside a common prefix skips the prefix; after before the prefix starts at it', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const keys = ['a/1', 'a/2', 'a/3', 'b', 'pre/x', 'pre/y/z', 'prf'];
    await putKeys(store, 'bucket', keys);
    const inside = await store.listObjects('bucket', { maxKeys: 10, delimiter: '/', after: 'a/1' });
    t.deepEqual(pageEntries(inside), referenceListing(keys, { delimiter: '/', after: 'a/1' }));
    t.deepEqual(pageEntries(inside)[0], 'key:b');
    const early = await store.listObjects('bucket', { maxKeys: 10, prefix: 'pre/', delimiter: '/', after: 'a' });
    t.deepEqual(pageEntries(early), ['key:pre/x', 'prefix:pre/y/']);
    const late = await store.listObjects('bucket', { maxKeys: 10, prefix: 'pre/', after: 'q' });
    t.deepEqual(pageEntries(late), []);
    const noDelimiter = await store.listObjects('bucket', { maxKeys: 10, prefix: 'a/', after: 'a/1' });
    t.deepEqual(pageEntries(noDelimiter), ['key:a/2', 'key:a/3']);
  });

  test('a key equal to a common prefix rolls up into it; multi-character delimiters work', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const keys = ['x/', 'x/y', 'x', 'photos::2024::a', 'photos::2024::b', 'photos:single', 'photos::'];
    await putKeys(store, 'bucket', keys);
    t.deepEqual(pageEntries(await store.listObjects('bucket', { maxKeys: 10, delimiter: '/' })),
      referenceListing(keys, { delimiter: '/' }));
    t.deepEqual(pageEntries(await store.listObjects('bucket', { maxKeys: 10, delimiter: '::', prefix: 'photos' })),
      ['prefix:photos::', 'key:photos:single']);
    t.deepEqual(pageEntries(await store.listObjects('bucket', { maxKeys: 10, delimiter: '::', prefix: 'photos::' })),
      ['key:photos::', 'prefix:photos::2024::'], 'a key ending at the prefix has no delimiter after it');
  });

  // Characters chosen to stress UTF-8 order: astral vs U+E000–U+FFFF, the code point just below
  // the surrogate block (its successor skips the block), and U+10FFFF (no successor).
  const alphabet = ['a', 'b', '/', '-', 'é', '😀', '\uFFFD', '\uE000', '\uD7FF', '\u{10FFFF}', 'z'];
  const delimiters = [undefined, '/', 'é', '\uD7FF', '\u{10FFFF}', 'a/', '😀'];
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    test(`seeded sweep ${seed}: paging with prefix, delimiter and after reconstructs the reference listing`, async (t) => {
      const random = mulberry32(seed * 7919);
      const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
      const word = (maxLength: number) => Array.from({ length: 1 + Math.floor(random() * maxLength) }, () => pick(alphabet)).join('');
      const keys = [...new Set(Array.from({ length: 60 }, () => word(6)))];
      const store = await openStore(t, makeStore);
      await createAccountAndBucket(store);
      await putKeys(store, 'bucket', keys);
      for (let round = 0; round < 12; round += 1) {
        const prefixSource = Array.from(pick(keys));
        const prefix = pick(['', '', Array.from(prefixSource).slice(0, 1 + Math.floor(random() * 2)).join(''), word(2)]);
        const delimiter = pick(delimiters);
        const after = random() < 0.3 ? pick([word(3), pick(keys)]) : undefined;
        const maxKeys = pick([1, 2, 3, 5, 8, 1000]);
        const query = { prefix, delimiter, after, maxKeys };
        const expected = referenceListing(keys, query);
        t.deepEqual(await listAll(t, store, keys, query), expected, `seed ${seed} round ${round} ${JSON.stringify(query)}`);
      }
    });
  }
}
