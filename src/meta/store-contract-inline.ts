import type { TestFn } from 'ava';
import {
  commitWithPending, createAccountAndBucket, encryptionFor, garbageOf, hexId, makeSegments, newVersion, openStore, placementsOf, PROFILE,
  type MakeStore,
} from './store-contract-fixtures.ts';
import type { MetaStore } from './store.ts';
import type { SegmentRecord } from './types.ts';

/** A tiny object's one segment kept in the metadata: made-up ciphertext (the store keeps opaque bytes), no shards. */
function inlineSegment(length: number): SegmentRecord {
  return {
    id: hexId(), partNumber: 1, index: 0, offset: 0, length, profile: PROFILE, shards: [], encryption: encryptionFor(0),
    inlineCiphertext: Uint8Array.from({ length }, (_, i) => (i * 37 + 11) & 0xff),
  };
}

/** Every segment id the repair checker's scan walks. */
async function scannedIds(store: MetaStore): Promise<string[]> {
  return (await store.scanSegments(0, 1000)).map((entry) => entry.segmentId).sort();
}

/** Inline segments (tiny objects kept in the metadata, see `SegmentRecord.inlineCiphertext`). */
export function runInlineSegmentContract(test: TestFn, makeStore: MakeStore): void {
  test('an inline segment keeps its bytes in the store, is shared by copies, and leaves no garbage', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const segment = inlineSegment(4096);
    const tiny = newVersion('bucket', 'tiny', { segments: [segment] });
    t.is(await store.commitObject(tiny), null, 'no pending shards needed: it names none');
    t.deepEqual(await store.getSegments(tiny.object.versionId), [segment]);
    t.deepEqual(await store.getSegments(tiny.object.versionId, { offset: 4095, length: 1 }), [segment]);
    const sharded = newVersion('bucket', 'big', { segments: makeSegments(3000, 1000) });
    await commitWithPending(store, sharded);
    t.false('inlineCiphertext' in (await store.getSegments(sharded.object.versionId))[0]!, 'a segment on nodes has none');

    t.deepEqual(await scannedIds(store), sharded.segments.map((s) => s.id).sort(), 'repair never scans it');
    t.is(await store.getSegmentPlacement(segment.id), null);

    const copy = newVersion('bucket', 'copy', { size: 4096 }).object;
    await store.copyObject({ sourceVersionId: tiny.object.versionId, object: copy });
    t.truthy(await store.deleteObject('bucket', 'tiny'));
    t.deepEqual(await store.getSegments(copy.versionId), [segment], 'the copy still reads the shared bytes');
    t.truthy(await store.deleteObject('bucket', 'copy'));
    t.deepEqual(await garbageOf(store), [], 'deleting an inline segment frees no shard');
    t.deepEqual(await store.countObjects(), { objects: 1, bytes: 3000 });
  });

  test('overwriting inline → sharded → inline sends only the shards to garbage', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    await store.commitObject(newVersion('bucket', 'k', { segments: [inlineSegment(10)] }));
    const sharded = newVersion('bucket', 'k', { segments: makeSegments(2000, 1000) });
    await commitWithPending(store, sharded);
    t.deepEqual(await garbageOf(store), []);
    const again = newVersion('bucket', 'k', { segments: [inlineSegment(1)] });
    await store.commitObject(again);
    t.deepEqual(await garbageOf(store), placementsOf(sharded.segments));
    t.deepEqual(await store.getSegments(again.object.versionId), again.segments);
    t.deepEqual(await scannedIds(store), []);
  });
}
