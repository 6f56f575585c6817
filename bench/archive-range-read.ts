/**
 * The archived-HLS range-read benchmark (`npm run bench:range-read`, see --help).
 *
 * 1. Writes a synthetic ~1 GiB HLS stream (4 renditions, segments 200 KB – 2 MB, seeded bytes),
 *    packs it with `shardgate archive pack`'s code into one stored ZIP on local disk, and streams
 *    that file to a fresh cluster (gateway + 6 shard nodes, 4+2, `--chunk-size` chunks, no request logs)
 *    with the CLI's S3 client.
 * 2. Serves the same ZIP from Debian's nginx on 127.0.0.1 (sendfile, page cache): the physical
 *    limit of "a byte range of a file on this machine".
 * 3. Times the same seeded list of random segment reads, at each concurrency: from nginx by Range,
 *    from the gateway by member path (`/bench/movie.zip/720p/seg_00042.ts`) and by Range on the
 *    archive, interleaved (`--rounds` slices, the three taking turns), healthy; then the gateway's
 *    two with 1 and with 2 shard nodes SIGKILLed (and marked offline).
 * 4. `--archives` adds more archives (see `bench-archives.ts`), read the same three ways but
 *    healthy only: `dash` (a synthetic DASH folder packed the same way, `.m4s` reads, default on)
 *    and `zip64` (a 4 GiB filler member, then segments: every read lies past 4 GiB, through ZIP64
 *    offsets; ~4.1 GiB on local disk and ~1.5× that in shard files while it runs, so off by default).
 *
 * One HTTP client for all (undici, keep-alive); gateway requests are signed before the clock
 * starts. TTFB: request start → first body byte; total: → last byte; every body is compared with
 * the ZIP on disk after the clock stops. MB/s = bytes / wall time of the scenario (10^6 bytes).
 * Ratios are gateway / nginx at the same concurrency (latency: >1 is slower; MB/s: <1 is slower).
 * Results: a table, bench/results/archive-range-read-<UTC>.json and a .svg latency chart.
 */
import { createReadStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { Agent } from 'undici';
import { S3ObjectClient, type S3Endpoint } from '../src/archive/s3-object-client.ts';
import { ConfigError, parseBoolean, parseBytes, parseInteger, type SettingSpecs } from '../src/config/flags.ts';
import { parseIntegerList, runBenchCommand } from './bench-command.ts';
import { ARCHIVE_KINDS, buildBenchArchive, type ArchiveKind, type BenchArchive, type Segment } from './bench-archives.ts';
import { BenchCluster } from './cluster.ts';
import { latencyChartSvg } from './latency-chart.ts';
import { machineInfo } from './machine-info.ts';
import { findNginx, startNginx, type RunningNginx } from '../src/testing/nginx.ts';
import { seededRandom } from './object-bytes.ts';
import { distribution, formatTable, type Distribution } from './stats.ts';
import { formatStageTable, stageMedians } from './server-timing.ts';
import { runConcurrently, signedGet, type Sample, type TimedRequest } from './timed-get.ts';
import { writeResultsJson } from './results-file.ts';

const NODES = 6;
const BUCKET = 'bench';
const NODE_TIMEOUT_MS = 3_000;
const MAX_ERRORS_KEPT = 5;

const SPECS = {
  size: { flag: 'size', env: 'BENCH_SIZE', kind: 'bytes', description: 'archive size (segments)', defaultText: '1GiB' },
  reads: { flag: 'reads', env: 'BENCH_READS', kind: 'integer', description: 'timed segment reads per scenario', defaultText: '200' },
  seed: { flag: 'seed', env: 'BENCH_SEED', kind: 'integer', description: 'seed of the stream bytes, the reads and the killed nodes', defaultText: '1' },
  concurrency: { flag: 'concurrency', env: 'BENCH_CONCURRENCY', kind: 'string', description: 'comma-separated request concurrencies', defaultText: '1,16' },
  kill: { flag: 'kill', env: 'BENCH_KILL', kind: 'integer', description: 'shard nodes to kill, one at a time', defaultText: '2' },
  warmup: { flag: 'warmup', env: 'BENCH_WARMUP', kind: 'integer', description: 'untimed reads before each scenario', defaultText: '10' },
  rounds: { flag: 'rounds', env: 'BENCH_ROUNDS', kind: 'integer', description: 'slices the timed reads are cut into, the targets taking turns (nginx, member, range)', defaultText: '5' },
  nginx: { flag: 'nginx', env: 'BENCH_NGINX', kind: 'boolean', description: 'measure the nginx baseline', defaultText: 'true' },
  archives: { flag: 'archives', env: 'BENCH_ARCHIVES', kind: 'string', description: 'archives to read: hls (with the degraded phases), dash, zip64 (past 4 GiB)', defaultText: 'hls,dash' },
  dashSize: { flag: 'dash-size', env: 'BENCH_DASH_SIZE', kind: 'bytes', description: 'segment bytes of the dash archive', defaultText: '128MiB' },
  deepSize: { flag: 'deep-size', env: 'BENCH_DEEP_SIZE', kind: 'bytes', description: 'segment bytes after the 4 GiB filler of the zip64 archive', defaultText: '128MiB' },
  chunkSize: { flag: 'chunk-size', env: 'BENCH_CHUNK_SIZE', kind: 'bytes', description: "the gateway's --chunk-size (bytes per shard per stripe, and per verified hash)", defaultText: '64KiB' },
  profileDir: { flag: 'profile-dir', env: 'BENCH_PROFILE_DIR', kind: 'string', description: 'write V8 CPU profiles of the gateway and the shard nodes here (`--cpu-prof`; slows them down)', defaultText: 'none' },
} as const satisfies SettingSpecs;

const USAGE = 'npm run bench:range-read -- [options]   (the raw-object version: npm run bench:range-read -- --mode object --help)';
const SUMMARY = 'Times random segment reads from stored ZIPs (a ~1 GiB HLS one; with --archives also a DASH one and one whose segments lie past 4 GiB): by member path and by Range through the gateway (HLS healthy, 1 and 2 nodes down; the others healthy), and by Range from nginx.';

interface Settings {
  size: number; reads: number; seed: number; concurrency: number[]; kill: number; warmup: number; rounds: number; nginx: boolean;
  archives: ArchiveKind[]; dashSize: number; deepSize: number; chunkSize: number; profileDir: string | null;
}

type Target = 'nginx-range' | 'gateway-member' | 'gateway-range';

interface ScenarioResult {
  archive: ArchiveKind; target: Target; state: string; concurrency: number; reads: number; errors: number; errorMessages: string[];
  ttfbMs: Distribution; totalMs: Distribution; bytes: number; wallSeconds: number; mbPerSecond: number;
  cpuSeconds: Record<string, number>;
  /** The gateway's peak RSS during the scenario (VmHWM, reset at its start). */
  gatewayPeakRssBytes: number | null;
  /** Median ms of each stage the gateway reported in Server-Timing (empty for nginx). */
  stagesMsP50: Record<string, number>;
  /** os.loadavg() when the scenario started: the machine is shared, so say how busy it was. */
  loadAverage: number[];
  ratioToNginx: { ttfbP50: number; totalP50: number; totalP99: number; mbPerSecond: number } | null;
}

function parseSettings(v: Readonly<Record<string, string | undefined>>): Settings {
  const settings: Settings = {
    size: parseBytes('--size', v.size ?? '1GiB'),
    reads: parseInteger('--reads', v.reads ?? '200', 1, 1_000_000),
    seed: parseInteger('--seed', v.seed ?? '1', 0, 2 ** 31 - 1),
    concurrency: parseIntegerList('--concurrency', v.concurrency ?? '1,16', 1, 1024),
    kill: parseInteger('--kill', v.kill ?? '2', 0, 2),
    warmup: parseInteger('--warmup', v.warmup ?? '10', 0, 1_000_000),
    rounds: parseInteger('--rounds', v.rounds ?? '5', 1, 1_000),
    nginx: v.nginx ? parseBoolean('--nginx', v.nginx) : true,
    archives: [...new Set((v.archives ?? 'hls,dash').split(',').map((kind) => kind.trim()))].map((kind) => {
      if (!ARCHIVE_KINDS.includes(kind as ArchiveKind)) throw new ConfigError(`--archives takes ${ARCHIVE_KINDS.join(', ')}, got "${kind}"`);
      return kind as ArchiveKind;
    }),
    dashSize: parseBytes('--dash-size', v.dashSize ?? '128MiB'),
    deepSize: parseBytes('--deep-size', v.deepSize ?? '128MiB'),
    chunkSize: parseBytes('--chunk-size', v.chunkSize ?? '64KiB'),
    profileDir: v.profileDir ? path.resolve(v.profileDir) : null,
  };
  if (settings.dashSize < 10 * 2 ** 20 || settings.deepSize < 10 * 2 ** 20 || settings.deepSize > 2 ** 30) throw new ConfigError('--dash-size and --deep-size must be from 10MiB (--deep-size up to 1GiB)');
  if (settings.size < 10 * 2 ** 20 || settings.size > 5 * 2 ** 30) throw new ConfigError('--size must be from 10MiB to 5GiB (one PutObject)');
  return settings;
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

function requestFor(target: Target, archive: BenchArchive, segment: Segment, urls: { gateway: string; nginx: string }, endpoint: S3Endpoint): TimedRequest {
  const { offset, length } = segment.span;
  const range = `bytes=${offset}-${offset + length - 1}`;
  const expected = () => archive.source.read(segment.span);
  if (target === 'nginx-range') return { url: `${urls.nginx}/${archive.key}`, headers: { range }, expectedStatus: 206, expected, label: `nginx ${segment.name}` };
  if (target === 'gateway-range') {
    const url = `${urls.gateway}/${BUCKET}/${archive.key}`;
    return { url, headers: signedGet(endpoint, url, { range }), expectedStatus: 206, expected, label: `range ${segment.name}` };
  }
  const url = `${urls.gateway}/${BUCKET}/${archive.key}/${segment.name}`;
  return { url, headers: signedGet(endpoint, url), expectedStatus: 200, expected, label: `member ${segment.name}` };
}

function printTable(results: readonly ScenarioResult[]): void {
  const header = ['archive', 'target', 'state', 'conc', 'reads', 'err', 'ttfb p50', 'p90', 'p99', 'total p50', 'p90', 'p99', 'MB/s', '×nginx p50', '×nginx MB/s', 'gw MiB', 'load'];
  const rows = results.map((r) => [
    r.archive, r.target, r.state, r.concurrency, r.reads, r.errors,
    ...[r.ttfbMs.p50, r.ttfbMs.p90, r.ttfbMs.p99, r.totalMs.p50, r.totalMs.p90, r.totalMs.p99].map((ms) => round(ms).toFixed(1)),
    round(r.mbPerSecond).toFixed(1),
    r.ratioToNginx ? r.ratioToNginx.totalP50.toFixed(2) : '-',
    r.ratioToNginx ? r.ratioToNginx.mbPerSecond.toFixed(2) : '-',
    r.gatewayPeakRssBytes === null ? '-' : (r.gatewayPeakRssBytes / 2 ** 20).toFixed(0),
    r.loadAverage[0]!.toFixed(2),
  ]);
  console.log(`\n${formatTable(header, rows)}\n(latencies in ms; ×nginx: gateway ÷ nginx at the same concurrency; gw MiB: the gateway's peak RSS during the scenario; load: 1-minute load average at the scenario's start)`);
  const timed = results.filter((r) => Object.keys(r.stagesMsP50).length > 0);
  if (timed.length > 0) {
    console.log(`\n${formatStageTable(timed.map((r) => ({ label: `${r.archive} ${r.target} ${r.state} c=${r.concurrency}`, ttfbP50: r.ttfbMs.p50, stages: r.stagesMsP50 })))}`);
    console.log('(gateway Server-Timing stages, p50 ms over the scenario; first-byte is when the status line went out; client ttfb: what the client saw)');
  }
}

async function writeResults(report: object, results: readonly ScenarioResult[], startedAt: Date): Promise<string> {
  const base = writeResultsJson('archive-range-read', report, startedAt).replace(/\.json$/, '');
  const svg = latencyChartSvg(
    `Random segment reads from a stored ZIP (${startedAt.toISOString().slice(0, 10)})`,
    results.map((r) => ({
      label: `${r.archive} · ${r.target} · ${r.state} · c=${r.concurrency}`,
      group: `${r.archive} ${r.target}`,
      ttfbP50: r.ttfbMs.p50, totalP50: r.totalMs.p50, totalP90: r.totalMs.p90, totalP99: r.totalMs.p99,
    })),
  );
  await writeFile(`${base}.svg`, svg);
  return base;
}

/** `npm run bench:range-read` (the archive mode): settings from `argv`, --help, one-line errors. */
export function runArchiveRangeRead(argv: readonly string[]): Promise<number> {
  return runBenchCommand({ name: 'range-read', usage: USAGE, summary: SUMMARY, specs: SPECS, parse: parseSettings, run }, argv);
}

async function run(s: Settings): Promise<number> {
  const nginxBinary = s.nginx ? findNginx() : null;
  if (s.nginx && !nginxBinary) {
    process.stderr.write('range-read: nginx not found (apt-get install nginx), or run with --nginx false\n');
    return 2;
  }
  const startedAt = new Date();
  const random = seededRandom(s.seed);
  const root = await mkdtemp(path.join(tmpdir(), 'shardgate-archive-bench-'));
  await chmod(root, 0o755);
  const profile = (name: string) => (s.profileDir ? ['--cpu-prof', '--cpu-prof-dir', path.join(s.profileDir, name)] : []);
  const cluster = new BenchCluster({
    nodes: NODES, gatewayArgs: ['--log-requests', 'false', '--server-timing', 'true', '--node-timeout', String(NODE_TIMEOUT_MS), '--chunk-size', String(s.chunkSize)],
    gatewayNodeArgs: profile('gateway'), nodeRuntimeArgs: profile('nodes'), stopGracefully: s.profileDir !== null,
  });
  let nginx: RunningNginx | null = null;
  const archives: BenchArchive[] = [];
  const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 60_000 });
  const cleanupSync = () => {
    cluster.closeSync();
    nginx?.child.kill('SIGKILL');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nrange-read: ${signal}, stopping\n`);
    cleanupSync();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanupSync);
  try {
    const www = path.join(root, 'www');
    await mkdir(www);
    await chmod(www, 0o755);
    const reads = new Map<ArchiveKind, { reads: Segment[]; warmup: Segment[]; uploadSeconds: number }>();
    for (const kind of s.archives) {
      const payload = kind === 'hls' ? s.size : kind === 'dash' ? s.dashSize : s.deepSize;
      console.log(`writing and packing the ${kind} archive (${payload} segment bytes) under ${root}…`);
      const archive = await buildBenchArchive(kind, payload, s.seed, root, www);
      archives.push(archive);
      // The hls reads come from the run's own PRNG (as before the other archives existed); the others from their own.
      const pickFrom = kind === 'hls' ? random : seededRandom(s.seed + 1 + ARCHIVE_KINDS.indexOf(kind));
      const pick = () => archive.segments[Math.floor(pickFrom() * archive.segments.length)]!;
      reads.set(kind, { reads: Array.from({ length: s.reads }, pick), warmup: Array.from({ length: s.warmup }, pick), uploadSeconds: 0 });
      console.log(`  ${archive.key}: ${archive.members} members, ${archive.bytes} bytes${archive.zip64 ? ', ZIP64' : ''}, ${archive.segments.length} segments, in ${round(archive.buildSeconds, 2)} s`);
    }

    console.log(`starting gateway + ${NODES} shard nodes…`);
    await cluster.start();
    const endpoint: S3Endpoint = { url: cluster.gatewayUrl, region: 'us-east-1', accessKeyId: cluster.accessKeyId, secretAccessKey: cluster.secretKey };
    await cluster.s3().send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (const archive of archives) {
      const uploadStarted = performance.now();
      await new S3ObjectClient(endpoint).put({ bucket: BUCKET, key: archive.key }, createReadStream(archive.file), archive.bytes, 'application/zip');
      const uploadSeconds = (performance.now() - uploadStarted) / 1000;
      reads.get(archive.kind)!.uploadSeconds = uploadSeconds;
      console.log(`uploaded ${archive.key} in ${round(uploadSeconds, 2)} s (${round(archive.bytes / 1e6 / uploadSeconds)} MB/s)`);
    }

    if (nginxBinary) nginx = await startNginx(nginxBinary, path.join(root, 'nginx'), www);
    const urls = { gateway: cluster.gatewayUrl, nginx: nginx?.url ?? '' };
    const results: ScenarioResult[] = [];
    /**
     * The targets' scenarios at one state and concurrency, interleaved: the timed reads are cut
     * into `--rounds` slices and each round runs every target's slice (the order rotating), so a
     * change in the machine's load falls on every target alike, not on whichever ran then.
     */
    const scenarios = async (archive: BenchArchive, targets: readonly Target[], state: string, concurrency: number): Promise<void> => {
      const { reads: timed, warmup } = reads.get(archive.kind)!;
      const loadAverage = os.loadavg().map((load) => round(load, 2));
      console.log(`${archive.kind} ${targets.join(' / ')}, ${state}, concurrency ${concurrency}: ${timed.length} reads each in ${s.rounds} interleaved rounds… (load ${loadAverage.join(' ')})`);
      const tallies = new Map(targets.map((target) => [target, { samples: [] as Sample[], errors: [] as string[], bytes: 0, wallSeconds: 0, cpuSeconds: {} as Record<string, number>, peakRss: 0 }]));
      for (const target of targets) await runConcurrently(dispatcher, warmup.length, concurrency, (index) => requestFor(target, archive, warmup[index]!, urls, endpoint));
      for (let round = 0; round < s.rounds; round++) {
        const from = Math.floor((timed.length * round) / s.rounds);
        const to = Math.floor((timed.length * (round + 1)) / s.rounds);
        for (const target of targets.map((_, i) => targets[(i + round) % targets.length]!)) {
          const tally = tallies.get(target)!;
          const cpuBefore = cluster.cpuSeconds();
          cluster.resetPeakRss();
          const run = await runConcurrently(dispatcher, to - from, concurrency, (index) => requestFor(target, archive, timed[from + index]!, urls, endpoint));
          for (const [name, seconds] of Object.entries(cluster.cpuSeconds())) tally.cpuSeconds[name] = (tally.cpuSeconds[name] ?? 0) + seconds - (cpuBefore[name] ?? 0);
          tally.peakRss = Math.max(tally.peakRss, cluster.peakRssBytes().gateway ?? 0);
          tally.samples.push(...run.samples);
          tally.errors.push(...run.errors);
          tally.bytes += run.bytes;
          tally.wallSeconds += run.wallSeconds;
        }
      }
      for (const target of targets) {
        const tally = tallies.get(target)!;
        const gateway = target !== 'nginx-range';
        const result: ScenarioResult = {
          archive: archive.kind, target, state: gateway ? state : 'local disk', concurrency, reads: tally.samples.length, errors: tally.errors.length, errorMessages: tally.errors.slice(0, MAX_ERRORS_KEPT),
          ttfbMs: distribution(tally.samples.map((sample) => sample.ttfbMs)),
          totalMs: distribution(tally.samples.map((sample) => sample.totalMs)),
          bytes: tally.bytes, wallSeconds: tally.wallSeconds, mbPerSecond: tally.bytes / 1e6 / tally.wallSeconds,
          cpuSeconds: gateway ? Object.fromEntries(Object.entries(tally.cpuSeconds).map(([name, seconds]) => [name, round(seconds, 2)])) : {},
          gatewayPeakRssBytes: gateway ? tally.peakRss : null,
          stagesMsP50: stageMedians(tally.samples.map((sample) => sample.stagesMs)), loadAverage, ratioToNginx: null,
        };
        const baseline = results.find((r) => r.archive === archive.kind && r.target === 'nginx-range' && r.concurrency === concurrency);
        if (baseline && gateway) {
          result.ratioToNginx = {
            ttfbP50: round(result.ttfbMs.p50 / baseline.ttfbMs.p50, 2),
            totalP50: round(result.totalMs.p50 / baseline.totalMs.p50, 2),
            totalP99: round(result.totalMs.p99 / baseline.totalMs.p99, 2),
            mbPerSecond: round(result.mbPerSecond / baseline.mbPerSecond, 3),
          };
        }
        results.push(result);
      }
    };

    const victims = cluster.nodes.map((node) => ({ node, order: random() })).sort((a, b) => a.order - b.order).slice(0, s.kill).map(({ node }) => node);
    for (let down = 0; down <= victims.length; down++) {
      const state = down === 0 ? 'healthy' : `${down} down`;
      if (down > 0) {
        await cluster.kill(victims[down - 1]!);
        console.log(`killed ${victims[down - 1]!.name} (SIGKILL); waiting until the gateway marks it offline…`);
        await cluster.waitForOnlineNodes(NODES - down, NODE_TIMEOUT_MS * 4);
      }
      // nginx is read beside the healthy gateway; the degraded phases read the hls archive only
      // (their ratios are to the healthy phase's nginx), the other archives are measured healthy.
      const targets: readonly Target[] = down === 0 && nginx ? ['nginx-range', 'gateway-member', 'gateway-range'] : ['gateway-member', 'gateway-range'];
      for (const archive of archives.filter((a) => down === 0 || a.kind === 'hls')) {
        for (const concurrency of s.concurrency) await scenarios(archive, targets, state, concurrency);
      }
    }

    printTable(results);
    const base = await writeResults({
      benchmark: 'archive-range-read', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: machineInfo(),
      config: {
        ...s, nodes: NODES, profile: { dataShards: 4, parityShards: 2, chunkSize: s.chunkSize }, nodeTimeoutMs: NODE_TIMEOUT_MS,
        killed: victims.map((victim) => victim.name),
        latency: 'ms; ttfb = request start to first body byte (gateway requests signed before the clock starts)', mb: '10^6 bytes',
      },
      archives: archives.map((archive) => ({
        kind: archive.kind, key: archive.key, bytes: archive.bytes, members: archive.members, zip64: archive.zip64, ...archive.details,
        segments: archive.segments.length, firstSegmentOffset: Math.min(...archive.segments.map((segment) => segment.span.offset)),
        buildSeconds: round(archive.buildSeconds, 2), uploadSeconds: round(reads.get(archive.kind)!.uploadSeconds, 2),
        uploadMbPerSecond: round(archive.bytes / 1e6 / reads.get(archive.kind)!.uploadSeconds),
      })),
      scenarios: results,
    }, results, startedAt);
    console.log(`results: ${path.relative(process.cwd(), base)}.json and .svg`);
    for (const r of results.filter((result) => result.errors > 0)) {
      console.error(`${r.archive} ${r.target} ${r.state} c=${r.concurrency}: ${r.errors} failed reads, e.g.\n  ${r.errorMessages.join('\n  ')}`);
    }
    return results.some((r) => r.errors > 0) ? 1 : 0;
  } catch (error) {
    console.error(`range-read failed: ${(error as Error).stack ?? error}`);
    if (cluster.gateway) console.error(`gateway output (tail):\n${cluster.gateway.output()}`);
    if (nginx) console.error(`nginx output:\n${nginx.output()}`);
    return 1;
  } finally {
    for (const archive of archives) await archive.source.close();
    await dispatcher.close();
    await nginx?.stop();
    await cluster.close();
    await rm(root, { recursive: true, force: true });
  }
}
