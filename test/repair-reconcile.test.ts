import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
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
  t.deepEqual([...cluster.allShardFiles()].sort(), [...legitimate].sort(), 'every legitimate shard file is still there');
  for (const [key, body] of objects) t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: key })).equals(body));
});
