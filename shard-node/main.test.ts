import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { signNodeRequest } from '../src/node-protocol/signature.ts';
import type { AddressInfo } from 'node:net';
import { chmod, mkdir, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashChunks } from '../src/integrity/hash-list.ts';
import { shardCommitPath, shardPath, shardUploadPath } from '../src/node-protocol/routes.ts';
import { startShardNode } from './main.ts';
import { RegistrationRejectedError } from './registration.ts';
import {
  TEST_JOIN_TOKEN, makeTempDir, memoryLogger, rawRequest, signedRequest, startFakeGateway, startTestNode, testNodeConfig,
} from './test-support.ts';

const FAST_RETRY = { backoff: { initialMs: 5, maxMs: 20 } };

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}

test('registers with the gateway, then sends signed heartbeats the gateway can verify', async (t) => {
  const node = await startTestNode(t);
  const [registration] = node.gateway.registrations;
  t.like(registration, { nodeId: node.node.nodeId, url: node.node.url, zone: 'zone-a', joinToken: TEST_JOIN_TOKEN });
  t.regex(registration!.publicKey, /^[A-Za-z0-9_-]{43}$/);
  t.true(registration!.capacityBytes > 0);
  t.regex(node.node.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  await node.gateway.waitFor(() => node.gateway.heartbeats.length >= 2);
  for (const heartbeat of node.gateway.heartbeats) {
    t.is(heartbeat.verdict, 'ok');
    t.is(heartbeat.body.nodeId, node.node.nodeId);
    t.true(heartbeat.body.capacityBytes >= heartbeat.body.freeBytes);
  }
});

test('registration retries while the gateway is unavailable', async (t) => {
  const gateway = await startFakeGateway({ joinToken: TEST_JOIN_TOKEN });
  t.teardown(() => gateway.close());
  gateway.failRegistrations = 3;
  const node = await startTestNode(t, { gateway, node: FAST_RETRY });
  t.is(gateway.failRegistrations, 0);
  t.is(gateway.registrations.length, 1);
  t.is((await node.request({ method: 'GET', path: '/shards' })).status, 200);
});

test('a node registers again when the gateway forgets it', async (t) => {
  const node = await startTestNode(t, { node: FAST_RETRY });
  node.gateway.forgotten.add(node.node.nodeId);
  await node.gateway.waitFor(() => node.gateway.registrations.length >= 2);
  t.is(node.gateway.registrations[1]!.nodeId, node.node.nodeId);
  const heartbeatsBefore = node.gateway.heartbeats.length;
  await node.gateway.waitFor(() => node.gateway.heartbeats.length > heartbeatsBefore);
  t.is(node.gateway.heartbeats.at(-1)!.verdict, 'ok');
});

for (const skewMinutes of [10, -10]) {
  test(`signatures work when the node's clock is ${Math.abs(skewMinutes)} minutes ${skewMinutes > 0 ? 'behind' : 'ahead of'} the gateway's`, async (t) => {
    const clockOffsetMs = skewMinutes * 60_000;
    const gateway = await startFakeGateway({ joinToken: TEST_JOIN_TOKEN, clockOffsetMs });
    t.teardown(() => gateway.close());
    const node = await startTestNode(t, { gateway });
    await gateway.waitFor(() => gateway.heartbeats.length >= 2);
    t.deepEqual(gateway.heartbeats.map((h) => h.verdict).slice(0, 2), ['ok', 'ok']);
    const gatewayNowSeconds = Math.floor((Date.now() + clockOffsetMs) / 1000);
    const fresh = await node.request({ method: 'GET', path: '/shards', expiresAt: gatewayNowSeconds + 60 });
    t.is(fresh.status, 200);
    const stale = await node.request({ method: 'GET', path: '/shards', expiresAt: gatewayNowSeconds - 60 });
    t.is(stale.status, 403);
  });
}

test('a wrong join token is refused; an unregistered node answers 503', async (t) => {
  const gateway = await startFakeGateway({ joinToken: 'the-real-token' });
  t.teardown(() => gateway.close());
  const dataDir = await makeTempDir(t);
  const node = await startShardNode(testNodeConfig(dataDir, gateway.url), { logger: memoryLogger() });
  t.teardown(() => node.close());
  const error = await t.throwsAsync(node.registered, { instanceOf: RegistrationRejectedError });
  t.is(error?.code, 'REGISTRATION_REJECTED');
  const response = await signedRequest(node.url, 'ab'.repeat(32), { method: 'GET', path: '/shards' });
  t.is(response.status, 503);
  t.is((JSON.parse(response.body.toString()) as { error: string }).error, 'NOT_REGISTERED');
});

test('a node whose gateway never answers still serves /health and closes promptly', async (t) => {
  const dataDir = await makeTempDir(t);
  const node = await startShardNode(testNodeConfig(dataDir, await closedPortUrl()), { logger: memoryLogger(), ...FAST_RETRY });
  const health = await rawRequest(node.url, { method: 'GET', path: '/health' });
  t.is(health.status, 200);
  await node.close();
  await t.throwsAsync(node.registered);
});

test('a restart with the same data dir keeps the node id and the shards', async (t) => {
  const dataDir = await makeTempDir(t);
  const gateway = await startFakeGateway({ joinToken: TEST_JOIN_TOKEN });
  t.teardown(() => gateway.close());
  const first = await startShardNode(testNodeConfig(dataDir, gateway.url), { logger: memoryLogger() });
  await first.registered;
  const firstSecret = gateway.secretFor(first.nodeId);
  const secret = firstSecret;
  const id = `${'ab'.repeat(16)}.2`;
  const data = Buffer.alloc(256, 9);
  await signedRequest(first.url, secret, { method: 'PUT', path: shardUploadPath(id, 128), body: data });
  t.is((await signedRequest(first.url, secret, { method: 'POST', path: shardCommitPath(id), body: Buffer.from(hashChunks(data, 128)) })).status, 204);
  await first.close();

  const second = await startShardNode(testNodeConfig(dataDir, gateway.url), { logger: memoryLogger() });
  t.teardown(() => second.close());
  await second.registered;
  t.is(second.nodeId, first.nodeId);
  t.deepEqual(gateway.registrations.map((r) => r.nodeId), [first.nodeId, first.nodeId]);
  t.is(gateway.registrations[1]!.publicKey, gateway.registrations[0]!.publicKey, 'the same key proves the same identity');
  const secondSecret = gateway.secretFor(second.nodeId);
  t.not(secondSecret, firstSecret, 'every registration rotates the request secret');
  t.is((await signedRequest(second.url, firstSecret, { method: 'GET', path: shardPath(id) })).status, 403, 'the old secret is dead');
  const read = await signedRequest(second.url, secondSecret, { method: 'GET', path: shardPath(id), range: 'bytes=128-255' });
  t.is(read.status, 206);
  t.true(read.body.equals(data.subarray(128)));
  const status = JSON.parse((await signedRequest(second.url, secondSecret, { method: 'GET', path: '/status' })).body.toString()) as { shardCount: number };
  t.is(status.shardCount, 1);
});

test('a corrupt node.json stops the start instead of minting a new id', async (t) => {
  const dataDir = await makeTempDir(t);
  await writeFile(path.join(dataDir, 'node.json'), '{"nodeId": 42}');
  await t.throwsAsync(startShardNode(testNodeConfig(dataDir, 'http://127.0.0.1:1'), { logger: memoryLogger() }), { code: 'NODE_IDENTITY_INVALID' } as never);
});

test('the node key is created 0600 and kept; a broken or world-readable key stops the start', async (t) => {
  const dataDir = await makeTempDir(t);
  const node = await startTestNode(t, { dataDir });
  const keyFile = path.join(dataDir, 'node-key.pem');
  t.is((await stat(keyFile)).mode & 0o777, 0o600);
  const pem = await readFile(keyFile, 'utf8');
  await node.node.close();
  const again = await startShardNode(testNodeConfig(dataDir, node.gateway.url), { logger: memoryLogger() });
  await again.registered;
  await again.close();
  t.is(await readFile(keyFile, 'utf8'), pem, 'a restart keeps the key');
  t.is(node.gateway.registrations[1]!.publicKey, node.gateway.registrations[0]!.publicKey);

  await chmod(keyFile, 0o644);
  await t.throwsAsync(startShardNode(testNodeConfig(dataDir, node.gateway.url), { logger: memoryLogger() }), { message: /chmod 600/ });
  await writeFile(keyFile, 'garbage', { mode: 0o600 });
  await chmod(keyFile, 0o600);
  await t.throwsAsync(startShardNode(testNodeConfig(dataDir, node.gateway.url), { logger: memoryLogger() }), { code: 'NODE_IDENTITY_INVALID' } as never);
  t.is(await readFile(keyFile, 'utf8'), 'garbage', 'never silently replaced');
});

test('a node whose clock is far off corrects it from the gateway\'s refusal and registers', async (t) => {
  const clockOffsetMs = -3 * 60 * 60_000; // the gateway is three hours behind this node
  const gateway = await startFakeGateway({ joinToken: TEST_JOIN_TOKEN, clockOffsetMs });
  t.teardown(() => gateway.close());
  await startTestNode(t, { gateway });
  await gateway.waitFor(() => gateway.heartbeats.length >= 2);
  t.deepEqual(gateway.heartbeats.slice(0, 2).map((h) => h.verdict), ['ok', 'ok']);
  t.true(Math.abs(gateway.registrations[0]!.signedAtMs - (Date.now() + clockOffsetMs)) < 60_000);
});

test('stale temp files are removed at start; fresh ones are kept', async (t) => {
  const dataDir = await makeTempDir(t);
  await mkdir(path.join(dataDir, 'tmp'), { recursive: true });
  const stale = path.join(dataDir, 'tmp', `${'cd'.repeat(16)}.0.data`);
  const fresh = path.join(dataDir, 'tmp', `${'cd'.repeat(16)}.1.data`);
  await writeFile(stale, 'old');
  await writeFile(fresh, 'new');
  const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
  await utimes(stale, twoHoursAgo, twoHoursAgo);
  await startTestNode(t, { dataDir });
  t.deepEqual(await readdir(path.join(dataDir, 'tmp')), [path.basename(fresh)]);
});

test('a configured capacity caps what the node reports', async (t) => {
  const node = await startTestNode(t, { config: { capacityBytes: 10_000 } });
  await node.request({ method: 'PUT', path: shardUploadPath(`${'ee'.repeat(16)}.0`, 1024), body: Buffer.alloc(4096) });
  await node.request({ method: 'POST', path: shardCommitPath(`${'ee'.repeat(16)}.0`), body: Buffer.from(hashChunks(Buffer.alloc(4096), 1024)) });
  const status = JSON.parse((await node.request({ method: 'GET', path: '/status' })).body.toString()) as { capacityBytes: number; freeBytes: number };
  t.is(status.capacityBytes, 10_000);
  t.is(status.freeBytes, 10_000 - 4096 - 4 * 32);
  t.true(node.gateway.registrations[0]!.capacityBytes === 10_000);
});

const CLI_SCRIPT = `import(${JSON.stringify(new URL('./main.ts', import.meta.url).href)}).then((m) => m.runShardNodeCli(process.argv.slice(1)))`;
const REPO_ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function runCli(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CLI_SCRIPT, '--', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, SHARDGATE_GATEWAY_URL: '', SHARDGATE_JOIN_TOKEN: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(([code]) => code as number);
  return { child, exited, output: () => ({ stdout, stderr }) };
}

test('the CLI prints its listening line and stops cleanly on SIGTERM', async (t) => {
  const gateway = await startFakeGateway({ joinToken: TEST_JOIN_TOKEN });
  t.teardown(() => gateway.close());
  const dataDir = await makeTempDir(t);
  const cli = runCli(['--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--gateway', gateway.url, '--join-token', TEST_JOIN_TOKEN, '--zone', 'z9']);
  t.teardown(() => cli.child.kill('SIGKILL'));
  await gateway.waitFor(() => gateway.heartbeats.length >= 1);
  const registration = gateway.registrations[0]!;
  t.is(registration.zone, 'z9');
  t.regex(cli.output().stdout, new RegExp(`^shard node ${registration.nodeId} listening on ${registration.url.replaceAll('.', '\\.')}$`, 'm'));
  cli.child.kill('SIGTERM');
  t.is(await cli.exited, 0);
  t.regex(cli.output().stdout, /"event":"stopped"/);
});

test('the CLI explains bad options in one line and shows --help', async (t) => {
  const bad = runCli(['--gateway', 'http://127.0.0.1:1', '--join-token', 'x', '--port', 'eighty']);
  t.is(await bad.exited, 2);
  t.is(bad.output().stderr.trim().split('\n').length, 1);
  t.regex(bad.output().stderr, /^shardgate node: --port must be an integer/);
  const help = runCli(['--help']);
  t.is(await help.exited, 0);
  t.regex(help.output().stdout, /--join-token/);
});

test('with --tls the node serves HTTPS with a certificate of its registered key', async (t) => {
  const node = await startTestNode(t, { config: { tls: true } });
  t.regex(node.node.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const registration = node.gateway.registrations[0]!;
  t.is(registration.url, node.node.url);
  const { port } = new URL(node.node.url);
  const socket = tls.connect({ host: '127.0.0.1', port: Number(port), rejectUnauthorized: false });
  t.teardown(() => socket.destroy());
  await once(socket, 'secureConnect');
  const certificate = socket.getPeerX509Certificate()!;
  t.is((certificate.publicKey.export({ format: 'jwk' }) as { x: string }).x, registration.publicKey, 'the certificate key is the node key');
  t.true(certificate.verify(certificate.publicKey), 'self-signed');
  t.regex(certificate.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);

  const expiresAt = Math.floor(Date.now() / 1000) + 60;
  const headers = signNodeRequest(node.secret, { method: 'GET', pathWithQuery: '/status', expiresAt });
  const status = await new Promise<{ code: number; body: string }>((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: '/status', headers, ca: certificate.toString(), agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (text: string) => (body += text)).on('end', () => resolve({ code: response.statusCode ?? 0, body }));
    }).on('error', reject);
  });
  t.is(status.code, 200);
  t.is((JSON.parse(status.body) as { nodeId: string }).nodeId, node.node.nodeId);
  await t.throwsAsync(rawRequest(node.node.url, { method: 'GET', path: '/health' }), undefined, 'no plain HTTP on a TLS node');
});
