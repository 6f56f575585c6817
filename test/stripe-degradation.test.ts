/**
 * Per-stripe degradation against a real cluster (k=4, m=2, 4 KiB chunks): a chunk that fails its
 * hash costs only its stripe, so corrupt chunks in more than m shards read back byte-identical as
 * long as every stripe keeps k good chunks; a stripe with fewer fails cleanly and is named.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import test from 'ava';
import { CreateBucketCommand, PutObjectCommand, type S3Client, type S3ServiceException } from '@aws-sdk/client-s3';
import { getObjectBytes, seededBytes, sleep, startCluster, type TestCluster } from './cluster.ts';

const CHUNK = 4096;
const K = 4;
const STRIPE = K * CHUNK;
/** 15 stripes, the last one partial; one segment. */
const SIZE = 15 * STRIPE - 1234;

const getBytes = (s3: S3Client, Range?: string) => getObjectBytes(s3, { Bucket: 'bkt', Key: 'obj', Range });

async function clusterWithObject(t: Parameters<typeof startCluster>[0]): Promise<{ cluster: TestCluster; s3: S3Client; body: Buffer }> {
  const cluster = await startCluster(t, { chunkSize: CHUNK, dataShards: K, parityShards: 2 });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const body = seededBytes(SIZE, 77);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'obj', Body: body }));
  return { cluster, s3, body };
}

/** Flips one byte of the chunk of `stripeIndex` in the shard file of `shardIndex` (the object has one segment). */
function corruptChunk(cluster: TestCluster, shardIndex: number, stripeIndex: number): void {
  const file = [...cluster.allShardFiles()].find((name) => name.endsWith(`.${shardIndex}`));
  if (!file) throw new Error(`no shard file for shard ${shardIndex}`);
  const fd = openSync(file, 'r+');
  const byte = Buffer.alloc(1);
  const offset = stripeIndex * CHUNK + 100;
  readSync(fd, byte, 0, 1, offset);
  byte[0] = byte[0]! ^ 0xff;
  writeSync(fd, byte, 0, 1, offset);
  closeSync(fd);
}

/** The node process holding shard `shardIndex`. */
function nodeHolding(cluster: TestCluster, shardIndex: number) {
  return cluster.nodes.find((node) => cluster.shardFiles(node.index).some((file) => file.endsWith(`.${shardIndex}`)))!;
}

/** A range in data chunk (stripeIndex, shardIndex), inclusive bounds for a Range header. */
function inChunk(stripeIndex: number, shardIndex: number, from: number, to: number): [number, number] {
  const start = stripeIndex * STRIPE + shardIndex * CHUNK;
  return [start + from, start + to];
}

test('bad chunks in three shards, each in a different stripe, read back byte-identical (full and ranged, healthy and decode paths)', async (t) => {
  const { cluster, s3, body } = await clusterWithObject(t);
  // Today's reader would retire each shard at its first bad chunk: 3 shards > m = 2.
  corruptChunk(cluster, 0, 1);
  corruptChunk(cluster, 1, 4);
  corruptChunk(cluster, 2, 7);

  const ranges: [number, number][] = [
    [0, SIZE - 1],
    inChunk(1, 0, 0, CHUNK - 1), // exactly the bad chunk
    inChunk(4, 1, 50, 60), // inside a bad chunk
    [STRIPE - 7, 8 * STRIPE + 3], // across all three bad stripes
    inChunk(7, 1, 10, CHUNK + 20), // starts beside a bad chunk, ends inside it
    [SIZE - 5000, SIZE - 1],
  ];
  const check = async (label: string) => {
    t.true((await getBytes(s3)).equals(body), `${label}: whole object`);
    for (const [start, end] of ranges) {
      t.true((await getBytes(s3, `bytes=${start}-${end}`)).equals(body.subarray(start, end + 1)), `${label}: bytes=${start}-${end}`);
    }
  };
  await check('healthy path');
  const metrics = await cluster.metrics();
  t.true(metrics.corruptChunks! >= 3, 'every bad chunk counted');
  t.is(metrics.unreadableSegments, 0);
  await sleep(200);
  const log = cluster.gateway.output();
  for (const [shardIndex, stripeIndex] of [[0, 1], [1, 4], [2, 7]]) {
    t.regex(log, new RegExp(`"shardIndex":${shardIndex},"nodeId":"[0-9a-f]+","reason":"[^"]*","corrupt":true,"stripeIndex":${stripeIndex}`),
      `the request log reports shard ${shardIndex} stripe ${stripeIndex} as corrupt`);
  }

  // Shard 3 gone too: the read runs in decode mode, still per stripe (each stripe has 4 good chunks).
  await cluster.kill(nodeHolding(cluster, 3));
  await check('decode path');
});

test('bad chunks of one stripe in three shards: 503 before the status line when it is the first stripe read, a cut body after', async (t) => {
  const { cluster, s3 } = await clusterWithObject(t);
  for (const shardIndex of [0, 2, 5]) corruptChunk(cluster, shardIndex, 6);

  // The first stripe read is unreadable: a clean S3 error naming the stripe, nothing sent before it.
  const [start] = inChunk(6, 0, 0, 0);
  const early = await t.throwsAsync(getBytes(s3, `bytes=${start}-${start + 99}`));
  t.is((early as S3ServiceException).name, 'ServiceUnavailable');
  t.is((early as S3ServiceException).$metadata?.httpStatusCode, 503);
  t.regex((early as Error).message, /stripe 6: need 4 shards, 3 available/);

  // Stripes 0–5 went out before stripe 6 failed: the connection is cut, never a complete-looking body.
  await t.throwsAsync(getBytes(s3));
  await t.throwsAsync(getBytes(s3, `bytes=0-${7 * STRIPE}`));
  // Ranges that avoid stripe 6 still read.
  t.is((await getBytes(s3, `bytes=0-${6 * STRIPE - 1}`)).length, 6 * STRIPE);
  const metrics = await cluster.metrics();
  t.true(metrics.unreadableSegments! >= 3);
});
