/**
 * `npx tsx bench/repair.ts [--size 256MiB] [--reads 4]`: stores one object on 8 nodes (4+2),
 * SIGKILLs one node, and measures the time until every segment is back at n healthy shards
 * (from the kill, including `--node-lost-after` 3 s) and repair's throughput (shard bytes
 * re-created per second while the queue drained). With `--reads C`, C clients GET random 1 MiB
 * ranges before and during the repair (every byte checked): their p50/p99 side by side.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ConfigError, parseBytes, parseInteger, type SettingSpecs } from '../src/config/flags.ts';
import { runBenchCommand } from './bench-command.ts';
import { BenchCluster, sleep } from './cluster.ts';
import { machineInfo } from './machine-info.ts';
import { objectBytes, objectStream } from './object-bytes.ts';
import { distribution, formatTable } from './stats.ts';
import { writeResultsJson } from './results-file.ts';

const SPECS = {
  size: { flag: 'size', kind: 'bytes', description: 'object size (the issue\'s figure is 1GiB)', defaultText: '256MiB' },
  reads: { flag: 'reads', kind: 'integer', description: 'concurrent range readers during the repair (0: none)', defaultText: '4' },
  repairRate: { flag: 'repair-rate', kind: 'bytes', description: 'the gateway\'s --repair-rate (0: no limit)', defaultText: '0' },
  repairConcurrency: { flag: 'repair-concurrency', kind: 'integer', description: 'the gateway\'s --repair-concurrency', defaultText: '2' },
} as const satisfies SettingSpecs;

const BUCKET = 'bench';
const KEY = 'object';
const SEED = 7;
const RANGE = 1024 * 1024;
const LOST_AFTER_S = 3;

interface Health {
  segments: { completedAt: string | null; segments: number; byHealthyShards: Record<string, number> };
  repairQueue: { length: number };
  repaired: { segments: number; shards: number; bytes: number; failures: number };
}

interface Settings { size: number; readers: number; repairRate: string; repairConcurrency: string }

function parseSettings(v: Readonly<Record<string, string | undefined>>): Settings {
  const size = parseBytes('--size', v.size ?? '256MiB');
  if (size < RANGE || size > 5 * 2 ** 30) throw new ConfigError('--size must be between 1MiB and 5GiB');
  return {
    size, readers: parseInteger('--reads', v.reads ?? '4', 0, 64),
    repairRate: v.repairRate ?? '0', repairConcurrency: v.repairConcurrency ?? '2',
  };
}

async function run({ size, readers, repairRate, repairConcurrency }: Settings): Promise<number> {
  const startedAt = new Date();
  const cluster = new BenchCluster({
    nodes: 8,
    gatewayArgs: [
      '--log-requests', 'false', '--node-timeout', '2000', '--node-lost-after', `${LOST_AFTER_S}s`, '--repair-check-interval', '1s',
      '--repair-rate', repairRate, '--repair-concurrency', repairConcurrency,
    ],
  });
  process.once('SIGINT', () => { cluster.closeSync(); process.exit(130); });
  try {
    await cluster.start();
    const s3 = cluster.s3();
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const uploadStarted = performance.now();
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: KEY, Body: objectStream(SEED, size), ContentLength: size }));
    const uploadSeconds = (performance.now() - uploadStarted) / 1000;

    const healthy = readers > 0 ? await timedReads(s3, size, readers, () => Promise.resolve(true), 5_000) : [];
    let repairing = true;
    const killedAt = Date.now();
    await cluster.kill(cluster.nodes[0]!);
    const readsDuring = readers > 0 ? timedReads(s3, size, readers, () => Promise.resolve(repairing), 0) : Promise.resolve([]);
    let queueEmptyAt = 0;
    let firstRepairAt = 0;
    let final: Health;
    for (;;) {
      const health = await cluster.admin<Health>('/_/admin/health');
      const now = Date.now();
      if (health.repaired.bytes > 0 && firstRepairAt === 0) firstRepairAt = now;
      if (health.repaired.bytes > 0 && health.repairQueue.length === 0 && queueEmptyAt === 0) queueEmptyAt = now;
      const pass = health.segments;
      if (queueEmptyAt > 0 && pass.completedAt !== null && Date.parse(pass.completedAt) > queueEmptyAt
        && Object.keys(pass.byHealthyShards).every((label) => label === '6/6')) {
        final = health;
        break;
      }
      if (now - killedAt > 30 * 60_000) throw new Error(`not healthy after 30 min: ${JSON.stringify(health)}`);
      await sleep(200);
    }
    const fullHealthSeconds = (Date.now() - killedAt) / 1000;
    repairing = false;
    const during = await readsDuring;
    const repairSeconds = (queueEmptyAt - (killedAt + LOST_AFTER_S * 1000)) / 1000;
    const report = {
      machine: machineInfo(),
      settings: { size, readers, repairRate, repairConcurrency, lostAfterSeconds: LOST_AFTER_S },
      upload: { seconds: uploadSeconds, mbPerSecond: size / 1e6 / uploadSeconds },
      repair: {
        fullHealthSeconds,
        repairSeconds,
        segments: final!.repaired.segments,
        shards: final!.repaired.shards,
        bytes: final!.repaired.bytes,
        failures: final!.repaired.failures,
        mbPerSecond: final!.repaired.bytes / 1e6 / repairSeconds,
      },
      reads: { healthy: healthy.length ? distribution(healthy) : null, duringRepair: during.length ? distribution(during) : null },
    };
    const rows: (string | number)[][] = [
      ['object', `${(size / 2 ** 20).toFixed(0)} MiB, ${final!.segments.segments} segments, 4+2 on 8 nodes`],
      ['time to full health (from the kill)', `${fullHealthSeconds.toFixed(1)} s (node lost after ${LOST_AFTER_S} s)`],
      ['repair', `${final!.repaired.shards} shards, ${(final!.repaired.bytes / 1e6).toFixed(1)} MB in ${repairSeconds.toFixed(1)} s = ${report.repair.mbPerSecond.toFixed(1)} MB/s`],
    ];
    if (report.reads.healthy && report.reads.duringRepair) {
      rows.push(['1 MiB range GET p50 / p99, healthy', `${report.reads.healthy.p50.toFixed(1)} / ${report.reads.healthy.p99.toFixed(1)} ms (${healthy.length} reads)`]);
      rows.push(['1 MiB range GET p50 / p99, during repair', `${report.reads.duringRepair.p50.toFixed(1)} / ${report.reads.duringRepair.p99.toFixed(1)} ms (${during.length} reads)`]);
    }
    process.stdout.write(`${formatTable(['', ''], rows)}\n`);
    process.stdout.write(`written to ${writeResultsJson('repair', report, startedAt)}\n`);
  } finally {
    await cluster.close();
  }
  return 0;
}

/** `readers` loops of random 1 MiB range GETs (bytes checked) while `go()` holds, for at least `minMs`; latencies in ms. */
async function timedReads(s3: S3Client, size: number, readers: number, go: () => Promise<boolean>, minMs: number): Promise<number[]> {
  const samples: number[] = [];
  const until = Date.now() + minMs;
  let state = 12345;
  const random = () => { state = (Math.imul(state, 1103515245) + 12345) >>> 0; return state / 2 ** 32; };
  await Promise.all(Array.from({ length: readers }, async () => {
    while (Date.now() < until || (minMs === 0 && await go())) {
      const offset = Math.floor(random() * (size - RANGE));
      const started = performance.now();
      const response = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: KEY, Range: `bytes=${offset}-${offset + RANGE - 1}` }));
      const body = Buffer.from(await response.Body!.transformToByteArray());
      samples.push(performance.now() - started);
      if (!body.equals(objectBytes(SEED, offset, RANGE))) throw new Error(`range at ${offset} differs`);
    }
  }));
  return samples;
}

process.exitCode = await runBenchCommand({
  name: 'bench/repair', usage: 'npx tsx bench/repair.ts [options]', summary: 'Time to full health and repair MB/s after one of 8 nodes is lost.',
  specs: SPECS, parse: parseSettings, run,
});
