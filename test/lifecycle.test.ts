/**
 * Bucket lifecycle end to end, on one small cluster whose lifecycle day lasts 3 s: the SDK's
 * Put/Get/DeleteBucketLifecycleConfiguration and their errors, boto3's round trip, objects expiring
 * at the (scaled) midnight their rule says while the others stay, `x-amz-expiration` on PUT, GET
 * and HEAD, and an abandoned multipart upload aborted with its parts' shards collected from the nodes.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import {
  CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketLifecycleCommand, GetBucketLifecycleConfigurationCommand,
  GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand, PutBucketLifecycleConfigurationCommand,
  PutObjectCommand, UploadPartCommand, type LifecycleRule, type S3Client,
} from '@aws-sdk/client-s3';
import { nextMidnightAfterDays } from '../src/lifecycle/lifecycle-match.ts';
import { addedFiles, getObjectBytes, s3ErrorOf, seededBytes } from './cluster.ts';
import { waitFor } from './repair-helpers.ts';
import { useSharedCluster } from './shared-cluster.ts';

const DAY_MS = 3_000;
const cluster = useSharedCluster(test, {
  nodes: 3, dataShards: 2, parityShards: 1, chunkSize: 4096,
  gatewayArgs: ['--lifecycle-day-seconds', String(DAY_MS / 1000), '--lifecycle-interval', '300ms'],
});

async function putRules(s3: S3Client, bucket: string, rules: LifecycleRule[]): Promise<void> {
  await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules } }));
}

/** `expiry-date="…", rule-id="…"` → [ms, rule id]. */
function parseExpiration(header: string | undefined): [number, string] {
  const match = /^expiry-date="([^"]+)", rule-id="([^"]*)"$/.exec(header ?? '');
  if (!match) throw new Error(`not an x-amz-expiration value: ${header}`);
  return [Date.parse(match[1]!), match[2]!];
}

/** The expiry a 1-day rule gives an object whose Last-Modified (whole seconds) is `lastModified`. */
function expectedExpiries(lastModified: Date): number[] {
  return [nextMidnightAfterDays(lastModified.getTime(), 1, DAY_MS), nextMidnightAfterDays(lastModified.getTime() + 999, 1, DAY_MS)];
}

async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
    throw error;
  }
}

/** Waits until the key is gone and checks it did not go before `expiryMs`. */
async function goneAfter(t: ExecutionContext, s3: S3Client, bucket: string, key: string, expiryMs: number): Promise<void> {
  await waitFor(`${key} to expire`, async () => {
    if (await exists(s3, bucket, key)) return false;
    t.true(Date.now() >= expiryMs, `${key} was deleted before its expiry`);
    return true;
  }, 60_000);
  t.like(await s3ErrorOf(t, s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))), { name: 'NoSuchKey', status: 404 });
}

test('Put, Get and DeleteBucketLifecycleConfiguration round-trip with the JS SDK; S3\'s errors', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'rules' }));
  t.like(await s3ErrorOf(t, s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'rules' }))), { name: 'NoSuchLifecycleConfiguration', status: 404 });
  const rules: LifecycleRule[] = [
    { ID: 'logs', Filter: { Prefix: 'logs/' }, Status: 'Enabled', Expiration: { Days: 30 } },
    { ID: 'legacy', Prefix: 'old/', Status: 'Disabled', Expiration: { Date: new Date('2030-01-01T00:00:00Z') } },
    { ID: 'uploads', Filter: {}, Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
    { ID: 'tagged', Filter: { Tag: { Key: 'kind', Value: 'scratch' } }, Status: 'Enabled', Expiration: { Days: 1 } },
    {
      ID: 'and', Status: 'Enabled', Expiration: { Days: 2 },
      Filter: { And: { Prefix: 'tmp/', Tags: [{ Key: 'a', Value: '1' }], ObjectSizeGreaterThan: 10, ObjectSizeLessThan: 1000 } },
    },
  ];
  await putRules(s3, 'rules', rules);
  const stored = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'rules' }));
  t.deepEqual(stored.Rules, [
    { ID: 'logs', Filter: { Prefix: 'logs/' }, Status: 'Enabled', Expiration: { Days: 30 } },
    { ID: 'legacy', Prefix: 'old/', Status: 'Disabled', Expiration: { Date: new Date('2030-01-01T00:00:00Z') } },
    { ID: 'uploads', Filter: {}, Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
    { ID: 'tagged', Filter: { Tag: { Key: 'kind', Value: 'scratch' } }, Status: 'Enabled', Expiration: { Days: 1 } },
    {
      ID: 'and', Status: 'Enabled', Expiration: { Days: 2 },
      Filter: { And: { Prefix: 'tmp/', Tags: [{ Key: 'a', Value: '1' }], ObjectSizeGreaterThan: 10, ObjectSizeLessThan: 1000 } },
    },
  ]);
  const refused = async (bad: LifecycleRule[]) => s3ErrorOf(t, putRules(s3, 'rules', bad));
  t.like(await refused([{ ID: 'zero', Filter: {}, Status: 'Enabled', Expiration: { Days: 0 } }]), { name: 'InvalidArgument', status: 400 });
  t.like(await refused([{ ID: 'noon', Filter: {}, Status: 'Enabled', Expiration: { Date: new Date('2030-01-01T12:00:00Z') } }]),
    { name: 'InvalidArgument', status: 400 });
  t.like(await refused([{ ID: 'both', Filter: {}, Status: 'Enabled', Expiration: { Days: 1, Date: new Date('2030-01-01T00:00:00Z') } }]),
    { name: 'InvalidArgument', status: 400 });
  t.like(await refused([{ ID: 'x', Filter: {}, Status: 'Enabled', Expiration: { Days: 1 } }, { ID: 'x', Filter: {}, Status: 'Enabled', Expiration: { Days: 2 } }]),
    { name: 'InvalidArgument', status: 400 });
  t.like(await refused([{ ID: 'status', Filter: {}, Status: 'On' as 'Enabled', Expiration: { Days: 1 } }]), { name: 'MalformedXML', status: 400 });
  t.like(await refused([{ ID: 'no-filter', Status: 'Enabled', Expiration: { Days: 1 } }]), { name: 'MalformedXML', status: 400 });
  t.like(await refused([{ ID: 'marker', Filter: {}, Status: 'Enabled', Expiration: { ExpiredObjectDeleteMarker: true } }]), { name: 'NotImplemented', status: 501 });
  t.like(await refused([{ ID: 'glacier', Filter: {}, Status: 'Enabled', Transitions: [{ Days: 1, StorageClass: 'GLACIER' }] }]), { name: 'NotImplemented', status: 501 });
  t.deepEqual((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'rules' }))).Rules?.map((rule) => rule.ID),
    ['logs', 'legacy', 'uploads', 'tagged', 'and'], 'a refused configuration changes nothing');
  t.like(await s3ErrorOf(t, putRules(cluster().s3(), 'no-such-bucket', rules)), { name: 'NoSuchBucket', status: 404 });
  await s3.send(new DeleteBucketLifecycleCommand({ Bucket: 'rules' }));
  t.like(await s3ErrorOf(t, s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'rules' }))), { name: 'NoSuchLifecycleConfiguration', status: 404 });
  await s3.send(new DeleteBucketLifecycleCommand({ Bucket: 'rules' })); // none left: still 204
});

test('objects expire at the scaled midnight their rule says; outside the prefix or below the size filter they stay; x-amz-expiration on PUT, GET, HEAD', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'expiry' }));
  await putRules(s3, 'expiry', [
    { ID: 'logs', Filter: { Prefix: 'logs/' }, Status: 'Enabled', Expiration: { Days: 1 } },
    { ID: 'big', Filter: { And: { Prefix: 'sized/', ObjectSizeGreaterThan: 100 } }, Status: 'Enabled', Expiration: { Days: 1 } },
    { ID: 'sentinel', Filter: { Prefix: 'zz/' }, Status: 'Enabled', Expiration: { Days: 1 } },
  ]);
  const bodies = { 'logs/a': seededBytes(5000, 1), 'keep/b': seededBytes(5000, 2), 'sized/tiny': seededBytes(50, 3), 'sized/big': seededBytes(5000, 4) };
  const put = await s3.send(new PutObjectCommand({ Bucket: 'expiry', Key: 'logs/a', Body: bodies['logs/a'] }));
  for (const key of ['keep/b', 'sized/tiny', 'sized/big'] as const) await s3.send(new PutObjectCommand({ Bucket: 'expiry', Key: key, Body: bodies[key] }));

  const head = await s3.send(new HeadObjectCommand({ Bucket: 'expiry', Key: 'logs/a' }));
  const [expiryMs, ruleId] = parseExpiration(head.Expiration);
  t.is(ruleId, 'logs');
  t.true(expectedExpiries(head.LastModified!).includes(expiryMs), `expiry ${expiryMs} is the next scaled midnight after Last-Modified + 1 day`);
  t.is(put.Expiration, head.Expiration, 'PUT answers the same x-amz-expiration');
  const got = await s3.send(new GetObjectCommand({ Bucket: 'expiry', Key: 'logs/a' }));
  t.is(got.Expiration, head.Expiration);
  await got.Body!.transformToByteArray();
  const [bigExpiryMs, bigRule] = parseExpiration((await s3.send(new HeadObjectCommand({ Bucket: 'expiry', Key: 'sized/big' }))).Expiration);
  t.is(bigRule, 'big');
  for (const key of ['keep/b', 'sized/tiny']) {
    t.is((await s3.send(new HeadObjectCommand({ Bucket: 'expiry', Key: key }))).Expiration, undefined, `no rule expires ${key}`);
  }

  await goneAfter(t, s3, 'expiry', 'logs/a', expiryMs);
  await goneAfter(t, s3, 'expiry', 'sized/big', bigExpiryMs);
  // A pass that deletes the sentinel (after every other key in order) has walked the whole bucket after the others' expiry.
  const sentinel = await s3.send(new PutObjectCommand({ Bucket: 'expiry', Key: 'zz/sentinel', Body: 'x' }));
  await goneAfter(t, s3, 'expiry', 'zz/sentinel', parseExpiration(sentinel.Expiration)[0]);
  for (const key of ['keep/b', 'sized/tiny'] as const) {
    t.deepEqual(await getObjectBytes(s3, { Bucket: 'expiry', Key: key }), bodies[key], `${key} stays`);
  }
});

// Serial (AVA runs it before the others): the shard files it watches must be only its uploads'.
test.serial('an abandoned multipart upload is aborted after DaysAfterInitiation and its parts\' shards are collected; others stay', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
  const before = cluster().allShardFiles();
  const start = async (key: string) => {
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: key }));
    for (const partNumber of [1, 2]) {
      await s3.send(new UploadPartCommand({ Bucket: 'uploads', Key: key, UploadId, PartNumber: partNumber, Body: seededBytes(20_000, partNumber) }));
    }
    return UploadId!;
  };
  const abandoned = await start('up/movie.mp4');
  const abandonedFiles = addedFiles(before, cluster().allShardFiles());
  t.true(abandonedFiles.length >= 6, 'two parts, three shards each');
  const keptBefore = cluster().allShardFiles();
  const kept = await start('keep/movie.mp4');
  const keptFiles = addedFiles(keptBefore, cluster().allShardFiles());
  await putRules(s3, 'uploads', [{ ID: 'abort', Filter: { Prefix: 'up/' }, Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }]);

  await waitFor('the upload to be aborted', async () => {
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads' }));
    return !(listed.Uploads ?? []).some((upload) => upload.UploadId === abandoned);
  }, 60_000);
  t.like(await s3ErrorOf(t, s3.send(new ListPartsCommand({ Bucket: 'uploads', Key: 'up/movie.mp4', UploadId: abandoned }))), { name: 'NoSuchUpload', status: 404 });
  await waitFor('the aborted parts\' shard files to be deleted', async () => {
    const files = cluster().allShardFiles();
    return abandonedFiles.every((file) => !files.has(file));
  }, 60_000);
  const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads' }));
  t.deepEqual((listed.Uploads ?? []).map((upload) => upload.UploadId), [kept]);
  const files = cluster().allShardFiles();
  t.true(keptFiles.every((file) => files.has(file)), 'the other upload\'s shards stay');
});

test('boto3: put, get and delete a lifecycle configuration', async (t) => {
  const target = cluster();
  const script = fileURLToPath(new URL('./clients/boto3_lifecycle.py', import.meta.url));
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: target.accessKeyId, AWS_SECRET_ACCESS_KEY: target.secretKey, AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: path.join(target.root, 'no-aws-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(target.root, 'no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true', SHARDGATE_ENDPOINT: target.gatewayUrl, BUCKET: 'boto3-lifecycle',
  };
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile('python3', [script], { env, timeout: 120_000 }, (error, out, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(out)));
  });
  t.deepEqual(JSON.parse(stdout), {
    missing: ['NoSuchLifecycleConfiguration', 404],
    rules: [
      { ID: 'logs', Filter: { Prefix: 'logs/' }, Status: 'Enabled', Expiration: { Days: 30 } },
      { ID: 'uploads', Filter: {}, Status: 'Enabled', AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
      {
        ID: 'big-tmp', Status: 'Disabled', Expiration: { Days: 1 },
        Filter: { And: { Prefix: 'tmp/', ObjectSizeGreaterThan: 1024, Tags: [{ Key: 'kind', Value: 'scratch' }] } },
      },
    ],
    days_zero: ['InvalidArgument', 400],
    after_delete: ['NoSuchLifecycleConfiguration', 404],
  });
});
