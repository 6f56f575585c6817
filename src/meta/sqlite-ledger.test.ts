import test from 'ava';
import Database from 'better-sqlite3';
import { migrate } from './sqlite-migrations.ts';
import { SQL } from './sqlite-statements.ts';

/** The ledger's reads are range seeks on (account_id, at): an invoice never scans other accounts or sorts. */
test('sqlite: ledger scans are index range seeks in time order, never scans or sorts', (t) => {
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  migrate(db);
  const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array.from(sql.matchAll(/\?/g), () => 1)) as { detail: string }[])
    .map((row) => row.detail);
  const cases = [
    ['storageEventsBefore', /^SEARCH storage_ledger USING INDEX storage_ledger_by_account_time \(account_id=\? AND at<\?\)$/],
    ['requestUsageInWindow', /^SEARCH request_usage USING INDEX request_usage_by_account_time \(account_id=\? AND at>\? AND at<\?\)$/],
  ] as const;
  for (const [name, expected] of cases) {
    const details = plan(SQL[name]);
    t.true(details.some((detail) => expected.test(detail)), `${name}: ${details.join(' | ')}`);
    t.false(details.some((detail) => /SCAN|TEMP B-TREE/.test(detail)), `${name}: ${details.join(' | ')}`);
  }
});
