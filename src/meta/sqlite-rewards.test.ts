import test from 'ava';
import Database from 'better-sqlite3';
import { migrate } from './sqlite-migrations.ts';
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
