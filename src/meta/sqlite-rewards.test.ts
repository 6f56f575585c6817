import test from 'ava';
import Database from 'better-sqlite3';
import { MIGRATIONS, migrate } from './sqlite-migrations.ts';
import { REWARDS_MIGRATION } from './sqlite-migration-rewards.ts';
import { REWARDS_SQL } from './sqlite-rewards.ts';

test('sqlite rewards: every ledger statement is an index seek, never a table scan', (t) => {
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  migrate(db);
  for (const [name, sql] of Object.entries(REWARDS_SQL)) {
    const named = [...sql.matchAll(/@(\w+)/g)].map((match) => match[1]!);
    const statement = db.prepare(`EXPLAIN QUERY PLAN ${sql}`);
    const rows = (named.length > 0
      ? statement.all(Object.fromEntries(named.map((param) => [param, 1])))
      : statement.all(...Array.from(sql.matchAll(/\?/g), () => 1))) as { detail: string }[];
    const details = rows.map((row) => row.detail);
    // The one SCAN allowed walks the partial index of unreferenced segments (a sweep's own rows).
    const scans = details.filter((detail) => /SCAN/.test(detail) && !/SCAN segments USING INDEX segments_unreferenced/.test(detail));
    t.deepEqual(scans, [], `${name}: ${details.join(' | ')}`);
  }
});

test('sqlite rewards: the migration opens a holding for every shard stored before the ledger existed', (t) => {
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  migrate(db, MIGRATIONS.slice(0, MIGRATIONS.indexOf(REWARDS_MIGRATION))); // the schema just before the rewards ledger
  // One referenced segment of 300,000 bytes at 4 × 64 KiB per stripe (two stripes), one unreferenced.
  db.prepare(`INSERT INTO segments (id, segment_id, data_length, data_shards, parity_shards, chunk_size, ref_count)
    VALUES (1, 'kept', 300000, 4, 2, 65536, 1), (2, 'gone', 10, 4, 2, 65536, 0)`).run();
  const shard = db.prepare('INSERT INTO shards (segment_ref, shard_index, node_id, root) VALUES (?, ?, ?, x\'00\')');
  for (let index = 0; index < 6; index++) shard.run(1, index, `node-${index}`);
  shard.run(2, 0, 'node-0');
  const before = Date.now();
  migrate(db);
  const rows = db.prepare('SELECT node_id, segment_id, shard_index, bytes, from_ms, to_ms FROM shard_holdings ORDER BY shard_index').all() as
    { node_id: string; segment_id: string; shard_index: number; bytes: number; from_ms: number; to_ms: number | null }[];
  t.deepEqual(rows.map((row) => [row.node_id, row.segment_id, row.shard_index, row.bytes, row.to_ms]),
    Array.from({ length: 6 }, (_, index) => [`node-${index}`, 'kept', index, 2 * 65536, null]));
  t.true(rows.every((row) => row.from_ms >= before - 1000 && row.from_ms <= Date.now() + 1000), 'from the migration\'s time');
});
