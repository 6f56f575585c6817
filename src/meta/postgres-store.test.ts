import test from 'ava';
import pg from 'pg';
import { createPool } from './postgres-db.ts';
import { migratePostgres, POSTGRES_MIGRATIONS } from './postgres-migrations.ts';
import { OBJECT_SQL } from './postgres-objects.ts';
import { addPendingFor, createAccountAndBucket, garbageOf, hexId, makeSegments, newVersion, placementsOf, PROFILE } from './store-contract-fixtures.ts';
import { newUpload, writtenPart } from './store-contract-multipart.ts';
import { startPostgresTestServer, type PostgresTestServer } from '../testing/postgres-server.ts';
import { PostgresMetaStore } from './postgres-store.ts';
import { runMetaStoreContract } from './store-contract.ts';

let server: PostgresTestServer | undefined;
test.before(async () => {
  server = await startPostgresTestServer();
});
test.after.always(async () => {
  await server?.stop();
});

runMetaStoreContract(test, async (options) => PostgresMetaStore.open(await server!.createDatabase(), { ...options, maxConnections: 3 }));

const openFresh = async () => PostgresMetaStore.open(await server!.createDatabase(), { maxConnections: 8 });

test('postgres: two gateways opening one new database at once both migrate it once; reopening keeps the data', async (t) => {
  const url = await server!.createDatabase();
  const [first, second] = await Promise.all([PostgresMetaStore.open(url), PostgresMetaStore.open(url)]);
  t.teardown(() => second.close());
  const { bucket } = await createAccountAndBucket(first, 'kept');
  const version = newVersion('kept', 'k', { segments: makeSegments(500, 200) });
  await addPendingFor(first, version);
  await first.commitObject(version);
  await first.setSetting('root-secret', 's3cr3t');
  await first.close();
  await first.close(); // closing twice is harmless
  t.deepEqual(await second.getBucket('kept'), bucket);
  t.is((await second.getSegments(version.object.versionId)).length, 3);
  t.is(await second.getSetting('root-secret'), 's3cr3t', 'settings (cluster secrets) are shared through the database');
  const third = await PostgresMetaStore.open(url);
  t.teardown(() => third.close());
  t.is((await third.getObject('kept', 'k'))?.versionId, version.object.versionId);

  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  t.teardown(() => raw.end());
  t.deepEqual((await raw.query('SELECT version FROM shardgate_schema')).rows, [{ version: POSTGRES_MIGRATIONS.length }]);
});

test('postgres: a database from a newer gateway is refused with SCHEMA_TOO_NEW; a failed migration rolls back with its version', async (t) => {
  const url = await server!.createDatabase();
  const pool = createPool(url);
  t.teardown(() => pool.end());
  const error = await t.throwsAsync(migratePostgres(pool, ['CREATE TABLE one (x int); CREATE TABLE two (y int); NOT SQL']));
  t.is((error as { code?: string }).code, '42601');
  t.deepEqual((await pool.query('SELECT version FROM shardgate_schema')).rows, [{ version: 0 }]);
  t.deepEqual((await pool.query(`SELECT tablename FROM pg_tables WHERE tablename IN ('one', 'two')`)).rows, []);
  await pool.query(`UPDATE shardgate_schema SET version = ${POSTGRES_MIGRATIONS.length + 1}`);
  const tooNew = await t.throwsAsync(PostgresMetaStore.open(url));
  t.is((tooNew as { code?: string }).code, 'SCHEMA_TOO_NEW');
});

test('postgres: an unreachable database fails open with one line naming it, password hidden', async (t) => {
  const port = server!.port;
  const error = await t.throwsAsync(PostgresMetaStore.open(`postgres://postgres:hunter2@127.0.0.1:${port}/no_such_database`, { connectTimeoutMs: 2000 }));
  t.is((error as { code?: string }).code, 'META_STORE_CONNECT_FAILED');
  t.false(error!.message.includes('\n'));
  t.false(error!.message.includes('hunter2'));
  t.regex(error!.message, /no_such_database/);
});

test('postgres: listing and segment lookups are index seeks in byte order (no sort, no scan)', async (t) => {
  const url = await server!.createDatabase();
  const store = await PostgresMetaStore.open(url);
  await store.close();
  const raw = new pg.Client({ connectionString: url });
  await raw.connect();
  t.teardown(() => raw.end());
  await raw.query('SET enable_seqscan = off');
  const plan = async (sql: string, values: unknown[]) => {
    await raw.query(`PREPARE p AS ${sql}`);
    try {
      const rows = (await raw.query(`EXPLAIN EXECUTE p(${values.map((value) => (typeof value === 'string' ? `'${value}'` : String(value))).join(', ')})`)).rows as { 'QUERY PLAN': string }[];
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    } finally {
      await raw.query('DEALLOCATE p');
    }
  };
  for (const name of ['seekFrom', 'seekAfter'] as const) {
    const text = await plan(OBJECT_SQL[name], [1, 'a', 10]);
    t.regex(text, /Index Scan using objects_bucket_id_key_key/, `${name}: ${text}`);
    t.notRegex(text, /Sort|Seq Scan/, `${name}: ${text}`);
  }
  for (const name of ['seekFromBelow', 'seekAfterBelow'] as const) {
    const text = await plan(OBJECT_SQL[name], [1, 'a', 10, 'b']);
    t.regex(text, /Index Scan using objects_bucket_id_key_key/, `${name}: ${text}`);
    t.notRegex(text, /Sort|Seq Scan/, `${name}: ${text}`);
  }
  const span = await plan(OBJECT_SQL.segmentsInSpan, [1, 0, 100]);
  t.regex(span, /object_segments_by_offset/, span);
  t.notRegex(span, /Seq Scan/, span);
});

test('postgres: 16 racing conditional PUTs (If-None-Match: *, If-Match) on one key — exactly one wins; racing CreateBucket — one wins', async (t) => {
  const store = await openFresh();
  t.teardown(() => store.close());
  await createAccountAndBucket(store, 'race');
  for (let round = 0; round < 3; round += 1) {
    const key = `key-${round}`;
    const versions = Array.from({ length: 16 }, () => newVersion('race', key, { segments: makeSegments(300, 200) }));
    for (const version of versions) await addPendingFor(store, version);
    const results = await Promise.allSettled(versions.map((version) => store.commitObject({ ...version, precondition: { kind: 'absent' } })));
    const won = results.filter((result) => result.status === 'fulfilled');
    t.is(won.length, 1, `round ${round}`);
    for (const result of results) {
      if (result.status === 'rejected') t.is((result.reason as { code?: string }).code, 'COMMIT_PRECONDITION_FAILED');
    }
    const winner = versions[results.findIndex((result) => result.status === 'fulfilled')]!;
    t.is((await store.getObject('race', key))?.versionId, winner.object.versionId);
  }
  // If-Match on the current ETag: each racer brings its own ETag, so only the first can match.
  const base = newVersion('race', 'matched', { etag: '"base"' });
  await store.commitObject(base);
  const racers = Array.from({ length: 16 }, (_, index) => newVersion('race', 'matched', { etag: `"racer-${index}"` }));
  const matched = await Promise.allSettled(racers.map((version) => store.commitObject({ ...version, precondition: { kind: 'etag', etag: '"base"' } })));
  t.is(matched.filter((result) => result.status === 'fulfilled').length, 1);
  for (const result of matched) {
    if (result.status === 'rejected') t.like(result.reason, { code: 'COMMIT_PRECONDITION_FAILED', reason: 'etag' });
  }
  const owner = await store.createAccount('racer');
  const created = await Promise.allSettled(Array.from({ length: 8 }, () => store.createBucket({
    name: 'contested', accountId: owner.id, createdAt: new Date(1_700_000_000_000), profile: PROFILE,
  })));
  t.is(created.filter((result) => result.status === 'fulfilled').length, 1);
  for (const result of created) {
    if (result.status === 'rejected') t.is((result.reason as { code?: string }).code, 'BUCKET_ALREADY_EXISTS');
  }
});

test('postgres: sizes, times and counters past 2^32 round-trip exactly', async (t) => {
  const store = await openFresh();
  t.teardown(() => store.close());
  const { account } = await createAccountAndBucket(store, 'big');
  const size = 2 ** 42 + 7;
  const version = newVersion('big', 'huge', { size, createdAt: new Date(8_000_000_000_000) });
  await store.commitObject(version);
  t.is((await store.getObject('big', 'huge'))?.size, size);
  t.is((await store.getObject('big', 'huge'))?.createdAt.getTime(), 8_000_000_000_000);
  const at = new Date(1_700_000_000_000);
  const row = { accountId: account.id, bucket: 'big', requestClass: 'read' as const, status: 200, at, requests: 3, bytesIn: 0, bytesOut: 2 ** 40 };
  await store.appendRequestUsage([row, { ...row, bytesOut: 2 ** 40 + 1 }]);
  const [total] = await store.sumRequestUsage(account.id, { from: at, to: new Date(at.getTime() + 1) });
  t.like(total, { requests: 6, bytesOut: 2 ** 41 + 1 });
  const events: number[] = [];
  await store.scanStorageEvents(account.id, new Date(9_000_000_000_000), (event) => events.push(event.newSize ?? -1));
  t.deepEqual(events, [size]);
});

test('postgres: a key with U+0000 is refused by the database and nothing is committed', async (t) => {
  const store = await openFresh();
  t.teardown(() => store.close());
  await createAccountAndBucket(store, 'nul');
  const error = await t.throwsAsync(store.commitObject(newVersion('nul', 'a\u0000b')));
  t.is((error as { code?: string }).code, '22021');
  t.deepEqual((await store.listObjects('nul', { maxKeys: 10 })).objects, []);
});

test('postgres: connections killed under the store fail the calls using them with META_STORE_UNAVAILABLE, then the store recovers', async (t) => {
  const url = await server!.createDatabase();
  const store = await PostgresMetaStore.open(url, { maxConnections: 4 });
  t.teardown(() => store.close());
  await createAccountAndBucket(store, 'survives');
  await store.commitObject(newVersion('survives', 'before'));
  const admin = new pg.Client({ connectionString: server!.url });
  await admin.connect();
  t.teardown(() => admin.end());
  const database = new URL(url).pathname.slice(1);
  // Calls in flight while every connection of the store's database is terminated.
  const inFlight = Array.from({ length: 8 }, (_, index) => store.commitObject(newVersion('survives', `during-${index}`)));
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  const settled = await Promise.allSettled(inFlight);
  const committed = settled.flatMap((result, index) => (result.status === 'fulfilled' ? [`during-${index}`] : []));
  for (const result of settled) {
    if (result.status === 'rejected') t.is((result.reason as { code?: string }).code, 'META_STORE_UNAVAILABLE', String(result.reason));
  }
  // Afterwards: new connections; the first call on a dead idle one may still fail, then all succeed.
  let recovered = false;
  for (let attempt = 0; attempt < 10 && !recovered; attempt += 1) {
    recovered = await store.getObject('survives', 'before').then((object) => object !== null, (error: { code?: string }) => {
      t.is(error.code, 'META_STORE_UNAVAILABLE');
      return false;
    });
  }
  t.true(recovered);
  await store.commitObject(newVersion('survives', 'after'));
  const keys = (await store.listObjects('survives', { maxKeys: 100 })).objects.map((object) => object.key);
  for (const key of ['after', 'before', ...committed]) t.true(keys.includes(key), `${key} reported committed`);
  // A commit whose reply was lost may have committed anyway (the ambiguity of any database client).
  t.true(keys.every((key) => ['after', 'before'].includes(key) || key.startsWith('during-')));
});

test('postgres: Complete racing Complete and Abort of one upload — one ends it, the others get NoSuchUpload, no segment is lost or queued twice', async (t) => {
  const store = await openFresh();
  t.teardown(() => store.close());
  await createAccountAndBucket(store, 'mpu');
  const upload = newUpload('mpu', 'movie.mp4');
  await store.createMultipartUpload(upload);
  const parts = [await writtenPart(store, upload.uploadId, 1, 3000), await writtenPart(store, upload.uploadId, 2, 1500)];
  for (const part of parts) await store.commitPart(part);
  const object = { ...newVersion('mpu', 'movie.mp4', { size: 4500 }).object };
  const chosen = parts.map((part) => ({ partNumber: part.part.partNumber, etag: part.part.etag }));
  const results = await Promise.allSettled([
    ...Array.from({ length: 4 }, () => store.completeMultipartUpload({ uploadId: upload.uploadId, object: { ...object, versionId: hexId() }, parts: chosen })),
    store.abortMultipartUpload('mpu', 'movie.mp4', upload.uploadId),
  ]);
  const completed = results.slice(0, 4).filter((result) => result.status === 'fulfilled').length;
  const aborted = results[4]!.status === 'fulfilled' && (results[4] as PromiseFulfilledResult<boolean>).value;
  t.is(completed + (aborted ? 1 : 0), 1, 'exactly one call ended the upload');
  for (const result of results.slice(0, 4)) {
    if (result.status === 'rejected') t.is((result.reason as { code?: string }).code, 'NO_SUCH_UPLOAD');
  }
  const garbage = await garbageOf(store);
  const allPlacements = placementsOf(parts.flatMap((part) => part.segments));
  if (completed === 1) {
    t.is((await store.getObject('mpu', 'movie.mp4'))?.size, 4500);
    t.is((await store.getSegments((await store.getObject('mpu', 'movie.mp4'))!.versionId)).length, 5);
    t.deepEqual(garbage, []);
  } else {
    t.is(await store.getObject('mpu', 'movie.mp4'), null);
    t.deepEqual(garbage, allPlacements, 'every shard queued once');
  }
});

test('postgres: DeleteBucket racing PUTs — either the bucket goes and no PUT committed, or it stays with every committed object', async (t) => {
  const store = await openFresh();
  t.teardown(() => store.close());
  for (let round = 0; round < 4; round += 1) {
    const name = `doomed-${round}`;
    await createAccountAndBucket(store, name, `owner-${round}`);
    const puts = Array.from({ length: 8 }, (_, index) => store.commitObject(newVersion(name, `k${index}`)));
    const [deleted, ...committed] = await Promise.allSettled([store.deleteBucket(name), ...puts]);
    const won = committed.filter((result) => result.status === 'fulfilled').length;
    for (const result of committed) {
      if (result.status === 'rejected') t.is((result.reason as { code?: string }).code, 'NO_SUCH_BUCKET');
    }
    if (deleted!.status === 'fulfilled') {
      t.is(won, 0, `round ${round}: a deleted bucket has no committed object`);
      t.is(await store.getBucket(name), null);
    } else {
      t.is((deleted!.reason as { code?: string }).code, 'BUCKET_NOT_EMPTY');
      t.true(won > 0);
      t.is((await store.listObjects(name, { maxKeys: 100 })).objects.length, won);
    }
  }
});
