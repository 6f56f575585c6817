import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CreateBucketCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { shardId } from '../src/meta/types.ts';
import { getObjectBytes, seededBytes, type TestCluster } from './cluster.ts';
import { nodeFilesContaining, openGatewayStore, plantPlaintextObject } from './encryption-helpers.ts';
import { useSharedCluster } from './shared-cluster.ts';

const KiB = 1024;
const PROFILE = { dataShards: 4, parityShards: 2, chunkSize: 4 * KiB };
const STRIPE = PROFILE.dataShards * PROFILE.chunkSize;
const PLANTED_SEGMENT = 4 * STRIPE;
const BUCKET = 'legacy';
const cluster = useSharedCluster(test, { ...PROFILE, maxSegmentSize: 64 * KiB }, async (started) => {
  await started.s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
});

/** 32 recognisable bytes, repeated: what a node holding any of these objects' plaintext would hold. */
const MARKER = Buffer.from('shardgate-legacy-plaintext-0001!', 'utf8');
function markerBytes(length: number, seed: number): Buffer {
  const bytes = seededBytes(length, seed);
  for (let offset = 0; offset + MARKER.length <= length; offset += 4 * KiB) MARKER.copy(bytes, offset);
  return bytes;
}

/** The files of these segments' shards (and hash lists) on any node. */
function shardFilesOf(running: TestCluster, segmentIds: readonly string[]): string[] {
  return [...running.allShardFiles()].filter((file) => segmentIds.some((id) => path.basename(file).startsWith(`${id}.`)));
}

interface Summary {
  found: { segments: number; bytes: number };
  encrypted: { segments: number; bytes: number };
  objectsEncrypted: number;
  skipped: { gone: number; changed: number };
  failed: unknown[];
  left: { segments: number; bytes: number };
}

test.serial('encrypt-existing re-encrypts single, multi-segment and shared plaintext objects; no plaintext is left on any node; a rerun finds nothing', async (t) => {
  const running = cluster();
  const s3 = running.s3();
  const store = openGatewayStore(running);
  t.teardown(() => store.close());
  const single = markerBytes(3 * STRIPE + 100, 1);
  const multi = markerBytes(4 * PLANTED_SEGMENT + 1234, 2);
  const planted = [
    ...await plantPlaintextObject(running, store, PROFILE, BUCKET, 'single', single),
    ...await plantPlaintextObject(running, store, PROFILE, BUCKET, 'multi', multi, PLANTED_SEGMENT),
  ];
  t.is(planted.length, 6);
  // A copy that shares the single object's segment (as the store's copy does for objects encrypted alike).
  const source = (await store.getObject(BUCKET, 'single'))!;
  await store.copyObject({ sourceVersionId: source.versionId, object: { ...source, key: 'shared', versionId: 'f'.repeat(32) } });
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'modern', Body: 'written encrypted' }));
  const modernSegments = (await store.getSegments((await store.getObject(BUCKET, 'modern'))!.versionId)).map((s) => s.id);
  const oldFiles = shardFilesOf(running, planted);
  t.is(oldFiles.length, 36);
  const needles = new Map([['marker', MARKER]]);
  t.true(nodeFilesContaining(running, needles).hits.length > 0, 'the planted objects are in the clear on the nodes');

  const dryRun = await running.runCli(['encrypt-existing', '--dry-run', '--json']);
  t.is(dryRun.code, 0, dryRun.stderr);
  t.like(JSON.parse(dryRun.stdout) as Summary, { found: { segments: 6, bytes: single.length + multi.length }, encrypted: { segments: 0 } });
  t.deepEqual(await store.countUnencryptedSegments(), { segments: 6, bytes: single.length + multi.length }, '--dry-run changed nothing');

  const run = await running.runCli(['encrypt-existing', '--batch', '4']);
  t.is(run.code, 0, run.stderr);
  const megabytes = ((single.length + multi.length) / 1e6).toFixed(1);
  t.is(megabytes, '0.3');
  t.regex(run.stdout, /^encrypted 6 segments \(0\.3 MB, 3 objects now SSE-S3\) in (?:\d+[dhm] )*\d+[hms] at [\d.]+ MB\/s; skipped 0 \(0 gone, 0 changed\); failed 0; 0 left in the clear\n$/);
  t.regex(run.stderr, /^encrypt-existing: 4\/6 segments, 0\.\d MB of 0\.3 MB, [\d.]+ MB\/s\nencrypt-existing: 6\/6 segments, 0\.3 MB of 0\.3 MB/);

  for (const [key, bytes] of [['single', single], ['shared', single], ['multi', multi]] as const) {
    t.true((await getObjectBytes(s3, { Bucket: BUCKET, Key: key })).equals(bytes), `${key} whole`);
    t.is((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }))).ServerSideEncryption, 'AES256', `${key} says SSE-S3`);
    const segments = await store.getSegments((await store.getObject(BUCKET, key))!.versionId);
    t.true(segments.every((segment) => segment.encryption !== null && !planted.includes(segment.id)), `${key}: new encrypted segments`);
  }
  for (const [from, to] of [[0, 0], [STRIPE - 1, STRIPE + 1], [PLANTED_SEGMENT - 10, 3 * PLANTED_SEGMENT + 7], [multi.length - 5, multi.length - 1]] as const) {
    t.true((await getObjectBytes(s3, { Bucket: BUCKET, Key: 'multi', Range: `bytes=${from}-${to}` })).equals(multi.subarray(from, to + 1)), `multi ${from}-${to}`);
  }
  t.true((await getObjectBytes(s3, { Bucket: BUCKET, Key: 'shared', Range: 'bytes=4095-10000' })).equals(single.subarray(4095, 10001)));
  const sharedIds = async (key: string) => (await store.getSegments((await store.getObject(BUCKET, key))!.versionId)).map((s) => s.id);
  t.deepEqual(await sharedIds('shared'), await sharedIds('single'), 'still one shared segment');
  t.deepEqual(await sharedIds('modern'), modernSegments, 'an encrypted object is not touched');

  t.deepEqual(await running.waitUntilShardFilesGone(oldFiles), [], 'the janitor collected the plaintext shards');
  const scan = nodeFilesContaining(running, needles);
  t.deepEqual(scan.hits, [], 'no plaintext marker anywhere');
  t.true(scan.bytesScanned > multi.length);

  const again = await running.runCli(['encrypt-existing', '--json']);
  t.is(again.code, 0, again.stderr);
  t.like(JSON.parse(again.stdout) as Summary, { found: { segments: 0, bytes: 0 }, encrypted: { segments: 0, bytes: 0 }, left: { segments: 0 } });
  t.is((await running.runCli(['encrypt-existing'])).stdout, 'nothing to do: every segment is encrypted\n');
});

test.serial('a segment overwritten or repaired after it was listed is skipped, nothing is lost, and a rerun encrypts what is still in the clear', async (t) => {
  const running = cluster();
  const s3 = running.s3();
  const store = openGatewayStore(running);
  t.teardown(() => store.close());
  const overwritten = seededBytes(2 * STRIPE, 3);
  const repaired = seededBytes(2 * STRIPE + 5, 4);
  const [overwrittenId] = await plantPlaintextObject(running, store, PROFILE, BUCKET, 'race/overwritten', overwritten);
  const [repairedId] = await plantPlaintextObject(running, store, PROFILE, BUCKET, 'race/repaired', repaired);
  const listing = await running.admin<{ segments: { segmentId: string; cursor: number; placementVersion: number }[] }>('/_/admin/encrypt-existing/segments?limit=1000');
  const listed = (id: string) => listing.segments.find((entry) => entry.segmentId === id)!;

  // Overwritten after it was listed: gone, nothing written.
  const newer = Buffer.from('the newer version');
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'race/overwritten', Body: newer }));
  t.deepEqual(await running.adminCall('POST', '/_/admin/encrypt-existing/segments', listed(overwrittenId!)), { outcome: 'gone', segmentId: overwrittenId });
  t.true((await getObjectBytes(s3, { Bucket: BUCKET, Key: 'race/overwritten' })).equals(newer));

  // Repaired after it was listed (shard 0 moved to another node): its placement version moved on.
  const placement = (await store.getSegmentPlacement(repairedId!))!;
  const from = placement.shards[0]!.nodeId;
  // Six nodes, six shards: the moved shard shares a node with another shard of the segment.
  const target = (await store.listNodes()).find((node) => node.id !== from)!;
  copyShard(running, repairedId!, from, target.id);
  await store.addPendingShards('test-repair', [{ shardId: shardId(repairedId!, 0), nodeId: target.id }], new Date());
  t.like(await store.replaceShardPlacements({
    segmentId: repairedId!, expectedVersion: 0, writeId: 'test-repair', replacements: [{ ...placement.shards[0]!, nodeId: target.id }],
  }), { replaced: true });
  t.deepEqual(await running.adminCall('POST', '/_/admin/encrypt-existing/segments', listed(repairedId!)), { outcome: 'changed', segmentId: repairedId });
  t.true((await getObjectBytes(s3, { Bucket: BUCKET, Key: 'race/repaired' })).equals(repaired), 'still readable, still in the clear');

  const run = await running.runCli(['encrypt-existing', '--json']);
  t.is(run.code, 0, run.stderr);
  t.like(JSON.parse(run.stdout) as Summary, { found: { segments: 1 }, encrypted: { segments: 1, bytes: repaired.length }, left: { segments: 0 } });
  t.true((await getObjectBytes(s3, { Bucket: BUCKET, Key: 'race/repaired' })).equals(repaired));
  t.is((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'race/repaired' }))).ServerSideEncryption, 'AES256');
});

test.serial('encrypt-existing admin routes: bad parameters are 400 with the parameter named, no token is 401', async (t) => {
  const running = cluster();
  const call = (method: string, route: string, body?: string, token: string | null = running.adminToken) => fetch(`${running.gatewayUrl}${route}`, {
    method, body, headers: { ...(token === null ? {} : { authorization: `Bearer ${token}` }), 'content-type': 'application/json' },
  });
  const invalid = async (response: Response, parameter: string) => {
    t.is(response.status, 400);
    t.like(await response.json(), { error: 'InvalidParameter', parameter });
  };
  await invalid(await call('GET', '/_/admin/encrypt-existing/segments?limit=0'), 'limit');
  await invalid(await call('GET', '/_/admin/encrypt-existing/segments?after=-1'), 'after');
  await invalid(await call('POST', '/_/admin/encrypt-existing/segments', 'not json'), 'body');
  await invalid(await call('POST', '/_/admin/encrypt-existing/segments', JSON.stringify({ segmentId: 'x', cursor: 1, placementVersion: 0 })), 'body');
  t.is((await call('GET', '/_/admin/encrypt-existing', undefined, null)).status, 401);
  const cli = await running.runCli(['encrypt-existing', '--batch', 'many']);
  t.is(cli.code, 2);
  t.regex(cli.stderr, /^shardgate encrypt-existing: --batch must be an integer/);
});

/** Copies a shard file and its hash list from one node's data dir to another's (a repair's new placement). */
function copyShard(running: TestCluster, segmentId: string, fromNodeId: string, toNodeId: string): void {
  const dirOf = (nodeId: string) => running.nodes.find((node) => (JSON.parse(readFileSync(path.join(node.dataDir, 'node.json'), 'utf8')) as { nodeId: string }).nodeId === nodeId)!.dataDir;
  const id = shardId(segmentId, 0);
  const targetDir = path.join(dirOf(toNodeId), 'shards', id.slice(0, 2));
  mkdirSync(targetDir, { recursive: true });
  for (const name of [id, `${id}.hashes`]) copyFileSync(path.join(dirOf(fromNodeId), 'shards', id.slice(0, 2), name), path.join(targetDir, name));
}
