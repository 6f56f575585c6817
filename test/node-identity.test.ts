/**
 * Node identity against real processes: an operator holding a join token cannot take over
 * another operator's node, forged heartbeats count for nothing, a node restarted on a new port
 * moves its URL by proving its key, a revoked join token admits no one, a tombstoned id is out for
 * good, and no secret is on any command line.
 */
import test from 'ava';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SqliteMetaStore } from '../src/meta/sqlite-store.ts';
import { generateNodeKeyPair, heartbeatMessage, publicKeyOf, registrationMessage, signWithNodeKey } from '../src/node-protocol/node-key.ts';
import { NODE_HEARTBEAT_PATH, NODE_REGISTER_PATH } from '../src/node-protocol/routes.ts';
import { getObjectBytes, seededBytes, sleep, startCluster, type TestCluster } from './cluster.ts';

const CHUNK = 16 * 1024;

interface AdminNode { id: string; url: string; online: boolean; freeBytes: number; operatorId: string; secretEpoch: number; lastHeartbeatAt: string }

async function adminNodes(cluster: TestCluster): Promise<AdminNode[]> {
  return (await cluster.admin<{ nodes: AdminNode[] }>('/_/admin/nodes')).nodes;
}

/** The id of the node process with this index, matched by the port of its registered URL. */
async function nodeRecord(cluster: TestCluster, index: number): Promise<AdminNode> {
  const url = cluster.nodes[index]!.output().match(/listening on (http:\/\/\S+)/)?.[1];
  const found = (await adminNodes(cluster)).find((node) => node.url === url);
  if (!found) throw new Error(`node ${index} (${url}) is not registered`);
  return found;
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function postJson(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: response.status, text: await response.text() };
}

/** A server that counts what reaches it: where an impostor would want the gateway's shards to go. */
async function impostorServer(t: { teardown(fn: () => unknown): void }) {
  let requests = 0;
  const server = createServer((request, response) => {
    requests += 1;
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"length":0}');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => requests };
}

test.serial('node identity cannot be stolen, faked or replayed; a moved node proves itself', async (t) => {
  const cluster = await startCluster(t, { chunkSize: CHUNK, maxSegmentSize: 4 * CHUNK * 4 });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'ids' }));
  const before = seededBytes(300 * 1024, 1);
  await s3.send(new PutObjectCommand({ Bucket: 'ids', Key: 'before', Body: before }));

  // No secret on any command line: the gateway's and every node's argv as `ps` shows it.
  for (const process of [cluster.gateway, ...cluster.nodes]) {
    const argv = readFileSync(`/proc/${process.child.pid}/cmdline`, 'utf8').split('\0');
    for (const secret of [cluster.joinToken, cluster.adminToken, cluster.secretKey, ...await Promise.all(cluster.nodes.map((n) => cluster.joinTokenFor(n.index)))]) {
      t.false(argv.some((arg) => arg.includes(secret)), `a secret in: ${argv.join(' ')}`);
    }
  }
  const victims = await adminNodes(cluster);
  t.is(new Set(victims.map((node) => node.operatorId)).size, cluster.nodeCount, 'every test node is its own operator');

  // 1. An impostor with the gateway's join token claims node 0's id with its own key.
  const victim = await nodeRecord(cluster, 0);
  const impostor = await impostorServer(t);
  const key = generateNodeKeyPair();
  const fields = { nodeId: victim.id, url: impostor.url, zone: 'zone-0', publicKey: publicKeyOf(key), signedAtMs: Date.now() };
  const claim = await postJson(`${cluster.gatewayUrl}${NODE_REGISTER_PATH}`, {
    ...fields, capacityBytes: 1e12, freeBytes: 1e12, joinToken: cluster.joinToken, signature: signWithNodeKey(key, registrationMessage(fields)),
  });
  t.is(claim.status, 403);
  t.is(JSON.parse(claim.text).error, 'IDENTITY_MISMATCH');
  t.false(/secret/i.test(claim.text), 'no secret in the refusal');
  t.regex(cluster.gateway.output(), /"event":"node_registration_refused".*"reason":"IDENTITY_MISMATCH"/);
  t.false(cluster.gateway.output().includes(cluster.joinToken), 'the join token is never logged');
  t.is((await nodeRecord(cluster, 0)).url, victim.url, 'the real node keeps its URL');

  // 2. Heartbeats for node 0 that its key did not sign count for nothing.
  const beat = { nodeId: victim.id, url: victim.url, freeBytes: 0, capacityBytes: 1, signedAtMs: Date.now() };
  const forged = await postJson(`${cluster.gatewayUrl}${NODE_HEARTBEAT_PATH}`, { ...beat, signature: signWithNodeKey(key, heartbeatMessage(beat)) });
  t.is(forged.status, 403);
  t.is(JSON.parse(forged.text).error, 'SIGNATURE_INVALID');
  t.is((await postJson(`${cluster.gatewayUrl}${NODE_HEARTBEAT_PATH}`, beat)).status, 400, 'unsigned');
  t.true((await nodeRecord(cluster, 0)).freeBytes > 0, 'the forged free space was not recorded');

  // Writes and reads still go to the real nodes only.
  const after = seededBytes(200 * 1024, 2);
  await s3.send(new PutObjectCommand({ Bucket: 'ids', Key: 'after', Body: after }));
  t.true((await getObjectBytes(s3, { Bucket: 'ids', Key: 'after' })).equals(after));
  t.true((await getObjectBytes(s3, { Bucket: 'ids', Key: 'before' })).equals(before));
  t.is(impostor.requests(), 0, 'nothing reached the impostor');

  // 3. Node 1 restarts on another port: its key moves its URL and rotates its secret.
  const moving = await nodeRecord(cluster, 1);
  await cluster.kill(cluster.nodes[1]!);
  await cluster.startNode(1);
  const moved = await waitFor('node 1 to move', async () => {
    const node = (await adminNodes(cluster)).find((n) => n.id === moving.id);
    return node && node.url !== moving.url && node.online ? node : null;
  });
  t.is(moved.secretEpoch, moving.secretEpoch + 1);
  t.is(moved.operatorId, moving.operatorId);
  // With two other nodes down, every read of a 4+2 segment needs the moved node.
  await cluster.kill(cluster.nodes[2]!);
  await cluster.kill(cluster.nodes[3]!);
  t.true((await getObjectBytes(s3, { Bucket: 'ids', Key: 'before' })).equals(before));
  t.true((await getObjectBytes(s3, { Bucket: 'ids', Key: 'after' })).equals(after));
  const movedLog = cluster.nodes[1]!.output();
  t.regex(movedLog, /"method":"GET","path":"\/shards\/[0-9a-f]{32}\.\d+","status":206/, 'the moved node served the reads');

  // 4. A revoked join token admits no new node (CLI: create, revoke, ls).
  const created = await cluster.runCli(['nodes', 'tokens', 'create', '--operator', 'late-op', '--json']);
  t.is(created.code, 0, created.stderr);
  const { id, token } = JSON.parse(created.stdout) as { id: string; token: string };
  const revoked = await cluster.runCli(['nodes', 'tokens', 'revoke', id]);
  t.is(revoked.code, 0, revoked.stderr);
  t.is(revoked.stdout, `revoked ${id} (operator late-op)\n`);
  const listed = JSON.parse((await cluster.runCli(['nodes', 'tokens', 'ls', '--operator', 'late-op', '--json'])).stdout) as { tokens: { id: string; revokedAt: string | null }[] };
  t.deepEqual(listed.tokens.map((entry) => [entry.id, entry.revokedAt !== null]), [[id, true]]);
  t.false(JSON.stringify(listed).includes(token), 'ls never shows a token');
  const table = await cluster.runCli(['nodes', 'tokens', 'ls']);
  t.regex(table.stdout, /^TOKEN ID +OPERATOR +CREATED +STATUS\n/);
  t.regex(table.stdout, /\ndefault +default +\S+ +active \(--join-token\)\n/);
  t.regex(table.stdout, new RegExp(`\\n${id} +late-op +\\S+ +revoked \\S+\\n`));
  const noOperator = await cluster.runCli(['nodes', 'tokens', 'create']);
  t.is(noOperator.code, 2);
  t.is(noOperator.stderr, 'shardgate nodes tokens: --operator NAME is required\n');
  const again = await cluster.runCli(['nodes', 'tokens', 'revoke', id]);
  t.is(again.code, 1);
  t.regex(again.stderr, /^shardgate nodes tokens: 409 join token \S+ was revoked at \S+\n$/);
  cluster.joinTokenFor = async () => token; // node 6 gets the revoked token
  const late = await cluster.startNode(6);
  const [code] = await once(late.child, 'exit') as [number];
  t.is(code, 1);
  t.regex(late.output(), /JOIN_TOKEN_INVALID/);
  t.is((await adminNodes(cluster)).length, cluster.nodeCount, 'no node was admitted');

  // 5. A tombstoned id is out for good: its heartbeats and its registration are refused.
  const doomed = await nodeRecord(cluster, 5);
  const store = SqliteMetaStore.open(path.join(cluster.root, 'gateway', 'meta.sqlite'));
  try {
    await store.tombstoneNode(doomed.id, 'disqualified', new Date());
  } finally {
    await store.close();
  }
  const [doomedCode] = await once(cluster.nodes[5]!.child, 'exit') as [number];
  t.is(doomedCode, 1);
  t.regex(cluster.nodes[5]!.output(), /NODE_TOMBSTONED/);
  t.regex(cluster.gateway.output(), /"event":"node_registration_refused".*"reason":"NODE_TOMBSTONED"/);
});
