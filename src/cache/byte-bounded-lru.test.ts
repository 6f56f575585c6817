import test from 'ava';
import { mulberry32 } from '../testing/seeded-random.ts';
import { ByteBoundedLru } from './byte-bounded-lru.ts';

const bytesOf = (value: string) => value.length;

test('keeps entries while they fit and evicts the least recently used first', (t) => {
  const cache = new ByteBoundedLru<string, string>(10, bytesOf);
  cache.set('a', 'aaaa');
  cache.set('b', 'bbbb');
  t.is(cache.get('a'), 'aaaa'); // a is now the most recent
  cache.set('c', 'cccc'); // 12 bytes > 10: b goes, not a
  t.is(cache.get('b'), undefined);
  t.is(cache.get('a'), 'aaaa');
  t.is(cache.get('c'), 'cccc');
  t.is(cache.bytes, 8);
  t.is(cache.size, 2);
});

test('an entry larger than the budget is not kept and evicts nothing', (t) => {
  const cache = new ByteBoundedLru<string, string>(4, bytesOf);
  cache.set('a', 'aa');
  cache.set('big', 'xxxxx');
  t.is(cache.get('big'), undefined);
  t.is(cache.get('a'), 'aa');
  t.is(cache.bytes, 2);
});

test('replacing a key accounts for the new size only, and delete frees its bytes', (t) => {
  const cache = new ByteBoundedLru<string, string>(10, bytesOf);
  cache.set('a', 'aaaaaa');
  cache.set('a', 'aa');
  t.is(cache.bytes, 2);
  t.true(cache.delete('a'));
  t.false(cache.delete('a'));
  t.is(cache.bytes, 0);
  t.is(cache.size, 0);
});

test('a seeded sweep never holds more than the budget and always holds the newest entry that fits', (t) => {
  const next = mulberry32(12345);
  const cache = new ByteBoundedLru<number, string>(100, bytesOf);
  for (let i = 0; i < 5000; i++) {
    const key = Math.floor(next() * 50);
    if (next() < 0.3) cache.get(key);
    else {
      const value = 'x'.repeat(Math.floor(next() * 40));
      cache.set(key, value);
      t.is(cache.get(key), value);
    }
    if (cache.bytes > 100) t.fail(`held ${cache.bytes} bytes`);
  }
  t.pass();
});
