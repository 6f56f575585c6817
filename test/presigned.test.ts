/**
 * Presigned URLs made by @aws-sdk/s3-request-presigner, fetched with plain `fetch` (no SDK, no
 * signing on the way): GET, PUT of a body, HEAD, DELETE; an expired URL, a tampered one, one
 * valid for more than 7 days.
 */
import test from 'ava';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Agent } from 'undici';
import { seededBytes } from './cluster.ts';
import { useSharedCluster } from './shared-cluster.ts';

const BUCKET = 'presigned';
const cluster = useSharedCluster(test, {}, async (started) => {
  await started.s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
});

function errorCode(xml: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}

test.serial('GET: the object\'s bytes, with Range too', async (t) => {
  const s3 = cluster().s3();
  const body = seededBytes(300_000, 1);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dir/ü b+c.bin', Body: body }));
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'dir/ü b+c.bin' }), { expiresIn: 600 });
  const whole = await fetch(url);
  t.is(whole.status, 200);
  t.true(Buffer.from(await whole.arrayBuffer()).equals(body));
  const ranged = await fetch(url, { headers: { range: 'bytes=1000-1999' } });
  t.is(ranged.status, 206);
  t.true(Buffer.from(await ranged.arrayBuffer()).equals(body.subarray(1000, 2000)));
});

test.serial('PUT of a body through a URL from a default client, and from one without flexible checksums', async (t) => {
  const s3 = cluster().s3();
  // The default client signs the CRC32 of an empty body into the query (x-amz-checksum-crc32=AAAAAA==);
  // S3 ignores checksum parameters of presigned URLs, and so does shardgate.
  const body = seededBytes(70_000, 2);
  const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: 'uploaded', ContentType: 'application/x-test' }), { expiresIn: 600 });
  t.regex(url, /x-amz-checksum-crc32=/);
  const put = await fetch(url, { method: 'PUT', body: new Uint8Array(body), headers: { 'content-type': 'application/x-test' } });
  t.is(put.status, 200, await put.text());
  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'uploaded' }));
  t.is(got.ContentType, 'application/x-test');
  t.true(Buffer.from(await got.Body!.transformToByteArray()).equals(body));

  const plain = cluster().s3({ requestChecksumCalculation: 'WHEN_REQUIRED' });
  const plainUrl = await getSignedUrl(plain, new PutObjectCommand({ Bucket: BUCKET, Key: 'uploaded-2' }), { expiresIn: 600 });
  t.notRegex(plainUrl, /x-amz-checksum/);
  t.is((await fetch(plainUrl, { method: 'PUT', body: 'second' })).status, 200);
  const second = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'uploaded-2' }));
  t.is(await second.Body!.transformToString(), 'second');
});

test.serial('HEAD and DELETE', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'doomed', Body: 'twelve bytes' }));
  const head = await fetch(await getSignedUrl(s3, new HeadObjectCommand({ Bucket: BUCKET, Key: 'doomed' }), { expiresIn: 600 }), { method: 'HEAD' });
  t.is(head.status, 200);
  t.is(head.headers.get('content-length'), '12');
  const deleted = await fetch(await getSignedUrl(s3, new DeleteObjectCommand({ Bucket: BUCKET, Key: 'doomed' }), { expiresIn: 600 }), { method: 'DELETE' });
  t.is(deleted.status, 204);
  const error = await t.throwsAsync(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'doomed' })));
  t.is((error as S3ServiceException).$metadata.httpStatusCode, 404);
});

test.serial('an expired URL: 403 AccessDenied "Request has expired", nothing served', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'old', Body: 'x' }));
  const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'old' }), {
    expiresIn: 60, signingDate: new Date(Date.now() - 2 * 60 * 60 * 1000),
  });
  const response = await fetch(url);
  const text = await response.text();
  t.is(response.status, 403);
  t.is(errorCode(text), 'AccessDenied');
  t.regex(text, /<Message>Request has expired<\/Message>/);
  const put = await fetch(await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: 'old' }), {
    expiresIn: 1, signingDate: new Date(Date.now() - 60 * 1000),
  }), { method: 'PUT', body: 'overwritten?' });
  t.is(put.status, 403);
  t.is(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'old' }))).Body!.transformToString(), 'x', 'the expired PUT wrote nothing');
});

test.serial('a tampered URL: another key, another expiry, another signature → SignatureDoesNotMatch', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'mine', Body: 'mine' }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'other', Body: 'other' }));
  const url = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'mine' }), { expiresIn: 600 }));
  const variants: [string, URL][] = [];
  const otherKey = new URL(url); otherKey.pathname = `/${BUCKET}/other`; variants.push(['another key', otherKey]);
  const longer = new URL(url); longer.searchParams.set('X-Amz-Expires', '3600'); variants.push(['a longer expiry', longer]);
  const signature = new URL(url);
  signature.searchParams.set('X-Amz-Signature', url.searchParams.get('X-Amz-Signature')!.replace(/^./, (c) => (c === '0' ? '1' : '0')));
  variants.push(['a changed signature', signature]);
  const extra = new URL(url); extra.searchParams.set('response-content-type', 'text/html'); variants.push(['an added parameter', extra]);
  for (const [name, variant] of variants) {
    const response = await fetch(variant);
    t.is(response.status, 403, name);
    t.is(errorCode(await response.text()), 'SignatureDoesNotMatch', name);
  }
});

test.serial('more than 7 days, zero or negative: refused with 403 before the signature is looked at', async (t) => {
  const s3 = cluster().s3();
  const url = new URL(await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'mine' }), { expiresIn: 604_800 }));
  t.is((await fetch(url)).status, 200, 'exactly 7 days is allowed');
  url.searchParams.set('X-Amz-Expires', '604801');
  const response = await fetch(url);
  t.is(response.status, 403, 'S3 answers an out-of-range expiry with 403 (ceph/s3-tests x_amz_expires_out_max_range)');
  const text = await response.text();
  t.is(errorCode(text), 'AccessDenied');
  t.regex(text, /X-Amz-Expires must be less than a week/);
  for (const expires of ['0', '-1000']) {
    const put = new URL(await getSignedUrl(s3, new PutObjectCommand({ Bucket: BUCKET, Key: 'expired-put' }), { expiresIn: 60 }));
    put.searchParams.set('X-Amz-Expires', expires);
    const refused = await fetch(put, { method: 'PUT', body: 'never stored' });
    t.is(refused.status, 403, `X-Amz-Expires=${expires}`);
    t.is(errorCode(await refused.text()), 'AccessDenied');
  }
  t.is((await fetch(await getSignedUrl(s3, new GetObjectCommand({ Bucket: BUCKET, Key: 'expired-put' }), { expiresIn: 60 }))).status, 404);
});

test.serial('a virtual-hosted presigned URL (bucket.localhost) works as the path-style one', async (t) => {
  const { gatewayUrl } = cluster();
  const port = new URL(gatewayUrl).port;
  const virtual = cluster().s3({ endpoint: `http://localhost:${port}`, forcePathStyle: false });
  const url = await getSignedUrl(virtual, new GetObjectCommand({ Bucket: BUCKET, Key: 'mine' }), { expiresIn: 600 });
  t.true(url.startsWith(`http://${BUCKET}.localhost:${port}/mine?`), url);
  // `<bucket>.localhost` need not resolve on this machine: connect to 127.0.0.1 whatever the name.
  const dispatcher = new Agent({ connect: { lookup: (_host, _options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]) } });
  t.teardown(() => dispatcher.close());
  const response = await fetch(url, { dispatcher } as RequestInit);
  t.is(response.status, 200);
  t.is(await response.text(), 'mine');
});
