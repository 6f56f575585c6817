import { openSync, readSync, writeSync, closeSync } from 'node:fs';
import { request } from 'node:http';
import test from 'ava';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { addedFiles, getObjectBytes, seededBytes, sleep, startCluster } from './cluster.ts';
import { signedHeaders } from './signed-request.ts';

const getBytes = (s3: S3Client, Key: string, Range?: string) => getObjectBytes(s3, { Bucket: 'bkt', Key, Range });

const CHUNK = 4096;
const SEGMENT = 16 * CHUNK * 4;

test('reads stay byte-identical with 2 of 6 nodes dead; a third dead node gives a clear 503', async (t) => {
  // Inline storage off: the 1-byte object is erasure-coded on the nodes like the others.
  const cluster = await startCluster(t, { chunkSize: CHUNK, maxSegmentSize: SEGMENT, gatewayArgs: ['--inline-max-bytes', '0'] });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const objects = new Map<string, Buffer>();
  for (const size of [1, CHUNK + 5, SEGMENT * 3 + 777, 1_000_000]) {
    const body = seededBytes(size, size);
    objects.set(`o-${size}`, body);
    const before = cluster.allShardFiles();
    await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: `o-${size}`, Body: body }));
    if (size === 1) t.is(addedFiles(before, cluster.allShardFiles()).length, 6, 'with --inline-max-bytes 0 a 1-byte object has its six shards');
  }

  await cluster.kill(cluster.nodes[0]!);
  await cluster.kill(cluster.nodes[3]!);
  for (const [key, body] of objects) {
    t.true((await getBytes(s3, key)).equals(body), `${key} whole with 2 nodes dead`);
    if (body.length > 10) {
      const start = Math.floor(body.length / 3);
      const end = Math.min(body.length - 1, start + 3 * CHUNK + 17);
      t.true((await getBytes(s3, key, `bytes=${start}-${end}`)).equals(body.subarray(start, end + 1)), `${key} range`);
    }
  }
  const metrics = await cluster.metrics();
  t.true(metrics.degradedSegmentReads! > 0, 'the reads went through parity');

  await cluster.kill(cluster.nodes[5]!);
  // One raw request, not the SDK: the SDK retries a 503 (up to three attempts with backoff), which
  // is not what this checks, and a retried attempt's own failure would hide the gateway's answer.
  const credentials = await s3.config.credentials();
  const path = `/bkt/o-${SEGMENT * 3 + 777}`;
  const answer = await fetch(`${cluster.gatewayUrl}${path}`, { headers: await signedHeaders({ gatewayUrl: cluster.gatewayUrl, credentials }, 'GET', path) });
  const text = await answer.text();
  t.is(answer.status, 503, text.slice(0, 300));
  t.regex(text, /<Code>ServiceUnavailable<\/Code>/);
});

test('a flipped byte in a shard file is detected, reported, and the read is still byte-identical', async (t) => {
  const cluster = await startCluster(t, { chunkSize: CHUNK, maxSegmentSize: SEGMENT });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));

  // First object: data shard 1 of every segment has a flipped byte in its first chunk, so the
  // read degrades at the first stripe.
  const body = seededBytes(200_000, 5);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'victim', Body: body }));
  const firstFiles = cluster.allShardFiles();
  t.true(flipByte([...firstFiles], 1, 100) >= 1);

  // Second object: data shard 2 has a flipped byte in its fourth chunk, so the read fails in the
  // middle of stripe 3, after shards 0 and 1 of that stripe were already sent.
  const second = seededBytes(150_000, 6);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'victim-2', Body: second }));
  const secondFiles = addedFiles(firstFiles, cluster.allShardFiles());
  t.true(flipByte(secondFiles, 2, 3 * CHUNK + 7) >= 1);

  t.true((await getBytes(s3, 'victim')).equals(body));
  t.true((await getBytes(s3, 'victim', 'bytes=0-199')).equals(body.subarray(0, 200)));
  t.true((await getBytes(s3, 'victim-2')).equals(second));
  const start = 3 * 4 * CHUNK + 100;
  t.true((await getBytes(s3, 'victim-2', `bytes=${start}-${start + 3 * CHUNK}`)).equals(second.subarray(start, start + 3 * CHUNK + 1)));
  const metrics = await cluster.metrics();
  t.true(metrics.corruptChunks! >= 2, 'corruption counted');
  await sleep(100);
  t.regex(cluster.gateway.output(), /"event":"shard_corrupt"/, 'corruption logged');
});

/** Flips the byte at `offset` of every shard file with index `shardIndex`; returns how many. */
function flipByte(files: readonly string[], shardIndex: number, offset: number): number {
  let flipped = 0;
  for (const file of files) {
    if (Number(file.split('.').pop()) !== shardIndex) continue;
    const fd = openSync(file, 'r+');
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, offset);
    byte[0] = byte[0]! ^ 0xff;
    writeSync(fd, byte, 0, 1, offset);
    closeSync(fd);
    flipped++;
  }
  return flipped;
}

test('a stalled node (alive, not answering) is read around from parity after its recent p95', async (t) => {
  const cluster = await startCluster(t, { chunkSize: CHUNK, maxSegmentSize: SEGMENT });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const body = seededBytes(SEGMENT * 6, 9);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'stall', Body: body }));
  // History: each read samples the time to first chunk of 4 data shards in each of 6 segments,
  // so eight reads give every node well over the 16 samples hedging waits for.
  for (let i = 0; i < 8; i++) t.true((await getBytes(s3, 'stall')).equals(body));
  const before = await cluster.metrics();

  cluster.nodes[2]!.child.kill('SIGSTOP'); // its sockets stay open; it just never answers
  t.true((await getBytes(s3, 'stall')).equals(body), 'byte-identical around the stalled node');
  t.true((await getBytes(s3, 'stall', `bytes=${SEGMENT - 10}-${3 * SEGMENT + 10}`)).equals(body.subarray(SEGMENT - 10, 3 * SEGMENT + 11)));
  const after = await cluster.metrics();
  t.true(after.hedgedShardReads! > before.hedgedShardReads!, 'the stalled shards were hedged, not waited for');
  t.is(after.unreadableSegments, before.unreadableSegments);
});

test('a gateway killed in the middle of a PUT leaves the old version intact and no partial object', async (t) => {
  // A short write lease: the dead write is collected 3 s after its gateway stopped renewing it.
  const cluster = await startCluster(t, { chunkSize: CHUNK, maxSegmentSize: SEGMENT, gatewayArgs: ['--write-lease', '3000'] });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const original = seededBytes(300_000, 1);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'doc', Body: original }));
  const shardsBefore = cluster.allShardFiles().size;

  // A raw, slow upload of a new version (UNSIGNED-PAYLOAD keeps the test free of body signing).
  const total = 8 * 1024 * 1024;
  const { signedHeaders } = await presignPut(cluster, s3, 'doc', total);
  const upload = request(`${cluster.gatewayUrl}/bkt/doc`, { method: 'PUT', headers: signedHeaders });
  upload.on('error', () => {});
  const piece = seededBytes(256 * 1024, 2);
  let sent = 0;
  while (sent < total / 2) {
    if (!upload.write(piece)) await new Promise((resolve) => upload.once('drain', resolve));
    sent += piece.length;
  }
  await sleep(300);
  await cluster.kill(cluster.gateway);
  upload.destroy();

  await cluster.startGateway();
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  const fresh = cluster.s3();
  t.true((await getObjectBytes(fresh, { Bucket: 'bkt', Key: 'doc' })).equals(original), 'old version intact');

  // The half-written shards of the dead write are collected.
  const deadline = Date.now() + 20_000;
  let shardsNow = Infinity;
  while (Date.now() < deadline) {
    shardsNow = cluster.allShardFiles().size;
    if (shardsNow === shardsBefore) break;
    await sleep(200);
  }
  t.is(shardsNow, shardsBefore, 'no shard of the interrupted write is left behind');
});

/** Signs a PUT with UNSIGNED-PAYLOAD through the SDK's own signer, for a raw streamed upload. */
async function presignPut(cluster: { gatewayUrl: string }, s3: S3Client, key: string, length: number) {
  const credentials = await s3.config.credentials();
  return { signedHeaders: await signedHeaders({ gatewayUrl: cluster.gatewayUrl, credentials }, 'PUT', `/bkt/${key}`, { 'content-length': String(length) }) };
}
