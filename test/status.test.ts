/**
 * `shardgate status` (one screen from `/_/admin/status`, `--json`, `--watch`) and `shardgate node
 * status` (read from a node's data directory) against a real cluster.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import type { GatewayStatus } from '../gateway/status-route.ts';
import { s3ErrorOf, seededBytes, sleep } from './cluster.ts';
import { useSharedCluster } from './shared-cluster.ts';

const CLI = fileURLToPath(new URL('../bin/cli.ts', import.meta.url));
const cluster = useSharedCluster(test, { nodes: 3, dataShards: 2, parityShards: 1, chunkSize: 16 * 1024, gatewayArgs: ['--repair-check-interval', '1s'] });

test.serial('status --json is the admin API\'s /_/admin/status; the text shows the gateway, requests, and a row per node', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'status-test' }));
  await s3.send(new PutObjectCommand({ Bucket: 'status-test', Key: 'a', Body: seededBytes(100_000, 1) }));
  await s3ErrorOf(t, s3.send(new GetObjectCommand({ Bucket: 'status-test', Key: 'missing' })));
  const api = await cluster().admin<GatewayStatus>('/_/admin/status');
  const result = await cluster().runCli(['status', '--json']);
  t.is(result.code, 0, result.stderr);
  const cli = JSON.parse(result.stdout) as GatewayStatus;
  const version = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  t.is(cli.gateway.version, version);
  t.is(cli.gateway.startedAt, api.gateway.startedAt);
  t.deepEqual(cli.nodes, api.nodes);
  t.deepEqual(cli.nodeList.map(({ id, zone, state }) => ({ id, zone, state })), api.nodeList.map(({ id, zone, state }) => ({ id, zone, state })));
  t.is(cli.nodeList.length, 3);
  t.true(cli.requests.total >= 3, 'CreateBucket, PutObject and the failed GET');
  t.true(cli.requests.clientErrors >= 1, 'the 404');
  // Once the checker has passed, the data stored is the segment bytes: the 100,000-byte object.
  for (let attempt = 0; ; attempt++) {
    const status = await cluster().admin<GatewayStatus>('/_/admin/status');
    if (status.segments.completedAt !== null && status.segments.segments === 1) {
      t.is(status.segments.dataBytes, 100_000);
      t.deepEqual(status.objects, { count: 1, bytes: 100_000 });
      break;
    }
    if (attempt > 200) t.fail('no checker pass counted the object');
    await sleep(100);
  }

  const text = await cluster().runCli(['status']);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, new RegExp(`^gateway {7}shardgate ${version.replace(/\./g, '\\.')}, up `, 'm'));
  t.regex(text.stdout, /^requests {6}\d+ in the last .*: \d+ 4xx, \d+ 5xx \(\d+\.\d% server errors\)$/m);
  t.regex(text.stdout, /^stored {8}97\.7 KiB of data in 1 segments/m);
  t.regex(text.stdout, /^objects {7}1 \(97\.7 KiB\)$/m);
  t.regex(text.stdout, /^nodes {9}3 online$/m);
  t.regex(text.stdout, /^NODE +ZONE +STATE +USED +FREE +HEARTBEAT +READ P95$/m);
  for (const node of api.nodeList) t.regex(text.stdout, new RegExp(`^${node.id}  ${node.zone} +online +.* ago +`, 'm'));
});

test.serial('status --watch redraws every interval; a bad interval is one line and exit 2', async (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'status', '--watch', '0.5'], {
    env: { ...process.env, SHARDGATE_ENDPOINT: cluster().gatewayUrl, SHARDGATE_ADMIN_TOKEN: cluster().adminToken },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => { output += text; });
  t.teardown(() => child.kill('SIGKILL'));
  for (let attempt = 0; (output.match(/^shardgate status {2}http/gm) ?? []).length < 3; attempt++) {
    if (attempt > 600) t.fail(`fewer than 3 frames:\n${output}`);
    await sleep(50);
  }
  const frames = output.split(/^(?=shardgate status {2}http)/m).filter(Boolean);
  t.true(frames.length >= 3);
  for (const frame of frames.slice(0, 3)) t.regex(frame, /^nodes {9}3 online$/m);
  t.notRegex(output, /\x1b\[/, 'no terminal control codes when stdout is not a terminal');

  const bad = await cluster().runCli(['status', '--watch', '0.1']);
  t.is(bad.code, 2);
  t.is(bad.stderr, 'shardgate status: --watch takes seconds from 0.5 to 3600, got "0.1"\n');
});

interface NodeStatusView {
  nodeId: string; running: boolean; shards: { count: number; bytes: number }; space: { freeBytes: number; capacityBytes: number };
  state: { zone: string; registration: { state: string; operatorId?: string; secretEpoch?: number }; lastHeartbeat: { ok: boolean } | null; stoppedAt: string | null };
}

test.serial('node status reads a node\'s data directory: id, operator, registration, heartbeat, shards, disk; and after it stopped', async (t) => {
  const node = cluster().nodes[2]!;
  const nodeId = (JSON.parse(readFileSync(path.join(node.dataDir, 'node.json'), 'utf8')) as { nodeId: string }).nodeId;
  const { nodes } = await cluster().admin<{ nodes: { id: string; operatorId: string }[] }>('/_/admin/nodes');
  let view: NodeStatusView;
  for (let attempt = 0; ; attempt++) {
    const result = await cluster().runCli(['node', 'status', '--data-dir', node.dataDir, '--json']);
    t.is(result.code, 0, result.stderr);
    view = JSON.parse(result.stdout) as NodeStatusView;
    if (view.state.lastHeartbeat !== null) break;
    if (attempt > 100) t.fail('no heartbeat recorded');
    await sleep(200);
  }
  t.is(view.nodeId, nodeId);
  t.true(view.running);
  t.is(view.state.zone, 'zone-2');
  t.is(view.state.registration.state, 'registered');
  t.is(view.state.registration.operatorId, nodes.find((entry) => entry.id === nodeId)!.operatorId);
  t.true(view.state.lastHeartbeat!.ok);
  t.is(view.shards.count, cluster().shardFiles(2).length);
  t.true(view.shards.count >= 1);
  t.true(view.space.freeBytes > 0 && view.space.capacityBytes >= view.space.freeBytes);

  const text = await cluster().runCli(['node', 'status', '--data-dir', node.dataDir]);
  t.regex(text.stdout, new RegExp(`^node {10}${nodeId}  zone zone-2  operator `, 'm'));
  t.regex(text.stdout, /^process {7}running \(pid \d+\)/m);
  t.regex(text.stdout, /^gateway {7}http:\/\/127\.0\.0\.1:\d+: registered .* ago \(secret epoch \d+\)$/m);
  t.regex(text.stdout, /^heartbeat {5}ok .* ago$/m);
  t.regex(text.stdout, new RegExp(`^shards {8}${view.shards.count} \\(`, 'm'));
  // The node's own scrub (default 8 MiB/s, a pass a day; its first pass runs at registration).
  t.regex(text.stdout, /^scrub {9}(last pass finished .* ago: \d+ shards \(.*\), 0 corrupt|no pass finished yet) \(.+\/s, a pass every 1440 min\)$/m);

  node.child.kill('SIGTERM');
  await new Promise((resolve) => node.child.once('exit', resolve));
  t.is(node.child.exitCode, 0);
  const stopped = JSON.parse((await cluster().runCli(['node', 'status', '--data-dir', node.dataDir, '--json'])).stdout) as NodeStatusView;
  t.false(stopped.running);
  t.is(stopped.state.registration.state, 'stopped');
  t.not(stopped.state.stoppedAt, null);
  t.regex((await cluster().runCli(['node', 'status', '--data-dir', node.dataDir])).stdout, /^process {7}stopped at /m);

  const missing = await cluster().runCli(['node', 'status', '--data-dir', path.join(cluster().root, 'nowhere')]);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /^shardgate node status: no shard node data in .*nowhere \(no node\.json\); give --data-dir\n$/);
});
