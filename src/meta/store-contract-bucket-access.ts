import type { TestFn } from 'ava';
import {
  addPendingFor, commitWithPending, committed, createAccountAndBucket, garbageOf, makeSegments, newVersion, openStore,
  placementsOf, PROFILE, type MakeStore,
} from './store-contract-fixtures.ts';
import type { CorsRule, NewObjectVersion } from './types.ts';

const code = (error: unknown) => (error as { code?: string } | undefined)?.code;

const RULES: readonly CorsRule[] = [
  {
    id: 'site',
    allowedOrigins: ['https://*.example.com'],
    allowedMethods: ['GET', 'PUT'],
    allowedHeaders: ['x-amz-*', 'content-type'],
    exposeHeaders: ['ETag'],
    maxAgeSeconds: 600,
  },
  { allowedOrigins: ['*'], allowedMethods: ['HEAD'], allowedHeaders: [], exposeHeaders: [] },
];

/** Bucket ACLs and CORS rules, object representation headers, conditional commits. */
export function runBucketAccessContract(test: TestFn, makeStore: MakeStore): void {
  test('bucket ACL: private by default, public-read on create or later, NoSuchBucket when absent', async (t) => {
    const store = await openStore(t, makeStore);
    const { account, bucket } = await createAccountAndBucket(store, 'private-one');
    t.is((await store.getBucket('private-one'))!.acl, 'private');
    await store.createBucket({ name: 'public-one', accountId: account.id, createdAt: bucket.createdAt, profile: PROFILE, acl: 'public-read' });
    t.deepEqual(await store.getBucket('public-one'), { ...bucket, name: 'public-one', acl: 'public-read' });

    await store.setBucketAcl('private-one', 'public-read');
    t.is((await store.getBucket('private-one'))!.acl, 'public-read');
    await store.setBucketAcl('private-one', 'private');
    t.is((await store.getBucket('private-one'))!.acl, 'private');
    t.deepEqual((await store.listBuckets(account.id)).map((listed) => [listed.name, listed.acl]), [['private-one', 'private'], ['public-one', 'public-read']]);
    t.is(code(await t.throwsAsync(store.setBucketAcl('missing', 'public-read'))), 'NO_SUCH_BUCKET');
  });

  test('bucket CORS rules: none, set, replaced, removed; gone with the bucket', async (t) => {
    const store = await openStore(t, makeStore);
    const { bucket } = await createAccountAndBucket(store, 'site');
    t.is(await store.getBucketCors('site'), null);
    await store.setBucketCors('site', RULES);
    t.deepEqual(await store.getBucketCors('site'), RULES);
    await store.setBucketCors('site', RULES.slice(1));
    t.deepEqual(await store.getBucketCors('site'), RULES.slice(1));
    await store.setBucketCors('site', null);
    t.is(await store.getBucketCors('site'), null);

    await store.setBucketCors('site', RULES);
    await store.deleteBucket('site');
    await store.createBucket(bucket);
    t.is(await store.getBucketCors('site'), null, 'a recreated bucket has no rules');
    t.is(code(await t.throwsAsync(store.getBucketCors('missing'))), 'NO_SUCH_BUCKET');
    t.is(code(await t.throwsAsync(store.setBucketCors('missing', RULES))), 'NO_SUCH_BUCKET');
  });

  test('content headers are stored with a version and come back from get and list', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const base = newVersion('bucket', 'page.html');
    const contentHeaders = {
      'cache-control': 'max-age=60, public', 'content-disposition': 'attachment; filename="é.html"',
      'content-encoding': 'gzip', 'content-language': 'fr', expires: 'Thu, 01 Dec 2094 16:00:00 GMT',
    };
    const version: NewObjectVersion = { ...base, object: { ...base.object, contentHeaders } };
    await commitWithPending(store, version);
    t.deepEqual((await store.getObject('bucket', 'page.html'))!.contentHeaders, contentHeaders);
    t.deepEqual((await store.listObjects('bucket', { maxKeys: 10 })).objects[0]!.contentHeaders, contentHeaders);
    await commitWithPending(store, newVersion('bucket', 'plain'));
    t.deepEqual((await store.getObject('bucket', 'plain'))!.contentHeaders, {}, 'none given, none stored');
  });

  test('a commit with If-None-Match semantics succeeds only while the key is free', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const first = { ...newVersion('bucket', 'k', { segments: makeSegments(100, 100), etag: '"first"' }), precondition: { kind: 'absent' } } as const;
    t.is(await commitWithPending(store, first), null);

    const second = { ...newVersion('bucket', 'k', { segments: makeSegments(100, 100), etag: '"second"' }), precondition: { kind: 'absent' } } as const;
    await addPendingFor(store, second);
    const error = await t.throwsAsync(store.commitObject(second));
    t.like(error as object, { code: 'COMMIT_PRECONDITION_FAILED', reason: 'exists', bucket: 'bucket', key: 'k' });
    t.deepEqual(await store.getObject('bucket', 'k'), committed(first), 'nothing changed');
    t.deepEqual(await garbageOf(store), [], 'the failed write is still pending, for the caller to abandon');
    await store.abandonWrite(second.writeId);
    t.deepEqual(await garbageOf(store), placementsOf(second.segments));
  });

  test('a commit with If-Match semantics needs the key present with that ETag (or any, for *)', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const conditional = (etag: string, expected: string) => ({ ...newVersion('bucket', 'k', { etag }), precondition: { kind: 'etag', etag: expected } } as const);

    const absent = await t.throwsAsync(commitWithPending(store, conditional('"a"', '*')));
    t.like(absent as object, { code: 'COMMIT_PRECONDITION_FAILED', reason: 'absent' });
    t.is(await store.getObject('bucket', 'k'), null);

    await commitWithPending(store, newVersion('bucket', 'k', { etag: '"one"' }));
    const wrong = await t.throwsAsync(commitWithPending(store, conditional('"two"', '"other"')));
    t.like(wrong as object, { code: 'COMMIT_PRECONDITION_FAILED', reason: 'etag' });
    t.is((await store.getObject('bucket', 'k'))!.etag, '"one"');

    const matching = conditional('"two"', '"one"');
    t.is((await commitWithPending(store, matching))!.etag, '"one"', 'returns the version it replaced');
    t.deepEqual(await store.getObject('bucket', 'k'), committed(matching));
    await commitWithPending(store, conditional('"three"', '*'));
    t.is((await store.getObject('bucket', 'k'))!.etag, '"three"');
  });
}
