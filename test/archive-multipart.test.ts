/**
 * `archive pack --upload` as a resumable multipart upload on one real cluster: a pack stopped with
 * SIGINT after some parts, resumed by the same command, sends only the missing parts (counted in
 * the gateway's request log) and the object verifies; a resume whose source changed is refused
 * with one line and stores nothing; an upload aborted while the pack runs ends it with one line;
 * through a loopback proxy that fails chosen UploadParts (503, or the connection cut), a part
 * failing once is retried and the object is byte-identical, a part failing every attempt ends the
 * run with one line that says the upload stays and how to resume it.
 * A synthetic HLS folder of seeded segments (~26 MB) and 5 MiB parts keep it fast.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import {
  AbortMultipartUploadCommand, CreateBucketCommand, HeadObjectCommand, ListMultipartUploadsCommand, ListPartsCommand,
} from '@aws-sdk/client-s3';
import { getObjectBytes, seededBytes, sleep, TestCluster } from './cluster.ts';
import { isCompleteUpload, startFaultProxy, uploadPartNumber, type FaultAction } from './fault-proxy.ts';
import { run, shardgate, type RunResult } from './hls-helpers.ts';

const CLI = fileURLToPath(new URL('../bin/cli.ts', import.meta.url));
const BUCKET = 'big';
const SEGMENTS = 25;
const SEGMENT_BYTES = 1024 * 1024 + 12_345;
const PART_ARGS = ['--part-size', '5MiB', '--parallel', '1'];
const EPOCH = '1700000000';

let cluster: TestCluster;
let root: string;

test.before(async () => {
  cluster = new TestCluster({ gatewayArgs: ['--log-requests', 'true'] });
  await cluster.startGateway();
  for (let index = 0; index < cluster.nodeCount; index++) await cluster.startNode(index);
  await cluster.waitForOnlineNodes(cluster.nodeCount);
  await cluster.s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
  root = mkdtempSync(path.join(tmpdir(), 'shardgate-multipart-'));
});

test.after.always(() => {
  cluster?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** An HLS folder of SEGMENTS seeded segments: the archive is about 26 MB, 6 parts of 5 MiB. */
function makeStream(name: string, seed: number): string {
  const folder = path.join(root, name);
  mkdirSync(folder);
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD'];
  for (let index = 0; index < SEGMENTS; index++) {
    writeFileSync(path.join(folder, `seg${index}.ts`), seededBytes(SEGMENT_BYTES, seed + index));
    lines.push('#EXTINF:4.0,', `seg${index}.ts`);
  }
  lines.push('#EXT-X-ENDLIST', '');
  writeFileSync(path.join(folder, 'index.m3u8'), lines.join('\n'));
  return folder;
}

function cliEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env, SOURCE_DATE_EPOCH: EPOCH, SHARDGATE_ENDPOINT: cluster.gatewayUrl,
    AWS_ACCESS_KEY_ID: cluster.accessKeyId, AWS_SECRET_ACCESS_KEY: cluster.secretKey,
  };
}

function pack(args: readonly string[]): Promise<RunResult> {
  return shardgateWithEpoch(['archive', 'pack', ...args]);
}

async function shardgateWithEpoch(args: readonly string[]): Promise<RunResult> {
  const previous = process.env.SOURCE_DATE_EPOCH;
  process.env.SOURCE_DATE_EPOCH = EPOCH;
  try {
    return await shardgate(cluster, args);
  } finally {
    if (previous === undefined) delete process.env.SOURCE_DATE_EPOCH;
    else process.env.SOURCE_DATE_EPOCH = previous;
  }
}

async function uploadsOf(key: string): Promise<string[]> {
  const listed = await cluster.s3().send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: key }));
  return (listed.Uploads ?? []).filter((upload) => upload.Key === key).map((upload) => upload.UploadId!);
}

async function partsOf(key: string, uploadId: string): Promise<number> {
  const listed = await cluster.s3().send(new ListPartsCommand({ Bucket: BUCKET, Key: key, UploadId: uploadId }));
  return listed.Parts?.length ?? 0;
}

/**
 * Runs `pack --upload` and, once `parts` parts are stored, calls `during(uploadId)` (which
 * interrupts or sabotages the run); resolves with the CLI's result.
 */
async function packInterrupted(folder: string, key: string, parts: number, during: (child: ReturnType<typeof spawn>, uploadId: string) => Promise<void>): Promise<RunResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'archive', 'pack', folder, '--upload', `s3://${BUCKET}/${key}`, ...PART_ARGS], { env: cliEnv() });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
  child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  const exited = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  let acted = false;
  while (child.exitCode === null && !acted) {
    const [uploadId] = await uploadsOf(key);
    if (uploadId !== undefined && await partsOf(key, uploadId) >= parts) {
      await during(child, uploadId);
      acted = true;
    }
    await sleep(20);
  }
  const code = await exited;
  if (!acted) throw new Error(`the pack finished before ${parts} parts were seen: ${stdout}${stderr}`);
  return { code, stdout, stderr };
}

function uploadPartRequests(key: string): number {
  return cluster.gateway.output().split('\n')
    .filter((line) => line.includes('"operation":"UploadPart"') && line.includes(`"key":"${key}"`) && line.includes('"status":200')).length;
}

test.serial('SIGINT leaves the upload resumable; the same command sends only the missing parts and the object verifies', async (t) => {
  const folder = makeStream('resume', 1);
  const local = path.join(root, 'resume.zip');
  t.is((await pack([folder, local, '--name', 'movie.zip'])).code, 0);
  const expected = readFileSync(local);
  const partCount = Math.ceil(expected.length / (5 * 1024 * 1024));
  t.true(expected.length > 5 * 1024 * 1024 * 4, 'several parts');

  const stopped = await packInterrupted(folder, 'movie.zip', 2, async (child) => { child.kill('SIGINT'); });
  t.is(stopped.code, 130);
  t.regex(stopped.stderr, /^shardgate archive pack: interrupted: the upload \S+ of s3:\/\/big\/movie\.zip keeps \d+ of \d+ parts; run the same command again to resume, or with --abort to remove it\n$/);
  const [uploadId] = await uploadsOf('movie.zip');
  const stored = await partsOf('movie.zip', uploadId!);
  t.true(stored >= 2 && stored < partCount, `${stored} of ${partCount} parts stored`);
  const sentBefore = uploadPartRequests('movie.zip');
  t.is(sentBefore, stored);

  const resumed = await pack([folder, '--upload', `s3://${BUCKET}/movie.zip`, ...PART_ARGS]);
  t.is(resumed.code, 0, resumed.stderr);
  t.regex(resumed.stdout, new RegExp(`${partCount} parts, ${partCount - stored} sent, ${stored} already there \\(resumed upload ${uploadId}\\)`));
  t.is(uploadPartRequests('movie.zip') - sentBefore, partCount - stored, 'UploadPart requests of the resumed run');
  t.deepEqual(await uploadsOf('movie.zip'), []);
  t.true((await getObjectBytes(cluster.s3(), { Bucket: BUCKET, Key: 'movie.zip' })).equals(expected), 'the object is the archive packed locally');
  const verified = await shardgate(cluster, ['archive', 'verify', `s3://${BUCKET}/movie.zip`]);
  t.is(verified.code, 0, verified.stderr);
});

test.serial('a resume whose source changed is refused with one line, stores nothing, and --abort removes the upload', async (t) => {
  const folder = makeStream('changed', 100);
  const stopped = await packInterrupted(folder, 'changed.zip', 1, async (child) => { child.kill('SIGINT'); });
  t.is(stopped.code, 130);
  // Same size, other bytes: only the part's CRC-32 can tell.
  writeFileSync(path.join(folder, 'seg0.ts'), seededBytes(SEGMENT_BYTES, 999));
  const refused = await pack([folder, '--upload', `s3://${BUCKET}/changed.zip`, ...PART_ARGS]);
  t.is(refused.code, 1);
  t.regex(refused.stderr, /^shardgate archive pack: the unfinished upload \S+ of s3:\/\/big\/changed\.zip holds part 1 with CRC-32 \S+ where this archive's is \S+: the source changed since it began \(or --part-size differs\); nothing was stored: run again with --restart to start over, or --abort to remove it\n$/);
  const missing = await t.throwsAsync(cluster.s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'changed.zip' })));
  t.is((missing as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 404);
  t.is((await uploadsOf('changed.zip')).length, 1);

  const aborted = await pack(['--upload', `s3://${BUCKET}/changed.zip`, '--abort']);
  t.is(aborted.code, 0, aborted.stderr);
  t.is(aborted.stdout, `aborted 1 unfinished upload(s) of s3://${BUCKET}/changed.zip\n`);
  t.deepEqual(await uploadsOf('changed.zip'), []);

  const restarted = await pack([folder, '--upload', `s3://${BUCKET}/changed.zip`, ...PART_ARGS]);
  t.is(restarted.code, 0, restarted.stderr);
  t.is((await shardgate(cluster, ['archive', 'verify', `s3://${BUCKET}/changed.zip`])).code, 0);
});

test.serial('an upload aborted while the pack runs ends it with one line and no object', async (t) => {
  const folder = makeStream('gone', 200);
  const result = await packInterrupted(folder, 'gone.zip', 1, async (_child, uploadId) => {
    await cluster.s3().send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'gone.zip', UploadId: uploadId }));
  });
  t.is(result.code, 1);
  t.regex(result.stderr, /^shardgate archive pack: the upload \S+ of s3:\/\/big\/gone\.zip was aborted meanwhile \(NoSuchUpload\); nothing was stored: run the command again to start a new upload\n$/);
  await t.throwsAsync(cluster.s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'gone.zip' })));
  t.deepEqual(await uploadsOf('gone.zip'), []);
});

/** `pack --upload` with the endpoint a fault proxy in front of the gateway, `decide` choosing which UploadParts (by number) and Completes ('complete') fail. */
async function packThroughProxy(folder: string, key: string, decide: (request: number | 'complete') => FaultAction) {
  const proxy = await startFaultProxy(cluster.gatewayUrl, (request) => {
    const partNumber = uploadPartNumber(request);
    return partNumber !== null ? decide(partNumber) : isCompleteUpload(request) ? decide('complete') : 'pass';
  });
  try {
    const result = await run(process.execPath, ['--import', 'tsx', CLI, 'archive', 'pack', folder, '--upload', `s3://${BUCKET}/${key}`, ...PART_ARGS], { ...cliEnv(), SHARDGATE_ENDPOINT: proxy.url });
    return { result, faults: [...proxy.faults] };
  } finally {
    await proxy.close();
  }
}

test.serial('an UploadPart answered 503 once, one whose connection is cut once, and a Complete whose answer is lost are retried: the object is byte-identical', async (t) => {
  const folder = makeStream('retry', 300);
  const local = path.join(root, 'retry.zip');
  t.is((await pack([folder, local, '--name', 'retry.zip'])).code, 0);
  const expected = readFileSync(local);
  const partCount = Math.ceil(expected.length / (5 * 1024 * 1024));
  const sentBefore = uploadPartRequests('retry.zip');
  const failOnce = new Map<number | 'complete', FaultAction>([[2, '503'], [4, 'cut'], ['complete', 'lose-answer']]);
  const { result, faults } = await packThroughProxy(folder, 'retry.zip', (request) => {
    const action = failOnce.get(request) ?? 'pass';
    failOnce.delete(request);
    return action;
  });
  t.is(result.code, 0, result.stderr);
  t.is(result.stderr, '');
  t.regex(result.stdout, new RegExp(`; ${partCount} parts, ${partCount} sent\n$`));
  t.is(faults.length, 3);
  t.regex(faults[0]!, /^503 PUT \/big\/retry\.zip\?partNumber=2&uploadId=/);
  t.regex(faults[1]!, /^cut PUT \/big\/retry\.zip\?partNumber=4&uploadId=/);
  t.regex(faults[2]!, /^lose-answer POST \/big\/retry\.zip\?uploadId=/, 'the first Complete was done by the gateway, its answer lost');
  t.is(uploadPartRequests('retry.zip') - sentBefore, partCount, 'each part stored once: the failed attempts never reached the gateway');
  t.deepEqual(await uploadsOf('retry.zip'), []);
  t.true((await getObjectBytes(cluster.s3(), { Bucket: BUCKET, Key: 'retry.zip' })).equals(expected), 'the object is the archive packed locally');
});

test.serial('a part failing every attempt ends the run with one line: the upload stays, and the same command resumes it', async (t) => {
  const folder = makeStream('failing', 400);
  const failed = await packThroughProxy(folder, 'failing.zip', (request) => (request === 3 ? '503' : 'pass'));
  t.is(failed.result.code, 1);
  t.regex(failed.result.stderr, /^shardgate archive pack: part 3 of s3:\/\/big\/failing\.zip failed 5 time\(s\): UploadPart 3 s3:\/\/big\/failing\.zip: 503 ServiceUnavailable: injected by the test proxy; the upload \S+ stays \(not aborted\): run the same command again to resume it, or with --abort to remove it\n$/);
  t.is(failed.faults.length, 5, 'one attempt and four retries');
  t.true(failed.faults.every((fault) => fault.startsWith('503 PUT /big/failing.zip?partNumber=3&')));
  const missing = await t.throwsAsync(cluster.s3().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'failing.zip' })));
  t.is((missing as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode, 404, 'no object');
  const [uploadId] = await uploadsOf('failing.zip');
  t.truthy(uploadId);
  t.true(failed.result.stderr.includes(`the upload ${uploadId} stays`), 'the message names the upload left behind');
  t.is(await partsOf('failing.zip', uploadId!), 2, 'the parts before the failing one');

  const resumed = await packThroughProxy(folder, 'failing.zip', () => 'pass');
  t.is(resumed.result.code, 0, resumed.result.stderr);
  t.regex(resumed.result.stdout, new RegExp(`already there \\(resumed upload ${uploadId}\\)\n$`));
  t.deepEqual(await uploadsOf('failing.zip'), []);
  const verified = await shardgate(cluster, ['archive', 'verify', `s3://${BUCKET}/failing.zip`]);
  t.is(verified.code, 0, verified.stderr);
});

test.serial('part size and parallelism are checked before anything is read', async (t) => {
  const small = await pack([root, '--upload', `s3://${BUCKET}/x.zip`, '--part-size', '1MiB']);
  t.is(small.code, 2);
  t.is(small.stderr, 'shardgate archive pack: --part-size must be 5MiB to 5GiB, got 1048576 bytes\n');
  const parallel = await pack([root, '--upload', `s3://${BUCKET}/x.zip`, '--parallel', '0']);
  t.is(parallel.code, 2);
  t.is(parallel.stderr, 'shardgate archive pack: --parallel must be an integer from 1 to 64, got "0"\n');
});
