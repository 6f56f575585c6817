import { closeSync, existsSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { getObjectBytes, seededBytes, startCluster } from './cluster.ts';
import type { PayoutReportView } from '../src/rewards/payout-text.ts';
import { nodeIdOf, REPAIR_GATEWAY_ARGS, waitFor, type ClusterHealthView } from './repair-helpers.ts';

const CHUNK = 16 * 1024;
const SEGMENT = 1024 * 1024;
const AUDIT_ARGS = [...REPAIR_GATEWAY_ARGS, '--audit-interval', '300ms'];

/** Flips one byte in every chunk of the file: any audit of it fails. */
function rotEveryChunk(file: string): void {
  const fd = openSync(file, 'r+');
  const byte = Buffer.alloc(1);
  for (let offset = 7; offset < statSync(file).size; offset += CHUNK) {
    readSync(fd, byte, 0, 1, offset);
    byte[0] = byte[0]! ^ 0x5a;
    writeSync(fd, byte, 0, 1, offset);
  }
  closeSync(fd);
}

type AuditView = ClusterHealthView & { audits: Record<string, { score: number; passed: number; failed: number }> };

test('bit rot without any client read: an audit finds it, repair replaces the shard on a distinct node, the score drops', async (t) => {
  const cluster = await startCluster(t, { nodes: 7, chunkSize: CHUNK, maxSegmentSize: SEGMENT, gatewayArgs: AUDIT_ARGS });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const body = seededBytes(200_000, 8);
  // A 4 KiB object is kept inline in the metadata: no shard, nothing for the checker, audits or repair.
  const tiny = seededBytes(4096, 9);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'tiny', Body: tiny }));
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'quiet', Body: body }));
  const writtenAt = Date.now();
  const holder = cluster.nodes.find((node) => cluster.shardFiles(node.index).length > 0)!;
  const rotten = cluster.shardFiles(holder.index)[0]!;
  const name = path.basename(rotten);
  rotEveryChunk(rotten);

  await waitFor('the rotten shard replaced elsewhere and collected', async () => {
    const copies = [...cluster.allShardFiles()].filter((file) => path.basename(file) === name);
    return !existsSync(rotten) && copies.length === 1;
  });
  const nodeId = await nodeIdOf(cluster, holder.index);
  const health = await cluster.admin<AuditView>('/_/admin/health');
  t.true(health.audits[nodeId]!.failed >= 1);
  t.true(health.audits[nodeId]!.score < 1, 'the node\'s audit score dropped');
  t.true((await cluster.metrics()).auditsFailed! >= 1);
  const status = await cluster.runCli(['status']);
  t.regex(status.stdout, new RegExp(`^audits {8}${nodeId}  score 0\\.\\d{3}  \\d+ passed, [1-9]\\d* failed$`, 'm'));
  // The rewards ledger saw the same: the failed audit and its rotten bytes against the node, and the repair's reads of the sources.
  const payouts = await cluster.admin<PayoutReportView>('/_/admin/payouts');
  const statement = payouts.nodes.find((s) => s.node.id === nodeId)!;
  t.true(statement.usage.audits.failed >= 1);
  t.true(statement.usage.egress.audit.failedBytes >= CHUNK, 'the rotten chunk counted against the node');
  t.true(payouts.nodes.reduce((sum, s) => sum + s.usage.egress.repair.verifiedBytes, 0) >= CHUNK, 'repair read verified source bytes');
  t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'quiet' })).equals(body));

  await waitFor('a checker pass after both writes', async () => {
    const { completedAt } = (await cluster.admin<AuditView>('/_/admin/health')).segments;
    return completedAt !== null && Date.parse(completedAt) > writtenAt;
  });
  const census = (await cluster.admin<AuditView>('/_/admin/health')).segments;
  t.like(census, { segments: 1, belowDataShards: 0 }, 'the checker walked the sharded segment only');
  t.false(cluster.gateway.output().includes('repair_checker_failed'));
  t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'tiny' })).equals(tiny));
});

test('a node that answers audits with wrong bytes is disqualified and its shards are repaired away', async (t) => {
  const cluster = await startCluster(t, { nodes: 7, chunkSize: CHUNK, maxSegmentSize: SEGMENT, gatewayArgs: AUDIT_ARGS });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const objects = new Map([['x', seededBytes(SEGMENT * 12 + 9, 1)], ['y', seededBytes(90_000, 2)]]);
  for (const [key, body] of objects) await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: key, Body: body }));
  const liar = cluster.nodes.reduce((best, node) => cluster.shardFiles(node.index).length > cluster.shardFiles(best.index).length ? node : best);
  const nodeId = await nodeIdOf(cluster, liar.index);
  // Enough shards that audits fail six times before repair (queued by each failure) has moved them all.
  t.true(cluster.shardFiles(liar.index).length >= 8);
  for (const file of cluster.shardFiles(liar.index)) rotEveryChunk(file);

  const view = await waitFor('the liar disqualified and emptied', async () => {
    const node = await cluster.admin<{ state: string; shards: number; audit: { score: number; failed: number } }>(`/_/admin/nodes/${nodeId}`);
    return node.state === 'disqualified' && node.shards === 0 ? node : null;
  });
  t.true(view.audit.score < 0.6);
  t.true(view.audit.failed >= 6);
  const { nodes: [statement] } = await cluster.admin<PayoutReportView>(`/_/admin/payouts?node=${nodeId}`);
  t.not(statement!.disqualifiedAt, null, 'the liar earns nothing after its disqualification');
  t.not(statement!.paidWindow, null, 'it was paid up to its disqualification');
  t.is(statement!.paidWindow!.to, statement!.disqualifiedAt!);
  await waitFor('its shard files collected', async () => cluster.shardFiles(liar.index).length === 0);
  await cluster.kill(liar);
  for (const [key, body] of objects) t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: key })).equals(body));
});
