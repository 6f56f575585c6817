/**
 * The lifecycle worker against a real SQLite store (the PostgreSQL claim is covered by the
 * contract suite): expiry exactly at the rule's scaled midnight, filters, aborted uploads, garbage
 * and billing, paging past one listing page, and two workers never applying one bucket twice.
 */
import test from 'ava';
import type { LifecycleRule } from '../../src/lifecycle/lifecycle-types.ts';
import { silentLogger } from '../../src/log/logger.ts';
import { newUpload, writtenPart } from '../../src/meta/store-contract-multipart.ts';
import {
  commitWithPending, createAccountAndBucket, garbageOf, makeSegments, newVersion, placementsOf,
} from '../../src/meta/store-contract-fixtures.ts';
import { SqliteMetaStore } from '../../src/meta/sqlite-store.ts';
import type { MetaStore } from '../../src/meta/store.ts';
import type { StorageEvent } from '../../src/meta/usage-types.ts';
import { LifecycleWorker } from './lifecycle-worker.ts';

const DAY_MS = 1_000;
const T0 = 1_700_000_000_000; // a scaled midnight
const RULES: readonly LifecycleRule[] = [
  { id: 'logs', enabled: true, filter: { kind: 'prefix', prefix: 'logs/' }, expiration: { kind: 'days', days: 1 }, abortIncompleteUploadDays: null },
  {
    id: 'small-tmp', enabled: true, filter: { kind: 'and', prefix: 'tmp/', tags: [], sizeLessThan: 1500 },
    expiration: { kind: 'days', days: 1 }, abortIncompleteUploadDays: null,
  },
  { id: 'uploads', enabled: true, filter: { kind: 'prefix', prefix: 'up/' }, expiration: null, abortIncompleteUploadDays: 2 },
];

function worker(store: MetaStore, clock: { ms: number }, kicks: { count: number }): LifecycleWorker {
  return new LifecycleWorker({
    store, logger: silentLogger, now: () => new Date(clock.ms), kickJanitor: () => { kicks.count += 1; }, dayMs: DAY_MS, intervalMs: 1,
  });
}

async function put(store: MetaStore, bucket: string, key: string, size: number, createdMs: number) {
  const version = newVersion(bucket, key, { segments: makeSegments(size, 1000), createdAt: new Date(createdMs) });
  await commitWithPending(store, version);
  return version;
}

test('objects expire at the next scaled midnight after creation + Days, filters hold, uploads are aborted, shards become garbage, billing sees deletes', async (t) => {
  const store = SqliteMetaStore.open(':memory:', { now: () => new Date(clock.ms) });
  t.teardown(() => store.close());
  const clock = { ms: T0 };
  const kicks = { count: 0 };
  const { account } = await createAccountAndBucket(store, 'bucket');
  const expiring = await put(store, 'bucket', 'logs/a', 1000, T0 + 300); // + 1 day = T0 + 1300 → expires T0 + 2000
  const outside = await put(store, 'bucket', 'data/a', 1000, T0 + 300);
  const small = await put(store, 'bucket', 'tmp/small', 1000, T0 + 300);
  const large = await put(store, 'bucket', 'tmp/large', 2000, T0 + 300);
  const upload = newUpload('bucket', 'up/movie', { initiatedAt: new Date(T0 + 100) }); // + 2 days → aborted at T0 + 3000
  await store.createMultipartUpload(upload);
  const part = await writtenPart(store, upload.uploadId, 1, 1000);
  await store.commitPart(part);
  const keptUpload = newUpload('bucket', 'other/movie', { initiatedAt: new Date(T0) });
  await store.createMultipartUpload(keptUpload);
  await store.setBucketLifecycle('bucket', RULES, new Date(T0));

  const lifecycle = worker(store, clock, kicks);
  clock.ms = T0 + 1999;
  t.like(await lifecycle.runOnce(), { buckets: 1, objectsExpired: 0, uploadsAborted: 0 }, 'nothing before its midnight');
  t.truthy(await store.getObject('bucket', 'logs/a'));
  clock.ms = T0 + 2000;
  t.like(await lifecycle.runOnce(), { buckets: 1, objectsExpired: 2, uploadsAborted: 0 });
  t.is(await store.getObject('bucket', 'logs/a'), null);
  t.is(await store.getObject('bucket', 'tmp/small'), null);
  t.truthy(await store.getObject('bucket', 'data/a'), 'outside every prefix');
  t.truthy(await store.getObject('bucket', 'tmp/large'), 'not below the size filter');
  t.is(kicks.count, 1, 'the janitor is told');
  const garbage = await garbageOf(store);
  for (const shard of [...placementsOf(expiring.segments), ...placementsOf(small.segments)]) t.true(garbage.includes(shard));
  for (const shard of [...placementsOf(outside.segments), ...placementsOf(large.segments)]) t.false(garbage.includes(shard));
  t.truthy(await store.getMultipartUpload('bucket', 'up/movie', upload.uploadId), 'the upload is not due yet');

  clock.ms = T0 + 3000;
  t.like(await lifecycle.runOnce(), { objectsExpired: 0, uploadsAborted: 1 });
  t.is(await store.getMultipartUpload('bucket', 'up/movie', upload.uploadId), null);
  t.truthy(await store.getMultipartUpload('bucket', 'other/movie', keptUpload.uploadId));
  const afterAbort = await garbageOf(store);
  for (const shard of placementsOf(part.segments)) t.true(afterAbort.includes(shard), 'the parts\' shards are garbage');

  const events: StorageEvent[] = [];
  await store.scanStorageEvents(account.id, new Date(T0 + 10_000), (event) => events.push(event));
  t.deepEqual(events.filter((event) => event.cause === 'delete').map((event) => [event.key, event.oldSize, event.newSize]).sort(),
    [['logs/a', 1000, null], ['tmp/small', 1000, null]]);
  t.deepEqual(events.filter((event) => event.cause === 'abort-upload').map((event) => [event.key, event.oldSize, event.newSize]),
    [['up/movie', 1000, null]]);
});

test('a tag filter expires the objects that carry the tag, by their stored tags', async (t) => {
  const clock = { ms: T0 };
  const store = SqliteMetaStore.open(':memory:', { now: () => new Date(clock.ms) });
  t.teardown(() => store.close());
  await createAccountAndBucket(store, 'bucket');
  await put(store, 'bucket', 'clips/tagged', 10, T0);
  await put(store, 'bucket', 'clips/other-value', 10, T0);
  await put(store, 'bucket', 'clips/untagged', 10, T0);
  t.true(await store.setObjectTags('bucket', 'clips/tagged', [{ key: 'retention', value: 'short' }, { key: 'team', value: 'a' }]));
  t.true(await store.setObjectTags('bucket', 'clips/other-value', [{ key: 'retention', value: 'long' }]));
  await store.setBucketLifecycle('bucket', [{
    id: 'short', enabled: true, filter: { kind: 'tag', tag: { key: 'retention', value: 'short' } },
    expiration: { kind: 'days', days: 1 }, abortIncompleteUploadDays: null,
  }], new Date(T0));
  clock.ms = T0 + 2000;
  t.like(await worker(store, clock, { count: 0 }).runOnce(), { objectsExpired: 1 });
  t.is(await store.getObject('bucket', 'clips/tagged'), null);
  t.truthy(await store.getObject('bucket', 'clips/other-value'), 'same key, another value');
  t.truthy(await store.getObject('bucket', 'clips/untagged'));
});

test('a bucket larger than one listing page is walked to the end; an object replaced after its expiry was judged is kept', async (t) => {
  const clock = { ms: T0 };
  const store = SqliteMetaStore.open(':memory:', { now: () => new Date(clock.ms) });
  t.teardown(() => store.close());
  await createAccountAndBucket(store, 'bucket');
  for (let index = 0; index < 1203; index += 1) await put(store, 'bucket', `logs/${String(index).padStart(5, '0')}`, 10, T0);
  await store.setBucketLifecycle('bucket', RULES, new Date(T0));
  clock.ms = T0 + 2000;
  // Replace one object mid-pass, after the worker listed it: its delete names the old version and fails.
  const replaceDuring = store.listObjects.bind(store);
  let replaced = false;
  store.listObjects = async (bucket, query) => {
    const page = await replaceDuring(bucket, query);
    if (!replaced) {
      replaced = true;
      await put(store, 'bucket', 'logs/00007', 10, clock.ms);
    }
    return page;
  };
  t.like(await worker(store, clock, { count: 0 }).runOnce(), { objectsExpired: 1202 });
  const left = await replaceDuring('bucket', { maxKeys: 1000 });
  t.deepEqual(left.objects.map((object) => object.key), ['logs/00007']);
});

test('two workers sharing a store never apply one bucket twice', async (t) => {
  const clock = { ms: T0 };
  const store = SqliteMetaStore.open(':memory:', { now: () => new Date(clock.ms) });
  t.teardown(() => store.close());
  for (const bucket of ['one', 'two', 'three']) {
    await createAccountAndBucket(store, bucket);
    for (let index = 0; index < 30; index += 1) await put(store, bucket, `logs/${index}`, 10, T0);
    await store.setBucketLifecycle(bucket, RULES, new Date(T0));
  }
  clock.ms = T0 + 2000;
  const reports = await Promise.all([worker(store, clock, { count: 0 }).runOnce(), worker(store, clock, { count: 0 }).runOnce()]);
  t.is(reports[0]!.buckets + reports[1]!.buckets, 3);
  t.is(reports[0]!.objectsExpired + reports[1]!.objectsExpired, 90);
});
