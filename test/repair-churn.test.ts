import test from 'ava';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteObjectCommand,
  PutObjectCommand, UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { getObjectBytes, s3ErrorOf, seededBytes, startCluster } from './cluster.ts';
import { everySegmentWhole, REPAIR_GATEWAY_ARGS, shardFilesBySegment, waitFor, type ClusterHealthView } from './repair-helpers.ts';

const CHUNK = 16 * 1024;
const SEGMENT = 1024 * 1024;
const N = 6;

async function multipart(s3: S3Client, key: string, parts: readonly Buffer[]): Promise<void> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'bkt', Key: key }));
  const done = [];
  for (const [i, body] of parts.entries()) {
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: 'bkt', Key: key, UploadId, PartNumber: i + 1, Body: body }));
    done.push({ ETag, PartNumber: i + 1 });
  }
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'bkt', Key: key, UploadId, MultipartUpload: { Parts: done } }));
}

test('churn, twice: 2 nodes lost for good → every segment back to n shards on the others; 2 more lost → every object still reads', async (t) => {
  // Inline storage off: the 1- and 1000-byte objects are segments on nodes that repair must bring back.
  const cluster = await startCluster(t, { nodes: 8, chunkSize: CHUNK, maxSegmentSize: SEGMENT, gatewayArgs: [...REPAIR_GATEWAY_ARGS, '--inline-max-bytes', '0'] });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const objects = new Map<string, Buffer>();
  for (const size of [1, 1000, CHUNK * 4 + 3, SEGMENT * 2 + 12_345]) {
    const body = seededBytes(size, size);
    objects.set(`o-${size}`, body);
    await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: `o-${size}`, Body: body }));
  }
  const parts = [seededBytes(5 * 1024 * 1024, 1), seededBytes(300_000, 2)];
  await multipart(s3, 'multi', parts);
  objects.set('multi', Buffer.concat(parts));
  await s3.send(new CopyObjectCommand({ Bucket: 'bkt', Key: 'copy', CopySource: `bkt/o-${SEGMENT * 2 + 12_345}` }));
  objects.set('copy', objects.get(`o-${SEGMENT * 2 + 12_345}`)!);
  for (const key of ['doomed', 'replaced']) {
    await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: key, Body: seededBytes(SEGMENT + 1, 99) }));
  }

  await cluster.kill(cluster.nodes[0]!);
  await cluster.kill(cluster.nodes[1]!);
  const killedAt = new Date();
  // Writes pick among online nodes: wait until the gateway has noticed (a write to a dead node fails its quorum).
  await waitFor('the dead nodes offline', async () => {
    const { nodes } = await cluster.admin<{ nodes: { online: boolean }[] }>('/_/admin/nodes');
    return nodes.filter((node) => node.online).length === 6;
  });
  // While repair runs: one object deleted, one overwritten (no resurrection, no leaked shard).
  await waitFor('repair under way', async () => {
    const view = await cluster.admin<ClusterHealthView>('/_/admin/health');
    return view.repairQueue.length > 0 || view.repaired.shards > 0;
  });
  await s3.send(new DeleteObjectCommand({ Bucket: 'bkt', Key: 'doomed' }));
  const replacement = seededBytes(CHUNK * 9, 7);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'replaced', Body: replacement }));
  objects.set('replaced', replacement);

  const live = [2, 3, 4, 5, 6, 7];
  const health = await waitFor('every segment back at n healthy shards', async () => {
    const view = await cluster.admin<ClusterHealthView>('/_/admin/health');
    const pass = view.segments;
    const whole = pass.completedAt !== null && new Date(pass.completedAt) > new Date(killedAt.getTime() + 4000)
      && Object.keys(pass.byHealthyShards).every((label) => label === `${N}/${N}`) && view.repairQueue.length === 0;
    return whole ? view : null;
  });
  t.is(health.nodes.lost, 2);
  t.is(health.nodes.online, 6);
  t.is(health.segments.belowDataShards, 0);
  t.true(health.repaired.segments > 0 && health.repaired.bytes > 0);

  // On disk: each segment's n shards on n distinct live nodes, and nothing else (garbage collected).
  const bySegment = await waitFor('shard files settled', async () => {
    const files = shardFilesBySegment(cluster, live);
    return files.size === health.segments.segments && everySegmentWhole(files, N) ? files : null;
  });
  t.is(bySegment.size, health.segments.segments);

  const metrics = await cluster.metrics();
  t.true(metrics.segmentsRepaired! >= 1);
  t.true(metrics.shardsRepaired! >= metrics.segmentsRepaired!);

  await cluster.kill(cluster.nodes[2]!);
  await cluster.kill(cluster.nodes[3]!);
  for (const [key, body] of objects) {
    t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: key })).equals(body), `${key} byte-identical with 4 of 8 nodes gone`);
  }
  t.deepEqual(await s3ErrorOf(t, getObjectBytes(s3, { Bucket: 'bkt', Key: 'doomed' })), { name: 'NoSuchKey', status: 404 });

  // Second cycle: two fresh nodes join the four survivors; repair fills them; two more die.
  const rejoinAt = Date.now();
  await cluster.startNode(8);
  await cluster.startNode(9);
  await cluster.waitForOnlineNodes(6);
  await waitFor('every segment back at n healthy shards again', async () => {
    const view = await cluster.admin<ClusterHealthView>('/_/admin/health');
    const pass = view.segments;
    return pass.completedAt !== null && Date.parse(pass.completedAt) > rejoinAt + 4000 && view.repairQueue.length === 0
      && Object.keys(pass.byHealthyShards).every((label) => label === `${N}/${N}`);
  });
  const survivors = [4, 5, 6, 7, 8, 9];
  await waitFor('shard files settled on the new set', async () => {
    const files = shardFilesBySegment(cluster, survivors);
    return files.size === health.segments.segments && everySegmentWhole(files, N);
  });
  t.true(cluster.shardFiles(8).length > 0 && cluster.shardFiles(9).length > 0, 'the new nodes received shards');
  await cluster.kill(cluster.nodes[4]!);
  await cluster.kill(cluster.nodes[5]!);
  for (const [key, body] of objects) {
    t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: key })).equals(body), `${key} byte-identical after the second cycle`);
  }
});
