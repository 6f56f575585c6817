/**
 * Range-read latency through the whole stack: `npm run bench:range-read -- [options]` (see --help).
 *
 * Starts a fresh cluster (gateway + 6 shard nodes, 4+2, 64 KiB chunks, request logs off) in a temp
 * dir, uploads one object streamed from a seeded generator with the AWS SDK, then times random
 * range GETs (same seeded list in every scenario) at each concurrency, first healthy, then with
 * shard nodes SIGKILLed and marked offline by the gateway. Every response is checked: status,
 * Content-Range, length, and bytes against the generator.
 *
 * TTFB is from just before `s3.send()` (SDK signing included) to the first body byte; total is to
 * the last byte. Byte checks run after the clock stops. MB/s is the scenario's bytes over its wall
 * time (1 MB = 10^6 bytes). The shard files are all in the page cache (just written), so this
 * measures the software, not the disks. Results: a table on stdout and
 * bench/results/range-read-<UTC time>.json.
 */
import os from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  ConfigError, parseBytes, parseInteger, type SettingSpecs,
} from '../src/config/flags.ts';
import { parseIntegerList, runBenchCommand } from './bench-command.ts';
import { runArchiveRangeRead } from './archive-range-read.ts';
import { BenchCluster } from './cluster.ts';
import { objectStream, seededRandom } from './object-bytes.ts';
import { randomRanges, runRangeReads, type SeededObject } from './range-reads.ts';
import { writeResultsJson } from './results-file.ts';
import { distribution, formatTable, type Distribution } from './stats.ts';
import { machineInfo } from './machine-info.ts';

const NODES = 6;
const BUCKET = 'bench';
const KEY = 'range-read.bin';
/** The gateway marks a silent node offline after this; short so the degraded phase starts soon. */
const NODE_TIMEOUT_MS = 3_000;
const MAX_ERRORS_KEPT = 5;

const SPECS = {
  size: { flag: 'size', env: 'BENCH_SIZE', kind: 'bytes', description: 'object size', defaultText: '1GiB' },
  reads: { flag: 'reads', env: 'BENCH_READS', kind: 'integer', description: 'timed range reads per scenario', defaultText: '200' },
  seed: { flag: 'seed', env: 'BENCH_SEED', kind: 'integer', description: 'seed of the object bytes, ranges and killed nodes', defaultText: '1' },
  minLength: { flag: 'min-length', env: 'BENCH_MIN_LENGTH', kind: 'bytes', description: 'shortest range', defaultText: '64KiB' },
  maxLength: { flag: 'max-length', env: 'BENCH_MAX_LENGTH', kind: 'bytes', description: 'longest range', defaultText: '2MiB' },
  concurrency: { flag: 'concurrency', env: 'BENCH_CONCURRENCY', kind: 'string', description: 'comma-separated request concurrencies', defaultText: '1,16' },
  kill: { flag: 'kill', env: 'BENCH_KILL', kind: 'integer', description: 'shard nodes to SIGKILL for the degraded scenario', defaultText: '2' },
  warmup: { flag: 'warmup', env: 'BENCH_WARMUP', kind: 'integer', description: 'untimed reads before each scenario', defaultText: '10' },
} as const satisfies SettingSpecs;

const USAGE = 'npm run bench:range-read -- [options]';
const SUMMARY = 'Times random S3 range GETs (TTFB and total) on a fresh local 4+2 cluster, healthy and with shard nodes killed.';

interface Settings {
  size: number; reads: number; seed: number; minLength: number; maxLength: number;
  concurrency: number[]; kill: number; warmup: number;
}

interface Span { readonly offset: number; readonly length: number }

interface ScenarioResult {
  scenario: string; concurrency: number; reads: number; errors: number; errorMessages: string[];
  ttfbMs: Distribution; totalMs: Distribution; bytes: number; wallSeconds: number; mbPerSecond: number;
  clientVerifyMs: number; cpuSeconds: Record<string, number>; gatewayMetrics: Metrics;
  /** The gateway's peak RSS during the scenario (VmHWM, reset at its start). */
  gatewayPeakRssBytes: number | null;
}

function parseSettings(v: Readonly<Record<string, string | undefined>>): Settings {
  const settings: Settings = {
    size: parseBytes('--size', v.size ?? '1GiB'),
    reads: parseInteger('--reads', v.reads ?? '200', 1, 1_000_000),
    seed: parseInteger('--seed', v.seed ?? '1', 0, 2 ** 32 - 1),
    minLength: parseBytes('--min-length', v.minLength ?? '64KiB'),
    maxLength: parseBytes('--max-length', v.maxLength ?? '2MiB'),
    concurrency: parseIntegerList('--concurrency', v.concurrency ?? '1,16', 1, 1024),
    kill: parseInteger('--kill', v.kill ?? '2', 0, NODES - 1),
    warmup: parseInteger('--warmup', v.warmup ?? '10', 0, 1_000_000),
  };
  if (settings.minLength < 1 || settings.minLength > settings.maxLength) throw new ConfigError('need 1 <= --min-length <= --max-length');
  if (settings.maxLength > settings.size) throw new ConfigError('--max-length must not exceed --size');
  if (settings.size > 5 * 2 ** 30) throw new ConfigError('--size above 5GiB needs multipart upload, which this bench does not do');
  return settings;
}

async function upload(s3: S3Client, s: Settings): Promise<{ bytes: number; seconds: number; mbPerSecond: number }> {
  const started = performance.now();
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: objectStream(s.seed, s.size), ContentLength: s.size }));
  const seconds = (performance.now() - started) / 1000;
  return { bytes: s.size, seconds, mbPerSecond: s.size / 1e6 / seconds };
}

/** Runs `work` and reports, beside its result, the CPU each process used and the gateway counters' change. */
async function measured<T>(cluster: BenchCluster, work: () => Promise<T>) {
  const cpuBefore = cluster.cpuSeconds();
  const metricsBefore = await cluster.admin<Metrics>('/_/admin/metrics');
  const clientCpuBefore = process.cpuUsage();
  cluster.resetPeakRss();
  const result = await work();
  const gatewayPeakRssBytes = cluster.peakRssBytes().gateway ?? null;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const gatewayMetrics = metricsDelta(metricsBefore, await cluster.admin<Metrics>('/_/admin/metrics'));
  const cpuSeconds: Record<string, number> = { client: round((clientCpu.user + clientCpu.system) / 1e6, 2) };
  for (const [name, seconds] of Object.entries(cluster.cpuSeconds())) cpuSeconds[name] = round(seconds - (cpuBefore[name] ?? 0), 2);
  return { result, cpuSeconds, gatewayMetrics, gatewayPeakRssBytes };
}

async function runScenario(cluster: BenchCluster, s3: S3Client, s: Settings, scenario: string, concurrency: number, ranges: Span[], warmup: Span[]): Promise<ScenarioResult> {
  await runRangeReads(s3, objectOf(s), warmup, concurrency);
  const { result: run, cpuSeconds, gatewayMetrics, gatewayPeakRssBytes } = await measured(cluster, () => runRangeReads(s3, objectOf(s), ranges, concurrency));
  return {
    scenario, concurrency, reads: run.samples.length, errors: run.errors.length, errorMessages: run.errors.slice(0, MAX_ERRORS_KEPT),
    ttfbMs: distribution(run.samples.map((sample) => sample.ttfbMs)),
    totalMs: distribution(run.samples.map((sample) => sample.totalMs)),
    bytes: run.bytes, wallSeconds: run.wallSeconds, mbPerSecond: run.bytes / 1e6 / run.wallSeconds,
    clientVerifyMs: run.samples.reduce((sum, sample) => sum + sample.verifyMs, 0), cpuSeconds, gatewayMetrics, gatewayPeakRssBytes,
  };
}

type Metrics = Record<string, unknown>;

/** Numeric counters as the change over the interval; anything else (e.g. memory) as it was after. */
function metricsDelta(before: Metrics, after: Metrics): Metrics {
  return Object.fromEntries(Object.entries(after).map(([name, value]) => {
    const previous = before[name];
    return [name, typeof value === 'number' && typeof previous === 'number' ? value - previous : value];
  }));
}

function round(value: number, digits = 1): number {
  return Number(value.toFixed(digits));
}

function printTable(results: readonly ScenarioResult[]): void {
  const header = ['scenario', 'conc', 'reads', 'errors', 'ttfb p50', 'p90', 'p99', 'total p50', 'p90', 'p99', 'MB/s', 'gw MiB'];
  const rows = results.map((r) => [
    r.scenario, r.concurrency, r.reads, r.errors,
    ...[r.ttfbMs.p50, r.ttfbMs.p90, r.ttfbMs.p99, r.totalMs.p50, r.totalMs.p90, r.totalMs.p99].map((ms) => round(ms).toFixed(1)),
    round(r.mbPerSecond).toFixed(1),
    r.gatewayPeakRssBytes === null ? '-' : (r.gatewayPeakRssBytes / 2 ** 20).toFixed(0),
  ]);
  console.log(`\n${formatTable(header, rows)}\n(latencies in ms; gw MiB: the gateway's peak RSS during the scenario)`);
}

function objectOf(s: Settings): SeededObject {
  return { bucket: BUCKET, key: KEY, size: s.size, seed: s.seed };
}

async function run(s: Settings): Promise<number> {
  const startedAt = new Date();
  const loadAverageAtStart = os.loadavg();
  const random = seededRandom(s.seed);
  const ranges = randomRanges(random, s.reads, objectOf(s), s);
  const warmup = randomRanges(random, s.warmup, objectOf(s), s);
  const cluster = new BenchCluster({
    nodes: NODES,
    gatewayArgs: ['--log-requests', 'false', '--node-timeout', String(NODE_TIMEOUT_MS)],
  });
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nrange-read: ${signal}, stopping the cluster\n`);
    cluster.closeSync();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', () => cluster.closeSync());
  if (loadAverageAtStart[0]! > os.cpus().length) {
    console.log(`note: load average ${loadAverageAtStart[0]!.toFixed(1)} on ${os.cpus().length} CPUs before starting; expect noisy figures`);
  }
  try {
    console.log(`starting gateway + ${NODES} shard nodes in ${cluster.root}`);
    await cluster.start();
    const s3 = cluster.s3();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    console.log(`uploading ${s.size} bytes (seed ${s.seed})…`);
    const { result: uploaded, cpuSeconds: uploadCpu, gatewayMetrics: uploadMetrics } = await measured(cluster, () => upload(s3, s));
    console.log(`upload: ${round(uploaded.seconds, 2)} s, ${round(uploaded.mbPerSecond)} MB/s`);

    const results: ScenarioResult[] = [];
    for (const concurrency of s.concurrency) {
      console.log(`healthy, concurrency ${concurrency}: ${s.reads} reads…`);
      results.push(await runScenario(cluster, s3, s, 'healthy', concurrency, ranges, warmup));
    }
    const victims = cluster.nodes.map((node) => ({ node, order: random() }))
      .sort((a, b) => a.order - b.order).slice(0, s.kill).map(({ node }) => node);
    if (victims.length > 0) {
      for (const victim of victims) await cluster.kill(victim);
      console.log(`killed ${victims.map((v) => v.name).join(', ')} (SIGKILL); waiting for the gateway to mark them offline…`);
      await runRangeReads(s3, objectOf(s), warmup, 1); // also lets the shard client notice the refused connections
      await cluster.waitForOnlineNodes(NODES - victims.length, NODE_TIMEOUT_MS * 3);
      for (const concurrency of s.concurrency) {
        console.log(`${victims.length} nodes down, concurrency ${concurrency}: ${s.reads} reads…`);
        results.push(await runScenario(cluster, s3, s, `${victims.length} down`, concurrency, ranges, warmup));
      }
    }

    printTable(results);
    const file = writeResultsJson('range-read', {
      benchmark: 'range-read', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(),
      machine: { ...machineInfo(), loadAverageAtStart },
      config: {
        ...s, nodes: NODES, profile: { dataShards: 4, parityShards: 2, chunkSize: 64 * 1024 } /* the gateway's defaults */, nodeTimeoutMs: NODE_TIMEOUT_MS,
        killed: victims.map((v) => v.name), latency: 'ms; ttfb = send() to first body byte', mb: '10^6 bytes',
      },
      upload: { ...uploaded, cpuSeconds: uploadCpu, gatewayMetrics: uploadMetrics },
      scenarios: results,
    }, startedAt);
    console.log(`results: ${path.relative(process.cwd(), file)}`);
    for (const r of results.filter((result) => result.errors > 0)) {
      console.error(`${r.scenario} c=${r.concurrency}: ${r.errors} failed reads, e.g.\n  ${r.errorMessages.join('\n  ')}`);
    }
    return results.some((r) => r.errors > 0) ? 1 : 0;
  } catch (error) {
    console.error(`range-read failed: ${(error as Error).stack ?? error}`);
    if (cluster.gateway) console.error(`gateway output (tail):\n${cluster.gateway.output()}`);
    return 1;
  } finally {
    await cluster.close();
  }
}

/**
 * `--mode archive` (the default) runs the archived-HLS benchmark of `archive-range-read.ts`;
 * `--mode object` runs this file's random ranges of one plain object.
 */
function splitMode(argv: readonly string[]): { mode: string; rest: string[] } {
  const rest = [...argv];
  const at = rest.findIndex((arg) => arg === '--mode' || arg.startsWith('--mode='));
  if (at === -1) return { mode: 'archive', rest };
  const [flag] = rest.splice(at, 1);
  const mode = flag!.includes('=') ? flag!.slice('--mode='.length) : rest.splice(at, 1)[0] ?? '';
  return { mode, rest };
}

const { mode, rest } = splitMode(process.argv.slice(2));
if (mode === 'archive') {
  process.exitCode = await runArchiveRangeRead(rest);
} else if (mode === 'object') {
  process.exitCode = await runBenchCommand({ name: 'range-read', usage: USAGE, summary: SUMMARY, specs: SPECS, parse: parseSettings, run }, rest);
} else {
  process.stderr.write(`range-read: --mode must be archive or object, got "${mode}"\n`);
  process.exitCode = 2;
}
