import test from 'ava';
import { commonPrefixOf, compareKeys, keySuccessor, walkListing, type SeekBound } from './listing.ts';

const utf8 = (text: string) => Buffer.from(text, 'utf8');

test('keySuccessor bounds every extension of the prefix in UTF-8 byte order', (t) => {
  const cases: [string, string | null][] = [
    ['a', 'b'], ['a/', 'a0'], ['é', 'ê'], ['\uD7FF', '\uE000'], ['x\uFFFF', 'x\u{10000}'],
    ['😀', '😁'], ['a\u{10FFFF}', 'b'], ['a\u{10FFFF}\u{10FFFF}', 'b'], ['\u{10FFFF}', null], ['', null],
  ];
  for (const [prefix, successor] of cases) t.is(keySuccessor(prefix), successor, JSON.stringify(prefix));
  const tails = ['', '\u0000', 'z', '\uFFFF', '\u{10FFFF}', '\u{10FFFF}\u{10FFFF}zz', '😀'];
  for (const [prefix] of cases) {
    const successor = keySuccessor(prefix);
    if (successor === null) continue;
    t.true(utf8(successor).toString('utf8') === successor, 'a valid UTF-8 string (no lone surrogates)');
    for (const tail of tails) t.true(compareKeys(prefix + tail, successor) < 0, `${JSON.stringify(prefix + tail)} < successor`);
  }
});

test('commonPrefixOf rolls up at the first delimiter after the prefix', (t) => {
  t.is(commonPrefixOf('a/b/c', '', '/'), 'a/');
  t.is(commonPrefixOf('a/b/c', 'a/', '/'), 'a/b/');
  t.is(commonPrefixOf('a/b', 'a/', '/'), null);
  t.is(commonPrefixOf('x::y::z', 'x', '::'), 'x::');
});

/** An in-memory seek over sorted keys that counts the rows it hands out. */
function memorySeek(keys: readonly string[]) {
  const sorted = [...keys].sort(compareKeys);
  const counter = { rows: 0, seeks: 0 };
  const seek = function* (from: SeekBound, upper: string | null, limit: number) {
    counter.seeks += 1;
    let taken = 0;
    for (const key of sorted) {
      const low = compareKeys(key, from.key);
      if (low < 0 || (low === 0 && !from.inclusive)) continue;
      if (upper !== null && compareKeys(key, upper) >= 0) return;
      if (taken === limit) return;
      taken += 1;
      counter.rows += 1;
      yield { key };
    }
  };
  return { seek, counter };
}

test('a common prefix costs one row and one seek, however many keys it holds', (t) => {
  const keys = [
    ...Array.from({ length: 10_000 }, (_, i) => `logs/${String(i).padStart(5, '0')}`),
    ...Array.from({ length: 5_000 }, (_, i) => `media/${i}`),
    'readme',
  ];
  const { seek, counter } = memorySeek(keys);
  const page = walkListing({ delimiter: '/', maxKeys: 1000 }, seek);
  t.deepEqual(page.commonPrefixes, ['logs/', 'media/']);
  t.deepEqual(page.objects.map((row) => row.key), ['readme']);
  t.false(page.isTruncated);
  t.true(counter.rows <= 3, `rows read: ${counter.rows}`);
  t.true(counter.seeks <= 3, `seeks: ${counter.seeks}`);
});

test('a full page of keys reads one row past the page to know it is truncated', (t) => {
  const keys = Array.from({ length: 50 }, (_, i) => `k${String(i).padStart(2, '0')}`);
  const { seek, counter } = memorySeek(keys);
  const page = walkListing({ maxKeys: 10, after: 'k04' }, seek);
  t.deepEqual(page.objects.map((row) => row.key), keys.slice(5, 15));
  t.true(page.isTruncated);
  t.is(page.nextAfter, 'k14');
  t.is(counter.rows, 11);
  t.is(counter.seeks, 1);
});
