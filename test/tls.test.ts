/**
 * TLS where strangers are involved: the S3 listener with --tls-cert/--tls-key, and shard nodes
 * serving HTTPS with a certificate of their node key, which the gateway pins.
 */
import test from 'ava';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { loadGatewayConfig } from '../gateway/config.ts';
import { ensureMasterKeyFile } from '../src/crypto/master-key-file.ts';
import { startGateway } from '../gateway/main.ts';
import { silentLogger } from '../src/log/logger.ts';
import { exportPrivateKeyPem, generateNodeKeyPair } from '../src/node-protocol/node-key.ts';
import { selfSignedCertificate } from '../src/node-protocol/self-signed-cert.ts';
import { getObjectBytes, seededBytes, startCluster } from './cluster.ts';

test('the S3 listener serves HTTPS with --tls-cert and --tls-key', async (t) => {
  const dir = await mkdtemp(path.join(tmpdir(), 'shardgate-tls-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const key = generateNodeKeyPair();
  const cert = selfSignedCertificate(key, { commonName: 'gateway', altNames: ['127.0.0.1'], notBefore: new Date(Date.now() - 60_000), notAfter: new Date(Date.now() + 3_600_000) });
  await writeFile(path.join(dir, 'cert.pem'), cert);
  await writeFile(path.join(dir, 'key.pem'), exportPrivateKeyPem(key), { mode: 0o600 });
  ensureMasterKeyFile(path.join(dir, 'master.key'));
  const { config } = loadGatewayConfig([
    '--port', '0', '--data-dir', path.join(dir, 'gateway'), '--log-requests', 'false', '--master-key-file', path.join(dir, 'master.key'),
    '--tls-cert', path.join(dir, 'cert.pem'), '--tls-key', path.join(dir, 'key.pem'),
  ], {});
  const gateway = await startGateway(config, silentLogger);
  t.teardown(() => gateway.close());
  t.regex(gateway.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const httpsAgent = new Agent({ ca: cert });
  const s3 = new S3Client({
    endpoint: gateway.url, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1,
    credentials: { accessKeyId: gateway.credentials.accessKeyId, secretAccessKey: gateway.credentials.secretKey },
    requestHandler: new NodeHttpHandler({ httpsAgent }),
  });
  t.teardown(() => s3.destroy());
  await s3.send(new CreateBucketCommand({ Bucket: 'secure' }));
  t.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets?.map((bucket) => bucket.Name), ['secure']);
  await t.throwsAsync(fetch(gateway.url.replace('https:', 'http:')), undefined, 'no plain HTTP on a TLS listener');
  t.throws(() => loadGatewayConfig(['--tls-cert', path.join(dir, 'cert.pem')], {}), { message: 'give both --tls-cert and --tls-key, or neither' });
  t.throws(() => loadGatewayConfig(['--tls-cert', path.join(dir, 'nope.pem'), '--tls-key', path.join(dir, 'key.pem')], {}), { message: /--tls-cert: cannot read .*nope\.pem \(ENOENT\)/ });
});

test('nodes serving HTTPS are reached over TLS pinned to their keys; objects round-trip', async (t) => {
  const cluster = await startCluster(t, { chunkSize: 16 * 1024, maxSegmentSize: 4 * 16 * 1024 * 4, nodeArgs: () => ['--tls', 'true'] });
  const { nodes } = await cluster.admin<{ nodes: { url: string; online: boolean }[] }>('/_/admin/nodes');
  t.true(nodes.every((node) => node.url.startsWith('https://127.0.0.1:') && node.online));
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'tls' }));
  const body = seededBytes(700 * 1024 + 3, 7);
  await s3.send(new PutObjectCommand({ Bucket: 'tls', Key: 'o', Body: body }));
  t.true((await getObjectBytes(s3, { Bucket: 'tls', Key: 'o' })).equals(body));
  t.true((await getObjectBytes(s3, { Bucket: 'tls', Key: 'o', Range: 'bytes=65530-200000' })).equals(body.subarray(65530, 200001)));
  t.true(cluster.allShardFiles().size >= 6);
});
