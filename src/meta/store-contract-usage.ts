import type { ExecutionContext, TestFn } from 'ava';
import {
  addPendingFor, commitWithPending, createAccountAndBucket, makeSegments, newVersion, PROFILE, type MakeStore,
} from './store-contract-fixtures.ts';
import { newUpload, writtenPart } from './store-contract-multipart.ts';
import type { MetaStore } from './store.ts';
import type { RequestUsage, StorageEvent } from './usage-types.ts';

const T0 = 1_700_000_000_000;
const code = (error: unknown) => (error as { code?: string } | undefined)?.code;

/** A store whose clock the test moves by hand. */
async function clockedStore(t: ExecutionContext, makeStore: MakeStore): Promise<{ store: MetaStore; setTime(ms: number): void }> {
  let nowMs = T0;
  const store = await makeStore({ now: () => new Date(nowMs) });
  t.teardown(() => store.close());
  return { store, setTime: (ms) => { nowMs = ms; } };
}

async function eventsOf(store: MetaStore, accountId: string, before = new Date(8_000_000_000_000)): Promise<StorageEvent[]> {
  const events: StorageEvent[] = [];
  await store.scanStorageEvents(accountId, before, (event) => events.push(event));
  return events;
}

/** The billing ledger: storage events written by the store's own transactions, request usage, small-object prefixes. */
export function runUsageContract(test: TestFn, makeStore: MakeStore): void {
  test('ledger: put, overwrite and delete each append one event at the store clock, billed to the bucket owner', async (t) => {
    const { store, setTime } = await clockedStore(t, makeStore);
    const { account } = await createAccountAndBucket(store, 'photos', 'alice');
    setTime(T0 + 1_000);
    await commitWithPending(store, newVersion('photos', 'a/cat.jpg', { segments: makeSegments(4096, 4096) }));
    setTime(T0 + 2_000);
    await commitWithPending(store, newVersion('photos', 'a/cat.jpg', { segments: makeSegments(3_000_000, 1_048_576) }));
    setTime(T0 + 3_000);
    t.truthy(await store.deleteObject('photos', 'a/cat.jpg'));
    const base = { accountId: account.id, bucket: 'photos', key: 'a/cat.jpg', item: 'object', uploadId: null, partNumber: null };
    t.deepEqual(await eventsOf(store, account.id), [
      { ...base, cause: 'put', oldSize: null, newSize: 4096, at: new Date(T0 + 1_000) },
      { ...base, cause: 'put', oldSize: 4096, newSize: 3_000_000, at: new Date(T0 + 2_000) },
      { ...base, cause: 'delete', oldSize: 3_000_000, newSize: null, at: new Date(T0 + 3_000) },
    ]);
  });

  test('ledger: a change that fails or changes nothing appends nothing', async (t) => {
    const { store } = await clockedStore(t, makeStore);
    const { account } = await createAccountAndBucket(store, 'photos', 'alice');
    const missingBucket = newVersion('gone', 'k', { segments: makeSegments(100, 100) });
    await addPendingFor(store, missingBucket);
    t.is(code(await t.throwsAsync(store.commitObject(missingBucket))), 'NO_SUCH_BUCKET');
    const abandoned = newVersion('photos', 'k', { segments: makeSegments(100, 100) });
    await addPendingFor(store, abandoned);
    await store.abandonWrite(abandoned.writeId);
    t.is(code(await t.throwsAsync(store.commitObject(abandoned))), 'WRITE_ABANDONED');
    t.is(await store.deleteObject('photos', 'never-written'), null);
    t.is(await store.deleteObject('gone', 'k'), null);
    t.deepEqual(await eventsOf(store, account.id), []);
  });

  test('ledger: scans one account, strictly before the time, oldest first and ties in append order', async (t) => {
    const { store, setTime } = await clockedStore(t, makeStore);
    const { account: alice } = await createAccountAndBucket(store, 'alices', 'alice');
    const { account: bob } = await createAccountAndBucket(store, 'bobs', 'bob');
    setTime(T0 + 10);
    await commitWithPending(store, newVersion('alices', 'first', { size: 1 }));
    await commitWithPending(store, newVersion('bobs', 'other', { size: 2 }));
    await commitWithPending(store, newVersion('alices', 'second', { size: 3 }));
    setTime(T0 + 20);
    await commitWithPending(store, newVersion('alices', 'third', { size: 4 }));
    t.deepEqual((await eventsOf(store, alice.id)).map((event) => event.key), ['first', 'second', 'third']);
    t.deepEqual((await eventsOf(store, alice.id, new Date(T0 + 20))).map((event) => event.key), ['first', 'second']);
    t.deepEqual(await eventsOf(store, alice.id, new Date(T0 + 10)), []);
    t.deepEqual((await eventsOf(store, bob.id)).map((event) => event.newSize), [2]);
    t.deepEqual(await eventsOf(store, 'nobody'), []);
  });

  test('ledger: a bucket name reused by another account keeps the history with its first owner', async (t) => {
    const { store, setTime } = await clockedStore(t, makeStore);
    const { account: alice } = await createAccountAndBucket(store, 'shared-name', 'alice');
    await commitWithPending(store, newVersion('shared-name', 'k', { size: 10 }));
    setTime(T0 + 5);
    await store.deleteObject('shared-name', 'k');
    await store.deleteBucket('shared-name');
    const bob = await store.createAccount('bob');
    await store.createBucket({ name: 'shared-name', accountId: bob.id, createdAt: new Date(T0), profile: PROFILE });
    setTime(T0 + 7);
    await commitWithPending(store, newVersion('shared-name', 'k', { size: 20 }));
    t.deepEqual((await eventsOf(store, alice.id)).map((event) => [event.oldSize, event.newSize]), [[null, 10], [10, null]]);
    t.deepEqual((await eventsOf(store, bob.id)).map((event) => [event.oldSize, event.newSize, event.at.getTime()]), [[null, 20, T0 + 7]]);
  });

  test('ledger: a copy is a full object billed to the destination owner; onto itself it bills the same size on', async (t) => {
    const { store, setTime } = await clockedStore(t, makeStore);
    await createAccountAndBucket(store, 'alices', 'alice');
    const { account: bob } = await createAccountAndBucket(store, 'bobs', 'bob');
    const source = newVersion('alices', 'movie', { segments: makeSegments(3000, 1000) });
    await commitWithPending(store, source);
    setTime(T0 + 5);
    await commitWithPending(store, newVersion('bobs', 'copy', { size: 1 }));
    setTime(T0 + 6);
    await store.copyObject({ sourceVersionId: source.object.versionId, object: newVersion('bobs', 'copy', { size: 3000 }).object });
    const self = newVersion('bobs', 'copy', { size: 3000 }).object;
    setTime(T0 + 7);
    const copied = await store.getObject('bobs', 'copy');
    await store.copyObject({ sourceVersionId: copied!.versionId, object: self });
    t.deepEqual((await eventsOf(store, bob.id)).map((event) => [event.key, event.cause, event.oldSize, event.newSize, event.at.getTime()]), [
      ['copy', 'put', null, 1, T0 + 5],
      ['copy', 'copy', 1, 3000, T0 + 6],
      ['copy', 'copy', 3000, 3000, T0 + 7],
    ]);
  });

  test('ledger: parts are billed from upload to abort or completion; completion starts the object', async (t) => {
    const { store, setTime } = await clockedStore(t, makeStore);
    const { account } = await createAccountAndBucket(store, 'videos', 'alice');
    const upload = newUpload('videos', 'movie');
    const abandoned = newUpload('videos', 'other');
    const leftInBucket = newUpload('videos', 'left');
    for (const item of [upload, abandoned, leftInBucket]) await store.createMultipartUpload(item);
    setTime(T0 + 1);
    const one = await writtenPart(store, upload.uploadId, 1, 300, 300);
    const unused = await writtenPart(store, upload.uploadId, 2, 20, 20);
    for (const part of [one, unused, await writtenPart(store, abandoned.uploadId, 1, 50, 50)]) await store.commitPart(part);
    setTime(T0 + 2);
    await store.commitPart(await writtenPart(store, upload.uploadId, 2, 40, 40));
    setTime(T0 + 3);
    t.true(await store.abortMultipartUpload('videos', 'other', abandoned.uploadId));
    setTime(T0 + 4);
    const object = newVersion('videos', 'movie', { size: 300 }).object;
    await store.completeMultipartUpload({ uploadId: upload.uploadId, object, parts: [{ partNumber: 1, etag: one.part.etag }] });
    setTime(T0 + 5);
    await store.commitPart(await writtenPart(store, leftInBucket.uploadId, 7, 9, 9));
    await store.deleteObject('videos', 'movie');
    setTime(T0 + 6);
    await store.deleteBucket('videos');

    const row = (event: StorageEvent) => [event.at.getTime() - T0, event.key, event.item, event.partNumber, event.cause, event.oldSize, event.newSize];
    const events = await eventsOf(store, account.id);
    t.deepEqual(events.map(row), [
      [1, 'movie', 'part', 1, 'upload-part', null, 300],
      [1, 'movie', 'part', 2, 'upload-part', null, 20],
      [1, 'other', 'part', 1, 'upload-part', null, 50],
      [2, 'movie', 'part', 2, 'upload-part', 20, 40],
      [3, 'other', 'part', 1, 'abort-upload', 50, null],
      [4, 'movie', 'part', 1, 'complete-upload', 300, null],
      [4, 'movie', 'part', 2, 'complete-upload', 40, null],
      [4, 'movie', 'object', null, 'complete-upload', null, 300],
      [5, 'left', 'part', 7, 'upload-part', null, 9],
      [5, 'movie', 'object', null, 'delete', 300, null],
      [6, 'left', 'part', 7, 'abort-upload', 9, null],
    ]);
    t.deepEqual(events.filter((event) => event.item === 'part').map((event) => event.uploadId).filter((id, i, all) => all.indexOf(id) === i),
      [upload.uploadId, abandoned.uploadId, leftInBucket.uploadId]);
  });

  test('request usage: rows sum per bucket, class and status over a half-open window, per account', async (t) => {
    const { store } = await clockedStore(t, makeStore);
    const row = (overrides: Partial<RequestUsage>): RequestUsage => ({
      accountId: 'alice', bucket: 'photos', requestClass: 'read', status: 200, at: new Date(T0), requests: 1, bytesIn: 0, bytesOut: 0, ...overrides,
    });
    await store.appendRequestUsage([
      row({ requests: 3, bytesOut: 300 }),
      row({ at: new Date(T0 + 999), requests: 2, bytesOut: 5 }),
      row({ requestClass: 'write', requests: 4, bytesIn: 4096 }),
      row({ status: 404 }),
      row({ bucket: '', requestClass: 'write' }),
      row({ at: new Date(T0 + 1_000), requests: 100 }), // at `to`: outside
      row({ at: new Date(T0 - 1), requests: 100 }), // before `from`: outside
      row({ accountId: 'bob', requests: 100 }),
    ]);
    await store.appendRequestUsage([]);
    await store.appendRequestUsage([row({ requests: 1, bytesOut: 1 })]);
    t.deepEqual(await store.sumRequestUsage('alice', { from: new Date(T0), to: new Date(T0 + 1_000) }), [
      { bucket: '', requestClass: 'write', status: 200, requests: 1, bytesIn: 0, bytesOut: 0 },
      { bucket: 'photos', requestClass: 'read', status: 200, requests: 6, bytesIn: 0, bytesOut: 306 },
      { bucket: 'photos', requestClass: 'read', status: 404, requests: 1, bytesIn: 0, bytesOut: 0 },
      { bucket: 'photos', requestClass: 'write', status: 200, requests: 4, bytesIn: 4096, bytesOut: 0 },
    ]);
    t.deepEqual(await store.sumRequestUsage('carol', { from: new Date(0), to: new Date(T0 * 2) }), []);
  });

  test('smallObjectPrefixes: current objects below the size per bucket and prefix, most first, per account or all', async (t) => {
    const { store } = await clockedStore(t, makeStore);
    const { account: alice } = await createAccountAndBucket(store, 'videos', 'alice');
    const { account: bob } = await createAccountAndBucket(store, 'logs', 'bob');
    const put = (bucket: string, key: string, size: number) => commitWithPending(store, newVersion(bucket, key, { size }));
    for (let i = 0; i < 3; i += 1) await put('videos', `hls/720p/seg-${i}.ts`, 100 + i);
    await put('videos', 'hls/720p/big.ts', 5_000);
    await put('videos', 'hls/1080p/seg-0.ts', 10);
    await put('videos', 'hls/1080p/seg-1.ts', 10);
    await put('videos', 'é/😀', 7);
    await put('videos', 'top-level', 1);
    await put('videos', 'gone/x', 1);
    await store.deleteObject('videos', 'gone/x');
    for (let i = 0; i < 4; i += 1) await put('logs', `2025/01/${i}.log`, 50);

    t.deepEqual(await store.smallObjectPrefixes({ accountId: alice.id, belowBytes: 1_000, limit: 10 }), [
      { accountId: alice.id, bucket: 'videos', prefix: 'hls/720p/', objects: 3, bytes: 303 },
      { accountId: alice.id, bucket: 'videos', prefix: 'hls/1080p/', objects: 2, bytes: 20 },
      { accountId: alice.id, bucket: 'videos', prefix: '', objects: 1, bytes: 1 },
      { accountId: alice.id, bucket: 'videos', prefix: 'é/', objects: 1, bytes: 7 },
    ]);
    t.deepEqual(await store.smallObjectPrefixes({ belowBytes: 1_000, limit: 2 }), [
      { accountId: bob.id, bucket: 'logs', prefix: '2025/01/', objects: 4, bytes: 200 },
      { accountId: alice.id, bucket: 'videos', prefix: 'hls/720p/', objects: 3, bytes: 303 },
    ]);
    t.deepEqual(await store.smallObjectPrefixes({ accountId: alice.id, belowBytes: 101, limit: 10 }).then((groups) => groups.map((group) => group.prefix)),
      ['hls/1080p/', '', 'hls/720p/', 'é/']);
    t.deepEqual(await store.smallObjectPrefixes({ belowBytes: 1_000, limit: 0 }), []);
  });
}
