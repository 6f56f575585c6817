/**
 * Object options with the AWS SDK's defaults: representation headers stored and returned,
 * conditional PUT (If-None-Match: *, If-Match), every checksum algorithm S3 defines (header and
 * aws-chunked trailer), returned only with checksum mode and never on a ranged GET, and
 * GetBucketVersioning.
 */
import { Readable } from 'node:stream';
import test, { type ExecutionContext } from 'ava';
import {
  CreateBucketCommand, GetBucketVersioningCommand, GetObjectCommand, HeadObjectCommand, PutBucketVersioningCommand,
  PutObjectCommand, S3ServiceException, type ChecksumAlgorithm,
} from '@aws-sdk/client-s3';
import { checksumBase64 } from '../src/s3/checksums/algorithms.ts';
import { seededBytes } from './cluster.ts';
import { useSharedCluster } from './shared-cluster.ts';

const BUCKET = 'options';
const cluster = useSharedCluster(test, {}, async (started) => {
  await started.s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
});

async function failure(t: ExecutionContext, promise: Promise<unknown>): Promise<[string, number | undefined]> {
  const error = await t.throwsAsync(promise);
  return [(error as S3ServiceException).name, (error as S3ServiceException).$metadata?.httpStatusCode];
}

test.serial('Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires: stored, returned, overridable', async (t) => {
  const s3 = cluster().s3();
  const expires = new Date('2099-10-21T07:28:00Z');
  await s3.send(new PutObjectCommand({
    Bucket: BUCKET, Key: 'page.html.gz', Body: seededBytes(1000, 3), ContentType: 'text/html', CacheControl: 'max-age=3600, public',
    ContentDisposition: 'attachment; filename="page.html"', ContentEncoding: 'gzip', ContentLanguage: 'de-CH', Expires: expires,
  }));
  const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'page.html.gz' }));
  t.like(head, {
    ContentType: 'text/html', CacheControl: 'max-age=3600, public', ContentDisposition: 'attachment; filename="page.html"',
    ContentEncoding: 'gzip', ContentLanguage: 'de-CH',
  });
  t.is(head.Expires?.toISOString(), expires.toISOString());
  const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'page.html.gz', ResponseCacheControl: 'no-store', ResponseContentLanguage: 'en' }));
  t.like(get, { CacheControl: 'no-store', ContentLanguage: 'en', ContentEncoding: 'gzip', ContentDisposition: 'attachment; filename="page.html"' });
  t.true(Buffer.from(await get.Body!.transformToByteArray()).equals(seededBytes(1000, 3)));

  // A stream body goes aws-chunked (Content-Encoding: aws-chunked,gzip on the wire): only gzip is the object's.
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'streamed.gz', Body: Readable.from([Buffer.from('zipped?')]), ContentLength: 7, ContentEncoding: 'gzip' }));
  t.is((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'streamed.gz' }))).ContentEncoding, 'gzip');
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'streamed', Body: Readable.from([Buffer.from('plain')]), ContentLength: 5 }));
  t.is((await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'streamed' }))).ContentEncoding, undefined);
});

test.serial('conditional PUT: If-None-Match: * creates only; If-Match replaces only that version', async (t) => {
  const s3 = cluster().s3();
  const created = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lock', Body: 'first', IfNoneMatch: '*' }));
  t.deepEqual(await failure(t, s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lock', Body: 'second', IfNoneMatch: '*' }))), ['PreconditionFailed', 412]);
  t.deepEqual(await failure(t, s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lock', Body: 'third', IfMatch: '"0123456789abcdef0123456789abcdef"' }))), ['PreconditionFailed', 412]);
  t.deepEqual(await failure(t, s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'absent', Body: 'x', IfMatch: created.ETag }))), ['NoSuchKey', 404]);
  t.deepEqual(await failure(t, s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lock', Body: 'x', IfNoneMatch: created.ETag }))), ['NotImplemented', 501]);
  t.is(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'lock' }))).Body!.transformToString(), 'first', 'refused writes changed nothing');

  const replaced = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lock', Body: 'fourth', IfMatch: created.ETag }));
  t.not(replaced.ETag, created.ETag);
  t.deepEqual(await failure(t, s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'lock', Body: 'fifth', IfMatch: created.ETag }))), ['PreconditionFailed', 412]);
  t.is(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'lock' }))).Body!.transformToString(), 'fourth');
});

test.serial('two racing If-None-Match: * uploads of one key: exactly one wins, the other is 412', async (t) => {
  const s3 = cluster().s3();
  const bodies = [seededBytes(3 * 1024 * 1024, 10), seededBytes(3 * 1024 * 1024, 11)];
  const outcomes = await Promise.allSettled(bodies.map((Body) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'race', Body, IfNoneMatch: '*' }))));
  const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [index] : []));
  t.is(winners.length, 1);
  const loser = outcomes.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult;
  t.is((loser.reason as S3ServiceException).$metadata.httpStatusCode, 412);
  const stored = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'race' }))).Body!.transformToByteArray());
  t.true(stored.equals(bodies[winners[0]!]!), 'the winner\'s bytes, whole');
});

/** The algorithms of the issue (S3 has since added MD5, SHA512 and XXHASH*; shardgate refuses those as unsupported). */
const ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const satisfies readonly ChecksumAlgorithm[];
type Algorithm = (typeof ALGORITHMS)[number];

test.serial('every checksum algorithm, in a header (buffer body) and in a trailer (stream body): verified, kept, returned on request', async (t) => {
  const s3 = cluster().s3();
  const body = seededBytes(200_000, 21);
  for (const algorithm of ALGORITHMS) {
    const name = algorithm.toLowerCase() as Lowercase<Algorithm>;
    const expected = checksumBase64(name, body);
    const field = `Checksum${algorithm}` as const;
    const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `sum-${name}`, Body: body, ChecksumAlgorithm: algorithm }));
    t.is(put[field], expected, `${algorithm} PUT response`);
    const streamed = await s3.send(new PutObjectCommand({
      Bucket: BUCKET, Key: `sum-${name}-stream`, Body: Readable.from([body.subarray(0, 70_000), body.subarray(70_000)]), ContentLength: body.length, ChecksumAlgorithm: algorithm,
    }));
    t.is(streamed[field], expected, `${algorithm} streamed PUT response`);

    const plainHead = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `sum-${name}` }));
    t.is(plainHead[field], undefined, `${algorithm}: no checksum without checksum mode`);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `sum-${name}-stream`, ChecksumMode: 'ENABLED' }));
    t.is(head[field], expected, `${algorithm} HEAD`);
    t.is(head.ChecksumType, 'FULL_OBJECT');
    // The SDK validates a returned full-object checksum against the body it reads.
    const get = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `sum-${name}`, ChecksumMode: 'ENABLED' }));
    t.is(get[field], expected, `${algorithm} GET`);
    t.true(Buffer.from(await get.Body!.transformToByteArray()).equals(body));
    const ranged = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: `sum-${name}`, ChecksumMode: 'ENABLED', Range: 'bytes=100-199' }));
    t.is(ranged[field], undefined, `${algorithm}: never the whole-object checksum on a range`);
    t.true(Buffer.from(await ranged.Body!.transformToByteArray()).equals(body.subarray(100, 200)));
  }
});

test.serial('a wrong checksum is BadDigest and stores nothing; the old version stays', async (t) => {
  const s3 = cluster().s3();
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept', Body: 'old' }));
  for (const algorithm of ALGORITHMS) {
    const field = `Checksum${algorithm}` as const;
    const wrong = checksumBase64(algorithm.toLowerCase() as Lowercase<Algorithm>, Buffer.from('something else'));
    t.deepEqual(await failure(t, s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept', Body: 'new', [field]: wrong }))), ['BadDigest', 400], algorithm);
    t.deepEqual(await failure(t, s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'never', Body: 'new', [field]: wrong }))), ['BadDigest', 400], algorithm);
  }
  t.is(await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'kept' }))).Body!.transformToString(), 'old');
  t.deepEqual(await failure(t, s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'never' }))), ['NotFound', 404]);
});

test.serial('GetBucketVersioning: never enabled; PutBucketVersioning is not implemented', async (t) => {
  const s3 = cluster().s3();
  const versioning = await s3.send(new GetBucketVersioningCommand({ Bucket: BUCKET }));
  t.is(versioning.Status, undefined);
  t.is(versioning.MFADelete, undefined);
  t.deepEqual(await failure(t, s3.send(new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: 'Enabled' } }))), ['NotImplemented', 501]);
  t.deepEqual(await failure(t, s3.send(new GetBucketVersioningCommand({ Bucket: 'no-such-bucket' }))), ['NoSuchBucket', 404]);
});
