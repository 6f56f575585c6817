import type { TestFn } from 'ava';
import {
  commitWithPending, createAccountAndBucket, hexId, makeSegments, newVersion, openStore, type MakeStore,
} from './store-contract-fixtures.ts';

const code = (error: unknown) => (error as { code?: string } | undefined)?.code;

const POLICY = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/é/*"}]}';

/** Bucket policies (stored text) and object ACLs (per version; put, copy, complete, PutObjectAcl). */
export function runAccessContract(test: TestFn, makeStore: MakeStore): void {
  test('bucket policy: none, set (text kept exactly), replaced, removed; NoSuchBucket when absent', async (t) => {
    const store = await openStore(t, makeStore);
    const { account, bucket } = await createAccountAndBucket(store);
    t.is((await store.getBucket('bucket'))!.policy, null);
    await store.setBucketPolicy('bucket', POLICY);
    t.is((await store.getBucket('bucket'))!.policy, POLICY);
    t.is((await store.listBuckets(account.id))[0]!.policy, POLICY);
    await store.setBucketPolicy('bucket', `  ${POLICY}\n`);
    t.is((await store.getBucket('bucket'))!.policy, `  ${POLICY}\n`);
    await store.setBucketPolicy('bucket', null);
    t.deepEqual(await store.getBucket('bucket'), bucket);
    t.is(code(await t.throwsAsync(store.setBucketPolicy('missing', POLICY))), 'NO_SUCH_BUCKET');
  });

  test('object ACL: private by default, given at commit, copy and complete, changed by setObjectAcl', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    await commitWithPending(store, newVersion('bucket', 'plain'));
    t.is((await store.getObject('bucket', 'plain'))!.acl, 'private');
    const base = newVersion('bucket', 'open', { segments: makeSegments(100, 100) });
    await commitWithPending(store, { ...base, object: { ...base.object, acl: 'public-read' } });
    t.is((await store.getObject('bucket', 'open'))!.acl, 'public-read');
    t.deepEqual((await store.listObjects('bucket', { maxKeys: 10 })).objects.map((object) => [object.key, object.acl]), [['open', 'public-read'], ['plain', 'private']]);

    const copy = { ...base.object, key: 'copy', versionId: hexId(), acl: 'public-read' as const };
    await store.copyObject({ sourceVersionId: base.object.versionId, object: copy });
    t.is((await store.getObject('bucket', 'copy'))!.acl, 'public-read');
    const privateCopy = { ...base.object, key: 'private-copy', versionId: hexId() };
    await store.copyObject({ sourceVersionId: base.object.versionId, object: privateCopy });
    t.is((await store.getObject('bucket', 'private-copy'))!.acl, 'private', 'a copy does not take the source\'s ACL');

    t.true(await store.setObjectAcl('bucket', 'plain', 'public-read'));
    t.is((await store.getObject('bucket', 'plain'))!.acl, 'public-read');
    t.true(await store.setObjectAcl('bucket', 'open', 'private'));
    t.is((await store.getObject('bucket', 'open'))!.acl, 'private');
    t.false(await store.setObjectAcl('bucket', 'no-such-key', 'public-read'));
    t.is(await store.getObject('bucket', 'no-such-key'), null);
    t.is(code(await t.throwsAsync(store.setObjectAcl('missing', 'plain', 'public-read'))), 'NO_SUCH_BUCKET');

    await commitWithPending(store, newVersion('bucket', 'plain'));
    t.is((await store.getObject('bucket', 'plain'))!.acl, 'private', 'a new version has its own ACL');
  });
}
