import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { earningsMessage, NODE_EARNINGS_PATH } from '../src/node-protocol/earnings.ts';
import { importPrivateKeyPem, signWithNodeKey } from '../src/node-protocol/node-key.ts';
import type { PayoutReportView } from '../src/rewards/payout-text.ts';
import { getObjectBytes, seededBytes, sleep, startCluster, type TestCluster } from './cluster.ts';
import { nodeIdOf, waitFor } from './repair-helpers.ts';

const CHUNK = 4096;
/** Three stripes of a 4+2 profile: every shard file is three chunks. */
const OBJECT_BYTES = 3 * 4 * CHUNK;
const SHARD_BYTES = 3 * CHUNK;

async function payouts(cluster: TestCluster): Promise<PayoutReportView> {
  return cluster.admin<PayoutReportView>('/_/admin/payouts');
}

async function rawPayouts(cluster: TestCluster, query: string, token: string | null = cluster.adminToken) {
  const response = await fetch(`${cluster.gatewayUrl}/_/admin/payouts${query}`, { headers: token === null ? {} : { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.json() as { error?: string; parameter?: string } };
}

function flipByte(file: string, offset: number): void {
  const fd = openSync(file, 'r+');
  const byte = Buffer.alloc(1);
  readSync(fd, byte, 0, 1, offset);
  byte[0] = byte[0]! ^ 0xff;
  writeSync(fd, byte, 0, 1, offset);
  closeSync(fd);
}

test('rewards: holders of an object earn stored byte-time and verified egress, a node holding none earns nothing, a corrupt shard stops earning', async (t) => {
  const cluster = await startCluster(t, {
    nodes: 7, chunkSize: CHUNK,
    // No audits and no repair: every figure below comes from the two reads this test makes.
    gatewayArgs: ['--audit-interval', '0', '--repair-concurrency', '0', '--payout-min-uptime', '0'],
  });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const body = seededBytes(OBJECT_BYTES, 16);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'obj', Body: body }));
  t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'obj' })).equals(body));

  // Which node holds which shard, from the files on disk.
  const shardOfNode = new Map<string, number>();
  const fileOfShard = new Map<number, string>();
  let idle = '';
  for (let index = 0; index < 7; index++) {
    const id = await nodeIdOf(cluster, index);
    const [file] = cluster.shardFiles(index);
    if (file === undefined) {
      idle = id;
      continue;
    }
    shardOfNode.set(id, Number(file.split('.').pop()));
    fileOfShard.set(Number(file.split('.').pop()), file);
  }
  t.is(shardOfNode.size, 6);
  t.not(idle, '');

  const first = await payouts(cluster);
  t.is(first.nodes.length, 7);
  const byId = (report: PayoutReportView, id: string) => report.nodes.find((s) => s.node.id === id)!;
  const heldByteMs = new Set<string>();
  for (const [id, shardIndex] of shardOfNode) {
    const statement = byId(first, id);
    t.true(BigInt(statement.usage.storedByteMs) > 0n, `node of shard ${shardIndex} stores`);
    heldByteMs.add(statement.usage.storedByteMs);
    // A healthy read asks each data shard for its whole window, and nothing of the parity shards.
    const expected = shardIndex < 4 ? { verifiedBytes: SHARD_BYTES, failedBytes: 0, answered: 1, failed: 0 } : { verifiedBytes: 0, failedBytes: 0, answered: 0, failed: 0 };
    t.deepEqual(statement.usage.egress.client, expected, `client egress of shard ${shardIndex}`);
    t.is(statement.status, shardIndex < 4 ? 'payable' : 'withheld', 'parity holders were never observed');
  }
  t.is(heldByteMs.size, 1, 'six holdings opened in one transaction, same bytes: the same byte-time');
  const none = byId(first, idle);
  t.is(none.usage.storedByteMs, '0');
  t.deepEqual(none.usage.egress.client, { verifiedBytes: 0, failedBytes: 0, answered: 0, failed: 0 });
  t.is(none.total, '0');
  t.is(none.status, 'payable');

  // Rot in data shard 1's first chunk: the read is still right; its bytes count against the node, its holding ends.
  flipByte(fileOfShard.get(1)!, 100);
  t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'obj' })).equals(body));
  const rotten = [...shardOfNode].find(([, shardIndex]) => shardIndex === 1)![0];
  const healthy = [...shardOfNode].find(([, shardIndex]) => shardIndex === 0)![0];
  const frozen = await waitFor('the rotten shard\'s holding to end', async () => {
    const before = await payouts(cluster);
    await sleep(50);
    const after = await payouts(cluster);
    const still = byId(before, rotten).usage.storedByteMs === byId(after, rotten).usage.storedByteMs;
    return still && BigInt(byId(after, healthy).usage.storedByteMs) > BigInt(byId(before, healthy).usage.storedByteMs) && after;
  });
  t.deepEqual(byId(frozen, rotten).usage.egress.client, { verifiedBytes: SHARD_BYTES + 2 * CHUNK, failedBytes: CHUNK, answered: 2, failed: 0 });
  t.true(BigInt(byId(frozen, rotten).usage.storedByteMs) < BigInt(byId(frozen, healthy).usage.storedByteMs));

  // The admin API: auth, and bad input named.
  t.is((await rawPayouts(cluster, '', null)).status, 401);
  t.is((await rawPayouts(cluster, '', 'not-the-token')).status, 403);
  t.deepEqual(await rawPayouts(cluster, '?from=yesterday'), { status: 400, body: { error: 'InvalidParameter', parameter: 'from', message: 'from must be an ISO 8601 time such as 2025-01-31 or 2025-01-31T12:00:00Z, got "yesterday"' } });
  t.like(await rawPayouts(cluster, '?from=2026-02-01&to=2026-01-01'), { status: 400, body: { parameter: 'to' } });
  t.like(await rawPayouts(cluster, '?node=no-such-node'), { status: 404, body: { error: 'NoSuchNode', parameter: 'node' } });
  t.like(await rawPayouts(cluster, '?nodes=x'), { status: 400, body: { parameter: 'nodes' } });
  const one = await rawPayouts(cluster, `?node=${healthy}`);
  t.is(one.status, 200);
  t.deepEqual((one.body as unknown as PayoutReportView).nodes.map((s) => s.node.id), [healthy]);

  // The CLI.
  const table = await cluster.runCli(['payouts']);
  t.is(table.code, 0, table.stderr);
  for (const id of [...shardOfNode.keys(), idle]) t.true(table.stdout.includes(id));
  t.regex(table.stdout, /withheld \(unobserved\): no read or audit reached the node/, 'the parity holders');
  const json = await cluster.runCli(['payouts', '--node', rotten, '--json']);
  t.is((JSON.parse(json.stdout) as PayoutReportView).nodes[0]!.usage.egress.client.failedBytes, CHUNK);
  const unknown = await cluster.runCli(['payouts', '--node', 'no-such-node']);
  t.is(unknown.code, 1);
  t.regex(unknown.stderr, /^shardgate payouts: 404 node "no-such-node" is not registered\n$/);

  // A node asks for its own statement with its own key.
  const rottenIndex = await indexOf(cluster, rotten);
  const earnings = await cluster.runCli(['node', 'earnings', '--data-dir', cluster.nodes[rottenIndex]!.dataDir, '--gateway', cluster.gatewayUrl, '--json']);
  t.is(earnings.code, 0, earnings.stderr);
  const own = JSON.parse(earnings.stdout) as PayoutReportView;
  t.deepEqual(own.nodes.map((s) => s.node.id), [rotten]);
  t.deepEqual(own.nodes[0]!.usage.egress.client, byId(frozen, rotten).usage.egress.client);
  const noKey = await cluster.runCli(['node', 'earnings', '--data-dir', path.join(cluster.root, 'nowhere'), '--gateway', cluster.gatewayUrl]);
  t.is(noKey.code, 1);
  t.regex(noKey.stderr, /^shardgate node earnings: .*node\.json does not exist/);

  // A node's key cannot read another node's statement, nor replay a request.
  const key = importPrivateKeyPem(readFileSync(path.join(cluster.nodes[rottenIndex]!.dataDir, 'node-key.pem'), 'utf8'));
  const ask = async (nodeId: string, signedAtMs: number) => {
    const unsigned = { nodeId, from: '', to: '', signedAtMs };
    const response = await fetch(`${cluster.gatewayUrl}${NODE_EARNINGS_PATH}`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...unsigned, signature: signWithNodeKey(key, earningsMessage(unsigned)) }),
    });
    return { status: response.status, body: await response.json() as { error?: string; nodes?: unknown[] } };
  };
  const signedAt = Date.now() + 1000;
  t.like(await ask(healthy, signedAt), { status: 403, body: { error: 'SIGNATURE_INVALID' } }, 'another node\'s id, this node\'s key');
  t.like(await ask(rotten, signedAt), { status: 200 });
  t.like(await ask(rotten, signedAt), { status: 403, body: { error: 'SIGNED_AT_STALE' } }, 'a replay');
  t.like(await ask('f'.repeat(32), signedAt + 1), { status: 404, body: { error: 'NOT_REGISTERED' } });
  const forged = await fetch(`${cluster.gatewayUrl}${NODE_EARNINGS_PATH}`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ nodeId: rotten, from: '', to: '', signedAtMs: signedAt + 2 }),
  });
  t.is(forged.status, 400, 'no signature at all');
});

async function indexOf(cluster: TestCluster, nodeId: string): Promise<number> {
  for (let index = 0; index < cluster.nodeCount; index++) if (await nodeIdOf(cluster, index) === nodeId) return index;
  throw new Error(`no node ${nodeId}`);
}
