/**
 * A full node gets no new shards: a node offering 56 KiB takes the 16 KiB shards it has room for,
 * answers 507 when it has none (the gateway's view of its free space may be a heartbeat old), and
 * from that answer on the gateway sends it nothing new; every object still reads back whole.
 */
import test from 'ava';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getObjectBytes, seededBytes, startCluster } from './cluster.ts';

const CHUNK = 16 * 1024;
const FULL_NODE = 5;

test('a node that is full or answered 507 gets no new shards', async (t) => {
  const cluster = await startCluster(t, {
    chunkSize: CHUNK,
    maxSegmentSize: 4 * CHUNK,
    gatewayArgs: ['--node-free-reserve', '0'],
    nodeArgs: (index) => (index === FULL_NODE ? ['--capacity', String(56 * 1024)] : []),
  });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'full' }));
  const objects = Array.from({ length: 8 }, (_, i) => seededBytes(4 * CHUNK, 100 + i));
  for (const [i, body] of objects.entries()) await s3.send(new PutObjectCommand({ Bucket: 'full', Key: `o${i}`, Body: body }));
  for (const [i, body] of objects.entries()) t.true((await getObjectBytes(s3, { Bucket: 'full', Key: `o${i}` })).equals(body), `o${i}`);

  t.true(cluster.shardFiles(FULL_NODE).length <= 3, `the full node holds ${cluster.shardFiles(FULL_NODE).length} shards of 16 KiB in 56 KiB`);
  const uploads = cluster.nodes[FULL_NODE]!.output().split('\n')
    .filter((line) => line.includes('"event":"request"') && line.includes('"method":"PUT"'))
    .map((line) => (JSON.parse(line) as { status: number }).status);
  const first507 = uploads.indexOf(507);
  t.true(first507 === -1 || first507 === uploads.length - 1, `no upload after a 507: ${uploads.join(',')}`);
  t.true(uploads.filter((status) => status === 200).length <= 3);
});
