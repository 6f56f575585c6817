import type { TestFn } from 'ava';
import type { Span } from '../span.ts';
import {
  addPendingFor, commitWithPending, committed, createAccountAndBucket, garbageOf, hexId, makeSegments,
  mulberry32, newVersion, openStore, placementsOf, type MakeStore,
} from './store-contract-fixtures.ts';
import { CommitPreconditionError } from './store.ts';
import { shardId } from './types.ts';
import type { SegmentRecord } from './types.ts';

const code = (error: unknown) => (error as { code?: string } | undefined)?.code;

/** Objects, segments, pending writes and the garbage queue. */
export function runObjectContract(test: TestFn, makeStore: MakeStore): void {
  test('a conditional delete checks the current ETag in its own transaction: absent, another ETag, *, the ETag', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const version = newVersion('bucket', 'k', { segments: makeSegments(1000, 1000) });
    await commitWithPending(store, version);
    const etag = version.object.etag;
    await t.throwsAsync(store.deleteObject('bucket', 'never-written', '*'), { instanceOf: CommitPreconditionError, message: /absent/ });
    await t.throwsAsync(store.deleteObject('bucket', 'k', '"0123456789abcdef0123456789abcdef"'), { instanceOf: CommitPreconditionError, message: /etag/ });
    t.truthy(await store.getObject('bucket', 'k'), 'a failed condition deletes nothing');
    t.is((await store.deleteObject('bucket', 'k', etag))?.versionId, version.object.versionId);
    t.is(await store.getObject('bucket', 'k'), null);
    await commitWithPending(store, newVersion('bucket', 'k', { segments: makeSegments(1000, 1000) }));
    t.truthy(await store.deleteObject('bucket', 'k', '*'), '* deletes whatever is there');
  });

  test('commit then get returns every field; segments keep placements, roots and missing shards', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const segments = makeSegments(300_000, 131_072, ['1.4']);
    const version = newVersion('bucket', 'dir/é 😀.bin', {
      segments,
      etag: '"9e107d9d372bb6826bd81d3542a419d6-3"',
      userMetadata: { 'x-amz-meta-title': 'Fête 😀', empty: '' },
      checksums: { crc32: 'AAAAAA==' },
      createdAt: new Date(1_700_000_123_456),
    });
    t.is(await commitWithPending(store, version), null, 'nothing was replaced');
    t.deepEqual(await store.getObject('bucket', 'dir/é 😀.bin'), committed(version));
    t.is(await store.getObject('bucket', 'dir/é 😀'), null);
    t.is(await store.getObject('other', 'dir/é 😀.bin'), null);

    const stored = await store.getSegments(version.object.versionId);
    t.deepEqual(stored.map(normalise), segments.map(normalise));
    t.is(stored[1]!.shards.length, 5, 'the shard that did not reach its node stays absent');
    t.true(stored[0]!.shards[0]!.root instanceof Uint8Array);
    t.deepEqual(await store.getSegments('no-such-version'), []);
    t.deepEqual(await garbageOf(store), [], 'a first commit retires nothing');
  });

  test('a commit without createdAt gets a time from the store', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const base = newVersion('bucket', 'k');
    const { createdAt: _ignored, ...object } = base.object;
    await store.commitObject({ ...base, object });
    const got = await store.getObject('bucket', 'k');
    t.true(got!.createdAt instanceof Date && !Number.isNaN(got!.createdAt.getTime()));
  });

  test('a commit replacing a version returns it and moves all its shards to garbage', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const old = newVersion('bucket', 'movie.zip', { segments: makeSegments(1000, 300, ['2.0']), etag: '"old"' });
    await commitWithPending(store, old);
    const next = newVersion('bucket', 'movie.zip', { segments: makeSegments(500, 300), etag: '"new"' });
    t.deepEqual(await commitWithPending(store, next), committed(old));

    t.deepEqual(await garbageOf(store), placementsOf(old.segments));
    t.is((await garbageOf(store)).length, 4 * 6 - 1);
    t.deepEqual(await store.getObject('bucket', 'movie.zip'), committed(next));
    t.deepEqual(await store.getSegments(old.object.versionId), [], 'the replaced version has no segments left');
    t.deepEqual((await store.getSegments(next.object.versionId)).map(normalise), next.segments.map(normalise));
    const page = await store.listObjects('bucket', { maxKeys: 10 });
    t.deepEqual(page.objects, [committed(next)]);
  });

  test('a commit into a missing bucket throws NoSuchBucket and changes nothing', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const version = newVersion('gone', 'k', { segments: makeSegments(100, 100) });
    await addPendingFor(store, version);
    t.is(code(await t.throwsAsync(store.commitObject(version))), 'NO_SUCH_BUCKET');
    t.deepEqual(await garbageOf(store), []);
    await store.abandonWrite(version.writeId);
    t.deepEqual(await garbageOf(store), placementsOf(version.segments), 'its shards were still pending');
  });

  test('a commit clears its pending shards; pending shards it does not name go to garbage', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const version = newVersion('bucket', 'k', { segments: makeSegments(100, 100) });
    await addPendingFor(store, version);
    const strays = [{ shardId: shardId(hexId(), 0), nodeId: 'node-x' }, { shardId: version.segments[0]!.id + '.0', nodeId: 'node-retry' }];
    await store.addPendingShards(version.writeId, strays, new Date(1_700_000_060_000));
    await store.addPendingShards(version.writeId, strays, new Date(1_700_000_061_000)); // twice is harmless
    await store.commitObject(version);
    t.deepEqual(await garbageOf(store), strays.map((stray) => `${stray.shardId}@${stray.nodeId}`).sort());

    await store.abandonWrite(version.writeId);
    t.is(await store.abandonPendingShardsBefore(new Date(4_000_000_000_000)), 0);
    t.is((await garbageOf(store)).length, 2, 'nothing of the committed version became garbage');
    t.deepEqual((await store.getSegments(version.object.versionId)).map(normalise), version.segments.map(normalise));
  });

  test('a commit after its write was abandoned throws WriteAbandoned and publishes nothing', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const current = newVersion('bucket', 'k', { segments: makeSegments(10, 10) });
    await commitWithPending(store, current);

    const failed = newVersion('bucket', 'k', { segments: makeSegments(10, 10) });
    await addPendingFor(store, failed);
    await store.abandonWrite(failed.writeId);
    const error = await t.throwsAsync(store.commitObject(failed));
    t.is(code(error), 'WRITE_ABANDONED');
    t.is((error as { missingShards?: number }).missingShards, 6);

    const crashed = newVersion('bucket', 'k', { segments: makeSegments(10, 10) });
    await addPendingFor(store, crashed, new Date(1_700_000_000_000));
    t.is(await store.abandonPendingShardsBefore(new Date(1_700_000_000_001)), 6);
    t.is(code(await t.throwsAsync(store.commitObject(crashed))), 'WRITE_ABANDONED');

    t.deepEqual(await store.getObject('bucket', 'k'), committed(current));
    t.deepEqual(await garbageOf(store), [...placementsOf(failed.segments), ...placementsOf(crashed.segments)].sort());
  });

  test('deleteObject returns the version and moves its shards to garbage', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const version = newVersion('bucket', 'a/b', { segments: makeSegments(700, 256) });
    await commitWithPending(store, version);
    t.deepEqual(await store.deleteObject('bucket', 'a/b'), committed(version));
    t.deepEqual(await garbageOf(store), placementsOf(version.segments));
    t.is(await store.getObject('bucket', 'a/b'), null);
    t.deepEqual(await store.getSegments(version.object.versionId), []);
    t.is(await store.deleteObject('bucket', 'a/b'), null);
    t.is(await store.deleteObject('no-bucket', 'a/b'), null);
    t.is((await garbageOf(store)).length, 18);
  });

  test('abandonWrite moves a write\'s pending shards to garbage; unknown writes are a no-op', async (t) => {
    const store = await openStore(t, makeStore);
    const shards = [{ shardId: shardId(hexId(), 0), nodeId: 'n1' }, { shardId: shardId(hexId(), 1), nodeId: 'n2' }];
    await store.addPendingShards('w1', shards, new Date(1_700_000_000_000));
    await store.addPendingShards('w2', [{ shardId: shardId(hexId(), 0), nodeId: 'n3' }], new Date(1_700_000_000_000));
    await store.abandonWrite('w1');
    await store.abandonWrite('w1');
    await store.abandonWrite('never-started');
    t.deepEqual(await garbageOf(store), shards.map((shard) => `${shard.shardId}@${shard.nodeId}`).sort());
  });

  test('abandonPendingShardsBefore collects writes idle since before the cutoff, not long live ones', async (t) => {
    const store = await openStore(t, makeStore);
    const at = (seconds: number) => new Date(1_700_000_000_000 + seconds * 1000);
    const shard = (tag: string) => ({ shardId: shardId(hexId(), 0), nodeId: tag });
    await store.addPendingShards('idle', [shard('i1'), shard('i2')], at(0));
    await store.addPendingShards('long', [shard('l1')], at(0));
    await store.addPendingShards('long', [shard('l2')], at(20)); // registered its next segment
    await store.addPendingShards('late', [shard('z1')], at(30));
    t.is(await store.abandonPendingShardsBefore(at(10)), 2);
    t.deepEqual((await garbageOf(store)).map((item) => item.split('@')[1]).sort(), ['i1', 'i2']);
    t.is(await store.abandonPendingShardsBefore(at(10)), 0, 'collected once');
    t.is(await store.abandonPendingShardsBefore(at(30)), 2, 'the cutoff is exclusive');
    t.is(await store.abandonPendingShardsBefore(at(31)), 1);
    t.is((await garbageOf(store)).length, 5);
  });

  test('renewPendingWrites keeps every live write of this store alive in one call, and only those', async (t) => {
    const store = await openStore(t, makeStore);
    const at = (seconds: number) => new Date(1_700_000_000_000 + seconds * 1000);
    const shard = (tag: string) => ({ shardId: shardId(hexId(), 0), nodeId: tag });
    t.is(await store.renewPendingWrites(at(0)), 0, 'nothing in flight');
    await store.addPendingShards('slow-upload', [shard('s1')], at(0));
    await store.addPendingShards('failed', [shard('f1')], at(0));
    await store.abandonWrite('failed');
    await store.addPendingShards('other', [shard('o1')], at(5));
    t.is(await store.renewPendingWrites(at(60)), 2, 'the two writes still pending');
    t.is(await store.abandonPendingShardsBefore(at(59)), 0, 'renewed writes are not idle');
    t.is(await store.renewPendingWrites(at(30)), 2);
    t.is(await store.abandonPendingShardsBefore(at(59)), 0, 'a late renewal never moves a lease back');
    t.is(await store.abandonPendingShardsBefore(at(61)), 2, 'unrenewed past the lease: abandoned');
    t.is(await store.renewPendingWrites(at(90)), 0, 'abandoned writes are not renewed back to life');
    t.deepEqual((await garbageOf(store)).map((item) => item.split('@')[1]).sort(), ['f1', 'o1', 's1']);
  });

  test('listGarbage is oldest first with a limit and a cutoff; removeGarbage deletes by id', async (t) => {
    const store = await openStore(t, makeStore);
    t.deepEqual(await store.listGarbage(10), []);
    const ids: string[] = [];
    for (let write = 0; write < 3; write += 1) {
      const id = shardId(hexId(), write);
      ids.push(id);
      await store.addPendingShards(`w${write}`, [{ shardId: id, nodeId: 'n' }], new Date(1_700_000_000_000));
      await store.abandonWrite(`w${write}`);
    }
    const all = await store.listGarbage(10);
    t.deepEqual(all.map((item) => item.shardId), ids, 'in the order they became garbage');
    t.true(all.every((item) => item.enqueuedAt instanceof Date && !Number.isNaN(item.enqueuedAt.getTime())));
    t.deepEqual(await store.listGarbage(2), all.slice(0, 2));
    t.deepEqual(await store.listGarbage(0), []);
    t.deepEqual(await store.listGarbage(10, new Date(0)), [], 'nothing is older than the epoch');
    const last = all[2]!;
    t.deepEqual(await store.listGarbage(10, new Date(last.enqueuedAt.getTime() + 1)), all);

    await store.removeGarbage([all[0]!.id, all[2]!.id, 987_654_321]);
    t.deepEqual(await store.listGarbage(10), [all[1]!]);
    await store.removeGarbage([]);
    t.is((await store.listGarbage(10)).length, 1);
  });

  test('getSegments returns exactly the segments a span overlaps (10-segment object)', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const segmentLength = 1000;
    const size = 9 * segmentLength + 337;
    const version = newVersion('bucket', 'ten', { segments: makeSegments(size, segmentLength) });
    t.is(version.segments.length, 10);
    await commitWithPending(store, version);
    const expected = (span: Span) => span.length === 0 ? [] : version.segments
      .filter((segment) => segment.offset < span.offset + span.length && segment.offset + segment.length > span.offset)
      .map((segment) => segment.index);
    const check = async (span: Span) => {
      const got = await store.getSegments(version.object.versionId, span);
      t.deepEqual(got.map((segment) => segment.index), expected(span), `span ${span.offset}+${span.length}`);
    };
    const edges = [0, 1, 999, 1000, 1001, 4999, 5000, 8999, 9000, size - 1, size, size + 5];
    for (const offset of edges) {
      for (const length of [0, 1, 2, 999, 1000, 1001, 3500, size]) await check({ offset, length });
    }
    const random = mulberry32(0x5e6);
    for (let i = 0; i < 100; i += 1) {
      const offset = Math.floor(random() * (size + 10));
      await check({ offset, length: Math.floor(random() * size / 3) });
    }
    const middle = await store.getSegments(version.object.versionId, { offset: 4500, length: 1000 });
    t.deepEqual(middle.map(normalise), version.segments.slice(4, 6).map(normalise), 'whole records, not just indexes');
    t.is((await store.getSegments(version.object.versionId)).length, 10);
  });
}

/** Roots as plain arrays: a backend may return Buffers, which are Uint8Arrays all the same. */
function normalise(segment: SegmentRecord) {
  return { ...segment, shards: segment.shards.map((shard) => ({ ...shard, root: Array.from(shard.root) })) };
}
