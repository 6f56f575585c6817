/**
 * Real clients against a live cluster: boto3 (test/clients/boto3_roundtrip.py) and the aws CLI
 * with their default settings. `.ci/run` installs them where they are missing; a machine without
 * them fails these tests loudly rather than skipping.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test, { type ExecutionContext } from 'ava';
import { checksumBase64 } from '../src/s3/checksums/algorithms.ts';
import { seededBytes, type TestCluster } from './cluster.ts';
import { useSharedCluster } from './shared-cluster.ts';

const BOTO3_SCRIPT = fileURLToPath(new URL('./clients/boto3_roundtrip.py', import.meta.url));
const MIB = 1024 * 1024;
const cluster = useSharedCluster(test);
const workDir = mkdtempSync(path.join(tmpdir(), 'shardgate-clients-'));
test.after.always(() => rmSync(workDir, { recursive: true, force: true }));

interface Run { code: number; stdout: string; stderr: string }

function run(file: string, args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env: { ...process.env, ...env }, maxBuffer: 64 * MIB, timeout: 170_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof (error as { code?: unknown }).code === 'number' ? (error as { code: number }).code : -1) : 0;
      resolve({ code, stdout, stderr: error && code === -1 ? `${stderr}\n${error.message}` : stderr });
    });
  });
}

/** Credentials and a clean configuration for both clients: nothing from the machine's ~/.aws. */
function clientEnv(target: TestCluster): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: target.accessKeyId,
    AWS_SECRET_ACCESS_KEY: target.secretKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: path.join(workDir, 'no-config'),
    AWS_SHARED_CREDENTIALS_FILE: path.join(workDir, 'no-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    SHARDGATE_ENDPOINT: target.gatewayUrl,
  };
}

/** Fails the test with the way to fix it when a client is not installed (.ci/run installs both). */
async function requireTool(t: ExecutionContext, file: string, args: readonly string[], what: string): Promise<boolean> {
  const probe = await run(file, args, {});
  if (probe.code === 0) return true;
  t.fail(`${what} is not installed (${file} ${args.join(' ')} → ${probe.code}: ${probe.stderr.trim().split('\n').at(-1)}). ` +
    'Install it (python3 -m pip install boto3 awscli; .ci/run does this) — these tests must not pass without it.');
  return false;
}

test.serial('boto3 with its defaults: put/get/head/list/paginate/delete, checksums, upload_file (multipart), presigned URL, errors', async (t) => {
  if (!(await requireTool(t, 'python3', ['-c', 'import boto3'], 'boto3 (python3)'))) return;
  const big = seededBytes(12 * MIB + 12345, 77);
  const bigFile = path.join(workDir, 'boto3-big.bin');
  writeFileSync(bigFile, big);
  const result = await run('python3', [BOTO3_SCRIPT], { ...clientEnv(cluster()), BUCKET: 'boto3-bucket', BIG_FILE: bigFile });
  t.is(result.code, 0, result.stderr);
  const answer = JSON.parse(result.stdout) as Record<string, unknown>;
  t.log(`boto3 ${answer.boto3}, botocore ${answer.botocore}`);
  const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 251));
  t.like(answer, {
    put_checksum_crc32: checksumBase64('crc32', body),
    get_equal: true,
    get_checksum_crc32: checksumBase64('crc32', body),
    get_content_type: 'application/x-test',
    get_metadata: { owner: 'boto3' },
    range_equal: true,
    range_checksum: null,
    head_length: 300_000,
    head_checksum_SHA1: checksumBase64('sha1', body),
    head_checksum_SHA256: checksumBase64('sha256', body),
    upload_fileobj_equal: true,
    big_sha256: createHash('sha256').update(big).digest('hex'),
    list_keys: ['big.bin', 'small-upload.txt'],
    list_prefixes: ['dir/', 'sum/'],
    missing_key: ['NoSuchKey', 404],
    missing_bucket: ['NoSuchBucket', 404],
    bad_md5: ['BadDigest', 400],
    presigned_equal: true,
    after_delete: 0,
  });
  const [v2Status, v2Body] = answer.presigned_v2 as [number, string];
  t.is(v2Status, 400, 'a SigV2 presigned URL is refused, not taken for an anonymous request');
  t.regex(v2Body, /<Code>InvalidRequest<\/Code><Message>The authorization mechanism you have provided is not supported\. Please use AWS4-HMAC-SHA256\.<\/Message>/);
  t.deepEqual(answer.paged_keys, ['big.bin', 'dir/hello world.bin', 'small-upload.txt', 'sum/SHA1', 'sum/SHA256']);
});

test.serial('aws CLI: s3 cp of a 50 MiB file (multipart) both ways, s3 sync of a folder, s3api get-object --range', async (t) => {
  if (!(await requireTool(t, 'aws', ['--version'], 'the aws CLI'))) return;
  const env = clientEnv(cluster());
  const aws = (...args: string[]) => run('aws', ['--endpoint-url', cluster().gatewayUrl, ...args], env);
  const expectOk = (result: Run, what: string) => t.is(result.code, 0, `${what}: ${result.stderr}`);
  expectOk(await aws('s3', 'mb', 's3://cli-bucket'), 'mb');

  const big = seededBytes(50 * MIB, 50);
  const bigFile = path.join(workDir, 'big.bin');
  writeFileSync(bigFile, big);
  expectOk(await aws('s3', 'cp', bigFile, 's3://cli-bucket/videos/big.bin'), 'cp up');
  const downloaded = path.join(workDir, 'big.down');
  expectOk(await aws('s3', 'cp', 's3://cli-bucket/videos/big.bin', downloaded), 'cp down');
  t.true(readFileSync(downloaded).equals(big), '50 MiB round trip');
  const head = await aws('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'videos/big.bin');
  expectOk(head, 'head-object');
  const headJson = JSON.parse(head.stdout) as { ContentLength: number; ETag: string };
  t.is(headJson.ContentLength, 50 * MIB);
  t.regex(headJson.ETag, /^"[0-9a-f]{32}-\d+"$/, 'a multipart ETag: the CLI went multipart');

  const site = path.join(workDir, 'site');
  const files: Record<string, Buffer> = {
    'index.html': Buffer.from('<h1>hi</h1>'), 'css/main.css': Buffer.from('body{}'),
    'video/seg 1.ts': seededBytes(70_000, 1), 'video/seg 2.ts': seededBytes(90_001, 2), 'empty.txt': Buffer.alloc(0),
  };
  for (const [name, bytes] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(site, name)), { recursive: true });
    writeFileSync(path.join(site, name), bytes);
  }
  expectOk(await aws('s3', 'sync', site, 's3://cli-bucket/site/'), 'sync up');
  const listed = await aws('s3api', 'list-objects-v2', '--bucket', 'cli-bucket', '--prefix', 'site/');
  expectOk(listed, 'list');
  t.deepEqual((JSON.parse(listed.stdout) as { Contents: { Key: string }[] }).Contents.map((item) => item.Key).sort(),
    Object.keys(files).map((name) => `site/${name}`).sort());
  const again = await aws('s3', 'sync', site, 's3://cli-bucket/site/');
  expectOk(again, 'sync again');
  t.is(again.stdout.trim(), '', 'a second sync has nothing to copy');
  const back = path.join(workDir, 'site-back');
  expectOk(await aws('s3', 'sync', 's3://cli-bucket/site/', back), 'sync down');
  for (const [name, bytes] of Object.entries(files)) t.true(readFileSync(path.join(back, name)).equals(bytes), `synced ${name}`);

  const rangeFile = path.join(workDir, 'range.bin');
  const ranged = await aws('s3api', 'get-object', '--bucket', 'cli-bucket', '--key', 'videos/big.bin', '--range', 'bytes=33554430-33620000', rangeFile);
  expectOk(ranged, 'get-object --range');
  t.is((JSON.parse(ranged.stdout) as { ContentRange: string }).ContentRange, `bytes 33554430-33620000/${50 * MIB}`);
  t.true(readFileSync(rangeFile).equals(big.subarray(33554430, 33620001)), 'the range\'s bytes');

  expectOk(await aws('s3', 'rm', 's3://cli-bucket/', '--recursive'), 'rm --recursive');
  expectOk(await aws('s3', 'rb', 's3://cli-bucket'), 'rb');
});
