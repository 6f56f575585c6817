/**
 * `--server-timing`: a ranged GetObject answers with a `Server-Timing` header naming every stage
 * of the read path (auth → first client byte), and the request log line carries the same stages
 * plus the total; without the flag there is no such header (the log line still has the stages).
 */
import test, { type ExecutionContext } from 'ava';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { seededBytes, sleep, startCluster, type TestCluster } from './cluster.ts';
import { signedHeaders } from './signed-request.ts';

const CLUSTER = { nodes: 3, dataShards: 2, parityShards: 1, chunkSize: 4096 } as const;
const BODY = seededBytes(50_000, 11);
const READ_STAGES = ['auth', 'metadata', 'plan', 'hash-list', 'shard-first-byte', 'verify', 'first-byte'];

async function clusterWithObject(t: ExecutionContext, gatewayArgs: string[]): Promise<TestCluster> {
  const cluster = await startCluster(t, { ...CLUSTER, gatewayArgs });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'timed' }));
  await s3.send(new PutObjectCommand({ Bucket: 'timed', Key: 'object.bin', Body: BODY }));
  return cluster;
}

/** A signed ranged GET of bytes [1000, 30000]; the body must be exactly those bytes. */
async function rangedGet(t: ExecutionContext, cluster: TestCluster): Promise<Response> {
  const path = '/timed/object.bin';
  const headers = await signedHeaders(
    { gatewayUrl: cluster.gatewayUrl, credentials: { accessKeyId: cluster.accessKeyId, secretAccessKey: cluster.secretKey } },
    'GET', path, { range: 'bytes=1000-30000' },
  );
  const response = await fetch(`${cluster.gatewayUrl}${path}`, { headers });
  t.is(response.status, 206);
  t.deepEqual(Buffer.from(await response.arrayBuffer()), BODY.subarray(1000, 30001));
  return response;
}

/** The gateway's JSON log line for `requestId` (written when the response closes). */
async function requestLogLine(cluster: TestCluster, requestId: string): Promise<Record<string, unknown>> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const line = cluster.gateway.output().split('\n').find((text) => text.includes(`"requestId":"${requestId}"`) && text.includes('"request"'));
    if (line) return JSON.parse(line) as Record<string, unknown>;
    await sleep(50);
  }
  throw new Error(`no request log line for ${requestId}`);
}

test('with --server-timing a ranged GET has a Server-Timing header of every read stage; the log line has them and the total', async (t) => {
  const cluster = await clusterWithObject(t, ['--server-timing', 'true']);
  for (const read of ['cold (hash lists fetched)', 'warm (hash lists cached)']) {
    const response = await rangedGet(t, cluster);
    const header = response.headers.get('server-timing');
    t.truthy(header, read);
    const entries = header!.split(', ').map((entry) => entry.match(/^([a-z-]+);dur=(\d+\.\d{2})$/));
    t.true(entries.every((entry) => entry !== null), `${read}: ${header}`);
    t.deepEqual(entries.map((entry) => entry![1]), READ_STAGES, read);
    const firstByteMs = Number(entries.at(-1)![2]);
    t.true(entries.slice(0, -1).every((entry) => Number(entry![2]) <= firstByteMs), `${read}: no stage outlasts the first byte: ${header}`);

    const line = await requestLogLine(cluster, response.headers.get('x-amz-request-id')!);
    const stages = line.stagesMs as Record<string, number>;
    t.deepEqual(Object.keys(stages), [...READ_STAGES, 'total'], read);
    t.true(stages.total! >= stages['first-byte']!, read);
  }
});

test('without --server-timing there is no Server-Timing header', async (t) => {
  const cluster = await clusterWithObject(t, []);
  const response = await rangedGet(t, cluster);
  t.is(response.headers.get('server-timing'), null);
  const line = await requestLogLine(cluster, response.headers.get('x-amz-request-id')!);
  t.deepEqual(Object.keys(line.stagesMs as object), [...READ_STAGES, 'total']);
});
