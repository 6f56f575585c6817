import type { TestFn } from 'ava';
import {
  commitWithPending, committed, createAccountAndBucket, makeSegments, newVersion, openStore, type MakeStore,
} from './store-contract-fixtures.ts';
import type { Tag } from './types.ts';

const code = (error: unknown) => (error as { code?: string } | undefined)?.code;

const TAGS: readonly Tag[] = [{ key: 'project', value: 'Fête 😀' }, { key: 'empty', value: '' }, { key: 'b', value: '1' }];

/** Object tags (with the version), bucket tag sets, and the part list of a completed object. */
export function runTaggingContract(test: TestFn, makeStore: MakeStore): void {
  test('object tags: stored with the version in order, replaced in place, [] by default and after an overwrite', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const plain = newVersion('bucket', 'plain');
    await commitWithPending(store, plain);
    t.deepEqual((await store.getObject('bucket', 'plain'))!.tags, []);

    const tagged = newVersion('bucket', 'tagged', { segments: makeSegments(10, 10) });
    const object = { ...tagged.object, tags: TAGS };
    await commitWithPending(store, { ...tagged, object });
    t.deepEqual(await store.getObject('bucket', 'tagged'), committed({ ...tagged, object }));
    const listed = await store.listObjects('bucket', { maxKeys: 10 });
    t.deepEqual(listed.objects.map((version) => [version.key, version.tags]), [['plain', []], ['tagged', TAGS]]);

    t.true(await store.setObjectTags('bucket', 'tagged', TAGS.slice(2)));
    const retagged = await store.getObject('bucket', 'tagged');
    t.deepEqual(retagged, { ...committed({ ...tagged, object }), tags: TAGS.slice(2) }, 'only the tags change');
    t.true(await store.setObjectTags('bucket', 'tagged', []));
    t.deepEqual((await store.getObject('bucket', 'tagged'))!.tags, []);
    t.false(await store.setObjectTags('bucket', 'missing', TAGS));
    t.false(await store.setObjectTags('no-bucket', 'tagged', TAGS));
    t.is(await store.getObject('bucket', 'missing'), null, 'setting tags creates nothing');

    await store.setObjectTags('bucket', 'plain', TAGS);
    await commitWithPending(store, newVersion('bucket', 'plain'));
    t.deepEqual((await store.getObject('bucket', 'plain'))!.tags, [], 'a new version starts without the old one\'s tags');
  });

  test('a copy has the tags it is given', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const source = newVersion('bucket', 'source', { segments: makeSegments(10, 10) });
    await commitWithPending(store, { ...source, object: { ...source.object, tags: TAGS } });
    const copy = { ...newVersion('bucket', 'copy', { size: 10 }).object, tags: TAGS.slice(0, 1) };
    await store.copyObject({ sourceVersionId: source.object.versionId, object: copy });
    t.deepEqual((await store.getObject('bucket', 'copy'))!.tags, TAGS.slice(0, 1));
    t.deepEqual((await store.getObject('bucket', 'source'))!.tags, TAGS);
  });

  test('bucket tags: none, set, replaced, removed; gone with the bucket; NoSuchBucket when absent', async (t) => {
    const store = await openStore(t, makeStore);
    const { bucket } = await createAccountAndBucket(store, 'tagged');
    t.is(await store.getBucketTags('tagged'), null);
    await store.setBucketTags('tagged', TAGS);
    t.deepEqual(await store.getBucketTags('tagged'), TAGS);
    await store.setBucketTags('tagged', []);
    t.deepEqual(await store.getBucketTags('tagged'), [], 'an empty tag set is a tag set');
    await store.setBucketTags('tagged', null);
    t.is(await store.getBucketTags('tagged'), null);
    await store.setBucketTags('tagged', TAGS);
    await store.deleteBucket('tagged');
    await store.createBucket(bucket);
    t.is(await store.getBucketTags('tagged'), null, 'a recreated bucket has no tags');
    t.is(code(await t.throwsAsync(store.getBucketTags('missing'))), 'NO_SUCH_BUCKET');
    t.is(code(await t.throwsAsync(store.setBucketTags('missing', TAGS))), 'NO_SUCH_BUCKET');
  });
}
