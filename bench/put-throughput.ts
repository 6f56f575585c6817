/**
 * One large PutObject's throughput against the cost floor of a PUT: `npx tsx bench/put-throughput.ts
 * [options]` (see --help).
 *
 * The ETag of a single PUT is the MD5 of the body, so MD5 at one core is the least a PUT costs.
 * The bench first times MD5 over the object's bytes in this process (the MD5 rate of one core,
 * which is also the ETag to expect), then PUTs the object `--runs` times with the AWS SDK
 * (`PutObjectCommand`, a streamed body with its length, the SDK's default checksums) to a fresh
 * gateway + 6 shard nodes (4+2, request logs off), checks each answer's ETag, and reports MB/s and
 * the ratio to the MD5 rate (issue 11's goal: ≥ 0.25). The body repeats one block of random bytes
 * so the client spends no time making them. The 1-minute load is recorded beside each run: the
 * machine is shared. Results: a table on stdout and bench/results/put-throughput-<UTC time>.json.
 */
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import { Readable } from 'node:stream';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { parseBytes, parseInteger, type SettingSpecs } from '../src/config/flags.ts';
import { runBenchCommand } from './bench-command.ts';
import { BenchCluster } from './cluster.ts';
import { machineInfo } from './machine-info.ts';
import { writeResultsJson } from './results-file.ts';
import { formatTable } from './stats.ts';

const NODES = 6;
const BUCKET = 'put-bench';
const BLOCK_BYTES = 16 * 1024 * 1024;
const PIECE_BYTES = 1024 * 1024;

const SPECS = {
  size: { flag: 'size', env: 'BENCH_SIZE', kind: 'bytes', description: 'object size', defaultText: '1GiB' },
  runs: { flag: 'runs', env: 'BENCH_RUNS', kind: 'integer', description: 'PUTs of the object, one after another', defaultText: '2' },
} as const satisfies SettingSpecs;

interface Settings { size: number; runs: number }

interface PutRun { seconds: number; megabytesPerSecond: number; ratioToMd5: number; etagMatches: boolean; loadAverage: number[] }

/** The object: `size` bytes repeating one random block, as 1 MiB pieces (views, no copies). */
function objectPieces(block: Buffer, size: number): Readable {
  return Readable.from((function* pieces() {
    for (let offset = 0; offset < size; offset += PIECE_BYTES) {
      const at = offset % block.length;
      yield block.subarray(at, at + Math.min(PIECE_BYTES, size - offset, block.length - at));
    }
  })(), { objectMode: false });
}

/** MD5 of the object at one core: the rate in MB/s and the digest (the ETag a PUT must answer). */
async function timeMd5(block: Buffer, size: number): Promise<{ megabytesPerSecond: number; etag: string }> {
  const hash = createHash('md5');
  const started = performance.now();
  for await (const piece of objectPieces(block, size)) hash.update(piece as Buffer);
  const etag = `"${hash.digest('hex')}"`;
  return { megabytesPerSecond: size / 1e6 / ((performance.now() - started) / 1000), etag };
}

async function run(settings: Settings): Promise<number> {
  const startedAt = new Date();
  const block = randomBytes(BLOCK_BYTES);
  console.log(`MD5 of ${settings.size} bytes at one core…`);
  const md5 = await timeMd5(block, settings.size);
  console.log(`  ${md5.megabytesPerSecond.toFixed(0)} MB/s`);
  const cluster = new BenchCluster({ nodes: NODES, gatewayArgs: ['--log-requests', 'false'] });
  process.once('exit', () => cluster.closeSync());
  try {
    console.log(`starting gateway + ${NODES} shard nodes…`);
    await cluster.start();
    const s3 = cluster.s3();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const runs: PutRun[] = [];
    for (let run = 1; run <= settings.runs; run += 1) {
      const loadAverage = os.loadavg().map((load) => Number(load.toFixed(2)));
      console.log(`PUT ${run}/${settings.runs} (load ${loadAverage.join(' ')})…`);
      const started = performance.now();
      const answer = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `object-${run}`, Body: objectPieces(block, settings.size), ContentLength: settings.size }));
      const seconds = (performance.now() - started) / 1000;
      const megabytesPerSecond = settings.size / 1e6 / seconds;
      runs.push({ seconds, megabytesPerSecond, ratioToMd5: megabytesPerSecond / md5.megabytesPerSecond, etagMatches: answer.ETag === md5.etag, loadAverage });
    }
    const rows = runs.map((r, index) => [index + 1, r.seconds.toFixed(1), r.megabytesPerSecond.toFixed(1), md5.megabytesPerSecond.toFixed(0), r.ratioToMd5.toFixed(3), r.etagMatches ? 'yes' : 'NO', r.loadAverage[0]!.toFixed(2)]);
    console.log(`\n${formatTable(['run', 'PUT s', 'PUT MB/s', 'MD5 MB/s', 'PUT / MD5', 'ETag = MD5', 'load'], rows)}`);
    const file = writeResultsJson('put-throughput', {
      benchmark: 'put-throughput', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: machineInfo(),
      config: { ...settings, nodes: NODES, profile: { dataShards: 4, parityShards: 2 } }, md5MegabytesPerSecond: md5.megabytesPerSecond, runs,
    }, startedAt);
    console.log(`results: ${file}`);
    return runs.every((r) => r.etagMatches) ? 0 : 1;
  } finally {
    await cluster.close();
  }
}

process.exitCode = await runBenchCommand({
  name: 'put-throughput',
  usage: 'npx tsx bench/put-throughput.ts [options]',
  summary: 'Times one large PutObject (AWS SDK) on a fresh local 4+2 cluster against the single-core MD5 rate.',
  specs: SPECS,
  parse: (v): Settings => ({ size: parseBytes('--size', v.size ?? '1GiB'), runs: parseInteger('--runs', v.runs ?? '2', 1, 100) }),
  run,
});
