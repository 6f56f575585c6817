import { readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import path from 'node:path';
import test from 'ava';
import {
  CompleteMultipartUploadCommand, CreateBucketCommand, CreateMultipartUploadCommand, HeadObjectCommand, PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { findNginx, startNginxWith } from '../src/testing/nginx.ts';
import { startPostgresTestServer } from '../src/testing/postgres-server.ts';
import { TestCluster, getObjectBytes, s3ErrorOf, seededBytes, sleep } from './cluster.ts';
import { signedHeaders } from './signed-request.ts';

/**
 * Two gateways on one PostgreSQL database behind nginx configured by the README's example
 * (`examples/nginx-several-gateways.conf`, addresses replaced), and three nodes pointed at the
 * load balancer. What two gateways must get right together: one winner per conditional-PUT race,
 * multipart across gateways, a write slower than the write lease kept alive by its gateway, and a
 * gateway killed mid-PUT whose shards the other collects.
 */

const MiB = 1024 * 1024;
const WRITE_LEASE_MS = 3000;
const BUCKET = 'balanced';
const EXAMPLE = new URL('../examples/nginx-several-gateways.conf', import.meta.url);

/** The example with its two gateway addresses and its listen port replaced; throws if one is missing. */
function exampleFor(gateways: readonly [string, string], port: number): string {
  let text = readFileSync(EXAMPLE, 'utf8');
  const replace = (from: string, to: string) => {
    if (!text.includes(from)) throw new Error(`examples/nginx-several-gateways.conf has no "${from}"`);
    text = text.replace(from, to);
  };
  replace('server 10.0.0.11:9000', `server ${new URL(gateways[0]).host}`);
  replace('server 10.0.0.12:9000', `server ${new URL(gateways[1]).host}`);
  replace('listen 9000;', `listen 127.0.0.1:${port};`);
  return text;
}

/** A signed PUT whose body is sent up to `firstBytes` and held there; `finish()` sends the rest. */
async function heldPut(cluster: TestCluster, gatewayUrl: string, key: string, body: Buffer, firstBytes: number) {
  const credentials = { accessKeyId: cluster.accessKeyId, secretAccessKey: cluster.secretKey };
  const headers = await signedHeaders({ gatewayUrl, credentials }, 'PUT', `/${BUCKET}/${key}`, { 'content-length': String(body.length) });
  const upload = request(`${gatewayUrl}/${BUCKET}/${key}`, { method: 'PUT', headers });
  upload.on('error', () => {});
  const answered = new Promise<IncomingMessage>((resolve) => upload.on('response', resolve));
  await new Promise<void>((resolve) => upload.write(body.subarray(0, firstBytes), () => resolve()));
  return {
    upload,
    async finish(): Promise<number> {
      upload.end(body.subarray(firstBytes));
      const response = await answered;
      response.resume();
      return response.statusCode ?? 0;
    },
  };
}

test('two gateways behind the example nginx config: one winner per conditional race, multipart across them, slow writes outlive the write lease, a killed gateway\'s shards are collected by the other', async (t) => {
  const nginxBinary = findNginx();
  if (!nginxBinary) throw new Error('nginx is not installed (apt-get install nginx; .ci/run installs it)');
  const database = await startPostgresTestServer();
  t.teardown(() => database.stop());
  const url = await database.createDatabase();
  const cluster = new TestCluster({
    nodes: 3, dataShards: 2, parityShards: 1, chunkSize: 16 * 1024, maxSegmentSize: MiB,
    gatewayArgs: ['--meta', url, '--write-lease', String(WRITE_LEASE_MS), '--node-timeout', '5000'],
  });
  t.teardown(() => cluster.close());
  await cluster.startGateway();
  const gatewayA = cluster.gatewayUrl;
  const gatewayB = (await cluster.startExtraGateway('gateway-2')).url;
  const balancer = await startNginxWith(nginxBinary, path.join(cluster.root, 'nginx'), (port) => exampleFor([gatewayA, gatewayB], port));
  t.teardown(() => balancer.stop());
  // Nodes, clients and the admin API all go through the load balancer, as in the README.
  cluster.gatewayUrl = balancer.url;
  for (let i = 0; i < cluster.nodeCount; i++) await cluster.startNode(i);
  // Each gateway hears some heartbeats itself and the rest through the database (refreshed every
  // third of --node-timeout): wait until both count every node online, not just the one asked.
  for (const gateway of [gatewayA, gatewayB]) {
    cluster.gatewayUrl = gateway;
    await cluster.waitForOnlineNodes(cluster.nodeCount);
  }
  cluster.gatewayUrl = balancer.url;
  const s3 = cluster.s3();
  const s3A = cluster.s3({ endpoint: gatewayA });
  const s3B = cluster.s3({ endpoint: gatewayB });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));

  // 2 × 16 clients race If-None-Match: * PUTs of the same key, half through each gateway.
  for (let round = 0; round < 3; round++) {
    const Key = `race-${round}`;
    const bodies = Array.from({ length: 32 }, (_, i) => seededBytes(4096, round * 100 + i));
    const outcomes = await Promise.allSettled(bodies.map((Body, i) => (i % 2 === 0 ? s3A : s3B).send(new PutObjectCommand({ Bucket: BUCKET, Key, Body, IfNoneMatch: '*' }))));
    const winners = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i] : []));
    t.is(winners.length, 1, `round ${round}: exactly one winner`);
    const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason as { name: string; message: string; $metadata?: { httpStatusCode?: number } }] : []));
    const unexpected = losers.filter((error) => error.name !== 'PreconditionFailed').map((error) => `${error.$metadata?.httpStatusCode} ${error.name}: ${error.message}`);
    t.deepEqual(unexpected, [], `round ${round}: every loser is 412 PreconditionFailed`);
    t.true(losers.every((error) => error.$metadata?.httpStatusCode === 412));
    t.deepEqual(await getObjectBytes(s3, { Bucket: BUCKET, Key }), bodies[winners[0]!]!, `round ${round}: the winner's bytes`);
  }

  // Multipart started on one gateway, a part through each, completed on the other.
  const parts = [seededBytes(5 * MiB, 1), seededBytes(100_000, 2)];
  const { UploadId } = await s3A.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi' }));
  const etags = [];
  for (const [index, Body] of parts.entries()) {
    const { ETag } = await (index === 0 ? s3A : s3B).send(new UploadPartCommand({ Bucket: BUCKET, Key: 'multi', UploadId, PartNumber: index + 1, Body }));
    etags.push({ ETag, PartNumber: index + 1 });
  }
  await s3B.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi', UploadId, MultipartUpload: { Parts: etags } }));
  t.deepEqual(await getObjectBytes(cluster.s3({ endpoint: gatewayA }), { Bucket: BUCKET, Key: 'multi' }), Buffer.concat(parts));

  // A write through A that stalls for two and a half leases, while both janitors run: A renews it,
  // so neither gateway takes it for a crashed one, and it commits.
  const slowBody = seededBytes(1.5 * MiB, 3);
  const slow = await heldPut(cluster, gatewayA, 'slow', slowBody, 1.2 * MiB);
  await sleep(2.5 * WRITE_LEASE_MS);
  t.is(await slow.finish(), 200, 'the slow write commits');
  t.deepEqual(await getObjectBytes(cluster.s3({ endpoint: gatewayB }), { Bucket: BUCKET, Key: 'slow' }), slowBody);

  // A gateway SIGKILLed mid-PUT: its first segment's shards are on the nodes, pending in the
  // database. Nobody renews that write any more, and the other gateway collects its shards.
  const before = cluster.allShardFiles();
  const cut = await heldPut(cluster, gatewayA, 'cut', seededBytes(1.5 * MiB, 4), 1.2 * MiB);
  let added: string[] = [];
  for (const deadline = Date.now() + 30_000; added.length < 3; await sleep(50)) {
    added = [...cluster.allShardFiles()].filter((file) => !before.has(file));
    if (Date.now() > deadline) t.fail(`the cut write's first segment never reached the nodes (${added.length} shard files)`);
  }
  await cluster.kill(cluster.gateway);
  cut.upload.destroy();
  t.deepEqual(await cluster.waitUntilShardFilesGone(added, 60_000), [], 'the killed gateway\'s shards are collected by the other');
  t.is((await s3ErrorOf(t, s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cut' })))).status, 404, 'no object, through the balancer');
  t.deepEqual(await getObjectBytes(s3, { Bucket: BUCKET, Key: 'slow' }), slowBody, 'the survivor serves through the balancer');
});
