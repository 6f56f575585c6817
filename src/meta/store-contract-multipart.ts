import type { TestFn } from 'ava';
import type { MultipartUpload, NewUploadedPart, UploadedPart } from './multipart-types.ts';
import {
  addPendingFor, commitWithPending, committed, createAccountAndBucket, garbageOf, hexId, makeSegments, mulberry32,
  newVersion, openStore, placementsOf, utf8Compare, type MakeStore,
} from './store-contract-fixtures.ts';
import type { MetaStore } from './store.ts';
import type { SegmentRecord } from './types.ts';

const code = (error: unknown) => (error as { code?: string } | undefined)?.code;
const T0 = 1_700_000_000_000;

/** An upload; ids sort in creation order (a monotonic clock first), as the gateway's do. */
export function newUpload(bucket: string, key: string, overrides: Partial<MultipartUpload> = {}): MultipartUpload {
  return {
    uploadId: `${String(process.hrtime.bigint()).padStart(20, '0')}${hexId()}`,
    bucket,
    key,
    initiatorAccountId: 'initiator',
    initiatedAt: new Date(T0),
    headers: {
      contentType: 'video/mp4', userMetadata: { title: 'Fête 😀' }, contentHeaders: { 'cache-control': 'no-cache' }, encryption: { mode: 'sse-s3' },
      tags: [{ key: 'project', value: 'Fête' }], acl: 'public-read',
    },
    checksumAlgorithm: 'crc32',
    checksumType: 'COMPOSITE',
    ...overrides,
  };
}

/** A written part of `size` bytes in segments of `segmentLength`, its shards registered as pending. */
export async function writtenPart(
  store: MetaStore, uploadId: string, partNumber: number, size: number, segmentLength = 1000,
): Promise<NewUploadedPart & { segments: SegmentRecord[] }> {
  const segments = makeSegments(size, segmentLength).map((segment) => ({ ...segment, partNumber }));
  const writeId = hexId();
  await addPendingFor(store, { object: newVersion('b', 'k').object, segments, writeId });
  return {
    uploadId,
    part: { partNumber, size, etag: `"${hexId()}"`, checksums: { crc32: `c${partNumber}==` }, lastModified: new Date(T0 + partNumber) },
    segments,
    source: { kind: 'written', writeId },
  };
}

const asListed = (part: UploadedPart) => ({ ...part, checksums: { ...part.checksums } });

/** Multipart uploads: parts, Complete, Abort, listings. */
export function runMultipartContract(test: TestFn, makeStore: MakeStore): void {
  test('uploads: create and get for exactly their bucket and key; a missing bucket throws', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store, 'videos');
    const upload = newUpload('videos', 'movies/é 😀.mp4');
    await store.createMultipartUpload(upload);
    t.deepEqual(await store.getMultipartUpload('videos', 'movies/é 😀.mp4', upload.uploadId), upload);
    t.is(await store.getMultipartUpload('videos', 'other', upload.uploadId), null);
    t.is(await store.getMultipartUpload('nope', 'movies/é 😀.mp4', upload.uploadId), null);
    t.is(await store.getMultipartUpload('videos', 'movies/é 😀.mp4', 'no-such-upload'), null);
    t.is(code(await t.throwsAsync(store.createMultipartUpload(newUpload('gone', 'k')))), 'NO_SUCH_BUCKET');
  });

  test('parts: committed, listed in pages, replaced by number with the old shards to garbage', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const upload = newUpload('bucket', 'k');
    await store.createMultipartUpload(upload);
    const parts = [];
    for (const partNumber of [3, 1, 7, 2, 10]) {
      const part = await writtenPart(store, upload.uploadId, partNumber, 2500);
      t.is(await store.commitPart(part), null);
      parts.push(part);
    }
    t.deepEqual(await garbageOf(store), []);
    const sorted = [...parts].sort((a, b) => a.part.partNumber - b.part.partNumber).map((part) => asListed(part.part));
    t.deepEqual(await store.listParts(upload.uploadId, { after: 0, maxParts: 1000 }), { parts: sorted, isTruncated: false, nextAfter: null });
    t.deepEqual(await store.listParts(upload.uploadId, { after: 0, maxParts: 2 }), { parts: sorted.slice(0, 2), isTruncated: true, nextAfter: 2 });
    t.deepEqual(await store.listParts(upload.uploadId, { after: 2, maxParts: 2 }), { parts: sorted.slice(2, 4), isTruncated: true, nextAfter: 7 });
    t.deepEqual(await store.listParts(upload.uploadId, { after: 7, maxParts: 2 }), { parts: sorted.slice(4), isTruncated: false, nextAfter: null });
    t.deepEqual(await store.listParts(upload.uploadId, { after: 10, maxParts: 2 }), { parts: [], isTruncated: false, nextAfter: null });

    const again = await writtenPart(store, upload.uploadId, 7, 100);
    const replaced = parts.find((part) => part.part.partNumber === 7)!;
    t.deepEqual(await store.commitPart(again), asListed(replaced.part));
    t.deepEqual(await garbageOf(store), placementsOf(replaced.segments));
    const listed = await store.listParts(upload.uploadId, { after: 3, maxParts: 1 });
    t.deepEqual(listed.parts, [asListed(again.part)]);
  });

  test('parts: an ended upload or an abandoned write commits nothing', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const orphan = await writtenPart(store, 'no-such-upload', 1, 10);
    t.is(code(await t.throwsAsync(store.commitPart(orphan))), 'NO_SUCH_UPLOAD');
    await store.abandonWrite((orphan.source as { writeId: string }).writeId);
    t.deepEqual(await garbageOf(store), placementsOf(orphan.segments), 'its shards were still pending for the caller to abandon');

    const upload = newUpload('bucket', 'k');
    await store.createMultipartUpload(upload);
    const abandoned = await writtenPart(store, upload.uploadId, 1, 10);
    await store.abandonWrite((abandoned.source as { writeId: string }).writeId);
    t.is(code(await t.throwsAsync(store.commitPart(abandoned))), 'WRITE_ABANDONED');
    t.is(code(await t.throwsAsync(store.listParts('no-such-upload', { after: 0, maxParts: 10 }))), 'NO_SUCH_UPLOAD');
    t.deepEqual((await store.listParts(upload.uploadId, { after: 0, maxParts: 10 })).parts, []);
  });

  test('complete: the chosen parts become the object at object offsets; the rest and the old object go to garbage', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const old = newVersion('bucket', 'movie', { segments: makeSegments(500, 500) });
    await commitWithPending(store, old);
    const upload = newUpload('bucket', 'movie');
    await store.createMultipartUpload(upload);
    const one = await writtenPart(store, upload.uploadId, 1, 2500);
    const two = await writtenPart(store, upload.uploadId, 2, 1000);
    const skipped = await writtenPart(store, upload.uploadId, 3, 700);
    const five = await writtenPart(store, upload.uploadId, 5, 1);
    for (const part of [one, two, skipped, five]) await store.commitPart(part);

    const object = { ...newVersion('bucket', 'movie', { size: 3501, etag: '"abc-3"' }).object, ...upload.headers };
    const chosen = [one, two, five].map((part) => ({ partNumber: part.part.partNumber, etag: part.part.etag }));
    t.deepEqual(await store.completeMultipartUpload({ uploadId: upload.uploadId, object, parts: chosen }), committed(old));
    t.deepEqual(await store.getObject('bucket', 'movie'), { ...object, createdAt: object.createdAt! });
    t.deepEqual(await garbageOf(store), [...placementsOf(old.segments), ...placementsOf(skipped.segments)].sort());

    const segments = await store.getSegments(object.versionId);
    t.deepEqual(segments.map((segment) => [segment.id, segment.index, segment.partNumber, segment.offset, segment.length]), [
      [one.segments[0]!.id, 0, 1, 0, 1000], [one.segments[1]!.id, 1, 1, 1000, 1000], [one.segments[2]!.id, 2, 1, 2000, 500],
      [two.segments[0]!.id, 3, 2, 2500, 1000], [five.segments[0]!.id, 4, 5, 3500, 1],
    ]);
    t.deepEqual(segments[0]!.shards.map((shard) => shard.nodeId), one.segments[0]!.shards.map((shard) => shard.nodeId));
    t.deepEqual((await store.getSegments(object.versionId, { offset: 2499, length: 2 })).map((segment) => segment.index), [2, 3]);
    t.deepEqual(await store.getObjectPart(object.versionId, 2), { partCount: 3, part: { partNumber: 2, offset: 2500, size: 1000, checksums: { crc32: 'c2==' } } });
    t.deepEqual(await store.getObjectPart(object.versionId, 5), { partCount: 3, part: { partNumber: 5, offset: 3500, size: 1, checksums: { crc32: 'c5==' } } });
    t.deepEqual(await store.getObjectPart(object.versionId, 3), { partCount: 3, part: null });
    t.deepEqual(await store.listObjectParts(object.versionId, { after: 0, maxParts: 2 }), {
      partCount: 3, isTruncated: true, nextAfter: 2, parts: [
        { partNumber: 1, offset: 0, size: 2500, checksums: { crc32: 'c1==' } }, { partNumber: 2, offset: 2500, size: 1000, checksums: { crc32: 'c2==' } },
      ],
    });
    t.deepEqual(await store.listObjectParts(object.versionId, { after: 2, maxParts: 2 }), {
      partCount: 3, isTruncated: false, nextAfter: null, parts: [{ partNumber: 5, offset: 3500, size: 1, checksums: { crc32: 'c5==' } }],
    });
    t.deepEqual(await store.listObjectParts(old.object.versionId, { after: 0, maxParts: 10 }), { partCount: 0, parts: [], isTruncated: false, nextAfter: null });
    t.is(await store.getMultipartUpload('bucket', 'movie', upload.uploadId), null);
    t.is(code(await t.throwsAsync(store.listParts(upload.uploadId, { after: 0, maxParts: 10 }))), 'NO_SUCH_UPLOAD');
    t.false(await store.abortMultipartUpload('bucket', 'movie', upload.uploadId));

    t.truthy(await store.deleteObject('bucket', 'movie'));
    t.deepEqual(await garbageOf(store), [old, skipped, one, two, five].flatMap((item) => placementsOf(item.segments)).sort());
    t.deepEqual(await store.getObjectPart(object.versionId, 1), { partCount: 0, part: null });
  });

  test('complete: a missing part, another ETag or a wrong key changes nothing', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const upload = newUpload('bucket', 'k');
    await store.createMultipartUpload(upload);
    const one = await writtenPart(store, upload.uploadId, 1, 10);
    await store.commitPart(one);
    const object = { ...newVersion('bucket', 'k', { size: 10 }).object, ...upload.headers };
    const attempts = [
      { parts: [{ partNumber: 1, etag: '"other"' }], expected: 'PART_MISMATCH' },
      { parts: [{ partNumber: 1, etag: one.part.etag }, { partNumber: 2, etag: one.part.etag }], expected: 'PART_MISMATCH' },
    ];
    for (const { parts, expected } of attempts) {
      const error = await t.throwsAsync(store.completeMultipartUpload({ uploadId: upload.uploadId, object, parts }));
      t.is(code(error), expected);
    }
    const wrongKey = { uploadId: upload.uploadId, object: { ...object, key: 'other' }, parts: [{ partNumber: 1, etag: one.part.etag }] };
    t.is(code(await t.throwsAsync(store.completeMultipartUpload(wrongKey))), 'NO_SUCH_UPLOAD');
    t.is(await store.getObject('bucket', 'k'), null);
    t.is((await store.listParts(upload.uploadId, { after: 0, maxParts: 10 })).parts.length, 1);
    t.deepEqual(await garbageOf(store), []);
  });

  test('abort: every part\'s shards go to garbage once; unknown uploads report false', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const upload = newUpload('bucket', 'k');
    await store.createMultipartUpload(upload);
    const parts = [await writtenPart(store, upload.uploadId, 1, 2200), await writtenPart(store, upload.uploadId, 2, 10)];
    for (const part of parts) await store.commitPart(part);
    t.false(await store.abortMultipartUpload('bucket', 'other-key', upload.uploadId));
    t.true(await store.abortMultipartUpload('bucket', 'k', upload.uploadId));
    t.false(await store.abortMultipartUpload('bucket', 'k', upload.uploadId));
    t.deepEqual(await garbageOf(store), parts.flatMap((part) => placementsOf(part.segments)).sort());
    t.is(await store.getMultipartUpload('bucket', 'k', upload.uploadId), null);
  });

  test('shared parts reference stored segments: the source can go, the bytes stay until the last reference', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const source = newVersion('bucket', 'source', { segments: makeSegments(3000, 1000) });
    await commitWithPending(store, source);
    const upload = newUpload('bucket', 'copy');
    await store.createMultipartUpload(upload);
    // Segments 1 and 2 of the source, twice: parts 1 and 2 name the same segments.
    const sharedSegments = source.segments.slice(1).map((segment, index) => ({ ...segment, index, offset: index * 1000 }));
    for (const partNumber of [1, 2]) {
      await store.commitPart({
        uploadId: upload.uploadId, segments: sharedSegments, source: { kind: 'shared' },
        part: { partNumber, size: 2000, etag: '"shared"', checksums: {}, lastModified: new Date(T0) },
      });
    }
    t.truthy(await store.deleteObject('bucket', 'source'));
    t.deepEqual(await garbageOf(store), placementsOf(source.segments.slice(0, 1)), 'only the segment no part shares');

    const gone = {
      uploadId: upload.uploadId, segments: [{ ...source.segments[0]!, index: 0, offset: 0 }], source: { kind: 'shared' } as const,
      part: { partNumber: 3, size: 1000, etag: '"gone"', checksums: {}, lastModified: new Date(T0) },
    };
    t.is(code(await t.throwsAsync(store.commitPart(gone))), 'SEGMENT_GONE');

    const object = { ...newVersion('bucket', 'copy', { size: 4000 }).object, ...upload.headers };
    await store.completeMultipartUpload({
      uploadId: upload.uploadId, object, parts: [{ partNumber: 1, etag: '"shared"' }, { partNumber: 2, etag: '"shared"' }],
    });
    const segments = await store.getSegments(object.versionId);
    t.deepEqual(segments.map((segment) => [segment.id, segment.offset]), [
      [source.segments[1]!.id, 0], [source.segments[2]!.id, 1000], [source.segments[1]!.id, 2000], [source.segments[2]!.id, 3000],
    ]);
    t.is((await garbageOf(store)).length, 6);
    t.truthy(await store.deleteObject('bucket', 'copy'));
    t.deepEqual(await garbageOf(store), placementsOf(source.segments), 'each shard once, when its last reference went');
  });

  test('deleting a bucket aborts its uploads; their parts\' shards go to garbage', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store, 'doomed');
    const uploads = [newUpload('doomed', 'a'), newUpload('doomed', 'a'), newUpload('doomed', 'b')];
    const parts = [];
    for (const upload of uploads) {
      await store.createMultipartUpload(upload);
      const part = await writtenPart(store, upload.uploadId, 1, 1500);
      await store.commitPart(part);
      parts.push(part);
    }
    await store.deleteBucket('doomed');
    t.is(await store.getBucket('doomed'), null);
    t.deepEqual(await garbageOf(store), parts.flatMap((part) => placementsOf(part.segments)).sort());
  });

  test('listMultipartUploads pages through keys, uploads of a key in start order, and common prefixes', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    await createAccountAndBucket(store, 'other');
    const keys = ['a', 'a/b', 'a/c/d', 'b', 'é', '😀', 'z/y', '\uFFFD'];
    const all: MultipartUpload[] = [];
    const random = mulberry32(7);
    for (const key of keys) {
      for (let i = 0; i < 1 + Math.floor(random() * 3); i += 1) {
        const upload = newUpload('bucket', key);
        await store.createMultipartUpload(upload);
        all.push(upload);
      }
    }
    await store.createMultipartUpload(newUpload('other', 'a'));
    const reference = (prefix: string, delimiter: string | undefined): string[] => {
      const entries: string[] = [];
      const sorted = [...all].sort((x, y) => utf8Compare(x.key, y.key) || utf8Compare(x.uploadId, y.uploadId));
      for (const upload of sorted) {
        if (!upload.key.startsWith(prefix)) continue;
        const at = delimiter ? upload.key.indexOf(delimiter, prefix.length) : -1;
        const entry = at < 0 ? `upload:${upload.key}:${upload.uploadId}` : `prefix:${upload.key.slice(0, at + delimiter!.length)}`;
        if (entries.at(-1) !== entry) entries.push(entry);
      }
      return entries;
    };
    for (const [prefix, delimiter] of [['', undefined], ['', '/'], ['a', '/'], ['a/', undefined], ['z', '/'], ['nothing', undefined]] as const) {
      for (const maxUploads of [1, 2, 3, 1000]) {
        const got: string[] = [];
        let after: { key: string; uploadId?: string } | undefined;
        for (let pages = 0; pages < 50; pages += 1) {
          const page = await store.listMultipartUploads('bucket', { prefix, delimiter, after, maxUploads });
          t.true(page.uploads.length + page.commonPrefixes.length <= maxUploads);
          const entries = [
            ...page.uploads.map((upload) => ({ sort: upload.key, entry: `upload:${upload.key}:${upload.uploadId}` })),
            ...page.commonPrefixes.map((commonPrefix) => ({ sort: commonPrefix, entry: `prefix:${commonPrefix}` })),
          ].sort((x, y) => utf8Compare(x.sort, y.sort));
          got.push(...entries.map((entry) => entry.entry));
          if (!page.isTruncated) break;
          after = page.nextAfter!;
        }
        t.deepEqual(got, reference(prefix, delimiter), `prefix ${prefix} delimiter ${delimiter} max ${maxUploads}`);
      }
    }
    const first = await store.listMultipartUploads('bucket', { maxUploads: 1 });
    t.deepEqual(first.uploads, [all[0]]);
    t.deepEqual(first.nextAfter, { key: 'a', uploadId: all[0]!.uploadId });
    t.is(code(await t.throwsAsync(store.listMultipartUploads('gone', { maxUploads: 10 }))), 'NO_SUCH_BUCKET');
  });
}
