/**
 * The floor under any gateway on this machine: `npx tsx bench/relay-floor.ts [options]` (see --help).
 *
 * Serves one file of random bytes four ways and times the same random range GETs against each,
 * interleaved in `--rounds` slices so a change in the machine's load falls on all alike:
 * - `nginx`: nginx from local disk (sendfile), the baseline of bench/range-read.ts;
 * - `nginx-relay`: a second nginx proxying to the first (keep-alive upstream, no buffering): one
 *   extra process hop, in C;
 * - `node-origin`: a Node `node:http` server answering each range with one `pread` (what a shard
 *   node does with a window);
 * - `node-relay`: a Node server forwarding each range to node-origin over undici and writing every
 *   piece as it arrives: one extra hop in Node, with no metadata, verification or decryption.
 *
 * shardgate's gateway does at least node-relay's work for every byte (plus BLAKE3, AES-CTR and a
 * fan-out to several nodes), so node-relay's ratio to nginx bounds what issue 11's "≤ 2× nginx"
 * can reach here. Bodies are checked byte for byte after the clock stops. Results: a table on
 * stdout and bench/results/relay-floor-<UTC time>.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Agent } from 'undici';
import { ConfigError, parseBytes, parseInteger, type SettingSpecs } from '../src/config/flags.ts';
import { findNginx, startNginx, startNginxWith, type RunningNginx } from '../src/testing/nginx.ts';
import { parseIntegerList, runBenchCommand } from './bench-command.ts';
import { machineInfo } from './machine-info.ts';
import { objectBytes, seededRandom } from './object-bytes.ts';
import { writeResultsJson } from './results-file.ts';
import { distribution, formatTable, type Distribution } from './stats.ts';
import { runConcurrently, type Sample } from './timed-get.ts';

const SPECS = {
  size: { flag: 'size', env: 'BENCH_SIZE', kind: 'bytes', description: 'file size', defaultText: '64MiB' },
  reads: { flag: 'reads', env: 'BENCH_READS', kind: 'integer', description: 'timed range reads per target and concurrency', defaultText: '300' },
  seed: { flag: 'seed', env: 'BENCH_SEED', kind: 'integer', description: 'seed of the bytes and the ranges', defaultText: '1' },
  minLength: { flag: 'min-length', env: 'BENCH_MIN_LENGTH', kind: 'bytes', description: 'shortest range', defaultText: '64KiB' },
  maxLength: { flag: 'max-length', env: 'BENCH_MAX_LENGTH', kind: 'bytes', description: 'longest range', defaultText: '2MiB' },
  concurrency: { flag: 'concurrency', env: 'BENCH_CONCURRENCY', kind: 'string', description: 'comma-separated request concurrencies', defaultText: '1,16' },
  rounds: { flag: 'rounds', env: 'BENCH_ROUNDS', kind: 'integer', description: 'interleaved slices per concurrency', defaultText: '5' },
} as const satisfies SettingSpecs;

interface Settings { size: number; reads: number; seed: number; minLength: number; maxLength: number; concurrency: number[]; rounds: number }

const TARGETS = ['nginx', 'nginx-relay', 'node-origin', 'node-relay'] as const;
type Target = (typeof TARGETS)[number];
const FILE = 'object.bin';
const WARMUP_READS = 20;

interface Row {
  target: Target; concurrency: number; reads: number; errors: string[];
  ttfbMs: Distribution; totalMs: Distribution; mbPerSecond: number; ratioToNginx: { totalP50: number; mbPerSecond: number } | null; loadAverage: number[];
}

/** Starts bench/relay-floor-server.ts in its own process; resolves with its URL once it listens. */
async function startNodeServer(children: ChildProcess[], role: 'origin' | 'relay', argument: string): Promise<string> {
  const script = fileURLToPath(new URL('./relay-floor-server.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, role, argument], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const [line] = await Promise.race([
    createInterface({ input: child.stdout! })[Symbol.asyncIterator]().next().then((next) => [next.value as string | undefined]),
    new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`${role} server exited with ${code}`)))),
  ]);
  return `http://127.0.0.1:${Number(line)}`;
}

async function run(s: Settings): Promise<number> {
  const nginxBinary = findNginx();
  if (!nginxBinary) {
    process.stderr.write('relay-floor: nginx not found (apt-get install nginx)\n');
    return 1;
  }
  const startedAt = new Date();
  const root = mkdtempSync(path.join(os.tmpdir(), 'shardgate-relay-floor-'));
  const www = path.join(root, 'www');
  chmodSync(root, 0o755); // nginx workers may run as nobody
  const children: ChildProcess[] = [];
  const nginxes: RunningNginx[] = [];
  const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 60_000 });
  try {
    mkdirSync(www);
    writeFileSync(path.join(www, FILE), objectBytes(s.seed, 0, s.size));
    nginxes.push(await startNginx(nginxBinary, path.join(root, 'nginx'), www));
    const nginxUrl = nginxes[0]!.url;
    nginxes.push(await startNginxWith(nginxBinary, path.join(root, 'nginx-relay'), (port) => `
  upstream origin { server ${new URL(nginxUrl).host}; keepalive 64; }
  server {
    listen 127.0.0.1:${port};
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_buffering off; }
  }`));
    const originUrl = await startNodeServer(children, 'origin', www);
    const urls: Record<Target, string> = { nginx: nginxUrl, 'nginx-relay': nginxes[1]!.url, 'node-origin': originUrl, 'node-relay': await startNodeServer(children, 'relay', originUrl) };

    const random = seededRandom(s.seed);
    const spans = Array.from({ length: s.reads + WARMUP_READS }, () => {
      const length = s.minLength + Math.floor(random() * (s.maxLength - s.minLength + 1));
      return { offset: Math.floor(random() * (s.size - length + 1)), length };
    });
    const request = (target: Target, index: number) => {
      const { offset, length } = spans[index]!;
      return {
        url: `${urls[target]}/${FILE}`, headers: { range: `bytes=${offset}-${offset + length - 1}` }, expectedStatus: 206,
        expected: async () => objectBytes(s.seed, offset, length), label: `${target} ${offset}+${length}`,
      };
    };
    const rows: Row[] = [];
    for (const concurrency of s.concurrency) {
      const loadAverage = os.loadavg().map((load) => Math.round(load * 100) / 100);
      console.log(`${TARGETS.join(' / ')}, concurrency ${concurrency}: ${s.reads} reads each in ${s.rounds} interleaved rounds… (load ${loadAverage.join(' ')})`);
      const tallies = new Map(TARGETS.map((target) => [target, { samples: [] as Sample[], errors: [] as string[], bytes: 0, wallSeconds: 0 }]));
      for (const target of TARGETS) await runConcurrently(dispatcher, WARMUP_READS, concurrency, (i) => request(target, s.reads + i));
      for (let round = 0; round < s.rounds; round++) {
        const from = Math.floor((s.reads * round) / s.rounds);
        const to = Math.floor((s.reads * (round + 1)) / s.rounds);
        for (const target of TARGETS.map((_, i) => TARGETS[(i + round) % TARGETS.length]!)) {
          const outcome = await runConcurrently(dispatcher, to - from, concurrency, (i) => request(target, from + i));
          const tally = tallies.get(target)!;
          tally.samples.push(...outcome.samples);
          tally.errors.push(...outcome.errors);
          tally.bytes += outcome.bytes;
          tally.wallSeconds += outcome.wallSeconds;
        }
      }
      const baseline = tallies.get('nginx')!;
      const nginxTotal = distribution(baseline.samples.map((sample) => sample.totalMs)).p50;
      const nginxRate = baseline.bytes / 1e6 / baseline.wallSeconds;
      for (const target of TARGETS) {
        const tally = tallies.get(target)!;
        const totalMs = distribution(tally.samples.map((sample) => sample.totalMs));
        const mbPerSecond = tally.bytes / 1e6 / tally.wallSeconds;
        rows.push({
          target, concurrency, reads: tally.samples.length, errors: tally.errors.slice(0, 5),
          ttfbMs: distribution(tally.samples.map((sample) => sample.ttfbMs)), totalMs, mbPerSecond,
          ratioToNginx: target === 'nginx' ? null : { totalP50: round(totalMs.p50 / nginxTotal), mbPerSecond: round(mbPerSecond / nginxRate) },
          loadAverage,
        });
      }
    }
    console.log(`\n${formatTable(
      ['target', 'conc', 'reads', 'err', 'ttfb p50', 'total p50', 'p90', 'p99', 'MB/s', '×nginx p50', '×nginx MB/s', 'load'],
      rows.map((r) => [
        r.target, r.concurrency, r.reads, r.errors.length, r.ttfbMs.p50.toFixed(2), r.totalMs.p50.toFixed(2), r.totalMs.p90.toFixed(1), r.totalMs.p99.toFixed(1),
        r.mbPerSecond.toFixed(1), r.ratioToNginx?.totalP50.toFixed(2) ?? '-', r.ratioToNginx?.mbPerSecond.toFixed(2) ?? '-', r.loadAverage[0]!.toFixed(2),
      ]),
    )}`);
    console.log('(latencies in ms; ×nginx: target ÷ nginx in the same interleaved run; MB = 10^6 bytes)');
    const file = writeResultsJson('relay-floor', { bench: 'relay-floor', startedAt: startedAt.toISOString(), settings: s, machine: machineInfo(), rows }, startedAt);
    console.log(`results: ${path.relative(process.cwd(), file)}`);
    for (const row of rows) for (const error of row.errors) process.stderr.write(`relay-floor: ${row.target} c=${row.concurrency}: ${error}\n`);
    return rows.some((r) => r.errors.length > 0) ? 1 : 0;
  } finally {
    await dispatcher.close();
    for (const child of children) child.kill();
    for (const nginx of nginxes) await nginx.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

process.exitCode = await runBenchCommand<Settings>({
  name: 'relay-floor',
  usage: 'npx tsx bench/relay-floor.ts [options]',
  summary: 'Times the same random range GETs against nginx, an nginx relay, a Node origin and a Node relay: the floor under any gateway here.',
  specs: SPECS,
  parse(v) {
    const settings: Settings = {
      size: parseBytes('--size', v.size ?? '64MiB'), reads: parseInteger('--reads', v.reads ?? '300', 1, 1_000_000),
      seed: parseInteger('--seed', v.seed ?? '1', 0, 2 ** 31), minLength: parseBytes('--min-length', v.minLength ?? '64KiB'),
      maxLength: parseBytes('--max-length', v.maxLength ?? '2MiB'), concurrency: parseIntegerList('--concurrency', v.concurrency ?? '1,16', 1, 256),
      rounds: parseInteger('--rounds', v.rounds ?? '5', 1, 100),
    };
    if (settings.minLength < 1 || settings.minLength > settings.maxLength || settings.maxLength > settings.size) throw new ConfigError('need 1 ≤ --min-length ≤ --max-length ≤ --size');
    return settings;
  },
  run,
});
