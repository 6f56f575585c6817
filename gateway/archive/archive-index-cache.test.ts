import test from 'ava';
import { ArchiveError } from '../../src/archive/errors.ts';
import { ZipIndex, type ZipDirectory } from '../../src/archive/zip-reader.ts';
import { ArchiveIndexCache } from './archive-index-cache.ts';

const emptyIndex = (centralDirectoryLength = 100) => {
  const directory: ZipDirectory = { entries: [], centralDirectory: { offset: 0, length: centralDirectoryLength }, zip64: false };
  return new ZipIndex(directory);
};

test('a version is loaded once, however many requests ask at the same time', async (t) => {
  const cache = new ArchiveIndexCache(1024 * 1024);
  let loads = 0;
  const load = async () => {
    loads++;
    await new Promise((resolve) => setTimeout(resolve, 10));
    return emptyIndex();
  };
  const archives = await Promise.all(Array.from({ length: 10 }, () => cache.get('v1', load)));
  t.is(loads, 1);
  t.true(archives.every((archive) => archive === archives[0]));
  await cache.get('v1', load);
  t.is(loads, 1);
});

test('least recently used versions are evicted past the byte bound', async (t) => {
  const cache = new ArchiveIndexCache(1000);
  const loads: string[] = [];
  const loader = (id: string) => async () => {
    loads.push(id);
    return emptyIndex(400);
  };
  await cache.get('a', loader('a'));
  await cache.get('b', loader('b'));
  await cache.get('a', loader('a')); // a is now the most recent
  await cache.get('c', loader('c')); // evicts b
  t.is(cache.size, 2);
  await cache.get('a', loader('a'));
  await cache.get('b', loader('b'));
  t.deepEqual(loads, ['a', 'b', 'c', 'b']);
});

test('a format error is remembered; any other failure is retried', async (t) => {
  const cache = new ArchiveIndexCache(1024 * 1024);
  let formatLoads = 0;
  const corrupt = async () => {
    formatLoads++;
    throw new ArchiveError('ZIP_CORRUPT', 'corrupt or truncated ZIP: test');
  };
  await t.throwsAsync(cache.get('bad', corrupt), { message: /test/ });
  await t.throwsAsync(cache.get('bad', corrupt), { message: /test/ });
  t.is(formatLoads, 1);

  let transientLoads = 0;
  const flaky = async () => {
    transientLoads++;
    if (transientLoads === 1) throw new Error('not enough shards');
    return emptyIndex();
  };
  await t.throwsAsync(cache.get('flaky', flaky), { message: 'not enough shards' });
  t.truthy(await cache.get('flaky', flaky));
  t.is(transientLoads, 2);
});
