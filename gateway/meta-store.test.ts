import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import test from 'ava';
import { ConfigError } from '../src/config/flags.ts';
import { ensureMasterKeyFile } from '../src/crypto/master-key-file.ts';
import { createJsonLogger } from '../src/log/logger.ts';
import type { FileDataSync } from '../src/meta/sqlite-wal-sync.ts';
import { loadGatewayConfig } from './config.ts';
import { serveWithStore } from './main.ts';
import { EXIT_META_SYNC_FAILED, exitOnMetaSyncFailure, openMetaStore } from './meta-store.ts';

test('--meta-durability: group by default, full or normal on request (flag or env), refused with PostgreSQL or a bad value', (t) => {
  const load = (argv: string[], env: NodeJS.ProcessEnv = {}) => loadGatewayConfig(['--data-dir', path.join(tmpdir(), 'unused'), ...argv], env).config;
  t.is(load([]).metaDurability, 'group');
  t.is(load(['--meta-durability', 'full']).metaDurability, 'full');
  t.is(load([], { SHARDGATE_META_DURABILITY: 'normal' }).metaDurability, 'normal');
  t.is(t.throws(() => load(['--meta-durability', 'fsync']), { instanceOf: ConfigError })?.message,
    '--meta-durability must be one of group, full, normal, got "fsync"');
  t.regex(t.throws(() => load(['--meta-durability', 'normal', '--meta', 'postgres://u:p@db:5432/meta']), { instanceOf: ConfigError })!.message,
    /applies to the SQLite store; PostgreSQL commits are always durable/);
});

test('a failed WAL sync: the write answers 500 InternalError (outcome unknown: it is committed), one fatal line, and the gateway exits 74', async (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'shardgate-meta-sync-'));
  const masterKeyFile = path.join(root, 'master.key');
  ensureMasterKeyFile(masterKeyFile);
  const { config } = loadGatewayConfig(
    ['--port', '0', '--data-dir', path.join(root, 'gateway'), '--log-requests', 'false', '--master-key-file', masterKeyFile, '--billing', 'false'], {},
  );
  let failing = false;
  const walDataSync: FileDataSync = async (file) => {
    if (failing) throw Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    await file.datasync();
  };
  const lines: string[] = [];
  const logger = createJsonLogger('gateway', (line) => lines.push(line));
  const exits: number[] = [];
  // What startGateway passes, with an exit that records the code instead of ending the test's process.
  const store = await openMetaStore(config, { walDataSync, onSyncFailure: exitOnMetaSyncFailure(logger, (code) => exits.push(code)) });
  const gateway = await serveWithStore(config, logger, store, new Date(), () => new Date());
  const s3 = new S3Client({
    endpoint: gateway.url, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1,
    credentials: { accessKeyId: gateway.credentials.accessKeyId, secretAccessKey: gateway.credentials.secretKey },
  });
  t.teardown(async () => {
    s3.destroy();
    await gateway.close().catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  });

  await s3.send(new CreateBucketCommand({ Bucket: 'kept' }));
  t.deepEqual(exits, []);
  failing = true;
  const error = await t.throwsAsync(s3.send(new CreateBucketCommand({ Bucket: 'lost' })));
  t.true(error instanceof S3ServiceException);
  t.is((error as S3ServiceException).name, 'InternalError');
  t.is((error as S3ServiceException).$metadata.httpStatusCode, 500);
  t.deepEqual(exits, [EXIT_META_SYNC_FAILED], 'the gateway exits so that its supervisor restarts it');
  t.is(EXIT_META_SYNC_FAILED, 74);
  const fatal = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.event === 'metadata_sync_failed');
  t.is(fatal.length, 1);
  t.is(fatal[0]!.level, 'error');
  t.regex(String(fatal[0]!.error), /could not sync the metadata write-ahead log .*-wal \(EIO: i\/o error, fdatasync\)/);
  t.is(fatal[0]!.exitCode, 74);

  // Had the exit not been recorded only, the process would be gone now; the store it leaves behind:
  failing = false;
  const refused = await t.throwsAsync(s3.send(new CreateBucketCommand({ Bucket: 'after' })));
  t.is((refused as S3ServiceException).$metadata.httpStatusCode, 500, 'no write is acknowledged after a failed sync');
  t.deepEqual(exits, [EXIT_META_SYNC_FAILED], 'one exit, one fatal line, however many writes fail after it');
  const listed = (await s3.send(new ListBucketsCommand({}))).Buckets!.map((bucket) => bucket.Name);
  t.true(listed.includes('kept'));
  t.true(listed.includes('lost'), 'the write that answered 500 is committed (not known durable): a 500 here means outcome unknown');
  t.false(listed.includes('after'), 'refused before committing');
});
