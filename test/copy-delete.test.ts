import test from 'ava';
import {
  CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, HeadObjectCommand,
  PutObjectCommand, S3ServiceException, type S3Client,
} from '@aws-sdk/client-s3';
import { seededBytes, getObjectBytes, s3ErrorOf, addedFiles } from './cluster.ts';
import { useSharedCluster } from './shared-cluster.ts';

const getBytes = (s3: S3Client, Bucket: string, Key: string) => getObjectBytes(s3, { Bucket, Key });

const MiB = 1024 * 1024;
// 1 MiB segments: a 3.5 MiB object has four, so sharing is visible in the shard file count.
const cluster = useSharedCluster(test, { maxSegmentSize: MiB }, async (started) => {
  const s3 = started.s3();
  await s3.send(new CreateBucketCommand({ Bucket: 'copies' }));
  await s3.send(new CreateBucketCommand({ Bucket: 'copies-other' }));
});

test.serial('CopyObject shares the source\'s shards: no new files; either side deleted keeps the other; both → collected', async (t) => {
  const running = cluster();
  const s3 = running.s3();
  const body = seededBytes(3.5 * MiB, 1);
  const before = running.allShardFiles();
  const put = await s3.send(new PutObjectCommand({ Bucket: 'copies', Key: 'source.bin', Body: body }));
  const sourceFiles = addedFiles(before, running.allShardFiles());
  t.is(sourceFiles.length, 4 * 6, 'four segments, six shards each');

  const copied = await s3.send(new CopyObjectCommand({ Bucket: 'copies-other', Key: 'copy.bin', CopySource: 'copies/source.bin' }));
  t.is(copied.CopyObjectResult?.ETag, put.ETag);
  t.truthy(copied.CopyObjectResult?.LastModified);
  await s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'second copy.bin', CopySource: '/copies-other/copy.bin' }));
  t.deepEqual(addedFiles(before, running.allShardFiles()).sort(), [...sourceFiles].sort(), 'the copies wrote no shard file');
  t.true((await getBytes(s3, 'copies-other', 'copy.bin')).equals(body));

  await s3.send(new DeleteObjectCommand({ Bucket: 'copies', Key: 'source.bin' }));
  await s3.send(new DeleteObjectCommand({ Bucket: 'copies-other', Key: 'copy.bin' }));
  t.deepEqual(await s3ErrorOf(t, getBytes(s3, 'copies', 'source.bin')), { name: 'NoSuchKey', status: 404 });
  // Garbage is collected oldest first: once an object deleted after them is collected, the
  // source's shards would have been too, had the deletions released them.
  const beforeMarker = running.allShardFiles();
  // Larger than --inline-max-bytes: a tiny marker would be kept in the metadata, with no shard to collect.
  await s3.send(new PutObjectCommand({ Bucket: 'copies', Key: 'marker', Body: seededBytes(8 * 1024, 2) }));
  const markerFiles = addedFiles(beforeMarker, running.allShardFiles());
  t.is(markerFiles.length, 6);
  await s3.send(new DeleteObjectCommand({ Bucket: 'copies', Key: 'marker' }));
  t.deepEqual(await running.waitUntilShardFilesGone(markerFiles), [], 'the janitor collected what was deleted after');
  const present = running.allShardFiles();
  t.deepEqual(sourceFiles.filter((file) => !present.has(file)), [], 'every shard of the source is still on its node');
  t.true((await getBytes(s3, 'copies', 'second copy.bin')).equals(body), 'the last copy still reads');

  await s3.send(new DeleteObjectCommand({ Bucket: 'copies', Key: 'second copy.bin' }));
  t.deepEqual(await running.waitUntilShardFilesGone(sourceFiles), [], 'the last reference gone: shards collected');
});

test.serial('metadata directive: COPY keeps the source\'s headers, REPLACE takes the request\'s; onto itself only with REPLACE', async (t) => {
  const s3 = cluster().s3();
  const body = seededBytes(1000, 2);
  await s3.send(new PutObjectCommand({
    Bucket: 'copies', Key: 'meta', Body: body, ContentType: 'audio/ogg', Metadata: { one: '1', two: '2' }, CacheControl: 'max-age=60',
  }));
  await s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'meta-copy', CopySource: 'copies/meta', Metadata: { ignored: 'yes' } }));
  const kept = await s3.send(new HeadObjectCommand({ Bucket: 'copies', Key: 'meta-copy' }));
  t.is(kept.ContentType, 'audio/ogg');
  t.deepEqual(kept.Metadata, { one: '1', two: '2' });
  t.is(kept.CacheControl, 'max-age=60');

  await s3.send(new CopyObjectCommand({
    Bucket: 'copies', Key: 'meta-replaced', CopySource: 'copies/meta', MetadataDirective: 'REPLACE', ContentType: 'audio/mpeg', Metadata: { three: '3' },
  }));
  const replaced = await s3.send(new HeadObjectCommand({ Bucket: 'copies', Key: 'meta-replaced' }));
  t.is(replaced.ContentType, 'audio/mpeg');
  t.deepEqual(replaced.Metadata, { three: '3' });
  t.is(replaced.CacheControl, undefined);

  t.deepEqual(
    await s3ErrorOf(t, s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'meta', CopySource: 'copies/meta' }))),
    { name: 'InvalidRequest', status: 400 },
  );
  await s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'meta', CopySource: 'copies/meta', MetadataDirective: 'REPLACE', Metadata: { fresh: 'yes' } }));
  const self = await s3.send(new HeadObjectCommand({ Bucket: 'copies', Key: 'meta' }));
  t.deepEqual(self.Metadata, { fresh: 'yes' });
  t.is(self.ContentType, 'binary/octet-stream');
  t.true((await getBytes(s3, 'copies', 'meta')).equals(body));
  t.deepEqual(
    await s3ErrorOf(t, s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'x', CopySource: 'copies/meta', MetadataDirective: 'MOVE' as 'COPY' }))),
    { name: 'InvalidArgument', status: 400 },
  );
});

test.serial('conditional copy: x-amz-copy-source-if-* fail with 412, missing sources with 404', async (t) => {
  const s3 = cluster().s3();
  const put = await s3.send(new PutObjectCommand({ Bucket: 'copies', Key: 'cond', Body: 'conditional' }));
  const copy = (conditions: Partial<ConstructorParameters<typeof CopyObjectCommand>[0]>) =>
    s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'cond-copy', CopySource: 'copies/cond', ...conditions }));
  const past = new Date(Date.now() - 86_400_000);
  const future = new Date(Date.now() + 86_400_000);
  const failed = { name: 'PreconditionFailed', status: 412 };
  t.deepEqual(await s3ErrorOf(t, copy({ CopySourceIfMatch: '"0123456789abcdef0123456789abcdef"' })), failed);
  t.deepEqual(await s3ErrorOf(t, copy({ CopySourceIfNoneMatch: put.ETag })), failed);
  t.deepEqual(await s3ErrorOf(t, copy({ CopySourceIfModifiedSince: future })), failed);
  t.deepEqual(await s3ErrorOf(t, copy({ CopySourceIfUnmodifiedSince: past })), failed);
  t.deepEqual(await s3ErrorOf(t, getBytes(s3, 'copies', 'cond-copy')), { name: 'NoSuchKey', status: 404 }, 'nothing was copied');

  await copy({ CopySourceIfMatch: put.ETag, CopySourceIfUnmodifiedSince: past }); // if-match holding wins
  await copy({ CopySourceIfNoneMatch: '"0123456789abcdef0123456789abcdef"', CopySourceIfModifiedSince: future });
  await copy({ CopySourceIfModifiedSince: past, CopySourceIfUnmodifiedSince: future });
  t.is((await getBytes(s3, 'copies', 'cond-copy')).toString(), 'conditional');

  t.deepEqual(await s3ErrorOf(t, s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'y', CopySource: 'copies/absent' }))), { name: 'NoSuchKey', status: 404 });
  t.deepEqual(await s3ErrorOf(t, s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'y', CopySource: 'no-such-bucket/cond' }))), { name: 'NoSuchBucket', status: 404 });
  t.deepEqual(
    await s3ErrorOf(t, s3.send(new CopyObjectCommand({ Bucket: 'copies', Key: 'y', CopySource: 'copies/cond?versionId=abc' }))),
    { name: 'NoSuchVersion', status: 404 },
  );
});

test.serial('DeleteObjects: verbose lists every key (missing ones too), quiet only errors; S3\'s limits and checks', async (t) => {
  const s3 = cluster().s3();
  for (const Key of ['d/1', 'd/2', 'd/&<"weird\'>']) await s3.send(new PutObjectCommand({ Bucket: 'copies', Key, Body: Key }));
  const verbose = await s3.send(new DeleteObjectsCommand({
    Bucket: 'copies', Delete: { Objects: [{ Key: 'd/1' }, { Key: 'd/never-there' }, { Key: 'd/&<"weird\'>' }, { Key: 'd/2', VersionId: 'v-bogus' }] },
  }));
  t.deepEqual(verbose.Deleted?.map((entry) => entry.Key), ['d/1', 'd/never-there', 'd/&<"weird\'>']);
  t.deepEqual(verbose.Errors?.map((entry) => [entry.Key, entry.Code]), [['d/2', 'NoSuchVersion']]);
  t.deepEqual(await s3ErrorOf(t, getBytes(s3, 'copies', 'd/1')), { name: 'NoSuchKey', status: 404 });
  t.is((await getBytes(s3, 'copies', 'd/2')).toString(), 'd/2', 'the refused key is intact');

  const quiet = await s3.send(new DeleteObjectsCommand({ Bucket: 'copies', Delete: { Quiet: true, Objects: [{ Key: 'd/2' }, { Key: 'd/gone' }] } }));
  t.is(quiet.Deleted, undefined);
  t.is(quiet.Errors, undefined);
  t.deepEqual(await s3ErrorOf(t, getBytes(s3, 'copies', 'd/2')), { name: 'NoSuchKey', status: 404 });

  const tooMany = Array.from({ length: 1001 }, (_, i) => ({ Key: `k${i}` }));
  t.deepEqual(await s3ErrorOf(t, s3.send(new DeleteObjectsCommand({ Bucket: 'copies', Delete: { Objects: tooMany } }))), { name: 'MalformedXML', status: 400 });

  // A client that sends neither Content-MD5 nor a checksum: S3 refuses the request.
  const bare = cluster().s3();
  bare.middlewareStack.add((next) => async (args) => {
    const headers = (args.request as { headers: Record<string, string> }).headers;
    for (const name of Object.keys(headers)) {
      if (/^(content-md5|x-amz-checksum-|x-amz-sdk-checksum-algorithm)/i.test(name)) delete headers[name];
    }
    return next(args);
  }, { step: 'build', priority: 'low' });
  const refused = await t.throwsAsync(bare.send(new DeleteObjectsCommand({ Bucket: 'copies', Delete: { Objects: [{ Key: 'd/3' }] } })));
  t.is((refused as S3ServiceException).name, 'InvalidRequest');
  t.is((refused as S3ServiceException).$metadata.httpStatusCode, 400);
  t.regex(refused?.message ?? '', /^Missing required header for this request: Content-MD5/);
});
