/**
 * `archive pack --upload` at full size: `npx tsx bench/archive-upload.ts [options]` (see --help).
 *
 * 1. Writes a synthetic HLS folder whose archive is about `--size` (default 5.1 GiB, past the 5 GiB
 *    of one PutObject and past 4 GiB, so members get ZIP64 offsets): one rendition of 8 MiB
 *    segments, each a sparse file with a 64 KiB seeded head — the folder costs ~1% of its size on
 *    disk and reads fast, and every segment's CRC-32 differs. The shard files do cost ~1.5× the size.
 * 2. Starts a fresh cluster (gateway + 6 shard nodes, 4+2, 64 KiB chunks, request logs off).
 * 3. Runs the real CLI, `shardgate archive pack <folder> --upload s3://bench/movie.zip` with
 *    `--part-size` and `--parallel`, as a child process. With `--interrupt <fraction>` it sends
 *    SIGINT once that fraction of the parts is stored (ListParts, polled every second), then runs
 *    the same command again, which resumes (ListParts in pages of 1,000 when there are more).
 * 4. `archive ls` of the object (ZIP64?, members) and, with `--verify`, `archive verify` (every
 *    member read back through the gateway and its CRC-32 checked).
 *
 * Per run: wall time, MB/s (archive bytes sent by that run ÷ wall time, 10^6 bytes), the CLI's
 * peak RSS (VmHWM from /proc, polled every 200 ms: Linux only) and the gateway's, CPU seconds of
 * each process. Results: a table and bench/results/archive-upload-<UTC>.json.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { S3MultipartClient } from '../src/archive/s3-multipart-client.ts';
import { S3ObjectClient, type S3Endpoint } from '../src/archive/s3-object-client.ts';
import { ConfigError, parseBoolean, parseBytes, parseInteger, type SettingSpecs } from '../src/config/flags.ts';
import { runBenchCommand } from './bench-command.ts';
import { procPeakRssBytes } from '../src/testing/local-cluster.ts';
import { BenchCluster, sleep } from './cluster.ts';
import { machineInfo } from './machine-info.ts';
import { objectBytes } from './object-bytes.ts';
import { writeResultsJson } from './results-file.ts';
import { formatTable } from './stats.ts';

const CLI = fileURLToPath(new URL('../bin/cli.ts', import.meta.url));
const NODES = 6;
const BUCKET = 'bench';
const KEY = 'movie.zip';
const SEGMENT_BYTES = 8 * 1024 * 1024;
const SEEDED_HEAD_BYTES = 64 * 1024;
const EPOCH = '1700000000';

const SPECS = {
  size: { flag: 'size', env: 'BENCH_SIZE', kind: 'bytes', description: 'archive size (segments of 8 MiB)', defaultText: '5.1GiB' },
  partSize: { flag: 'part-size', env: 'BENCH_PART_SIZE', kind: 'string', description: 'the CLI\'s --part-size', defaultText: '5MiB' },
  parallel: { flag: 'parallel', env: 'BENCH_PARALLEL', kind: 'integer', description: 'the CLI\'s --parallel', defaultText: '4' },
  interrupt: { flag: 'interrupt', env: 'BENCH_INTERRUPT', kind: 'string', description: 'SIGINT the first run once this fraction of parts is stored, then resume (0: no interruption)', defaultText: '0.5' },
  verify: { flag: 'verify', env: 'BENCH_VERIFY', kind: 'boolean', description: 'run archive verify on the uploaded object', defaultText: 'true' },
  seed: { flag: 'seed', env: 'BENCH_SEED', kind: 'integer', description: 'seed of the segments\' heads', defaultText: '1' },
} as const satisfies SettingSpecs;

const USAGE = 'npx tsx bench/archive-upload.ts [options]';
const SUMMARY = 'Times `shardgate archive pack --upload` of a synthetic archive past 5 GiB (ZIP64) into a fresh 4+2 cluster: rate, peak RSS, duration; optionally interrupted and resumed.';

interface Settings { size: number; partSize: string; partBytes: number; parallel: number; interrupt: number; verify: boolean; seed: number }

interface CliRun {
  readonly label: string; readonly code: number; readonly stdout: string; readonly stderr: string;
  readonly seconds: number; readonly cliPeakRssBytes: number; readonly gatewayPeakRssBytes: number;
  readonly cpuSeconds: Record<string, number>;
}

function parseSettings(v: Readonly<Record<string, string | undefined>>): Settings {
  const interrupt = Number(v.interrupt ?? '0.5');
  if (!(interrupt >= 0 && interrupt < 1)) throw new ConfigError(`--interrupt must be a fraction from 0 to below 1, got "${v.interrupt}"`);
  return {
    size: parseBytes('--size', v.size ?? '5.1GiB'),
    partSize: v.partSize ?? '5MiB',
    partBytes: parseBytes('--part-size', v.partSize ?? '5MiB'),
    parallel: parseInteger('--parallel', v.parallel ?? '4', 1, 64),
    interrupt,
    verify: v.verify ? parseBoolean('--verify', v.verify) : true,
    seed: parseInteger('--seed', v.seed ?? '1', 0, 2 ** 31 - 1),
  };
}

/** One rendition of sparse 8 MiB segments with seeded heads, and its playlist; returns the segment count. */
async function writeSparseHls(folder: string, size: number, seed: number): Promise<number> {
  await mkdir(folder, { recursive: true });
  const count = Math.max(1, Math.ceil(size / SEGMENT_BYTES));
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:4', '#EXT-X-PLAYLIST-TYPE:VOD'];
  for (let index = 0; index < count; index++) {
    const name = `seg_${String(index).padStart(5, '0')}.ts`;
    const file = await open(path.join(folder, name), 'w');
    await file.write(objectBytes(seed + index, 0, SEEDED_HEAD_BYTES), 0, SEEDED_HEAD_BYTES, 0);
    await file.truncate(SEGMENT_BYTES);
    await file.close();
    lines.push('#EXTINF:4.000,', name);
  }
  lines.push('#EXT-X-ENDLIST', '');
  await writeFile(path.join(folder, 'index.m3u8'), lines.join('\n'));
  return count;
}

/** VmHWM (peak resident set) of a live process, in bytes; 0 when /proc cannot tell. */
/** Runs the CLI, polling its and the gateway's peak RSS; `watch` may SIGINT it. */
async function runCli(label: string, cluster: BenchCluster, args: readonly string[], watch?: (stop: () => void) => Promise<void>): Promise<CliRun> {
  const env = { ...process.env, SOURCE_DATE_EPOCH: EPOCH, SHARDGATE_ENDPOINT: cluster.gatewayUrl, AWS_ACCESS_KEY_ID: cluster.accessKeyId, AWS_SECRET_ACCESS_KEY: cluster.secretKey };
  const cpuBefore = cluster.cpuSeconds();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => { stdout += text; });
  child.stderr.setEncoding('utf8').on('data', (text: string) => { stderr += text; });
  const exited = new Promise<number>((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1))));
  let cliPeak = 0;
  let gatewayPeak = 0;
  let running = true;
  const poller = (async () => {
    while (running) {
      cliPeak = Math.max(cliPeak, child.pid === undefined ? 0 : procPeakRssBytes(child.pid) ?? 0);
      gatewayPeak = Math.max(gatewayPeak, cluster.peakRssBytes().gateway ?? 0);
      await sleep(200);
    }
  })();
  const watcher = watch?.(() => child.kill('SIGINT'));
  const code = await exited;
  const seconds = (performance.now() - started) / 1000;
  running = false;
  await poller;
  await watcher;
  const cpuSeconds: Record<string, number> = {};
  for (const [name, value] of Object.entries(cluster.cpuSeconds())) cpuSeconds[name] = Number((value - (cpuBefore[name] ?? 0)).toFixed(2));
  return { label, code, stdout, stderr, seconds, cliPeakRssBytes: cliPeak, gatewayPeakRssBytes: gatewayPeak, cpuSeconds };
}

/** Bytes stored by a pack run, from its summary line (`…; N parts, S sent…`) and the part size. */
function partsSent(run: CliRun): number | null {
  const match = /; (\d+) parts, (\d+) sent/.exec(run.stdout);
  return match ? Number(match[2]) : null;
}

async function run(settings: Settings): Promise<number> {
  const startedAt = new Date();
  const root = await mkdtemp(path.join(tmpdir(), 'shardgate-upload-bench-'));
  const cluster = new BenchCluster({ nodes: NODES, gatewayArgs: ['--log-requests', 'false'] });
  const cleanupSync = () => cluster.closeSync();
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\narchive-upload: ${signal}, stopping\n`);
    cleanupSync();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanupSync);
  try {
    const folder = path.join(root, 'hls');
    const segments = await writeSparseHls(folder, settings.size, settings.seed);
    console.log(`wrote ${segments} sparse segments of ${SEGMENT_BYTES} bytes under ${folder} (load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    await cluster.start();
    const endpoint: S3Endpoint = { url: cluster.gatewayUrl, region: 'us-east-1', accessKeyId: cluster.accessKeyId, secretAccessKey: cluster.secretKey };
    await cluster.s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
    const multipart = new S3MultipartClient(new S3ObjectClient(endpoint));
    const location = { bucket: BUCKET, key: KEY };
    const packArgs = ['archive', 'pack', folder, '--upload', `s3://${BUCKET}/${KEY}`, '--part-size', settings.partSize, '--parallel', String(settings.parallel)];
    const runs: CliRun[] = [];
    let interruptedAtParts: number | null = null;

    if (settings.interrupt > 0) {
      console.log(`pack --upload, to be interrupted at ${settings.interrupt} of the parts…`);
      const first = await runCli('interrupted', cluster, packArgs, async (stop) => {
        for (;;) {
          await sleep(1000);
          const [upload] = await multipart.uploadsOf(location).catch(() => []);
          if (!upload) continue;
          const stored = await multipart.parts(location, upload.uploadId).catch(() => null);
          if (stored === null) continue;
          if (stored.length >= Math.ceil(settings.size / settings.partBytes) * settings.interrupt) {
            stop();
            return;
          }
        }
      });
      runs.push(first);
      const [upload] = await multipart.uploadsOf(location);
      interruptedAtParts = upload ? (await multipart.parts(location, upload.uploadId)).length : 0;
      console.log(`  exit ${first.code} after ${first.seconds.toFixed(1)} s: ${first.stderr.trim()}`);
      if (first.code !== 130) throw new Error(`the interrupted run exited ${first.code}: ${first.stderr}`);
    }
    console.log(settings.interrupt > 0 ? 'the same command again (resume)…' : 'pack --upload…');
    const last = await runCli(settings.interrupt > 0 ? 'resumed' : 'uninterrupted', cluster, packArgs);
    runs.push(last);
    if (last.code !== 0) throw new Error(`pack --upload exited ${last.code}: ${last.stderr}`);
    console.log(`  ${last.stdout.trim()}`);

    const listed = await runCli('ls', cluster, ['archive', 'ls', `s3://${BUCKET}/${KEY}`]);
    const summaryLine = listed.stdout.trim().split('\n').at(-1) ?? '';
    const archiveBytes = Number(/(\d+) bytes \(/.exec(last.stdout)?.[1] ?? /members, (\d+) bytes/.exec(summaryLine)?.[1] ?? 0);
    console.log(`  ls: ${summaryLine}`);
    let verify: CliRun | null = null;
    if (settings.verify) {
      console.log('archive verify…');
      verify = await runCli('verify', cluster, ['archive', 'verify', `s3://${BUCKET}/${KEY}`]);
      console.log(`  exit ${verify.code}: ${verify.stdout.trim() || verify.stderr.trim()}`);
    }

    const partBytes = settings.partBytes;
    const rows = [...runs, ...(verify ? [verify] : [])].map((run) => {
      const sent = partsSent(run);
      const bytes = run.label === 'verify' ? archiveBytes
        : run.label === 'interrupted' ? (interruptedAtParts ?? 0) * partBytes
          : run.label === 'resumed' ? archiveBytes - (interruptedAtParts ?? 0) * partBytes
            : sent !== null ? Math.min(archiveBytes, sent * partBytes) : archiveBytes;
      return { ...run, bytes, mbPerSecond: bytes / 1e6 / run.seconds };
    });
    console.log(`\n${formatTable(['run', 'exit', 'seconds', 'MB', 'MB/s', 'CLI peak RSS MB', 'gateway peak RSS MB', 'gateway CPU s'], rows.map((row) => [
      row.label, row.code, row.seconds.toFixed(1), (row.bytes / 1e6).toFixed(0), row.mbPerSecond.toFixed(1),
      (row.cliPeakRssBytes / 1e6).toFixed(0), (row.gatewayPeakRssBytes / 1e6).toFixed(0), (row.cpuSeconds.gateway ?? 0).toFixed(1),
    ]))}\n(MB = 10^6 bytes; MB/s: bytes this run stored or read ÷ its wall time; the interrupted run counts the parts stored when it exited)`);
    const file = writeResultsJson('archive-upload', {
      benchmark: 'archive-upload', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: machineInfo(),
      config: { ...settings, nodes: NODES, segmentBytes: SEGMENT_BYTES, seededHeadBytes: SEEDED_HEAD_BYTES, segments, mb: '10^6 bytes' },
      archive: { bytes: archiveBytes, ls: summaryLine, interruptedAtParts },
      runs: rows,
    }, startedAt);
    console.log(`results: ${path.relative(process.cwd(), file)}`);
    return rows.every((row) => row.label === 'interrupted' || row.code === 0) ? 0 : 1;
  } catch (error) {
    console.error(`archive-upload failed: ${(error as Error).stack ?? error}`);
    if (cluster.gateway) console.error(`gateway output (tail):\n${cluster.gateway.output()}`);
    return 1;
  } finally {
    await cluster.close();
    await rm(root, { recursive: true, force: true });
  }
}

process.exitCode = await runBenchCommand({ name: 'archive-upload', usage: USAGE, summary: SUMMARY, specs: SPECS, parse: parseSettings, run });
