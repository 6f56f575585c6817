import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import Database from 'better-sqlite3';
import { SqliteMetaStore } from './sqlite-store.ts';
import type { FileDataSync } from './sqlite-wal-sync.ts';

const directory = mkdtempSync(join(tmpdir(), 'shardgate-walsync-'));
test.after.always(() => rmSync(directory, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(directory, `${++files}.sqlite`);

/** A real fdatasync that the test holds until it calls `release(n)` for the n-th sync (1-based). */
function gatedDataSync() {
  const calls: { release: () => void }[] = [];
  const waiters: (() => void)[] = [];
  const dataSync: FileDataSync = async (file) => {
    await new Promise<void>((resolve) => {
      calls.push({ release: resolve });
      for (const wake of waiters.splice(0)) wake();
    });
    await file.datasync();
  };
  return {
    dataSync,
    get calls() { return calls.length; },
    /** Resolves once the n-th sync has been called. */
    async called(n: number): Promise<void> {
      while (calls.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    },
    release(n: number): void { calls[n - 1]!.release(); },
  };
}

/** Tracks whether a promise has settled, without awaiting it. */
function watch<T>(promise: Promise<T>) {
  const state = { settled: false, promise };
  promise.then(() => { state.settled = true; }, () => { state.settled = true; });
  return state;
}

/** Lets every pending promise reaction and I/O callback run (no timing involved: used only to show something did NOT happen). */
const settle = async () => {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
};

test('a write resolves only after a WAL sync that started after its commit; writes during a sync wait for the next one', async (t) => {
  const gate = gatedDataSync();
  const store = SqliteMetaStore.open(freshPath(), { walDataSync: gate.dataSync });
  t.teardown(async () => {
    for (let n = 1; n <= gate.calls; n++) gate.release(n);
    await store.close();
  });

  const first = watch(store.createAccount('first'));
  await gate.called(1);
  await settle();
  t.false(first.settled, 'the commit is not acknowledged while its sync runs');
  t.deepEqual((await store.getAccountByName('first'))?.name, 'first', 'reads do not wait for the sync');
  gate.release(1);
  await first.promise;

  const second = watch(store.createAccount('second'));
  await gate.called(2);
  // These commit while sync 2 runs: sync 2 may have started before their frames were written.
  const third = watch(store.createAccount('third'));
  const fourth = watch(store.setSetting('fourth', 'x'));
  gate.release(2);
  await second.promise;
  await gate.called(3);
  await settle();
  t.false(third.settled, 'a commit made during sync 2 waits for sync 3');
  t.false(fourth.settled);
  t.is(gate.calls, 3, 'both share sync 3');
  gate.release(3);
  await Promise.all([third.promise, fourth.promise]);
  t.is(gate.calls, 3);
});

test('50 concurrent commits share two syncs; a staggered stream shares far fewer than one per commit', async (t) => {
  let syncs = 0;
  const path = freshPath();
  const counting: FileDataSync = async (file) => {
    syncs += 1;
    await file.datasync();
  };
  const store = SqliteMetaStore.open(path, { walDataSync: counting });
  await Promise.all(Array.from({ length: 50 }, (_, index) => store.createAccount(`burst-${index}`)));
  t.is(syncs, 2, 'the first commit starts a sync; the 49 made while it runs share the next');

  const before = syncs;
  await Promise.all(Array.from({ length: 50 }, async (_, index) => {
    for (let tick = 0; tick < index % 7; tick++) await new Promise((resolve) => setImmediate(resolve));
    await store.setSetting(`stream-${index}`, String(index));
  }));
  t.true(syncs - before < 50, `${syncs - before} syncs for 50 commits`);
  await store.close();

  const reopened = SqliteMetaStore.open(path);
  t.teardown(() => reopened.close());
  t.is((await reopened.listAccounts({ limit: 100 })).filter((account) => account.name.startsWith('burst-')).length, 50);
  t.is(await reopened.getSetting('stream-49'), '49');
});

test('a failed WAL sync fails the write with META_SYNC_FAILED, and the store commits nothing after it; reads go on', async (t) => {
  let failing = false;
  const dataSync: FileDataSync = async (file) => {
    if (failing) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    await file.datasync();
  };
  const store = SqliteMetaStore.open(freshPath(), { walDataSync: dataSync });
  t.teardown(() => store.close());
  const kept = await store.createAccount('kept');
  failing = true;
  const error = await t.throwsAsync(store.createAccount('lost'));
  t.is((error as { code?: string }).code, 'META_SYNC_FAILED');
  t.regex(error!.message, /could not sync the metadata write-ahead log .*-wal \(EIO: i\/o error, fdatasync\)/);
  failing = false;
  const refused = await t.throwsAsync(store.createAccount('after'));
  t.is((refused as { code?: string }).code, 'META_SYNC_FAILED', 'a later sync that succeeds proves nothing about the lost pages');
  t.is(await store.getAccountByName('after'), null, 'refused before committing');
  t.deepEqual(await store.getAccount(kept.id), kept);
});

test('the synced WAL handle stays the WAL file through checkpoints, resets, truncation and another connection closing', async (t) => {
  const path = freshPath();
  const synced: number[] = [];
  const dataSync: FileDataSync = async (file: FileHandle) => {
    synced.push((await file.stat()).ino);
    await file.datasync();
  };
  const store = SqliteMetaStore.open(path, { walDataSync: dataSync });
  const walInode = () => statSync(`${path}-wal`).ino;
  const writeSome = async (prefix: string, count: number) => {
    for (let index = 0; index < count; index++) await store.setSetting(`${prefix}-${index}`, 'v'.repeat(3000));
    t.is(synced.at(-1), walInode(), `after ${prefix}: the sync went to the live WAL file`);
  };
  await writeSome('grow', 1200); // > 1000 pages: automatic checkpoints, then the WAL is reused from its start
  const other = new Database(path);
  other.pragma('wal_checkpoint(TRUNCATE)');
  t.is(statSync(`${path}-wal`).size, 0);
  await writeSome('after-truncate', 10);
  other.pragma('journal_size_limit = 0');
  other.pragma('wal_checkpoint(RESTART)');
  await writeSome('after-limit', 10);
  other.close();
  t.true(existsSync(`${path}-wal`), 'another connection closing leaves the WAL of an open one');
  await writeSome('after-other-close', 10);
  await store.close();
  t.false(existsSync(`${path}-wal`), 'the last connection closing checkpoints and deletes the WAL');

  const reopened = SqliteMetaStore.open(path);
  t.teardown(() => reopened.close());
  t.is(await reopened.getSetting('after-other-close-9'), 'v'.repeat(3000));
});

test('durability "normal" and "full" never call the group sync; ":memory:" has nothing to sync', async (t) => {
  let calls = 0;
  const counting: FileDataSync = async () => {
    calls += 1;
  };
  for (const durability of ['normal', 'full'] as const) {
    const store = SqliteMetaStore.open(freshPath(), { durability, walDataSync: counting });
    await store.createAccount(durability);
    t.is((await store.getAccountByName(durability))?.name, durability);
    await store.close();
  }
  const memory = SqliteMetaStore.open(':memory:', { walDataSync: counting });
  await memory.createAccount('memory');
  await memory.close();
  t.is(calls, 0);
});
