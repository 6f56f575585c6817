/**
 * Object and bucket tagging, GetObjectAttributes and the part re-send race against one small live
 * cluster, with the AWS JS SDK, boto3 (test/clients/boto3_tagging.py) and raw signed requests.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request, type IncomingMessage } from 'node:http';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, DeleteBucketTaggingCommand,
  DeleteObjectTaggingCommand, GetBucketTaggingCommand, GetObjectAttributesCommand, GetObjectCommand, GetObjectTaggingCommand,
  HeadObjectCommand, PutBucketTaggingCommand, PutObjectCommand, PutObjectTaggingCommand, UploadPartCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { getObjectBytes, s3ErrorOf, seededBytes, type TestCluster } from './cluster.ts';
import { useSharedCluster } from './shared-cluster.ts';
import { signedHeaders } from './signed-request.ts';

const MiB = 1024 * 1024;
const cluster = useSharedCluster(test, { nodes: 3, dataShards: 2, parityShards: 1, chunkSize: 16 * 1024, maxSegmentSize: 1 * MiB });
const BUCKET = 'tags';
let bucketMade = false;

async function s3(): Promise<S3Client> {
  const client = cluster().s3();
  if (!bucketMade) {
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    bucketMade = true;
  }
  return client;
}

const tagsOf = async (client: S3Client, Key: string) =>
  ((await client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key }))).TagSet ?? []).map((tag) => [tag.Key, tag.Value]);

/** A raw signed request with a body (what the SDK would not send); resolves with status and body text. */
async function raw(target: TestCluster, method: string, pathWithQuery: string, body: string, headers: Record<string, string> = {}) {
  const signed = await signedHeaders({ gatewayUrl: target.gatewayUrl, credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretKey } },
    method, pathWithQuery, { ...(method === 'GET' || method === 'HEAD' ? {} : { 'content-length': String(Buffer.byteLength(body)) }), ...headers });
  const response = await fetch(`${target.gatewayUrl}${pathWithQuery}`, { method, headers: signed, body: method === 'GET' || method === 'HEAD' ? undefined : body });
  return { status: response.status, text: await response.text(), headers: response.headers };
}

test.serial('JS SDK: object tags on PUT, Put/Get/DeleteObjectTagging, x-amz-tagging-count, CopyObject directives, multipart', async (t) => {
  const client = await s3();
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'a', Body: 'tagged', Tagging: 'project=blue&city=Z%C3%BCrich&empty=' }));
  t.deepEqual(await tagsOf(client, 'a'), [['project', 'blue'], ['city', 'Zürich'], ['empty', '']]);
  t.is((await raw(cluster(), 'HEAD', `/${BUCKET}/a`, '')).headers.get('x-amz-tagging-count'), '3', 'HEAD carries the count too');
  const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a' }));
  t.is(got.TagCount, 3);
  t.is(await got.Body!.transformToString(), 'tagged');
  const before = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'a' }));

  await client.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'a', Tagging: { TagSet: [{ Key: 'stage', Value: 'final <cut> & "mix"' }] } }));
  t.deepEqual(await tagsOf(client, 'a'), [['stage', 'final <cut> & "mix"']]);
  const after = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'a' }));
  t.is(after.ETag, before.ETag, 'tagging changes neither the ETag');
  t.is(after.LastModified?.getTime(), before.LastModified?.getTime(), 'nor the last-modified time');

  await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy-default', CopySource: `${BUCKET}/a` }));
  t.deepEqual(await tagsOf(client, 'copy-default'), [['stage', 'final <cut> & "mix"']], 'COPY (the default) keeps the source\'s tags');
  await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy-meta', CopySource: `${BUCKET}/a`, MetadataDirective: 'REPLACE', ContentType: 'text/plain' }));
  t.deepEqual(await tagsOf(client, 'copy-meta'), [['stage', 'final <cut> & "mix"']], 'the metadata directive does not touch tags');
  await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy-replace', CopySource: `${BUCKET}/a`, TaggingDirective: 'REPLACE', Tagging: 'x=1&y=2' }));
  t.deepEqual(await tagsOf(client, 'copy-replace'), [['x', '1'], ['y', '2']]);
  await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy-none', CopySource: `${BUCKET}/a`, TaggingDirective: 'REPLACE' }));
  t.deepEqual(await tagsOf(client, 'copy-none'), [], 'REPLACE without x-amz-tagging: no tags');
  t.deepEqual(await s3ErrorOf(t, client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'c', CopySource: `${BUCKET}/a`, TaggingDirective: 'MOVE' as never }))),
    { name: 'InvalidArgument', status: 400 });

  await client.send(new DeleteObjectTaggingCommand({ Bucket: BUCKET, Key: 'a' }));
  t.deepEqual(await tagsOf(client, 'a'), []);
  t.is((await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'a' }))).TagCount, undefined, 'no x-amz-tagging-count without tags');
  t.is((await raw(cluster(), 'HEAD', `/${BUCKET}/a`, '')).headers.get('x-amz-tagging-count'), null);

  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp', Tagging: 'made=multipart' }));
  const part = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mp', UploadId, PartNumber: 1, Body: 'one part' }));
  t.deepEqual(await s3ErrorOf(t, client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'mp' }))), { name: 'NoSuchKey', status: 404 });
  await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
  t.deepEqual(await tagsOf(client, 'mp'), [['made', 'multipart']], 'the tags given at Create are the object\'s at Complete');
});

test.serial('S3\'s limits and errors: InvalidTag (400), MalformedXML, NoSuchKey; nothing stored on a refusal', async (t) => {
  const client = await s3();
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'limits', Body: 'x' }));
  const put = (TagSet: { Key: string; Value: string }[]) => client.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'limits', Tagging: { TagSet } }));
  const many = (count: number) => Array.from({ length: count }, (_, index) => ({ Key: `k${index}`, Value: `v${index}` }));
  await put(many(10));
  t.is((await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'limits' }))).TagCount, 10);
  t.deepEqual(await s3ErrorOf(t, put(many(11))), { name: 'InvalidTag', status: 400 });
  t.deepEqual(await s3ErrorOf(t, put([{ Key: 'k'.repeat(129), Value: '' }])), { name: 'InvalidTag', status: 400 });
  t.deepEqual(await s3ErrorOf(t, put([{ Key: 'k', Value: 'v'.repeat(257) }])), { name: 'InvalidTag', status: 400 });
  t.deepEqual(await s3ErrorOf(t, put([{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }])), { name: 'InvalidTag', status: 400 });
  t.deepEqual(await s3ErrorOf(t, put([{ Key: 'aws:owner', Value: 'me' }])), { name: 'InvalidTag', status: 400 });
  await put([{ Key: '😀'.repeat(128), Value: 'é'.repeat(256) }]);
  t.deepEqual(await tagsOf(client, 'limits'), [['😀'.repeat(128), 'é'.repeat(256)]], 'the limits count characters, not bytes');

  const header = many(11).map((tag) => `${tag.Key}=${tag.Value}`).join('&');
  t.deepEqual(await s3ErrorOf(t, client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'refused', Body: 'x', Tagging: header }))), { name: 'InvalidTag', status: 400 });
  t.deepEqual(await s3ErrorOf(t, client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'refused', Tagging: 'a=1&a=2' }))), { name: 'InvalidTag', status: 400 });
  t.deepEqual(await s3ErrorOf(t, client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'refused' }))), { name: 'NotFound', status: 404 });
  t.deepEqual(await s3ErrorOf(t, client.send(new GetObjectTaggingCommand({ Bucket: BUCKET, Key: 'missing' }))), { name: 'NoSuchKey', status: 404 });
  t.deepEqual(await s3ErrorOf(t, client.send(new PutObjectTaggingCommand({ Bucket: BUCKET, Key: 'missing', Tagging: { TagSet: [] } }))), { name: 'NoSuchKey', status: 404 });

  const malformed = await raw(cluster(), 'PUT', `/${BUCKET}/limits?tagging`, '<Tagging><Tag><Key>a</Key><Value>b</Value></Tag></Tagging>');
  t.is(malformed.status, 400);
  t.regex(malformed.text, /<Code>MalformedXML<\/Code>/);
  const notXml = await raw(cluster(), 'PUT', `/${BUCKET}/limits?tagging`, 'project=blue');
  t.is(notXml.status, 400);
  t.regex(notXml.text, /<Code>MalformedXML<\/Code>/);
  t.deepEqual(await tagsOf(client, 'limits'), [['😀'.repeat(128), 'é'.repeat(256)]], 'a refused request changed nothing');
});

test.serial('JS SDK: bucket tagging (NoSuchTagSet, 50 tags, InvalidTag past them)', async (t) => {
  const client = await s3();
  t.deepEqual(await s3ErrorOf(t, client.send(new GetBucketTaggingCommand({ Bucket: BUCKET }))), { name: 'NoSuchTagSet', status: 404 });
  const fifty = Array.from({ length: 50 }, (_, index) => ({ Key: `team-${index}`, Value: `v${index}` }));
  await client.send(new PutBucketTaggingCommand({ Bucket: BUCKET, Tagging: { TagSet: fifty } }));
  t.deepEqual((await client.send(new GetBucketTaggingCommand({ Bucket: BUCKET }))).TagSet, fifty);
  t.deepEqual(await s3ErrorOf(t, client.send(new PutBucketTaggingCommand({ Bucket: BUCKET, Tagging: { TagSet: [...fifty, { Key: 'one-more', Value: '' }] } }))),
    { name: 'InvalidTag', status: 400 });
  t.is((await client.send(new GetBucketTaggingCommand({ Bucket: BUCKET }))).TagSet?.length, 50);
  await client.send(new DeleteBucketTaggingCommand({ Bucket: BUCKET }));
  t.deepEqual(await s3ErrorOf(t, client.send(new GetBucketTaggingCommand({ Bucket: BUCKET }))), { name: 'NoSuchTagSet', status: 404 });
  t.deepEqual(await s3ErrorOf(t, client.send(new GetBucketTaggingCommand({ Bucket: 'no-such-bucket' }))), { name: 'NoSuchBucket', status: 404 });
});

test.serial('JS SDK: GetObjectAttributes of a whole object and of a multipart one (parts paged); InvalidArgument', async (t) => {
  const client = await s3();
  const body = seededBytes(70_000, 3);
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'attrs', Body: body, ChecksumAlgorithm: 'SHA256' }));
  const whole = await client.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'attrs', ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] }));
  t.is(whole.ETag, createHash('md5').update(body).digest('hex'));
  t.is(whole.ObjectSize, 70_000);
  t.is(whole.StorageClass, 'STANDARD');
  t.is(whole.Checksum?.ChecksumSHA256, createHash('sha256').update(body).digest('base64'));
  t.is(whole.Checksum?.ChecksumType, 'FULL_OBJECT');
  t.is(whole.ObjectParts, undefined, 'not uploaded in parts');
  t.truthy(whole.LastModified);

  const first = seededBytes(5 * MiB, 4);
  const second = seededBytes(1000, 5);
  const third = seededBytes(10, 6);
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'attrs-mp', ChecksumAlgorithm: 'CRC32' }));
  const parts = [];
  for (const [index, Body] of [first, second, third].entries()) {
    const uploaded = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'attrs-mp', UploadId, PartNumber: index + 1, Body, ChecksumAlgorithm: 'CRC32' }));
    parts.push({ PartNumber: index + 1, ETag: uploaded.ETag, ChecksumCRC32: uploaded.ChecksumCRC32 });
  }
  t.deepEqual(await s3ErrorOf(t, client.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'attrs-mp', ObjectAttributes: ['ETag'] }))), { name: 'NoSuchKey', status: 404 });
  await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'attrs-mp', UploadId, MultipartUpload: { Parts: [parts[0]!, parts[2]!] } }));
  const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'attrs-mp', ChecksumMode: 'ENABLED' }));
  const page = await client.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'attrs-mp', ObjectAttributes: ['ObjectParts', 'Checksum', 'ETag'], MaxParts: 1 }));
  t.is(`"${page.ETag}"`, head.ETag ?? '');
  t.is(page.Checksum?.ChecksumCRC32, head.ChecksumCRC32!.replace(/-\d+$/, ''));
  t.is(page.Checksum?.ChecksumType, 'COMPOSITE');
  t.like(page.ObjectParts, { TotalPartsCount: 2, MaxParts: 1, IsTruncated: true, NextPartNumberMarker: '1', PartNumberMarker: '0' });
  t.deepEqual(page.ObjectParts?.Parts?.map((part) => [part.PartNumber, part.Size, part.ChecksumCRC32]), [[1, 5 * MiB, parts[0]!.ChecksumCRC32]]);
  const rest = await client.send(new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'attrs-mp', ObjectAttributes: ['ObjectParts'], MaxParts: 1, PartNumberMarker: '1' }));
  t.like(rest.ObjectParts, { TotalPartsCount: 2, IsTruncated: false, PartNumberMarker: '1' });
  t.deepEqual(rest.ObjectParts?.Parts?.map((part) => [part.PartNumber, part.Size]), [[3, 10]]);
  t.is(rest.ETag, undefined, 'only what was asked');

  for (const headers of [{}, { 'x-amz-object-attributes': 'ETag,Colour' }] as Record<string, string>[]) {
    const refused = await raw(cluster(), 'GET', `/${BUCKET}/attrs?attributes`, '', headers);
    t.is(refused.status, 400);
    t.regex(refused.text, /<Code>InvalidArgument<\/Code>/);
  }
});

/**
 * Starts a raw signed UploadPart that sends `bytes.subarray(0, sentFirst)` and holds the rest until
 * `finish()` is called; `response` settles with the gateway's answer.
 */
async function heldUploadPart(target: TestCluster, key: string, uploadId: string, partNumber: number, bytes: Buffer, sentFirst: number) {
  const pathWithQuery = `/${BUCKET}/${key}?partNumber=${partNumber}&uploadId=${encodeURIComponent(uploadId)}`;
  const headers = await signedHeaders({ gatewayUrl: target.gatewayUrl, credentials: { accessKeyId: target.accessKeyId, secretAccessKey: target.secretKey } },
    'PUT', pathWithQuery, { 'content-length': String(bytes.length) });
  const upload = request(`${target.gatewayUrl}${pathWithQuery}`, { method: 'PUT', headers, agent: false });
  const response = new Promise<{ status: number; etag: string | undefined; body: string }>((resolve, reject) => {
    upload.on('error', reject);
    upload.on('response', (answer: IncomingMessage) => {
      let body = '';
      answer.setEncoding('utf8').on('data', (text: string) => { body += text; });
      answer.on('end', () => resolve({ status: answer.statusCode ?? 0, etag: answer.headers.etag, body }));
    });
  });
  upload.write(bytes.subarray(0, sentFirst));
  return { response, finish: () => upload.end(bytes.subarray(sentFirst)) };
}

const md5Etag = (bytes: Buffer) => `"${createHash('md5').update(bytes).digest('hex')}"`;

test.serial('a part re-sent while its first copy still arrives: the copy that finishes last is the part; the other\'s shards are collected', async (t) => {
  const client = await s3();
  const first = seededBytes(5 * MiB, 10); // the copy sent first, held open, finishing last
  const resent = seededBytes(5 * MiB, 11); // the re-send, finishing first (other bytes, so the ETags tell them apart)
  const tail = seededBytes(1000, 12);
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'race' }));
  // Less than one segment (1 MiB here) is sent before the hold, so the held copy has no shard committed yet.
  const held = await heldUploadPart(cluster(), 'race', UploadId!, 1, first, 256 * 1024);
  const before = cluster().allShardFiles();
  const resend = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'race', UploadId, PartNumber: 1, Body: resent }));
  t.is(resend.ETag, md5Etag(resent));
  const resentFiles = [...cluster().allShardFiles()].filter((file) => !before.has(file));
  t.true(resentFiles.length > 0);
  const last = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'race', UploadId, PartNumber: 2, Body: tail }));
  held.finish();
  const answer = await held.response;
  t.is(answer.status, 200, answer.body);
  t.is(answer.etag, md5Etag(first));

  const listed = await raw(cluster(), 'GET', `/${BUCKET}/race?uploadId=${encodeURIComponent(UploadId!)}`, '');
  t.deepEqual([...listed.text.matchAll(/<PartNumber>(\d+)<\/PartNumber>/g)].map((match) => Number(match[1])), [1, 2], 'one part 1, listed once');
  t.deepEqual(await cluster().waitUntilShardFilesGone(resentFiles), [], 'the replaced copy\'s shards are collected');

  const complete = (etag: string | undefined) => client.send(new CompleteMultipartUploadCommand({
    Bucket: BUCKET, Key: 'race', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: etag }, { PartNumber: 2, ETag: last.ETag }] },
  }));
  t.deepEqual(await s3ErrorOf(t, complete(resend.ETag)), { name: 'InvalidPart', status: 400 }, 'the copy that finished first was replaced');
  await complete(answer.etag);
  t.true((await getObjectBytes(client, { Bucket: BUCKET, Key: 'race' })).equals(Buffer.concat([first, tail])));
});

test.serial('a Complete made while the first copy still arrives keeps the re-sent part; the late copy is refused and collected', async (t) => {
  const client = await s3();
  const first = seededBytes(2 * MiB, 20);
  const resent = seededBytes(2 * MiB, 21);
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'race-late' }));
  const held = await heldUploadPart(cluster(), 'race-late', UploadId!, 1, first, 256 * 1024);
  const resend = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'race-late', UploadId, PartNumber: 1, Body: resent }));
  await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'race-late', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: resend.ETag }] } }));
  const before = cluster().allShardFiles();
  held.finish();
  const answer = await held.response;
  t.is(answer.status, 404);
  t.regex(answer.body, /<Code>NoSuchUpload<\/Code>/);
  const lateFiles = [...cluster().allShardFiles()].filter((file) => !before.has(file));
  t.deepEqual(await cluster().waitUntilShardFilesGone(lateFiles), [], 'the late copy\'s shards are collected');
  t.true((await getObjectBytes(client, { Bucket: BUCKET, Key: 'race-late' })).equals(resent));
});

test.serial('boto3: tagging, bucket tagging and GetObjectAttributes round trip', async (t) => {
  const env = {
    AWS_ACCESS_KEY_ID: cluster().accessKeyId, AWS_SECRET_ACCESS_KEY: cluster().secretKey, AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials', AWS_EC2_METADATA_DISABLED: 'true',
    SHARDGATE_ENDPOINT: cluster().gatewayUrl, BUCKET: 'boto3-tags',
  };
  const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('python3', [fileURLToPath(new URL('./clients/boto3_tagging.py', import.meta.url))], { env: { ...process.env, ...env }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0, stdout, stderr });
    });
  });
  t.is(result.code, 0, result.stderr);
  t.deepEqual(JSON.parse(result.stdout), {
    put_tags: [['project', 'blue'], ['city', 'Zürich']],
    get_tag_count: 2,
    replaced_tags: [['stage', 'final cut']],
    copy_tags: [['stage', 'final cut']],
    copy_replace_tags: [['a', '1']],
    deleted_tags: [],
    deleted_tag_count: null,
    eleven_tags: ['InvalidTag', 400],
    aws_prefix: ['InvalidTag', 400],
    missing_key: ['NoSuchKey', 404],
    no_bucket_tags: ['NoSuchTagSet', 404],
    bucket_tags: [['team', 'video']],
    bucket_tags_deleted: ['NoSuchTagSet', 404],
    attributes: { ETag: createHash('md5').update('boto3 tagged').digest('hex'), ObjectSize: 12, StorageClass: 'STANDARD' },
    attributes_checksum_type: 'FULL_OBJECT',
  });
});
