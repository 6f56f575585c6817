import type { TestFn } from 'ava';
import {
  commitWithPending, createAccountAndBucket, encryptionFor, garbageOf, hexId, makeSegments, newVersion, openStore, placementsOf,
  PROFILE, rootFor, type MakeStore,
} from './store-contract-fixtures.ts';
import { newUpload, writtenPart } from './store-contract-multipart.ts';
import type { SegmentReplacement } from './segment-replacement-types.ts';
import type { MetaStore } from './store.ts';
import { shardId, type NewObjectVersion, type SegmentRecord } from './types.ts';

const code = (error: unknown) => (error as { code?: string } | undefined)?.code;
const T0 = new Date(1_700_000_000_000);
const SSE_S3 = { mode: 'sse-s3' } as const;

/** A version as the gateway stored it before encryption: no data keys, no object encryption. */
function plaintextVersion(key: string, size: number, segmentLength: number): NewObjectVersion {
  const version = newVersion('bucket', key, { segments: makeSegments(size, segmentLength).map((segment) => ({ ...segment, encryption: null })) });
  return { ...version, object: { ...version.object, encryption: null } };
}

/** A written (pending) replacement for `segmentId`: new id, six shards on other nodes, a key. */
async function writeReplacement(store: MetaStore, segmentId: string, expectedVersion: number, writeId = hexId()): Promise<SegmentReplacement> {
  const id = hexId();
  const shards = Array.from({ length: 6 }, (_, shardIndex) => ({ shardIndex, nodeId: `node-new-${shardIndex}`, root: rootFor(9, shardIndex) }));
  await store.addPendingShards(writeId, shards.map((shard) => ({ shardId: shardId(id, shard.shardIndex), nodeId: shard.nodeId })), T0);
  return { segmentId, expectedVersion, writeId, objectEncryption: SSE_S3, replacement: { id, profile: PROFILE, shards, encryption: encryptionFor(9) } };
}

const idsOf = async (store: MetaStore, versionId: string) => (await store.getSegments(versionId)).map((segment) => segment.id);

/** MetaStore.replaceSegment and the scan of segments stored in the clear (segment-replacement-types.ts). */
export function runSegmentReplacementContract(test: TestFn, makeStore: MakeStore): void {
  test('replaceSegment swaps a shared segment for every reference; objects become SSE-S3 once no segment is in the clear', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const source = plaintextVersion('plain', 2500, 1000);
    await commitWithPending(store, source);
    const copy = { ...plaintextVersion('copy', 2500, 1000).object };
    await store.copyObject({ sourceVersionId: source.object.versionId, object: copy });
    await commitWithPending(store, newVersion('bucket', 'encrypted', { segments: makeSegments(700, 1000) }));
    t.deepEqual(await store.countUnencryptedSegments(), { segments: 3, bytes: 2500 });
    const first = await store.scanUnencryptedSegments(0, 2);
    t.deepEqual(first.map((entry) => entry.segmentId), source.segments.slice(0, 2).map((segment) => segment.id));
    const rest = await store.scanUnencryptedSegments(first[1]!.cursor, 10);
    t.deepEqual(rest.map((entry) => [entry.segmentId, entry.length, entry.placementVersion]), [[source.segments[2]!.id, 500, 0]]);

    const old = source.segments[0]!;
    const request = await writeReplacement(store, old.id, 0);
    const result = await store.replaceSegment(request);
    t.deepEqual(result, { replaced: true, segmentId: request.replacement.id, references: 2, objectsEncrypted: 0 });
    for (const versionId of [source.object.versionId, copy.versionId]) {
      const segments = await store.getSegments(versionId);
      t.deepEqual(segments.map((s) => s.id), [request.replacement.id, source.segments[1]!.id, source.segments[2]!.id]);
      t.like(segments[0], { index: 0, offset: 0, length: 1000, partNumber: 1 });
      t.deepEqual(segments[0]!.encryption, encryptionFor(9));
      t.deepEqual(segments[0]!.shards, request.replacement.shards);
    }
    t.deepEqual(await garbageOf(store), placementsOf([old]), 'the old shards, once');
    t.is(await store.getSegmentPlacement(old.id), null);
    t.deepEqual(await store.listShardsInFlight(request.replacement.id), [], 'the new shards are no longer pending');
    t.is((await store.getObject('bucket', 'plain'))!.encryption, null, 'two segments are still in the clear');
    t.deepEqual(await store.countUnencryptedSegments(), { segments: 2, bytes: 1500 });

    for (const segment of source.segments.slice(1)) {
      const next = await store.replaceSegment(await writeReplacement(store, segment.id, 0));
      t.like(next, { replaced: true, references: 2, objectsEncrypted: segment.index === 2 ? 2 : 0 });
    }
    t.deepEqual((await store.getObject('bucket', 'plain'))!.encryption, SSE_S3);
    t.deepEqual((await store.getObject('bucket', 'copy'))!.encryption, SSE_S3);
    t.deepEqual(await store.scanUnencryptedSegments(0, 10), []);
    t.deepEqual(await store.countUnencryptedSegments(), { segments: 0, bytes: 0 });

    // The new segments are shared and counted like the old: the shards go with the last reference.
    const garbageBefore = (await garbageOf(store)).length;
    await store.deleteObject('bucket', 'plain');
    t.is((await garbageOf(store)).length, garbageBefore);
    t.is((await store.getSegments(copy.versionId)).length, 3);
    await store.deleteObject('bucket', 'copy');
    t.is((await garbageOf(store)).length, garbageBefore + 18);
  });

  test('replaceSegment repoints an uploaded part; the completed object has the new segment', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const upload = newUpload('bucket', 'mp');
    await store.createMultipartUpload(upload);
    const part = await writtenPart(store, upload.uploadId, 1, 800);
    const plainSegments: SegmentRecord[] = part.segments.map((segment) => ({ ...segment, encryption: null }));
    await store.commitPart({ ...part, segments: plainSegments });
    const [entry] = await store.scanUnencryptedSegments(0, 10);
    t.is(entry!.segmentId, plainSegments[0]!.id);
    const request = await writeReplacement(store, entry!.segmentId, entry!.placementVersion);
    t.like(await store.replaceSegment(request), { replaced: true, references: 1, objectsEncrypted: 0 });
    const object = { ...newVersion('bucket', 'mp', { size: 800 }).object };
    await store.completeMultipartUpload({ uploadId: upload.uploadId, object, parts: [{ partNumber: 1, etag: part.part.etag }] });
    t.deepEqual(await idsOf(store, object.versionId), [request.replacement.id]);
  });

  test('replaceSegment changes nothing when the version moved, the segment is gone or the write was abandoned', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const version = plaintextVersion('plain', 1000, 1000);
    await commitWithPending(store, version);
    const segmentId = version.segments[0]!.id;

    // Repaired meanwhile: the placement version moved on.
    await store.addPendingShards('repair', [{ shardId: shardId(segmentId, 1), nodeId: 'node-r' }], T0);
    await store.replaceShardPlacements({ segmentId, expectedVersion: 0, writeId: 'repair', replacements: [{ shardIndex: 1, nodeId: 'node-r', root: rootFor(0, 1) }] });
    const garbageBefore = await garbageOf(store);
    const stale = await writeReplacement(store, segmentId, 0);
    t.deepEqual(await store.replaceSegment(stale), { replaced: false, reason: 'changed' });
    t.deepEqual(await garbageOf(store), garbageBefore);
    t.deepEqual(await idsOf(store, version.object.versionId), [segmentId]);
    t.is((await store.listShardsInFlight(stale.replacement.id)).length, 6, 'still pending: the caller abandons the write');
    await store.abandonWrite(stale.writeId);
    t.is((await garbageOf(store)).length, garbageBefore.length + 6);

    // Abandoned (crashed) write: refused, nothing changes.
    const abandoned = await writeReplacement(store, segmentId, 1);
    await store.abandonWrite(abandoned.writeId);
    t.is(code(await t.throwsAsync(store.replaceSegment(abandoned))), 'WRITE_ABANDONED');
    t.deepEqual(await idsOf(store, version.object.versionId), [segmentId]);
    t.is((await store.getSegmentPlacement(segmentId))!.placementVersion, 1);

    // Overwritten meanwhile: the segment is gone; no resurrection.
    const late = await writeReplacement(store, segmentId, 1);
    await commitWithPending(store, newVersion('bucket', 'plain', { segments: makeSegments(10, 10) }));
    t.deepEqual(await store.replaceSegment(late), { replaced: false, reason: 'gone' });
    t.is((await store.getObject('bucket', 'plain'))!.size, 10);
    t.is(await store.getSegmentPlacement(late.replacement.id), null);
    t.deepEqual(await store.scanUnencryptedSegments(0, 10), []);
  });
}
