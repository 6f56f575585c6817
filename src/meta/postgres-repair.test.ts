import test from 'ava';
import { startPostgresTestServer, type PostgresTestServer } from '../testing/postgres-server.ts';
import { PostgresMetaStore } from './postgres-store.ts';
import { commitWithPending, createAccountAndBucket, garbageOf, makeSegments, newVersion, rootFor } from './store-contract-fixtures.ts';
import { shardId } from './types.ts';

/**
 * Repair on PostgreSQL with several gateways at once (the contract suite checks one store): two
 * stores, each with its own pool, on one database.
 */

let server: PostgresTestServer | undefined;
test.before(async () => {
  server = await startPostgresTestServer();
});
test.after.always(async () => {
  await server?.stop();
});

const T0 = new Date(1_700_000_000_000);

async function twoGateways(t: import('ava').ExecutionContext): Promise<[PostgresMetaStore, PostgresMetaStore]> {
  const url = await server!.createDatabase();
  const first = await PostgresMetaStore.open(url, { maxConnections: 4 });
  const second = await PostgresMetaStore.open(url, { maxConnections: 4 });
  t.teardown(async () => { await first.close(); await second.close(); });
  return [first, second];
}

test('postgres: gateways claiming repairs at once take every queued segment exactly once', async (t) => {
  const [first, second] = await twoGateways(t);
  const ids = Array.from({ length: 60 }, (_, i) => `seg-${String(i).padStart(3, '0')}`);
  for (const [i, segmentId] of ids.entries()) await first.enqueueRepair({ segmentId, healthyShards: 3 + (i % 3) }, T0);
  const claimed: string[] = [];
  const claimer = async (store: PostgresMetaStore, owner: string) => {
    for (;;) {
      const jobs = await store.claimRepairs(owner, 4, 60_000, T0);
      if (jobs.length === 0) return;
      for (const job of jobs) {
        t.is(job.leaseToken, 1, 'never claimed before');
        claimed.push(job.segmentId);
      }
    }
  };
  await Promise.all([claimer(first, 'gw1'), claimer(second, 'gw2'), claimer(first, 'gw1b'), claimer(second, 'gw2b')]);
  t.deepEqual([...claimed].sort(), ids, 'each segment once, none left behind');
  t.deepEqual(await second.repairQueueStats(T0), { length: 60, leased: 60, oldestEnqueuedAt: T0 });
});

test('postgres: two gateways swapping one segment\'s placement from the same version — one swap wins, the other changes nothing', async (t) => {
  const [first, second] = await twoGateways(t);
  await createAccountAndBucket(first);
  const version = newVersion('bucket', 'k', { segments: makeSegments(1000, 1000) });
  await commitWithPending(first, version);
  const segmentId = version.segments[0]!.id;
  const oldNode = version.segments[0]!.shards[1]!.nodeId;
  await first.addPendingShards('w1', [{ shardId: shardId(segmentId, 1), nodeId: 'node-x' }], T0);
  await second.addPendingShards('w2', [{ shardId: shardId(segmentId, 1), nodeId: 'node-y' }], T0);
  const results = await Promise.all([
    first.replaceShardPlacements({ segmentId, expectedVersion: 0, writeId: 'w1', replacements: [{ shardIndex: 1, nodeId: 'node-x', root: rootFor(0, 1) }] }),
    second.replaceShardPlacements({ segmentId, expectedVersion: 0, writeId: 'w2', replacements: [{ shardIndex: 1, nodeId: 'node-y', root: rootFor(0, 1) }] }),
  ]);
  const winners = results.filter((result) => result.replaced);
  t.is(winners.length, 1);
  t.deepEqual(results.find((result) => !result.replaced), { replaced: false, reason: 'changed' });
  const winner = results[0]!.replaced ? 'node-x' : 'node-y';
  const placement = (await second.getSegmentPlacement(segmentId))!;
  t.is(placement.placementVersion, 1);
  t.is(placement.shards[1]!.nodeId, winner);
  t.deepEqual(await garbageOf(first), [`${shardId(segmentId, 1)}@${oldNode}`], 'only the replaced shard; the loser\'s stays pending for its write to abandon');
});
