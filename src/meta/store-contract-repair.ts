import type { TestFn } from 'ava';
import {
  commitWithPending, createAccountAndBucket, garbageOf, makeSegments, newVersion, openStore, rootFor, type MakeStore,
} from './store-contract-fixtures.ts';
import type { MetaStore } from './store.ts';
import { shardId } from './types.ts';

const code = (error: unknown) => (error as { code?: string } | undefined)?.code;
const T0 = new Date(1_700_000_000_000);
const at = (ms: number) => new Date(T0.getTime() + ms);

/** A committed one-segment object; returns its segment id. */
async function storedSegment(store: MetaStore, key = 'k'): Promise<string> {
  const version = newVersion('bucket', key, { segments: makeSegments(1000, 1000) });
  await commitWithPending(store, version);
  return version.segments[0]!.id;
}

/** "shardId@nodeId" of the six shards makeSegments places for its first segment. */
function makeSegmentsPlacements(segmentId: string): string[] {
  return makeSegments(1000, 1000)[0]!.shards.map((shard) => `${shardId(segmentId, shard.shardIndex)}@${shard.nodeId}`);
}

/** Node admin states, the repair queue and the placement swap primitive (repair-types.ts). */
export function runRepairContract(test: TestFn, makeStore: MakeStore): void {
  test('node admin states are set, replaced, listed and cleared', async (t) => {
    const store = await openStore(t, makeStore);
    t.deepEqual(await store.listNodeAdminStates(), []);
    await store.setNodeAdminState('node-b', 'draining', at(1));
    await store.setNodeAdminState('node-a', 'disqualified', at(2));
    await store.setNodeAdminState('node-b', 'drained', at(3));
    t.deepEqual(await store.listNodeAdminStates(), [
      { nodeId: 'node-a', state: 'disqualified', since: at(2) },
      { nodeId: 'node-b', state: 'drained', since: at(3) },
    ]);
    await store.setNodeAdminState('node-a', null, at(4));
    await store.setNodeAdminState('node-z', null, at(4));
    t.deepEqual((await store.listNodeAdminStates()).map((r) => r.nodeId), ['node-b']);
  });

  test('repair queue: fewest healthy first, leases exclude, an expired lease is taken over with a new token', async (t) => {
    const store = await openStore(t, makeStore);
    await store.enqueueRepair({ segmentId: 'a', healthyShards: 5 }, at(0));
    await store.enqueueRepair({ segmentId: 'b', healthyShards: 4 }, at(1));
    await store.enqueueRepair({ segmentId: 'c', healthyShards: 5 }, at(2));
    const first = await store.claimRepairs('gw1', 2, 1000, at(10));
    t.deepEqual(first.map((job) => job.segmentId), ['b', 'a']);
    t.deepEqual(first[0]!.leaseExpiresAt, at(1010));
    t.is(first[0]!.attempts, 1);
    t.deepEqual((await store.claimRepairs('gw2', 5, 1000, at(20))).map((job) => job.segmentId), ['c']);
    t.deepEqual(await store.claimRepairs('gw2', 5, 1000, at(500)), [], 'everything is leased');
    t.deepEqual(await store.repairQueueStats(at(500)), { length: 3, leased: 3, oldestEnqueuedAt: at(0) });

    // gw1 dies; after its lease, gw2 takes b over.
    const takeover = await store.claimRepairs('gw2', 1, 1000, at(1011));
    t.is(takeover[0]!.segmentId, 'b');
    t.true(takeover[0]!.leaseToken > first[0]!.leaseToken);
    t.is(takeover[0]!.attempts, 2);
    t.false(await store.renewRepair('b', first[0]!.leaseToken, 1000, at(1012)), 'the stale holder cannot renew');
    t.false(await store.completeRepair('b', first[0]!.leaseToken), 'nor complete');
    t.true(await store.completeRepair('b', takeover[0]!.leaseToken));
    t.false(await store.completeRepair('b', takeover[0]!.leaseToken), 'a second completion is a no-op');
    t.true(await store.completeRepair('a', first[1]!.leaseToken), 'an expired lease not taken over can still complete');
    t.deepEqual(await store.repairQueueStats(at(2000)), { length: 1, leased: 0, oldestEnqueuedAt: at(2) });
  });

  test('repair queue: renew extends a lease; release backs off until retryAt', async (t) => {
    const store = await openStore(t, makeStore);
    await store.enqueueRepair({ segmentId: 'a', healthyShards: 4 }, at(0));
    const [job] = await store.claimRepairs('gw1', 1, 1000, at(0));
    t.true(await store.renewRepair('a', job!.leaseToken, 1000, at(900)));
    t.deepEqual(await store.claimRepairs('gw2', 1, 1000, at(1500)), [], 'renewed until 1900');
    t.true(await store.releaseRepair('a', job!.leaseToken, at(5000), 'no node to place on'));
    t.false(await store.releaseRepair('a', job!.leaseToken, at(5000), 'twice'), 'a released lease is no longer held');
    t.deepEqual(await store.claimRepairs('gw2', 1, 1000, at(4999)), []);
    t.deepEqual((await store.claimRepairs('gw2', 1, 1000, at(5000))).map((j) => j.segmentId), ['a']);
  });

  test('repair queue: enqueue merges; news during a lease keeps the entry queued after completion', async (t) => {
    const store = await openStore(t, makeStore);
    await store.enqueueRepair({ segmentId: 'a', healthyShards: 5, corruptShards: [3] }, at(0));
    await store.enqueueRepair({ segmentId: 'a', healthyShards: 6, suspectShards: [1] }, at(5));
    const [job] = await store.claimRepairs('gw1', 5, 1000, at(10));
    t.like(job, { segmentId: 'a', healthyShards: 5, corruptShards: [3], suspectShards: [1], enqueuedAt: at(0) });
    await store.enqueueRepair({ segmentId: 'a', healthyShards: 4, corruptShards: [0, 3] }, at(20));
    t.true(await store.completeRepair('a', job!.leaseToken));
    const [again] = await store.claimRepairs('gw1', 5, 1000, at(30));
    t.like(again, { segmentId: 'a', healthyShards: 4, corruptShards: [0, 3] });
    t.true(await store.completeRepair('a', again!.leaseToken));
    t.is((await store.repairQueueStats(at(40))).length, 0);
  });

  test('scanSegments walks referenced segments by cursor, optionally those on one node', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const kept = newVersion('bucket', 'kept', { segments: makeSegments(5000, 1000) });
    const gone = newVersion('bucket', 'gone', { segments: makeSegments(2000, 1000) });
    await commitWithPending(store, kept);
    await commitWithPending(store, gone);
    await store.deleteObject('bucket', 'gone');
    const seen: string[] = [];
    for (let cursor = 0; ;) {
      const page = await store.scanSegments(cursor, 2);
      if (page.length === 0) break;
      t.true(page.length <= 2);
      seen.push(...page.map((entry) => entry.segmentId));
      cursor = page.at(-1)!.cursor;
    }
    t.deepEqual(seen.sort(), kept.segments.map((s) => s.id).sort());
    const all = await store.scanSegments(0, 100);
    t.deepEqual(all[0]!.shards, kept.segments.find((s) => s.id === all[0]!.segmentId)!.shards);
    t.is(all[0]!.placementVersion, 0);
    const onG = await store.scanSegments(0, 100, 'node-g');
    const expected = kept.segments.filter((s) => s.shards.some((shard) => shard.nodeId === 'node-g')).map((s) => s.id);
    t.deepEqual(onG.map((e) => e.segmentId).sort(), expected.sort());
    t.is(await store.countShardsOnNode('node-g'), expected.length);
    t.is(await store.countShardsOnNode('nobody'), 0);
  });

  test('replaceShardPlacements swaps, sends the old shards to garbage and bumps the version', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const segmentId = await storedSegment(store);
    const before = (await store.getSegmentPlacement(segmentId))!;
    t.is(before.placementVersion, 0);
    const oldNode = before.shards[2]!.nodeId;
    await store.addPendingShards('repair-1', [{ shardId: shardId(segmentId, 2), nodeId: 'node-new' }, { shardId: shardId(segmentId, 4), nodeId: 'node-spare' }], at(0));
    t.deepEqual((await store.listShardsInFlight(segmentId)).map((f) => `${f.kind}:${f.shardId}@${f.nodeId}`).sort(),
      [`pending:${shardId(segmentId, 2)}@node-new`, `pending:${shardId(segmentId, 4)}@node-spare`]);
    const result = await store.replaceShardPlacements({
      segmentId, expectedVersion: 0, writeId: 'repair-1', replacements: [{ shardIndex: 2, nodeId: 'node-new', root: rootFor(0, 2) }],
    });
    t.deepEqual(result, { replaced: true, placementVersion: 1 });
    const after = (await store.getSegmentPlacement(segmentId))!;
    t.is(after.shards[2]!.nodeId, 'node-new');
    t.deepEqual(after.shards.filter((s) => s.shardIndex !== 2), before.shards.filter((s) => s.shardIndex !== 2));
    t.deepEqual(await garbageOf(store), [`${shardId(segmentId, 2)}@${oldNode}`, `${shardId(segmentId, 4)}@node-spare`].sort(),
      'the old shard and the write\'s unused pending shard');
    t.deepEqual((await store.listShardsInFlight(segmentId)).map((f) => f.kind), ['garbage', 'garbage']);
    const versionId = (await store.getObject('bucket', 'k'))!.versionId;
    t.is((await store.getSegments(versionId))[0]!.shards[2]!.nodeId, 'node-new', 'reads see the new placement');
  });

  test('replaceShardPlacements changes nothing when the version moved, the segment is gone or the write was abandoned', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const segmentId = await storedSegment(store);
    const replacement = { shardIndex: 0, nodeId: 'node-new', root: rootFor(0, 0) };
    const pending = [{ shardId: shardId(segmentId, 0), nodeId: 'node-new' }];
    await store.addPendingShards('r1', pending, at(0));
    t.deepEqual(await store.replaceShardPlacements({ segmentId, expectedVersion: 7, writeId: 'r1', replacements: [replacement] }),
      { replaced: false, reason: 'changed' });
    t.deepEqual(await garbageOf(store), []);
    await store.abandonWrite('r1');
    const error = await t.throwsAsync(store.replaceShardPlacements({ segmentId, expectedVersion: 0, writeId: 'r1', replacements: [replacement] }));
    t.is(code(error), 'WRITE_ABANDONED');
    t.is((await store.getSegmentPlacement(segmentId))!.placementVersion, 0);

    // Overwritten while being repaired: the segment is gone, its shards are garbage, no resurrection.
    await store.addPendingShards('r2', pending, at(0));
    await commitWithPending(store, newVersion('bucket', 'k', { segments: makeSegments(10, 10) }));
    t.is(await store.getSegmentPlacement(segmentId), null);
    t.deepEqual(await store.replaceShardPlacements({ segmentId, expectedVersion: 0, writeId: 'r2', replacements: [replacement] }),
      { replaced: false, reason: 'gone' });
    await store.abandonWrite('r2');
    const newShard = `${shardId(segmentId, 0)}@node-new`;
    const oldShards = makeSegmentsPlacements(segmentId);
    t.deepEqual((await garbageOf(store)).filter((g) => g.startsWith(`${segmentId}.`)), [...oldShards, newShard, newShard].sort(),
      'the six old shards, and the new one of each abandoned attempt');
    t.is((await store.getObject('bucket', 'k'))!.size, 10);
    await store.deleteObject('bucket', 'k');
    t.is(await store.getObject('bucket', 'k'), null);
  });

  test('countObjects counts current objects and sums their sizes', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    t.deepEqual(await store.countObjects(), { objects: 0, bytes: 0 });
    await storedSegment(store, 'a');
    await storedSegment(store, 'b');
    t.deepEqual(await store.countObjects(), { objects: 2, bytes: 2000 });
    await storedSegment(store, 'a'); // an overwrite is still one object
    await store.deleteObject('bucket', 'b');
    t.deepEqual(await store.countObjects(), { objects: 1, bytes: 1000 });
  });

  test('listShardsPlacedOnNode lists what metadata places on a node within a segment id range, in order, a page at a time', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const first = await storedSegment(store, 'a');
    const second = await storedSegment(store, 'b');
    const [low, high] = [first, second].sort();
    const node = (await store.getSegmentPlacement(first))!.shards[0]!.nodeId;
    const on = async (nodeId: string, from: string, through: string, limit = 100) =>
      (await store.listShardsPlacedOnNode(nodeId, from, through, limit)).map((p) => `${p.segmentId}.${p.shardIndex}`);
    const placedOn = async (segmentId: string) => (await store.getSegmentPlacement(segmentId))!.shards.filter((s) => s.nodeId === node).map((s) => shardId(segmentId, s.shardIndex));
    const all = [...await placedOn(low!), ...await placedOn(high!)];
    t.true(all.length >= 2);
    t.deepEqual(await on(node, '0'.repeat(32), 'f'.repeat(32)), all);
    t.deepEqual(await on(node, high!, 'f'.repeat(32)), await placedOn(high!), 'the range bounds are inclusive');
    t.deepEqual(await on(node, '0'.repeat(32), low!), await placedOn(low!));
    t.deepEqual(await on(node, '0'.repeat(32), 'f'.repeat(32), 1), all.slice(0, 1));
    t.deepEqual(await on('node-nowhere', '0'.repeat(32), 'f'.repeat(32)), []);
    await store.deleteObject('bucket', 'a');
    t.false((await on(node, '0'.repeat(32), 'f'.repeat(32))).some((id) => id.startsWith(first)), 'a deleted object\'s segment is not expected anywhere');
  });

  test('listUnknownShards names the files metadata does not expect on that node', async (t) => {
    const store = await openStore(t, makeStore);
    await createAccountAndBucket(store);
    const segmentId = await storedSegment(store);
    const placed = (await store.getSegmentPlacement(segmentId))!.shards[0]!;
    const orphan = `${'e'.repeat(32)}.0`;
    await store.addPendingShards('w', [{ shardId: `${'a'.repeat(32)}.1`, nodeId: 'node-x' }], at(0));
    await store.addPendingShards('dead', [{ shardId: `${'b'.repeat(32)}.2`, nodeId: 'node-x' }], at(0));
    await store.abandonWrite('dead');
    const listed = [shardId(segmentId, 0), `${'a'.repeat(32)}.1`, `${'b'.repeat(32)}.2`, orphan, shardId(segmentId, 1)];
    t.deepEqual(await store.listUnknownShards('node-x', listed), [shardId(segmentId, 0), orphan, shardId(segmentId, 1)]);
    t.deepEqual(await store.listUnknownShards(placed.nodeId, [shardId(segmentId, 0), orphan]), [orphan]);
  });
}
