import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { MIGRATIONS, migrate } from './sqlite-migrations.ts';
import { SQL } from './sqlite-statements.ts';
import { SqliteMetaStore, type SqliteMetaStoreOptions } from './sqlite-store.ts';
import type { FileDataSync } from './sqlite-wal-sync.ts';
import type { MetaStore } from './store.ts';
import { runMetaStoreContract } from './store-contract.ts';
import { addPendingFor, createAccountAndBucket, makeSegments, newVersion } from './store-contract-fixtures.ts';

const directory = mkdtempSync(join(tmpdir(), 'shardgate-meta-'));
test.after.always(() => rmSync(directory, { recursive: true, force: true }));

const freshPath = () => join(directory, `${randomUUID()}.sqlite`);

runMetaStoreContract(test, async (options) => syncCheckedStore(freshPath(), options));

/**
 * The contract suite runs on stores wrapped in a check that no method changes the database
 * without waiting for a WAL sync: a second connection watches `data_version` (it moves when
 * another connection commits), and a call that committed must have seen a sync that started after
 * the call began finish before it returned. A method that bypassed `#write` would fail here.
 * The injected sync takes one turn of the event loop instead of an fdatasync: the suite makes
 * many commits, and with real syncs on this shared disk the file took about twice as long.
 * The real fdatasync, its grouping and its failure are sqlite-wal-sync.test.ts's.
 */
function syncCheckedStore(path: string, options?: SqliteMetaStoreOptions): MetaStore {
  let started = 0;
  let finished = 0;
  const walDataSync: FileDataSync = async () => {
    const index = ++started;
    await new Promise((resolve) => setImmediate(resolve));
    finished = Math.max(finished, index);
  };
  const store = SqliteMetaStore.open(path, { ...options, walDataSync });
  const watcher = new Database(path, { readonly: true });
  const dataVersion = () => watcher.pragma('data_version', { simple: true }) as number;
  return new Proxy(store, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function') return value;
      if (property === 'close') return async () => { await target.close(); watcher.close(); };
      return async (...args: unknown[]) => {
        const versionBefore = dataVersion();
        const startedBefore = started;
        const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        // Heartbeats alone do not wait (sqlite-store.ts #write): nobody is told about one.
        if (property !== 'recordHeartbeat' && dataVersion() !== versionBefore && finished <= startedBefore) {
          throw new Error(`${String(property)} committed and returned without waiting for a WAL sync`);
        }
        return result;
      };
    },
  });
}

test('sqlite: reopening the same file keeps the data; migrations are idempotent', async (t) => {
  const path = freshPath();
  const first = SqliteMetaStore.open(path);
  const { bucket } = await createAccountAndBucket(first, 'kept');
  const version = newVersion('kept', 'k', { segments: makeSegments(500, 200) });
  await addPendingFor(first, version);
  await first.commitObject(version);
  await first.setSetting('root-secret', 's3cr3t');
  await first.addPendingShards('in-flight', [{ shardId: 'f'.repeat(32) + '.0', nodeId: 'n1' }], new Date(1_700_000_000_000));
  await first.close();
  await first.close(); // closing twice is harmless

  const second = SqliteMetaStore.open(path);
  t.teardown(() => second.close());
  t.deepEqual(await second.getBucket('kept'), bucket);
  t.is((await second.getObject('kept', 'k'))?.versionId, version.object.versionId);
  t.is((await second.getSegments(version.object.versionId)).length, 3);
  t.is(await second.getSetting('root-secret'), 's3cr3t');
  t.is(await second.renewPendingWrites(new Date(1_800_000_000_000)), 0, 'a restarted gateway does not renew the writes of the process before it');
  t.is(await second.abandonPendingShardsBefore(new Date(1_700_000_000_001)), 1, 'pending writes survive a restart');

  const raw = new Database(path);
  t.teardown(() => raw.close());
  t.is(raw.pragma('user_version', { simple: true }), MIGRATIONS.length);
  t.is(migrate(raw), MIGRATIONS.length);
  t.is(migrate(raw), MIGRATIONS.length);
  t.is(raw.pragma('journal_mode', { simple: true }), 'wal');
});

test('sqlite: a file from a newer gateway is refused with SCHEMA_TOO_NEW', (t) => {
  const path = freshPath();
  const raw = new Database(path);
  raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
  raw.close();
  const error = t.throws(() => SqliteMetaStore.open(path));
  t.is((error as { code?: string }).code, 'SCHEMA_TOO_NEW');
});

test('sqlite: a failed migration rolls back with its version', (t) => {
  const raw = new Database(':memory:');
  t.teardown(() => raw.close());
  const error = t.throws(() => migrate(raw, ['CREATE TABLE one (x); CREATE TABLE two (y); NOT SQL']), { any: true });
  t.is((error as { code?: string }).code, 'SQLITE_ERROR');
  t.is(raw.pragma('user_version', { simple: true }), 0);
  t.deepEqual(raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all(), []);
});

test('sqlite: listing and segment lookups are index seeks, never scans or sorts', (t) => {
  const db = new Database(':memory:');
  t.teardown(() => db.close());
  migrate(db);
  const plan = (sql: string) => (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(
    ...Array.from(sql.matchAll(/\?/g), () => 1),
  ) as { detail: string }[]).map((row) => row.detail);
  for (const name of ['seekFrom', 'seekAfter', 'seekFromBelow', 'seekAfterBelow', 'objectByKey'] as const) {
    const details = plan(SQL[name]);
    t.true(details.some((detail) => /^SEARCH objects USING INDEX sqlite_autoindex_objects_\d \(bucket_id=\? AND key[>=<]/.test(detail)), `${name}: ${details.join(' | ')}`);
    t.false(details.some((detail) => /SCAN|TEMP B-TREE/.test(detail)), `${name}: ${details.join(' | ')}`);
  }
  const spanPlan = (db.prepare(`EXPLAIN QUERY PLAN ${SQL.segmentsInSpan}`).all({ objectId: 1, offset: 0, end: 1 }) as { detail: string }[])
    .map((row) => row.detail);
  const seeks = spanPlan.filter((detail) => /^SEARCH (os|object_segments) USING (COVERING )?INDEX object_segments_by_offset \(object_id=\? AND object_offset[<>]/.test(detail));
  t.is(seeks.length, 2, spanPlan.join(' | '));
  t.false(spanPlan.some((detail) => /SCAN|TEMP B-TREE/.test(detail)), spanPlan.join(' | '));
  for (const name of ['shardsOfSegment', 'segmentsOfObject', 'garbageBefore', 'idleWrites', 'pendingShardsOfWrite'] as const) {
    const details = plan(SQL[name]);
    t.false(details.some((detail) => /SCAN|TEMP B-TREE/.test(detail)), `${name}: ${details.join(' | ')}`);
  }
});
