import test from 'ava';
import { HASH_LIST_ENTRY_OVERHEAD_BYTES, HashListCache } from './hash-list-cache.ts';

test('each list counts its length plus the per-entry overhead, so small lists cannot overfill the bound', (t) => {
  const lists = 10;
  const cache = new HashListCache(lists * (32 + HASH_LIST_ENTRY_OVERHEAD_BYTES));
  for (let i = 0; i < lists; i++) cache.set(`shard-${i}`, new Uint8Array(32));
  t.is(cache.size, lists);
  t.is(cache.bytes, lists * (32 + HASH_LIST_ENTRY_OVERHEAD_BYTES));
  cache.set('shard-next', new Uint8Array(32)); // one more evicts the least recently used
  t.is(cache.size, lists);
  t.is(cache.get('shard-0'), undefined);
  t.truthy(cache.get('shard-next'));
});
