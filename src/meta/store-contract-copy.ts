import type { TestFn } from 'ava';
import {
  commitWithPending, committed, createAccountAndBucket, garbageOf, makeSegments, newVersion, openStore, placementsOf,
  type MakeStore,
} from './store-contract-fixtures.ts';
import { newUpload, writtenPart } from './store-contract-multipart.ts';
import type { MetaStore } from './store.ts';
import type { NewObjectVersion, SegmentRecord } from './types.ts';

const code = (error: unknown) => (error as { code?: string } | undefined)?.code;

/** Segment ids and offsets of a version, as a copy must reproduce them. */
async function layoutOf(store: MetaStore, versionId: string): Promise<[string, number, number, number][]> {
  return (await store.getSegments(versionId)).map((segment: SegmentRecord) => [segment.id, segment.index, segment.offset, segment.length]);
}

/** The object fields of a copy of `source` at `key`. */
function copyOf(source: NewObjectVersion, bucket: string, key: string, overrides: Partial<NewObjectVersion['object']> = {}) {
  return { ...newVersion(bucket, key, { size: source.object.size, etag: source.object.etag }).object, ...overrides };
}

/** Server-side copies: shared segments counted by reference. */
export function runCopyContract(test: TestFn, makeStore: MakeStore): void {
  test('a copy shares the source\'s segments; either side can be deleted, the shards go with the last', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    await createAccountAndBucket(store, 'elsewhere');
    const source = newVersion('bucket', 'source', { segments: makeSegments(2500, 1000) });
    await commitWithPending(store, source);
    const copy = copyOf(source, 'elsewhere', 'copy', { contentType: 'text/plain', userMetadata: { a: 'b' } });
    t.is(await store.copyObject({ sourceVersionId: source.object.versionId, object: copy }), null);
    t.deepEqual(await store.getObject('elsewhere', 'copy'), committed({ object: copy, segments: [], writeId: '' }));
    t.deepEqual(await layoutOf(store, copy.versionId), await layoutOf(store, source.object.versionId));
    const second = copyOf(source, 'bucket', 'second');
    await store.copyObject({ sourceVersionId: copy.versionId, object: second });

    t.truthy(await store.deleteObject('bucket', 'source'));
    t.truthy(await store.deleteObject('elsewhere', 'copy'));
    t.deepEqual(await garbageOf(store), []);
    t.is((await store.getSegments(second.versionId)).length, 3);
    t.truthy(await store.deleteObject('bucket', 'second'));
    t.deepEqual(await garbageOf(store), placementsOf(source.segments), 'each shard once');
  });

  test('a copy onto its own key replaces the version\'s fields and keeps its bytes', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const source = newVersion('bucket', 'k', { segments: makeSegments(1500, 1000), userMetadata: { old: '1' } });
    await commitWithPending(store, source);
    const layout = await layoutOf(store, source.object.versionId);
    const replacement = copyOf(source, 'bucket', 'k', { userMetadata: { new: '2' }, contentHeaders: { 'content-language': 'fr' } });
    t.deepEqual(await store.copyObject({ sourceVersionId: source.object.versionId, object: replacement }), committed(source));
    t.deepEqual(await store.getObject('bucket', 'k'), committed({ object: replacement, segments: [], writeId: '' }));
    t.deepEqual(await layoutOf(store, replacement.versionId), layout);
    t.deepEqual(await store.getSegments(source.object.versionId), [], 'the old version is gone');
    t.deepEqual(await garbageOf(store), []);
    t.truthy(await store.deleteObject('bucket', 'k'));
    t.deepEqual(await garbageOf(store), placementsOf(source.segments));
  });

  test('a copy replacing another object retires that object\'s shards only', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const source = newVersion('bucket', 'a', { segments: makeSegments(100, 100) });
    const target = newVersion('bucket', 'b', { segments: makeSegments(300, 100) });
    await commitWithPending(store, source);
    await commitWithPending(store, target);
    const copy = copyOf(source, 'bucket', 'b');
    t.deepEqual(await store.copyObject({ sourceVersionId: source.object.versionId, object: copy }), committed(target));
    t.deepEqual(await garbageOf(store), placementsOf(target.segments));
    // Copying back over the source: both keys still name the same segment.
    await store.copyObject({ sourceVersionId: copy.versionId, object: copyOf(source, 'bucket', 'a') });
    t.deepEqual(await garbageOf(store), placementsOf(target.segments));
  });

  test('a copy of a replaced source or into a missing bucket changes nothing', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const source = newVersion('bucket', 'a', { segments: makeSegments(100, 100) });
    await commitWithPending(store, source);
    await commitWithPending(store, newVersion('bucket', 'a', { segments: makeSegments(100, 100) }));
    const stale = await t.throwsAsync(store.copyObject({ sourceVersionId: source.object.versionId, object: copyOf(source, 'bucket', 'b') }));
    t.is(code(stale), 'SOURCE_VERSION_GONE');
    const current = await store.getObject('bucket', 'a');
    const missing = await t.throwsAsync(store.copyObject({ sourceVersionId: current!.versionId, object: copyOf(source, 'gone', 'b') }));
    t.is(code(missing), 'NO_SUCH_BUCKET');
    t.is(await store.getObject('bucket', 'b'), null);
    t.is((await garbageOf(store)).length, 6, 'only the replaced source');
  });

  test('a copy of a multipart object keeps its part list', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const upload = newUpload('bucket', 'mp');
    await store.createMultipartUpload(upload);
    const parts = [await writtenPart(store, upload.uploadId, 1, 1200), await writtenPart(store, upload.uploadId, 2, 300)];
    for (const part of parts) await store.commitPart(part);
    const object = { ...newVersion('bucket', 'mp', { size: 1500 }).object, ...upload.headers };
    await store.completeMultipartUpload({
      uploadId: upload.uploadId, object, parts: parts.map((part) => ({ partNumber: part.part.partNumber, etag: part.part.etag })),
    });
    const copy = { ...newVersion('bucket', 'mp-copy', { size: 1500 }).object };
    await store.copyObject({ sourceVersionId: object.versionId, object: copy });
    t.deepEqual(await store.getObjectPart(copy.versionId, 2), await store.getObjectPart(object.versionId, 2));
    t.is((await store.getObjectPart(copy.versionId, 2)).partCount, 2);
    t.truthy(await store.deleteObject('bucket', 'mp'));
    t.deepEqual(await garbageOf(store), []);
    t.is((await store.getObjectPart(copy.versionId, 1)).part?.size, 1200);
  });
}
