import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getObjectBytes, seededBytes, startCluster } from './cluster.ts';
import { REPAIR_GATEWAY_ARGS, waitFor } from './repair-helpers.ts';

test('reconciliation deletes planted orphan shard files and nothing else', async (t) => {
  const cluster = await startCluster(t, {
    chunkSize: 16 * 1024, maxSegmentSize: 1024 * 1024, gatewayArgs: [...REPAIR_GATEWAY_ARGS, '--reconcile-interval', '2s'],
  });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const objects = new Map([['a', seededBytes(300_000, 1)], ['b', seededBytes(2_500_000, 2)]]);
  for (const [key, body] of objects) await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: key, Body: body }));
  const legitimate = cluster.allShardFiles();

  // An orphan is a real shard file (with its hash list) under a name metadata has never heard of.
  const planted: string[] = [];
  for (const index of [0, 3]) {
    const source = cluster.shardFiles(index)[0]!;
    const id = `${randomBytes(16).toString('hex')}.2`;
    const target = path.join(cluster.nodes[index]!.dataDir, 'shards', id.slice(0, 2), id);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(source, target);
    copyFileSync(`${source}.hashes`, `${target}.hashes`);
    planted.push(target);
  }
  t.true(planted.every((file) => cluster.allShardFiles().has(file)));

  await waitFor('the orphans deleted', async () => planted.every((file) => !existsSync(file) && !existsSync(`${file}.hashes`)));
  const metrics = await cluster.metrics();
  t.is(metrics.orphanShardsCollected, 2);
  t.is(metrics.missingShardsQueued, 0, 'no shard metadata expects is missing');
  t.deepEqual([...cluster.allShardFiles()].sort(), [...legitimate].sort(), 'every legitimate shard file is still there');
  for (const [key, body] of objects) t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: key })).equals(body));
});

test('shards metadata places on a node that its listing lacks are queued for repair and re-created', async (t) => {
  const cluster = await startCluster(t, {
    nodes: 7, chunkSize: 16 * 1024, maxSegmentSize: 1024 * 1024,
    gatewayArgs: [...REPAIR_GATEWAY_ARGS, '--reconcile-interval', '1s', '--audit-interval', '0'],
  });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const body = seededBytes(2_500_000, 3);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'k', Body: body }));
  // A node loses files behind the gateway's back (a disk replaced, a file deleted by hand).
  const victim = cluster.nodes.find((node) => cluster.shardFiles(node.index).length >= 2)!;
  const lost = cluster.shardFiles(victim.index).slice(0, 2);
  for (const file of lost) {
    rmSync(file);
    rmSync(`${file}.hashes`);
  }
  const names = lost.map((file) => path.basename(file));
  await waitFor('the lost shards re-created', async () => names.every((name) => [...cluster.allShardFiles()].some((file) => path.basename(file) === name)));
  const metrics = await cluster.metrics();
  t.true(metrics.missingShardsQueued! >= 2, 'both lost shards were queued (again if a pass ran before the repair finished)');
  t.is(metrics.orphanShardsCollected, 0);
  t.regex(cluster.gateway.output(), /"missing_shards_queued"/);
  t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'k' })).equals(body));
});
