/**
 * The cost of durable SQLite metadata commits: `npx tsx bench/meta-commits.ts [options]` (see --help).
 *
 * For each `--meta-durability` variant a fresh SqliteMetaStore file in a temp directory takes the
 * metadata writes of one small PUT, as the write path makes them (addPendingShards for the six
 * shards of one 4+2 segment, then commitObject), `--count` times at each concurrency; variants
 * and rounds are interleaved (the order rotates each round) so a busy moment of the shared
 * machine hits them all. Reported: PUT commits per second, latency p50/p99, the event loop's
 * delay p99/max during the phase (synchronous=FULL syncs inside the driver, on the loop), the
 * store's syncs per PUT, and a bare fdatasync of a 4 KiB append on the same disk. Results: a
 * table on stdout and bench/results/meta-commits-<UTC time>.json.
 */
import { mkdtempSync, openSync, closeSync, fdatasyncSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseInteger, type SettingSpecs } from '../src/config/flags.ts';
import { parseChoiceList, parseIntegerList, runBenchCommand } from './bench-command.ts';
import { addPendingFor, createAccountAndBucket, makeSegments, newVersion } from '../src/meta/store-contract-fixtures.ts';
import { SqliteMetaStore } from '../src/meta/sqlite-store.ts';
import { META_DURABILITIES, type FileDataSync, type MetaDurability } from '../src/meta/sqlite-wal-sync.ts';
import { machineInfo } from './machine-info.ts';
import { writeResultsJson } from './results-file.ts';
import { distribution, formatTable, quantile, type Distribution } from './stats.ts';

const SPECS = {
  count: { flag: 'count', env: 'BENCH_COUNT', kind: 'integer', description: 'PUTs (metadata only) per variant, concurrency and round', defaultText: '1000' },
  concurrency: { flag: 'concurrency', env: 'BENCH_CONCURRENCY', kind: 'string', description: 'comma-separated concurrencies', defaultText: '1,8' },
  durability: { flag: 'meta-durability', env: 'BENCH_META_DURABILITY', kind: 'string', description: 'comma-separated variants', defaultText: META_DURABILITIES.join(',') },
  rounds: { flag: 'rounds', env: 'BENCH_ROUNDS', kind: 'integer', description: 'times every phase runs on every variant, interleaved', defaultText: '3' },
} as const satisfies SettingSpecs;

interface Phase {
  durability: MetaDurability; round: number; concurrency: number; puts: number; perSecond: number; latencyMs: Distribution;
  loopDelayP99Ms: number; loopDelayMaxMs: number; syncsPerPut: number | null; loadAverage: number[];
}

/** p50 of a bare fdatasync after a 4 KiB append, in ms, on the disk of `directory`. */
function bareFdatasyncMs(directory: string, samples = 200): number {
  const file = path.join(directory, 'fdatasync.bin');
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 7);
  const times: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      writeSync(fd, block);
      const started = performance.now();
      fdatasyncSync(fd);
      times.push(performance.now() - started);
    }
  } finally {
    closeSync(fd);
  }
  return quantile(times.sort((a, b) => a - b), 0.5);
}

async function runPhase(directory: string, durability: MetaDurability, round: number, concurrency: number, count: number): Promise<Phase> {
  let syncs = 0;
  const counting: FileDataSync = async (file) => {
    syncs += 1;
    await file.datasync();
  };
  const store = SqliteMetaStore.open(path.join(directory, `${durability}-${round}-${concurrency}.sqlite`), { durability, walDataSync: counting });
  try {
    await createAccountAndBucket(store, 'small');
    syncs = 0;
    const loadAverage = os.loadavg().map((load) => Number(load.toFixed(2)));
    const loop = monitorEventLoopDelay({ resolution: 1 });
    const latencies: number[] = [];
    let next = 0;
    loop.enable();
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      while (next < count) {
        // A server meets the event loop between requests (network I/O): without this, a variant
        // that never leaves microtasks would run as one macrotask and the loop delay would read 0.
        await new Promise((resolve) => setImmediate(resolve));
        const index = next++;
        const version = newVersion('small', `k/${index}`, { segments: makeSegments(4096, 4096) });
        const callStarted = performance.now();
        await addPendingFor(store, version);
        await store.commitObject(version);
        latencies.push(performance.now() - callStarted);
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    loop.disable();
    return {
      durability, round, concurrency, puts: count, perSecond: count / seconds, latencyMs: distribution(latencies),
      loopDelayP99Ms: loop.percentile(99) / 1e6, loopDelayMaxMs: loop.max / 1e6,
      syncsPerPut: durability === 'group' ? syncs / count : null, loadAverage,
    };
  } finally {
    await store.close();
  }
}

interface Settings { count: number; concurrency: number[]; durability: MetaDurability[]; rounds: number }

function parse(v: Readonly<Record<string, string | undefined>>): Settings {
  return {
    count: parseInteger('--count', v.count ?? '1000', 1, 1_000_000),
    concurrency: parseIntegerList('--concurrency', v.concurrency ?? '1,8', 1, 1024),
    durability: parseChoiceList('--meta-durability', v.durability ?? META_DURABILITIES.join(','), META_DURABILITIES),
    rounds: parseInteger('--rounds', v.rounds ?? '3', 1, 100),
  };
}

async function run(settings: Settings): Promise<number> {
  const startedAt = new Date();
  const directory = mkdtempSync(path.join(os.tmpdir(), 'bench-meta-commits-'));
  try {
    const fdatasyncP50Ms = bareFdatasyncMs(directory);
    console.log(`bare fdatasync of a 4 KiB append: p50 ${fdatasyncP50Ms.toFixed(2)} ms`);
    const phases: Phase[] = [];
    for (let round = 1; round <= settings.rounds; round++) {
      const order = settings.durability.map((_, index) => settings.durability[(index + round - 1) % settings.durability.length]!);
      for (const concurrency of settings.concurrency) {
        for (const durability of order) {
          console.log(`round ${round} ${durability} c=${concurrency}: ${settings.count} PUTs… (load ${os.loadavg()[0]!.toFixed(2)})`);
          phases.push(await runPhase(directory, durability, round, concurrency, settings.count));
        }
      }
    }
    const rows = phases.map((p) => [
      p.round, p.durability, p.concurrency, p.perSecond.toFixed(0), p.latencyMs.p50.toFixed(2), p.latencyMs.p99.toFixed(2),
      p.loopDelayP99Ms.toFixed(1), p.loopDelayMaxMs.toFixed(1), p.syncsPerPut === null ? '-' : p.syncsPerPut.toFixed(2), p.loadAverage[0]!.toFixed(2),
    ]);
    console.log(`\n${formatTable(['round', 'durability', 'conc', 'PUTs/s', 'p50 ms', 'p99 ms', 'loop p99 ms', 'loop max ms', 'syncs/PUT', 'load'], rows)}`);
    const file = writeResultsJson('meta-commits', {
      benchmark: 'meta-commits', startedAt: startedAt.toISOString(), finishedAt: new Date().toISOString(), machine: machineInfo(),
      config: settings, fdatasyncP50Ms, phases,
    }, startedAt);
    console.log(`results: ${file}`);
    return 0;
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

process.exitCode = await runBenchCommand({
  name: 'meta-commits',
  usage: 'npx tsx bench/meta-commits.ts [options]',
  summary: 'Times the SQLite metadata writes of small PUTs under each --meta-durability.',
  specs: SPECS,
  parse,
  run,
});
