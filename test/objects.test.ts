import test from 'ava';
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadBucketCommand, HeadObjectCommand,
  ListBucketsCommand, ListObjectsV2Command, PutObjectCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { seededBytes, startCluster, getObjectBytes, s3ErrorOf } from './cluster.ts';

const getBytes = (s3: S3Client, Bucket: string, Key: string, Range?: string) => getObjectBytes(s3, { Bucket, Key, Range });

// A small profile so chunk, stripe and segment boundaries all sit within a few hundred KiB:
// c = 4 KiB, stripe = 16 KiB, segment = 4 stripes = 64 KiB.
const CHUNK = 4096;
const STRIPE = 4 * CHUNK;
const SEGMENT = 4 * STRIPE;

function boundarySizes(): number[] {
  const sizes = new Set<number>([0, 1]);
  for (const boundary of [CHUNK, STRIPE, SEGMENT, 2 * SEGMENT + STRIPE]) {
    for (const delta of [-1, 0, 1]) sizes.add(boundary + delta);
  }
  return [...sizes].sort((a, b) => a - b);
}

test('objects of every boundary size read back byte-identical, whole and by range', async (t) => {
  const cluster = await startCluster(t, { chunkSize: CHUNK, maxSegmentSize: SEGMENT });
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'sizes' }));
  for (const size of boundarySizes()) {
    const body = seededBytes(size, size + 1);
    await s3.send(new PutObjectCommand({ Bucket: 'sizes', Key: `object-${size}`, Body: body }));
    const whole = await getBytes(s3, 'sizes', `object-${size}`);
    t.true(whole.equals(body), `whole object of ${size} bytes`);
  }

  const size = 3 * SEGMENT + STRIPE + 123;
  const body = seededBytes(size, 99);
  await s3.send(new PutObjectCommand({ Bucket: 'sizes', Key: 'ranged', Body: body }));
  const edges = new Set<number>();
  for (let boundary = 0; boundary <= size; boundary += CHUNK) for (const delta of [-1, 0, 1]) edges.add(boundary + delta);
  const points = [...edges].filter((p) => p >= 0 && p < size);
  let checked = 0;
  for (const start of points.filter((_, i) => i % 3 === 0)) {
    for (const length of [1, 2, CHUNK, CHUNK + 1, STRIPE + 1, SEGMENT + 2]) {
      const end = Math.min(size - 1, start + length - 1);
      const got = await getBytes(s3, 'sizes', 'ranged', `bytes=${start}-${end}`);
      if (!got.equals(body.subarray(start, end + 1))) t.fail(`range ${start}-${end}`);
      checked++;
    }
  }
  t.true((await getBytes(s3, 'sizes', 'ranged', 'bytes=-100')).equals(body.subarray(size - 100)), 'suffix range');
  t.true((await getBytes(s3, 'sizes', 'ranged', `bytes=${size - 10}-`)).equals(body.subarray(size - 10)), 'open range');
  t.true(checked > 100);
});

test('a 100 MiB object and objects one byte around the 64 MiB segment size, default profile', async (t) => {
  const cluster = await startCluster(t);
  const s3 = cluster.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'large' }));
  const segment = 64 * 1024 * 1024;
  for (const size of [segment - 1, segment + 1, 100 * 1024 * 1024]) {
    const body = seededBytes(size, size);
    await s3.send(new PutObjectCommand({ Bucket: 'large', Key: `o-${size}`, Body: body }));
    const got = await getBytes(s3, 'large', `o-${size}`);
    t.true(got.equals(body), `${size} bytes whole`);
    for (const [start, end] of [[segment - 2, segment + 1], [segment - 65536, segment - 1], [0, 262143], [262143, 262144]]) {
      if (end! >= size) continue;
      const range = await getBytes(s3, 'large', `o-${size}`, `bytes=${start}-${end}`);
      t.true(range.equals(body.subarray(start!, end! + 1)), `${size} bytes range ${start}-${end}`);
    }
  }
});

test('bucket and object operations answer as S3 does', async (t) => {
  const cluster = await startCluster(t, { chunkSize: CHUNK, maxSegmentSize: SEGMENT });
  const s3 = cluster.s3();

  await s3.send(new CreateBucketCommand({ Bucket: 'ops' }));
  t.deepEqual(await s3ErrorOf(t, s3.send(new CreateBucketCommand({ Bucket: 'ops' }))), { name: 'BucketAlreadyOwnedByYou', status: 409 });
  t.deepEqual(await s3ErrorOf(t, s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' }))), { name: 'InvalidBucketName', status: 400 });
  const buckets = await s3.send(new ListBucketsCommand({}));
  t.deepEqual(buckets.Buckets?.map((b) => b.Name), ['ops']);
  await s3.send(new HeadBucketCommand({ Bucket: 'ops' }));
  t.deepEqual(await s3ErrorOf(t, s3.send(new HeadBucketCommand({ Bucket: 'missing' }))), { name: 'NotFound', status: 404 });

  const body = seededBytes(10_000, 7);
  const put = await s3.send(new PutObjectCommand({ Bucket: 'ops', Key: 'dir/ü b+c.txt', Body: body, ContentType: 'text/plain', Metadata: { color: 'blue' } }));
  t.is(put.ETag, '"' + (await import('node:crypto')).createHash('md5').update(body).digest('hex') + '"');
  const head = await s3.send(new HeadObjectCommand({ Bucket: 'ops', Key: 'dir/ü b+c.txt' }));
  t.is(head.ContentLength, 10_000);
  t.is(head.ContentType, 'text/plain');
  t.is(head.ETag, put.ETag);
  t.deepEqual(head.Metadata, { color: 'blue' });

  t.deepEqual(await s3ErrorOf(t, s3.send(new GetObjectCommand({ Bucket: 'ops', Key: 'nope' }))), { name: 'NoSuchKey', status: 404 });
  t.deepEqual(await s3ErrorOf(t, s3.send(new GetObjectCommand({ Bucket: 'ops', Key: 'dir/ü b+c.txt', Range: 'bytes=10000-' }))), { name: 'InvalidRange', status: 416 });
  const raw = await fetch(`${cluster.gatewayUrl}/ops/dir/x`, { method: 'GET' });
  t.is(raw.status, 403, 'anonymous requests are refused');
  t.regex(await raw.text(), /<Code>AccessDenied<\/Code>/);
  t.truthy(raw.headers.get('x-amz-request-id'));

  for (let i = 0; i < 5; i++) await s3.send(new PutObjectCommand({ Bucket: 'ops', Key: `list/${i}`, Body: `v${i}` }));
  const first = await s3.send(new ListObjectsV2Command({ Bucket: 'ops', Prefix: 'list/', MaxKeys: 2 }));
  t.deepEqual(first.Contents?.map((o) => o.Key), ['list/0', 'list/1']);
  t.true(first.IsTruncated);
  const rest = await s3.send(new ListObjectsV2Command({ Bucket: 'ops', Prefix: 'list/', ContinuationToken: first.NextContinuationToken }));
  t.deepEqual(rest.Contents?.map((o) => o.Key), ['list/2', 'list/3', 'list/4']);
  t.false(rest.IsTruncated);

  t.deepEqual(await s3ErrorOf(t, s3.send(new DeleteBucketCommand({ Bucket: 'ops' }))), { name: 'BucketNotEmpty', status: 409 });
  for (const key of ['dir/ü b+c.txt', 'list/0', 'list/1', 'list/2', 'list/3', 'list/4']) await s3.send(new DeleteObjectCommand({ Bucket: 'ops', Key: key }));
  await s3.send(new DeleteObjectCommand({ Bucket: 'ops', Key: 'never-existed' }));
  await s3.send(new DeleteBucketCommand({ Bucket: 'ops' }));
  t.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets ?? [], []);
});
