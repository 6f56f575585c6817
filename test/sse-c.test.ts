/**
 * SSE-C end to end: the AWS SDK v3 (`SSECustomerKey`), boto3 and the aws CLI (`--sse-c`, and
 * `--sse AES256`) against a cluster started with `--allow-insecure-ssec` (the tests speak HTTP).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand,
  HeadObjectCommand, PutObjectCommand, UploadPartCommand, UploadPartCopyCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { addedFiles, getObjectBytes, s3ErrorOf, seededBytes } from './cluster.ts';
import { nodeFilesContaining, openGatewayStore } from './encryption-helpers.ts';
import { useSharedCluster } from './shared-cluster.ts';

const BUCKET = 'ssec';
const KEY_A = 'A'.repeat(16) + 'a'.repeat(16);
const KEY_B = 'B'.repeat(16) + 'b'.repeat(16);
const MiB = 1024 * 1024;
const cluster = useSharedCluster(test, { chunkSize: 16 * 1024, maxSegmentSize: MiB, gatewayArgs: ['--allow-insecure-ssec'] }, async (started) => {
  await started.s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
});
const withKey = (key: string) => ({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: key });
const md5Base64 = (text: string) => createHash('md5').update(text).digest('base64');
const get = (s3: S3Client, Key: string, extra: Record<string, string> = {}) => getObjectBytes(s3, { Bucket: BUCKET, Key, ...extra });

const MARKER = Buffer.from('ssec-plaintext-marker-0123456789', 'utf8');
const markerBytes = (length: number) => Buffer.alloc(length, MARKER);

test.serial('SDK v3: PUT, GET (whole and ranged), HEAD with the key; missing key 400, wrong key 403; no plaintext on nodes', async (t) => {
  const s3 = cluster().s3();
  const body = markerBytes(2 * MiB + 333);
  const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sdk/secret', Body: body, ...withKey(KEY_A) }));
  t.is(put.SSECustomerAlgorithm, 'AES256');
  t.is(put.SSECustomerKeyMD5, md5Base64(KEY_A));
  t.is(put.ServerSideEncryption, undefined, 'SSE-C, not SSE-S3');
  t.regex(put.ETag!, /^"[0-9a-f]{32}"$/);
  t.not(put.ETag, `"${createHash('md5').update(body).digest('hex')}"`, 'the ETag is not the MD5 of the plaintext');

  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'sdk/secret', ...withKey(KEY_A) }));
  t.true(Buffer.from(await got.Body!.transformToByteArray()).equals(body));
  t.is(got.SSECustomerKeyMD5, md5Base64(KEY_A));
  t.is(got.ETag, put.ETag);
  t.true((await get(s3, 'sdk/secret', { Range: 'bytes=1048570-1048600', ...withKey(KEY_A) })).equals(body.subarray(1048570, 1048601)));
  const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sdk/secret', ...withKey(KEY_A) }));
  t.is(head.ContentLength, body.length);
  t.is(head.SSECustomerAlgorithm, 'AES256');

  t.deepEqual(await s3ErrorOf(t, get(s3, 'sdk/secret')), { name: 'InvalidRequest', status: 400 });
  t.deepEqual(await s3ErrorOf(t, get(s3, 'sdk/secret', withKey(KEY_B))), { name: 'AccessDenied', status: 403 });
  t.is((await s3ErrorOf(t, s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sdk/secret' })))).status, 400);
  t.is((await s3ErrorOf(t, s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'sdk/secret', ...withKey(KEY_B) })))).status, 403);
  t.deepEqual(await s3ErrorOf(t, get(s3, 'sdk/secret', { Range: 'bytes=0-10' })), { name: 'InvalidRequest', status: 400 });

  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sdk/plain', Body: 'sse-s3' }));
  t.deepEqual(await s3ErrorOf(t, get(s3, 'sdk/plain', withKey(KEY_A))), { name: 'InvalidRequest', status: 400 }, 'SSE-C headers on an SSE-S3 object');

  const { hits } = nodeFilesContaining(cluster(), new Map([['marker', MARKER], ['customer key', Buffer.from(KEY_A)]]));
  t.deepEqual(hits, []);
});

test.serial('malformed SSE-C headers are InvalidArgument; SSE-C with x-amz-server-side-encryption too', async (t) => {
  const s3 = cluster().s3();
  const tampered = (headers: Record<string, string>) => {
    const client = cluster().s3();
    client.middlewareStack.add((next) => async (args) => {
      Object.assign((args.request as { headers: Record<string, string> }).headers, headers);
      return next(args);
    }, { step: 'build' });
    return client;
  };
  const put = (client: S3Client, extra: object = withKey(KEY_A)) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bad/k', Body: 'x', ...extra }));
  const invalid = { name: 'InvalidArgument', status: 400 };
  t.deepEqual(await s3ErrorOf(t, put(tampered({ 'x-amz-server-side-encryption-customer-key-md5': md5Base64(KEY_B) }))), invalid, 'MD5 mismatch');
  const shortKey = Buffer.alloc(16, 1).toString('base64');
  t.deepEqual(await s3ErrorOf(t, put(tampered({
    'x-amz-server-side-encryption-customer-key': shortKey,
    'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(Buffer.alloc(16, 1)).digest('base64'),
  }))), invalid, '16-byte key');
  t.deepEqual(await s3ErrorOf(t, put(tampered({ 'x-amz-server-side-encryption-customer-key': '!!!not base64!!!' }))), invalid, 'bad base64');
  t.deepEqual(await s3ErrorOf(t, put(tampered({ 'x-amz-server-side-encryption-customer-algorithm': 'AES128' }))), invalid, 'unknown algorithm');
  t.deepEqual(await s3ErrorOf(t, put(tampered({ 'x-amz-server-side-encryption-customer-algorithm': 'AES256' }), {})), invalid, 'algorithm without key');
  t.deepEqual(await s3ErrorOf(t, put(s3, { ...withKey(KEY_A), ServerSideEncryption: 'AES256' })), invalid, 'both SSE-S3 and SSE-C');
  t.deepEqual(await s3ErrorOf(t, s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'bad/k' }))), { name: 'NotFound', status: 404 }, 'nothing stored');
});

test.serial('multipart SSE-C: every part needs the key; Complete gives an object readable only with it', async (t) => {
  const s3 = cluster().s3();
  const parts = [seededBytes(5 * MiB, 1), seededBytes(300_000, 2)];
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mp/secret', ...withKey(KEY_A) }));
  const send = (PartNumber: number, extra: object) => s3.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mp/secret', UploadId, PartNumber, Body: parts[PartNumber - 1], ...extra }));
  t.deepEqual(await s3ErrorOf(t, send(1, {})), { name: 'InvalidRequest', status: 400 });
  t.deepEqual(await s3ErrorOf(t, send(1, withKey(KEY_B))), { name: 'AccessDenied', status: 403 });
  const etags: string[] = [];
  for (const PartNumber of [1, 2]) {
    const part = await send(PartNumber, withKey(KEY_A));
    t.is(part.SSECustomerKeyMD5, md5Base64(KEY_A));
    etags.push(part.ETag!);
  }
  const completed = await s3.send(new CompleteMultipartUploadCommand({
    Bucket: BUCKET, Key: 'mp/secret', UploadId, MultipartUpload: { Parts: etags.map((ETag, index) => ({ ETag, PartNumber: index + 1 })) }, ...withKey(KEY_A),
  }));
  t.regex(completed.ETag!, /-2"$/);
  t.true((await get(s3, 'mp/secret', withKey(KEY_A))).equals(Buffer.concat(parts)));
  t.true((await get(s3, 'mp/secret', { Range: `bytes=${5 * MiB - 10}-${5 * MiB + 10}`, ...withKey(KEY_A) })).equals(Buffer.concat(parts).subarray(5 * MiB - 10, 5 * MiB + 11)));
  t.deepEqual(await s3ErrorOf(t, get(s3, 'mp/secret', withKey(KEY_B))), { name: 'AccessDenied', status: 403 });
});

test.serial('copies across modes re-encrypt: SSE-S3 → SSE-C, SSE-C → SSE-S3, key A → key B, and UploadPartCopy from SSE-C', async (t) => {
  const s3 = cluster().s3();
  const body = seededBytes(1_500_000, 9);
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'copy/s3', Body: body }));
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'copy/a', Body: body, ...withKey(KEY_A) }));
  const copySource = (key: string) => ({ CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: key });

  const toC = await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy/s3-to-c', CopySource: `${BUCKET}/copy/s3`, ...withKey(KEY_B) }));
  t.is(toC.SSECustomerKeyMD5, md5Base64(KEY_B));
  t.true((await get(s3, 'copy/s3-to-c', withKey(KEY_B))).equals(body));
  t.deepEqual(await s3ErrorOf(t, get(s3, 'copy/s3-to-c')), { name: 'InvalidRequest', status: 400 });

  const toS3 = await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy/c-to-s3', CopySource: `${BUCKET}/copy/a`, ...copySource(KEY_A) }));
  t.is(toS3.ServerSideEncryption, 'AES256');
  t.is(toS3.CopyObjectResult!.ETag, `"${createHash('md5').update(body).digest('hex')}"`, 'a re-encrypted SSE-S3 copy has the MD5 ETag');
  t.true((await get(s3, 'copy/c-to-s3')).equals(body));

  await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy/a-to-b', CopySource: `${BUCKET}/copy/a`, ...copySource(KEY_A), ...withKey(KEY_B) }));
  t.true((await get(s3, 'copy/a-to-b', withKey(KEY_B))).equals(body));
  t.deepEqual(await s3ErrorOf(t, get(s3, 'copy/a-to-b', withKey(KEY_A))), { name: 'AccessDenied', status: 403 });

  await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy/a-shared', CopySource: `${BUCKET}/copy/a`, ...copySource(KEY_A), ...withKey(KEY_A) }));
  t.true((await get(s3, 'copy/a-shared', withKey(KEY_A))).equals(body), 'same key: shares the segments');

  t.deepEqual(await s3ErrorOf(t, s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy/x', CopySource: `${BUCKET}/copy/a` }))), { name: 'InvalidRequest', status: 400 });
  t.deepEqual(await s3ErrorOf(t, s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copy/x', CopySource: `${BUCKET}/copy/a`, ...copySource(KEY_B) }))), { name: 'AccessDenied', status: 403 });

  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'copy/parts' }));
  const part = await s3.send(new UploadPartCopyCommand({ Bucket: BUCKET, Key: 'copy/parts', UploadId, PartNumber: 1, CopySource: `${BUCKET}/copy/a`, ...copySource(KEY_A) }));
  await s3.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'copy/parts', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.CopyPartResult!.ETag }] } }));
  t.true((await get(s3, 'copy/parts')).equals(body));
});

test.serial('a tiny SSE-C object is stored inline under a key sealed by the customer key: readable only with it; a re-encrypting copy lands inline too', async (t) => {
  const s3 = cluster().s3();
  const body = markerBytes(1000);
  const files = cluster().allShardFiles();
  const put = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'inline/secret', Body: body, ...withKey(KEY_A) }));
  await s3.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'inline/to-s3', CopySource: `${BUCKET}/inline/secret`, CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: KEY_A }));
  t.deepEqual(addedFiles(files, cluster().allShardFiles()), [], 'neither wrote a shard');
  const store = openGatewayStore(cluster());
  t.teardown(() => store.close());
  const segments = async (key: string) => store.getSegments((await store.getObject(BUCKET, key))!.versionId);
  const [secret] = await segments('inline/secret');
  const [copied] = await segments('inline/to-s3');
  t.is(secret!.inlineCiphertext!.length, 1000);
  t.not(copied!.id, secret!.id, 'the copy is a new segment under a new data key');
  t.is(copied!.inlineCiphertext!.length, 1000);
  t.is(Buffer.from(secret!.inlineCiphertext!).indexOf(MARKER), -1);

  const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'inline/secret', ...withKey(KEY_A) }));
  t.true(Buffer.from(await got.Body!.transformToByteArray()).equals(body));
  t.is(got.ETag, put.ETag, 'the SSE-C ETag, not the MD5 of the plaintext');
  t.true((await get(s3, 'inline/secret', { Range: 'bytes=990-999', ...withKey(KEY_A) })).equals(body.subarray(990)));
  t.deepEqual(await s3ErrorOf(t, get(s3, 'inline/secret')), { name: 'InvalidRequest', status: 400 });
  t.deepEqual(await s3ErrorOf(t, get(s3, 'inline/secret', withKey(KEY_B))), { name: 'AccessDenied', status: 403 });
  t.true((await get(s3, 'inline/to-s3')).equals(body));
});

interface Run { code: number; stdout: string; stderr: string }
function run(file: string, args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...process.env, ...env }, maxBuffer: 16 * MiB, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0, stdout, stderr });
    });
  });
}

test.serial('boto3 and the aws CLI: SSE-C round trips, wrong and missing keys; aws s3 cp --sse AES256', async (t) => {
  const workDir = mkdtempSync(path.join(tmpdir(), 'shardgate-ssec-'));
  t.teardown(() => rmSync(workDir, { recursive: true, force: true }));
  const env = {
    AWS_ACCESS_KEY_ID: cluster().accessKeyId, AWS_SECRET_ACCESS_KEY: cluster().secretKey, AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: path.join(workDir, 'no-config'), AWS_SHARED_CREDENTIALS_FILE: path.join(workDir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true', SHARDGATE_ENDPOINT: cluster().gatewayUrl,
  };
  const boto3 = await run('python3', [fileURLToPath(new URL('./clients/boto3_ssec.py', import.meta.url))], { ...env, BUCKET, CUSTOMER_KEY: KEY_A, OTHER_KEY: KEY_B });
  t.is(boto3.code, 0, boto3.stderr);
  t.deepEqual(JSON.parse(boto3.stdout), {
    put_algorithm: 'AES256', get_equal: true, get_algorithm: 'AES256', range_equal: true, head_length: 200_000,
    wrong_key: ['AccessDenied', 403], missing_key: ['InvalidRequest', 400],
  });

  const aws = (...args: string[]) => run('aws', ['--endpoint-url', cluster().gatewayUrl, ...args], env);
  const file = path.join(workDir, 'upload.bin');
  const body = seededBytes(3 * MiB + 17, 4);
  writeFileSync(file, body);
  const keyFile = path.join(workDir, 'customer.key');
  writeFileSync(keyFile, KEY_A);
  const sseC = ['--sse-c', 'AES256', '--sse-c-key', `fileb://${keyFile}`];
  let result = await aws('s3', 'cp', file, `s3://${BUCKET}/cli/ssec.bin`, ...sseC);
  t.is(result.code, 0, result.stderr);
  const down = path.join(workDir, 'down.bin');
  result = await aws('s3', 'cp', `s3://${BUCKET}/cli/ssec.bin`, down, ...sseC);
  t.is(result.code, 0, result.stderr);
  t.true(readFileSync(down).equals(body), 'aws s3 cp --sse-c round trip');
  result = await aws('s3', 'cp', `s3://${BUCKET}/cli/ssec.bin`, path.join(workDir, 'nokey.bin'));
  t.not(result.code, 0, 'no key, no object');

  result = await aws('s3', 'cp', file, `s3://${BUCKET}/cli/sse-s3.bin`, '--sse', 'AES256');
  t.is(result.code, 0, result.stderr);
  const head = await aws('s3api', 'head-object', '--bucket', BUCKET, '--key', 'cli/sse-s3.bin');
  t.is(head.code, 0, head.stderr);
  t.is((JSON.parse(head.stdout) as { ServerSideEncryption: string }).ServerSideEncryption, 'AES256');
  result = await aws('s3', 'cp', file, `s3://${BUCKET}/cli/kms.bin`, '--sse', 'aws:kms');
  t.not(result.code, 0);
  t.regex(result.stderr, /NotImplemented/);
});
