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
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
  profileDir: { flag: 'profile-dir', env: 'BENCH_PROFILE_DIR', kind: 'string', description: 'write V8 CPU profiles of the gateway and the shard nodes here (`--cpu-prof`; slows them down)', defaultText: 'none' },
} as const satisfies SettingSpecs;

interface Settings { size: number; runs: number; profileDir: string | null }

interface PutRun {
  seconds: number; megabytesPerSecond: number; ratioToMd5: number; etagMatches: boolean; loadAverage: number[];
  /** User and system CPU seconds spent during the PUT by the gateway, the shard nodes together, and `bench` (this process: the SDK client). */
  cpuSeconds: Record<string, { user: number; system: number }>;
  /** The PUT's start and end on the monotonic clock in µs (the clock of V8's CPU profiles on Linux): the window to read profiles in. */
  monotonicMicroseconds: [number, number];
}

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

const monotonicMicroseconds = () => Number(process.hrtime.bigint() / 1000n);

/** User and system CPU seconds of a live process from /proc (Linux), or null. */
function procCpu(pid: number | undefined): { user: number; system: number } | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return null;
  }
}

/** CPU seconds so far of the gateway, each node and this process (the SDK client), user and system apart. */
function cpuByProcess(cluster: BenchCluster): Record<string, { user: number; system: number }> {
  const result: Record<string, { user: number; system: number }> = {};
  const gateway = procCpu(cluster.gateway.child.pid);
  if (gateway) result.gateway = gateway;
  for (const node of cluster.nodes) {
    const cpu = procCpu(node.child.pid);
    if (cpu) result[`node-${node.index}`] = cpu;
  }
  const own = process.cpuUsage();
  result.bench = { user: own.user / 1e6, system: own.system / 1e6 };
  return result;
}

/** CPU seconds spent between two `cpuByProcess` readings, by role (`nodes`: all shard nodes together). */
function cpuSpent(before: ReturnType<typeof cpuByProcess>, after: ReturnType<typeof cpuByProcess>): Record<string, { user: number; system: number }> {
  const spent: Record<string, { user: number; system: number }> = {};
  for (const [name, value] of Object.entries(after)) {
    const role = name.startsWith('node-') ? 'nodes' : name;
    const was = before[name] ?? { user: 0, system: 0 };
    const into = (spent[role] ??= { user: 0, system: 0 });
    into.user = Number((into.user + value.user - was.user).toFixed(2));
    into.system = Number((into.system + value.system - was.system).toFixed(2));
  }
  return spent;
}

function formatCpuTable(runs: readonly PutRun[], size: number): string {
  const gigabytes = size / 1e9;
  const rows = runs.map((r, index) => {
    const of = (role: string) => r.cpuSeconds[role] ?? { user: 0, system: 0 };
    const total = ['gateway', 'nodes', 'bench'].reduce((sum, role) => sum + of(role).user + of(role).system, 0);
    const cell = (role: string) => `${((of(role).user + of(role).system) / gigabytes).toFixed(2)} (${(of(role).system / gigabytes).toFixed(2)})`;
    return [index + 1, cell('gateway'), cell('nodes'), cell('bench'), (total / gigabytes).toFixed(2), (total / r.seconds).toFixed(2)];
  });
  return formatTable(['run', 'gateway s/GB (sys)', 'nodes s/GB (sys)', 'bench s/GB (sys)', 'total s/GB', 'cores busy'], rows);
}

async function run(settings: Settings): Promise<number> {
  const startedAt = new Date();
  const block = randomBytes(BLOCK_BYTES);
  console.log(`MD5 of ${settings.size} bytes at one core…`);
  const md5 = await timeMd5(block, settings.size);
  console.log(`  ${md5.megabytesPerSecond.toFixed(0)} MB/s`);
  const profile = (name: string) => (settings.profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(settings.profileDir, name)] : []);
  const cluster = new BenchCluster({
    nodes: NODES, gatewayArgs: ['--log-requests', 'false'],
    gatewayNodeArgs: profile('gateway'), nodeRuntimeArgs: profile('nodes'), stopGracefully: settings.profileDir !== null,
  });
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
      const cpuBefore = cpuByProcess(cluster);
      const startedMonotonic = monotonicMicroseconds();
      const started = performance.now();
      const answer = await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: `object-${run}`, Body: objectPieces(block, settings.size), ContentLength: settings.size }));
      const seconds = (performance.now() - started) / 1000;
      const monotonic: [number, number] = [startedMonotonic, monotonicMicroseconds()];
      const megabytesPerSecond = settings.size / 1e6 / seconds;
      const cpuSeconds = cpuSpent(cpuBefore, cpuByProcess(cluster));
      runs.push({ seconds, megabytesPerSecond, ratioToMd5: megabytesPerSecond / md5.megabytesPerSecond, etagMatches: answer.ETag === md5.etag, loadAverage, cpuSeconds, monotonicMicroseconds: monotonic });
      if (settings.profileDir) console.log(`  profile window (monotonic µs): ${monotonic[0]} ${monotonic[1]}`);
    }
    const rows = runs.map((r, index) => [index + 1, r.seconds.toFixed(1), r.megabytesPerSecond.toFixed(1), md5.megabytesPerSecond.toFixed(0), r.ratioToMd5.toFixed(3), r.etagMatches ? 'yes' : 'NO', r.loadAverage[0]!.toFixed(2)]);
    console.log(`\n${formatTable(['run', 'PUT s', 'PUT MB/s', 'MD5 MB/s', 'PUT / MD5', 'ETag = MD5', 'load'], rows)}`);
    console.log(`\n${formatCpuTable(runs, settings.size)}\n(CPU seconds per GB of object during each PUT, user + system (system alone); bench: this process, the SDK client; nodes: the ${NODES} shard nodes together; cores busy: all of it ÷ the PUT's wall time)`);
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
  parse: (v): Settings => ({ size: parseBytes('--size', v.size ?? '1GiB'), runs: parseInteger('--runs', v.runs ?? '2', 1, 100), profileDir: v.profileDir ? path.resolve(v.profileDir) : null }),
  run,
});
