/**
 * Slow clients use their own resources: uploads that stall after their first batch hold write
 * connections to every node, yet reads (own pool) and other accounts' uploads (admitted under the
 * global limit, spare write connections) complete; past the per-account limit uploads get 503
 * SlowDown; and a body that stops sending is aborted after --body-progress-timeout with its shards
 * collected.
 */
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getObjectBytes, seededBytes, sleep, startCluster, type TestCluster } from './cluster.ts';
import { signedHeaders } from './signed-request.ts';

/** More than the 64 connections per node the gateway's one shared pool had. */
const STALLED_UPLOADS = 100;
/** One full encoding batch (4 MiB) and a bit: the upload's segment writer is open on every node when it stalls. */
const SENT_BEFORE_STALL = 4 * 1024 * 1024 + 300 * 1024;
const DECLARED_LENGTH = 8 * 1024 * 1024;

interface RawResponse {
  readonly status: number;
  readonly body: string;
}

/** Starts a signed PUT that sends `sent` of `declared` bytes and then nothing; `response` settles if the gateway answers or cuts it. */
async function stalledPut(cluster: TestCluster, s3: S3Client, key: string, sent: number, declared: number) {
  const credentials = await s3.config.credentials();
  const headers = await signedHeaders({ gatewayUrl: cluster.gatewayUrl, credentials }, 'PUT', `/bkt/${key}`, { 'content-length': String(declared) });
  const upload: ClientRequest = request(`${cluster.gatewayUrl}/bkt/${key}`, { method: 'PUT', headers, agent: false });
  const response = new Promise<RawResponse | 'cut'>((resolve) => {
    upload.on('response', (answer: IncomingMessage) => {
      let body = '';
      answer.setEncoding('utf8').on('data', (text: string) => { body += text; });
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body }));
      answer.on('error', () => resolve({ status: answer.statusCode ?? 0, body }));
    });
    upload.on('error', () => resolve('cut'));
  });
  const piece = seededBytes(256 * 1024, sent);
  for (let written = 0; written < sent;) {
    const length = Math.min(piece.length, sent - written);
    if (!upload.write(piece.subarray(0, length))) {
      const drained = await Promise.race([new Promise((resolve) => upload.once('drain', () => resolve(true))), response.then(() => false)]);
      if (!drained) break;
    }
    written += length;
  }
  return { upload, response };
}

/** Upload temp files on a node: one per upload it is receiving right now. */
function uploadsInProgress(cluster: TestCluster, index: number): number {
  try {
    return readdirSync(path.join(cluster.nodes[index]!.dataDir, 'tmp')).filter((name) => !name.endsWith('.hashes')).length;
  } catch {
    return 0;
  }
}

/** `promise`, or a failure once `ms` have passed: a bound on "never completes", not a speed assertion. */
function completes<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => { throw new Error(`${what} did not complete within ${ms} ms`); })]);
}

test('stalled uploads do not stop a concurrent GET and another account\'s PUT; past the per-account limit an upload gets SlowDown', async (t) => {
  const cluster = await startCluster(t, {
    gatewayArgs: ['--max-uploads', '110', '--max-uploads-per-client', String(STALLED_UPLOADS), '--body-progress-timeout', '600000'],
  });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const small = seededBytes(8 * 1024, 1); // above --inline-max-bytes: the GET reads shards from the nodes
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'small', Body: small }));

  const stalled: ClientRequest[] = [];
  t.teardown(() => { for (const upload of stalled) upload.destroy(); });
  for (let i = 0; i < STALLED_UPLOADS; i++) {
    stalled.push((await stalledPut(cluster, s3, `stalled-${i}`, SENT_BEFORE_STALL, DECLARED_LENGTH)).upload);
  }
  // Every stalled upload holds an open shard upload on every node.
  await completes((async () => {
    while (cluster.nodes.some((node) => uploadsInProgress(cluster, node.index) < STALLED_UPLOADS)) await sleep(200);
  })(), 45_000, 'the stalled uploads reaching the nodes');

  t.true((await completes(getObjectBytes(s3, { Bucket: 'bkt', Key: 'small' }), 20_000, 'an 8 KiB GET')).equals(small));
  const { memory } = await cluster.admin<{ memory: { rssBytes: number } }>('/_/admin/metrics');
  t.log(`gateway RSS with ${STALLED_UPLOADS} stalled uploads: ${(memory.rssBytes / 2 ** 20).toFixed(0)} MiB`);

  const one = await stalledPut(cluster, s3, 'one-too-many', 10, 10);
  stalled.push(one.upload);
  const refused = await one.response;
  t.like(refused, { status: 503 });
  t.regex((refused as RawResponse).body, /<Code>SlowDown<\/Code>/);

  const keys = await (await fetch(`${cluster.gatewayUrl}/_/admin/keys`, {
    method: 'POST', headers: { authorization: `Bearer ${cluster.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ account: 'other' }),
  })).json() as { accessKeyId: string; secretKey: string };
  const other = cluster.s3({ credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretKey } });
  await other.send(new CreateBucketCommand({ Bucket: 'other-bkt' }));
  const body = seededBytes(100_000, 2);
  await completes(other.send(new PutObjectCommand({ Bucket: 'other-bkt', Key: 'fresh', Body: body })), 20_000, 'a 100 KB PUT');
  t.true((await getObjectBytes(other, { Bucket: 'other-bkt', Key: 'fresh' })).equals(body));
});

test('a body that stops sending is aborted after --body-progress-timeout and its shards are collected', async (t) => {
  const cluster = await startCluster(t, { chunkSize: 4096, maxSegmentSize: 64 * 1024, gatewayArgs: ['--body-progress-timeout', '2000'] });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  const before = cluster.allShardFiles();

  // 300 KiB of 1 MiB: four 64 KiB segments are committed on the nodes, then the body stops.
  const { upload, response } = await stalledPut(cluster, s3, 'stalls', 300 * 1024, 1024 * 1024);
  t.teardown(() => upload.destroy());
  const answer = await completes(response, 30_000, 'the stalled PUT being aborted');
  t.like(answer, { status: 400 });
  t.regex((answer as RawResponse).body, /<Code>RequestTimeout<\/Code>/);
  // The janitor waits 5 s before deleting garbage: the committed segments' shards are still there.
  const written = [...cluster.allShardFiles()].filter((file) => !before.has(file));
  t.true(written.length >= 6, `the stalled write had committed shards (${written.length})`);

  t.deepEqual(await cluster.waitUntilShardFilesGone(written, 30_000), [], 'every shard of the abandoned write is collected');
  await completes((async () => {
    while (cluster.nodes.some((node) => uploadsInProgress(cluster, node.index) > 0)) await sleep(200);
  })(), 30_000, 'the nodes dropping the unfinished shard uploads');
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'after', Body: 'ok' }));
  t.is((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'after' })).toString(), 'ok');
});

/**
 * Opens a signed GET, takes its status line and first piece, then reads nothing until `resume()`,
 * which reads on and settles with how the body ended: in full, or cut short by the gateway.
 */
async function stalledGet(cluster: TestCluster, s3: S3Client, key: string) {
  const credentials = await s3.config.credentials();
  const headers = await signedHeaders({ gatewayUrl: cluster.gatewayUrl, credentials }, 'GET', `/bkt/${key}`);
  const get = request(`${cluster.gatewayUrl}/bkt/${key}`, { method: 'GET', headers, agent: false });
  const answer = await new Promise<IncomingMessage>((resolve, reject) => {
    get.on('error', reject);
    get.on('response', resolve);
    get.end();
  });
  let received = 0;
  const ended = new Promise<'complete' | 'cut'>((resolve) => {
    answer.on('end', () => resolve('complete'));
    answer.on('error', () => resolve('cut'));
    answer.on('close', () => resolve(answer.complete ? 'complete' : 'cut'));
  });
  await new Promise<void>((resolve) => answer.once('data', (piece: Buffer) => { received += piece.length; answer.pause(); resolve(); }));
  return {
    status: answer.statusCode ?? 0,
    async resume() {
      answer.on('data', (piece: Buffer) => { received += piece.length; });
      answer.resume();
      return { ended: await ended, received };
    },
  };
}

test('a GET client that stops reading is cut after --send-progress-timeout and other reads go on', async (t) => {
  // Long enough that the test's own reading client is never taken for a stalled one on a busy machine.
  const cluster = await startCluster(t, { gatewayArgs: ['--send-progress-timeout', '5000'] });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'bkt' }));
  // More than the loopback socket buffers on both sides hold, so the gateway is left waiting for the client.
  const big = seededBytes(24 * 1024 * 1024, 3);
  await s3.send(new PutObjectCommand({ Bucket: 'bkt', Key: 'big', Body: big }));

  const readers = await Promise.all([1, 2, 3].map(() => stalledGet(cluster, s3, 'big')));
  await completes((async () => {
    while ((cluster.gateway.output().match(/"client_stopped_reading"/g) ?? []).length < readers.length) await sleep(200);
  })(), 30_000, 'the gateway giving up on the stalled readers');
  for (const reader of readers) {
    t.is(reader.status, 200);
    const { ended, received } = await completes(reader.resume(), 30_000, 'a cut body ending');
    t.is(ended, 'cut', 'the body is short, never complete-looking');
    t.true(received < big.length);
  }
  t.true((await getObjectBytes(s3, { Bucket: 'bkt', Key: 'big' })).equals(big), 'a reader that reads is served whole');
  t.is((cluster.gateway.output().match(/"client_stopped_reading"/g) ?? []).length, readers.length, 'only the stalled readers were cut');
});
