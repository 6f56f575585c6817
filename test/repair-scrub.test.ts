/**
 * Bit rot found by the node itself: with audits off and no client read, a node's scrub re-hashes
 * its shards, reports the corrupt one (signed), and repair replaces it on a distinct node.
 */
import { closeSync, existsSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getObjectBytes, seededBytes, startCluster } from './cluster.ts';
import { REPAIR_GATEWAY_ARGS, waitFor } from './repair-helpers.ts';
import { scrubReportMessage, signWithNodeKey } from '../src/node-protocol/node-key.ts';
import { loadOrCreateNodeIdentity } from '../shard-node/node-identity.ts';
import { ShardPaths } from '../shard-node/shard-paths.ts';

test('a node\'s own scrub finds a flipped byte, reports it, and repair replaces the shard elsewhere', async (t) => {
  const cluster = await startCluster(t, {
    nodes: 7, chunkSize: 16 * 1024, maxSegmentSize: 1024 * 1024,
    gatewayArgs: [...REPAIR_GATEWAY_ARGS, '--audit-interval', '0'],
    nodeArgs: () => ['--scrub-rate', '64MiB', '--scrub-every', '500'],
  });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const body = seededBytes(300_000, 11);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'quiet', Body: body }));
  const holder = cluster.nodes.find((node) => cluster.shardFiles(node.index).length > 0)!;
  const rotten = cluster.shardFiles(holder.index)[0]!;
  const fd = openSync(rotten, 'r+');
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, 1234);
  byte[0] = byte[0]! ^ 0x01;
  writeSync(fd, byte, 0, 1, 1234);
  closeSync(fd);

  const name = path.basename(rotten);
  await waitFor('the rotten shard replaced elsewhere and collected', async () => {
    const copies = [...cluster.allShardFiles()].filter((file) => path.basename(file) === name);
    return !existsSync(rotten) && copies.length === 1;
  });
  t.regex(holder.output(), new RegExp(`"scrub_found_corrupt_shard".*"shardId":"${name.replace('.', '\\.')}"`));
  t.regex(cluster.gateway.output(), /"node_scrub_reported_corrupt".*"queued":1/);
  t.true((await cluster.metrics()).repairsQueuedByScrub! >= 1);
  t.is((await cluster.metrics()).auditsFailed ?? 0, 0, 'no audit ran: the scrub found it');
  t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'quiet' })).equals(body));

  // Reports are the node's own word about its own shards: signed by its key, and only shards the
  // metadata places on that node are queued.
  const identity = await loadOrCreateNodeIdentity(new ShardPaths(holder.dataDir));
  const report = async (fields: { nodeId: string; signedAtMs: number; corruptShards: string[] }, signature = signWithNodeKey(identity.privateKey, scrubReportMessage(fields))) => {
    const response = await fetch(`${cluster.gatewayUrl}/_/nodes/scrub-report`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...fields, signature }) });
    return { status: response.status, body: await response.json() as { accepted?: number; error?: string } };
  };
  const notHere = `${'0'.repeat(32)}.1`;
  t.deepEqual(await report({ nodeId: identity.nodeId, signedAtMs: Date.now(), corruptShards: [notHere] }), { status: 200, body: { accepted: 0 } });
  const other = cluster.nodes.find((node) => node !== holder)!;
  const otherId = (await loadOrCreateNodeIdentity(new ShardPaths(other.dataDir))).nodeId;
  const forged = await report({ nodeId: otherId, signedAtMs: Date.now(), corruptShards: [notHere] });
  t.is(forged.status, 403);
  t.is(forged.body.error, 'SIGNATURE_INVALID', 'one node cannot report for another');
  const stale = await report({ nodeId: identity.nodeId, signedAtMs: Date.now() - 3_600_000, corruptShards: [notHere] });
  t.is(stale.body.error, 'SIGNED_AT_STALE');
  t.is((await report({ nodeId: identity.nodeId, signedAtMs: Date.now(), corruptShards: ['../etc/passwd'] })).status, 400);
});
