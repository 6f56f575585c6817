import { closeSync, existsSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { addedFiles, getObjectBytes, seededBytes, startCluster } from './cluster.ts';
import { everySegmentWhole, nodeIdOf, REPAIR_GATEWAY_ARGS, shardFilesBySegment, waitFor, type ClusterHealthView } from './repair-helpers.ts';

const CHUNK = 16 * 1024;
const SEGMENT = 1024 * 1024;

function flipByte(file: string, offset: number): void {
  const fd = openSync(file, 'r+');
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, offset);
  byte[0] = byte[0]! ^ 0xff;
  writeSync(fd, byte, 0, 1, offset);
  closeSync(fd);
}

test('a corrupt shard met by a read is re-created on a distinct node and the corrupt file is collected', async (t) => {
  const cluster = await startCluster(t, { nodes: 7, chunkSize: CHUNK, maxSegmentSize: SEGMENT, gatewayArgs: REPAIR_GATEWAY_ARGS });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const body = seededBytes(200_000, 3);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'victim', Body: body }));
  const files = [...cluster.allShardFiles()];
  const corrupt = files.find((file) => file.endsWith('.0'))!;
  const shardName = path.basename(corrupt);
  flipByte(corrupt, 100);

  t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'victim' })).equals(body), 'the read is correct from parity');
  const holders = await waitFor('the corrupt shard replaced and collected', async () => {
    const now = [...cluster.allShardFiles()].filter((file) => path.basename(file) === shardName);
    return !existsSync(corrupt) && now.length === 1 ? now : null;
  });
  t.not(path.dirname(path.dirname(path.dirname(holders[0]!))), path.dirname(path.dirname(path.dirname(corrupt))), 'on another node');
  const bySegment = shardFilesBySegment(cluster, cluster.nodes.map((node) => node.index));
  t.true(everySegmentWhole(bySegment, 6), 'n shards on n distinct nodes');

  const before = await waitFor('the repair counted', async () => {
    const metrics = await cluster.metrics();
    return metrics.segmentsRepaired! >= 1 ? metrics : null;
  });
  t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'victim' })).equals(body));
  t.is((await cluster.metrics()).corruptChunks, before.corruptChunks, 'the next read meets no corrupt chunk');
});

test('with no spare node (n nodes in all), a corrupt shard met by a read is rewritten in place', async (t) => {
  const cluster = await startCluster(t, { nodes: 6, chunkSize: CHUNK, maxSegmentSize: SEGMENT, gatewayArgs: REPAIR_GATEWAY_ARGS });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const body = seededBytes(150_000, 4);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'victim', Body: body }));
  const corrupt = [...cluster.allShardFiles()].find((file) => file.endsWith('.1'))!;
  const original = readFileSync(corrupt);
  flipByte(corrupt, 5);
  t.false(readFileSync(corrupt).equals(original));

  t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'victim' })).equals(body));
  await waitFor('the shard file rewritten', async () => existsSync(corrupt) && readFileSync(corrupt).equals(original));
  // The node holds the rewritten file before the gateway has committed the repair and counted it.
  const before = await waitFor('the repair counted', async () => {
    const metrics = await cluster.metrics();
    return metrics.segmentsRepaired! >= 1 ? metrics : null;
  });
  t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'victim' })).equals(body));
  t.is((await cluster.metrics()).corruptChunks, before.corruptChunks, 'the next read meets no corrupt chunk');
});

test('drain: a node is emptied while clients read and write, then stopped with 2 more nodes; nothing is lost', async (t) => {
  const cluster = await startCluster(t, { nodes: 7, chunkSize: CHUNK, maxSegmentSize: SEGMENT, gatewayArgs: [...REPAIR_GATEWAY_ARGS, '--inline-max-bytes', '0'] });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const objects = new Map<string, Buffer>();
  for (const size of [10, 70_000, SEGMENT * 2 + 5]) {
    objects.set(`o-${size}`, seededBytes(size, size));
    await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: `o-${size}`, Body: objects.get(`o-${size}`) }));
  }
  t.true(cluster.shardFiles(0).length > 0, 'node 0 holds shards before the drain');
  const nodeId = await nodeIdOf(cluster, 0);

  const unknown = await cluster.runCli(['nodes', 'drain', 'no-such-node']);
  t.is(unknown.code, 1);
  t.is(unknown.stdout, '');
  t.regex(unknown.stderr, /^shardgate nodes: 404 no node with id no-such-node\n$/);

  const drain = await cluster.runCli(['nodes', 'drain', nodeId]);
  t.is(drain.code, 0, drain.stderr);
  t.regex(drain.stdout, new RegExp(`^node ${nodeId} draining: \\d+ shards? left to move\\n$`));
  // Clients keep reading and writing during the drain; new shards never go to the draining node.
  const during = seededBytes(CHUNK * 20, 42);
  const filesBefore = new Set(cluster.shardFiles(0));
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'during', Body: during }));
  objects.set('during', during);
  t.deepEqual(addedFiles(filesBefore, new Set(cluster.shardFiles(0))), []);
  for (const [key, body] of objects) t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: key })).equals(body));

  await waitFor('the node drained', async () => {
    const view = await cluster.admin<{ state: string; shards: number }>(`/_/admin/nodes/${nodeId}`);
    return view.state === 'drained' && view.shards === 0;
  });
  const shown = await cluster.runCli(['nodes', 'show', nodeId, '--json']);
  t.like(JSON.parse(shown.stdout), { id: nodeId, state: 'drained', adminState: 'drained', shards: 0 });
  await waitFor('its shard files collected', async () => cluster.shardFiles(0).length === 0);
  const status = await cluster.runCli(['status', '--json']);
  t.is(status.code, 0);
  t.is((JSON.parse(status.stdout) as ClusterHealthView).nodes.drained, 1);
  const text = await cluster.runCli(['status']);
  t.regex(text.stdout, /^nodes {9}6 online, 1 drained$/m);

  await cluster.kill(cluster.nodes[0]!);
  await cluster.kill(cluster.nodes[1]!);
  await cluster.kill(cluster.nodes[2]!);
  for (const [key, body] of objects) {
    t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: key })).equals(body), `${key} with the drained node and 2 others stopped`);
  }
});
