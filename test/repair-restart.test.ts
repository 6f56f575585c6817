import { readdirSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getObjectBytes, seededBytes, startCluster } from './cluster.ts';
import { everySegmentWhole, REPAIR_GATEWAY_ARGS, shardFilesBySegment, waitFor, type ClusterHealthView } from './repair-helpers.ts';

const CHUNK = 16 * 1024;
const SEGMENT = 1024 * 1024;

test('a gateway SIGKILLed mid-repair: after a restart the jobs are taken over and finished, nothing lost or leaked', async (t) => {
  // Slow repair (256 KiB/s of source bytes) so the kill lands while jobs are claimed; short leases.
  const gatewayArgs = [...REPAIR_GATEWAY_ARGS, '--repair-rate', '256KiB', '--repair-lease', '3s'];
  const cluster = await startCluster(t, { nodes: 7, chunkSize: CHUNK, maxSegmentSize: SEGMENT, gatewayArgs });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const body = seededBytes(SEGMENT * 8 + 100, 11);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'big', Body: body }));

  await cluster.kill(cluster.nodes[0]!);
  await waitFor('a repair in progress', async () => (await cluster.admin<ClusterHealthView>('/_/admin/health')).repairQueue.leased > 0);
  await cluster.kill(cluster.gateway);
  const restartedAt = Date.now();
  gatewayArgs.push('--repair-rate', '0'); // later flags win
  await cluster.startGateway();

  const live = [1, 2, 3, 4, 5, 6];
  const health = await waitFor('every segment back at n healthy shards', async () => {
    const view = await cluster.admin<ClusterHealthView>('/_/admin/health');
    const pass = view.segments;
    return pass.completedAt !== null && Date.parse(pass.completedAt) > restartedAt && view.repairQueue.length === 0
      && Object.keys(pass.byHealthyShards).every((label) => label === '6/6') ? view : null;
  });
  t.is(health.segments.segments, 9);
  await waitFor('shard files settled, no upload left behind', async () => {
    const files = shardFilesBySegment(cluster, live);
    const temp = live.flatMap((index) => safeReaddir(path.join(cluster.nodes[index]!.dataDir, 'tmp')));
    return files.size === 9 && everySegmentWhole(files, 6) && temp.length === 0;
  });
  t.true((await getObjectBytes(cluster.s3(), { Bucket: 'bkt', Key: 'big' })).equals(body));
});

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
