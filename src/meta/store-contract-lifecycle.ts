import type { TestFn } from 'ava';
import type { LifecycleRule } from '../lifecycle/lifecycle-types.ts';
import { commitWithPending, createAccountAndBucket, garbageOf, makeSegments, newVersion, openStore, type MakeStore } from './store-contract-fixtures.ts';

const code = (error: unknown) => (error as { code?: string } | undefined)?.code;
const T0 = new Date(1_700_000_000_000);
const at = (ms: number) => new Date(T0.getTime() + ms);

const RULES: readonly LifecycleRule[] = [
  { id: 'logs', enabled: true, filter: { kind: 'prefix', prefix: 'logs/' }, expiration: { kind: 'days', days: 3 }, abortIncompleteUploadDays: null },
  {
    id: 'tagged é', enabled: false,
    filter: { kind: 'and', prefix: 'a/', tags: [{ key: 'k', value: 'v' }], sizeGreaterThan: 1, sizeLessThan: 9 },
    expiration: { kind: 'date', dateMs: Date.UTC(2030, 0, 1) }, abortIncompleteUploadDays: null,
  },
  { id: 'abort', enabled: true, filter: { kind: 'all' }, expiration: null, abortIncompleteUploadDays: 7 },
];

/** Bucket lifecycle rules and the per-bucket lifecycle job lease (lifecycle-store-types.ts). */
export function runLifecycleContract(test: TestFn, makeStore: MakeStore): void {
  test('lifecycle rules round-trip, are replaced and removed; a missing bucket is NoSuchBucket', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store, 'bucket');
    t.is(await store.getBucketLifecycle('bucket'), null);
    t.false((await store.getBucket('bucket'))!.hasLifecycle);
    await store.setBucketLifecycle('bucket', RULES, at(0));
    t.deepEqual(await store.getBucketLifecycle('bucket'), RULES);
    t.true((await store.getBucket('bucket'))!.hasLifecycle, 'the bucket record says it has rules');
    const listed = await store.listBuckets((await store.getBucket('bucket'))!.accountId);
    t.deepEqual(listed.map((bucket) => Object.hasOwn(bucket, 'hasLifecycle')), [false], 'a listing does not look rules up');
    await store.setBucketLifecycle('bucket', RULES.slice(2), at(1));
    t.deepEqual(await store.getBucketLifecycle('bucket'), RULES.slice(2));
    await store.setBucketLifecycle('bucket', null, at(2));
    t.is(await store.getBucketLifecycle('bucket'), null);
    t.false((await store.getBucket('bucket'))!.hasLifecycle);
    await store.setBucketLifecycle('bucket', null, at(3)); // removing none is fine
    t.is(code(await t.throwsAsync(store.getBucketLifecycle('nope'))), 'NO_SUCH_BUCKET');
    t.is(code(await t.throwsAsync(store.setBucketLifecycle('nope', RULES, at(0)))), 'NO_SUCH_BUCKET');
  });

  test('lifecycle jobs: due buckets only, one holder at a time, fenced renew and complete, due again later', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store, 'one');
    await createAccountAndBucket(store, 'two');
    await createAccountAndBucket(store, 'none');
    await store.setBucketLifecycle('one', RULES, at(0));
    await store.setBucketLifecycle('two', RULES.slice(0, 1), at(5));
    t.deepEqual(await store.claimLifecycleJobs('gw1', 10, 1000, at(-1)), [], 'nothing is due before its time');
    const [first, ...rest] = await store.claimLifecycleJobs('gw1', 1, 1000, at(10));
    t.is(rest.length, 0);
    t.is(first!.bucket, 'one', 'longest due first');
    t.deepEqual(first!.rules, RULES);
    const second = await store.claimLifecycleJobs('gw2', 10, 1000, at(20));
    t.deepEqual(second.map((job) => job.bucket), ['two'], 'a leased bucket is not claimed twice');
    t.deepEqual(await store.claimLifecycleJobs('gw3', 10, 1000, at(30)), []);
    t.true(await store.renewLifecycleJob(first!.bucketRef, first!.leaseToken, 1000, at(900)));
    const takenOver = await store.claimLifecycleJobs('gw3', 10, 1000, at(1500));
    t.deepEqual(takenOver.map((job) => job.bucket), ['two'], 'one\'s renewed lease still holds, two\'s expired');
    t.true(await store.completeLifecycleJob(first!.bucketRef, first!.leaseToken, at(5000)));
    t.false(await store.completeLifecycleJob(first!.bucketRef, first!.leaseToken, at(5000)), 'a second completion is a no-op');
    t.true(await store.completeLifecycleJob(takenOver[0]!.bucketRef, takenOver[0]!.leaseToken, at(100_000)));
    t.deepEqual(await store.claimLifecycleJobs('gw3', 10, 1000, at(4000)), [], 'neither is due');
    const again = await store.claimLifecycleJobs('gw3', 10, 1000, at(5000));
    t.deepEqual(again.map((job) => job.bucket), ['one']);
    t.true(again[0]!.leaseToken > first!.leaseToken);
  });

  test('lifecycle jobs: an expired lease is taken over and the old holder is fenced out', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store, 'bucket');
    await store.setBucketLifecycle('bucket', RULES, at(0));
    const [old] = await store.claimLifecycleJobs('gw1', 1, 100, at(0));
    const [taken] = await store.claimLifecycleJobs('gw2', 1, 100, at(100));
    t.is(taken!.bucket, 'bucket');
    t.false(await store.renewLifecycleJob(old!.bucketRef, old!.leaseToken, 100, at(150)));
    t.false(await store.completeLifecycleJob(old!.bucketRef, old!.leaseToken, at(1000)));
    t.true(await store.completeLifecycleJob(taken!.bucketRef, taken!.leaseToken, at(1000)));
  });

  test('lifecycle jobs: replacing the rules cancels the lease and makes the bucket due; a deleted bucket takes its job along', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store, 'bucket');
    await store.setBucketLifecycle('bucket', RULES, at(0));
    const [held] = await store.claimLifecycleJobs('gw1', 1, 10_000, at(0));
    await store.setBucketLifecycle('bucket', RULES.slice(0, 1), at(50));
    t.false(await store.renewLifecycleJob(held!.bucketRef, held!.leaseToken, 10_000, at(60)));
    const [fresh] = await store.claimLifecycleJobs('gw2', 1, 10_000, at(60));
    t.deepEqual(fresh!.rules, RULES.slice(0, 1));
    await store.deleteBucket('bucket');
    t.false(await store.completeLifecycleJob(fresh!.bucketRef, fresh!.leaseToken, at(100)));
    await createAccountAndBucket(store, 'bucket', 'another-owner');
    t.is(await store.getBucketLifecycle('bucket'), null);
    t.deepEqual(await store.claimLifecycleJobs('gw2', 10, 10_000, at(100_000)), []);
  });

  test('deleteObject with ifVersionId deletes only that version (the lifecycle worker\'s delete)', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store, 'bucket');
    const first = newVersion('bucket', 'k', { segments: makeSegments(1000, 1000) });
    await commitWithPending(store, first);
    const second = newVersion('bucket', 'k', { segments: makeSegments(1000, 1000) });
    await commitWithPending(store, second);
    const stale = await t.throwsAsync(store.deleteObject('bucket', 'k', undefined, first.object.versionId));
    t.is(code(stale), 'COMMIT_PRECONDITION_FAILED');
    t.is((stale as { reason?: string }).reason, 'version');
    t.is((await store.getObject('bucket', 'k'))?.versionId, second.object.versionId, 'the newer version stays');
    const garbageBefore = (await garbageOf(store)).length;
    t.is((await store.deleteObject('bucket', 'k', undefined, second.object.versionId))?.versionId, second.object.versionId);
    t.is(await store.getObject('bucket', 'k'), null);
    t.true((await garbageOf(store)).length > garbageBefore, 'its shards went to the garbage queue');
    const gone = await t.throwsAsync(store.deleteObject('bucket', 'k', undefined, second.object.versionId));
    t.is((gone as { reason?: string }).reason, 'absent');
  });
}
