/**
 * What the billing middleware costs a range GET: `npx tsx bench/billing.ts [options]` (see --help).
 *
 * Starts two identical clusters (gateway + 6 shard nodes, request logs off), one with
 * `--billing true`, one with `--billing false`, uploads the same seeded object to both, then times
 * the same seeded list of random range GETs against each. Rounds alternate which cluster goes
 * first (ABBA…), so drift in the machine's load hits both alike. Every response is checked
 * (status, length, bytes). Reported per mode and concurrency: latency to the last byte
 * (p50/p90/p99/mean) and gateway CPU per request; at the end the billing cluster's invoice must
 * count exactly the reads made. Results: a table on stdout and bench/results/billing-<UTC time>.json.
 */
import os from 'node:os';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Invoice } from '../src/billing/invoice.ts';
import { UsageRecorder } from '../gateway/billing/usage-recorder.ts';
import { createMetrics } from '../gateway/metrics.ts';
import { silentLogger } from '../src/log/logger.ts';
import { ConfigError, parseBytes, parseInteger, type SettingSpecs } from '../src/config/flags.ts';
import { parseIntegerList, runBenchCommand } from './bench-command.ts';
import { BenchCluster } from './cluster.ts';
import { objectStream, seededRandom } from './object-bytes.ts';
import { machineInfo } from './machine-info.ts';
import { randomRanges, runRangeReads, type SeededObject } from './range-reads.ts';
import { writeResultsJson } from './results-file.ts';
import { distribution, formatTable, type Distribution } from './stats.ts';

const NODES = 6;
const BUCKET = 'bench';
const KEY = 'billing.bin';
const MODES = ['billing on', 'billing off'] as const;
type Mode = (typeof MODES)[number];

const SPECS = {
  size: { flag: 'size', env: 'BENCH_SIZE', kind: 'bytes', description: 'object size', defaultText: '64MiB' },
  reads: { flag: 'reads', env: 'BENCH_READS', kind: 'integer', description: 'timed range reads per mode, round and concurrency', defaultText: '200' },
  rounds: { flag: 'rounds', env: 'BENCH_ROUNDS', kind: 'integer', description: 'alternating rounds', defaultText: '6' },
  seed: { flag: 'seed', env: 'BENCH_SEED', kind: 'integer', description: 'seed of the object bytes and ranges', defaultText: '1' },
  minLength: { flag: 'min-length', env: 'BENCH_MIN_LENGTH', kind: 'bytes', description: 'shortest range', defaultText: '16KiB' },
  maxLength: { flag: 'max-length', env: 'BENCH_MAX_LENGTH', kind: 'bytes', description: 'longest range', defaultText: '512KiB' },
  concurrency: { flag: 'concurrency', env: 'BENCH_CONCURRENCY', kind: 'string', description: 'comma-separated request concurrencies', defaultText: '1,16' },
  warmup: { flag: 'warmup', env: 'BENCH_WARMUP', kind: 'integer', description: 'untimed reads per cluster before each concurrency', defaultText: '50' },
} as const satisfies SettingSpecs;

const USAGE = 'npx tsx bench/billing.ts [options]';
const SUMMARY = 'Times random S3 range GETs on two fresh 4+2 clusters, one with the billing middleware on, one with it off.';

interface Settings {
  size: number; reads: number; rounds: number; seed: number; minLength: number; maxLength: number; concurrency: number[]; warmup: number;
}
interface Span { readonly offset: number; readonly length: number }
interface ModeResult {
  mode: Mode; concurrency: number; reads: number; errors: number; errorMessages: string[];
  totalMs: Distribution; gatewayCpuMsPerRead: number;
}

function parseSettings(v: Readonly<Record<string, string | undefined>>): Settings {
  const s: Settings = {
    size: parseBytes('--size', v.size ?? '64MiB'),
    reads: parseInteger('--reads', v.reads ?? '200', 1, 1_000_000),
    rounds: parseInteger('--rounds', v.rounds ?? '6', 1, 1000),
    seed: parseInteger('--seed', v.seed ?? '1', 0, 2 ** 32 - 1),
    minLength: parseBytes('--min-length', v.minLength ?? '16KiB'),
    maxLength: parseBytes('--max-length', v.maxLength ?? '512KiB'),
    concurrency: parseIntegerList('--concurrency', v.concurrency ?? '1,16', 1, 1024),
    warmup: parseInteger('--warmup', v.warmup ?? '50', 0, 1_000_000),
  };
  if (s.minLength < 1 || s.minLength > s.maxLength || s.maxLength > s.size) throw new ConfigError('need 1 <= --min-length <= --max-length <= --size');
  if (s.size > 5 * 2 ** 30) throw new ConfigError('--size above 5GiB needs multipart upload, which this bench does not do');
  return s;
}

/**
 * The middleware's own work per request, without the network's noise: `UsageRecorder.record`
 * (what runs on 'close') over a million requests spread over 1,000 seconds, in ns per call.
 */
function recordCostNs(): number {
  const recorder = new UsageRecorder({
    store: { appendRequestUsage: async () => {} }, logger: silentLogger, metrics: createMetrics(), maxPendingRows: Number.POSITIVE_INFINITY,
  });
  const count = 1_000_000;
  const base = Date.UTC(2025, 0, 1);
  const started = process.hrtime.bigint();
  for (let i = 0; i < count; i++) {
    recorder.record({ accountId: 'acc', bucket: 'bench', requestClass: 'read', status: 206, startedAt: new Date(base + i), bytesIn: 0, bytesOut: 65536 });
  }
  return Number(process.hrtime.bigint() - started) / count;
}

function objectOf(s: Settings): SeededObject {
  return { bucket: BUCKET, key: KEY, size: s.size, seed: s.seed };
}

async function run(s: Settings): Promise<number> {
  const startedAt = new Date();
  const loadAverageAtStart = os.loadavg();
  const clusters: Record<Mode, BenchCluster> = {
    'billing on': new BenchCluster({ nodes: NODES, gatewayArgs: ['--log-requests', 'false', '--billing', 'true'] }),
    'billing off': new BenchCluster({ nodes: NODES, gatewayArgs: ['--log-requests', 'false', '--billing', 'false'] }),
  };
  const closeAll = () => { for (const cluster of Object.values(clusters)) cluster.closeSync(); };
  process.once('SIGINT', () => { closeAll(); process.exit(130); });
  process.once('SIGTERM', () => { closeAll(); process.exit(143); });
  process.once('exit', closeAll);
  try {
    await Promise.all(Object.values(clusters).map((cluster) => cluster.start()));
    const clients = {} as Record<Mode, S3Client>;
    for (const mode of MODES) {
      clients[mode] = clusters[mode].s3();
      await clients[mode].send(new CreateBucketCommand({ Bucket: BUCKET }));
      await clients[mode].send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: objectStream(s.seed, s.size), ContentLength: s.size }));
    }
    const benchStartedAt = new Date(Math.floor(Date.now() / 1000) * 1000); // usage rows are per second
    const random = seededRandom(s.seed);
    const results: ModeResult[] = [];
    let readsOnBilledCluster = 0;
    for (const concurrency of s.concurrency) {
      const warmup = randomRanges(random, s.warmup, objectOf(s), s);
      for (const mode of MODES) readsOnBilledCluster += mode === 'billing on' ? warmup.length : 0;
      for (const mode of MODES) await runRangeReads(clients[mode], objectOf(s), warmup, concurrency);
      const samples: Record<Mode, number[]> = { 'billing on': [], 'billing off': [] };
      const errors: Record<Mode, string[]> = { 'billing on': [], 'billing off': [] };
      const cpuSeconds: Record<Mode, number> = { 'billing on': 0, 'billing off': 0 };
      for (let round = 0; round < s.rounds; round++) {
        const ranges = randomRanges(random, s.reads, objectOf(s), s);
        const order = round % 2 === 0 ? MODES : [...MODES].reverse();
        for (const mode of order) {
          const before = clusters[mode].cpuSeconds().gateway ?? 0;
          const run = await runRangeReads(clients[mode], objectOf(s), ranges, concurrency);
          cpuSeconds[mode] += (clusters[mode].cpuSeconds().gateway ?? 0) - before;
          samples[mode].push(...run.samples.map((sample) => sample.totalMs));
          errors[mode].push(...run.errors);
          if (mode === 'billing on') readsOnBilledCluster += ranges.length;
        }
      }
      for (const mode of MODES) {
        results.push({
          mode, concurrency, reads: samples[mode].length, errors: errors[mode].length, errorMessages: errors[mode].slice(0, 5),
          totalMs: distribution(samples[mode]), gatewayCpuMsPerRead: (cpuSeconds[mode] * 1000) / Math.max(1, samples[mode].length + errors[mode].length),
        });
      }
    }

    // The billed cluster metered every read: its invoice counts them exactly.
    const invoice = await clusters['billing on'].admin<Invoice>(`/_/admin/usage?account=root&from=${encodeURIComponent(benchStartedAt.toISOString())}`);
    const meteredReads = invoice.buckets.find((bucket) => bucket.bucket === BUCKET)?.readRequests ?? 0;

    const header = ['mode', 'conc', 'reads', 'errors', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms', 'gw CPU ms/read'];
    const rows = results.map((r) => [
      r.mode, r.concurrency, r.reads, r.errors,
      ...[r.totalMs.p50, r.totalMs.p90, r.totalMs.p99, r.totalMs.mean].map((ms) => ms.toFixed(2)), r.gatewayCpuMsPerRead.toFixed(3),
    ]);
    console.log(`\n${formatTable(header, rows)}\n(latency to the last byte; ${s.rounds} alternating rounds of ${s.reads} reads, ranges ${s.minLength}–${s.maxLength} bytes)`);
    console.log(`billing on: ${meteredReads} reads metered, ${readsOnBilledCluster} made`);
    const recordNs = recordCostNs();
    console.log(`UsageRecorder.record: ${recordNs.toFixed(0)} ns per request (in process, 10^6 calls)`);
    const report = {
      startedAt: startedAt.toISOString(), settings: s, results, meteredReads, readsOnBilledCluster, recordNs,
      machine: { ...machineInfo(), loadAverageAtStart },
    };
    console.log(`results: ${writeResultsJson('billing', report, startedAt)}`);
    return meteredReads === readsOnBilledCluster && results.every((r) => r.errors === 0) ? 0 : 1;
  } finally {
    await Promise.all(Object.values(clusters).map((cluster) => cluster.close()));
  }
}

process.exitCode = await runBenchCommand({ name: 'billing bench', usage: USAGE, summary: SUMMARY, specs: SPECS, parse: parseSettings, run });
