/**
 * SIGTERM/SIGINT on real gateway and shard-node processes: a GET in flight finishes byte-identical
 * while a request whose headers complete during the drain gets S3 XML 503 ServiceUnavailable (and
 * its connection closed) and a new connection is refused; exit 0 after the drain. A second signal
 * exits at once (143). A PUT uploading when the gateway and a node get SIGTERM completes (the node
 * still takes its commit). A PUT still uploading at `--shutdown-timeout` is cut (exit 124), leaves no object, and the next start's
 * janitor collects the shards it had committed. A node cut at its own deadline exits 124 too.
 */
import { connect, type Socket } from 'node:net';
import { readdirSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import test from 'ava';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { TestCluster, s3ErrorOf, seededBytes, sleep, type ManagedProcess } from './cluster.ts';
import { signedHeaders } from './signed-request.ts';

const CHUNK = 64 * 1024;
const SEGMENT = 8 * 1024 * 1024; // two 4 MiB write batches: a segment's shard uploads stay open between them
// A short write lease: the cut write's shards are collected 5 s after its gateway stopped renewing it.
const cluster = new TestCluster({ chunkSize: CHUNK, maxSegmentSize: SEGMENT, gatewayArgs: ['--write-lease', '5000'], nodeArgs: (index) => (index === 5 ? ['--shutdown-timeout', '1s'] : []) });
const big = seededBytes(16 * 1024 * 1024, 7);

test.before(async () => {
  await cluster.startGateway();
  for (let i = 0; i < cluster.nodeCount; i++) await cluster.startNode(i);
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'pub', ACL: 'public-read' }));
  await s3.send(new PutObjectCommand({ Bucket: 'pub', Key: 'big', Body: big }));
});
test.after.always(() => cluster.close());

function exited(process: ManagedProcess): Promise<number | null> {
  if (process.child.exitCode !== null) return Promise.resolve(process.child.exitCode);
  return new Promise((resolve) => process.child.once('exit', (code) => resolve(code)));
}

async function waitForLog(process: ManagedProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const match = process.output().match(pattern);
    if (match) return match;
    await sleep(50);
  }
  throw new Error(`no ${pattern} in:\n${process.output().slice(-3000)}`);
}

/** A GET of pub/big whose reading pauses after the first 64 KiB. */
async function pausedGet(): Promise<{ socket: Socket; received: Buffer[]; ended: Promise<Buffer> }> {
  const { host } = new URL(cluster.gatewayUrl);
  const socket = connect(Number(new URL(cluster.gatewayUrl).port), '127.0.0.1');
  const received: Buffer[] = [];
  let total = 0;
  let paused = false;
  const ended = new Promise<Buffer>((resolve) => socket.on('close', () => resolve(Buffer.concat(received))));
  socket.on('error', () => {});
  await new Promise<void>((resolve) => {
    socket.on('data', (data: Buffer) => {
      received.push(data);
      total += data.length;
      if (total >= 64 * 1024 && !paused) {
        paused = true;
        socket.pause();
        resolve();
      }
    });
    socket.write(`GET /pub/big HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
  });
  return { socket, received, ended };
}

test.serial('SIGTERM: the GET in flight finishes byte-identical, new requests are refused, exit 0', async (t) => {
  const gateway = cluster.gateway;
  const { socket, ended } = await pausedGet();
  // A second connection whose request has begun (half its headers) but is not yet a request.
  const late = connect(Number(new URL(cluster.gatewayUrl).port), '127.0.0.1');
  const lateAnswer = new Promise<string>((resolve) => {
    let text = '';
    late.setEncoding('utf8').on('data', (data: string) => { text += data; });
    late.on('close', () => resolve(text));
    late.on('error', () => {});
  });
  await new Promise<void>((resolve) => late.write(`GET /pub/big HTTP/1.1\r\nHost: ${new URL(cluster.gatewayUrl).host}\r\n`, () => resolve()));
  await sleep(200);
  gateway.child.kill('SIGTERM');
  const started = await waitForLog(gateway, /"shutdown_started".*"inFlight":(\d+)/);
  t.is(Number(started[1]), 1, 'the GET was in flight when the drain began');

  // A new connection is not served any more: it gets no HTTP answer. Refused once the listener
  // is closed; reset when the kernel had queued it in the listen backlog as the listener closed;
  // closed unanswered (undici's UND_ERR_SOCKET) when it was accepted just before the close and
  // dropped as idle by the drain. Each of the three was seen in CI runs.
  const refused = await fetch(`${cluster.gatewayUrl}/_/health`).then(
    (response) => `an HTTP ${response.status}`,
    (error: { cause?: { code?: string } }) => error.cause?.code,
  );
  t.true(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET'].includes(String(refused)), `a new connection got ${String(refused)}`);

  // The request that completes its headers now gets S3 XML 503, and its connection is closed.
  late.write('\r\n');
  const second = await lateAnswer;
  t.regex(second, /^HTTP\/1\.1 503 /);
  t.regex(second, /connection: close/i);
  t.regex(second, /<Code>ServiceUnavailable<\/Code>/);
  t.regex(second, /shutting down/);

  socket.resume();
  const bytes = await ended;
  const headEnd = bytes.indexOf('\r\n\r\n');
  const head = bytes.subarray(0, headEnd).toString('latin1');
  t.regex(head, /^HTTP\/1\.1 200 /);
  t.regex(head, new RegExp(`content-length: ${big.length}`, 'i'));
  const body = bytes.subarray(headEnd + 4, headEnd + 4 + big.length);
  t.is(bytes.length, headEnd + 4 + big.length, 'nothing after the body');
  t.true(body.equals(big), 'the GET in flight finished byte-identical');

  t.is(await exited(gateway), 0);
  t.regex(gateway.output(), /"shutdown_drained"/);
  t.regex(gateway.output(), /"shutdown_complete"/);
});

test.serial('a second signal during the drain exits at once with 128 + the signal', async (t) => {
  await cluster.startGateway();
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  const gateway = cluster.gateway;
  const { socket } = await pausedGet();
  gateway.child.kill('SIGTERM');
  await waitForLog(gateway, /"shutdown_started"/);
  gateway.child.kill('SIGTERM');
  t.is(await exited(gateway), 143);
  t.regex(gateway.output(), /"shutdown_forced".*"inFlight":1/);
  t.notRegex(gateway.output(), /"shutdown_complete"/);
  socket.destroy();
});

test.serial('a PUT uploading when the gateway and a node get SIGTERM finishes within the deadline: committed, byte-identical, exit 0 for both', async (t) => {
  await cluster.startGateway();
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  const gateway = cluster.gateway;
  const node = cluster.nodes[4]!;
  const nodeFilesBefore = new Set(cluster.shardFiles(4));
  const body = seededBytes(SEGMENT + 6 * 1024 * 1024, 11);
  const credentials = { accessKeyId: cluster.accessKeyId, secretAccessKey: cluster.secretKey };
  const headers = await signedHeaders({ gatewayUrl: cluster.gatewayUrl, credentials }, 'PUT', '/pub/finished', { 'content-length': String(body.length) });
  const upload = request(`${cluster.gatewayUrl}/pub/finished`, { method: 'PUT', headers });
  const answer = new Promise<number>((resolve, reject) => {
    upload.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    upload.on('error', reject);
  });
  const half = SEGMENT + 5 * 1024 * 1024; // the second segment's first 4 MiB batch goes out, the rest waits
  await new Promise<void>((resolve) => upload.write(body.subarray(0, half), () => resolve()));
  // The first segment is committed everywhere, the second's uploads are open on node 4.
  const uploadsInProgress = () => readdirSync(path.join(node.dataDir, 'tmp')).filter((name) => name.endsWith('.part'));
  for (let attempt = 0; uploadsInProgress().length === 0 || cluster.shardFiles(4).length === nodeFilesBefore.size; attempt++) {
    if (attempt > 400) t.fail('node 4 never received the second segment\'s upload');
    await sleep(50);
  }
  gateway.child.kill('SIGTERM');
  node.child.kill('SIGTERM');
  await waitForLog(gateway, /"shutdown_started".*"inFlight":1/);
  await waitForLog(node, /"shutdown_started"/);
  upload.end(body.subarray(half));
  t.is(await answer, 200, 'the PUT in flight completed');
  t.is(await exited(gateway), 0);
  t.is(await exited(node), 0);
  t.regex(node.output(), /"shutdown_drained"/);
  // Node 4 committed its shard of the second segment during its drain (commits are still taken).
  t.is(cluster.shardFiles(4).length, nodeFilesBefore.size + 2);

  await cluster.startGateway();
  await cluster.startNode(4);
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  const stored = await cluster.s3().send(new GetObjectCommand({ Bucket: 'pub', Key: 'finished' }));
  t.true(Buffer.from(await stored.Body!.transformToByteArray()).equals(body));
});

test.serial('a PUT still uploading at the deadline is cut: exit 124, no object, its shards collected; a node cut at its deadline exits 124', async (t) => {
  // The gateway the previous test restarted is running.
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  const baseline = cluster.allShardFiles();
  // The gateway restarts with a 2 s deadline.
  cluster.gateway.child.kill('SIGTERM');
  t.is(await exited(cluster.gateway), 0);
  // The cluster's gateway flags are fixed: the deadline goes by environment (spawned processes inherit it).
  process.env.SHARDGATE_SHUTDOWN_TIMEOUT = '2s';
  try {
    await cluster.startGateway();
  } finally {
    delete process.env.SHARDGATE_SHUTDOWN_TIMEOUT;
  }
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  const gateway = cluster.gateway;

  const total = 3 * SEGMENT;
  const credentials = { accessKeyId: cluster.accessKeyId, secretAccessKey: cluster.secretKey };
  const headers = await signedHeaders({ gatewayUrl: cluster.gatewayUrl, credentials }, 'PUT', '/pub/cut', { 'content-length': String(total) });
  const upload = request(`${cluster.gatewayUrl}/pub/cut`, { method: 'PUT', headers });
  upload.on('error', () => {});
  const piece = seededBytes(256 * 1024, 9);
  for (let sent = 0; sent < SEGMENT + 5 * 1024 * 1024; sent += piece.length) {
    if (!upload.write(piece)) await new Promise((resolve) => upload.once('drain', resolve));
  }
  // The first segment is committed on the nodes (pending in metadata), the second's uploads are open.
  for (let attempt = 0; cluster.allShardFiles().size < baseline.size + 6; attempt++) {
    if (attempt > 400) t.fail('the first segments were never committed');
    await sleep(50);
  }

  // Node 5 (--shutdown-timeout 1s) receives a shard upload of the second segment: in flight.
  const node = cluster.nodes[5]!;
  const uploadsInProgress = () => readdirSync(path.join(node.dataDir, 'tmp')).filter((name) => name.endsWith('.part'));
  for (let attempt = 0; uploadsInProgress().length === 0; attempt++) {
    if (attempt > 400) t.fail('node 5 never received the second segment\'s upload');
    await sleep(50);
  }
  node.child.kill('SIGTERM');
  t.is(await exited(node), 124);
  t.regex(node.output(), /"shutdown_deadline".*"cutRequests":1/);
  t.deepEqual(uploadsInProgress(), [], 'the cut upload\'s temp file is removed');

  gateway.child.kill('SIGTERM');
  t.is(await exited(gateway), 124);
  t.regex(gateway.output(), /"shutdown_deadline".*"cutRequests":1/);
  t.regex(gateway.output(), /"shutdown_complete"/);
  upload.destroy();

  // The next gateway collects the cut write's shards once its lease (5 s) has run out unrenewed.
  await cluster.startGateway();
  await cluster.startNode(5);
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  const missing = await s3ErrorOf(t, cluster.s3().send(new HeadObjectCommand({ Bucket: 'pub', Key: 'cut' })));
  t.is(missing.status, 404);
  for (let attempt = 0; ; attempt++) {
    const now = cluster.allShardFiles();
    if (now.size === baseline.size && [...now].every((file) => baseline.has(file))) break;
    if (attempt > 600) t.fail(`${now.size - baseline.size} shard files of the cut write left`);
    await sleep(100);
  }
  t.pass();
});
