/**
 * A runtime smoke test, run by .ci/run under a second Node version (see there): a gateway and six
 * shard nodes as processes, put / get / range with the AWS SDK, two nodes killed, the same reads
 * again. Prints one line per step; exits 1 on the first failure.
 */
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getObjectBytes, seededBytes, TestCluster } from '../test/cluster.ts';

const cluster = new TestCluster({ chunkSize: 16 * 1024 });
const step = (text: string) => process.stdout.write(`smoke (node ${process.version}): ${text}\n`);
try {
  await cluster.startGateway();
  for (let i = 0; i < cluster.nodeCount; i++) await cluster.startNode(i);
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  step('gateway and 6 nodes up');
  const s3 = cluster.s3();
  const body = seededBytes(3 * 1024 * 1024 + 17, 3);
  await s3.send(new CreateBucketCommand({ Bucket: 'smoke' }));
  await s3.send(new PutObjectCommand({ Bucket: 'smoke', Key: 'object', Body: body }));
  const check = async (when: string) => {
    if (!(await getObjectBytes(s3, { Bucket: 'smoke', Key: 'object' })).equals(body)) throw new Error(`whole object differs ${when}`);
    const ranged = await getObjectBytes(s3, { Bucket: 'smoke', Key: 'object', Range: 'bytes=1000000-1999999' });
    if (!ranged.equals(body.subarray(1_000_000, 2_000_000))) throw new Error(`range differs ${when}`);
    step(`put, get and range byte-identical ${when}`);
  };
  await check('with every node up');
  await cluster.kill(cluster.nodes[0]!);
  await cluster.kill(cluster.nodes[3]!);
  await check('with two nodes killed');
} catch (error) {
  process.stderr.write(`smoke (node ${process.version}) FAILED: ${(error as Error).stack ?? error}\n${cluster.gateway?.output() ?? ''}\n`);
  process.exitCode = 1;
} finally {
  await cluster.close();
}
