/**
 * Billing through the real gateway: one cluster for the file, one bucket per scenario (all
 * requests are the root account's), invoices read from the admin API and the `shardgate usage`
 * CLI. A response's metering happens when the gateway sees it closed, a moment after the client
 * has it, so checks poll the invoice until the request appears (never a fixed sleep).
 */
import { createServer, type AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import anyTest, { type ExecutionContext, type TestFn } from 'ava';
import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { BucketUsage, Invoice } from '../src/billing/invoice.ts';
import { seededBytes, startCluster, type TestCluster } from './cluster.ts';

const test = anyTest as TestFn<{ cluster: TestCluster; s3: S3Client; from: string }>;
const MIB = 1024 * 1024;

// Hooks have no t.teardown: the cluster's cleanup is collected here and run by test.after.always.
const cleanups: (() => unknown)[] = [];
test.before(async (t) => {
  const hook = { teardown: (cleanup: () => unknown) => { cleanups.push(cleanup); } } as unknown as ExecutionContext;
  const cluster = await startCluster(hook);
  t.context = { cluster, s3: cluster.s3(), from: new Date(Date.now() - 60_000).toISOString() };
});
test.after.always(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function invoice(cluster: TestCluster, from: string): Promise<Invoice> {
  return cluster.admin<Invoice>(`/_/admin/usage?account=root&from=${encodeURIComponent(from)}`);
}

/** The bucket's usage once `done` holds (or the deadline passes: the assertions then show why). */
async function bucketUsage(t: { context: { cluster: TestCluster; from: string } }, bucket: string, done: (usage: BucketUsage) => boolean): Promise<BucketUsage> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const usage = (await invoice(t.context.cluster, t.context.from)).buckets.find((entry) => entry.bucket === bucket);
    if ((usage && done(usage)) || Date.now() > deadline) return usage!;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const requestsOf = (usage: BucketUsage) => usage.writeRequests + usage.readRequests + usage.freeRequests + usage.unbilledRequests;

test.serial('a ranged GET bills the bytes of the range; a whole GET the object; HEAD nothing', async (t) => {
  const { s3 } = t.context;
  await s3.send(new CreateBucketCommand({ Bucket: 'ranged' }));
  const body = seededBytes(300_000, 1);
  await s3.send(new PutObjectCommand({ Bucket: 'ranged', Key: 'object.bin', Body: body }));
  const part = await s3.send(new GetObjectCommand({ Bucket: 'ranged', Key: 'object.bin', Range: 'bytes=1000-1999' }));
  t.true(Buffer.from(await part.Body!.transformToByteArray()).equals(body.subarray(1000, 2000)));
  let usage = await bucketUsage(t, 'ranged', (current) => current.readRequests === 1);
  t.is(usage.bytesOut, 1000);
  t.is(usage.writeRequests, 2, 'CreateBucket and PutObject');
  t.true(usage.bytesIn >= 300_000, `bytes in ${usage.bytesIn}: the body as it came over the wire (aws-chunked framing included)`);

  await (await s3.send(new GetObjectCommand({ Bucket: 'ranged', Key: 'object.bin' }))).Body!.transformToByteArray();
  await s3.send(new HeadObjectCommand({ Bucket: 'ranged', Key: 'object.bin' }));
  usage = await bucketUsage(t, 'ranged', (current) => current.readRequests === 3);
  t.is(usage.bytesOut, 1000 + 300_000);
});

test.serial('an aborted download bills the bytes that were sent, not the object size', async (t) => {
  const { s3 } = t.context;
  const size = 16 * MIB;
  await s3.send(new CreateBucketCommand({ Bucket: 'aborted' }));
  await s3.send(new PutObjectCommand({ Bucket: 'aborted', Key: 'movie.bin', Body: seededBytes(size, 2) }));
  const response = await s3.send(new GetObjectCommand({ Bucket: 'aborted', Key: 'movie.bin' }));
  const stream = response.Body as Readable;
  let received = 0;
  for await (const piece of stream) {
    received += (piece as Buffer).length;
    if (received >= 64 * 1024) break; // leaving the loop destroys the stream: the client hangs up
  }
  const usage = await bucketUsage(t, 'aborted', (current) => current.readRequests === 1);
  t.log(`received ${received} bytes, billed ${usage.bytesOut} of ${size}`);
  t.true(usage.bytesOut >= received, `billed ${usage.bytesOut} ≥ received ${received}`);
  t.true(usage.bytesOut < size / 2, `billed ${usage.bytesOut}, far below the ${size}-byte object`);
});

test.serial('request classes per bucket; a failed request that authenticated is billed, an unauthenticated one is not', async (t) => {
  const { s3, cluster } = t.context;
  await s3.send(new CreateBucketCommand({ Bucket: 'requests' }));
  for (const key of ['a/1', 'a/2', 'b']) await s3.send(new PutObjectCommand({ Bucket: 'requests', Key: key, Body: 'tiny' }));
  await (await s3.send(new GetObjectCommand({ Bucket: 'requests', Key: 'b' }))).Body!.transformToByteArray();
  await s3.send(new HeadObjectCommand({ Bucket: 'requests', Key: 'b' }));
  await s3.send(new ListObjectsV2Command({ Bucket: 'requests' }));
  await s3.send(new DeleteObjectCommand({ Bucket: 'requests', Key: 'b' }));
  const missing = await t.throwsAsync(s3.send(new GetObjectCommand({ Bucket: 'requests', Key: 'nope' })));
  t.is((missing as { name?: string }).name, 'NoSuchKey');

  const unbilledBefore = (await cluster.metrics()).unbilledRequests!;
  const stranger = new S3Client({
    endpoint: cluster.gatewayUrl, region: 'us-east-1', forcePathStyle: true, maxAttempts: 1,
    credentials: { accessKeyId: cluster.accessKeyId, secretAccessKey: 'wrong-secret' },
  });
  t.teardown(() => stranger.destroy());
  const refused = await t.throwsAsync(stranger.send(new GetObjectCommand({ Bucket: 'requests', Key: 'a/1' })));
  t.is((refused as { name?: string }).name, 'SignatureDoesNotMatch');

  const usage = await bucketUsage(t, 'requests', (current) => requestsOf(current) === 9);
  t.like(usage, { writeRequests: 5, readRequests: 3, freeRequests: 1, unbilledRequests: 0, bytesOut: 4, objectsBelowFloor: 3 });
  const deadline = Date.now() + 15_000;
  while ((await cluster.metrics()).unbilledRequests! <= unbilledBefore && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  t.is((await cluster.metrics()).unbilledRequests, unbilledBefore + 1, 'the bad signature is counted, billed to nobody');
});

test.serial('admin API: 401 without a token, 403 with a wrong one, 400 naming the parameter', async (t) => {
  const { cluster } = t.context;
  const get = async (path: string, token?: string) => {
    const response = await fetch(`${cluster.gatewayUrl}${path}`, { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const noToken = await get('/_/admin/usage?account=root');
  t.is(noToken.status, 401);
  t.false('lines' in noToken.body);
  const wrongToken = await get('/_/admin/usage?account=root', 'not-the-token');
  t.is(wrongToken.status, 403);
  t.false('lines' in wrongToken.body);
  const bad = (query: string) => get(`/_/admin/usage?${query}`, cluster.adminToken);
  t.like(await bad(''), { status: 400, body: { error: 'InvalidParameter', parameter: 'account' } });
  t.like(await bad('account=nobody'), { status: 400, body: { parameter: 'account', message: 'account "nobody" does not exist' } });
  t.like(await bad('account=root&from=last-tuesday'), { status: 400, body: { parameter: 'from' } });
  t.like(await bad('account=root&from=2025-01-01&to=2025-02-30'), { status: 400, body: { parameter: 'to' } });
  t.like(await bad('account=root&from=2025-02-01&to=2025-01-01'), { status: 400, body: { parameter: 'to', message: 'to (2025-01-01T00:00:00.000Z) must be after from (2025-02-01T00:00:00.000Z)' } });
  t.like(await bad('account=root&form=2025-01-01'), { status: 400, body: { parameter: 'form' } });
  t.like(await get('/_/admin/usage/advice?limit=0', cluster.adminToken), { status: 400, body: { parameter: 'limit' } });
  t.is((await get('/_/admin/usage/advice', 'not-the-token')).status, 403);
});

test.serial('shardgate usage prints the invoice with the floor line, --json, --advise, and one-line errors', async (t) => {
  const { cluster, s3, from } = t.context;
  await s3.send(new CreateBucketCommand({ Bucket: 'hls' }));
  for (let i = 0; i < 5; i += 1) await s3.send(new PutObjectCommand({ Bucket: 'hls', Key: `720p/seg-${i}.ts`, Body: seededBytes(4096, i) }));

  const text = await cluster.runCli(['usage', '--account', 'root', '--from', from]);
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /^Invoice for account root \(/);
  const floorLine = /^ {2}(\d+) objects below 1 MiB billed as 1 MiB: \+(\d+\.\d+) GB-month, \+\$(\d+\.\d+)$/m.exec(text.stdout);
  t.truthy(floorLine, text.stdout);
  t.true(Number(floorLine![1]) >= 8, 'the 5 segments and the 3 tiny objects at least');
  t.regex(text.stdout, /^ {2}Total +\$\d+\.\d+$/m);

  const json = await cluster.runCli(['usage', '--account', 'root', '--from', from, '--json']);
  t.is(json.code, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as Invoice;
  t.deepEqual(parsed.lines.map((line) => line.item), ['storage', 'small-object-floor', 'egress', 'write-requests', 'read-requests']);

  const advice = await cluster.runCli(['usage', '--advise', '--account', 'root']);
  t.is(advice.code, 0, advice.stderr);
  t.regex(advice.stdout, /^ {2}hls\/720p\/ +5 +20480 +5242880 +1048576 +0\.004194304 +\$0\.000016777$/m);

  const closedPort = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
  const help = await cluster.runCli(['usage', '--help']);
  t.is(help.code, 0);
  t.regex(help.stdout, /--admin-token/);
  for (const [args, env, message] of [
    [['--account', 'nobody'], {}, /^shardgate usage: 400 account "nobody" does not exist\n$/],
    [['--account', 'root', '--from', 'soon'], {}, /^shardgate usage: 400 from must be an ISO 8601 time/],
    [['--account', 'root'], { SHARDGATE_ADMIN_TOKEN: 'wrong' }, /^shardgate usage: 403 wrong admin token\n$/],
    [['--account', 'root'], { SHARDGATE_ADMIN_TOKEN: '' }, /^shardgate usage: --admin-token \(or SHARDGATE_ADMIN_TOKEN\) is required\n$/],
    [[], {}, /^shardgate usage: --account NAME is required \(or --advise\)\n$/],
    [['--account', 'root', '--bogus'], {}, /^shardgate usage: unknown option --bogus/],
    [['--account', 'root'], { SHARDGATE_ENDPOINT: `http://127.0.0.1:${closedPort}` }, new RegExp(`^shardgate usage: cannot reach the gateway at http://127\\.0\\.0\\.1:${closedPort}: ECONNREFUSED\n$`)],
  ] as const) {
    const result = await cluster.runCli(['usage', ...args], env);
    t.not(result.code, 0, args.join(' '));
    t.regex(result.stderr, message, args.join(' '));
    t.is(result.stderr.trim().split('\n').length, 1, `one line: ${result.stderr}`);
  }
});
