/**
 * The backup drill: back up the metadata of a running gateway, destroy it, restore it, and read
 * every object back — on SQLite (online backup) and on PostgreSQL (pg_dump / pg_restore).
 */
import { rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { CopyObjectCommand, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { getObjectBytes, s3ErrorOf, seededBytes, startCluster, type TestCluster } from './cluster.ts';
import { startPostgresTestServer } from '../src/testing/postgres-server.ts';

const MiB = 1024 * 1024;

/** Writes the objects the drill must get back, then backs up with `backupArgs`; returns them. */
async function writeAndBackUp(t: ExecutionContext, cluster: TestCluster, backupArgs: readonly string[]) {
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const objects = new Map([['small', seededBytes(1000, 1)], ['large', seededBytes(2 * MiB + 5, 2)]]);
  for (const [key, body] of objects) await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: key, Body: body }));
  await s3.send(new CopyObjectCommand({ Bucket: 'bkt', Key: 'copy', CopySource: 'bkt/large' }));
  objects.set('copy', objects.get('large')!);
  const backup = await cluster.runCli(['backup', ...backupArgs]);
  t.is(backup.code, 0, backup.stderr);
  t.regex(backup.stdout, /^backed up .* to .* \(\d+\.\d MiB.*\); back up the master key file separately\n$/);
  // Written after the backup: gone once it is restored.
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'late', Body: 'after the backup' }));
  return { s3, objects };
}

async function restartAndCheck(t: ExecutionContext, cluster: TestCluster, restoreArgs: readonly string[], objects: ReadonlyMap<string, Buffer>, destroy: () => Promise<void>) {
  await cluster.kill(cluster.gateway);
  await destroy();
  const restore = await cluster.runCli(['restore', ...restoreArgs]);
  t.is(restore.code, 0, restore.stderr);
  t.regex(restore.stdout, /^restored .* from .*; start the gateways\n$/);
  await cluster.startGateway();
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  const s3 = cluster.s3();
  for (const [key, body] of objects) t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: key })).equals(body), key);
  t.is((await s3ErrorOf(t, getObjectBytes(s3, { Bucket: 'bkt', Key: 'late' }))).name, 'NoSuchKey');
}

test('SQLite: online backup of a running gateway, metadata destroyed, restored, every object reads back', async (t) => {
  const cluster = await startCluster(t, { chunkSize: 16 * 1024, maxSegmentSize: MiB });
  const dataDir = path.join(cluster.root, 'gateway');
  const file = path.join(cluster.root, 'meta-backup.sqlite');
  const { objects } = await writeAndBackUp(t, cluster, [file, '--data-dir', dataDir]);
  t.regex((await cluster.runCli(['backup', file, '--data-dir', dataDir])).stderr, /^shardgate backup: .* exists; choose a new file\n$/);
  t.is(statSync(file).mode & 0o777, 0o600, 'a backup holds every secret of the cluster: owner-only');

  await restartAndCheck(t, cluster, [file, '--data-dir', dataDir], objects, async () => {
    for (const suffix of ['', '-wal', '-shm']) rmSync(path.join(dataDir, `meta.sqlite${suffix}`), { force: true });
  });

  // Bad input: one line each, nothing replaced.
  const notADatabase = path.join(cluster.root, 'not-a-db');
  writeFileSync(notADatabase, 'hello');
  const refused = await cluster.runCli(['restore', notADatabase, '--data-dir', dataDir]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /^shardgate restore: .*not-a-db .*\n$/);
  const missing = await cluster.runCli(['restore']);
  t.is(missing.code, 2);
  t.is(missing.stderr, 'shardgate restore: a file is required (see shardgate restore --help)\n');
  t.true((await getObjectBytes(cluster.s3(), { Bucket: 'bkt', Key: 'small' })).equals(objects.get('small')!), 'the refused restore changed nothing');
});

test('PostgreSQL: pg_dump backup, every table dropped, pg_restore, every object reads back', async (t) => {
  const server = await startPostgresTestServer();
  t.teardown(() => server.stop());
  const url = await server.createDatabase();
  const cluster = await startCluster(t, { chunkSize: 16 * 1024, maxSegmentSize: MiB, gatewayArgs: ['--meta', url] });
  const file = path.join(cluster.root, 'meta-backup.pgdump');
  const { objects } = await writeAndBackUp(t, cluster, [file, '--meta', url]);
  t.is(statSync(file).mode & 0o777, 0o600);
  await restartAndCheck(t, cluster, [file, '--meta', url], objects, async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
    await client.end();
  });
});
