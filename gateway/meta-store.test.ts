import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import test from 'ava';
import { ConfigError } from '../src/config/flags.ts';
import { ensureMasterKeyFile } from '../src/crypto/master-key-file.ts';
import { silentLogger } from '../src/log/logger.ts';
import { SqliteMetaStore } from '../src/meta/sqlite-store.ts';
import type { FileDataSync } from '../src/meta/sqlite-wal-sync.ts';
import { loadGatewayConfig } from './config.ts';
import { serveWithStore } from './main.ts';

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

test('a metadata write whose WAL sync fails answers 500 InternalError, never success; reads still answer', async (t) => {
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
  mkdirSync(config.dataDir);
  const store = SqliteMetaStore.open(config.dbPath, { walDataSync });
  const gateway = await serveWithStore(config, silentLogger, store, new Date(), () => new Date());
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
  failing = true;
  const error = await t.throwsAsync(s3.send(new CreateBucketCommand({ Bucket: 'lost' })));
  t.true(error instanceof S3ServiceException);
  t.is((error as S3ServiceException).name, 'InternalError');
  t.is((error as S3ServiceException).$metadata.httpStatusCode, 500);
  failing = false;
  const refused = await t.throwsAsync(s3.send(new CreateBucketCommand({ Bucket: 'after' })));
  t.is((refused as S3ServiceException).$metadata.httpStatusCode, 500, 'no write is acknowledged after a failed sync');
  const listed = await s3.send(new ListBucketsCommand({}));
  t.true(listed.Buckets!.some((bucket) => bucket.Name === 'kept'));
  t.false(listed.Buckets!.some((bucket) => bucket.Name === 'after'));
});
