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

test('a member\'s data place is guessed from its name and the extra-field length the last local header read had', async (t) => {
  const archive = await new ArchiveIndexCache(1024 * 1024).get('v', async () => emptyIndex());
  const entry = (name: string, localHeaderOffset: number) => ({
    name, method: 0, flags: 0, crc32: 0, compressedSize: 10, size: 10, localHeaderOffset, modifiedAt: null,
  });
  const first = entry('a/ü.ts', 0); // 7 bytes of UTF-8
  t.deepEqual(archive.guessedDataSpan(first), { offset: 30 + 7, length: 10 });
  t.is(archive.knownDataSpan(first), undefined);
  // Its header had a 28-byte extra field (Info-ZIP's UT + ux): the next guess allows for one.
  t.deepEqual(await archive.dataSpan(first, async () => ({ offset: 30 + 7 + 28, length: 10 })), { offset: 65, length: 10 });
  t.deepEqual(archive.knownDataSpan(first), { offset: 65, length: 10 });
  t.deepEqual(archive.guessedDataSpan(entry('b.ts', 1000)), { offset: 1000 + 30 + 4 + 28, length: 10 });
});
