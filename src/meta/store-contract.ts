import type { TestFn } from 'ava';
import { runAccessContract } from './store-contract-access.ts';
import { runAdminAuditContract } from './store-contract-admin-audit.ts';
import { runBucketAccessContract } from './store-contract-bucket-access.ts';
import { runCopyContract } from './store-contract-copy.ts';
import { runEncryptionContract } from './store-contract-encryption.ts';
import { runInlineSegmentContract } from './store-contract-inline.ts';
import { runLifecycleContract } from './store-contract-lifecycle.ts';
import { runListingContract } from './store-contract-listing.ts';
import { runMultipartContract } from './store-contract-multipart.ts';
import { runObjectContract } from './store-contract-objects.ts';
import { runOperatorContract } from './store-contract-operators.ts';
import { runRepairContract } from './store-contract-repair.ts';
import { runSegmentReplacementContract } from './store-contract-segment-replacement.ts';
import { runRewardsContract } from './store-contract-rewards.ts';
import { runTaggingContract } from './store-contract-tagging.ts';
import { runUsageContract } from './store-contract-usage.ts';
import { createAccountAndBucket, newVersion, openStore, PROFILE, type MakeStore } from './store-contract-fixtures.ts';
import type { MetaStore } from './store.ts';
import type { Bucket, NodeRecord } from './types.ts';

/**
 * The behaviour every MetaStore backend must have. A backend's test file calls this with a factory
 * that returns a fresh, empty store; each test gets its own and closes it. Errors are checked by
 * their stable `code`, never by message.
 */
export function runMetaStoreContract(test: TestFn, makeStore: MakeStore): void {
  runAccountContract(test, makeStore);
  runBucketContract(test, makeStore);
  runNodeContract(test, makeStore);
  runOperatorContract(test, makeStore);
  runObjectContract(test, makeStore);
  runListingContract(test, makeStore);
  runBucketAccessContract(test, makeStore);
  runAccessContract(test, makeStore);
  runUsageContract(test, makeStore);
  runMultipartContract(test, makeStore);
  runCopyContract(test, makeStore);
  runEncryptionContract(test, makeStore);
  runInlineSegmentContract(test, makeStore);
  runRepairContract(test, makeStore);
  runSegmentReplacementContract(test, makeStore);
  runAdminAuditContract(test, makeStore);
  runRewardsContract(test, makeStore);
  runTaggingContract(test, makeStore);
  runLifecycleContract(test, makeStore);
}

function runAccountContract(test: TestFn, makeStore: MakeStore): void {
  test('settings round-trip, overwrite, and are null when absent', async (t) => {
    const store = await openStore(t, makeStore);
    t.is(await store.getSetting('root-secret'), null);
    await store.setSetting('root-secret', 'first');
    await store.setSetting('cluster.name', 'é😀 \n "quoted"');
    await store.setSetting('root-secret', 'second');
    t.is(await store.getSetting('root-secret'), 'second');
    t.is(await store.getSetting('cluster.name'), 'é😀 \n "quoted"');
    await store.setSetting('empty', '');
    t.is(await store.getSetting('empty'), '');
    t.is(await store.claimSetting('claimed', 'first'), 'first');
    t.is(await store.claimSetting('claimed', 'second'), 'first', 'a stored value is never replaced by a claim');
    t.is(await store.getSetting('claimed'), 'first');
  });

  test('accounts are found by id and by unique name', async (t) => {
    const store = await openStore(t, makeStore);
    const alice = await store.createAccount('alice');
    const bob = await store.createAccount('bob');
    t.not(alice.id, bob.id);
    t.true(alice.createdAt instanceof Date && !Number.isNaN(alice.createdAt.getTime()));
    t.deepEqual(await store.getAccount(alice.id), alice);
    t.deepEqual(await store.getAccountByName('bob'), bob);
    t.is(await store.getAccount('nobody'), null);
    t.is(await store.getAccountByName('carol'), null);
    const error = await t.throwsAsync(store.createAccount('alice'));
    t.is((error as { code?: string }).code, 'ACCOUNT_ALREADY_EXISTS');
  });

  test('access keys: create, list, revoke; revoked keys are still returned with revokedAt', async (t) => {
    const store = await openStore(t, makeStore);
    const alice = await store.createAccount('alice');
    const bob = await store.createAccount('bob');
    const first = await store.createAccessKey(alice.id, 'AKIAALICE1', 'secret-1');
    const second = await store.createAccessKey(alice.id, 'AKIAALICE2', 'secret-2');
    const bobs = await store.createAccessKey(bob.id, 'AKIABOB', 'secret-b');
    t.like(first, { accessKeyId: 'AKIAALICE1', secretKey: 'secret-1', accountId: alice.id, revokedAt: null });
    t.deepEqual(await store.getAccessKey('AKIAALICE2'), second);
    t.is(await store.getAccessKey('AKIANONE'), null);
    t.deepEqual((await store.listAccessKeys(alice.id)).map((key) => key.accessKeyId).sort(), ['AKIAALICE1', 'AKIAALICE2']);
    t.deepEqual((await store.listAccessKeys()).map((key) => key.accessKeyId).sort(), ['AKIAALICE1', 'AKIAALICE2', 'AKIABOB']);
    t.deepEqual(await store.listAccessKeys('nobody'), []);

    const revokedAt = new Date(1_700_000_000_777);
    t.true(await store.revokeAccessKey('AKIAALICE1', revokedAt));
    t.false(await store.revokeAccessKey('AKIAALICE1', new Date(1_800_000_000_000)), 'a second revocation is a no-op');
    t.false(await store.revokeAccessKey('AKIANONE', revokedAt));
    const revoked = await store.getAccessKey('AKIAALICE1');
    t.deepEqual(revoked, { ...first, revokedAt });
    t.deepEqual((await store.listAccessKeys(alice.id)).find((key) => key.accessKeyId === 'AKIAALICE1'), revoked);
    t.deepEqual(await store.getAccessKey('AKIABOB'), bobs);

    const duplicate = await t.throwsAsync(store.createAccessKey(bob.id, 'AKIAALICE2', 'other'));
    t.is((duplicate as { code?: string }).code, 'ACCESS_KEY_ALREADY_EXISTS');
    const orphan = await t.throwsAsync(store.createAccessKey('nobody', 'AKIAORPHAN', 'x'));
    t.is((orphan as { code?: string }).code, 'NO_SUCH_ACCOUNT');
    t.is(await store.getAccessKey('AKIAORPHAN'), null);
  });
}

function runBucketContract(test: TestFn, makeStore: MakeStore): void {
  test('buckets: create, get with profile, list per account in name order', async (t) => {
    const store = await openStore(t, makeStore);
    const alice = await store.createAccount('alice');
    const bob = await store.createAccount('bob');
    const profile = { dataShards: 10, parityShards: 4, chunkSize: 4096 };
    const make = (name: string, accountId: string, createdAt: number): Bucket => ({ name, accountId, createdAt: new Date(createdAt), profile, acl: 'private', policy: null, hasLifecycle: false });
    await store.createBucket(make('zeta', alice.id, 1_700_000_000_001));
    await store.createBucket(make('alpha', alice.id, 1_700_000_000_002));
    await store.createBucket(make('bobs-bucket', bob.id, 1_700_000_000_003));
    t.deepEqual(await store.getBucket('zeta'), make('zeta', alice.id, 1_700_000_000_001));
    t.is(await store.getBucket('missing'), null);
    t.deepEqual((await store.listBuckets(alice.id)).map((bucket) => bucket.name), ['alpha', 'zeta']);
    const { hasLifecycle: _, ...listed } = make('bobs-bucket', bob.id, 1_700_000_000_003);
    t.deepEqual(await store.listBuckets(bob.id), [listed], 'listed as the record, without hasLifecycle');
    t.deepEqual(await store.listBuckets('nobody'), []);
  });

  test('listBuckets pages by prefix, after and limit in name order', async (t) => {
    const store = await openStore(t, makeStore);
    const account = await store.createAccount('pager');
    const profile = { dataShards: 4, parityShards: 2, chunkSize: 4096 };
    const names = ['logs-a', 'logs-b', 'logs-c', 'media', 'logs', 'logsz', 'a-first'];
    for (const [i, name] of names.entries()) await store.createBucket({ name, accountId: account.id, createdAt: new Date(1_700_000_000_000 + i), profile });
    const listed = async (page: Parameters<typeof store.listBuckets>[1]) => (await store.listBuckets(account.id, page)).map((bucket) => bucket.name);
    t.deepEqual(await listed({}), ['a-first', 'logs', 'logs-a', 'logs-b', 'logs-c', 'logsz', 'media']);
    t.deepEqual(await listed({ limit: 2 }), ['a-first', 'logs']);
    t.deepEqual(await listed({ after: 'logs', limit: 2 }), ['logs-a', 'logs-b']);
    t.deepEqual(await listed({ prefix: 'logs-' }), ['logs-a', 'logs-b', 'logs-c']);
    t.deepEqual(await listed({ prefix: 'logs-', after: 'logs-a' }), ['logs-b', 'logs-c']);
    t.deepEqual(await listed({ prefix: 'logs', after: 'a' }), ['logs', 'logs-a', 'logs-b', 'logs-c', 'logsz']);
    t.deepEqual(await listed({ prefix: 'logs-', after: 'logs-c' }), []);
    t.deepEqual(await listed({ prefix: 'zzz' }), []);
  });

  test('creating a taken bucket name throws BucketAlreadyExistsError carrying the owner', async (t) => {
    const store = await openStore(t, makeStore);
    const { account: owner, bucket } = await createAccountAndBucket(store, 'taken');
    const other = await store.createAccount('other');
    for (const accountId of [owner.id, other.id]) {
      const error = await t.throwsAsync(store.createBucket({ ...bucket, accountId }));
      t.is((error as { code?: string }).code, 'BUCKET_ALREADY_EXISTS');
      t.is((error as { bucket?: string }).bucket, 'taken');
      t.is((error as { ownerAccountId?: string }).ownerAccountId, owner.id);
    }
    t.deepEqual(await store.getBucket('taken'), bucket);
    const orphan = await t.throwsAsync(store.createBucket({ ...bucket, name: 'orphan', accountId: 'nobody' }));
    t.is((orphan as { code?: string }).code, 'NO_SUCH_ACCOUNT');
    t.is(await store.getBucket('orphan'), null);
  });

  test('deleteBucket: missing → NoSuchBucket, with objects → BucketNotEmpty, empty → gone and reusable', async (t) => {
    const store = await openStore(t, makeStore);
    const { bucket } = await createAccountAndBucket(store, 'photos');
    const missing = await t.throwsAsync(store.deleteBucket('nope'));
    t.is((missing as { code?: string }).code, 'NO_SUCH_BUCKET');

    await store.commitObject(newVersion('photos', 'cat.jpg'));
    const notEmpty = await t.throwsAsync(store.deleteBucket('photos'));
    t.is((notEmpty as { code?: string }).code, 'BUCKET_NOT_EMPTY');
    t.is((notEmpty as { bucket?: string }).bucket, 'photos');
    t.deepEqual(await store.getBucket('photos'), bucket);

    t.truthy(await store.deleteObject('photos', 'cat.jpg'));
    await store.deleteBucket('photos');
    t.is(await store.getBucket('photos'), null);
    t.deepEqual(await store.listBuckets(bucket.accountId), []);
    await store.createBucket({ ...bucket, profile: PROFILE });
    t.deepEqual((await store.listObjects('photos', { maxKeys: 10 })).objects, [], 'a recreated bucket starts empty');
  });
}

function runNodeContract(test: TestFn, makeStore: MakeStore): void {
  const node = (id: string, overrides: Partial<NodeRecord> = {}): NodeRecord => ({
    id,
    url: `http://127.0.0.1:7${id.length}01`,
    zone: 'zone-1',
    capacityBytes: 4_000_000_000_000,
    freeBytes: 3_500_000_000_000,
    registeredAt: new Date(1_700_000_000_000),
    lastHeartbeatAt: new Date(1_700_000_000_000),
    operatorId: null,
    publicKey: null,
    secret: null,
    secretEpoch: 0,
    lastSignedAtMs: 0,
    ...overrides,
  });

  test('nodes: upsert inserts then replaces, get and list in id order', async (t) => {
    const store = await openStore(t, makeStore);
    await store.upsertNode(node('n2'));
    await store.upsertNode(node('n1', { zone: 'zone-2' }));
    t.deepEqual(await store.getNode('n2'), node('n2'));
    t.is(await store.getNode('n3'), null);
    const operator = await store.createOperator('op');
    const moved = node('n2', {
      url: 'http://10.0.0.2:7001', zone: 'zone-3', registeredAt: new Date(1_700_000_500_000),
      operatorId: operator.id, publicKey: 'k'.repeat(43), secret: 'ab'.repeat(32), secretEpoch: 2, lastSignedAtMs: 1_700_000_499_999,
    });
    await store.upsertNode(moved);
    t.deepEqual(await store.listNodes(), [node('n1', { zone: 'zone-2' }), moved]);
  });

  test('heartbeats update free space, capacity and time; unknown nodes report false', async (t) => {
    const store = await openStore(t, makeStore);
    await store.upsertNode(node('n1'));
    const at = new Date(1_700_000_999_123);
    t.true(await store.recordHeartbeat('n1', 1_234_567, 9_876_543, at));
    t.deepEqual(await store.getNode('n1'), node('n1', { freeBytes: 1_234_567, capacityBytes: 9_876_543, lastHeartbeatAt: at }));
    t.false(await store.recordHeartbeat('ghost', 1, 2, at));
    t.is(await store.getNode('ghost'), null);
  });
}
