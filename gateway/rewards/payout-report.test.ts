import test from 'ava';
import { createLogger } from '../../src/log/logger.ts';
import { commitWithPending, createAccountAndBucket, makeSegments, newVersion, rootFor } from '../../src/meta/store-contract-fixtures.ts';
import { SqliteMetaStore } from '../../src/meta/sqlite-store.ts';
import { shardId } from '../../src/meta/types.ts';
import type { PayoutPrices } from '../../src/rewards/payout-prices.ts';
import { computePayoutReport } from './payout-report.ts';
import { NodeServiceMeter } from './service-meter.ts';

const T0 = Date.UTC(2026, 0, 1); // on an hour: the service slots line up with the window
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** makeSegments(1000, 1000): one segment, one stripe: each shard file is one 64 KiB chunk. */
const SHARD = 65_536;
/** Round prices so the figures are readable: 1000 per GB-month and per GB. */
const PRICES: PayoutPrices = {
  currency: 'USD', storageNanosPerGbMonth: 1000n * 10n ** 9n, egressNanosPerGb: 1000n * 10n ** 9n, repairEgressNanosPerGb: 1000n * 10n ** 9n,
  minUptimeBillionths: 950_000_000n, minAuditPassBillionths: 950_000_000n,
};

/** One segment on node-a … node-f at T0; node-g holds nothing yet. */
async function ledger(t: import('ava').ExecutionContext) {
  const clock = { ms: T0 };
  const now = () => new Date(clock.ms);
  const store = SqliteMetaStore.open(':memory:', { now });
  t.teardown(() => store.close());
  for (const id of ['node-a', 'node-b', 'node-c', 'node-d', 'node-e', 'node-f', 'node-g']) {
    await store.upsertNode({
      id, url: `http://${id}`, zone: `zone-${id}`, capacityBytes: 1e9, freeBytes: 1e9, registeredAt: now(), lastHeartbeatAt: now(),
      operatorId: null, publicKey: null, secret: null, secretEpoch: 0, lastSignedAtMs: 0,
    });
  }
  await createAccountAndBucket(store);
  const version = newVersion('bucket', 'k', { segments: makeSegments(1000, 1000) });
  await commitWithPending(store, version);
  const meter = new NodeServiceMeter({ store, logger: createLogger('test', { format: 'json', level: 'error' }), now });
  return { store, clock, meter, segmentId: version.segments[0]!.id };
}

const statementOf = async (store: SqliteMetaStore, prices = PRICES) => {
  const report = await computePayoutReport(store, await store.listNodes(), { from: new Date(T0), to: new Date(T0 + HOUR) }, prices);
  return { report, node: (id: string) => report.nodes.find((s) => s.node.id === id)! };
};

test('a node that stores one shard for an hour, serves verified bytes and fails one audit in twenty: exact figures', async (t) => {
  const { store, clock, meter } = await ledger(t);
  clock.ms = T0 + 10 * MINUTE;
  for (let i = 0; i < 3; i++) meter.record('node-a', 'client', { verifiedBytes: SHARD, answered: 1 });
  for (let i = 0; i < 19; i++) meter.record('node-a', 'audit', { verifiedBytes: SHARD, answered: 1, auditsPassed: 1 });
  meter.record('node-a', 'audit', { failedBytes: SHARD, failed: 1, auditsFailed: 1 });
  await meter.flush();
  clock.ms = T0 + HOUR;

  const { node } = await statementOf(store);
  const a = node('node-a');
  t.is(a.usage.storedByteMs, String(SHARD * HOUR));
  t.deepEqual(a.usage.egress.client, { verifiedBytes: 3 * SHARD, failedBytes: 0, answered: 3, failed: 0 });
  t.deepEqual(a.usage.egress.audit, { verifiedBytes: 19 * SHARD, failedBytes: SHARD, answered: 19, failed: 1 });
  t.deepEqual(a.usage.audits, { passed: 19, failed: 1 });
  t.is(a.usage.uptime, '0.956521739', '22 of 23 requests');
  t.is(a.status, 'payable', '19/20 audits is exactly the 0.95 threshold');
  // 65536 B × 1 h = 235,929,600,000 B·ms = 9.1022…e-8 GB-month × 1000 = 0.000091022 (rounded once).
  t.deepEqual(a.lines.map((line) => [line.item, line.quantity, line.amount]), [
    ['storage', '0.000000091', '0.000091022'],
    ['egress', '0.000196608', '0.196608'],
    ['repair-egress', '0.001245184', '1.245184'],
  ]);
  t.is(a.total, '1.441883022');

  const stricter = (await statementOf(store, { ...PRICES, minAuditPassBillionths: 960_000_000n })).node('node-a');
  t.is(stricter.status, 'withheld');
  t.deepEqual(stricter.withheld.map((r) => r.code), ['audits']);
  t.is(stricter.lines.at(-1)!.item, 'withheld');
  t.is(stricter.lines.at(-1)!.amount, '-1.441883022');
  t.is(stricter.total, '0');
});

test('a corrupt read earns nothing and counts against the node; a node never observed is withheld; one with nothing earns nothing', async (t) => {
  const { store, clock, meter } = await ledger(t);
  clock.ms = T0 + 5 * MINUTE;
  meter.record('node-b', 'client', { failedBytes: SHARD, failed: 1 });
  for (const id of ['node-a', 'node-c', 'node-e', 'node-f']) meter.record(id, 'client', { verifiedBytes: SHARD, answered: 1 });
  await meter.flush();
  clock.ms = T0 + HOUR;
  const { report, node } = await statementOf(store);

  const b = node('node-b');
  t.deepEqual(b.usage.egress.client, { verifiedBytes: 0, failedBytes: SHARD, answered: 0, failed: 1 });
  t.is(b.lines.find((l) => l.item === 'egress')!.amount, '0', 'corrupt bytes earn nothing');
  t.is(b.usage.uptime, '0');
  t.deepEqual(b.withheld.map((r) => r.code), ['uptime']);
  t.is(b.total, '0');

  const d = node('node-d');
  t.deepEqual(d.withheld.map((r) => r.code), ['unobserved'], 'stored bytes nothing verified');
  t.is(d.usage.uptime, null);

  const g = node('node-g');
  t.is(g.usage.storedByteMs, '0');
  t.is(g.status, 'payable');
  t.is(g.total, '0');
  t.deepEqual(g.withheld, []);

  const paid = report.nodes.filter((s) => s.status === 'payable').map((s) => s.node.id).sort();
  t.deepEqual(paid, ['node-a', 'node-c', 'node-e', 'node-f', 'node-g']);
  t.is(report.withheldTotal, '0.000182044', 'node-b and node-d: one hour of storage each');
});

test('a repair moving a shard from one node to another mid-window splits the byte-time exactly', async (t) => {
  const { store, clock, segmentId } = await ledger(t);
  clock.ms = T0 + 30 * MINUTE;
  await store.addPendingShards('repair', [{ shardId: shardId(segmentId, 2), nodeId: 'node-g' }], new Date(clock.ms));
  t.true((await store.replaceShardPlacements({
    segmentId, expectedVersion: 0, writeId: 'repair', replacements: [{ shardIndex: 2, nodeId: 'node-g', root: rootFor(0, 2) }],
  })).replaced);
  clock.ms = T0 + HOUR;
  const { node } = await statementOf(store);
  t.is(node('node-c').usage.storedByteMs, String(SHARD * 30 * MINUTE));
  t.is(node('node-g').usage.storedByteMs, String(SHARD * 30 * MINUTE));
  t.is(BigInt(node('node-c').usage.storedByteMs) + BigInt(node('node-g').usage.storedByteMs), BigInt(node('node-a').usage.storedByteMs));
});

test('a disqualified node earns nothing after its disqualification time', async (t) => {
  const { store, clock, meter } = await ledger(t);
  clock.ms = T0 + 5 * MINUTE;
  meter.record('node-e', 'client', { verifiedBytes: SHARD, answered: 1 });
  await meter.flush();
  await store.setNodeAdminState('node-e', 'disqualified', new Date(T0 + 15 * MINUTE));
  clock.ms = T0 + HOUR;
  const e = (await statementOf(store)).node('node-e');
  t.is(e.disqualifiedAt, new Date(T0 + 15 * MINUTE).toISOString());
  t.deepEqual(e.paidWindow, { from: new Date(T0).toISOString(), to: new Date(T0 + 15 * MINUTE).toISOString() });
  t.is(e.usage.storedByteMs, String(SHARD * 15 * MINUTE));

  const later = await computePayoutReport(store, [(await store.getNode('node-e'))!], { from: new Date(T0 + 20 * MINUTE), to: new Date(T0 + HOUR) }, PRICES);
  t.is(later.nodes[0]!.paidWindow, null);
  t.is(later.nodes[0]!.usage.storedByteMs, '0');
  t.is(later.nodes[0]!.total, '0');
});
