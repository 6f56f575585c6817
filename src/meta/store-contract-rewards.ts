import type { ExecutionContext, TestFn } from 'ava';
import { commitWithPending, createAccountAndBucket, makeSegments, newVersion, rootFor, type MakeStore } from './store-contract-fixtures.ts';
import { newUpload, writtenPart } from './store-contract-multipart.ts';
import type { NodeServiceCounts } from './rewards-types.ts';
import { shardId } from './types.ts';

const T0 = 1_700_000_000_000;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** makeSegments(1000, 1000) has one segment of 1000 bytes: one stripe, so every shard file is one 64 KiB chunk. */
const SHARD_BYTES = 65_536n;
const window = (fromMs: number, toMs: number) => ({ from: new Date(T0 + fromMs), to: new Date(T0 + toMs) });

/** A store whose clock the test moves: holdings are stamped with it. */
async function clockedStore(t: ExecutionContext, makeStore: MakeStore) {
  const clock = { ms: T0 };
  const store = await makeStore({ now: () => new Date(clock.ms) });
  t.teardown(() => store.close());
  await createAccountAndBucket(store);
  return { store, clock };
}

function service(nodeId: string, slotMs: number, kind: NodeServiceCounts['kind'], counts: Partial<NodeServiceCounts>): NodeServiceCounts {
  return {
    nodeId, slot: new Date(slotMs), kind, verifiedBytes: 0, failedBytes: 0, answered: 0, failed: 0, auditsPassed: 0, auditsFailed: 0, ...counts,
  };
}

/** The rewards ledger (rewards-types.ts): holdings opened and closed with placements, exact byte-time, service counters. */
export function runRewardsContract(test: TestFn, makeStore: MakeStore): void {
  test('rewards: a commit opens a holding per shard, a repair swap splits the byte-time exactly, a delete ends the rest', async (t) => {
    const { store, clock } = await clockedStore(t, makeStore);
    const version = newVersion('bucket', 'k', { segments: makeSegments(1000, 1000) });
    await commitWithPending(store, version);
    const segmentId = version.segments[0]!.id;
    const moved = version.segments[0]!.shards[2]!.nodeId; // node-c

    clock.ms = T0 + 30 * MINUTE;
    await store.addPendingShards('repair-1', [{ shardId: shardId(segmentId, 2), nodeId: 'node-new' }], new Date(clock.ms));
    const swap = await store.replaceShardPlacements({
      segmentId, expectedVersion: 0, writeId: 'repair-1', replacements: [{ shardIndex: 2, nodeId: 'node-new', root: rootFor(0, 2) }],
    });
    t.true(swap.replaced);

    clock.ms = T0 + HOUR;
    await store.deleteObject('bucket', 'k');
    clock.ms = T0 + 2 * HOUR;

    const whole = window(-HOUR, 3 * HOUR);
    t.is(await store.storedByteMs('node-a', whole), SHARD_BYTES * BigInt(HOUR), 'held for exactly one hour');
    t.is(await store.storedByteMs(moved, whole), SHARD_BYTES * BigInt(30 * MINUTE), 'until the swap');
    t.is(await store.storedByteMs('node-new', whole), SHARD_BYTES * BigInt(30 * MINUTE), 'from the swap to the delete');
    t.is(await store.storedByteMs(moved, window(15 * MINUTE, 45 * MINUTE)), SHARD_BYTES * BigInt(15 * MINUTE), 'clipped to the window');
    t.is(await store.storedByteMs('node-new', window(15 * MINUTE, 45 * MINUTE)), SHARD_BYTES * BigInt(15 * MINUTE));
    t.is(await store.storedByteMs('node-a', window(HOUR, 2 * HOUR)), 0n, 'nothing after the delete');
    t.is(await store.storedByteMs('node-g', whole), 0n, 'a node that holds nothing');

    const history = await store.listShardHoldings(moved);
    t.deepEqual(history.map((h) => [h.segmentId, h.shardIndex, h.bytes, h.from.getTime() - T0, h.to && h.to.getTime() - T0, h.endReason]),
      [[segmentId, 2, Number(SHARD_BYTES), 0, 30 * MINUTE, 'replaced']]);
    t.deepEqual((await store.listShardHoldings('node-new')).map((h) => [h.from.getTime() - T0, h.to && h.to.getTime() - T0, h.endReason]),
      [[30 * MINUTE, HOUR, 'gc']]);
  });

  test('rewards: a multipart part holds from its commit; Complete keeps the holdings; a copy adds none; the last delete ends them', async (t) => {
    const { store, clock } = await clockedStore(t, makeStore);
    const upload = newUpload('bucket', 'k');
    await store.createMultipartUpload(upload);
    const part = await writtenPart(store, upload.uploadId, 1, 1000);
    clock.ms = T0 + 10 * MINUTE;
    await store.commitPart(part);
    clock.ms = T0 + 20 * MINUTE;
    await store.completeMultipartUpload({
      uploadId: upload.uploadId, parts: [{ partNumber: 1, etag: part.part.etag }], object: { ...newVersion('bucket', 'k').object, size: 1000 },
    });
    const source = (await store.getObject('bucket', 'k'))!;
    await store.copyObject({ sourceVersionId: source.versionId, object: { ...newVersion('bucket', 'copy').object, size: 1000 } });
    clock.ms = T0 + 40 * MINUTE;
    await store.deleteObject('bucket', 'k');
    t.is(await store.storedByteMs('node-a', window(0, HOUR)), SHARD_BYTES * BigInt(50 * MINUTE), 'the copy still names the segment');
    clock.ms = T0 + 50 * MINUTE;
    await store.deleteObject('bucket', 'copy');
    clock.ms = T0 + 2 * HOUR;
    t.is(await store.storedByteMs('node-a', window(0, 2 * HOUR)), SHARD_BYTES * BigInt(40 * MINUTE), 'from the part commit to the last delete');
    t.deepEqual((await store.listShardHoldings('node-a')).map((h) => h.endReason), ['gc']);
  });

  test('rewards: a holding open for ten years sums exactly past 2^53 byte-milliseconds', async (t) => {
    const { store } = await clockedStore(t, makeStore);
    await commitWithPending(store, newVersion('bucket', 'k', { segments: makeSegments(1000, 1000) }));
    const tenYearsMs = 10 * 365 * 24 * HOUR + 7;
    const byteMs = await store.storedByteMs('node-a', window(0, tenYearsMs));
    t.is(byteMs, SHARD_BYTES * BigInt(tenYearsMs));
    t.true(byteMs > BigInt(Number.MAX_SAFE_INTEGER));
  });

  test('rewards: a shard found corrupt ends its holding on that node only; a repair in place opens a new one', async (t) => {
    const { store, clock } = await clockedStore(t, makeStore);
    const version = newVersion('bucket', 'k', { segments: makeSegments(1000, 1000) });
    await commitWithPending(store, version);
    const segmentId = version.segments[0]!.id;
    clock.ms = T0 + 10 * MINUTE;
    t.is(await store.endShardHoldings([{ segmentId, shardIndex: 1, nodeId: 'node-a', reason: 'corrupt' }], new Date(clock.ms)), 0,
      'shard 1 is on node-b: a stale report about node-a changes nothing');
    t.is(await store.endShardHoldings([{ segmentId, shardIndex: 1, nodeId: 'node-b', reason: 'corrupt' }], new Date(clock.ms)), 1);
    t.is(await store.endShardHoldings([{ segmentId, shardIndex: 1, nodeId: 'node-b', reason: 'corrupt' }], new Date(clock.ms)), 0, 'once');
    t.is(await store.endShardHoldings([], new Date(clock.ms)), 0);
    clock.ms = T0 + 40 * MINUTE;
    await store.addPendingShards('repair-1', [{ shardId: shardId(segmentId, 1), nodeId: 'node-b' }], new Date(clock.ms));
    t.true((await store.replaceShardPlacements({
      segmentId, expectedVersion: 0, writeId: 'repair-1', replacements: [{ shardIndex: 1, nodeId: 'node-b', root: rootFor(0, 1) }],
    })).replaced);
    clock.ms = T0 + HOUR;
    t.is(await store.storedByteMs('node-b', window(0, HOUR)), SHARD_BYTES * BigInt(10 * MINUTE + 20 * MINUTE),
      'nothing between the corrupt read and the repair');
    t.deepEqual((await store.listShardHoldings('node-b')).map((h) => h.endReason), ['corrupt', null]);
  });

  test('rewards: service counters add up per node, hour slot and kind; a window takes the slots that start in it', async (t) => {
    const { store } = await clockedStore(t, makeStore);
    const slot0 = T0 - (T0 % HOUR);
    await store.addNodeService([
      service('node-a', slot0, 'client', { verifiedBytes: 1000, answered: 2 }),
      service('node-a', slot0, 'audit', { verifiedBytes: 64, answered: 1, auditsPassed: 1 }),
      service('node-b', slot0, 'client', { failedBytes: 5, failed: 1 }),
    ]);
    await store.addNodeService([
      service('node-a', slot0, 'client', { verifiedBytes: 24, failedBytes: 3, answered: 1, failed: 4 }),
      service('node-a', slot0, 'client', { verifiedBytes: 1 }),
      service('node-a', slot0 + HOUR, 'client', { verifiedBytes: 7, answered: 1 }),
      service('node-a', slot0 + 2 * HOUR, 'audit', { failed: 1, auditsFailed: 1 }),
    ]);
    await store.addNodeService([]);
    const sums = await store.sumNodeService('node-a', { from: new Date(slot0), to: new Date(slot0 + 2 * HOUR) });
    t.deepEqual(sums, [
      { kind: 'audit', verifiedBytes: 64, failedBytes: 0, answered: 1, failed: 0, auditsPassed: 1, auditsFailed: 0, observedSlots: 1 },
      { kind: 'client', verifiedBytes: 1032, failedBytes: 3, answered: 4, failed: 4, auditsPassed: 0, auditsFailed: 0, observedSlots: 2 },
    ]);
    const later = await store.sumNodeService('node-a', { from: new Date(slot0 + 1), to: new Date(slot0 + 3 * HOUR) });
    t.deepEqual(later.map((s) => [s.kind, s.verifiedBytes, s.failed, s.auditsFailed, s.observedSlots]), [['audit', 0, 1, 1, 1], ['client', 7, 0, 0, 1]]);
    t.deepEqual(await store.sumNodeService('node-c', { from: new Date(slot0), to: new Date(slot0 + HOUR) }), []);
  });
}
