/**
 * Small-object PUT and GET rates: `npx tsx bench/small-objects.ts [options]` (see --help).
 *
 * Starts a fresh cluster (gateway + 6 shard nodes, 4+2, request logs off), then at each
 * concurrency PUTs `--count` objects of `--size` seeded bytes with the AWS SDK (checksums on, as
 * its defaults are) and GETs each back, checking every byte after the clock stops. Rates are
 * requests per second of wall time; latencies p50/p99 in ms. The 1-minute load average at the
 * start of each phase is recorded beside it: the machine is shared. Results: a table on stdout
 * and bench/results/small-objects-<UTC time>.json.
 */
import os from 'node:os';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConfigError, formatHelp, parseBytes, parseInteger, readSettings, type SettingSpecs } from '../src/config/flags.ts';
import { BenchCluster } from './cluster.ts';
import { machineInfo } from './machine-info.ts';
import { objectBytes } from './object-bytes.ts';
import { writeResultsJson } from './results-file.ts';
import { distribution, formatTable, type Distribution } from './stats.ts';

const NODES = 6;
const BUCKET = 'small';

const SPECS = {
  size: { flag: 'size', env: 'BENCH_SIZE', kind: 'bytes', description: 'object size', defaultText: '4KiB' },
  count: { flag: 'count', env: 'BENCH_COUNT', kind: 'integer', description: 'objects PUT (then GET) per concurrency', defaultText: '200' },
  concurrency: { flag: 'concurrency', env: 'BENCH_CONCURRENCY', kind: 'string', description: 'comma-separated request concurrencies', defaultText: '1,8' },
  seed: { flag: 'seed', env: 'BENCH_SEED', kind: 'integer', description: 'seed of the object bytes', defaultText: '1' },
  inlineMaxBytes: { flag: 'inline-max-bytes', env: 'BENCH_INLINE_MAX_BYTES', kind: 'bytes', description: 'the gateway\'s --inline-max-bytes (0: every object on the nodes)', defaultText: 'the gateway\'s default' },
} as const satisfies SettingSpecs;

const HELP = formatHelp('npx tsx bench/small-objects.ts [options]', 'Times small-object PUTs and GETs (rates and latencies) on a fresh local 4+2 cluster.', SPECS);

interface Phase {
  operation: 'PUT' | 'GET'; concurrency: number; requests: number; errors: number; errorMessages: string[];
  perSecond: number; latencyMs: Distribution; loadAverage: number[];
}

/** Runs `work(i)` for i in [0, count) with `concurrency` in flight; times each call. */
async function timed(count: number, concurrency: number, work: (index: number) => Promise<void>) {
  const latencies: number[] = [];
  const errors: string[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, async () => {
    while (next < count) {
      const index = next++;
      const callStarted = performance.now();
      try {
        await work(index);
        latencies.push(performance.now() - callStarted);
      } catch (error) {
        errors.push((error as Error).message);
      }
    }
  }));
  return { latencies, errors, seconds: (performance.now() - started) / 1000 };
}

async function phase(operation: Phase['operation'], concurrency: number, count: number, work: (index: number) => Promise<void>): Promise<Phase> {
  const loadAverage = os.loadavg().map((load) => Number(load.toFixed(2)));
  console.log(`${operation} c=${concurrency}: ${count} requests… (load ${loadAverage.join(' ')})`);
  const run = await timed(count, concurrency, work);
  return {
    operation, concurrency, requests: run.latencies.length, errors: run.errors.length, errorMessages: run.errors.slice(0, 5),
    perSecond: run.latencies.length / run.seconds, latencyMs: distribution(run.latencies), loadAverage,
  };
}

async function runPhases(s3: S3Client, size: number, count: number, concurrencies: readonly number[], seed: number): Promise<Phase[]> {
  const phases: Phase[] = [];
  for (const concurrency of concurrencies) {
    const key = (index: number) => `c${concurrency}/${index}`;
    const body = (index: number) => objectBytes(seed + index, 0, size);
    phases.push(await phase('PUT', concurrency, count, async (index) => {
      await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key(index), Body: body(index) }));
    }));
    phases.push(await phase('GET', concurrency, count, async (index) => {
      const response = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key(index) }));
      const bytes = Buffer.from(await response.Body!.transformToByteArray());
      if (!bytes.equals(body(index))) throw new Error(`${key(index)}: bytes differ`);
    }));
  }
  return phases;
}

async function main(): Promise<number> {
  let settings;
  try {
    const { values: v, help, positionals } = readSettings(SPECS, process.argv.slice(2), process.env);
    if (help) {
      process.stdout.write(HELP);
      return 0;
    }
    if (positionals.length > 0) throw new ConfigError(`unexpected argument "${positionals[0]}" (see --help)`);
    settings = {
      size: parseBytes('--size', v.size ?? '4KiB'),
      count: parseInteger('--count', v.count ?? '200', 1, 1_000_000),
      concurrency: (v.concurrency ?? '1,8').split(',').map((part) => parseInteger('--concurrency', part.trim(), 1, 1024)),
      seed: parseInteger('--seed', v.seed ?? '1', 0, 2 ** 31 - 1),
      inlineMaxBytes: v.inlineMaxBytes === undefined ? null : parseBytes('--inline-max-bytes', v.inlineMaxBytes),
    };
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`small-objects: ${error.message}\n`);
    return 2;
  }
  const startedAt = new Date();
  const inlineArgs = settings.inlineMaxBytes === null ? [] : ['--inline-max-bytes', String(settings.inlineMaxBytes)];
  const cluster = new BenchCluster({ nodes: NODES, gatewayArgs: ['--log-requests', 'false', ...inlineArgs] });
  process.once('exit', () => cluster.closeSync());
  try {
    console.log(`starting gateway + ${NODES} shard nodes…`);
    await cluster.start();
    const s3 = cluster.s3();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const phases = await runPhases(s3, settings.size, settings.count, settings.concurrency, settings.seed);
    const rows = phases.map((p) => [p.operation, p.concurrency, p.requests, p.errors, p.perSecond.toFixed(1), p.latencyMs.p50.toFixed(1), p.latencyMs.p99.toFixed(1), p.loadAverage[0]!.toFixed(2)]);
    console.log(`\n${formatTable(['op', 'conc', 'requests', 'errors', 'per s', 'p50 ms', 'p99 ms', 'load'], rows)}`);
    const file = writeResultsJson('small-objects', {
      benchmark: 'small-objects', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: machineInfo(),
      config: { ...settings, nodes: NODES, profile: { dataShards: 4, parityShards: 2 } }, phases,
    }, startedAt);
    console.log(`results: ${file}`);
    return phases.some((p) => p.errors > 0) ? 1 : 0;
  } finally {
    await cluster.close();
  }
}

process.exitCode = await main();
