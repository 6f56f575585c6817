/**
 * What a payout statement costs the metadata store: `npx tsx bench/rewards-ledger.ts [--holdings N] [--nodes M]`.
 *
 * Seeds a SQLite store's rewards ledger directly (N holdings spread over M nodes, half of them
 * closed, and one hour slot of service rows per node per day for 30 days), then times
 * `storedByteMs` for one node and a whole `computePayoutReport` over every node, a month's window.
 * Prints the timings; nothing is written to bench/results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { computePayoutReport } from '../gateway/rewards/payout-report.ts';
import { parseInteger } from '../src/config/flags.ts';
import { SqliteMetaStore } from '../src/meta/sqlite-store.ts';
import { DEFAULT_PAYOUT_PRICES } from '../src/rewards/payout-prices.ts';

const argv = process.argv.slice(2);
const option = (flag: string, fallback: number) => {
  const index = argv.indexOf(flag);
  return index < 0 ? fallback : parseInteger(flag, argv[index + 1] ?? '', 1, 100_000_000);
};
const holdings = option('--holdings', 1_000_000);
const nodeCount = option('--nodes', 100);
const T0 = Date.UTC(2026, 10, 1);
const MONTH = 30 * 24 * 3_600_000;

const dir = mkdtempSync(path.join(tmpdir(), 'shardgate-bench-rewards-'));
try {
  const file = path.join(dir, 'meta.sqlite');
  SqliteMetaStore.open(file).close();
  const db = new Database(file);
  const insert = db.prepare('INSERT INTO shard_holdings (node_id, segment_id, shard_index, bytes, from_ms, to_ms, end_reason) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const service = db.prepare('INSERT INTO node_service VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const nodeRow = db.prepare(`INSERT INTO nodes (id, url, zone, capacity_bytes, free_bytes, registered_at, last_heartbeat_at, operator_id, public_key, secret, secret_epoch, last_signed_at)
    VALUES (?, ?, 'z', 0, 0, 0, 0, NULL, NULL, NULL, 0, 0)`);
  const seedStart = performance.now();
  db.transaction(() => {
    for (let n = 0; n < nodeCount; n++) {
      nodeRow.run(`node-${n}`, `http://node-${n}`);
      for (let day = 0; day < 30; day++) service.run(`node-${n}`, T0 + day * 86_400_000, 'client', 1e9, 0, 1000, 1, 0, 0);
    }
    for (let i = 0; i < holdings; i++) {
      const from = T0 + (i * 7919) % MONTH;
      const closed = i % 2 === 0;
      insert.run(`node-${i % nodeCount}`, i.toString(16).padStart(32, '0'), i % 6, 64 * 1024 * 1024 / 4, from, closed ? from + 3_600_000 : null, closed ? 'gc' : null);
    }
  })();
  db.close();
  console.log(`seeded ${holdings} holdings over ${nodeCount} nodes in ${((performance.now() - seedStart) / 1000).toFixed(1)} s`);

  const store = SqliteMetaStore.open(file);
  const window = { from: new Date(T0), to: new Date(T0 + MONTH) };
  const times: number[] = [];
  let byteMs = 0n;
  for (let n = 0; n < Math.min(nodeCount, 10); n++) {
    const started = performance.now();
    byteMs = await store.storedByteMs(`node-${n}`, window);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(`storedByteMs of one node (${holdings / nodeCount} holdings), ${times.length} nodes: median ${times[times.length >> 1]!.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms (last = ${byteMs} B·ms)`);
  const started = performance.now();
  const report = await computePayoutReport(store, await store.listNodes(), window, DEFAULT_PAYOUT_PRICES);
  console.log(`payout report of ${report.nodes.length} nodes: ${(performance.now() - started).toFixed(0)} ms, total ${report.total} ${report.currency}`);
  console.log(`heap used after: ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`);
  await store.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
