/**
 * Small-object PUT and GET rates: `npx tsx bench/small-objects.ts [options]` (see --help).
 *
 * Starts one fresh cluster (gateway + 6 shard nodes, 4+2, request logs off) per
 * `--meta-durability` variant asked for, and s3rver (a plain Node S3 server on one disk, no erasure
 * code, no fsync; --s3rver false leaves it out), all at once. Then, for each round and each
 * concurrency, it PUTs `--count` objects of `--size` seeded bytes to every target in turn (the
 * order rotates each round), then GETs each back from every target, checking every byte after
 * the clock stops: the variants are interleaved, so a busy moment of the shared machine hits them
 * all. The AWS SDK is the client of every target, with the same settings (checksums on, as its
 * defaults are). Rates are requests per second of wall time; latencies p50/p99 in ms; the 1-minute
 * load average at the start of each phase is recorded beside it. Results: a table per phase and a
 * summary (median over rounds) on stdout, and bench/results/small-objects-<UTC time>.json.
 */
import os from 'node:os';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { parseBoolean, parseBytes, parseInteger, type SettingSpecs } from '../src/config/flags.ts';
import { parseChoiceList, parseIntegerList, runBenchCommand } from './bench-command.ts';
import { META_DURABILITIES, type MetaDurability } from '../src/meta/sqlite-wal-sync.ts';
import { BenchCluster } from './cluster.ts';
import { machineInfo } from './machine-info.ts';
import { objectBytes } from './object-bytes.ts';
import { writeResultsJson } from './results-file.ts';
import { S3rverMissingError, startS3rver } from './s3rver-target.ts';
import { distribution, formatTable, quantile, type Distribution } from './stats.ts';

const NODES = 6;
const BUCKET = 'small';

const SPECS = {
  size: { flag: 'size', env: 'BENCH_SIZE', kind: 'bytes', description: 'object size', defaultText: '4KiB' },
  count: { flag: 'count', env: 'BENCH_COUNT', kind: 'integer', description: 'objects PUT (then GET) per concurrency, target and round', defaultText: '200' },
  concurrency: { flag: 'concurrency', env: 'BENCH_CONCURRENCY', kind: 'string', description: 'comma-separated request concurrencies', defaultText: '1,8' },
  seed: { flag: 'seed', env: 'BENCH_SEED', kind: 'integer', description: 'seed of the object bytes', defaultText: '1' },
  durability: { flag: 'meta-durability', env: 'BENCH_META_DURABILITY', kind: 'string', description: `comma-separated gateway --meta-durability variants, one cluster each (${META_DURABILITIES.join(', ')})`, defaultText: 'group' },
  rounds: { flag: 'rounds', env: 'BENCH_ROUNDS', kind: 'integer', description: 'times every phase runs on every target, interleaved', defaultText: '1' },
  s3rver: { flag: 's3rver', env: 'BENCH_S3RVER', kind: 'boolean', description: 'also time s3rver (a plain Node S3 server) in the same run', defaultText: 'true' },
  s3rverModule: { flag: 's3rver-module', env: 'BENCH_S3RVER_MODULE', kind: 'string', description: 'where to import s3rver from: a package name or a path to its directory', defaultText: 's3rver' },
  inlineMaxBytes: { flag: 'inline-max-bytes', env: 'BENCH_INLINE_MAX_BYTES', kind: 'bytes', description: 'the gateway\'s --inline-max-bytes (0: every object on the nodes)', defaultText: 'the gateway\'s default' },
} as const satisfies SettingSpecs;

interface Settings {
  size: number; count: number; concurrency: number[]; seed: number; durability: MetaDurability[]; rounds: number;
  s3rver: boolean; s3rverModule: string; inlineMaxBytes: number | null;
}

interface Target {
  readonly name: string;
  readonly s3: S3Client;
}

interface Phase {
  target: string; round: number; operation: 'PUT' | 'GET'; concurrency: number; requests: number; errors: number; errorMessages: string[];
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

async function phase(
  target: Target, round: number, operation: Phase['operation'], concurrency: number, count: number, work: (index: number) => Promise<void>,
): Promise<Phase> {
  const loadAverage = os.loadavg().map((load) => Number(load.toFixed(2)));
  console.log(`round ${round} ${target.name} ${operation} c=${concurrency}: ${count} requests… (load ${loadAverage.join(' ')})`);
  const run = await timed(count, concurrency, work);
  return {
    target: target.name, round, operation, concurrency, requests: run.latencies.length, errors: run.errors.length,
    errorMessages: run.errors.slice(0, 5), perSecond: run.latencies.length / run.seconds, latencyMs: distribution(run.latencies), loadAverage,
  };
}

/** Every round: per concurrency, PUT on every target (order rotated by round), then GET every object back. */
async function runPhases(targets: readonly Target[], settings: Settings): Promise<Phase[]> {
  const phases: Phase[] = [];
  for (let round = 1; round <= settings.rounds; round++) {
    const order = targets.map((_, index) => targets[(index + round - 1) % targets.length]!);
    for (const concurrency of settings.concurrency) {
      const key = (index: number) => `r${round}/c${concurrency}/${index}`;
      const body = (index: number) => objectBytes(settings.seed + index, 0, settings.size);
      for (const target of order) {
        phases.push(await phase(target, round, 'PUT', concurrency, settings.count, async (index) => {
          await target.s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key(index), Body: body(index) }));
        }));
      }
      for (const target of order) {
        phases.push(await phase(target, round, 'GET', concurrency, settings.count, async (index) => {
          const response = await target.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key(index) }));
          const bytes = Buffer.from(await response.Body!.transformToByteArray());
          if (!bytes.equals(body(index))) throw new Error(`${key(index)}: bytes differ`);
        }));
      }
    }
  }
  return phases;
}

/** Per target, operation and concurrency: the median rate over rounds, and every round's rate. */
function summary(phases: readonly Phase[]): (string | number)[][] {
  const groups = new Map<string, Phase[]>();
  for (const p of phases) {
    const id = `${p.target}\u0000${p.operation}\u0000${p.concurrency}`;
    groups.set(id, [...(groups.get(id) ?? []), p]);
  }
  return [...groups.values()].map((group) => {
    const rates = group.map((p) => p.perSecond);
    const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5);
    const { target, operation, concurrency } = group[0]!;
    return [target, operation, concurrency, median(rates).toFixed(1), rates.map((rate) => rate.toFixed(0)).join(' '),
      median(group.map((p) => p.latencyMs.p50)).toFixed(1), group.map((p) => p.loadAverage[0]!.toFixed(1)).join(' ')];
  });
}

function parse(v: Readonly<Record<string, string | undefined>>): Settings {
  return {
    size: parseBytes('--size', v.size ?? '4KiB'),
    count: parseInteger('--count', v.count ?? '200', 1, 1_000_000),
    concurrency: parseIntegerList('--concurrency', v.concurrency ?? '1,8', 1, 1024),
    seed: parseInteger('--seed', v.seed ?? '1', 0, 2 ** 31 - 1),
    durability: parseChoiceList('--meta-durability', v.durability ?? 'group', META_DURABILITIES),
    rounds: parseInteger('--rounds', v.rounds ?? '1', 1, 100),
    s3rver: v.s3rver ? parseBoolean('--s3rver', v.s3rver) : true,
    s3rverModule: v.s3rverModule ?? 's3rver',
    inlineMaxBytes: v.inlineMaxBytes === undefined ? null : parseBytes('--inline-max-bytes', v.inlineMaxBytes),
  };
}

async function run(settings: Settings): Promise<number> {
  const startedAt = new Date();
  const closers: (() => Promise<void>)[] = [];
  const targets: Target[] = [];
  try {
    if (settings.s3rver) {
      const s3rver = await startS3rver(settings.s3rverModule, [BUCKET]);
      closers.push(() => s3rver.close());
      targets.push({ name: 's3rver', s3: s3rver.s3() });
    }
    const inlineArgs = settings.inlineMaxBytes === null ? [] : ['--inline-max-bytes', String(settings.inlineMaxBytes)];
    for (const durability of settings.durability) {
      const cluster = new BenchCluster({ nodes: NODES, gatewayArgs: ['--log-requests', 'false', '--meta-durability', durability, ...inlineArgs] });
      process.once('exit', () => cluster.closeSync());
      closers.push(() => cluster.close());
      console.log(`starting gateway (--meta-durability ${durability}) + ${NODES} shard nodes…`);
      await cluster.start();
      const s3 = cluster.s3();
      await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
      targets.push({ name: `shardgate-${durability}`, s3 });
    }
    const phases = await runPhases(targets, settings);
    const rows = phases.map((p) => [p.round, p.target, p.operation, p.concurrency, p.requests, p.errors, p.perSecond.toFixed(1), p.latencyMs.p50.toFixed(1), p.latencyMs.p99.toFixed(1), p.loadAverage[0]!.toFixed(2)]);
    console.log(`\n${formatTable(['round', 'target', 'op', 'conc', 'requests', 'errors', 'per s', 'p50 ms', 'p99 ms', 'load'], rows)}`);
    console.log(`\n${formatTable(['target', 'op', 'conc', 'median per s', 'per s by round', 'median p50 ms', 'load by round'], summary(phases))}`);
    const file = writeResultsJson('small-objects', {
      benchmark: 'small-objects', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: machineInfo(),
      config: { ...settings, nodes: NODES, profile: { dataShards: 4, parityShards: 2 }, targets: targets.map((target) => target.name) }, phases,
    }, startedAt);
    console.log(`results: ${file}`);
    return phases.some((p) => p.errors > 0) ? 1 : 0;
  } catch (error) {
    if (!(error instanceof S3rverMissingError)) throw error;
    process.stderr.write(`small-objects: ${error.message}\n`);
    return 2;
  } finally {
    for (const close of closers.reverse()) await close();
  }
}

process.exitCode = await runBenchCommand({
  name: 'small-objects',
  usage: 'npx tsx bench/small-objects.ts [options]',
  summary: 'Times small-object PUTs and GETs (rates and latencies) on fresh local 4+2 clusters and s3rver, interleaved.',
  specs: SPECS,
  parse,
  run,
});
