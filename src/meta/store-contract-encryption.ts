import type { TestFn } from 'ava';
import {
  addPendingFor, commitWithPending, createAccountAndBucket, encryptionFor, makeSegments, newVersion, openStore, type MakeStore,
} from './store-contract-fixtures.ts';

const code = (error: unknown) => (error as { code?: string } | undefined)?.code;

/** Segment keys (encryption at rest), object encryption, bucket default encryption, master-key rewrap. */
export function runEncryptionContract(test: TestFn, makeStore: MakeStore): void {
  test('segment keys and object encryption round-trip; null stays null (written before encryption)', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store, 'bkt');
    const sealed = newVersion('bkt', 'sealed', { segments: makeSegments(3000, 1000) });
    await commitWithPending(store, sealed);
    t.deepEqual(await store.getSegments(sealed.object.versionId), sealed.segments);
    t.deepEqual((await store.getObject('bkt', 'sealed'))!.encryption, { mode: 'sse-s3' });

    const plain = newVersion('bkt', 'plain', { segments: makeSegments(1000, 1000).map((segment) => ({ ...segment, encryption: null })) });
    await commitWithPending(store, { ...plain, object: { ...plain.object, encryption: null } });
    t.is((await store.getSegments(plain.object.versionId))[0]!.encryption, null);
    t.is((await store.getObject('bkt', 'plain'))!.encryption, null);

    const customer = { mode: 'sse-c', keySalt: 'c2FsdA==', keyHmac: 'aG1hYw==' } as const;
    const ssec = newVersion('bkt', 'ssec', { segments: makeSegments(10, 1000) });
    await commitWithPending(store, { ...ssec, object: { ...ssec.object, encryption: customer } });
    t.deepEqual((await store.getObject('bkt', 'ssec'))!.encryption, customer);
    t.deepEqual((await store.listObjects('bkt', { maxKeys: 10 })).objects.map((object) => object.encryption), [null, { mode: 'sse-s3' }, customer]);
  });

  test('a segment\'s wrapped key goes with its last reference (crypto-erase), not before', async (t) => {
    const store = await openStore(t, makeStore);
    const { account } = await createAccountAndBucket(store, 'bkt');
    t.truthy(account);
    const version = newVersion('bkt', 'a', { segments: makeSegments(2000, 1000) });
    await commitWithPending(store, version);
    await store.copyObject({ sourceVersionId: version.object.versionId, object: { ...version.object, key: 'b', versionId: 'f'.repeat(32) } });
    const before = await store.countSegmentKeys();
    t.is(Object.values(before).reduce((sum, count) => sum + count, 0), 2);
    await store.deleteObject('bkt', 'a');
    t.deepEqual(await store.countSegmentKeys(), before, 'the copy still references them');
    await store.deleteObject('bkt', 'b');
    t.deepEqual(await store.countSegmentKeys(), {});
    t.deepEqual(await store.listSegmentKeys('mk1', 10), []);
  });

  test('rewrap: segments listed by wrapping key; a replace is a compare-and-set on the current key', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store, 'bkt');
    const version = newVersion('bkt', 'k', { segments: makeSegments(6000, 1000) });
    await addPendingFor(store, version);
    await store.commitObject(version);
    t.deepEqual(await store.countSegmentKeys(), { mk1: 2, mk2: 2, mk3: 2 });
    const listed = await store.listSegmentKeys('mk2', 10);
    t.deepEqual(listed.map((record) => record.segmentId), [version.segments[1]!.id, version.segments[4]!.id]);
    t.deepEqual(listed[0]!.encryption, encryptionFor(1));
    t.deepEqual(await store.listSegmentKeys('mk2', 1), listed.slice(0, 1));

    const current = listed[0]!.encryption;
    const next = { keyId: 'mk9', wrappedKey: new Uint8Array(60).fill(9), iv: current.iv };
    t.true(await store.replaceSegmentKey(listed[0]!.segmentId, current, next));
    t.false(await store.replaceSegmentKey(listed[0]!.segmentId, current, next), 'no longer the current key');
    t.false(await store.replaceSegmentKey('0'.repeat(32), current, next), 'no such segment');
    t.deepEqual(await store.countSegmentKeys(), { mk1: 2, mk2: 1, mk3: 2, mk9: 1 });
    const [segment] = (await store.getSegments(version.object.versionId, { offset: 1000, length: 1 }));
    t.deepEqual(segment!.encryption, next);
  });

  test('bucket default encryption: none, AES256, removed; NoSuchBucket when absent', async (t) => {
    const store = await openStore(t, makeStore);
    const { bucket } = await createAccountAndBucket(store, 'enc');
    t.is(await store.getBucketEncryption('enc'), null);
    await store.setBucketEncryption('enc', 'AES256');
    t.is(await store.getBucketEncryption('enc'), 'AES256');
    await store.setBucketEncryption('enc', null);
    t.is(await store.getBucketEncryption('enc'), null);
    await store.setBucketEncryption('enc', 'AES256');
    await store.deleteBucket('enc');
    await store.createBucket(bucket);
    t.is(await store.getBucketEncryption('enc'), null, 'a recreated bucket has none');
    t.is(code(await t.throwsAsync(store.getBucketEncryption('missing'))), 'NO_SUCH_BUCKET');
    t.is(code(await t.throwsAsync(store.setBucketEncryption('missing', 'AES256'))), 'NO_SUCH_BUCKET');
  });
}
